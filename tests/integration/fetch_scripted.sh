#!/bin/sh
# fetch against tests/fetch_server.py: every good case saves exactly what
# `curl -s -L -o` saves; every bad case gives its documented exit status, one
# stderr line naming the URL, no file claiming success, the previous file
# intact and no temporary file left.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fetch_lib.sh"

good "content-length" /hello
good "empty body" /empty
good "CRLFCRLF and NUL in body" /binary
good "same, chunked" /binary-chunked
good "chunked, extensions and trailers" /chunked
good "close-delimited" /close
good "HTTP/1.0 close-delimited" /http10
good "head a byte at a time" /slowhead
good "100 and 103 before 200" /interim
for code in 301 302 303 307 308; do
	good "redirect $code" /redirect/$code
done
good "relative redirect" /dir/relative
good "20 redirects" /chain/20
good "204 No Content" /status/204
good "1 MiB" /big/1048576
FETCH_SPLICE=0 good "1 MiB without splice" /big/1048576
good "Range server, whole file" /range

bad "404" /status/404 8
bad "500" /status/500 8
bad "truncated body" /truncated 7
bad "chunked without last chunk" /truncated-chunked 7
bad "garbage instead of HTTP" /garbage 7
bad "empty reply" /empty-reply 7
for b in short long leading-zero low high version2 version0 letters nospace lower 101; do
	bad "status line $b" /bad/$b 7
done
bad "1 MiB header" /bigheader 7
bad "too many 1xx" /many-interim 7
bad "redirect to itself, forever: the hop limit" /loop 7
bad "redirect loop a-b-a: the hop limit" /loop-a 7
bad "21 redirects" /chain/21 7
bad "redirect to ftp" /redirect-ftp 1
bad "redirect with -A" /redirect/302 8 -A
bad "redirect with --no-redirect" /redirect/301 8 --no-redirect
bad "reset mid-body" /reset 4
bad "truncated after 1 MiB" /truncated-big 7
bad "reset after 1 MiB" /reset-big 4
start=$(date +%s)
bad "never answers (-T 1)" /never 4 -T 1
elapsed=$(($(date +%s) - start))
# Two runs of -T 1 (with and without an old file): well under 10 s.
if [ "$elapsed" -lt 10 ]; then ok "-T 1 is honoured"; else fail "-T 1 is honoured" "${elapsed}s"; fi
bad "--max-time 1 on a trickle" /slow 4 --max-time 1

# The request, byte for byte (the server echoes it as the body).
V=$("$F" --version | head -n 1 | sed 's/^fetch //')
clean_dir
"$F" -q -o "$W/echo" "$U/echo"
printf 'GET /echo HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUser-Agent: fetch/%s\r\nAccept: */*\r\n\r\n' \
	"$SPORT" "$V" >"$W/want"
check "request bytes exactly" cmp "$W/echo" "$W/want"
"$F" -q -o "$W/echo" -H 'X-One:  1 ' -H 'Accept: text/plain' --user-agent 'ua/9 (t)' "$U/echo?q=a%20b&r=/x"
printf 'GET /echo?q=a%%20b&r=/x HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUser-Agent: ua/9 (t)\r\nX-One: 1\r\nAccept: text/plain\r\n\r\n' \
	"$SPORT" >"$W/want"
check "request with -H, --user-agent and a query" cmp "$W/echo" "$W/want"
"$F" -q -I -o "$W/head" "$U/echo" >"$W/out"
check "-I writes no file" test ! -e "$W/head"

# Heads: printed to stdout, to stderr with -o -, not at all with -q.
clean_dir
"$F" -o "$W/h" "$U/hello" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_contains "head on stdout" "$TEST_TMP/out" "HTTP/1.1 200 OK"
check_contains "headers on stdout" "$TEST_TMP/out" "Content-Length: 12"
check_eq "no progress bar off a terminal" "" "$(cat "$TEST_TMP/err")"
"$F" -o - "$U/binary" >"$W/body" 2>"$TEST_TMP/err"
check "-o -: body on stdout" cmp "$W/body" "$(python3 "$SERVER" --dump /binary >"$W/b2"; echo "$W/b2")"
check_contains "-o -: head on stderr" "$TEST_TMP/err" "HTTP/1.1 200 OK"
"$F" -q "$U/hello" -o - >"$TEST_TMP/out" 2>&1
check_eq "-q: only the body" "hello world" "$(cat "$TEST_TMP/out")"
"$F" -v -o - "$U/hello" >/dev/null 2>"$TEST_TMP/err"
check_contains "-v shows the request" "$TEST_TMP/err" "GET /hello HTTP/1.1"
"$F" -I "$U/interim" >"$TEST_TMP/out" 2>&1
check_contains "-I prints interim heads" "$TEST_TMP/out" "HTTP/1.1 103 Early Hints"
check_contains "-I prints the final head" "$TEST_TMP/out" "HTTP/1.1 200 OK"
"$F" -I "$U/redirect/301" >"$TEST_TMP/out" 2>&1
check_eq "-I follows redirects" "301
200" "$(grep '^HTTP/' "$TEST_TMP/out" | cut -d' ' -f2)"

# The output name from the URL, always in the current directory.
clean_dir
(cd "$W" && "$F" -q "$U/name/caf%C3%A9%20menu.txt" "$U/name/" "$U/name/..%2F..%2Fescape" \
	"$U/name/.hidden" "$U/name/a?b=/c")
check_eq "names from the URL" "_._.._escape _hidden a café menu.txt index.html " \
	"$(cd "$W" && ls -A | LC_ALL=C sort | tr '\n' ' ')"

# -o DIRECTORY: each URL's name inside it (several URLs allowed).
clean_dir
mkdir "$W/d"
"$F" -q -o "$W/d" "$U/hello" "$U/name/other"
check_eq "-o DIRECTORY: names inside it" "hello other " "$(cd "$W/d" && ls -A | tr '\n' ' ')"
"$F" -q -o "$W/file" "$U/hello" "$U/empty" 2>/dev/null
check_eq "-o FILE with two URLs: status 2" 2 "$?"

# Last-Modified becomes the file's modification time.
clean_dir
"$F" -q -o "$W/lm" "$U/lm"
check_eq "mtime from Last-Modified" 1445412480 "$(stat -c %Y "$W/lm")"

# Several URLs: each is fetched; the status is the first failure's.
"$F" -q -o - "$U/hello" "$U/status/404" "$U/hello" "$U/garbage" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_eq "several URLs: first failure's status" 8 "$?"
check_eq "several URLs: the good ones fetched" "hello world
hello world" "$(cat "$TEST_TMP/out")"
check_eq "several URLs: a line per failure" 2 "$(wc -l <"$TEST_TMP/err" | tr -d ' ')"

# Resume: a partial file, Range, 206 appended; 416 when complete; 200 restarts.
python3 "$SERVER" --dump /range >"$TEST_TMP/range.full"
clean_dir
head -c 30000 "$TEST_TMP/range.full" >"$W/range"
"$F" -q -r -o "$W/range" "$U/range"
check_eq "resume: exit status" 0 "$?"
check "resume: whole file" cmp "$W/range" "$TEST_TMP/range.full"
"$F" -q -r -o "$W/range" "$U/range"
check_eq "resume when complete (416): exit status" 0 "$?"
check "resume when complete: file unchanged" cmp "$W/range" "$TEST_TMP/range.full"
only_files "resume" "range "
mv "$W/range" "$W/range.part"
printf 'old\n' >"$W/range"
"$F" -q -r -o "$W/range" "$U/range"
check_eq "resume when NAME.part is complete (416): exit status" 0 "$?"
check "resume when NAME.part is complete: it becomes the file" cmp "$W/range" "$TEST_TMP/range.full"
only_files "resume, complete NAME.part" "range "
head -c 30000 "$TEST_TMP/range.full" >"$W/ri"
"$F" -q -r -o "$W/ri" "$U/range-ignore"
check "resume, server ignores Range: whole file" cmp "$W/ri" "$TEST_TMP/range.full"
clean_dir
printf 'old\n' >"$W/t"
"$F" -q -r -o "$W/t" "$U/truncated" 2>/dev/null
check_eq "failed resume: status 7" 7 "$?"
check_eq "failed resume: target untouched" "old" "$(cat "$W/t")"
check_eq "failed resume: partial kept as t.part" 500 "$(wc -c <"$W/t.part" | tr -d ' ')"

# Interrupted (SIGTERM mid-body): the temporary file goes, the old file stays;
# when resuming, the partial file stays for the next -r.
wait_for_files() { # COUNT: until $W holds that many entries (at most 5 s)
	n=0
	while [ "$(ls -A "$W" | wc -l)" -lt "$1" ] && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
clean_dir
printf 'previous contents\n' >"$W/s"
"$F" -q -o "$W/s" "$U/slow" 2>/dev/null &
fp=$!
wait_for_files 2
kill -TERM "$fp"
wait_pid "$fp" 5 2>/dev/null
check_eq "SIGTERM: dies of the signal" 143 "$WAIT_STATUS"
check_eq "SIGTERM: previous file intact" "previous contents" "$(cat "$W/s")"
only_files "SIGTERM" "s "
"$F" -q -r -o "$W/s" "$U/slow" 2>/dev/null &
fp=$!
wait_for_files 2
sleep 0.5
kill -TERM "$fp"
wait_pid "$fp" 5 2>/dev/null
check "SIGTERM with -r: partial file kept" test -s "$W/s.part"
check_eq "SIGTERM with -r: previous file intact" "previous contents" "$(cat "$W/s")"

# Usage and local errors.
"$F" -q "ftp://127.0.0.1:$SPORT/hello" 2>"$TEST_TMP/err"
check_eq "ftp: status 2" 2 "$?"
check_contains "ftp: the reason" "$TEST_TMP/err" "ftp is not supported"
"$F" -q -H 'Bad Name: x' "$U/hello" 2>/dev/null
check_eq "-H with a bad name: status 2" 2 "$?"
"$F" -q -H "$(printf 'X: a\rb')" "$U/hello" 2>/dev/null
check_eq "-H with a CR: status 2" 2 "$?"
"$F" -q --bogus "$U/hello" 2>/dev/null
check_eq "unknown option: status 2" 2 "$?"
"$F" 2>/dev/null
check_eq "no URL: status 2" 2 "$?"
"$F" --help >"$TEST_TMP/out"
check_contains "--help has the exit-status table" "$TEST_TMP/out" "7  protocol error"
"$F" -q -o /dev/full "$U/hello" 2>"$TEST_TMP/err"
check_eq "write error: status 3" 3 "$?"
check_contains "write error names the file" "$TEST_TMP/err" "/dev/full"
"$F" -q -o "$W/no/such/dir/f" "$U/hello" 2>"$TEST_TMP/err"
check_eq "missing directory: status 3" 3 "$?"
check_contains "missing directory: named" "$TEST_TMP/err" "$W/no/such/dir/f"
refused=$(free_port)
"$F" -q -T 2 -o "$W/r" "http://127.0.0.1:$refused/" 2>/dev/null
check_eq "connection refused: status 4" 4 "$?"

# A full disk: a tiny tmpfs in a private mount namespace, when allowed (root).
clean_dir
# As root a mount namespace will do; otherwise a user namespace may (-r).
full_disk="mount -t tmpfs -o size=64k tmpfs '$W' 2>/dev/null || exit 99
	printf 'previous contents\n' >'$W/f'
	'$F' -q -o '$W/f' '$U/big/1048576' 2>'$TEST_TMP/err'; rc=\$?
	echo \$rc >'$TEST_TMP/rc'; cat '$W/f' >'$TEST_TMP/f'; ls -A '$W' >'$TEST_TMP/ls'"
unshare -m sh -c "$full_disk" 2>/dev/null || unshare -r -m sh -c "$full_disk" 2>/dev/null
if [ -s "$TEST_TMP/rc" ]; then
	check_eq "disk full: status 3" 3 "$(cat "$TEST_TMP/rc")"
	check_eq "disk full: previous file intact" "previous contents" "$(cat "$TEST_TMP/f")"
	check_eq "disk full: no temporary file left" "f" "$(cat "$TEST_TMP/ls")"
	check_contains "disk full: the message names the file" "$TEST_TMP/err" "$W/f"
else
	skip "disk full on a tiny tmpfs" "cannot mount here (not root or no namespaces)"
fi

# A progress bar on a terminal only (script(1) gives a pseudo-terminal).
if command -v script >/dev/null 2>&1; then
	clean_dir
	timeout 20 script -qec "'$F' -o '$W/big' '$U/big/1048576' >/dev/null" /dev/null >"$TEST_TMP/tty" 2>&1
	check_contains "progress bar on a terminal" "$TEST_TMP/tty" "100.00%"
	timeout 20 script -qec "'$F' -q -o '$W/big' '$U/big/1048576'" /dev/null >"$TEST_TMP/tty" 2>&1
	check_eq "no progress bar with -q" "" "$(tr -d '\r\n' <"$TEST_TMP/tty")"
else
	skip "progress bar on a terminal" "no script(1)"
fi

# IPv6 and the address family options, where ::1 works.
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	start_server --ipv6
	clean_dir
	"$F" -q -6 -o "$W/v6" "http://[::1]:$SPORT/echo"
	check_eq "IPv6 literal: Host in brackets" "Host: [::1]:$SPORT" "$(tr -d '\r' <"$W/v6" | grep '^Host:')"
	"$F" -q -4 -T 2 -o "$W/v4" "http://[::1]:$SPORT/hello" 2>/dev/null
	check_eq "-4 with an IPv6 literal: status 4" 4 "$?"
else
	skip "IPv6" "no ::1 here"
fi

finish
