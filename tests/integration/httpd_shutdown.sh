#!/bin/sh
# httpd_shutdown.sh: SIGTERM during a slow large download lets it complete,
# stops accepting, exits 0; SIGINT likewise; SIGPIPE never kills the server.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
head -c 16777216 /dev/urandom >"$R/big.bin"
printf 'hello world\n' >"$R/a.txt"
start_httpd "$R" || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

# A slow reader with a small receive buffer: about 4 MB/s, so the 16 MiB
# file takes about 4 s and most of it is still in the server at SIGTERM
# (curl --limit-rate would let the kernel buffers swallow the file at once).
python3 - "$PORT" /big.bin "$T/got.bin" "$T/got.progress" <<'EOF2' 2>"$T/slow.err" &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.settimeout(20)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET " + sys.argv[2].encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while b"\r\n\r\n" not in data:
    b = s.recv(65536)
    if not b:
        sys.exit("no head")
    data += b
head, body = data.split(b"\r\n\r\n", 1)
length = None
for line in head.split(b"\r\n")[1:]:
    k, _, v = line.partition(b":")
    if k.strip().lower() == b"content-length":
        length = int(v)
with open(sys.argv[3], "wb") as f:
    f.write(body)
    got = len(body)
    n = 0
    while True:
        b = s.recv(16384)
        if not b:
            break
        f.write(b)
        got += len(b)
        n += 1
        if n == 40:
            open(sys.argv[4], "w").write("started\n")
        time.sleep(0.004)
sys.exit(0 if length is not None and got == length else "got %d of %s" % (got, length))
EOF2
cpid=$!
track_pid "$cpid"
n=0
while [ ! -s "$T/got.progress" ] && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill -TERM "$HTTPD_PID"
# New connections are refused once shutdown began (the download still runs).
n=0
refused=no
while [ $n -lt 30 ]; do
	if ! lib_port_open 127.0.0.1 "$PORT"; then
		refused=yes
		break
	fi
	sleep 0.1
	n=$((n + 1))
done
if lib_alive "$cpid"; then
	check_eq "after SIGTERM, new connections are refused while a transfer runs" yes "$refused"
else
	skip "after SIGTERM, new connections are refused while a transfer runs" "download ended first"
fi
wait_pid "$cpid" 30
check_eq "download in flight during SIGTERM: the client got every byte" 0 "$WAIT_STATUS"
if cmp -s "$T/got.bin" "$R/big.bin"; then ok "download in flight during SIGTERM: complete and intact"; else
	fail "download in flight during SIGTERM: complete and intact" \
		"got $(stat -c %s "$T/got.bin" 2>/dev/null) of 16777216 bytes; $(head -c 200 "$T/slow.err")"; fi
wait_pid "$HTTPD_PID" 20
check_eq "httpd exits 0 after SIGTERM" 0 "$WAIT_STATUS"

# SIGINT on an idle server.
start_httpd "$R" || { fail "httpd starts again"; finish; }
stop_httpd INT 10
check_eq "httpd exits 0 after SIGINT" 0 "$HTTPD_STATUS"

# SIGTERM with an idle keep-alive connection open: exits promptly anyway.
start_httpd "$R" || { fail "httpd starts again"; finish; }
raw_request -t 6 -T 6 "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" >"$T/idle" &
rpid=$!
track_pid "$rpid"
sleep 0.5
stop_httpd TERM 10
check_eq "SIGTERM with an idle keep-alive connection: exit 0" 0 "$HTTPD_STATUS"
wait_pid "$rpid" 10
check_eq "the idle client got its response before shutdown" 200 "$(status_of "$T/idle")"

# Clients that vanish mid-transfer (EPIPE, ECONNRESET) do not kill the server.
start_httpd "$R" || { fail "httpd starts again"; finish; }
i=0
while [ $i -lt 5 ]; do
	raw_request -t 0.2 -T 0.3 "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n" >/dev/null
	python3 -c 'import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3)
s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
s.recv(1000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()' "$PORT" 2>/dev/null
	i=$((i + 1))
done
if lib_alive "$HTTPD_PID"; then ok "clients closing mid-transfer do not kill httpd (SIGPIPE)"; else
	fail "clients closing mid-transfer do not kill httpd (SIGPIPE)" "$(tail -c 300 "$HTTPD_LOG")"; fi
check_eq "httpd still serves after aborted transfers" 200 "$(hget "$T/after" "$(url /a.txt)")"
hcurl -o "$T/big2" "$(url /big.bin)"
if cmp -s "$T/big2" "$R/big.bin"; then ok "full-speed 16 MiB download intact"; else fail "full-speed 16 MiB download intact"; fi
stop_httpd TERM 10
check_eq "httpd exits 0 at the end" 0 "$HTTPD_STATUS"

finish
