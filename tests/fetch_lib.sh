# tests/fetch_lib.sh: what fetch's integration scripts share (after lib.sh).
#
# F (the binary), SERVER (tests/fetch_server.py), W (a work folder);
# start_server [--ipv6] sets SPORT; U is the first server's URL.
# clean_dir, only_files NAME LISTING; good NAME PATH [ARGS...] (fetch saves
# what curl -L saves, exit 0, quiet stderr); bad NAME PATH STATUS [ARGS...]
# (that status, one stderr line naming the URL, the previous file intact,
# no new file, no temporary file).
F="$BIN/fetch"
SERVER="$(cd "$(dirname "$0")/.." && pwd)/fetch_server.py"
W="$TEST_TMP/work"
mkdir -p "$W"

# start_server [--ipv6]: sets SPORT (empty when it did not start).
start_server() {
	pf="$TEST_TMP/port.$$.$#"
	rm -f "$pf"
	python3 "$SERVER" --port-file "$pf" "$@" >/dev/null 2>"$TEST_TMP/server.log" </dev/null &
	track_pid $!
	n=0
	while [ ! -s "$pf" ] && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	SPORT=$(cat "$pf" 2>/dev/null)
}

start_server
if [ -z "$SPORT" ]; then
	fail "fetch_server.py started" "$(head -c 300 "$TEST_TMP/server.log")"
	finish
fi
U="http://127.0.0.1:$SPORT"

# Only these files may be in $W after a run: no temporary file left behind.
clean_dir() {
	rm -rf "$W"
	mkdir -p "$W"
}
only_files() { # NAME EXPECTED-LISTING
	got=$(cd "$W" && ls -A | tr '\n' ' ')
	check_eq "$1: no stray files" "$2" "$got"
}

# good NAME PATH [FETCH-ARGS...]: fetch equals curl, status 0, quiet stderr.
good() {
	name=$1 path=$2
	shift 2
	clean_dir
	timeout 30 "$F" -q -o "$W/got" "$@" "$U$path" 2>"$TEST_TMP/err"
	rc=$?
	curl -s -L --max-time 20 -o "$W/want" "$U$path"
	check_eq "$name: exit status" 0 "$rc"
	if cmp -s "$W/got" "$W/want"; then ok "$name: same bytes as curl"; else
		fail "$name: same bytes as curl" "$(wc -c <"$W/got" 2>&1) vs $(wc -c <"$W/want")"; fi
	check_eq "$name: nothing on stderr" "" "$(cat "$TEST_TMP/err")"
	only_files "$name" "got want "
}

# bad NAME PATH STATUS [FETCH-ARGS...]: the status, one line, old file kept.
bad() {
	name=$1 path=$2 want=$3
	shift 3
	clean_dir
	printf 'previous contents\n' >"$W/prev"
	timeout 30 "$F" -q -o "$W/prev" "$@" "$U$path" 2>"$TEST_TMP/err"
	rc=$?
	check_eq "$name: exit status $want" "$want" "$rc"
	check_eq "$name: previous file intact" "previous contents" "$(cat "$W/prev")"
	check_eq "$name: one stderr line" 1 "$(wc -l <"$TEST_TMP/err" | tr -d ' ')"
	check_contains "$name: the line names the URL" "$TEST_TMP/err" "$U$path"
	only_files "$name" "prev "
	# And with no earlier file: none appears.
	timeout 30 "$F" -q -o "$W/new" "$@" "$U$path" 2>/dev/null
	check "$name: no new file" test ! -e "$W/new"
}

