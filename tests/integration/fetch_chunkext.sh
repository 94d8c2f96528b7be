#!/bin/sh
# fetch_chunkext.sh: fetch downloads chunked bodies whose chunks carry valid
# extensions (RFC 9112 7.1.1), "5;a=b;c" and '5;a=b;c="d"' among them, which
# Debian's llhttp 8.1.0 refuses on its own (issue 10, fetch 9); a malformed
# or oversized extension still fails (exit 7) and leaves no file. A raw
# server: the bytes on the wire are exactly those written here.
. "$(dirname "$0")/../lib.sh"

F="$BIN/fetch"
W="$TEST_TMP/work"
mkdir -p "$W"
PF="$TEST_TMP/port"

python3 - "$PF" <<'PYEOF' >/dev/null 2>"$TEST_TMP/server.log" &
import socket, sys
HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
BODIES = {
    b"/ext": b"5;a=b;c\r\nhello\r\n"
             b"6;a=b;c=\"d\"\r\n world\r\n"
             b"1 ; x = \"q\\\"; \\\\\" ;y\r\n!\r\n"
             b"2;tok=v-1.2;e\r\n:)\r\n"
             b"0;last=\"x\"\r\nX-Trailer: t\r\n\r\n",
    b"/badext": b"5;a=\r\nhello\r\n0\r\n\r\n",
    b"/bigext": b"5;" + b"a=b;" * 400 + b"c\r\nhello\r\n0\r\n\r\n",
}
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(60)
while True:
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    c.settimeout(5)
    req = b""
    while b"\r\n\r\n" not in req:
        got = c.recv(4096)
        if not got:
            break
        req += got
    path = req.split(b" ")[1] if req.count(b" ") >= 2 else b"/"
    c.sendall(HEAD + BODIES.get(path, b"0\r\n\r\n"))
    c.close()
PYEOF
track_pid $!
n=0
while [ ! -s "$PF" ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ -s "$PF" ] || { fail "raw server started" "$(head -c 300 "$TEST_TMP/server.log")"; finish; }
U="http://127.0.0.1:$(cat "$PF")"

(cd "$W" && "$F" -q -T 5 -o got.txt "$U/ext") 2>"$TEST_TMP/err"
check_eq "valid chunk extensions: exit 0" 0 "$?"
check_eq "valid chunk extensions: the body, extensions and trailer dropped" \
	"hello world!:)" "$(cat "$W/got.txt" 2>/dev/null)"

for bad in badext bigext; do
	(cd "$W" && "$F" -q -T 5 -o "$bad.txt" "$U/$bad") 2>"$TEST_TMP/err"
	check_eq "$bad: exit 7 (protocol error)" 7 "$?"
	check "$bad: no file" test ! -e "$W/$bad.txt"
done
check_eq "nothing left in the folder but the good file" "got.txt" "$(cd "$W" && ls -A | tr '\n' ' ' | sed 's/ $//')"

finish
