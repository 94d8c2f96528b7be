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

# If-Range with a Last-Modified date, for a file last changed on each of the
# seven weekdays (a "Wed, ..." date was once read as a weak entity-tag, so a
# resume of a file changed on a Wednesday never got its 206), and a date one
# second off on either side (the whole file).
for d in 01 02 03 04 05 06 07; do
	printf 'weekday file body\n' >"$R/w$d.txt"
	touch -d "2024-01-$d 12:00:00 UTC" "$R/w$d.txt"
done
hget "$T/w" "$(url /w01.txt)" >/dev/null
for d in 01 02 03 04 05 06 07; do
	hget "$T/w" "$(url /w$d.txt)" >/dev/null
	lm=$(header_of "$T/w.h" Last-Modified)
	st=$(hget "$T/w" -H "Range: bytes=0-6" -H "If-Range: $lm" "$(url /w$d.txt)")
	check_eq "If-Range: $lm: 206" 206 "$st"
	check_eq "If-Range: $lm: the range" "weekday" "$(cat "$T/w.b")"
	for off in 11:59:59 12:00:01; do
		other=$(date -u -d "2024-01-$d $off" '+%a, %d %b %Y %H:%M:%S GMT')
		st=$(hget "$T/w" -H "Range: bytes=0-6" -H "If-Range: $other" "$(url /w$d.txt)")
		check_eq "If-Range: $other (a second off): 200" 200 "$st"
	done
done

# Preconditions (RFC 9110 13.2.2): a resume with If-Match against a changed
# file gets 412, never the new bytes spliced onto the old.
hget "$T/e" "$(url /c.txt)" >/dev/null
ETAG=$(header_of "$T/e.h" ETag)
strong=$ETAG weak="W/$ETAG"
cond "If-Match with the ETag: 200" 200 "If-Match: $strong"
cond "If-Match with another ETag: 412" 412 "If-Match: \"nope\""
cond "If-Match with a weak ETag: 412 (strong comparison)" 412 "If-Match: $weak"
cond "If-Match *: 200" 200 "If-Match: *"
cond "If-Match (no match) before If-None-Match: 412" 412 "If-Match: \"nope\"" "If-None-Match: $ETAG"
cond "If-Unmodified-Since before Last-Modified: 412" 412 "If-Unmodified-Since: Sun, 06 Jun 2021 00:00:00 GMT"
cond "If-Unmodified-Since at Last-Modified: 200" 200 "If-Unmodified-Since: $LM"
cond "If-Unmodified-Since is ignored beside If-Match: 200" 200 "If-Match: $strong" \
	"If-Unmodified-Since: Sun, 06 Jun 2021 00:00:00 GMT"
st=$(hget "$T/r" -H "If-Match: \"nope\"" -H "Range: bytes=5-" "$(url /c.txt)")
check_eq "If-Match (no match) with Range: 412" 412 "$st"
check_lacks "412: none of the file's bytes" "$T/r.b" "conditional"

# A file dated in the future: Last-Modified is never later than Date.
printf 'from the future\n' >"$R/future.txt"
touch -d '2099-01-01 00:00:00 UTC' "$R/future.txt"
for i in 1 2; do # the second from the cache
	hget "$T/f" "$(url /future.txt)" >/dev/null
	check_eq "future mtime ($i): Last-Modified is the Date" "$(header_of "$T/f.h" Date)" \
		"$(header_of "$T/f.h" Last-Modified)"
done

# The .gz twin and its file, same size and mtime: different strong ETags.
printf '1234567' >"$R/same.txt"
printf 'GZGZGZG' >"$R/same.txt.gz"
touch -d '2021-06-07 08:09:10 UTC' "$R/same.txt" "$R/same.txt.gz"
hget "$T/id" "$(url /same.txt)" >/dev/null
hget "$T/gz" -H "Accept-Encoding: gzip" "$(url /same.txt)" >/dev/null
check_eq "the twin is served" gzip "$(header_of "$T/gz.h" Content-Encoding)"
id_tag=$(header_of "$T/id.h" ETag)
gz_tag=$(header_of "$T/gz.h" ETag)
if [ -n "$id_tag" ] && [ "$id_tag" != "$gz_tag" ]; then ok "twin and file: different ETags"; else
	fail "twin and file: different ETags" "'$id_tag' vs '$gz_tag'"; fi
st=$(hget "$T/mix" -H "Accept-Encoding: gzip" -H "Range: bytes=3-" -H "If-Range: $id_tag" "$(url /same.txt)")
check_eq "resume of the file with gzip accepted: the whole twin, not its tail" 200 "$st"

finish
