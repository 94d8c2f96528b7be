#!/bin/sh
# fetch through proxies: tinyproxy (Debian's, started here on loopback) as
# the real proxy, CONNECT for https with the origin verified through the
# tunnel; tests/tls_server.py --plain as a proxy whose input is checked byte
# for byte. Environment semantics as curl's: http_proxy, https_proxy or
# HTTPS_PROXY, no_proxy or NO_PROXY; --proxy and --no-proxy.
. "$(dirname "$0")/../lib.sh"

F="$BIN/fetch"
TESTS="$(cd "$(dirname "$0")/.." && pwd)"
C="$TEST_TMP/certs"
W="$TEST_TMP/work"
mkdir -p "$W"
unset http_proxy https_proxy HTTPS_PROXY no_proxy NO_PROXY HTTP_PROXY
if ! command -v tinyproxy >/dev/null 2>&1; then
	fail "tinyproxy installed" "run make deps"
	finish
fi
if ! sh "$TESTS/tls-certs.sh" "$C" 2>"$TEST_TMP/certs.err"; then
	fail "certificates made" "$(cat "$TEST_TMP/certs.err")"
	finish
fi

start_tls() { # NAME ARGS...: tests/tls_server.py; sets TPORT
	pf="$TEST_TMP/$1.port" log="$TEST_TMP/$1.log"
	shift
	python3 "$TESTS/tls_server.py" --port-file "$pf" --log "$log" "$@" >/dev/null \
		2>>"$TEST_TMP/tls_server.err" </dev/null &
	track_pid $!
	n=0
	while [ ! -s "$pf" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	TPORT=$(cat "$pf" 2>/dev/null)
}

# start_tinyproxy NAME [CONFIG-LINES]: sets XPORT; its log in $TEST_TMP/NAME.tp.log.
start_tinyproxy() {
	name=$1
	XPORT=$(free_port)
	{
		echo "Port $XPORT"
		echo "Listen 127.0.0.1"
		echo "Timeout 20"
		echo "MaxClients 20"
		echo "Allow 127.0.0.1"
		echo "LogFile \"$TEST_TMP/$name.tp.log\""
		echo "LogLevel Info"
		[ "$(id -u)" = 0 ] && echo "User root" && echo "Group root"
		printf '%s\n' "${2:-}"
	} >"$TEST_TMP/$name.tp.conf"
	tinyproxy -d -c "$TEST_TMP/$name.tp.conf" >/dev/null 2>&1 </dev/null &
	track_pid $!
	n=0
	while ! lib_port_open 127.0.0.1 "$XPORT" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
}

# run NAME STATUS ENV... -- FETCH-ARGS...: fetch with that environment; stderr in $TEST_TMP/err.
run() {
	name=$1 want=$2
	shift 2
	envs=""
	while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	shift
	# shellcheck disable=SC2086
	(cd "$W" && env $envs timeout 30 "$F" -q "$@") >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	check_eq "$name: exit status" "$want" "$?"
}

start_tls origin --cert "$C/server.pem" --key "$C/server.key"
OPORT=$TPORT
start_tls wrong --cert "$C/wrongname.pem" --key "$C/wrongname.key"
WPORT=$TPORT
start_tls plain --plain
PPORT=$TPORT
start_tinyproxy open
OPEN=$XPORT
start_tinyproxy auth "BasicAuth user s3cret"
AUTH=$XPORT
DEAD=$(free_port) # nothing listens there
CA="--ca-certificate $C/ca.pem"

# ---- https through a CONNECT tunnel ----------------------------------------------
run "https_proxy, CONNECT" 0 "https_proxy=http://127.0.0.1:$OPEN" -- $CA -o - \
	"https://localhost:$OPORT/hello"
check_eq "https_proxy, CONNECT: the body" "hello over tls" "$(cat "$TEST_TMP/out")"
check_contains "tinyproxy saw the CONNECT" "$TEST_TMP/open.tp.log" "CONNECT localhost:$OPORT HTTP/1.1"
check_eq "the origin saw SNI localhost through the tunnel" "SNI: localhost" \
	"$(grep '^SNI' "$TEST_TMP/origin.log" | tail -1)"
run "HTTPS_PROXY (upper case)" 0 "HTTPS_PROXY=http://127.0.0.1:$OPEN" -- $CA -o /dev/null \
	"https://localhost:$OPORT/hello"
run "origin verified through the tunnel" 5 "https_proxy=http://127.0.0.1:$OPEN" -- $CA -o w \
	"https://localhost:$WPORT/hello"
check_contains "origin verified through the tunnel: the reason" "$TEST_TMP/err" "name mismatch"
check_eq "origin verified through the tunnel: no file" "" "$(ls -A "$W")"

# Credentials from the proxy URL: to the proxy, never to the origin.
: >"$TEST_TMP/origin.log"
run "CONNECT with credentials" 0 "https_proxy=http://user:s3cret@127.0.0.1:$AUTH" -- $CA -o - \
	"https://localhost:$OPORT/echo"
check_lacks "no Proxy-Authorization inside the tunnel" "$TEST_TMP/out" "Proxy-Authorization"
check_lacks "no Proxy-Authorization at the origin" "$TEST_TMP/origin.log" "Proxy-Authorization"
run "CONNECT refused (407)" 10 "https_proxy=http://127.0.0.1:$AUTH" -- $CA -o w \
	"https://localhost:$OPORT/hello"
check_contains "CONNECT refused: the reason" "$TEST_TMP/err" \
	"the proxy refused CONNECT to localhost port $OPORT (407)"
check_eq "CONNECT refused: no file" "" "$(ls -A "$W")"
run "wrong proxy password" 10 "https_proxy=http://user:nope@127.0.0.1:$AUTH" -- $CA -o w \
	"https://localhost:$OPORT/hello"
run "proxy not listening" 10 "https_proxy=http://127.0.0.1:$DEAD" -- $CA -o w \
	"https://localhost:$OPORT/hello"
check_contains "proxy not listening: the reason" "$TEST_TMP/err" "cannot connect to the proxy 127.0.0.1"

# ---- plain http: absolute-form ----------------------------------------------------
run "http_proxy through tinyproxy" 0 "http_proxy=http://127.0.0.1:$OPEN" -- -o - \
	"http://127.0.0.1:$PPORT/echo"
check_contains "http_proxy: the origin got the request" "$TEST_TMP/out" "GET /echo HTTP/1.1"
check_contains "tinyproxy saw the absolute form" "$TEST_TMP/open.tp.log" \
	"GET http://127.0.0.1:$PPORT/echo HTTP/1.1"
run "407 to a plain request" 10 "http_proxy=http://127.0.0.1:$AUTH" -- -o w \
	"http://127.0.0.1:$PPORT/echo"
check_contains "407: the reason" "$TEST_TMP/err" "the proxy asks for credentials (407)"
# The exact bytes a proxy receives (the scripted server stands in for it).
run "--proxy with credentials" 0 -- --proxy "http://us%3Aer:p%40ss@127.0.0.1:$PPORT" -o - \
	"http://example.invalid:8080/echo?q=1"
printf 'GET http://example.invalid:8080/echo?q=1 HTTP/1.1\r\nHost: example.invalid:8080\r\nUser-Agent: fetch/%s\r\nAccept: */*\r\nProxy-Authorization: Basic %s\r\n\r\n' \
	"$("$F" --version | head -1 | sed 's/^fetch //')" "$(printf 'us:er:p@ss' | base64)" >"$W/want"
check "the request to the proxy, byte for byte" cmp "$TEST_TMP/out" "$W/want"

# ---- which URLs go through a proxy ---------------------------------------------------
run "http_proxy does not serve https" 0 "http_proxy=http://127.0.0.1:$DEAD" -- $CA -o /dev/null \
	"https://localhost:$OPORT/hello"
run "HTTP_PROXY (upper case) is ignored, as curl" 0 "HTTP_PROXY=http://127.0.0.1:$DEAD" -- \
	-o /dev/null "http://127.0.0.1:$PPORT/echo"
run "--no-proxy" 0 "https_proxy=http://127.0.0.1:$DEAD" -- --no-proxy $CA -o /dev/null \
	"https://localhost:$OPORT/hello"
for np in localhost .localhost LOCALHOST localhost. '*' "example.com,localhost" "localhost:$OPORT"; do
	run "no_proxy='$np' goes direct" 0 "https_proxy=http://127.0.0.1:$DEAD" "no_proxy=$np" -- \
		$CA -o /dev/null "https://localhost:$OPORT/hello"
done
run "NO_PROXY (upper case)" 0 "https_proxy=http://127.0.0.1:$DEAD" "NO_PROXY=localhost" -- \
	$CA -o /dev/null "https://localhost:$OPORT/hello"
for np in otherhost "localhost:1" calhost "host.localhost"; do
	run "no_proxy='$np' does not match" 10 "https_proxy=http://127.0.0.1:$DEAD" "no_proxy=$np" -- \
		$CA -o /dev/null "https://localhost:$OPORT/hello"
done
run "no_proxy with an IP" 0 "http_proxy=http://127.0.0.1:$DEAD" "no_proxy=127.0.0.1" -- \
	-o /dev/null "http://127.0.0.1:$PPORT/echo"
run "--proxy honours no_proxy" 0 "no_proxy=127.0.0.1" -- --proxy "127.0.0.1:$DEAD" \
	-o /dev/null "http://127.0.0.1:$PPORT/echo"
run "an https:// proxy is refused" 2 "https_proxy=https://127.0.0.1:$OPEN" -- $CA -o w \
	"https://localhost:$OPORT/hello"
check_contains "an https:// proxy: the reason" "$TEST_TMP/err" "only http:// proxies"

finish
