#!/bin/sh
# httpd_tls_tickets.sh: session ticket keys made in memory and rotated every
# 12 hours of httpd's clock (lib/tls.h): time(2), read once a second by each
# worker's loop and by the parent when it forks a worker, which libfaketime
# moves here (FAKETIME_TIMESTAMP_FILE is read again on every call, so the test
# sets httpd's time by writing a file; no assertion depends on how fast
# anything runs). A ticket resumes within
# its period and one rotation later, not two rotations later (while its 24 h
# lifetime would still allow it: the key is gone); every worker of -w 2 takes
# every ticket, a restarted worker too; a reload keeps them; another httpd
# process takes none.
. "$(dirname "$0")/../lib.sh"

FT=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
if [ -z "$FT" ]; then
	skip "ticket rotation" "libfaketime is not installed (Debian: libfaketime)"
	finish
fi
T=$TEST_TMP
C=$T/certs
sh "$(dirname "$0")/../tls-certs.sh" "$C" || { fail "test certificates made"; finish; }
R=$(mkroot site)
printf 'hello\n' >"$R/index.html"

# httpd's wall clock: frozen at the time written here (UTC), monotonic time real.
clock() { echo "$1" >"$T/clock"; sleep 2.5; } # the loop reads it once a second; slack for a loaded machine
# Days within the test certificates' validity (made now, for 825 days).
D1=$(date -u -d "+1 day" +%Y-%m-%d)
D2=$(date -u -d "+2 days" +%Y-%m-%d)
clock "$D1 11:50:00" # period boundaries: 00:00 and 12:00 UTC
# serve ARGS: httpd under libfaketime (the assignments last for this call in dash).
serve() {
	LD_PRELOAD="$FT" FAKETIME_TIMESTAMP_FILE="$T/clock" FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=1 NO_FAKE_STAT=1 TZ=UTC \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		start_httpd "$R" --tls-cert "$T/live.pem" --tls-key "$T/live.key" "$@"
}
cp "$C/server.pem" "$T/live.pem"
cp "$C/server.key" "$T/live.key"
serve -w 2 || { fail "httpd starts under libfaketime" "$(head -c 300 "$HTTPD_LOG")"; finish; }

REQ='GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
KEEP='GET / HTTP/1.1\r\nHost: x\r\n\r\n'
# get NAME [s_client args]: a full connection; its last ticket goes to $T/NAME.
get() {
	n=$1
	shift
	(printf "$REQ"; sleep 0.5) | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" \
		-servername localhost -CAfile "$C/ca.pem" -ign_eof -sess_out "$T/$n" "$@" >"$T/$n.out" 2>&1
}
# held [s_client args]: a connection held open for two requests, s_client's
# output in $T/r.out; the worker that took it goes to $T/pids.
held() {
	(printf "$KEEP"; sleep 0.6; printf "$REQ") | timeout 10 openssl s_client \
		-connect "127.0.0.1:$PORT" -servername localhost -CAfile "$C/ca.pem" -ign_eof "$@" \
		>"$T/r.out" 2>&1 &
	rp=$!
	k=0
	while [ $k -lt 50 ] && kill -0 "$rp" 2>/dev/null; do
		w=$(ss -tnpH state established "( sport = :$PORT )" 2>/dev/null |
			sed -n 's/.*pid=\([0-9]*\).*/\1/p')
		[ -n "$w" ] && echo "$w" >>"$T/pids" && break
		sleep 0.1
		k=$((k + 1))
	done
	wait "$rp"
	grep -q "HTTP/1.1 200" "$T/r.out" || echo "no answer: $(head -c 200 "$T/r.out")"
}
# resumes NAME [s_client args]: "Reused" or "New" for a held connection
# offering ticket NAME.
resumes() {
	n=$1
	shift
	held -sess_in "$T/$n" "$@"
	sed -n 's/^\(Reused\|New\), .*/\1/p' "$T/r.out" | head -n 1
}

get a13
get a12 -tls1_2
check_contains "a ticket's lifetime hint is 24 hours" "$T/a13.out" "lifetime hint: 86400"
check_eq "TLS 1.3: resumes within the period" "Reused" "$(resumes a13)"
check_eq "TLS 1.2: resumes within the period" "Reused" "$(resumes a12 -tls1_2)"

clock "$D1 12:10:00"
check_eq "TLS 1.3: resumes one rotation later (the previous key)" "Reused" "$(resumes a13)"
check_eq "TLS 1.2: resumes one rotation later (the previous key)" "Reused" "$(resumes a12 -tls1_2)"
get b13
get b12 -tls1_2

clock "$D2 00:10:00"
check_eq "TLS 1.3: two rotations later the key is gone (ticket 12 h 20 min old)" "New" \
	"$(resumes a13)"
check_eq "TLS 1.2: two rotations later the key is gone" "New" "$(resumes a12 -tls1_2)"
check_eq "a ticket of the next period still resumes" "Reused" "$(resumes b13)"

# Every worker has the same keys: resumptions land on both (SO_REUSEPORT
# spreads connections by their ports), and every one resumes.
# on_both_workers LABEL WANT CMD...: runs CMD (one held connection) until
# both workers took one; every one must print WANT.
on_both_workers() {
	label=$1 want=$2
	shift 2
	: >"$T/pids"
	res=""
	i=0
	while [ $i -lt 12 ]; do
		res="$res $("$@")"
		i=$((i + 1))
		[ $i -ge 4 ] && [ "$(sort -u "$T/pids" | wc -l)" -ge 2 ] && break
	done
	check_eq "$label: every connection, on any worker: $want" "" \
		"$(echo "$res" | tr ' ' '\n' | grep -v '^$' | grep -vx "$want")"
	if [ -s "$T/pids" ]; then
		check_eq "$label: both workers took connections" "2" \
			"$(sort -u "$T/pids" | wc -l | tr -d ' ')"
	else
		skip "$label: both workers took connections" "ss shows no process names here"
	fi
}
on_both_workers "-w 2: ticket of the last period" Reused resumes b13
# A worker that dies is forked again from the parent, which steps its ratchet
# (last moved at the first fork, two periods ago) to now before forking: the
# new worker must hold the same keys as the one still running.
restart_worker() {
	w1=$(pgrep -P "$HTTPD_PID" | head -n 1)
	kill -KILL "$w1"
	n=0
	while [ $n -lt 50 ] && [ "$(pgrep -P "$HTTPD_PID" | grep -vx "$w1" | wc -l)" -lt 2 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
restart_worker
check_contains "a killed worker is restarted" "$HTTPD_LOG" "restarting"
on_both_workers "a restarted worker" Reused resumes b13

kill -HUP "$HTTPD_PID"
sleep 1
check_contains "reload logged" "$HTTPD_LOG" "reloaded"
: >"$T/pids"
check_eq "after a reload, tickets given out before still resume" "Reused Reused Reused Reused" \
	"$(echo $(resumes b13) $(resumes b13) $(resumes b12 -tls1_2) $(resumes b12 -tls1_2))"

# A worker restarted after a reload serves the reloaded pair too (the parent
# reloads for the workers it forks later), with the same ticket keys.
keybits() {
	held "$@"
	sed -n 's/^Server public key is \([0-9]*\) bit.*/\1/p' "$T/r.out" | head -n 1
}
cp "$C/rsa.pem" "$T/live.pem"
cp "$C/rsa.key" "$T/live.key"
kill -HUP "$HTTPD_PID"
sleep 1
restart_worker
on_both_workers "reload, then a restarted worker: the new RSA 2048 pair" 2048 keybits
on_both_workers "reload, then a restarted worker: tickets" Reused resumes b13

# Another process makes its own secret: it takes none of these tickets.
stop_httpd
serve -w 1 || { fail "a second httpd starts"; finish; }
check_eq "another httpd's keys differ: a full handshake" "New" "$(resumes b13)"
stop_httpd
finish
