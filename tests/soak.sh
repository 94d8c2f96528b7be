#!/bin/sh
# make soak: a bounded mixed load (SOAK_SECONDS, default 60) against the ASan +
# UBSan httpd (BIN=build/asan/bin, built by `make soak`), two workers:
#   - wrk, keep-alive, cycling plain, Range and conditional GETs;
#   - wrk with "Connection: close" (a new connection per request);
#   - a checking client (python) verifying every Range body and every 304.
# Passes when: no wrk socket error or non-2xx/3xx answer, no wrong answer seen
# by the checker, no sanitizer report (ASan, UBSan, LeakSanitizer at exit),
# httpd exits 0 on TERM, and its RSS (all processes) at the end is within
# max(4 MiB, 10%) of its RSS at the 10th second.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BIN:=$here/../build/asan/bin}"
export BIN
. "$here/lib.sh"

SECS=${SOAK_SECONDS:-60}
[ "$SECS" -ge 15 ] || SECS=15
# wrk is needed here only: installed on demand, as make deps does for the rest.
if ! command -v wrk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
	s=""; [ "$(id -u)" = 0 ] || s="sudo -n"
	echo "# soak: installing wrk"
	DEBIAN_FRONTEND=noninteractive $s apt-get install -y -q wrk >/dev/null 2>&1 ||
		{ $s apt-get update -q >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive $s apt-get install -y -q wrk >/dev/null 2>&1; }
fi
command -v wrk >/dev/null 2>&1 || { fail "wrk is installed (apt-get install wrk)"; finish; }
if ! nm "$BIN/httpd" 2>/dev/null | grep -q __asan_init; then
	echo "# note: $BIN/httpd is not an ASan build; sanitizer checks are vacuous"
fi

R=$(mkroot site)
cp -R "$here/../www/." "$R/"
python3 -c '
import os, sys
r = sys.argv[1]
open(os.path.join(r, "small.html"), "wb").write(b"<p>" + b"s" * 1000 + b"</p>\n")
open(os.path.join(r, "mid.bin"), "wb").write(bytes((i * 31 + 7) & 255 for i in range(262144)))
with open(os.path.join(r, "big.bin"), "wb") as f:
    f.write(bytes((i * 17) & 255 for i in range(1 << 20)) * 8)' "$R"

SAN=$TEST_TMP/san
mkdir -p "$SAN"
# A smaller quarantine than ASan's 256 MiB default, so freed memory held for
# use-after-free detection plateaus within the first seconds and RSS growth
# after the 10th second means a real leak or unbounded growth.
# The access log is written (that code runs) to /dev/null: 60 s of load would
# make a file of several hundred MB.
ASAN_OPTIONS="detect_leaks=1:log_path=$SAN/asan:quarantine_size_mb=16:abort_on_error=0"
UBSAN_OPTIONS="print_stacktrace=1:log_path=$SAN/ubsan"
LSAN_OPTIONS="log_path=$SAN/lsan"
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
start_httpd "$R" -w 2 -l /dev/null --timeout 10 ||
	{ fail "ASan httpd starts" "$(head -c 400 "$HTTPD_LOG")"; finish; }
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
U="http://127.0.0.1:$PORT"
ETAG=$(hcurl -sI "$U/mid.bin" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')
LM=$(hcurl -sI "$U/small.html" | tr -d '\r' | sed -n 's/^[Ll]ast-[Mm]odified: *//p')
[ -n "$ETAG" ] && ok "mid.bin has an ETag ($ETAG)" || fail "mid.bin has an ETag"

# wrk script: a fixed cycle of request shapes, so every kind recurs all the time.
# No HEAD here: wrk's parser would wait for the body a HEAD answer announces
# (the checker sends HEAD instead).
ESC_ETAG=$(printf '%s' "$ETAG" | sed 's/\\/\\\\/g; s/"/\\"/g')
# (Built in init(): at the top level wrk.headers has no Host yet.)
cat >"$TEST_TMP/mix.lua" <<LUA
local reqs = {}
local i = 0
init = function(args)
  reqs = {
  wrk.format("GET", "/small.html"),
  wrk.format("GET", "/mid.bin"),
  wrk.format("GET", "/mid.bin", { ["Range"] = "bytes=1000-8999" }),
  wrk.format("GET", "/mid.bin", { ["Range"] = "bytes=-4096" }),
  wrk.format("GET", "/mid.bin", { ["If-None-Match"] = "$ESC_ETAG" }),
  wrk.format("GET", "/small.html", { ["If-Modified-Since"] = "$LM" }),
  wrk.format("GET", "/big.bin", { ["Range"] = "bytes=4194304-4259839" }),
  wrk.format("GET", "/"),
  wrk.format("GET", "/notes/"),
  wrk.format("GET", "/css/style.css", { ["Accept-Encoding"] = "gzip" }),
  }
end
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
LUA

cat >"$TEST_TMP/checker.py" <<'PY'
import http.client, random, sys, time
port, secs, etag, root = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
data = open(root + "/mid.bin", "rb").read()
big = open(root + "/big.bin", "rb").read()
end = time.monotonic() + secs
n = bad = 0
rnd = random.Random(1)
conn = None
while time.monotonic() < end:
    try:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        kind = n % 5
        if kind == 0:
            a = rnd.randrange(len(data)); b = rnd.randrange(a, len(data))
            conn.request("GET", "/mid.bin", headers={"Range": "bytes=%d-%d" % (a, b)})
            r = conn.getresponse(); body = r.read()
            ok = r.status == 206 and body == data[a:b + 1]
        elif kind == 1:
            conn.request("GET", "/mid.bin", headers={"If-None-Match": etag})
            r = conn.getresponse(); body = r.read()
            ok = r.status == 304 and body == b""
        elif kind == 2:
            a = rnd.randrange(len(big) - 65536)
            conn.request("GET", "/big.bin", headers={"Range": "bytes=%d-%d" % (a, a + 65535)})
            r = conn.getresponse(); body = r.read()
            ok = r.status == 206 and body == big[a:a + 65536]
        elif kind == 3:
            conn.request("HEAD", "/big.bin")
            r = conn.getresponse(); body = r.read()
            ok = r.status == 200 and body == b"" and r.getheader("Content-Length") == str(len(big))
        else:
            conn.request("GET", "/big.bin", headers={"If-None-Match": '"nope"', "Connection": "close"})
            r = conn.getresponse(); body = r.read()
            ok = r.status == 200 and len(body) == len(big) and body[:4096] == big[:4096]
            conn.close(); conn = None
        if not ok:
            bad += 1
            if bad <= 5:
                print("checker: wrong answer for kind %d: status %d, %d bytes" % (kind, r.status, len(body)))
        n += 1
    except Exception as e:
        bad += 1
        if bad <= 5:
            print("checker: %s: %s" % (type(e).__name__, e))
        conn = None
print("checker: %d requests, %d wrong" % (n, bad))
PY

rss_total() { # KiB summed over httpd and its workers
	t=0
	for p in "$HTTPD_PID" $(pgrep -P "$HTTPD_PID" 2>/dev/null); do
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

echo "# soak: ${SECS}s of mixed load on $U (ASan build: $BIN/httpd, 2 workers)"
timeout $((SECS + 30)) wrk -t 2 -c 32 -d "${SECS}s" --timeout 5s -s "$TEST_TMP/mix.lua" "$U/" \
	>"$TEST_TMP/wrk-ka.out" 2>&1 &
W1=$!
timeout $((SECS + 30)) wrk -t 1 -c 8 -d "${SECS}s" --timeout 5s -H 'Connection: close' \
	-s "$TEST_TMP/mix.lua" "$U/" >"$TEST_TMP/wrk-close.out" 2>&1 &
W2=$!
timeout $((SECS + 30)) python3 "$TEST_TMP/checker.py" "$PORT" "$SECS" "$ETAG" "$R" \
	>"$TEST_TMP/checker.out" 2>&1 &
W3=$!
track_pid "$W1"
track_pid "$W2"
track_pid "$W3"

s=0 rss10="" samples=""
while [ $s -lt "$SECS" ]; do
	sleep 1
	s=$((s + 1))
	r=$(rss_total)
	[ $s -eq 10 ] && rss10=$r
	[ $((s % 10)) -eq 0 ] && samples="$samples ${s}s:${r}"
done
rssend=$(rss_total)
wait_pid "$W1" 40
wait_pid "$W2" 40
wait_pid "$W3" 40
echo "# RSS (KiB, all processes):$samples"

for w in ka close; do
	f=$TEST_TMP/wrk-$w.out
	sed 's/^/# wrk-'$w': /' "$f" | grep -E 'Requests/sec|requests in|Socket errors|Non-2xx|Latency ' 
	reqs=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$f")
	if [ "${reqs:-0}" -gt 1000 ]; then ok "wrk $w: ${reqs} requests"; else fail "wrk $w: ran" "$(tail -c 300 "$f")"; fi
	check_lacks "wrk $w: no socket errors" "$f" "Socket errors"
	check_lacks "wrk $w: no non-2xx/3xx answers" "$f" "Non-2xx"
done
cat "$TEST_TMP/checker.out" | sed 's/^/# /'
check_contains "checker: every Range body and 304 was right" "$TEST_TMP/checker.out" " 0 wrong"

if [ -n "$rss10" ] && [ "$rssend" -le $((rss10 + (rss10 / 10 > 4096 ? rss10 / 10 : 4096))) ]; then
	ok "RSS stable: ${rss10} KiB at 10 s, ${rssend} KiB at ${SECS} s"
else
	fail "RSS stable between 10 s and ${SECS} s" "${rss10:-?} -> ${rssend} KiB"
fi
check "httpd alive after the load" lib_alive "$HTTPD_PID"
stop_httpd TERM 30
check_eq "httpd exits 0 on TERM (LeakSanitizer ran at exit)" 0 "$HTTPD_STATUS"
reports=$(cat "$SAN"/* 2>/dev/null | grep -c -E 'ERROR: (Address|Leak)Sanitizer|runtime error|SUMMARY:')
if [ "$reports" -eq 0 ]; then
	ok "no sanitizer reports"
else
	fail "no sanitizer reports" "$reports report lines"
	cat "$SAN"/* | head -n 60
fi
if grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$HTTPD_LOG"; then
	fail "no sanitizer output on httpd's stderr"
	grep -A 20 -E 'ERROR|runtime error' "$HTTPD_LOG" | head -n 40
else
	ok "no sanitizer output on httpd's stderr"
fi
echo "# soak summary: $(grep -h 'requests in' "$TEST_TMP"/wrk-*.out | tr -s ' ' | tr '\n' ';') $(tail -n 1 "$TEST_TMP/checker.out"); RSS ${rss10:-?} -> ${rssend} KiB"
finish
