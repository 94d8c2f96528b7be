#!/bin/sh
# httpd_load.sh: wrk -t1 -c64 -d3s against a small and a larger file: no
# socket errors, no non-2xx answers, and the server survives. Skipped (said
# clearly) when wrk is not installed: apt-get install -y wrk.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
printf '<!doctype html><title>load</title><p>hello\n' >"$R/index.html"
head -c 200000 /dev/urandom >"$R/big.bin"
if ! command -v wrk >/dev/null 2>&1; then
	skip "wrk -t1 -c64 -d3s reports no errors" "wrk not installed"
	finish
fi
start_httpd "$R" -l off || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

# load NAME PATH: runs wrk, checks its report.
load() {
	timeout 20 wrk -t1 -c64 -d3s "$(url "$2")" >"$T/wrk.out" 2>&1
	rc=$?
	reqs=$(awk '/requests in/ { print $1 }' "$T/wrk.out")
	if [ "$rc" != 0 ] || [ -z "$reqs" ]; then
		fail "$1: wrk ran" "exit $rc: $(head -c 300 "$T/wrk.out" | tr '\n' '|')"
		return
	fi
	if [ "$reqs" -gt 0 ]; then ok "$1: $reqs requests completed"; else fail "$1: requests completed" "0"; fi
	if grep -q 'Socket errors' "$T/wrk.out"; then
		fail "$1: no socket errors" "$(grep 'Socket errors' "$T/wrk.out")"
	else
		ok "$1: no socket errors"
	fi
	if grep -q 'Non-2xx' "$T/wrk.out"; then
		fail "$1: non-2xx 0" "$(grep 'Non-2xx' "$T/wrk.out")"
	else
		ok "$1: non-2xx 0"
	fi
}
load "wrk -c64 small file" /
load "wrk -c64 200 KB file" /big.bin
if lib_alive "$HTTPD_PID"; then ok "httpd alive after the load"; else fail "httpd alive after the load" "$(tail -c 300 "$HTTPD_LOG")"; fi
check_eq "httpd serves after the load" 200 "$(hget "$T/after" "$(url /)")"
# No connection leaked: once wrk is gone, nothing on the server's port is
# left ESTABLISHED or CLOSE_WAIT (a client closed, the server never did).
hexport=$(printf '%04X' "$PORT")
n=0
while [ $n -lt 30 ]; do
	left=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$hexport" '$2 ~ p"$" && ($4 == "01" || $4 == "08")' | wc -l)
	[ "$left" -eq 0 ] && break
	sleep 0.1
	n=$((n + 1))
done
check_eq "no connection left open after the load" 0 "$left"
stop_httpd TERM 10
check_eq "httpd exits 0 after the load" 0 "$HTTPD_STATUS"

finish
