#!/bin/sh
# httpd_smuggling.sh: every request-smuggling rejection of issue 3's hardening
# section, each answered 400 (or 505) with Connection: close, and the
# connection closed, with nothing behind it answered.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
printf 'hello world\n' >"$R/a.txt"
printf 'SMUGGLED-RESOURCE\n' >"$R/s.txt"
start_httpd "$R" || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

# A request that must never be answered if it follows a rejected one.
NEXT='GET /s.txt HTTP/1.1\r\nHost: x\r\n\r\n'
NEXT_CLOSE='GET /s.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'

# reject NAME STATUS RAW: RAW (escapes allowed) then NEXT, on one connection.
reject() {
	raw_request -t 3 "$3$NEXT" >"$T/rej"
	rc=$?
	got=$(status_list "$T/rej" | tr '\n' ' ' | sed 's/ $//')
	conn=$(header_of "$T/rej" Connection | tr 'A-Z' 'a-z')
	if [ "$got" != "$2" ]; then
		fail "$1" "expected only $2, got '$got'"
	elif grep -qa SMUGGLED-RESOURCE "$T/rej"; then
		fail "$1" "the request behind it was answered"
	elif [ "$rc" != 0 ]; then
		fail "$1" "connection left open after $2"
	elif [ "$conn" != close ]; then
		fail "$1" "$2 without Connection: close (got '$conn')"
	else
		ok "$1"
	fi
}

G='GET /a.txt HTTP/1.1\r\n'
P='POST /a.txt HTTP/1.1\r\n'
# Control: a clean request and NEXT are both answered.
raw_request -t 3 "${G}Host: x\r\n\r\n${NEXT_CLOSE}" >"$T/ctl"
check_eq "control: a clean request and the next are both answered" "200 200" "$(status_list "$T/ctl" | tr '\n' ' ' | sed 's/ $//')"

reject "bare CR inside a header line: 400" 400 "${G}Host: x\rX-A: b\r\n\r\n"
reject "bare CR at the end of a header line: 400" 400 "${G}Host: x\r\nX-A: b\r\r\n\r\n"
reject "bare LF ending a header line: 400" 400 "${G}Host: x\nX-A: b\r\n\r\n"
reject "bare LF ending the request line: 400" 400 "GET /a.txt HTTP/1.1\nHost: x\r\n\r\n"
reject "bare LF ending the head: 400" 400 "${G}Host: x\r\n\n"
reject "obs-fold (space) smuggling Content-Length: 400" 400 "${P}Host: x\r\nX-A: a\r\n Content-Length: 5\r\n\r\nhello"
reject "obs-fold (tab) continuation: 400" 400 "${G}Host: x\r\nX-A: a\r\n\tb\r\n\r\n"
reject "header line starting with space after request line: 400" 400 "${G} Host: x\r\n\r\n"
reject "empty header name: 400" 400 "${G}Host: x\r\n: empty\r\n\r\n"
reject "space between name and colon: 400" 400 "${G}Host: x\r\nX-A : b\r\n\r\n"
reject "tab between name and colon: 400" 400 "${G}Host: x\r\nX-A\t: b\r\n\r\n"
reject "space before colon in Content-Length: 400" 400 "${P}Host: x\r\nContent-Length : 5\r\n\r\nhello"
reject "NUL byte in a header value: 400" 400 "${G}Host: x\r\nX-A: a\x00b\r\n\r\n"
reject "NUL byte in a header name: 400" 400 "${G}Host: x\r\nX-\x00A: b\r\n\r\n"
reject "control byte 0x01 in a header value: 400" 400 "${G}Host: x\r\nX-A: a\x01b\r\n\r\n"
reject "control byte ESC in a header value: 400" 400 "${G}Host: x\r\nX-A: a\x1bb\r\n\r\n"
reject "DEL in a header value: 400" 400 "${G}Host: x\r\nX-A: a\x7fb\r\n\r\n"
reject "control byte in the request target: 400" 400 "GET /a\x01.txt HTTP/1.1\r\nHost: x\r\n\r\n"
reject "Content-Length with a plus sign: 400" 400 "${P}Host: x\r\nContent-Length: +5\r\n\r\nhello"
reject "Content-Length with a minus sign: 400" 400 "${P}Host: x\r\nContent-Length: -1\r\n\r\n"
reject "Content-Length with trailing letters: 400" 400 "${P}Host: x\r\nContent-Length: 5x\r\n\r\nhello"
reject "Content-Length in hex: 400" 400 "${P}Host: x\r\nContent-Length: 0x5\r\n\r\nhello"
reject "Content-Length as a list: 400" 400 "${P}Host: x\r\nContent-Length: 5, 5\r\n\r\nhello"
reject "Content-Length with an inner space: 400" 400 "${P}Host: x\r\nContent-Length: 1 0\r\n\r\nhelloworld"
reject "empty Content-Length: 400" 400 "${P}Host: x\r\nContent-Length: \r\n\r\n"
reject "two different Content-Lengths: 400" 400 "${P}Host: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
reject "Transfer-Encoding in HTTP/1.0: 400" 400 "POST /a.txt HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
reject "Transfer-Encoding gzip (last not chunked): 400" 400 "${P}Host: x\r\nTransfer-Encoding: gzip\r\n\r\n"
reject "Transfer-Encoding chunked, gzip: 400" 400 "${P}Host: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"
reject "Transfer-Encoding identity: 400" 400 "${P}Host: x\r\nTransfer-Encoding: identity\r\n\r\n"
reject "Transfer-Encoding chunked then identity (two fields): 400" 400 "${P}Host: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n"
reject "Transfer-Encoding with Content-Length: 400" 400 "${P}Host: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
reject "Content-Length after Transfer-Encoding: 400" 400 "${P}Host: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"
reject "two Host fields: 400" 400 "${G}Host: x\r\nHost: y\r\n\r\n"
reject "no Host in HTTP/1.1: 400" 400 "${G}Accept: */*\r\n\r\n"
reject "HTTP/2.0: 505" 505 "GET /a.txt HTTP/2.0\r\nHost: x\r\n\r\n"
reject "HTTP/3.0: 505" 505 "GET /a.txt HTTP/3.0\r\nHost: x\r\n\r\n"
reject "version-less request line: 400" 400 "GET /a.txt\r\nHost: x\r\n\r\n"
reject "lower-case http version: 400" 400 "GET /a.txt http/1.1\r\nHost: x\r\n\r\n"
reject "invalid chunk size: 400" 400 "${P}Host: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
reject "chunk without CRLF after data: 400" 400 "${P}Host: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n"
ext=$(python3 -c 'print(";a=b" * 400, end="")')
reject "oversized chunk extensions (CVE-2024-22019): 400" 400 "${P}Host: x\r\nTransfer-Encoding: chunked\r\n\r\n5${ext}\r\nhello\r\n0\r\n\r\n"
ext=$(python3 -c 'print(";a=b" * 40, end="")')
exts=""
i=0
while [ $i -lt 40 ]; do
	exts="${exts}1${ext}\r\nx\r\n"
	i=$((i + 1))
done
reject "many small chunks with extensions past the bound: 400" 400 "${P}Host: x\r\nTransfer-Encoding: chunked\r\n\r\n${exts}0\r\n\r\n"
# A small extension is fine.
raw_request -t 3 "${P}Host: x\r\nTransfer-Encoding: chunked\r\n\r\n5;name=val\r\nhello\r\n0\r\n\r\n${NEXT_CLOSE}" >"$T/smallext"
check_eq "a short chunk extension is accepted (405 then the next)" "405 200" "$(status_list "$T/smallext" | tr '\n' ' ' | sed 's/ $//')"

# The server still works after all of that.
st=$(hget "$T/after" "$(url /a.txt)")
check_eq "server still answers after the rejections" 200 "$st"

finish
