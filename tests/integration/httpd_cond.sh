#!/bin/sh
# httpd_cond.sh: conditional requests: If-None-Match (strong, weak, *, lists)
# over If-Modified-Since, 304 with validators and no body.
. "$(dirname "$0")/../lib.sh"

R=$(mkroot site)
T=$TEST_TMP
printf 'conditional body\n' >"$R/c.txt"
printf 'other\n' >"$R/o.txt"
touch -d '2021-06-07 08:09:10 UTC' "$R/c.txt"
LM="Mon, 07 Jun 2021 08:09:10 GMT"

start_httpd "$R" || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

hget "$T/e" "$(url /c.txt)" >/dev/null
ETAG=$(header_of "$T/e.h" ETag)
hget "$T/e2" "$(url /o.txt)" >/dev/null
OTHER=$(header_of "$T/e2.h" ETag)
if [ -n "$ETAG" ] && [ "$ETAG" != "$OTHER" ]; then ok "files get distinct ETags"; else
	fail "files get distinct ETags" "'$ETAG' vs '$OTHER'"; fi
case "$ETAG" in
W/*) strong=${ETAG#W/} weak=$ETAG ;;
*) strong=$ETAG weak="W/$ETAG" ;;
esac

# cond NAME EXPECTED-STATUS [HEADER [HEADER]]: GET /c.txt with the headers.
cond() {
	lib_n=$1
	lib_want=$2
	shift 2
	case $# in
	1) st=$(hget "$T/c" -H "$1" "$(url /c.txt)") ;;
	2) st=$(hget "$T/c" -H "$1" -H "$2" "$(url /c.txt)") ;;
	*) st=$(hget "$T/c" "$(url /c.txt)") ;;
	esac
	check_eq "$lib_n" "$lib_want" "$st"
}

cond "If-None-Match with the ETag: 304" 304 "If-None-Match: $ETAG"
check_eq "304 carries the ETag" "$ETAG" "$(header_of "$T/c.h" ETag)"
check_eq "304 has no body" 0 "$(cat "$T/c.b" 2>/dev/null | wc -c | tr -d ' ')"
cond "If-None-Match weak form of the ETag: 304 (weak comparison)" 304 "If-None-Match: $weak"
cond "If-None-Match strong form of the ETag: 304" 304 "If-None-Match: $strong"
cond "If-None-Match another ETag: 200" 200 "If-None-Match: \"nope\""
check_eq "200 after a non-matching If-None-Match has the body" "conditional body" "$(cat "$T/c.b")"
cond "If-None-Match: * is 304" 304 "If-None-Match: *"
cond "If-None-Match list containing the ETag: 304" 304 "If-None-Match: \"a\", $ETAG, \"b\""
cond "If-None-Match list without it: 200" 200 "If-None-Match: \"a\", \"b\", $OTHER"
cond "If-None-Match list without spaces: 304" 304 "If-None-Match: \"a\",$ETAG"
cond "If-Modified-Since the Last-Modified: 304" 304 "If-Modified-Since: $LM"
check_eq "304 from If-Modified-Since carries Last-Modified" "$LM" "$(header_of "$T/c.h" Last-Modified)"
check_eq "304 from If-Modified-Since carries the ETag" "$ETAG" "$(header_of "$T/c.h" ETag)"
cond "If-Modified-Since a later date: 304" 304 "If-Modified-Since: Tue, 08 Jun 2021 00:00:00 GMT"
cond "If-Modified-Since an earlier date: 200" 200 "If-Modified-Since: Sun, 06 Jun 2021 00:00:00 GMT"
cond "If-Modified-Since in RFC 850 format: 304" 304 "If-Modified-Since: Monday, 07-Jun-21 08:09:10 GMT"
cond "If-Modified-Since in asctime format: 304" 304 "If-Modified-Since: Mon Jun  7 08:09:10 2021"
cond "If-Modified-Since garbage is ignored: 200" 200 "If-Modified-Since: yesterday"
cond "If-None-Match (no match) wins over a matching If-Modified-Since: 200" 200 \
	"If-None-Match: \"nope\"" "If-Modified-Since: $LM"
cond "If-None-Match (match) wins over an old If-Modified-Since: 304" 304 \
	"If-None-Match: $ETAG" "If-Modified-Since: Sun, 06 Jun 2021 00:00:00 GMT"

# HEAD and raw framing of a 304.
raw_request "HEAD /c.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: $ETAG\r\nConnection: close\r\n\r\n" >"$T/h304"
check_eq "HEAD with a matching If-None-Match: 304" 304 "$(status_of "$T/h304")"
raw_request -t 3 "GET /c.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: $ETAG\r\n\r\nGET /o.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >"$T/p304"
check_eq "304 then 200 pipelined: exactly two responses" "304 200" "$(status_list "$T/p304" | tr '\n' ' ' | sed 's/ $//')"
check_lacks "304 sends no body bytes on the wire" "$T/p304" "conditional body"
check_contains "the response after a 304 is intact" "$T/p304" "other"

# A conditional on a different file does not match.
st=$(hget "$T/x" -H "If-None-Match: $ETAG" "$(url /o.txt)")
check_eq "one file's ETag does not match another: 200" 200 "$st"

# The ETag changes when the file does.
printf 'conditional BODY\n' >"$R/c.txt"
touch -d '2021-06-07 08:09:10 UTC' "$R/c.txt"
printf 'conditional body, now longer\n' >"$R/c.txt"
touch -d '2021-06-07 08:09:10 UTC' "$R/c.txt"
cond "same mtime, new size: old ETag no longer matches" 200 "If-None-Match: $ETAG"

finish
