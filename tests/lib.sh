# tests/lib.sh: shared helpers for the integration scripts (POSIX sh, dash).
#
# Source it first thing:   . "$(dirname "$0")/../lib.sh"
# Environment: BIN (absolute folder of httpd and fetch), HELPERS (built helper
# programs). Everything network-bound is bounded in time and uses loopback only.
#
# Results:   ok NAME | fail NAME [DETAILS] | skip NAME REASON
#            check NAME CMD [ARGS...]         (ok when CMD exits 0)
#            check_eq NAME EXPECTED ACTUAL
#            check_contains NAME FILE TEXT    (fixed string, in file)
#            check_lacks NAME FILE TEXT
#            finish                           (summary line, exit status;
#                                              fails on sanitizer reports in
#                                              httpd logs)
# Processes: free_port; start_httpd ROOT [ARGS...] (sets PORT HTTPD_PID
#            HTTPD_LOG; returns non-zero if it never accepted);
#            stop_httpd [SIGNAL] [SECONDS] (sets HTTPD_STATUS);
#            track_pid PID; wait_pid PID SECONDS (sets WAIT_STATUS).
# Files:     TEST_TMP (a private temp dir, removed at exit); mkroot NAME.
# HTTP:      hcurl ARGS... (curl, silent, bounded, no proxy);
#            raw_request [-h HOST] [-p PORT] [-s PIECE] [-d DELAY] [-m MARK]
#                        [-t IDLE] [-T TOTAL] [-e] [-E FILE] [REQUEST]
#              sends REQUEST (backslash escapes \r \n \t \xHH \\ decoded) or
#              stdin, in PIECE-byte pieces or split at MARK, DELAY seconds
#              apart; prints everything received until the peer closes or
#              nothing arrived for IDLE seconds (default 2). Exit 0: the
#              server closed the connection; 3: still open at timeout; 1:
#              connect failed. -e half-closes after sending. -E writes the
#              elapsed seconds to FILE.
#            status_of FILE (first status code); status_list FILE (all
#            status codes, one per line); header_of FILE NAME (first value);
#            body_of FILE (after the first blank line).
#            hget OUT CURL-ARGS (OUT.h head, OUT.b body, prints status);
#            url PATH (http://127.0.0.1:$PORT/PATH).

: "${BIN:?BIN must name the folder holding httpd and fetch}"
LIB_PASS=0
LIB_FAIL=0
LIB_PIDS=""
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/httpd-test.XXXXXX") || exit 1
export TEST_TMP

# Only our own children: a reaped pid may have been reused by anyone.
lib_ours() {
	[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f2)" = "$$" ]
}

lib_cleanup() {
	lib_live=""
	for p in $LIB_PIDS; do
		if lib_ours "$p" && lib_alive "$p"; then
			kill -TERM "$p" 2>/dev/null
			lib_live="$lib_live $p"
		fi
	done
	for p in $lib_live; do
		n=0
		while lib_alive "$p" && [ $n -lt 20 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		lib_ours "$p" && lib_alive "$p" && kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$TEST_TMP"
}
trap 'lib_cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap '' PIPE

ok() {
	LIB_PASS=$((LIB_PASS + 1))
	echo "ok - $1"
}

fail() {
	LIB_FAIL=$((LIB_FAIL + 1))
	if [ $# -gt 1 ]; then
		echo "FAIL - $1 ($2)"
	else
		echo "FAIL - $1"
	fi
}

skip() {
	echo "ok - $1 # SKIP $2"
}

check() {
	lib_name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$lib_name"; else fail "$lib_name" "command failed: $*"; fi
}

check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

check_contains() {
	if grep -qF -- "$3" "$2" 2>/dev/null; then
		ok "$1"
	else
		fail "$1" "'$3' not found in: $(head -c 300 "$2" 2>/dev/null | tr '\r\n' '  ')"
	fi
}

check_lacks() {
	if grep -qF -- "$3" "$2" 2>/dev/null; then
		fail "$1" "unexpected '$3' in: $(head -c 300 "$2" | tr '\r\n' '  ')"
	else
		ok "$1"
	fi
}

finish() {
	# Sanitizer builds (make asan) report into the servers' stderr logs.
	for lib_log in "$TEST_TMP"/httpd.*.log; do
		[ -f "$lib_log" ] || continue
		if grep -q -e 'AddressSanitizer' -e 'LeakSanitizer' -e 'runtime error:' "$lib_log"; then
			fail "no sanitizer report in $(basename "$lib_log")" \
				"$(grep -m 3 -e 'Sanitizer' -e 'runtime error:' "$lib_log" | tr '\n' ' ')"
		fi
	done
	echo "$LIB_PASS passed, $LIB_FAIL failed"
	[ "$LIB_FAIL" -eq 0 ] && exit 0
	exit 1
}

# A zombie still answers kill -0, so look at the process state.
lib_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	lib_state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$lib_state" ] && [ "$lib_state" != Z ] && [ "$lib_state" != X ]
}

track_pid() {
	LIB_PIDS="$LIB_PIDS $1"
}

# wait_pid PID SECONDS: reaps a child of this shell, killing it after SECONDS.
# WAIT_STATUS gets its exit status (137 if it had to be killed).
wait_pid() {
	(
		sleep "$2"
		kill -KILL "$1" 2>/dev/null
	) >/dev/null 2>&1 &
	lib_wd=$!
	wait "$1"
	WAIT_STATUS=$?
	# KILL: the subshell inherited the TERM trap, which would wait for sleep.
	kill -KILL "$lib_wd" 2>/dev/null
	wait "$lib_wd" 2>/dev/null
	return 0
}

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# lib_port_open HOST PORT: one bounded connect attempt.
lib_port_open() {
	python3 -c 'import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), 0.5).close()
except OSError:
    sys.exit(1)' "$1" "$2" 2>/dev/null
}

# start_httpd ROOT [ARGS...]: "$BIN/httpd -p PORT -b 127.0.0.1 ARGS... ROOT".
# Set HTTPD_BIND to another address (or to "" for none) before calling to
# change the -b. A port lost to a race is retried with a fresh one.
start_httpd() {
	lib_root=$1
	shift
	lib_try=0
	HTTPD_LOG="$TEST_TMP/httpd.$$.$lib_try.log"
	while [ $lib_try -lt 3 ]; do
		PORT=$(free_port)
		HTTPD_LOG="$TEST_TMP/httpd.$PORT.log"
		if [ "${HTTPD_BIND-127.0.0.1}" = "" ]; then
			"$BIN/httpd" -p "$PORT" "$@" "$lib_root" >"$HTTPD_LOG.out" 2>"$HTTPD_LOG" </dev/null &
		else
			"$BIN/httpd" -p "$PORT" -b "${HTTPD_BIND-127.0.0.1}" "$@" "$lib_root" \
				>"$HTTPD_LOG.out" 2>"$HTTPD_LOG" </dev/null &
		fi
		HTTPD_PID=$!
		track_pid "$HTTPD_PID"
		lib_host=${HTTPD_BIND-127.0.0.1}
		case "$lib_host" in "" | 0.0.0.0 | ::) lib_host=127.0.0.1 ;; esac
		lib_n=0
		while [ $lib_n -lt 50 ]; do
			if ! lib_alive "$HTTPD_PID"; then
				break
			fi
			if lib_port_open "$lib_host" "$PORT"; then
				return 0
			fi
			sleep 0.1
			lib_n=$((lib_n + 1))
		done
		if lib_alive "$HTTPD_PID"; then
			echo "# httpd did not accept within 5 s; log: $(head -c 300 "$HTTPD_LOG")" >&2
			kill -KILL "$HTTPD_PID" 2>/dev/null
			return 1
		fi
		wait "$HTTPD_PID" 2>/dev/null
		echo "# httpd exited at start: $(head -c 300 "$HTTPD_LOG")" >&2
		lib_try=$((lib_try + 1))
	done
	return 1
}

# stop_httpd [SIGNAL] [SECONDS]: signals the last started httpd, reaps it.
stop_httpd() {
	kill -"${1:-TERM}" "$HTTPD_PID" 2>/dev/null
	wait_pid "$HTTPD_PID" "${2:-5}"
	HTTPD_STATUS=$WAIT_STATUS
}

mkroot() {
	mkdir -p "$TEST_TMP/$1" && echo "$TEST_TMP/$1"
}

hcurl() {
	curl -sS --max-time 5 --noproxy '*' "$@"
}

LIB_RAW_PY='
import os, select, socket, sys, time, getopt
opts, rest = getopt.getopt(sys.argv[1:], "h:p:s:d:m:t:T:eE:")
o = dict(opts)
host = o.get("-h", "127.0.0.1")
port = int(o.get("-p", os.environ.get("PORT", "0")))
piece = int(o.get("-s", "0"))
delay = float(o.get("-d", "0"))
idle = float(o.get("-t", "2"))
total = float(o.get("-T", "15"))
if rest:
    data = rest[0].encode("latin-1").decode("unicode_escape").encode("latin-1")
else:
    data = sys.stdin.buffer.read()
if "-m" in o:
    pieces = data.split(o["-m"].encode("latin-1"))
elif piece > 0:
    pieces = [data[i:i + piece] for i in range(0, len(data), piece)]
else:
    pieces = [data]
start = time.monotonic()
out = sys.stdout.buffer
try:
    s = socket.create_connection((host, port), 5)
except OSError as e:
    sys.stderr.write("raw_request: connect: %s\n" % e)
    sys.exit(1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
closed = False

def drain(wait):
    global closed
    end = time.monotonic() + wait
    while not closed:
        left = end - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return
        try:
            b = s.recv(65536)
        except (ConnectionResetError, OSError):
            b = b""
        if not b:
            closed = True
            return
        out.write(b)

for i, p in enumerate(pieces):
    if closed or time.monotonic() - start > total:
        break
    try:
        s.sendall(p)
    except (BrokenPipeError, ConnectionResetError, OSError):
        break
    if delay and i + 1 < len(pieces):
        drain(delay)
if "-e" in o and not closed:
    try:
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
last = time.monotonic()
while not closed:
    now = time.monotonic()
    if now - start > total:
        break
    r, _, _ = select.select([s], [], [], min(idle, max(0.0, total - (now - start))))
    if not r:
        break
    try:
        b = s.recv(65536)
    except (ConnectionResetError, OSError):
        b = b""
    if not b:
        closed = True
        break
    out.write(b)
out.flush()
if "-E" in o:
    with open(o["-E"], "w") as f:
        f.write("%.2f\n" % (time.monotonic() - start))
s.close()
sys.exit(0 if closed else 3)
'

raw_request() {
	PORT=${PORT:-0} python3 -c "$LIB_RAW_PY" "$@"
}

status_of() {
	head -n 1 "$1" | cut -d' ' -f2
}

# Status lines anywhere (a body without a final newline may precede one).
status_list() {
	grep -ao 'HTTP/1\.[01] [0-9][0-9][0-9] ' "$1" | cut -d' ' -f2
}

header_of() {
	tr -d '\r' <"$1" | awk -v n="$2" 'BEGIN { n = tolower(n) ":" }
		/^$/ { exit }
		{ i = index($0, ":"); if (tolower(substr($0, 1, i)) == n) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); print v; exit } }'
}

body_of() {
	python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
i = d.find(b"\r\n\r\n")
sys.stdout.buffer.write(d[i + 4:] if i >= 0 else b"")' "$1"
}

# hget OUT CURL-ARGS...: head to OUT.h, body to OUT.b, status code printed.
hget() {
	lib_out=$1
	shift
	rm -f "$lib_out.h" "$lib_out.b"
	hcurl -D "$lib_out.h" -o "$lib_out.b" -w '%{http_code}' "$@" 2>"$lib_out.err"
}

# url PATH: the address of the last started httpd.
url() {
	echo "http://127.0.0.1:$PORT$1"
}
