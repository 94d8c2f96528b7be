#!/bin/sh
# fetch's fast paths for large Content-Length bodies (fetch/transfer.c):
# O_DIRECT through an aligned buffer (the default from 16 MiB), splice
# (FETCH_DIRECT=0) and plain reads (FETCH_DIRECT=0 FETCH_SPLICE=0) must all
# save exactly the served bytes; a resumed download of an unaligned partial
# file must continue it; a body cut short or stalled must fail with the
# documented status, leave no file claiming success, and with -r keep exactly
# the bytes that arrived.
. "$(dirname "$0")/../lib.sh"

F="$BIN/fetch"
ROOT=$(mkroot large)
W="$TEST_TMP/work"
mkdir -p "$W"
SIZE=$((40 * 1048576 + 1234)) # not a multiple of any block size
head -c "$SIZE" /dev/urandom >"$ROOT/big"

# get LABEL ENV...: a fresh download of /big with these environment settings.
get() {
	label=$1
	shift
	rm -f "$W/big"
	env "$@" timeout 60 "$F" -q -o "$W/big" "http://127.0.0.1:$PORT/big" 2>"$TEST_TMP/err"
	check_eq "$label: exit status" 0 "$?"
	check "$label: identical to the served file" cmp "$W/big" "$ROOT/big"
	check_eq "$label: mtime from Last-Modified" "$(stat -c %Y "$ROOT/big")" "$(stat -c %Y "$W/big")"
	check_eq "$label: no temporary file left" "big" "$(ls -A "$W" | tr '\n' ' ' | sed 's/ $//')"
}

if start_httpd "$ROOT" -l off; then
	get "direct I/O (default)" FETCH_DIRECT=1
	get "splice" FETCH_DIRECT=0
	get "read/write" FETCH_DIRECT=0 FETCH_SPLICE=0
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		S=$(mktemp -d /dev/shm/fetch_large.XXXXXX)
		timeout 60 "$F" -q -o "$S/big" "http://127.0.0.1:$PORT/big"
		check_eq "tmpfs target: exit status" 0 "$?"
		check "tmpfs target: identical" cmp "$S/big" "$ROOT/big"
		rm -rf "$S"
	fi
	# Resume from a partial file whose size is not block-aligned.
	head -c 17000001 "$ROOT/big" >"$W/big"
	timeout 60 "$F" -r -o "$W/big" "http://127.0.0.1:$PORT/big" >"$TEST_TMP/resume.out"
	check_eq "resume: exit status" 0 "$?"
	check_eq "resume: 206" 206 "$(grep '^HTTP/' "$TEST_TMP/resume.out" | cut -d' ' -f2)"
	check "resume: complete and identical" cmp "$W/big" "$ROOT/big"
	# -r with an empty partial file: no Range is sent, and the 200 rewrites
	# NAME.part from its start (direct I/O applies, unlike an append).
	rm -f "$W/big"
	: >"$W/big.part"
	timeout 60 "$F" -q -r -o "$W/big" "http://127.0.0.1:$PORT/big"
	check_eq "resume from an empty partial file: exit status" 0 "$?"
	check "resume from an empty partial file: identical" cmp "$W/big" "$ROOT/big"
	stop_httpd
else
	fail "httpd started" "$(head -c 300 "$HTTPD_LOG" 2>/dev/null)"
fi

# A server that announces SIZE bytes, sends CUT of them, then closes
# ("close") or goes quiet ("stall").
cat >"$TEST_TMP/short.py" <<'PY'
import os, socket, sys, threading, time
mode, data, claim, cut, portfile = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(4)
s.settimeout(60)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
body = open(data, "rb").read(cut)
def serve(c):
    c.settimeout(10)
    req = b""
    while b"\r\n\r\n" not in req:
        req += c.recv(4096)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % claim + body)
    if mode == "stall":
        time.sleep(4)
    c.close()
threads = []
for _ in range(2):
    t = threading.Thread(target=serve, args=(s.accept()[0],))
    t.start()
    threads.append(t)
for t in threads:
    t.join()
PY

# short MODE LABEL EXPECTED-STATUS FETCH-ARGS...: two downloads, without and with -r.
short() {
	mode=$1 label=$2 want=$3
	shift 3
	pf="$TEST_TMP/port.$mode"
	cut=$((20 * 1048576 + 777))
	python3 "$TEST_TMP/short.py" "$mode" "$ROOT/big" "$SIZE" "$cut" "$pf" \
		>/dev/null 2>"$TEST_TMP/short.log" </dev/null &
	track_pid $!
	n=0
	while [ ! -s "$pf" ] && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	u="http://127.0.0.1:$(cat "$pf" 2>/dev/null)/big"
	rm -rf "$W"
	mkdir -p "$W"
	printf 'old\n' >"$W/big"
	timeout 30 "$F" -q "$@" -o "$W/big" "$u" 2>"$TEST_TMP/err"
	check_eq "$label: exit status" "$want" "$?"
	check_eq "$label: the old file intact" "old" "$(cat "$W/big")"
	check_eq "$label: no temporary file left" "big" "$(ls -A "$W" | tr '\n' ' ' | sed 's/ $//')"
	check_eq "$label: one stderr line" 1 "$(wc -l <"$TEST_TMP/err")"
	rm -f "$W/big"
	timeout 30 "$F" -q -r "$@" -o "$W/big" "$u" 2>/dev/null
	check_eq "$label, -r: exit status" "$want" "$?"
	check "$label, -r: no file claims success" test ! -e "$W/big"
	head -c "$cut" "$ROOT/big" >"$TEST_TMP/prefix"
	check "$label, -r: the partial file holds exactly the bytes that arrived" \
		cmp "$W/big.part" "$TEST_TMP/prefix"
}

short close "body cut short" 7
short stall "body stalls (-T 1)" 4 -T 1

finish
