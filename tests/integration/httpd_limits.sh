#!/bin/sh
# httpd_limits.sh: request target (414), header block and field count (431),
# request bodies past the discard bound (413), the connection cap (503).
# Each limit is probed on both sides, so a limit set too low fails too.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
printf 'hello world\n' >"$R/a.txt"
start_httpd "$R" || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

# gen PYTHON-EXPR: writes the bytes of a request built by python to $T/req.
gen() {
	python3 -c "import sys; sys.stdout.buffer.write(($1).encode())" >"$T/req"
}
# send NAME EXPECTED-STATUS [close]: sends $T/req, checks the status list.
send() {
	raw_request -t 3 <"$T/req" >"$T/resp"
	rc=$?
	got=$(status_list "$T/resp" | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" != "$2" ]; then
		fail "$1" "expected '$2', got '$got'"
	elif [ "${3:-}" = close ] && [ "$rc" != 0 ]; then
		fail "$1" "connection not closed after $2"
	elif [ "${3:-}" = close ] && [ "$(header_of "$T/resp" Connection | tr 'A-Z' 'a-z')" != close ]; then
		fail "$1" "$2 without Connection: close"
	else
		ok "$1"
	fi
}

# --- request target: 8 KiB ---
gen '"GET /" + "a" * 9000 + " HTTP/1.1\r\nHost: x\r\n\r\n"'
send "target of 9000 bytes: 414 and close" 414 close
gen '"GET /" + "a" * 20000 + " HTTP/1.1\r\nHost: x\r\n\r\n"'
send "target of 20000 bytes: 414 and close" 414 close
gen '"GET /a.txt?" + "q" * 7900 + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
send "target of 7906 bytes is within the limit: 200" 200
gen '"GET /" + "b" * 7900 + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
send "missing file with a 7900-byte name: 404, not 414" 404

# --- header block: 32 KiB ---
gen '"GET /a.txt HTTP/1.1\r\nHost: x\r\n" + "".join("X-F%d: %s\r\n" % (i, "v" * 900) for i in range(40)) + "\r\n"'
send "36 KiB of header fields: 431 and close" 431 close
gen '"GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Big: " + "v" * 40000 + "\r\n\r\n"'
send "one 40 KiB header field: 431 and close" 431 close
gen '"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + "".join("X-F%d: %s\r\n" % (i, "v" * 900) for i in range(20)) + "\r\n"'
send "18 KiB of header fields is within the limit: 200" 200
gen '"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + "v" * 16000 + "\r\n\r\n"'
send "one 16 KiB header field is within the limit: 200" 200

# --- header field count: 100 ---
gen '"GET /a.txt HTTP/1.1\r\nHost: x\r\n" + "".join("X-F%d: v\r\n" % i for i in range(120)) + "\r\n"'
send "121 header fields: 431 and close" 431 close
gen '"GET /a.txt HTTP/1.1\r\nHost: x\r\n" + "".join("X-F%d: v\r\n" % i for i in range(500)) + "\r\n"'
send "501 header fields: 431 and close" 431 close
gen '"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + "".join("X-F%d: v\r\n" % i for i in range(90)) + "\r\n"'
send "92 header fields is within the limit: 200" 200

# --- request bodies: read and dropped up to 1 MiB, then 413 ---
gen '"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"'
send "Content-Length past the discard bound: 413 and close" 413 close
gen '"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"'
raw_request -t 3 <"$T/req" >"$T/resp"
rc=$?
st=$(status_of "$T/resp")
case "$st" in
400 | 413) [ "$rc" = 0 ] && ok "overflowing Content-Length: $st and close" || fail "overflowing Content-Length" "not closed" ;;
*) fail "overflowing Content-Length: 400 or 413" "got '$st'" ;;
esac
gen '"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + ("10000\r\n" + "z" * 65536 + "\r\n") * 24 + "0\r\n\r\n"'
send "chunked body past the discard bound: 413 and close" 413 close
gen '"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n\r\n" + "z" * 500000 + "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
send "a 500 KB body is drained, the next request answered" "405 200"
check_contains "the request after a drained body gets the file" "$T/resp" "hello world"
gen '"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + ("1000\r\n" + "z" * 4096 + "\r\n") * 100 + "0\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"'
send "a 400 KB chunked body is drained, the next request answered" "405 200"
stop_httpd

# --- the connection cap: -c 2 with one worker ---
start_httpd "$R" -w 1 -c 2 || { fail "httpd -w 1 -c 2 starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }
# Two clients that made a request, read the answer, and stay connected.
python3 - "$PORT" "$T/holders.ready" <<'EOF' >/dev/null 2>&1 &
import socket, sys, time
socks = []
for i in range(2):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3)
    s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    s.settimeout(3)
    got = b""
    while b"hello world" not in got:
        b = s.recv(4096)
        if not b:
            break
        got += b
    socks.append(s)
open(sys.argv[2], "w").write("ready\n")
time.sleep(8)
EOF
holders=$!
track_pid "$holders"
n=0
while [ ! -s "$T/holders.ready" ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
raw_request -t 3 "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" >"$T/c503"
rc=$?
check_eq "connection past -c 2: 503" 503 "$(status_of "$T/c503")"
check_eq "503 closes the connection" 0 "$rc"
check_eq "503 says Connection: close" close "$(header_of "$T/c503" Connection | tr 'A-Z' 'a-z')"
kill "$holders" 2>/dev/null
wait "$holders" 2>/dev/null
# Once the holders are gone, the server accepts again.
n=0
st=""
while [ $n -lt 30 ]; do
	st=$(hcurl -o /dev/null -w '%{http_code}' "$(url /a.txt)" 2>/dev/null)
	[ "$st" = 200 ] && break
	sleep 0.1
	n=$((n + 1))
done
check_eq "after the cap is freed, requests are served again" 200 "$st"

finish
