#!/bin/sh
# -t: retries after failures worth one, each said on stderr; a retry
# continues what arrived only when the validator still matches (If-Range),
# never joining two versions. FETCH_RETRY_CAP_MS keeps every wait at 50 ms:
# nothing here depends on how fast the machine is.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fetch_lib.sh"

FETCH_RETRY_CAP_MS=50
export FETCH_RETRY_CAP_MS
python3 "$SERVER" --dump /range >"$TEST_TMP/v1"
python3 "$SERVER" --dump /range-v2 >"$TEST_TMP/v2"
ID=0

# try NAME KIND FAILURES [ARGS...]: fetches /flaky/ID/FAILURES/KIND into
# $W/f; RC, $TEST_TMP/err, and the server's log of requests in $TEST_TMP/log.
try() {
	name=$1 kind=$2 n=$3
	shift 3
	ID=$((ID + 1))
	clean_dir
	timeout 60 "$F" -o "$W/f" "$@" "$U/flaky/$$-$ID/$n/$kind" >/dev/null 2>"$TEST_TMP/err"
	RC=$?
	curl -s --max-time 10 "$U/log/$$-$ID" | tr -d '\r' >"$TEST_TMP/log"
	REQS=$(grep -c '^GET ' "$TEST_TMP/log")
}

try "503 twice, -t 3" 503 2 -t 3
check_eq "$name: exit 0" 0 "$RC"
check "$name: the whole file" cmp "$W/f" "$TEST_TMP/v1"
check_eq "$name: three requests" 3 "$REQS"
check_eq "$name: a line per retry" 2 "$(grep -c 'try [23] of 3' "$TEST_TMP/err")"
check_contains "$name: says why" "$TEST_TMP/err" "server answered 503 Status 503; try 2 of 3"
check_contains "$name: Retry-After honoured" "$TEST_TMP/err" "(Retry-After)"

try "503 with a date, -t 2" 503date 1 -t 2
check_eq "$name: exit 0" 0 "$RC"
check_contains "$name: Retry-After as a date" "$TEST_TMP/err" "(Retry-After)"

try "500 three times, -t 3" 500 3 -t 3
check_eq "$name: the last failure's status" 8 "$RC"
check_eq "$name: three requests" 3 "$REQS"
check_eq "$name: the final error" 1 "$(grep -c '^fetch: .*: server answered 500 Status 500$' "$TEST_TMP/err")"
check "$name: no file" test ! -e "$W/f"
only_files "$name" ""

try "503 without -t: no retry" 503 1
check_eq "$name: status 8" 8 "$RC"
check_eq "$name: one request" 1 "$REQS"

try "404 is not retried" 404 1 -t 3
check_eq "$name: status 8" 8 "$RC"
check_eq "$name: one request" 1 "$REQS"

try "reset, -t 2" reset 1 -t 2
check_eq "$name: exit 0" 0 "$RC"
check "$name: the whole file" cmp "$W/f" "$TEST_TMP/v1"
check_contains "$name: says why" "$TEST_TMP/err" "try 2 of 2"

try "cut short, -t 2" trunc 1 -t 2
check_eq "$name: exit 0" 0 "$RC"
check "$name: the whole file" cmp "$W/f" "$TEST_TMP/v1"
check_contains "$name: says why" "$TEST_TMP/err" "incomplete body"
check_eq "$name: continued with Range" "Range: bytes=50000-" "$(grep '^Range:' "$TEST_TMP/log")"
check_eq "$name: and If-Range" 'If-Range: "v1"' "$(grep '^If-Range:' "$TEST_TMP/log")"
only_files "$name" "f "

try "cut short, weak ETag: starts over" weak 1 -t 2
check_eq "$name: exit 0" 0 "$RC"
check "$name: the whole file" cmp "$W/f" "$TEST_TMP/v1"
check_eq "$name: no Range" 0 "$(grep -c '^Range:' "$TEST_TMP/log")"

try "cut short, then the file changed" change 1 -t 2
check_eq "$name: exit 0" 0 "$RC"
check "$name: the new file whole, not spliced" cmp "$W/f" "$TEST_TMP/v2"
check_eq "$name: asked with If-Range" 'If-Range: "v1"' "$(grep '^If-Range:' "$TEST_TMP/log")"
only_files "$name" "f "

try "cut short, -q: no retry lines" trunc 1 -t 2 -q
check_eq "$name: exit 0" 0 "$RC"
check_eq "$name: nothing on stderr" "" "$(cat "$TEST_TMP/err")"

try "cut short twice with -t 2: fails" trunc 2 -t 2 -q
check_eq "$name: status 7" 7 "$RC"
only_files "$name" ""

# With -r the partial file carries over between tries as between runs.
ID=$((ID + 1))
clean_dir
"$F" -q -r -t 2 -o "$W/f" "$U/flaky/$$-$ID/1/trunc"
check_eq "-r -t 2, cut short: exit 0" 0 "$?"
check "-r -t 2, cut short: the whole file" cmp "$W/f" "$TEST_TMP/v1"
only_files "-r -t 2" "f "

# --max-time ends the retries when the next wait would pass it (Retry-After:
# 1 s, --max-time 1 s: never room for it, whatever the machine's speed).
unset FETCH_RETRY_CAP_MS
try "503, -t 5 --max-time 1" 503 5 -t 5 --max-time 1
FETCH_RETRY_CAP_MS=50
export FETCH_RETRY_CAP_MS
check_eq "$name: status 8" 8 "$RC"
check_eq "$name: one request" 1 "$REQS"
check_eq "$name: no retry announced" 0 "$(grep -c 'try 2' "$TEST_TMP/err")"

"$F" -q -t 0 "$U/hello" 2>/dev/null
check_eq "-t 0: usage" 2 "$?"

finish
