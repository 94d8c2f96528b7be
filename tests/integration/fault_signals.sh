#!/bin/sh
# fault_signals.sh: SIGTERM during transfers lets every response in flight
# complete (exact bytes), refuses new connections, then exits 0 — with one
# worker and with several. SIGHUP reopens the access log: after the log is
# renamed away and HUP sent, new lines go to a new file at the old name.
. "$(dirname "$0")/../lib.sh"

R=$(mkroot site)
python3 -c '
import sys
with open(sys.argv[1], "wb") as f:
    f.write(bytes((i * 13) & 255 for i in range(1 << 20)) * 16)' "$R/big.bin"
want=$(sha256sum "$R/big.bin" | cut -d' ' -f1)
printf 'small\n' >"$R/a.txt"

term_during_transfers() { # WORKERS
	start_httpd "$R" -w "$1" -l off || { fail "httpd -w $1 starts"; return; }
	pids=""
	i=0
	while [ $i -lt 4 ]; do
		# 16 MiB at 8 MiB/s: about 2 s each, so the signal lands mid-transfer.
		curl -s --noproxy '*' --max-time 30 --limit-rate 8M -o "$TEST_TMP/dl.$1.$i" \
			"http://127.0.0.1:$PORT/big.bin" &
		pids="$pids $!"
		i=$((i + 1))
	done
	sleep 0.7
	kill -TERM "$HTTPD_PID"
	sleep 0.3
	code=$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/a.txt")
	if [ "$code" = 000 ]; then ok "-w $1: after TERM new connections are refused"; else
		fail "-w $1: after TERM new connections are refused" "got $code"; fi
	good=0
	for p in $pids; do
		wait_pid "$p" 30
		[ "$WAIT_STATUS" = 0 ] && good=$((good + 1))
	done
	check_eq "-w $1: all 4 transfers in flight at TERM completed" 4 "$good"
	same=0
	i=0
	while [ $i -lt 4 ]; do
		[ "$(sha256sum "$TEST_TMP/dl.$1.$i" | cut -d' ' -f1)" = "$want" ] && same=$((same + 1))
		i=$((i + 1))
	done
	check_eq "-w $1: with exact bytes" 4 "$same"
	wait_pid "$HTTPD_PID" 20
	check_eq "-w $1: httpd exits 0 after TERM" 0 "$WAIT_STATUS"
	left=$(pgrep -f "httpd -p $PORT " | wc -l)
	check_eq "-w $1: no httpd process left behind" 0 "$left"
}
term_during_transfers 1
term_during_transfers 2

# SIGHUP reopens the log; so does SIGUSR1 (nginx's reopen signal), with
# one worker and with two (the parent forwards it).
reopen_log() { # SIGNAL WORKERS
	LOG=$TEST_TMP/access-$1-$2.log
	start_httpd "$R" -w "$2" -l "$LOG" || { fail "httpd starts with -l FILE"; return; }
	hcurl -o /dev/null "http://127.0.0.1:$PORT/a.txt?before-$1"
	mv "$LOG" "$LOG.1"
	kill -"$1" "$HTTPD_PID"
	sleep 0.5
	check "-w $2: httpd survives SIG$1" lib_alive "$HTTPD_PID"
	hcurl -o /dev/null "http://127.0.0.1:$PORT/a.txt?after-$1"
	n=0
	while [ ! -s "$LOG" ] && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
	stop_httpd TERM 10
	check_eq "-w $2: httpd exits 0 after TERM" 0 "$HTTPD_STATUS"
	check "-w $2: a new log file exists at the old name after $1" test -f "$LOG"
	check_contains "-w $2: the new log has the request made after $1" "$LOG" "after-$1"
	check_lacks "-w $2: the new log lacks the request made before $1" "$LOG" "before-$1"
	check_contains "-w $2: the renamed log kept the request made before $1" "$LOG.1" "before-$1"
	check_lacks "-w $2: the renamed log got nothing after $1" "$LOG.1" "after-$1"
}
reopen_log HUP 1
reopen_log USR1 1
reopen_log USR1 2
finish
