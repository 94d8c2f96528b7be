#!/bin/sh
# httpd_timeouts.sh: --header-timeout closes slow (slowloris) and silent
# clients; --timeout closes idle keep-alive connections; neither cuts a
# client that is merely a little slow.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
printf 'hello world\n' >"$R/a.txt"
start_httpd "$R" --header-timeout 1 --timeout 1 || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

# elapsed_below NAME FILE SECONDS
elapsed_below() {
	e=$(cat "$2" 2>/dev/null)
	if python3 -c "import sys; sys.exit(0 if float('$e' or 99) < $3 else 1)"; then ok "$1 (${e}s)"; else
		fail "$1" "took ${e}s, bound ${3}s"; fi
}

# A head trickled one byte every 0.3 s would take 20 s; the 1 s head timeout
# must close it, though every read resets nothing.
raw_request -s 1 -d 0.3 -T 10 -E "$T/e1" \
	"GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n" >"$T/slow"
rc=$?
check_eq "--header-timeout 1: trickling client is closed" 0 "$rc"
elapsed_below "--header-timeout 1: closed well before the head completes" "$T/e1" 5
check_lacks "--header-timeout 1: trickled request not answered 200" "$T/slow" "hello world"
st=$(status_of "$T/slow")
case "$st" in
"" | 408) ok "--header-timeout: closed silently or with 408 (${st:-none})" ;;
*) fail "--header-timeout: closed silently or with 408" "got '$st'" ;;
esac

# A client that connects and sends nothing.
raw_request -t 8 -T 8 -E "$T/e2" "" >"$T/silent"
check_eq "--header-timeout 1: silent client is closed" 0 "$?"
elapsed_below "--header-timeout 1: silent client closed in time" "$T/e2" 5

# Half a head, then silence.
raw_request -t 8 -T 8 -E "$T/e3" "GET /a.txt HTTP/1.1\r\nHost: x\r\n" >"$T/half"
check_eq "--header-timeout 1: half a head then silence is closed" 0 "$?"
elapsed_below "--header-timeout 1: half head closed in time" "$T/e3" 5

# A slightly slow client within the bound is served.
raw_request -m '|' -d 0.2 -t 3 "GET /a.txt HT|TP/1.1\r\nHost: x\r\n|Connection: close\r\n\r\n" >"$T/ok"
check_eq "a head arriving in 3 pieces within the timeout is served" 200 "$(status_of "$T/ok")"

# Keep-alive idle: served, then closed after about a second of idleness.
raw_request -t 8 -T 8 -E "$T/e4" "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" >"$T/idle"
rc=$?
check_eq "--timeout 1: the request is answered" 200 "$(status_of "$T/idle")"
check_eq "--timeout 1: idle keep-alive connection closed" 0 "$rc"
elapsed_below "--timeout 1: idle connection closed in time" "$T/e4" 5
# ...but not before the next request can arrive.
raw_request -m '|' -d 0.3 -t 3 "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n|GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >"$T/two"
check_eq "--timeout 1: a second request 0.3 s later is answered" "200 200" "$(status_list "$T/two" | tr '\n' ' ' | sed 's/ $//')"
# Each request restarts the idle clock: 4 requests 0.6 s apart (2.4 s in all).
raw_request -m '|' -d 0.6 -t 3 "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n|GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n|GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n|GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >"$T/four"
check_eq "--timeout 1: requests 0.6 s apart keep the connection" "200 200 200 200" "$(status_list "$T/four" | tr '\n' ' ' | sed 's/ $//')"

# The server is still healthy after all the timeouts.
check_eq "server answers after the timeouts" 200 "$(hget "$T/h" "$(url /a.txt)")"
stop_httpd

# Without the options, an idle keep-alive connection outlives 2 s: the short
# closes above came from the command line.
start_httpd "$R" || { fail "httpd (defaults) starts"; finish; }
raw_request -t 2 -T 3 "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" >"$T/dflt"
check_eq "default keep-alive timeout is longer than 2 s" 3 "$?"

finish
