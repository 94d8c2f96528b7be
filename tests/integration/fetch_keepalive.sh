#!/bin/sh
# Keep-alive (issue 14, "Several files"): fetch reuses a connection for the
# next URL on the same origin and for redirects, and opens a new one when the
# server closes it, says Connection: close, or drops it while it is idle.
# fetch_server.py counts the connections that served each /ka/ID.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fetch_lib.sh"

conns() { curl -s --max-time 10 "$U/conns/$1"; }

# ka NAME ID WANT-CONNS PATHS...: every file right, exit 0, WANT-CONNS connections.
ka() {
	name=$1 id=$2 want=$3
	shift 3
	clean_dir
	args=""
	for p in "$@"; do args="$args $U/ka/$id/$p"; done
	# shellcheck disable=SC2086
	(cd "$W" && timeout 30 "$F" -q $args) 2>"$TEST_TMP/err"
	check_eq "$name: exit status" 0 "$?"
	for p in "$@"; do
		f=${p##*/}
		check_eq "$name: $f" "$f" "$(cat "$W/$f" 2>&1)"
	done
	check_eq "$name: nothing on stderr" "" "$(cat "$TEST_TMP/err")"
	check_eq "$name: connections" "$want" "$(conns "$id")"
}

ka "five URLs, one origin" k1 1 keep/a keep/b chunked/c keep/d chunked/e
ka "redirects on the same connection" k2 1 redirect/a redirect/b keep/c
ka "Connection: close: a new connection" k3 3 close/a close/b keep/c
ka "closed while idle: a new connection" k4 3 idle/a idle/b keep/c
ka "dropped when the next request comes: asked again" k5 2 drop/a keep/b
ka "-I: HEAD responses keep it" k6 1 keep/a keep/b
# (ka runs without -I: the same again with it, for the heads only.)
clean_dir
(cd "$W" && timeout 30 "$F" -I "$U/ka/k7/keep/a" "$U/ka/k7/chunked/b" "$U/ka/k7/keep/c") \
	>"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_eq "-I: exit status" 0 "$?"
check_eq "-I: three heads" 3 "$(grep -c '^HTTP/1.1 200' "$TEST_TMP/out")"
check_eq "-I: one connection" 1 "$(conns k7)"

# An error's small body is read and dropped; the connection serves the next URL.
clean_dir
(cd "$W" && timeout 30 "$F" -q "$U/ka/k8/404/a" "$U/ka/k8/keep/b") 2>"$TEST_TMP/err"
check_eq "404 then a file: status 8 (the first failure's)" 8 "$?"
check_eq "404 then a file: the file" b "$(cat "$W/b" 2>&1)"
check_eq "404 then a file: one line on stderr" 1 "$(wc -l <"$TEST_TMP/err" | tr -d ' ')"
check_contains "404 then a file: the 404 reported" "$TEST_TMP/err" "404 Not Found"
check_eq "404 then a file: one connection" 1 "$(conns k8)"
only_files "404 then a file" "b "
# ... but a large one is not worth reading: a new connection.
clean_dir
(cd "$W" && timeout 30 "$F" -q "$U/ka/k9/big404/a" "$U/ka/k9/keep/b") 2>"$TEST_TMP/err"
check_eq "large 404 then a file: status 8" 8 "$?"
check_eq "large 404 then a file: the file" b "$(cat "$W/b" 2>&1)"
check_eq "large 404 then a file: two connections" 2 "$(conns k9)"

# Another origin (another port: fetch_server.py's second listener) is another
# connection; and the kept one is not used for it.
start_server
U2="http://127.0.0.1:$SPORT"
clean_dir
(cd "$W" && timeout 30 "$F" -q "$U/ka/k10/keep/a" "$U2/ka/k10/keep/b" "$U/ka/k10/keep/c" \
	"$U2/ka/k10/keep/d") 2>"$TEST_TMP/err"
check_eq "two origins: exit status" 0 "$?"
check_eq "two origins: files" "a b c d" "$(cd "$W" && cat a b c d | tr '\n' ' ' | sed 's/ $//')"
check_eq "two origins: one connection to the first" 1 "$(conns k10)"
check_eq "two origins: one connection to the second" 1 "$(curl -s "$U2/conns/k10")"

# Credentials (-H Authorization) still go only to the first URL's origin,
# also over a kept connection: the redirect to the second origin has none.
clean_dir
timeout 30 "$F" -q -o - -H 'Authorization: Bearer s3cret' "$U/ka/k11/keep/a" \
	"$U/goto?$U2/echo" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_eq "credentials: exit status" 0 "$?"
check_lacks "credentials: not sent to the other origin" "$TEST_TMP/out" "s3cret"
finish
