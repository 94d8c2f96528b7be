#!/bin/sh
# -j, --parallel (issue 14, "Several files"): transfers at once, each atomic,
# output whole per URL and in the order given, the first failure's status,
# workers' temporary files gone after SIGTERM. Overlap is proven without a
# clock: /hold/ID/K answers only once K requests for it wait at once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fetch_lib.sh"

# Four held URLs need four transfers at once; failures among them.
clean_dir
(cd "$W" && timeout 60 "$F" -q -j 4 "$U/hold/p1/4/a" "$U/truncated" "$U/hold/p1/4/b" \
	"$U/status/404" "$U/hold/p1/4/c" "$U/hold/p1/4/d" "$U/big/300000") 2>"$TEST_TMP/err"
check_eq "-j 4: the first failure's status (7, truncated)" 7 "$?"
check_eq "-j 4: the held files (they overlapped)" "a b c d" \
	"$(cd "$W" && cat a b c d 2>&1 | tr '\n' ' ' | sed 's/ $//')"
python3 "$SERVER" --dump /big/300000 >"$TEST_TMP/big"
check "-j 4: the large file" cmp "$W/300000" "$TEST_TMP/big"
only_files "-j 4 with failures" "300000 a b c d "
check_eq "-j 4: two error lines" 2 "$(wc -l <"$TEST_TMP/err" | tr -d ' ')"
check_eq "-j 4: errors in the order given" "$U/truncated $U/status/404" \
	"$(awk '{print $2}' "$TEST_TMP/err" | sed 's/:$//' | tr '\n' ' ' | sed 's/ $//')"

# Output in the order given although the held URLs finish last.
clean_dir
(cd "$W" && timeout 60 "$F" -j 4 "$U/hold/p2/3/a" "$U/hello" "$U/hold/p2/3/b" \
	"$U/status/404" "$U/hold/p2/3/c") >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_eq "order: status 8" 8 "$?"
check_eq "order: heads in the order given" "2 12 2 15 2" \
	"$(sed -n 's/^Content-Length: //p' "$TEST_TMP/out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "order: the 404 reported" 1 "$(grep -c "$U/status/404: server answered 404" "$TEST_TMP/err")"
# ... and the same bytes as one at a time.
for j in 1 3; do
	clean_dir
	(cd "$W" && timeout 60 "$F" -j $j "$U/chunked" "$U/redirect/302" "$U/status/500" \
		"$U/ka/o$j/keep/x" "$U/interim") >"$TEST_TMP/out.$j" 2>"$TEST_TMP/err.$j"
	echo "$?" >>"$TEST_TMP/out.$j"
done
check "-j 3 prints what -j 1 prints (stdout, status)" cmp "$TEST_TMP/out.1" "$TEST_TMP/out.3"
check "-j 3 prints what -j 1 prints (stderr)" cmp "$TEST_TMP/err.1" "$TEST_TMP/err.3"

# -i: the list, comments and blank lines skipped; with -o DIRECTORY.
clean_dir
mkdir "$W/d"
printf '# a list\n%s\n\n  %s  \n%s\n' "$U/hold/p3/2/x" "$U/hold/p3/2/y" "$U/name/z" >"$TEST_TMP/list"
timeout 60 "$F" -q -j 2 -i "$TEST_TMP/list" -o "$W/d"
check_eq "-j with -i and -o DIR: exit 0" 0 "$?"
check_eq "-j with -i and -o DIR: the files" "x y z" "$(ls "$W/d" | tr '\n' ' ' | sed 's/ $//')"
check_eq "-j with -i and -o DIR: contents" "x y name" \
	"$(cat "$W/d/x" "$W/d/y" "$W/d/z" | tr '\n' ' ' | sed 's/ $//')"
# An unreadable list: its line after the URLs', the first failure's status.
for j in 1 2; do
	(cd "$W" && timeout 60 "$F" -q -j $j "$U/status/404" "$U/name/n$j" -i "$TEST_TMP/none") \
		2>"$TEST_TMP/err"
	check_eq "-j $j, a failed URL and no -i list: status 8" 8 "$?"
	check_eq "-j $j, a failed URL and no -i list: the list's line last" \
		"fetch: -i $TEST_TMP/none: No such file or directory" "$(tail -n 1 "$TEST_TMP/err")"
done
# -o -: one stream, so one at a time, bodies in order.
timeout 60 "$F" -q -j 4 -o - "$U/name/a" "$U/hello" "$U/name/b" >"$TEST_TMP/out"
check_eq "-j with -o -: bodies in order" "name hello world name" \
	"$(tr '\n' ' ' <"$TEST_TMP/out" | sed 's/ $//')"
# -o FILE still takes one URL.
timeout 10 "$F" -q -j 2 -o "$W/f" "$U/hello" "$U/name/a" 2>"$TEST_TMP/err"
check_eq "-j with -o FILE and two URLs: usage" 2 "$?"
for bad in 0 65 x; do
	"$F" -j "$bad" "$U/hello" 2>/dev/null
	check_eq "-j $bad: usage" 2 "$?"
done

# Two URLs of one output file: -j ends as -j 1 does, with the later URL's
# body, whatever finishes first (here the earlier URL is the larger).
for j in 1 3; do
	clean_dir
	(cd "$W" && timeout 60 "$F" -q -j $j "$U/big/2000000?a" "$U/name/2000000" "$U/hello")
	check_eq "one name twice, -j $j: exit 0" 0 "$?"
	check_eq "one name twice, -j $j: the later URL's body" 5 "$(wc -c <"$W/2000000" | tr -d ' ')"
	only_files "one name twice, -j $j" "2000000 hello "
done

# One progress line for all transfers, on a terminal (script(1) gives one).
clean_dir
script -qec "'$F' -j 2 -o '$W' '$U/big/3000000' '$U/name/p' >/dev/null" "$TEST_TMP/tty" >/dev/null 2>&1
check_contains "progress on a terminal: one line for all" "$TEST_TMP/tty" "[2/2] 2.9 MiB"
check_lacks "progress on a terminal: no per-file bar" "$TEST_TMP/tty" "100.00%"
script -qec "'$F' -q -j 2 -o '$W' '$U/big/3000000' '$U/name/p' >/dev/null" "$TEST_TMP/tty" >/dev/null 2>&1
check_lacks "progress with -q: none" "$TEST_TMP/tty" "[2/2]"

# SIGTERM: the workers stop too, and no temporary file is left.
clean_dir
(cd "$W" && exec "$F" -q -j 2 "$U/slow/a" "$U/slow/b") 2>/dev/null &
pid=$!
n=0
while [ "$(ls -A "$W" | wc -l)" -lt 2 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kids=$(pgrep -P "$pid" | tr '\n' ' ')
check_eq "SIGTERM: two workers under way" 2 "$(echo $kids | wc -w | tr -d ' ')"
kill -TERM "$pid"
wait "$pid"
check_eq "SIGTERM: fetch dies of it" 143 "$?"
only_files "SIGTERM" ""
left=""
for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
check_eq "SIGTERM: no worker left" "" "$left"

# A worker killed (SIGKILL: no handler runs): its URL fails, the others are
# fetched and reported, and the parent removes its temporary file.
clean_dir
(cd "$W" && exec timeout 60 "$F" -q -j 2 "$U/slow/s" "$U/name/a" "$U/status/404" "$U/name/b") \
	2>"$TEST_TMP/err" &
pid=$!
n=0
while ! ls -A "$W" | grep -q '^\.s\.' && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
for k in $(pgrep -P "$(pgrep -P "$pid")"); do
	ls -l "/proc/$k/fd" 2>/dev/null | grep -q '/\.s\.' && kill -KILL "$k"
done
wait "$pid"
check_eq "a worker killed: status 1" 1 "$?"
only_files "a worker killed" "a b "
check_eq "a worker killed: its URL's line, then the 404's" \
	"fetch: $U/slow/s: the worker process ended|fetch: $U/status/404: server answered 404 Status 404" \
	"$(tr '\n' '|' <"$TEST_TMP/err" | sed 's/|$//')"

# SIGINT ignored on entry (a background job's): -j ignores it too, and every
# URL is fetched (fetch waited for workers that ignore it, for ever).
clean_dir
timeout -s KILL 30 sh -c "cd '$W' && trap '' INT && exec '$F' -q -j 2 '$U/slow' '$U/name/a' '$U/name/b'" &
pid=$!
n=0
while ! ls -A "$W" | grep -q '^\.slow\.' && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -INT "$(pgrep -P "$pid")"
wait "$pid"
check_eq "SIGINT ignored on entry: exit 0" 0 "$?"
only_files "SIGINT ignored on entry" "a b slow "
finish
