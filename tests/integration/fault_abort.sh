#!/bin/sh
# fault_abort.sh: clients that abort mid-download of a large file (closing
# normally, and resetting with SO_LINGER 0) do not disturb a full download
# running at the same time, and leave nothing behind: descriptors return to
# their count before, the server keeps answering.
. "$(dirname "$0")/../lib.sh"

R=$(mkroot site)
# 64 MiB of non-zero, position-dependent bytes (so a misplaced chunk shows).
python3 -c '
import sys
blk = bytes(range(256)) * 4096
with open(sys.argv[1], "wb") as f:
    for i in range(64):
        f.write(bytes([i]) + blk[1:])' "$R/big.bin"
want=$(sha256sum "$R/big.bin" | cut -d' ' -f1)
start_httpd "$R" -w 1 -l off || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }
hcurl -o /dev/null "http://127.0.0.1:$PORT/big.bin" --max-time 20
base=$(ls "/proc/$HTTPD_PID/fd" | wc -l)

cat >"$TEST_TMP/abort.py" <<'PY'
import socket, struct, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
done = 0
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(5)
    s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    got = 0
    while got < 256 * 1024 * (1 + i % 8):
        b = s.recv(65536)
        if not b:
            break
        got += len(b)
    if i % 2:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    s.close()
    done += 1
print("aborted %d" % done)
PY

# A rate-limited full download runs while 40 others abort around it.
curl -s --noproxy '*' --max-time 40 --limit-rate 16M -o "$TEST_TMP/full.bin" \
	"http://127.0.0.1:$PORT/big.bin" &
FULL=$!
track_pid "$FULL"
timeout 40 python3 "$TEST_TMP/abort.py" "$PORT" 40 >"$TEST_TMP/abort.out" 2>&1
check_contains "40 clients aborted mid-download" "$TEST_TMP/abort.out" "aborted 40"
wait_pid "$FULL" 45
check_eq "concurrent full download completed" 0 "$WAIT_STATUS"
check_eq "and its bytes are exact" "$want" "$(sha256sum "$TEST_TMP/full.bin" | cut -d' ' -f1)"

# Nothing leaked: descriptors back to the count before (allow a moment to reap).
n=0
while [ $n -lt 30 ]; do
	now=$(ls "/proc/$HTTPD_PID/fd" | wc -l)
	[ "$now" -le "$base" ] && break
	sleep 0.1
	n=$((n + 1))
done
if [ "$now" -le "$base" ]; then ok "descriptors back to $base after the aborts"; else
	fail "descriptors back to $base after the aborts" "$now open"; fi
check_eq "server still answers a range request" 206 \
	"$(hcurl -o /dev/null -w '%{http_code}' -r 100-199 "http://127.0.0.1:$PORT/big.bin")"
check "httpd alive" lib_alive "$HTTPD_PID"
stop_httpd TERM 10
check_eq "httpd exits 0 on TERM" 0 "$HTTPD_STATUS"
finish
