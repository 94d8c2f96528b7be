#!/bin/sh
# httpd_cli.sh: the command line: --help, --version, bad options, a missing
# root, a port in use, the printed URL, -i, -l, -w, -b ::1, default root,
# --chroot/-u when root.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
printf 'hello world\n' >"$R/a.txt"
mkdir -p "$R/d"
printf 'custom index\n' >"$R/d/home.htm"
VERSION=$(sed -n 's/^#define HTTPD_VERSION "\(.*\)"/\1/p' "$(dirname "$0")/../../httpd/httpd.h")

# run NAME ARGS...: runs httpd bounded by 5 s; RC, $T/out, $T/err.
run() {
	timeout 5 "$BIN/httpd" "$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
}
lines() { wc -l <"$1" | tr -d ' '; }

run --help
check_eq "--help exits 0" 0 "$RC"
if grep -qi usage "$T/out" && grep -q -- '--port' "$T/out"; then ok "--help prints usage with the options on stdout"; else
	fail "--help prints usage with the options on stdout" "$(head -c 200 "$T/out")"; fi
for o in --no-listing --dotfiles --header-timeout --max-conns --header --chroot --index --log --workers; do
	if grep -q -- "$o" "$T/out"; then ok "--help mentions $o"; else fail "--help mentions $o"; fi
done
run -h
check_eq "-h exits 0 with usage on stdout" "0 yes" "$RC $(grep -qi usage "$T/out" && echo yes)"
run --version
check_eq "--version exits 0" 0 "$RC"
check_contains "--version prints $VERSION" "$T/out" "$VERSION"
run -V
check_eq "-V exits 0 and prints the version" "0 yes" "$RC $(grep -qF "$VERSION" "$T/out" && echo yes)"

# bad NAME ARGS...: exit 2, nothing on stdout, one line on stderr.
bad() {
	lib_n=$1
	shift
	run "$@"
	if [ "$RC" = 2 ] && [ "$(lines "$T/err")" = 1 ] && [ ! -s "$T/out" ]; then ok "$lib_n"; else
		fail "$lib_n" "exit $RC, stderr $(lines "$T/err") lines: $(head -c 200 "$T/err" | tr '\n' '|')"; fi
}
bad "unknown option: exit 2, one-line message" --bogus "$R"
bad "unknown short option: exit 2, one-line message" -Z "$R"
bad "-p without a value: exit 2" -p
bad "-p abc: exit 2" -p abc "$R"
bad "-p 70000: exit 2" -p 70000 "$R"
bad "-w abc: exit 2" -w abc "$R"
bad "-c -5: exit 2" -c -5 "$R"
bad "--timeout abc: exit 2" --timeout abc "$R"
bad "--header-timeout 1x: exit 2" --header-timeout 1x "$R"
bad "-H without a colon: exit 2" -H 'NoColonHere' "$R"
bad "two roots: exit 2" "$R" "$R"
# -H of a field the server sets itself would send two (two Content-Types...).
for h in 'Content-Type: text/x' 'etag: "x"' 'Server: other' 'Last-Modified: x' 'Vary: *' \
	'Content-Encoding: gzip' 'Accept-Ranges: none' 'Content-Length: 1'; do
	bad "-H '$h': the server's own, exit 2" -p 0 -b 127.0.0.1 -H "$h" "$R"
done
bad "-H with a bad name: exit 2" -p 0 -b 127.0.0.1 -H 'Bad Name: x' "$R"
bad "--chroot without -u: exit 2 (root can leave a chroot)" -p 0 -b 127.0.0.1 --chroot "$R"
if grep -q 'needs --user' "$T/err"; then ok "--chroot without -u: says why"; else
	fail "--chroot without -u: says why" "$(head -c 200 "$T/err")"; fi

run -p "$(free_port)" -b 127.0.0.1 "$T/does-not-exist"
case "$RC" in
1 | 2) ok "missing root: exit $RC" ;;
*) fail "missing root: exit 1 or 2" "exit $RC" ;;
esac
if [ "$(lines "$T/err")" = 1 ] && grep -q 'does-not-exist' "$T/err"; then ok "missing root: one line naming it"; else
	fail "missing root: one line naming it" "$(head -c 200 "$T/err" | tr '\n' '|')"; fi
run -p "$(free_port)" -b 127.0.0.1 "$R/a.txt"
case "$RC" in
1 | 2) ok "root that is a file: exit $RC" ;;
*) fail "root that is a file: exit 1 or 2" "exit $RC" ;;
esac

# A port in use: exit 1 with a message.
python3 - "$T/busy.port" <<'EOF' >/dev/null 2>&1 &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(10)
EOF
busy=$!
track_pid "$busy"
n=0
while [ ! -s "$T/busy.port" ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
BUSY=$(cat "$T/busy.port")
run -p "$BUSY" -b 127.0.0.1 "$R"
check_eq "port in use: exit 1" 1 "$RC"
if [ "$(lines "$T/err")" = 1 ] && grep -qi -e 'in use' -e "$BUSY" "$T/err"; then ok "port in use: one line naming the problem"; else
	fail "port in use: one line naming the problem" "$(head -c 200 "$T/err" | tr '\n' '|')"; fi
kill "$busy" 2>/dev/null

# The URL it serves is printed.
start_httpd "$R" -l off || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }
hcurl -o /dev/null "$(url /a.txt)"
stop_httpd
if cat "$HTTPD_LOG.out" "$HTTPD_LOG" | grep -q "http://.*:$PORT"; then ok "prints the URL it serves"; else
	fail "prints the URL it serves" "stdout: $(head -c 200 "$HTTPD_LOG.out") stderr: $(head -c 200 "$HTTPD_LOG")"; fi
if grep -q 'GET /a.txt' "$HTTPD_LOG" "$HTTPD_LOG.out"; then fail "-l off: no access log" "a request was logged"; else
	ok "-l off: no access log"; fi
check_eq "SIGTERM: exit 0" 0 "$HTTPD_STATUS"

# -l FILE: Combined Log Format, flushed by exit at the latest.
start_httpd "$R" -l "$T/access.log" || { fail "httpd -l FILE starts"; finish; }
hcurl -o /dev/null -A 'test-agent/1.0' -e 'http://ref.example/' "$(url /a.txt)"
hcurl -o /dev/null "$(url /missing)"
stop_httpd
CLF='^127\.0\.0\.1 [^ ]+ [^ ]+ \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\] "GET /a\.txt HTTP/1\.1" 200 12 "http://ref\.example/" "test-agent/1\.0"$'
if grep -Eq "$CLF" "$T/access.log" 2>/dev/null; then ok "-l FILE: a Combined Log Format line"; else
	fail "-l FILE: a Combined Log Format line" "$(head -c 300 "$T/access.log" 2>/dev/null)"; fi
if grep -q '"GET /missing HTTP/1.1" 404 ' "$T/access.log" 2>/dev/null; then ok "-l FILE: 404 logged"; else
	fail "-l FILE: 404 logged"; fi
check_eq "-l FILE: one line per request" 2 "$(grep -c 'HTTP/1.1"' "$T/access.log" 2>/dev/null)"

# -l - (the default): the access log goes to stderr.
start_httpd "$R" || { fail "httpd starts"; finish; }
hcurl -o /dev/null "$(url /a.txt)"
stop_httpd
check_contains "default log: requests logged to stderr" "$HTTPD_LOG" '"GET /a.txt HTTP/1.1" 200'

# -i NAME
start_httpd "$R" -i home.htm || { fail "httpd -i starts"; finish; }
check_eq "-i home.htm: /d/ serves home.htm" "200 custom index" "$(hget "$T/i" "$(url /d/)") $(cat "$T/i.b")"
stop_httpd

# -w 4: several workers all serve.
start_httpd "$R" -w 4 || { fail "httpd -w 4 starts"; finish; }
good=0
i=0
while [ $i -lt 20 ]; do
	[ "$(hcurl -o /dev/null -w '%{http_code}' "$(url /a.txt)")" = 200 ] && good=$((good + 1))
	i=$((i + 1))
done
check_eq "-w 4: 20 of 20 requests served" 20 "$good"
kids=$(for f in /proc/[0-9]*/stat; do sed 's/.*) //' "$f" 2>/dev/null | awk -v p="$HTTPD_PID" -v f="$f" '$2 == p { split(f, a, "/"); print a[3] }'; done)
stop_httpd
check_eq "-w 4: SIGTERM exits 0" 0 "$HTTPD_STATUS"
left=""
for k in $kids; do
	n=0
	while lib_alive "$k" && [ $n -lt 30 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	lib_alive "$k" && left="$left $k"
done
check_eq "-w 4: no worker process left behind" "" "$left"

# -b ::1 when the host has IPv6 loopback.
if python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	HTTPD_BIND=::1
	if start_httpd "$R"; then
		st=$(hcurl -g -o /dev/null -w '%{http_code}' "http://[::1]:$PORT/a.txt")
		check_eq "-b ::1 serves over IPv6" 200 "$st"
		stop_httpd
	else
		fail "-b ::1 starts" "$(head -c 300 "$HTTPD_LOG")"
	fi
	unset HTTPD_BIND
else
	skip "-b ::1 serves over IPv6" "no IPv6 loopback here"
fi

# No ROOT: www/ in the current directory.
mkdir -p "$T/cwd/www"
printf 'default root\n' >"$T/cwd/www/index.html"
P=$(free_port)
(cd "$T/cwd" && exec "$BIN/httpd" -p "$P" -b 127.0.0.1 -l off) >"$T/dr.out" 2>"$T/dr.err" </dev/null &
HTTPD_PID=$!
track_pid "$HTTPD_PID"
n=0
while ! lib_port_open 127.0.0.1 "$P" && [ $n -lt 50 ] && lib_alive "$HTTPD_PID"; do
	sleep 0.1
	n=$((n + 1))
done
check_eq "no ROOT argument: serves www/" "default root" "$(hcurl "http://127.0.0.1:$P/" 2>&1)"
stop_httpd

# --chroot and -u when started as root.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$T"
	if start_httpd "$R" -u nobody --chroot; then
		check_eq "--chroot -u nobody: still serves" "200" "$(hget "$T/cr" "$(url /a.txt)")"
		uid=$(awk '/^Uid:/ { print $2 }' "/proc/$HTTPD_PID/status" 2>/dev/null)
		check_eq "-u nobody: the server no longer runs as root" "$(id -u nobody)" "$uid"
		stop_httpd
	else
		fail "--chroot -u nobody starts" "$(head -c 300 "$HTTPD_LOG")"
	fi
else
	skip "--chroot -u nobody" "not running as root"
fi

# As root: a loud warning without -u; with --chroot, SIGHUP reopens the log
# where it was, never by its name inside the served root (where it could be
# downloaded), even when the root is writable.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	if start_httpd "$R" -w 1; then
		check_contains "root without -u: a warning" "$HTTPD_LOG" "WARNING: serving as root"
		stop_httpd
	else
		fail "root without -u starts" "$(head -c 300 "$HTTPD_LOG")"
	fi
	W=$(mkroot writable)
	printf 'w\n' >"$W/w.txt"
	mkdir -p "$T/logs"
	chmod 777 "$W" "$T/logs"
	here=$(pwd)
	cd "$T/logs" || exit 1
	if start_httpd "$W" -w 1 -u nobody --chroot -l access.log; then
		cd "$here" || exit 1
		hget "$T/h1" "$(url /w.txt?before-hup)" >/dev/null
		sleep 1.2 # the log buffer is flushed at least once a second
		mv "$T/logs/access.log" "$T/logs/access.log.1"
		kill -HUP "$HTTPD_PID"
		sleep 0.5
		hget "$T/h2" "$(url /w.txt?after-hup)" >/dev/null
		sleep 1.2
		check "--chroot: the log is reopened where it was" test -f "$T/logs/access.log"
		check_contains "--chroot: the reopened log gets the new lines" "$T/logs/access.log" after-hup
		check "--chroot: no log file inside the served root" test ! -e "$W/access.log"
		check_eq "--chroot: the log cannot be downloaded" 404 "$(hget "$T/h3" "$(url /access.log)")"
		stop_httpd
	else
		cd "$here" || exit 1
		fail "--chroot -u nobody -l access.log starts" "$(head -c 300 "$HTTPD_LOG")"
	fi
else
	skip "root without -u, --chroot and SIGHUP" "not running as root"
fi

finish
