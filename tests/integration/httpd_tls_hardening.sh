#!/bin/sh
# httpd_tls_hardening.sh: the TLS protocol floor with openssl s_client (TLS
# 1.0/1.1 refused, 1.2/1.3 spoken, ALPN http/1.1 or none, no renegotiation,
# resumption), start-up errors (one line, exit 2, nothing listening), SIGHUP
# reload (new pair for new connections, open ones kept, a broken pair
# refused), and hostile handshakes that must cost nothing lasting (garbage,
# a stalled handshake, a reset mid-handshake, plain HTTP to the TLS port).
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
C=$T/certs
sh "$(dirname "$0")/../tls-certs.sh" "$C" || { fail "test certificates made"; finish; }
R=$(mkroot site)
printf 'hello\n' >"$R/index.html"

# ---- start-up errors: one line naming the problem, exit 2, no listener ----
# bad NAME WANT-TEXT ARGS...
bad() {
	name=$1 want=$2
	shift 2
	p=$(free_port)
	"$BIN/httpd" -p "$p" -b 127.0.0.1 "$@" "$R" >"$T/bad.out" 2>"$T/bad.err" </dev/null
	st=$?
	check_eq "$name: exit 2, one line" "2 1" "$st $(wc -l <"$T/bad.err" | tr -d ' ')"
	check_contains "$name: the line names it" "$T/bad.err" "$want"
	if lib_port_open 127.0.0.1 "$p"; then fail "$name: nothing listens"; else ok "$name: nothing listens"; fi
}
bad "expired certificate" "has expired" --tls-cert "$C/expired.pem" --tls-key "$C/expired.key"
bad "key of another certificate" "does not match" --tls-cert "$C/server.pem" --tls-key "$C/other.key"
bad "missing certificate file" "$T/none.pem" --tls-cert "$T/none.pem" --tls-key "$C/server.key"
bad "a key given as certificate" "no usable PEM certificate" --tls-cert "$C/server.key" --tls-key "$C/server.key"

# ---- the protocol floor ----
cp "$C/server.pem" "$T/live.pem"
cp "$C/server.key" "$T/live.key"
start_httpd "$R" -w 1 --header-timeout 2 --tls-cert "$T/live.pem" --tls-key "$T/live.key" \
	|| { fail "httpd starts with TLS" "$(head -c 300 "$HTTPD_LOG")"; finish; }
sc() { timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$C/ca.pem" "$@"; }

for v in tls1 tls1_1; do
	# SECLEVEL=0 lets the client offer the old version: the refusal is the server's.
	echo | sc "-$v" -cipher 'DEFAULT:@SECLEVEL=0' >"$T/$v" 2>&1
	check_contains "$v is refused by the server (protocol_version alert)" "$T/$v" "alert protocol version"
done
for v in tls1_2 tls1_3; do
	echo | sc "-$v" >"$T/$v" 2>&1
	check_contains "$v is spoken and the chain verifies" "$T/$v" "Verify return code: 0 (ok)"
done
echo | sc -alpn h2,http/1.1 >"$T/alpn" 2>&1
check_contains "ALPN: an h2-preferring client gets http/1.1" "$T/alpn" "ALPN protocol: http/1.1"
echo | sc -alpn h2 >"$T/alpn2" 2>&1
check_contains "ALPN: h2 only goes on without ALPN" "$T/alpn2" "No ALPN negotiated"
(printf 'R\n'; sleep 1) | sc -tls1_2 >"$T/reneg" 2>&1
check_contains "renegotiation is refused" "$T/reneg" "no renegotiation"
REQ='GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
(printf "$REQ"; sleep 0.5) | sc -sess_out "$T/sess" -ign_eof >"$T/s1" 2>&1
(printf "$REQ"; sleep 0.5) | sc -sess_in "$T/sess" -sess_out "$T/sess2" -ign_eof >"$T/s2" 2>&1
check_contains "TLS 1.3 resumption by ticket" "$T/s2" "Reused, TLSv1.3"
# A TLS 1.3 client presents a ticket once (RFC 8446, C.4): a resumed
# connection hands out a new one, and that one resumes too.
(printf "$REQ"; sleep 0.5) | sc -sess_in "$T/sess2" -ign_eof >"$T/s2b" 2>&1
check_contains "TLS 1.3: the ticket from a resumed connection resumes again" "$T/s2b" "Reused, TLSv1.3"
(printf "$REQ"; sleep 0.5) | sc -tls1_2 -sess_out "$T/sess12" -ign_eof >"$T/s3" 2>&1
(printf "$REQ"; sleep 0.5) | sc -tls1_2 -sess_in "$T/sess12" -ign_eof >"$T/s4" 2>&1
check_contains "TLS 1.2 resumption by ticket" "$T/s4" "Reused, TLSv1.2"
check_contains "the answer arrives over s_client" "$T/s4" "HTTP/1.1 200 OK"

# ---- SIGHUP reload ----
# A client on an open connection: a request, then another once $T/go exists.
KEEP_PY='
import os, socket, ssl, sys, time
port, ca, go = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), 5), server_hostname="localhost")
def get():
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    d = b""
    while b"hello\n" not in d:
        c = s.recv(4096)
        if not c:
            break
        d += c
    return d.split(b" ")[1].decode() if d else "none"
first = get()
end = time.time() + 10
while not os.path.exists(go) and time.time() < end:
    time.sleep(0.05)
print(first, get())
'
python3 -c "$KEEP_PY" "$PORT" "$C/ca.pem" "$T/go" >"$T/keep" 2>&1 &
KEEP=$!
sleep 0.5
keybits() { echo | sc 2>/dev/null | sed -n 's/^Server public key is \([0-9]*\) bit.*/\1/p'; }
check_eq "before reload: the ECDSA P-256 key" "256" "$(keybits)"
cp "$C/rsa.pem" "$T/live.pem"
cp "$C/rsa.key" "$T/live.key"
kill -HUP "$HTTPD_PID"
sleep 0.5
check_eq "after SIGHUP: new connections get the RSA 2048 pair" "2048" "$(keybits)"
touch "$T/go"
wait "$KEEP"
check_eq "the connection opened before the reload goes on" "200 200" "$(cat "$T/keep")"
check_contains "reload logged" "$HTTPD_LOG" "reloaded"
cp "$C/other.key" "$T/live.key"
kill -HUP "$HTTPD_PID"
sleep 0.5
check_contains "a broken pair is refused with a log line" "$HTTPD_LOG" "TLS reload refused"
check_eq "...and the old pair stays in use" "2048" "$(keybits)"
cp "$C/rsa.key" "$T/live.key"

# ---- hostile handshakes ----
nfds() { ls "/proc/$HTTPD_PID/fd" | wc -l; }
base=$(nfds)
HOSTILE_PY='
import os, socket, struct, sys, time
port, what = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), 5)
t0 = time.time()
if what == "garbage":
    s.sendall(b"\x16\x03\x01" + os.urandom(2000))
elif what == "binary":
    s.sendall(os.urandom(1) .replace(b"\x16", b"\x00") + os.urandom(500))
elif what == "stall":
    s.sendall(b"\x16\x03\x01\x02\x00\x01")
elif what == "reset":
    s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("reset")
    sys.exit(0)
elif what == "plain":
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
s.settimeout(8)
data = b""
try:
    while True:
        c = s.recv(4096)
        if not c:
            break
        data += c
except socket.timeout:
    print("still open")
    sys.exit(0)
except ConnectionResetError:
    pass
first = data.split(b"\r\n")[0].decode("latin-1") if what == "plain" else "-"
print("closed after %s s" % ("<5" if time.time() - t0 < 5 else ">=5"), first)
'
hostile() { python3 -c "$HOSTILE_PY" "$PORT" "$1"; }
check_eq "garbage after a handshake record header: closed at once" "closed after <5 s -" "$(hostile garbage)"
check_eq "binary garbage: closed at once" "closed after <5 s -" "$(hostile binary)"
check_eq "a stalled handshake is closed by the header timeout (2 s)" "closed after <5 s -" "$(hostile stall)"
check_eq "a reset mid-handshake" "reset" "$(hostile reset)"
check_eq "plain HTTP to the TLS port: 400, then close" "closed after <5 s HTTP/1.1 400 Bad Request" "$(hostile plain)"
# Thirty stalled handshakes at once cost nothing once their time is up.
i=0
pids=
while [ $i -lt 30 ]; do
	hostile stall >/dev/null &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
sleep 0.5
check_eq "no descriptor left behind by the hostile handshakes" "$base" "$(nfds)"
check_eq "and the server still answers over TLS" "200" \
	"$(hcurl --cacert "$C/ca.pem" --resolve "localhost:$PORT:127.0.0.1" -o /dev/null -w '%{http_code}' "https://localhost:$PORT/")"
stop_httpd TERM 10
check_eq "SIGTERM: exit 0" "0" "$HTTPD_STATUS"
finish
