#!/bin/sh
# fetch against servers that lie, redirect, or send what a terminal would
# obey (issue 10, fetch items 1-8 and 11): credentials stay with their
# origin, partial data survives what cannot be joined to it, bodies end where
# RFC 9112 says, nothing a server chose reaches the terminal unmasked, and
# files the user may not write are not replaced.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fetch_lib.sh"

# A second origin (another port) for redirects that leave the first.
SPORT1=$SPORT
start_server
SPORT2=$SPORT
SPORT=$SPORT1

# 1. -H credentials and a custom Host never reach another origin.
creds() { # NAME URL: fetch it with credentials; the echoed request in $W/e
	clean_dir
	"$F" -q -o "$W/e" -H 'Authorization: Bearer s3cret' -H 'Cookie: sid=s3cret' \
		-H 'Proxy-Authorization: Basic czNjcmV0' -H 'Host: vhost.test' -H 'X-Keep: 1' "$2"
	check_eq "$1: exit status" 0 "$?"
	tr -d '\r' <"$W/e" >"$W/req"
}
creds "other port" "$U/goto?http://127.0.0.1:$SPORT2/echo"
check_lacks "other port: no Authorization" "$W/req" "s3cret"
check_lacks "other port: no custom Host" "$W/req" "vhost.test"
check_contains "other port: its own Host" "$W/req" "Host: 127.0.0.1:$SPORT2"
check_contains "other port: other -H kept" "$W/req" "X-Keep: 1"
creds "other host" "$U/goto?http://localhost:$SPORT/echo"
check_lacks "other host: no credentials" "$W/req" "s3cret"
check_lacks "other host: no Proxy-Authorization" "$W/req" "Proxy-Authorization"
check_contains "other host: its own Host" "$W/req" "Host: localhost:$SPORT"
creds "same origin" "$U/goto?/echo"
check_contains "same origin: Authorization kept" "$W/req" "Authorization: Bearer s3cret"
check_contains "same origin: Cookie kept" "$W/req" "Cookie: sid=s3cret"
check_contains "same origin: custom Host kept" "$W/req" "Host: vhost.test"

# 11. -H 'Name:' removes that default header.
clean_dir
"$F" -q -o "$W/e" -H 'User-Agent:' -H 'Accept:' -H 'X-Empty:' "$U/echo"
printf 'GET /echo HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n' "$SPORT" >"$W/want"
check "-H 'Name:' removes the default" cmp "$W/e" "$W/want"

# 2. -r and a server that ignores Range: NAME.part as it was until a
# replacement is complete.
python3 "$SERVER" --dump /range >"$TEST_TMP/range.full"
clean_dir
printf 'earlier partial data\n' >"$W/f.part"
cp "$W/f.part" "$TEST_TMP/part.before"
"$F" -q -r -o "$W/f" "$U/range-trunc" 2>/dev/null
check_eq "-r, 200 cut short: status 7" 7 "$?"
check "-r, 200 cut short: f.part untouched" cmp "$W/f.part" "$TEST_TMP/part.before"
only_files "-r, 200 cut short" "f.part "
"$F" -q -r -o "$W/f" "$U/range-ignore"
check "-r, 200 complete: the whole file" cmp "$W/f" "$TEST_TMP/range.full"
only_files "-r, 200 complete: f.part gone" "f "

# 3. A 206 that is not exactly the missing end is never joined.
for kind in start short length unknown chunked-short chunked-long; do
	clean_dir
	head -c 30000 "$TEST_TMP/range.full" >"$W/f.part"
	"$F" -q -r -o "$W/f" "$U/range-bad/$kind" 2>"$TEST_TMP/err"
	check_eq "206 $kind: status 7" 7 "$?"
	check_contains "206 $kind: says 206" "$TEST_TMP/err" "206 Partial Content"
	check_eq "206 $kind: f.part as it was" 30000 "$(wc -c <"$W/f.part" | tr -d ' ')"
	only_files "206 $kind" "f.part "
done
clean_dir
head -c 30000 "$TEST_TMP/range.full" >"$W/f.part"
"$F" -q -r -o "$W/f" "$U/range"
check "good 206: the whole file" cmp "$W/f" "$TEST_TMP/range.full"

# 4. 204 and 304 end at the blank line whatever Content-Length says (the
# server then keeps the connection open: nothing may wait for it).
clean_dir
timeout 20 "$F" -q -o "$W/n" "$U/nobody/204"
check_eq "204 with Content-Length: status 0" 0 "$?"
check_eq "204 with Content-Length: empty file" 0 "$(wc -c <"$W/n" | tr -d ' ')"
bad "304 with Content-Length 100, no body" /nobody/304 8

# 5. An unsolicited 304 and a 3xx without Location are failures; a 300 with
# Location is followed; redirects to the same URL end only at the hop limit.
bad "304 nobody asked for" /status/304 8
for code in 300 301 302 303 307 308 305 399; do
	bad "$code without Location" /status/$code 8
done
good "300 with Location" /redirect/300
good "the same URL 3 times, then 200" /again/a$$/3
bad "the same URL over and over: the hop limit" /again/b$$/1000 7

# 6. Nothing a server chose reaches the terminal unmasked, with -q or not.
clean_dir
"$F" -o "$W/e" "$U/evil" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_eq "escapes: status 8" 8 "$?"
cat "$TEST_TMP/out" "$TEST_TMP/err" >"$TEST_TMP/all"
"$F" -q -o "$W/e" "$U/evil" 2>>"$TEST_TMP/all"
LC_ALL=C tr -d '\000-\010\013-\037\177-\377' <"$TEST_TMP/all" >"$TEST_TMP/clean"
check "escapes: no control or 8-bit byte printed" cmp "$TEST_TMP/all" "$TEST_TMP/clean"
check_contains "escapes: the reason, masked" "$TEST_TMP/err" "404 ?]0;pwned??[2J?31m?gone"
check_contains "escapes: the header, masked" "$TEST_TMP/out" "X-Evil: red?1m??"
# ... nor in error lines naming a URL from an -i list or a file the server named.
clean_dir
mkdir "$W/$(printf 'x\2331m')" # a folder where the server's file name would go
printf '%s/status/404/\033[2J\302\233x\n%s/cd?attachment%%3B%%20filename%%3D%%22x%%C2%%9B1m%%22\n' \
	"$U" "$U" >"$TEST_TMP/list"
for j in 1 2; do
	(cd "$W" && "$F" -q -j $j --content-disposition -i "$TEST_TMP/list") 2>"$TEST_TMP/all"
	check_eq "escapes in error lines, -j $j: status 8 (the first failure's)" 8 "$?"
	LC_ALL=C tr -d '\000-\010\013-\037\177-\377' <"$TEST_TMP/all" >"$TEST_TMP/clean"
	check "escapes in error lines, -j $j: none printed" cmp "$TEST_TMP/all" "$TEST_TMP/clean"
	check_contains "escapes in error lines, -j $j: the URL, masked" "$TEST_TMP/all" "/status/404/?[2J??x:"
	check_contains "escapes in error lines, -j $j: the name, masked" "$TEST_TMP/all" "cannot write x?1m"
done

# 7. -o over a file the user may not write: refused (exit 3). As nobody, in a
# folder nobody may write (so only the file's own mode forbids it).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 711 "$TEST_TMP"
	D="$TEST_TMP/nobody"
	mkdir -m 777 "$D"
	printf 'mine\n' >"$D/ro"
	chmod 444 "$D/ro"
	printf 'theirs\n' >"$D/rw"
	chmod 666 "$D/rw"
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	as_nobody "$F" -q -o "$D/ro" "$U/hello" 2>"$TEST_TMP/err"
	check_eq "read-only target: status 3" 3 "$?"
	check_eq "read-only target: untouched" "mine" "$(cat "$D/ro")"
	check_contains "read-only target: named" "$TEST_TMP/err" "$D/ro"
	as_nobody "$F" -q -r -o "$D/ro" "$U/range" 2>/dev/null
	check_eq "read-only target with -r: status 3" 3 "$?"
	check_eq "read-only target with -r: untouched" "mine" "$(cat "$D/ro")"
	as_nobody "$F" -q -o "$D/rw" "$U/hello"
	check_eq "writable target: replaced" "hello world" "$(cat "$D/rw")"
	check_eq "nothing else left" "ro rw " "$(ls -A "$D" | tr '\n' ' ')"
else
	skip "read-only target" "needs root and setpriv to run fetch as nobody"
fi

# 7. -r through a symlink continues the file it names, as without -r.
clean_dir
head -c 30000 "$TEST_TMP/range.full" >"$W/real"
ln -s real "$W/link"
"$F" -q -r -o "$W/link" "$U/range"
check_eq "-r via a symlink: exit status" 0 "$?"
check "-r via a symlink: still a link" test -L "$W/link"
check "-r via a symlink: the file completed" cmp "$W/real" "$TEST_TMP/range.full"
only_files "-r via a symlink" "link real "

# 8. Heads up to 256 KiB are read (curl's limit is 300 KiB); beyond, a clear error.
good "a 40 KiB head" /heads/40960/90
good "a 250 KiB head" /heads/256000/90
bad "a 300 KiB head" /heads/307200/90 7
check_contains "a 300 KiB head: says so" "$TEST_TMP/err" "head too large (more than 256 KiB"
bad "1,001 fields" /heads/60000/1001 7
check_contains "1,001 fields: says so" "$TEST_TMP/err" "head too large"
good "1,000 fields" /heads/60000/1000

finish
