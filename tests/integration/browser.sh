#!/bin/sh
# A real browser: headless Chromium loads the default site (www/) from httpd.
# Checks (browser_cdp.py, over the DevTools protocol): the home page and every
# subresource answered 200 with no console error, CSS/images/JS took effect, a
# subdirectory page and a directory listing render and their links work, and
# seeking in the audio file made Range requests answered 206 (also checked in
# httpd's access log), and a far seek in a long file fetched from mid-file.
# Screenshots go to build/artifacts/. Without a chromium binary the whole test
# is reported as SKIPPED, never as passed. BROWSER_TLS=1 (browser_tls.sh) does
# it all over HTTPS, Chromium trusting only the test certificate's key.
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ART=${ARTIFACTS:-$repo/build/artifacts}

CHROME=""
for c in chromium chromium-browser google-chrome; do
	if command -v "$c" >/dev/null 2>&1; then CHROME=$(command -v "$c"); break; fi
done
if [ -z "$CHROME" ]; then
	skip "browser test" "no chromium installed (make deps installs it where apt can)"
	echo "browser: SKIPPED - chromium not available"
	finish
fi

mkdir -p "$ART"
# The site served: www/ as committed, plus a 60 s (5 MiB) WAV generated here so
# that a far seek needs a Range request from mid-file (www/ keeps media small).
SITE=$TEST_TMP/site
cp -R "$repo/www" "$SITE" || { fail "copy www/"; finish; }
python3 -c '
import sys, wave
w = wave.open(sys.argv[1] + "/media/long.wav", "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(44100)
w.writeframes(b"\x00\x01" * 44100 * 60)
w.close()
open(sys.argv[1] + "/media/long.html", "w").write("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Long audio</title>
<link rel="icon" href="/img/logo.svg" type="image/svg+xml"></head>
<body><audio id="player" controls preload="metadata" src="/media/long.wav"></audio></body></html>
""")' "$SITE" || { fail "generate the long media file"; finish; }
export BROWSER_LONG_MEDIA=1
# A single-page app served with --fallback (its script routes by the path), and
# a directory of files of known sizes and times for the sorted listing.
SPA=$TEST_TMP/spa
mkdir -p "$SPA/files"
cat >"$SPA/index.html" <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SPA</title>
<link rel="icon" href="data:,"></head>
<body style="font: 20px sans-serif"><h1>Single-page app</h1>
<p>route: <b id="route"></b></p>
<script>document.getElementById('route').textContent = location.pathname;</script>
</body></html>
HTML
printf 'small' >"$SPA/files/b-small.txt"
head -c 5000 /dev/zero >"$SPA/files/c-medium.bin"
truncate -s 3000000 "$SPA/files/a-large.iso"
touch -d '2024-01-02 03:04:05' "$SPA/files/b-small.txt"
touch -d '2023-06-07 08:09:10' "$SPA/files/c-medium.bin"
touch -d '2025-01-01 00:00:00' "$SPA/files/a-large.iso"
start_httpd "$SPA" -w 1 --fallback /index.html -l off || { fail "httpd --fallback starts"; finish; }
export BROWSER_SPA="http://127.0.0.1:$PORT"
BASE=http TLS_ARGS="" CHROME_TLS=""
if [ -n "${BROWSER_TLS-}" ]; then
	C=$TEST_TMP/certs
	sh "$here/../tls-certs.sh" "$C" || { fail "test certificates made"; finish; }
	# Pin the certificate's public key (SPKI), not a blanket certificate bypass.
	spki=$(openssl x509 -in "$C/server.pem" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
	BASE=https TLS_ARGS="--tls-cert $C/server.pem --tls-key $C/server.key"
	CHROME_TLS="--ignore-certificate-errors-spki-list=$spki"
	ART=$ART/tls
	mkdir -p "$ART"
fi
# shellcheck disable=SC2086 # TLS_ARGS: options, split on purpose (the test paths have no spaces)
start_httpd "$SITE" -l "$TEST_TMP/access.log" $TLS_ARGS || { fail "httpd starts"; finish; }
ok "httpd serves www/ on port $PORT ($BASE)"

profile="$TEST_TMP/profile"
mkdir -p "$profile"
# Its own session, so the browser and every helper process it forks stop together.
setsid "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync --disable-quic \
	--disable-dev-shm-usage --mute-audio --no-default-browser-check --no-proxy-server \
	--user-data-dir="$profile" --remote-debugging-address=127.0.0.1 --remote-debugging-port=0 \
	${CHROME_TLS:+"$CHROME_TLS"} about:blank >"$TEST_TMP/chrome.out" 2>&1 </dev/null &
CHROME_PID=$!
track_pid "$CHROME_PID"
trap 'kill -TERM -- -"$CHROME_PID" 2>/dev/null; sleep 0.3; kill -KILL -- -"$CHROME_PID" 2>/dev/null; lib_cleanup' EXIT

# Chromium writes the port it chose into DevToolsActivePort.
n=0
while [ ! -s "$profile/DevToolsActivePort" ] && [ $n -lt 300 ] && lib_alive "$CHROME_PID"; do
	sleep 0.1
	n=$((n + 1))
done
DPORT=$(head -n 1 "$profile/DevToolsActivePort" 2>/dev/null)
if [ -z "$DPORT" ]; then
	fail "chromium starts with DevTools" "$(tail -c 400 "$TEST_TMP/chrome.out" | tr '\n' ' ')"
	finish
fi
ok "chromium started (DevTools on port $DPORT)"

out="$TEST_TMP/cdp.out"
timeout 90 python3 "$here/browser_cdp.py" "$DPORT" "$BASE://127.0.0.1:$PORT" "$ART" >"$out" 2>&1
cat "$out"
LIB_PASS=$((LIB_PASS + $(grep -c '^ok - ' "$out")))
LIB_FAIL=$((LIB_FAIL + $(grep -c '^FAIL - ' "$out")))
grep -q '^browser: [0-9]* passed, 0 failed' "$out" || fail "CDP session completed cleanly"

# The server's side of it: the access log (flushed at exit) saw the 206s.
stop_httpd TERM 10
check_eq "httpd exits 0 after the browser session" 0 "$HTTPD_STATUS"
if grep -q 'GET /media/tone.wav HTTP/1.1" 206 ' "$TEST_TMP/access.log"; then
	ok "access log: media Range requests answered 206"
else
	fail "access log: media Range requests answered 206" \
		"$(grep 'tone.wav' "$TEST_TMP/access.log" | head -n 3 | tr '\n' ' ')"
fi
grep -e 'tone.wav' -e 'long.wav' "$TEST_TMP/access.log" | cut -d'"' -f2-3 | sed 's/^/# media request: /'
check_lacks "access log: no 5xx" "$TEST_TMP/access.log" '" 50'
for f in "$ART"/browser-*.png; do
	[ -s "$f" ] && echo "# screenshot: $f"
done
finish
