#!/bin/sh
# fault_garbage.sh: the whole server (loop, parser, checks, planner, sender)
# under a stream of mutated requests for GARBAGE_SECONDS (default 15): valid
# requests with bytes flipped, inserted (CR, LF, NUL, SP, ':', '%'), cut,
# duplicated and pipelined, sent in random pieces. Every answer must be a
# well-formed HTTP/1.1 status line, never 500; afterwards the server is alive,
# answers correctly and printed no sanitizer report (run under `make asan` this
# is a network fuzzer for the ASan build). The random seed is printed, and
# GARBAGE_SEED replays a run.
. "$(dirname "$0")/../lib.sh"

R=$(mkroot site)
printf 'hello\n' >"$R/a.txt"
mkdir -p "$R/dir" "$R/sp ace"
printf 'x' >"$R/dir/f"
head -c 100000 /dev/zero >"$R/big.bin"
start_httpd "$R" -w 1 -l off --header-timeout 2 --timeout 2 ||
	{ fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }
SEED=${GARBAGE_SEED:-$(date +%s)}
echo "# seed $SEED (GARBAGE_SEED=$SEED replays this run)"

cat >"$TEST_TMP/garbage.py" <<'PY'
import random, re, select, socket, sys, time
port, seed, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
rnd = random.Random(seed)
BASE = [
    b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HEAD /dir/ HTTP/1.1\r\nHost: x\r\nRange: bytes=0-0\r\n\r\n",
    b"GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=10-20,30-\r\nIf-Range: \"x\"\r\n\r\n",
    b"GET /sp%20ace/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"PUT /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET http://x/dir HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n",
    b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
]
INS = [b"\r", b"\n", b"\0", b" ", b":", b"%", b"\r\n", b"\t", b",", b"-", b"9" * 20, b"\xff", b"/..", b"%00"]

def mutate(b):
    b = bytearray(b)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(6)
        i = rnd.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] = rnd.randrange(256)
        elif op == 1:
            b[i:i] = rnd.choice(INS)
        elif op == 2 and b:
            del b[i:i + rnd.randint(1, 8)]
        elif op == 3:
            j = rnd.randrange(len(b) + 1)
            b[i:i] = b[min(i, j):max(i, j)][:200]
        elif op == 4:
            b += rnd.choice(BASE)
        else:
            b[i:i] = b"X-" + bytes(rnd.randrange(97, 123) for _ in range(5)) + b": " + b"v" * rnd.choice([1, 100, 5000]) + b"\r\n"
    return bytes(b)

status = re.compile(rb"HTTP/1\.1 [1-5][0-9][0-9] ")
n = bad = s500 = 0
end = time.monotonic() + secs
while time.monotonic() < end:
    req = mutate(rnd.choice(BASE)) if rnd.random() < 0.9 else rnd.choice(BASE)
    try:
        s = socket.create_connection(("127.0.0.1", port), 2)
    except OSError as e:
        print("connect failed: %s" % e); bad += 1; break
    try:
        pos = 0
        while pos < len(req):
            k = rnd.choice([1, 7, 64, len(req)])
            s.sendall(req[pos:pos + k]); pos += k
        if rnd.random() < 0.3:
            s.shutdown(socket.SHUT_WR)
        got = b""
        t_end = time.monotonic() + 3
        while time.monotonic() < t_end:
            # An answer comes fast; once some arrived, a short pause means the
            # server is done with it and keeps the connection open.
            r, _, _ = select.select([s], [], [], 0.05 if got else 0.5)
            if not r:
                break
            b = s.recv(65536)
            if not b:
                break
            got += b
    except OSError:
        got = got if "got" in dir() else b""
    s.close()
    n += 1
    if got and not status.match(got):
        bad += 1
        if bad <= 5:
            print("malformed answer to %r: %r" % (req[:120], got[:120]))
    if b"HTTP/1.1 500" in got:
        s500 += 1
        if s500 <= 5:
            print("500 for %r" % req[:200])
print("garbage: %d connections, %d malformed answers, %d answered 500" % (n, bad, s500))
PY
timeout $(( ${GARBAGE_SECONDS:-15} + 30 )) python3 "$TEST_TMP/garbage.py" "$PORT" "$SEED" "${GARBAGE_SECONDS:-15}" \
	>"$TEST_TMP/g.out" 2>&1
sed 's/^/# /' "$TEST_TMP/g.out" | tail -n 12
check_contains "every answer was a well-formed status line, none 500" "$TEST_TMP/g.out" \
	"malformed answers, 0 answered 500"
check_lacks "no malformed answers" "$TEST_TMP/g.out" "malformed answer to"
n=$(sed -n 's/^garbage: \([0-9]*\) connections.*/\1/p' "$TEST_TMP/g.out")
if [ "${n:-0}" -ge 100 ]; then ok "$n mutated connections sent"; else fail "mutated connections sent" "${n:-0}"; fi
check "httpd alive after the garbage" lib_alive "$HTTPD_PID"
check_eq "and still answers correctly" "hello" "$(hcurl "http://127.0.0.1:$PORT/a.txt")"
stop_httpd TERM 10
check_eq "httpd exits 0 on TERM" 0 "$HTTPD_STATUS"
check_lacks "no sanitizer report on httpd's stderr" "$HTTPD_LOG" "Sanitizer"
check_lacks "no UBSan runtime error on httpd's stderr" "$HTTPD_LOG" "runtime error"
finish
