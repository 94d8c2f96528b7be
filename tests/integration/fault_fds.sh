#!/bin/sh
# fault_fds.sh: descriptor exhaustion. httpd runs under `ulimit -n 40` (one
# worker); 120 clients connect and hold their connections open, more than it
# has descriptors. While they hold, httpd must not spin the CPU (EMFILE on
# accept is not a busy loop); once they close, it serves again promptly.
. "$(dirname "$0")/../lib.sh"

R=$(mkroot site)
printf 'still serving\n' >"$R/a.txt"
mkdir -p "$TEST_TMP/wbin"
cat >"$TEST_TMP/wbin/httpd" <<EOF2
#!/bin/sh
ulimit -n 40 || exit 1
exec "$BIN/httpd" "\$@"
EOF2
chmod +x "$TEST_TMP/wbin/httpd"
REAL_BIN=$BIN
BIN=$TEST_TMP/wbin start_httpd "$R" -w 1 -l off --header-timeout 30 --timeout 30 ||
	{ fail "httpd starts under ulimit -n 40" "$(head -c 300 "$HTTPD_LOG")"; finish; }
BIN=$REAL_BIN
lim=$(sed -n 's/^Max open files *\([0-9]*\).*/\1/p' "/proc/$HTTPD_PID/limits")
check_eq "httpd runs with a 40-descriptor limit" 40 "$lim"

# cpu_ticks PID: user+system clock ticks used so far (all threads).
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

cat >"$TEST_TMP/hold.py" <<'PY'
import socket, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), 2)
        # Keep-alive requests: accepted ones are answered and then held idle.
        s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(s)
    except OSError:
        pass
print("connected %d" % len(socks), flush=True)
time.sleep(hold)
for s in socks:
    s.close()
print("closed", flush=True)
PY
python3 "$TEST_TMP/hold.py" "$PORT" 120 5 >"$TEST_TMP/hold.out" 2>&1 &
HOLD=$!
track_pid "$HOLD"
sleep 1.5
t0=$(cpu_ticks "$HTTPD_PID")
sleep 3
t1=$(cpu_ticks "$HTTPD_PID")
hz=$(getconf CLK_TCK)
used=$((t1 - t0))
echo "# httpd CPU over 3 s while exhausted: $used ticks (CLK_TCK $hz); $(head -n 1 "$TEST_TMP/hold.out")"
if [ "$used" -lt $((hz * 3 / 10)) ]; then
	ok "no busy loop while out of descriptors (<10% CPU)"
else
	fail "no busy loop while out of descriptors" "$used ticks in 3 s"
fi
check "httpd alive while out of descriptors" lib_alive "$HTTPD_PID"
wait_pid "$HOLD" 15

# Served again once the clients closed: within a few seconds at most.
code="" n=0
while [ $n -lt 20 ]; do
	code=$(curl -s --noproxy '*' --max-time 1 -o "$TEST_TMP/body" -w '%{http_code}' "http://127.0.0.1:$PORT/a.txt")
	[ "$code" = 200 ] && break
	sleep 0.25
	n=$((n + 1))
done
check_eq "served again after the clients closed" 200 "$code"
check_contains "with the right body" "$TEST_TMP/body" "still serving"
# And keeps serving: 50 sequential requests all succeed.
good=0 i=0
while [ $i -lt 50 ]; do
	[ "$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/a.txt")" = 200 ] &&
		good=$((good + 1))
	i=$((i + 1))
done
check_eq "50 requests after recovery all answered" 50 "$good"
nfd=$(ls "/proc/$HTTPD_PID/fd" 2>/dev/null | wc -l)
if [ "$nfd" -lt 20 ]; then ok "descriptors released ($nfd open)"; else fail "descriptors released" "$nfd open"; fi
stop_httpd TERM 10
check_eq "httpd exits 0 on TERM" 0 "$HTTPD_STATUS"
finish
