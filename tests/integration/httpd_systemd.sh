#!/bin/sh
# systemd: socket activation with systemd-socket-activate (the sockets it
# binds are the ones httpd serves, with every worker, also over TLS), the hand-over's error
# cases, and the units in contrib/systemd passing systemd-analyze.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v systemd-socket-activate >/dev/null 2>&1; then
	fail "systemd-socket-activate is installed (make deps installs systemd)"
	finish
fi
www=$(mkroot www)
echo "activated" >"$www/index.html"

# activate PORT... -- ARGS: httpd under systemd-socket-activate on the ports.
# Sets SA_PID (httpd's pid once exec'd) and SA_LOG.
activate() {
	sa_l=""
	while [ "$1" != "--" ]; do
		sa_l="$sa_l -l 127.0.0.1:$1"
		shift
	done
	shift
	SA_LOG="$TEST_TMP/httpd.sa$$.$(date +%N).log"
	# shellcheck disable=SC2086
	systemd-socket-activate $sa_l "$BIN/httpd" "$@" "$www" >"$SA_LOG.out" 2>"$SA_LOG" </dev/null &
	SA_PID=$!
	track_pid "$SA_PID"
}

wait_port() { # PORT: the socket is bound by systemd-socket-activate
	n=0
	while [ $n -lt 50 ] && ! lib_port_open 127.0.0.1 "$1"; do
		sleep 0.1
		n=$((n + 1))
	done
}

children() {
	for s in /proc/[0-9]*/stat; do
		set -- $(sed 's/.*) //' "$s" 2>/dev/null)
		[ "${2:-}" = "$SA_PID" ] && basename "$(dirname "$s")"
	done
}

get() { # PORT -> status and body
	hcurl -w ' %{http_code}' "http://127.0.0.1:$1/" | tr -d '\n'
}

# --- one socket, three workers --------------------------------------------------
P=$(free_port)
activate "$P" -- -w 3 -p 1 -l -
wait_port "$P"
check_eq "the inherited socket is served" "activated 200" "$(get "$P")"
check_contains "the start-up line names the inherited port" "$SA_LOG.out" ":$P/"
check_contains "the access log works" "$SA_LOG" '"GET / HTTP/1.1" 200'
n=0
while [ $n -lt 30 ] && [ "$(children | wc -l)" -lt 3 ]; do sleep 0.1; n=$((n + 1)); done
workers=$(children)
check_eq "three workers" 3 "$(echo "$workers" | wc -l)"
# Each worker serves the socket alone while the two others are stopped.
for w in $workers; do
	others=$(echo "$workers" | grep -vx "$w")
	kill -STOP $others
	got=""
	for i in 1 2 3 4; do got="$got$(get "$P")."; done
	kill -CONT $others
	check_eq "worker $w serves the inherited socket alone" \
		"activated 200.activated 200.activated 200.activated 200." "$got"
done
kill -TERM "$SA_PID"
wait_pid "$SA_PID" 15
check_eq "SIGTERM: exit 0" 0 "$WAIT_STATUS"

# --- two sockets, -w 1: a worker for each ---------------------------------------
P1=$(free_port)
P2=$(free_port)
activate "$P1" "$P2" -- -w 1 -l off
wait_port "$P1"
check_eq "first of two sockets served" "activated 200" "$(get "$P1")"
check_eq "second of two sockets served" "activated 200" "$(get "$P2")"
n=0
while [ $n -lt 30 ] && [ "$(children | wc -l)" -lt 2 ]; do sleep 0.1; n=$((n + 1)); done
check_eq "as many workers as sockets" 2 "$(children | wc -l)"
kill -TERM "$SA_PID"
wait_pid "$SA_PID" 15

# --- TLS: the inherited sockets are the HTTPS listeners, two workers --------------
C=$TEST_TMP/certs
sh "$(dirname "$0")/../tls-certs.sh" "$C" || { fail "test certificates made"; finish; }
P=$(free_port)
activate "$P" -- -w 2 -l off --tls-cert "$C/server.pem" --tls-key "$C/server.key"
wait_port "$P"
check_eq "the inherited socket serves HTTPS (verified)" "activated 200" \
	"$(hcurl --cacert "$C/ca.pem" -w ' %{http_code}' "https://localhost:$P/" | tr -d '\n')"
check_contains "the start-up line says https" "$SA_LOG.out" "https://"
check_eq "plain HTTP on it: 400" 400 "$(hcurl -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/")"
kill -TERM "$SA_PID"
wait_pid "$SA_PID" 15
check_eq "SIGTERM: exit 0" 0 "$WAIT_STATUS"

# --- the hand-over's other cases, set up by hand ----------------------------------
# handover KIND [ENV...]: httpd exec'd with descriptor 3 of KIND (udp,
# unbound, listen) and LISTEN_FDS=1, LISTEN_PID=its pid, then ENV applied.
# exec: run in the background, its pid is httpd's, for the kill below.
handover() {
	exec python3 -c 'import os, socket, sys
kind, env, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
if kind == "listen":
    s.bind(("127.0.0.1", 0))
    s.listen()
    print(s.getsockname()[1], flush=True)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
for kv in filter(None, env.split(",")):
    k, v = kv.split("=", 1)
    os.environ[k] = v
os.execv(argv[0], argv)' "$@"
}
out=$(handover udp "" "$BIN/httpd" -l off "$www" 2>&1)
check_eq "a UDP socket is refused: exit 1" "1" "$?"
case $out in *"not a listening TCP socket"*) ok "the refusal says why" ;;
*) fail "the refusal says why" "$out" ;; esac
out=$(handover unbound "" "$BIN/httpd" -l off "$www" 2>&1)
check_eq "a socket that does not listen is refused" "1 httpd: inherited descriptor 3: not a listening TCP socket" "$? $out"
out=$(handover listen "LISTEN_FDS=x" "$BIN/httpd" -l off "$www" 2>&1 | tail -1)
check_eq "a bad LISTEN_FDS is refused" "httpd: LISTEN_FDS 'x': expected 1 to 64 sockets" "$out"
# LISTEN_PID of another process: not ours; httpd binds its own port.
Q=$(free_port)
handover listen "LISTEN_PID=1" "$BIN/httpd" -p "$Q" -b 127.0.0.1 -l off "$www" \
	>"$TEST_TMP/other.out" 2>&1 &
other=$!
track_pid "$other"
wait_port "$Q"
check_eq "another process's LISTEN_PID is ignored" "activated 200" "$(get "$Q")"
kill -TERM "$other"
wait_pid "$other" 15

# --- the units ---------------------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
	units="$TEST_TMP/units"
	mkdir -p "$units"
	cp "$ROOT/contrib/systemd/httpd.socket" "$units/"
	# verify wants ExecStart's program to exist: the one under test.
	sed "s#/usr/local/bin/httpd#$BIN/httpd#" "$ROOT/contrib/systemd/httpd.service" \
		>"$units/httpd.service"
	check_contains "the unit runs /usr/local/bin/httpd" "$ROOT/contrib/systemd/httpd.service" \
		"ExecStart=/usr/local/bin/httpd "
	# verify reports bad settings on stderr but exits 0 for many: both must be clean.
	out=$(cd "$units" && systemd-analyze verify --man=no ./httpd.socket ./httpd.service 2>&1)
	check_eq "systemd-analyze verify: exit 0, nothing to say" "0:" "$?:$out"
	out=$(cd "$units" && systemd-analyze security --offline=yes --threshold=20 ./httpd.service 2>&1)
	check_eq "systemd-analyze security: exposure 2.0 or less" 0 "$?"
	echo "# $(echo "$out" | grep 'Overall exposure')"
else
	fail "systemd-analyze is installed (make deps installs systemd)"
fi

finish
