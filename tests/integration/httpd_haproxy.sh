#!/bin/sh
# Behind a load balancer: --proxy-protocol on its own (v1 and v2 headers from
# a raw client; anything else refused), on a TLS listener (the header before
# the handshake), then HAProxy in front of two httpd
# instances (send-proxy-v2, health checks): the access logs show the real
# client address (the client binds 127.0.0.5; HAProxy's side is 127.0.0.1),
# stopping one instance under load loses no request, and neither does a
# rolling restart (a new httpd on the same port through --reuseport, then
# SIGTERM to the old one).
. "$(dirname "$0")/../lib.sh"

www=$(mkroot www)
echo ok >"$www/health.txt"
head -c 20000 /dev/urandom >"$www/file.bin"
want=$(sha256sum <"$www/file.bin" | cut -d' ' -f1)

# --- --proxy-protocol with a raw client --------------------------------------------
start_httpd "$www" -w 1 --proxy-protocol -l "$TEST_TMP/raw.log" || { fail "httpd starts"; finish; }
raw_request 'PROXY TCP4 198.51.100.7 127.0.0.1 40000 80\r\nGET /health.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >"$TEST_TMP/r1"
check_eq "v1 header, then a request: 200" 200 "$(status_of "$TEST_TMP/r1")"
raw_request -m '|' 'PROXY TCP6 2001:db8::42 ::1 40000 80\r|\nGET /health.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /health.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' -d 0.3 >"$TEST_TMP/r2"
check_eq "v1 header split, two requests after it" "200 200" "$(status_list "$TEST_TMP/r2" | tr '\n' ' ' | sed 's/ $//')"
python3 -c 'import struct, sys
sig = b"\r\n\r\n\x00\r\nQUIT\n"
body = bytes([203, 0, 113, 9, 127, 0, 0, 1]) + struct.pack(">HH", 40001, 80) + b"\x04\x00\x02ab"
sys.stdout.buffer.write(sig + bytes([0x21, 0x11]) + struct.pack(">H", len(body)) + body +
    b"GET /health.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")' | raw_request >"$TEST_TMP/r3"
check_eq "v2 header with a TLV: 200" 200 "$(status_of "$TEST_TMP/r3")"
raw_request 'GET /health.txt HTTP/1.1\r\nHost: x\r\n\r\n' >"$TEST_TMP/r4"
check_eq "a request without the header: closed, no answer" "0:" "$?:$(head -c 20 "$TEST_TMP/r4")"
raw_request 'PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\nGET / HTTP/1.1\r\n\r\n' >"$TEST_TMP/r5"
check_eq "a bad header: closed, no answer" "0:" "$?:$(head -c 20 "$TEST_TMP/r5")"
check_eq "still serving" 200 "$(printf 'PROXY UNKNOWN\r\nGET /health.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw_request | head -n 1 | cut -d' ' -f2)"
stop_httpd TERM 10
check_contains "the log has the v1 address" "$TEST_TMP/raw.log" '198.51.100.7 - - '
check_contains "the log has the v1 IPv6 address" "$TEST_TMP/raw.log" '2001:db8::42 - - '
check_contains "the log has the v2 address" "$TEST_TMP/raw.log" '203.0.113.9 - - '
check_eq "UNKNOWN keeps the socket's address" 1 "$(grep -c '^127.0.0.1 - - ' "$TEST_TMP/raw.log")"

# --- --proxy-protocol on a TLS listener: the header comes before the handshake ------
C=$TEST_TMP/certs
sh "$(dirname "$0")/../tls-certs.sh" "$C" || { fail "test certificates made"; finish; }
start_httpd "$www" -w 1 --proxy-protocol --tls-cert "$C/server.pem" --tls-key "$C/server.key" \
	-l "$TEST_TMP/tls.log" || { fail "httpd starts with TLS and --proxy-protocol"; finish; }
# tls_proxy HEADER [PAUSE]: HEADER in plaintext (its parts split by '|' are sent
# PAUSE seconds apart), then a verified TLS session with one request; prints
# the status line (or the error).
tls_proxy() {
	timeout 15 python3 -c 'import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[3])
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=8)
for i, part in enumerate(sys.argv[2].split("|")):
    if i:
        time.sleep(float(sys.argv[4]))
    s.sendall(part.encode().decode("unicode_escape").encode("latin-1"))
try:
    t = ctx.wrap_socket(s, server_hostname="localhost")
    t.sendall(b"GET /health.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    print(t.recv(4096).split(b"\r\n")[0].decode())
except (OSError, ssl.SSLError) as e:
    print("error:", type(e).__name__)' "$PORT" "$1" "$C/ca.pem" "${2:-0}"
}
check_eq "TLS listener: v1 header, then the handshake and a request" "HTTP/1.1 200 OK" \
	"$(tls_proxy 'PROXY TCP4 198.51.100.8 127.0.0.1 40000 443\r\n')"
check_eq "TLS listener: v2 header, then the handshake and a request" "HTTP/1.1 200 OK" \
	"$(tls_proxy '\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xcb\x00\x71\x0a\x7f\x00\x00\x01\x9c\x42\x01\xbb')"
# A header that arrives in two parts: the partial one waits in the socket
# (peeked, not read), which must not wake the worker again and again.
cpu() { awk '{print $14 + $15}' "/proc/$HTTPD_PID/stat"; }
tls_proxy 'PROXY TCP4 198.51.100.9 127.0.0.1 40000 443|\r\n' 2.5 >"$TEST_TMP/split" &
split_pid=$!
sleep 0.4
before=$(cpu)
sleep 1.5
spent=$(($(cpu) - before))
wait "$split_pid"
check_eq "TLS listener: a header in two parts, then the handshake" "HTTP/1.1 200 OK" "$(cat "$TEST_TMP/split")"
# A worker woken for it without end would burn all of those 1.5 s (150 ticks).
check "waiting for the rest of a header costs no CPU (spent $spent ticks in 1.5 s)" test "$spent" -lt 25
# Closed with the ClientHello unread: an EOF or a reset, never an answer.
check_eq "TLS listener: a handshake without the header is refused" "error:" \
	"$(tls_proxy '' | cut -d' ' -f1)"
stop_httpd TERM 10
check_contains "the TLS log has the v1 address" "$TEST_TMP/tls.log" '198.51.100.8 - - '
check_contains "the TLS log has the v2 address" "$TEST_TMP/tls.log" '203.0.113.10 - - '
check_contains "the TLS log has the split header's address" "$TEST_TMP/tls.log" '198.51.100.9 - - '

if ! command -v haproxy >/dev/null 2>&1; then
	fail "haproxy is installed (make deps installs it)"
	finish
fi

# --- two instances behind HAProxy ----------------------------------------------------
# start_one NAME PORT: httpd on 127.0.0.1:PORT, sharing it through --reuseport.
start_one() {
	"$BIN/httpd" -p "$2" -b 127.0.0.1 -w 1 --proxy-protocol --reuseport \
		-l "$TEST_TMP/$1.access" "$www" >"$TEST_TMP/$1.out" 2>"$TEST_TMP/httpd.$1.log" </dev/null &
	eval "PID_$1=\$!"
	track_pid "$!"
	n=0
	while [ $n -lt 50 ] && ! grep -q serving "$TEST_TMP/$1.out"; do sleep 0.1; n=$((n + 1)); done
}
P1=$(free_port)
P2=$(free_port)
HP=$(free_port)
start_one a "$P1"
start_one b "$P2"
cat >"$TEST_TMP/haproxy.cfg" <<CFG
global
	maxconn 512
defaults
	mode http
	timeout connect 2s
	timeout client 10s
	timeout server 10s
	timeout check 1s
	retries 3
	option redispatch 1
	retry-on conn-failure empty-response response-timeout
	option http-server-close
frontend fe
	bind 127.0.0.1:$HP
	default_backend be
backend be
	balance roundrobin
	option httpchk GET /health.txt
	http-check expect status 200
	server a 127.0.0.1:$P1 send-proxy-v2 check check-send-proxy inter 200ms fall 1 rise 1
	server b 127.0.0.1:$P2 send-proxy-v2 check check-send-proxy inter 200ms fall 1 rise 1
CFG
haproxy -c -q -f "$TEST_TMP/haproxy.cfg" >"$TEST_TMP/haproxy.check" 2>&1
check_eq "haproxy accepts the configuration" 0 "$?"
haproxy -db -f "$TEST_TMP/haproxy.cfg" >"$TEST_TMP/haproxy.out" 2>&1 </dev/null &
HAPROXY_PID=$!
track_pid "$HAPROXY_PID"
# Both instances up: each has answered a health check.
n=0
while [ $n -lt 50 ] && ! { grep -q health "$TEST_TMP/a.access" 2>/dev/null &&
	grep -q health "$TEST_TMP/b.access" 2>/dev/null; }; do
	sleep 0.2
	n=$((n + 1))
done
check "health checks reached both instances (PROXY v2 LOCAL)" \
	sh -c "grep -q 'GET /health.txt' '$TEST_TMP/a.access' && grep -q 'GET /health.txt' '$TEST_TMP/b.access'"

got=""
for i in 1 2 3 4; do
	got="$got$(hcurl --interface 127.0.0.5 "http://127.0.0.1:$HP/file.bin" | sha256sum | cut -d' ' -f1 | head -c 8)."
done
w=$(echo "$want" | head -c 8)
check_eq "through HAProxy: the file, four times" "$w.$w.$w.$w." "$got"
sleep 0.3 # the logs are flushed once per loop turn
check_contains "instance a logged the real client" "$TEST_TMP/a.access" '127.0.0.5 - - '
check_contains "instance b logged the real client" "$TEST_TMP/b.access" '127.0.0.5 - - '
if grep 'GET /file.bin' "$TEST_TMP/a.access" "$TEST_TMP/b.access" | grep -qv '127.0.0.5 - - '; then
	fail "every proxied request carries 127.0.0.5" "$(grep 'GET /file.bin' "$TEST_TMP"/*.access | head -3)"
else
	ok "every proxied request carries 127.0.0.5"
fi

# load SECONDS OUT: 4 clients, each a new connection per request, through HAProxy.
load() {
	python3 - "$HP" "$1" "$want" >"$2" 2>&1 <<'PY' &
import hashlib, http.client, sys, threading, time
port, secs, want = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
end = time.monotonic() + secs
counts = {"ok": 0, "bad": 0}
lock = threading.Lock()
errors = []
def client():
    while time.monotonic() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/file.bin", headers={"Connection": "close"})
            r = c.getresponse()
            body = r.read()
            good = r.status == 200 and hashlib.sha256(body).hexdigest() == want
            c.close()
        except Exception as e:
            good = False
            errors.append(repr(e))
        with lock:
            counts["ok" if good else "bad"] += 1
ts = [threading.Thread(target=client) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print("%d %d %s" % (counts["ok"], counts["bad"], "; ".join(errors[:3])))
PY
	LOAD_PID=$!
}

# --- stopping one instance under load --------------------------------------------------
load 4 "$TEST_TMP/load1"
sleep 1.5
kill -TERM "$PID_a"
wait_pid "$PID_a" 15
check_eq "instance a stops gracefully under load" 0 "$WAIT_STATUS"
wait_pid "$LOAD_PID" 60
set -- $(cat "$TEST_TMP/load1")
echo "# stop under load: $1 answered, $2 lost"
check "requests went through during the stop" test "${1:-0}" -gt 20
check_eq "stopping one instance lost no request" 0 "${2:-x}"

# --- rolling restart of b on its port ---------------------------------------------------
before=$(grep -c 'GET /file.bin' "$TEST_TMP/b.access")
load 5 "$TEST_TMP/load2"
sleep 1.5
start_one b2 "$P2"
check_contains "the new b shares the port" "$TEST_TMP/b2.out" ":$P2/"
sleep 0.5
kill -TERM "$PID_b"
wait_pid "$PID_b" 15
check_eq "the old b stops gracefully" 0 "$WAIT_STATUS"
wait_pid "$LOAD_PID" 60
set -- $(cat "$TEST_TMP/load2")
echo "# rolling restart under load: $1 answered, $2 lost"
check "requests went through during the restart" test "${1:-0}" -gt 20
check_eq "the rolling restart lost no request" 0 "${2:-x}"
check "the new b answered requests" grep -q 'GET /file.bin' "$TEST_TMP/b2.access"
check "the old b had answered requests" test "$before" -gt 0
kill -TERM "$HAPROXY_PID"
wait_pid "$HAPROXY_PID" 10
finish
