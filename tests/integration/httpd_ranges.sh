#!/bin/sh
# httpd_ranges.sh: byte ranges (206, 416), several ranges (a full 200: the
# documented decision in httpd/range.h), If-Range with ETags and dates.
. "$(dirname "$0")/../lib.sh"

R=$(mkroot site)
T=$TEST_TMP
# 100 bytes: "00010203...", easy to check slices of.
python3 -c 'import sys; sys.stdout.write("".join("%02d" % i for i in range(50)))' >"$R/d.bin"
touch -d '2021-06-07 08:09:10 UTC' "$R/d.bin"
LM="Mon, 07 Jun 2021 08:09:10 GMT"
slice() { cut -c"$(($1 + 1))-$(($2 + 1))" "$R/d.bin"; }

start_httpd "$R" || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

# range NAME RANGE-HEADER FIRST LAST: expects 206 with those bytes.
range() {
	st=$(hget "$T/r" -H "Range: $2" "$(url /d.bin)")
	want="206 bytes $3-$4/100 $(($4 - $3 + 1)) $(slice "$3" "$4")"
	got="$st $(header_of "$T/r.h" Content-Range) $(header_of "$T/r.h" Content-Length) $(cat "$T/r.b")"
	check_eq "$1" "$want" "$got"
}
range "bytes=0-9 is 206 with the first 10 bytes" "bytes=0-9" 0 9
range "bytes=10-10 is one byte" "bytes=10-10" 10 10
range "bytes=90- is the tail from 90" "bytes=90-" 90 99
range "bytes=-5 is the last 5 bytes" "bytes=-5" 95 99
range "bytes=95-200 is clamped to the end" "bytes=95-200" 95 99
range "bytes=-500 is the whole file as 206" "bytes=-500" 0 99
range "bytes=0-99 is the whole file as 206" "bytes=0-99" 0 99

# unsat NAME RANGE-HEADER: 416 with Content-Range: bytes */100.
unsat() {
	st=$(hget "$T/u" -H "Range: $2" "$(url /d.bin)")
	check_eq "$1" "416 bytes */100" "$st $(header_of "$T/u.h" Content-Range)"
}
unsat "bytes=100- is 416" "bytes=100-"
unsat "bytes=200-300 is 416" "bytes=200-300"
unsat "bytes=-0 is 416" "bytes=-0"

# full NAME RANGE-HEADER: the range is ignored, a full 200.
full() {
	st=$(hget "$T/f" -H "Range: $2" "$(url /d.bin)")
	got="$st $(header_of "$T/f.h" Content-Range)|$(header_of "$T/f.h" Content-Length) $(cmp -s "$T/f.b" "$R/d.bin" && echo same)"
	check_eq "$1" "200 |100 same" "$got"
}
full "several ranges give the full 200 (documented decision)" "bytes=0-1,5-6"
full "overlapping ranges give the full 200" "bytes=0-50,10-60"
full "malformed Range (letters) is ignored" "bytes=abc"
full "Range in another unit is ignored" "items=0-5"
full "reversed range is ignored" "bytes=9-5"

# HEAD with a range: 206 head, no body.
raw_request "HEAD /d.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n" >"$T/hr"
check_eq "HEAD with a range: 206, Content-Length 10, no body" "206 10 0" \
	"$(status_of "$T/hr") $(header_of "$T/hr" Content-Length) $(body_of "$T/hr" | wc -c | tr -d ' ')"

# Ranged responses pipelined keep framing.
raw_request -t 3 "GET /d.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3\r\n\r\nGET /d.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=-4\r\nConnection: close\r\n\r\n" >"$T/pr"
check_eq "two ranged requests pipelined: 206 206" "206 206" "$(status_list "$T/pr" | tr '\n' ' ' | sed 's/ $//')"
check_contains "two ranged requests pipelined: second body follows first" "$T/pr" "0001HTTP/1.1 206"

# Error bodies are framed right: 416's Content-Length matches its body.
raw_request -t 3 "GET /d.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=500-\r\nConnection: close\r\n\r\n" >"$T/r416"
check_eq "416 Content-Length matches its body" "$(body_of "$T/r416" | wc -c | tr -d ' ')" "$(header_of "$T/r416" Content-Length)"

# Ranges deep in a large file (the sendfile path) give the right bytes.
head -c 3000000 /dev/urandom >"$R/big.bin"
st=$(hget "$T/b" -H "Range: bytes=2500000-2500099" "$(url /big.bin)")
tail -c +2500001 "$R/big.bin" 2>/dev/null | head -c 100 >"$T/b.want"
if [ "$st" = 206 ] && cmp -s "$T/b.b" "$T/b.want"; then ok "range deep inside a 3 MB file: the right 100 bytes"; else
	fail "range deep inside a 3 MB file: the right 100 bytes" "status $st"; fi
st=$(hget "$T/b" -H "Range: bytes=-1000000" "$(url /big.bin)")
tail -c 1000000 "$R/big.bin" >"$T/b.want"
if [ "$st" = 206 ] && cmp -s "$T/b.b" "$T/b.want"; then ok "last 1 MB of a 3 MB file"; else
	fail "last 1 MB of a 3 MB file" "status $st"; fi
# Bodies of 1 MiB or more are sent from 4 MiB windows mapped from the file
# (httpd/conn.c): a range that starts off a page and crosses two windows.
head -c 20000000 /dev/urandom >"$R/huge.bin"
st=$(hget "$T/b" -H "Range: bytes=4000001-17000002" "$(url /huge.bin)")
tail -c +4000002 "$R/huge.bin" | head -c 13000002 >"$T/b.want"
if [ "$st" = 206 ] && cmp -s "$T/b.b" "$T/b.want"; then ok "13 MB range across mapped windows of a 20 MB file"; else
	fail "13 MB range across mapped windows of a 20 MB file" "status $st"; fi
hget "$T/b" "$(url /huge.bin)" >/dev/null
if cmp -s "$T/b.b" "$R/huge.bin"; then ok "whole 20 MB file"; else fail "whole 20 MB file" "differs"; fi

# --- If-Range ---
hget "$T/e" "$(url /d.bin)" >/dev/null
ETAG=$(header_of "$T/e.h" ETag)
check_eq "Last-Modified as set on the file" "$LM" "$(header_of "$T/e.h" Last-Modified)"
st=$(hget "$T/ir" -H "Range: bytes=0-9" -H "If-Range: $ETAG" "$(url /d.bin)")
check_eq "If-Range with the current ETag: 206" "206 $(slice 0 9)" "$st $(cat "$T/ir.b")"
st=$(hget "$T/ir" -H "Range: bytes=0-9" -H 'If-Range: "not-the-etag"' "$(url /d.bin)")
check_eq "If-Range with another ETag: full 200" "200 100" "$st $(wc -c <"$T/ir.b" | tr -d ' ')"
case "$ETAG" in
W/*) weak=$ETAG ;;
*) weak="W/$ETAG" ;;
esac
st=$(hget "$T/ir" -H "Range: bytes=0-9" -H "If-Range: $weak" "$(url /d.bin)")
check_eq "If-Range with a weak ETag: full 200 (strong comparison)" "200 100" "$st $(wc -c <"$T/ir.b" | tr -d ' ')"
st=$(hget "$T/ir" -H "Range: bytes=0-9" -H "If-Range: $LM" "$(url /d.bin)")
check_eq "If-Range with the Last-Modified date: 206" "206 $(slice 0 9)" "$st $(cat "$T/ir.b")"
st=$(hget "$T/ir" -H "Range: bytes=0-9" -H "If-Range: Tue, 01 Jun 2021 00:00:00 GMT" "$(url /d.bin)")
check_eq "If-Range with an older date: full 200" "200 100" "$st $(wc -c <"$T/ir.b" | tr -d ' ')"
st=$(hget "$T/ir" -H "If-Range: $ETAG" "$(url /d.bin)")
check_eq "If-Range without Range: plain 200" "200 100" "$st $(wc -c <"$T/ir.b" | tr -d ' ')"

# After the file changes, the old validators no longer match.
printf 'X' | dd of="$R/d.bin" bs=1 seek=0 conv=notrunc 2>/dev/null
touch -d '2022-01-01 00:00:00 UTC' "$R/d.bin"
st=$(hget "$T/ir" -H "Range: bytes=0-9" -H "If-Range: $ETAG" "$(url /d.bin)")
check_eq "If-Range with the ETag from before a change: full 200" "200 X001020304" "$st $(head -c 10 "$T/ir.b")"

# curl resumes a download with a range.
head -c 37 "$R/d.bin" >"$T/part"
hcurl -C - -o "$T/part" "$(url /d.bin)"
if cmp -s "$T/part" "$R/d.bin"; then ok "curl -C - resumes to the full file"; else fail "curl -C - resumes to the full file"; fi

finish
