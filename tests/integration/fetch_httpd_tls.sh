#!/bin/sh
# fetch against httpd over TLS, end to end (the plaintext analogue is
# fetch_httpd.sh): certificates made now by tests/tls-certs.sh, trusted with
# --ca-certificate. GET, a 32 MiB file checked by sha256, HEAD, -N answered
# 304, resuming a .part (206, then 416 once complete), a transfer cut
# mid-body by the network retried and continued (-t), --http-redirect's 308
# from http:// followed to https://, and verification failures (exit 5, no
# file left).
. "$(dirname "$0")/../lib.sh"

F="$BIN/fetch"
C="$TEST_TMP/certs"
sh "$(dirname "$0")/../tls-certs.sh" "$C" || { fail "test certificates made"; finish; }
ROOT=$(mkroot site)
W="$TEST_TMP/work"
mkdir -p "$W"
printf 'hello over TLS\n' >"$ROOT/index.html"
head -c 1048576 /dev/urandom >"$ROOT/mib"
head -c 33554432 /dev/urandom >"$ROOT/big"
touch -d "2024-02-29 12:00:00 UTC" "$ROOT/index.html" "$ROOT/mib" "$ROOT/big"
BIGSUM=$(sha256sum "$ROOT/big" | cut -d' ' -f1)

RPORT=$(free_port)
start_httpd "$ROOT" -l off --tls-cert "$C/server.pem" --tls-key "$C/server.key" \
	--http-redirect "$RPORT" || { fail "httpd starts with TLS" "$(head -c 300 "$HTTPD_LOG")"; finish; }
U="https://127.0.0.1:$PORT"
# f ARGS: fetch trusting the test CA, bounded; sets RC, output in $W/out, errors in $W/err.
f() {
	timeout 60 "$F" --ca-certificate "$C/ca.pem" "$@" >"$W/out" 2>"$W/err"
	RC=$?
}
status() { grep '^HTTP/' "$W/out" | tail -n 1 | cut -d' ' -f2; }

# ---- GET, a big file by sha256, HEAD ----
f -q -o "$W/index" "$U/"
check_eq "GET / over TLS: exit 0" 0 "$RC"
check "GET /: the served bytes" cmp "$W/index" "$ROOT/index.html"
check_eq "GET /: mtime from Last-Modified" "$(stat -c %Y "$ROOT/index.html")" "$(stat -c %Y "$W/index")"
f -q -o "$W/big" --checksum "sha256=$BIGSUM" "$U/big"
check_eq "32 MiB over TLS, --checksum sha256: exit 0" 0 "$RC"
check_eq "32 MiB over TLS: sha256 of the file saved" "$BIGSUM" "$(sha256sum "$W/big" | cut -d' ' -f1)"
f -q -o "$W/big2" --checksum "sha256=$(echo "$BIGSUM" | tr 0-9a-f 1-9a-f0)" "$U/big"
check_eq "a digest that differs: exit 9" 9 "$RC"
check "...and no file is left" test ! -e "$W/big2" -a ! -e "$W/big2.part"
f -I "$U/mib"
check_eq "HEAD (-I) over TLS: exit 0" 0 "$RC"
check_eq "HEAD: 200" 200 "$(status)"
check_contains "HEAD: the length" "$W/out" "1048576"

# ---- -N: the local copy is current, httpd answers 304 ----
f -o "$W/index" -N "$U/index.html"
check_eq "-N over TLS: exit 0" 0 "$RC"
check_eq "-N: 304 Not Modified" 304 "$(status)"
check "-N: the file is kept as it was" cmp "$W/index" "$ROOT/index.html"
printf 'stale\n' >"$W/index"
touch -d "2024-02-28 12:00:00 UTC" "$W/index"
f -o "$W/index" -N "$U/index.html"
check_eq "-N with an older copy: 200" 200 "$(status)"
check "-N with an older copy: replaced" cmp "$W/index" "$ROOT/index.html"

# ---- resume a .part: 206, then the complete file gets 416 ----
head -c 300000 "$ROOT/mib" >"$W/mib.part"
f -r -o "$W/mib" "$U/mib"
check_eq "-r over TLS: exit 0" 0 "$RC"
check_eq "-r: continued with 206" 206 "$(status)"
check "-r: the file is complete" cmp "$W/mib" "$ROOT/mib"
check "-r: no .part left" test ! -e "$W/mib.part"
f -r -o "$W/mib" "$U/mib"
check_eq "-r of a complete file: exit 0" 0 "$RC"
check_eq "-r of a complete file: 416" 416 "$(status)"
check "-r: still complete" cmp "$W/mib" "$ROOT/mib"

# ---- a transfer cut mid-body, retried and continued (-t) ----
# A TCP relay in front of httpd: the first connection is cut after 200,000
# bytes from the server (TLS records and all), the next ones pass whole. The
# TLS session runs end to end; fetch sees the stream end without close_notify.
CUT_PY='
import socket, sys, threading
lis = socket.socket()
lis.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lis.bind(("127.0.0.1", 0))
lis.listen(8)
print(lis.getsockname()[1], flush=True)
def pipe(a, b, limit):
    n = 0
    try:
        while limit is None or n < limit:
            d = a.recv(65536 if limit is None else min(65536, limit - n))
            if not d:
                break
            b.sendall(d)
            n += len(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
lis.settimeout(30)
threads = []
for limit in (200000, None):  # the cut connection, then the retry
    c, _ = lis.accept()
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
    for t in (threading.Thread(target=pipe, args=(c, s, None)),
              threading.Thread(target=pipe, args=(s, c, limit))):
        t.start()
        threads.append(t)
for t in threads:
    t.join(30)
'
python3 -c "$CUT_PY" "$PORT" >"$W/relay.port" &
RELAY=$!
track_pid "$RELAY"
n=0
while [ ! -s "$W/relay.port" ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
CUT="https://127.0.0.1:$(cat "$W/relay.port")"
FETCH_RETRY_CAP_MS=50 f -o "$W/cut" -t 3 "$CUT/mib"
check_eq "a TLS transfer cut mid-body, -t 3: exit 0" 0 "$RC"
check "...the whole file" cmp "$W/cut" "$ROOT/mib"
check_contains "...after one retry, said on stderr" "$W/err" "try 2 of 3"
check_eq "...continued with a range: 200 then 206" "200 206" "$(grep '^HTTP/' "$W/out" | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')"
wait_pid "$RELAY" 10

# ---- --http-redirect: 308 from http:// to https://, followed ----
f -o "$W/redir" "http://127.0.0.1:$RPORT/mib?x=1"
check_eq "http:// on the redirect port: exit 0" 0 "$RC"
check_eq "...308 then 200 over TLS" "308 200" "$(grep '^HTTP/' "$W/out" | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')"
check "...the file, fetched over TLS" cmp "$W/redir" "$ROOT/mib"

# ---- verification failures: exit 5, nothing written ----
printf 'old\n' >"$W/keep"
timeout 60 "$F" -q --ca-certificate "$C/unknown-ca.pem" -o "$W/keep" "$U/mib" 2>"$W/err"
check_eq "another CA: exit 5 (certificate verification)" 5 "$?"
check_contains "...named" "$W/err" "unknown issuer"
check_eq "...the old file is untouched" "old" "$(cat "$W/keep")"
SSL_CERT_FILE=/dev/null SSL_CERT_DIR="$TEST_TMP/none" timeout 60 "$F" -q -o "$W/none" "$U/mib" 2>"$W/err"
check_eq "no --ca-certificate (the test CA is not a system one): exit 5" 5 "$?"
check "...no file" test ! -e "$W/none" -a ! -e "$W/none.part"
stop_httpd
finish
