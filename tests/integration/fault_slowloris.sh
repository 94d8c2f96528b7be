#!/bin/sh
# fault_slowloris.sh: 50 connections trickling header bytes (one byte every
# 0.4 s, which would take ~40 s for the whole head) are all closed by
# --header-timeout 2, while normal requests made throughout are answered
# promptly (each within 1 s).
. "$(dirname "$0")/../lib.sh"

R=$(mkroot site)
printf 'prompt answer\n' >"$R/a.txt"
start_httpd "$R" -w 1 --header-timeout 2 -l off || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

cat >"$TEST_TMP/loris.py" <<'PY'
import socket, sys, time, select
port, n, tout = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
head = b"GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Loris: " + b"a" * 80 + b"\r\n\r\n"
socks, opened, closed_at = [], {}, {}
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    socks.append(s); opened[s] = time.monotonic()
pos = {s: 0 for s in socks}
got_200 = 0
end = time.monotonic() + tout
while time.monotonic() < end and len(closed_at) < n:
    for s in socks:
        if s in closed_at:
            continue
        try:
            if pos[s] < len(head) - 1:  # never send the final byte
                s.send(head[pos[s]:pos[s] + 1]); pos[s] += 1
        except OSError:
            closed_at[s] = time.monotonic()
    live = [s for s in socks if s not in closed_at]
    r, _, _ = select.select(live, [], [], 0.4) if live else ([], [], [])
    for s in r:
        try:
            b = s.recv(4096)
        except OSError:
            b = b""
        if b.startswith(b"HTTP/1.1 200"):
            got_200 += 1
        if not b:
            closed_at[s] = time.monotonic()
    time.sleep(0.4)
lat = [closed_at[s] - opened[s] for s in closed_at]
print("closed %d of %d; max life %.1f s; 200s %d" % (len(closed_at), n, max(lat) if lat else -1, got_200))
PY

timeout 30 python3 "$TEST_TMP/loris.py" "$PORT" 50 12 >"$TEST_TMP/loris.out" 2>&1 &
LORIS=$!
track_pid "$LORIS"
sleep 0.5

# Normal requests during the attack: each must be answered within 1 s.
slow=0 bad=0 i=0
while [ $i -lt 12 ]; do
	r=$(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT/a.txt")
	code=${r% *}
	t=${r#* }
	[ "$code" = 200 ] || bad=$((bad + 1))
	python3 -c "import sys; sys.exit(0 if float('$t' or 9) < 1.0 else 1)" || slow=$((slow + 1))
	sleep 0.4
	i=$((i + 1))
done
check_eq "12 normal requests during the attack all answered 200" 0 "$bad"
check_eq "none of them took 1 s or more" 0 "$slow"

wait_pid "$LORIS" 30
out=$(cat "$TEST_TMP/loris.out")
echo "# slowloris: $out"
case "$out" in
"closed 50 of 50;"*) ok "all 50 trickling connections closed by the server" ;;
*) fail "all 50 trickling connections closed by the server" "$out" ;;
esac
life=$(echo "$out" | sed -n 's/.*max life \([0-9.-]*\) s.*/\1/p')
if python3 -c "import sys; sys.exit(0 if 0 < float('${life:-99}') < 6 else 1)"; then
	ok "each closed within header-timeout + slack (max ${life}s, bound 6 s)"
else
	fail "each closed within header-timeout + slack" "max life ${life}s"
fi
case "$out" in *"200s 0") ok "no trickled request was answered 200" ;; *) fail "no trickled request was answered 200" "$out" ;; esac
check_eq "server still answers after the attack" 200 \
	"$(hcurl -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/a.txt")"
check "httpd still running" lib_alive "$HTTPD_PID"
finish
