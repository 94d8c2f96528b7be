#!/bin/sh
# fault_manyconns.sh: 2,000 simultaneous keep-alive connections, each
# answered, held open together, then all closed: the server's RSS returns
# near where it started (within 8 MiB, and to at most a quarter of the growth
# the connections caused) and its descriptors are released.
. "$(dirname "$0")/../lib.sh"

N=2000
ulimit -n 8192 2>/dev/null || ulimit -n 4096 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((N + 100)) ]; then
	skip "2,000 connections" "cannot raise ulimit -n to $((N + 100)) (have $(ulimit -n))"
	finish
fi
R=$(mkroot site)
python3 -c 'import sys; open(sys.argv[1], "wb").write(b"x" * 20000)' "$R/page.html"
start_httpd "$R" -w 1 -l off --timeout 60 --header-timeout 60 ||
	{ fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}
# Warm up: the first requests allocate what every later request reuses.
i=0
while [ $i -lt 20 ]; do hcurl -o /dev/null "http://127.0.0.1:$PORT/page.html"; i=$((i + 1)); done
start=$(rss_kib "$HTTPD_PID")
fd0=$(ls "/proc/$HTTPD_PID/fd" | wc -l)

mkfifo "$TEST_TMP/go"
cat >"$TEST_TMP/many.py" <<'PY'
import selectors, socket, sys, time
port, n, fifo = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), 5)
    socks.append(s)
req = b"GET /page.html HTTP/1.1\r\nHost: x\r\n\r\n"
for s in socks:
    s.sendall(req)
# Read every response completely (head + 20000 bytes).
bufs = {s: b"" for s in socks}
ok = 0
deadline = time.monotonic() + 30
pending = set(socks)
sel = selectors.DefaultSelector()  # epoll: select() stops at descriptor 1024
for s in socks:
    sel.register(s, selectors.EVENT_READ)
while pending and time.monotonic() < deadline:
    for key, _ in sel.select(1):
        s = key.fileobj
        b = s.recv(65536)
        if not b:
            sel.unregister(s); pending.discard(s); continue
        bufs[s] += b
        h = bufs[s].find(b"\r\n\r\n")
        if h >= 0 and len(bufs[s]) - h - 4 >= 20000:
            if bufs[s].startswith(b"HTTP/1.1 200"):
                ok += 1
            sel.unregister(s); pending.discard(s); bufs[s] = b""
print("answered %d" % ok, flush=True)
open(fifo).read()  # hold every connection open until told to close
for s in socks:
    s.close()
print("closed", flush=True)
PY
python3 "$TEST_TMP/many.py" "$PORT" $N "$TEST_TMP/go" >"$TEST_TMP/many.out" 2>&1 &
MANY=$!
track_pid "$MANY"
n=0
while ! grep -q answered "$TEST_TMP/many.out" && [ $n -lt 400 ] && lib_alive "$MANY"; do
	sleep 0.1
	n=$((n + 1))
done
check_contains "all $N connections open at once and answered" "$TEST_TMP/many.out" "answered $N"
peak=$(rss_kib "$HTTPD_PID")
fdp=$(ls "/proc/$HTTPD_PID/fd" | wc -l)
echo "# RSS start ${start} KiB, with $N connections ${peak} KiB; descriptors $fd0 -> $fdp"
if [ "$fdp" -ge $((fd0 + N)) ]; then ok "server held $N connections at once"; else
	fail "server held $N connections at once" "$fdp descriptors"; fi
lib_alive "$MANY" && timeout 5 sh -c 'echo go >"$1"' sh "$TEST_TMP/go"
wait_pid "$MANY" 20

# Give the server a moment to see every close.
n=0
while [ $n -lt 50 ]; do
	fdn=$(ls "/proc/$HTTPD_PID/fd" | wc -l)
	[ "$fdn" -le "$fd0" ] && break
	sleep 0.1
	n=$((n + 1))
done
after=$(rss_kib "$HTTPD_PID")
echo "# RSS after closing: ${after} KiB; descriptors $fdn"
check_eq "descriptors back to $fd0" "$fd0" "$fdn"
growth=$((peak - start))
back=$((after - start))
if [ "$back" -le 8192 ] && [ "$back" -le $((growth / 4 + 512)) ]; then
	ok "RSS returned near its start (+${back} KiB of a +${growth} KiB peak)"
else
	fail "RSS returned near its start" "start $start, peak $peak, after $after KiB"
fi
check_eq "still answers" 200 "$(hcurl -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/page.html")"
stop_httpd TERM 10
check_eq "httpd exits 0 on TERM" 0 "$HTTPD_STATUS"
finish
