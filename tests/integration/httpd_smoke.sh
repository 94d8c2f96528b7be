#!/bin/sh
# httpd_smoke.sh: the event loop itself: keep-alive reuse, deep pipelining
# with file bodies in order, a head split into single bytes, the access log
# (format, SIGHUP reopen), descriptor exhaustion without spinning, several
# workers and their graceful stop.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
printf 'hello world\n' >"$R/a.txt"
head -c 300000 /dev/urandom >"$R/big.bin"
head -c 1000 /dev/urandom >"$R/k.bin"

start_httpd "$R" -w 1 -l "$T/access.log" || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

# --- keep-alive: curl reuses one connection for two URLs
hcurl -v -o /dev/null -o /dev/null "$(url /a.txt)" "$(url /a.txt)" 2>"$T/ka.err"
check_contains "keep-alive: second request reuses the connection" "$T/ka.err" "Re-using existing connection"

# --- 40 pipelined requests in one write, file bodies among them, answered in order
python3 - "$PORT" "$R" >"$T/pipe.out" <<'EOF'
import socket, sys
port, root = int(sys.argv[1]), sys.argv[2]
names = ["a.txt", "big.bin", "k.bin", "missing"] * 10
req = b"".join(b"GET /%s HTTP/1.1\r\nHost: x\r\n\r\n" % n.encode() for n in names)
req = req[:-2] + b"\r\n"
s = socket.create_connection(("127.0.0.1", port), 5)
s.sendall(req + b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
s.settimeout(10)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
files = {n: open("%s/%s" % (root, n), "rb").read() for n in ["a.txt", "big.bin", "k.bin"]}
pos, bad = 0, 0
for n in names + ["a.txt"]:
    end = data.index(b"\r\n\r\n", pos)
    head = data[pos:end].decode("latin-1").split("\r\n")
    length = [int(l.split(":")[1]) for l in head if l.lower().startswith("content-length:")][0]
    body = data[end + 4:end + 4 + length]
    want = b"200" if n in files else b"404"
    if want.decode() not in head[0] or (n in files and body != files[n]):
        bad += 1
    pos = end + 4 + length
print("bad=%d rest=%d" % (bad, len(data) - pos))
EOF
check_eq "41 pipelined requests (300 KB files among them): all in order, bodies exact" \
	"bad=0 rest=0" "$(cat "$T/pipe.out")"

# --- a head arriving one byte per write
raw_request -s 1 -t 3 "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >"$T/bytes"
check_eq "a head split into single bytes is answered" 200 "$(status_of "$T/bytes")"
check_contains "...with the file's body" "$T/bytes" "hello world"

# --- Expect: 100-continue gets a final answer at once and a close
raw_request -t 3 "PUT /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n" >"$T/expect"
check_eq "Expect: 100-continue: a final status without the body" 405 "$(status_of "$T/expect")"
check_eq "Expect: 100-continue: Connection: close" close "$(header_of "$T/expect" Connection)"

# --- access log: Combined Log Format with escaping, flushed every loop turn
hcurl -o /dev/null -A 'agent "quoted"' -e 'http://ref/' "$(url '/a.txt?q=1')"
sleep 0.3
line=$(grep -F 'GET /a.txt?q=1 ' "$T/access.log" | tail -n 1)
case "$line" in
'127.0.0.1 - - ['*'] "GET /a.txt?q=1 HTTP/1.1" 200 12 "http://ref/" "agent \x22quoted\x22"') ok "access log: combined format, quotes escaped" ;;
*) fail "access log: combined format, quotes escaped" "got: $line" ;;
esac
raw_request -t 2 "BAD\x01REQUEST\r\n\r\n" >/dev/null
sleep 0.3
check_contains "access log: an unparsable request line is logged escaped" "$T/access.log" '"BAD\x01REQUEST" 400'

# --- SIGHUP reopens the log (rotation)
mv "$T/access.log" "$T/access.log.1"
kill -HUP "$HTTPD_PID"
sleep 0.3
hcurl -o /dev/null "$(url /a.txt?after-hup)"
sleep 0.3
check_contains "SIGHUP: new lines go to a new file" "$T/access.log" "after-hup"
check_lacks "SIGHUP: not to the rotated one" "$T/access.log.1" "after-hup"
stop_httpd TERM 10
check_eq "one worker: SIGTERM exits 0" 0 "$HTTPD_STATUS"

# --- descriptor exhaustion: no busy loop, serving resumes when clients leave
mkdir -p "$T/wrap"
cat >"$T/wrap/httpd" <<EOF
#!/bin/sh
ulimit -n 24
exec "$BIN/httpd" "\$@"
EOF
chmod +x "$T/wrap/httpd"
REAL_BIN=$BIN
BIN=$T/wrap
start_httpd "$R" -w 1 -l off || { fail "httpd starts under ulimit -n 24"; finish; }
BIN=$REAL_BIN
python3 - "$PORT" "$HTTPD_PID" >"$T/emfile.out" <<'EOF' &
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def cpu():
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / 100.0
socks = []
for i in range(60):
    try:
        s = socket.create_connection(("127.0.0.1", port), 2)
        s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(s)
    except OSError:
        pass
time.sleep(0.5)
c0 = cpu()
time.sleep(2)
c1 = cpu()
print("cpu %.2f" % (c1 - c0))
for s in socks:
    s.close()
EOF
epid=$!
track_pid "$epid"
wait_pid "$epid" 20
cpu=$(sed -n 's/^cpu //p' "$T/emfile.out")
if [ -n "$cpu" ] && python3 -c "import sys; sys.exit(0 if $cpu < 0.5 else 1)"; then
	ok "EMFILE: no busy loop while out of descriptors (${cpu}s CPU in 2 s)"
else
	fail "EMFILE: no busy loop while out of descriptors" "cpu '$cpu'"
fi
sleep 1.5
check_eq "EMFILE: serves again once clients closed" 200 "$(hget "$T/em" "$(url /a.txt)")"
stop_httpd TERM 10
check_eq "EMFILE: SIGTERM exits 0" 0 "$HTTPD_STATUS"

# --- several workers: all serve, all stop on SIGTERM
start_httpd "$R" -w 3 -l off || { fail "httpd -w 3 starts"; finish; }
n=0
okc=0
while [ $n -lt 30 ]; do
	[ "$(hget "$T/w$n" "$(url /a.txt)")" = 200 ] && okc=$((okc + 1))
	n=$((n + 1))
done
check_eq "-w 3: 30 requests on fresh connections all answered" 30 "$okc"
workers=$(ps -o pid= --ppid "$HTTPD_PID" | wc -l)
check_eq "-w 3: three worker processes" 3 "$workers"
stop_httpd TERM 10
check_eq "-w 3: SIGTERM exits 0" 0 "$HTTPD_STATUS"
if ps -o pid= --ppid "$HTTPD_PID" 2>/dev/null | grep -q .; then fail "-w 3: no worker left behind"; else
	ok "-w 3: no worker left behind"; fi

finish
