#!/bin/sh
# httpd_framing.sh: request framing and fields from hostile peers (issue 10):
# a pooled parser is always handed out clean, trailer fields never steer an
# answer, valid chunk extensions are accepted, codings other than one final
# chunked get 501, a Host that is not uri-host[:port] gets 400. Raw sockets:
# the bytes matter.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
printf 'hello world\n' >"$R/a.txt"
printf 'SMUGGLED-RESOURCE\n' >"$R/s.txt"
# One worker: every connection takes its parser from the same pool.
start_httpd "$R" -w 1 || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

P='POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
G='GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
NEXT='GET /s.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
statuses() { status_list "$1" | tr '\n' ' ' | sed 's/ $//'; }

# A trailer saying Connection: close once left its parser closed in the pool
# (the connection, kept alive, gives it back while idle): another client's
# connection took it and its valid request got 400.
for i in 1 2 3; do
	raw_request -t 4 "${P}3\r\nabc\r\n0\r\nConnection: close\r\n\r\n" >"$T/tc$i" &
	keeper=$!
	sleep 1
	raw_request -t 3 "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >"$T/after$i"
	check_eq "trailer Connection: close ($i): another connection's request gets 200" 200 \
		"$(status_of "$T/after$i")"
	wait "$keeper"
	check_eq "trailer Connection: close ($i): its own request got 405" 405 "$(status_of "$T/tc$i")"
done
check_eq "trailer Connection: close is not heeded: 405 then the next request" "405 200" \
	"$(raw_request -t 3 "${P}3\r\nabc\r\n0\r\nConnection: close\r\n\r\n$NEXT" >"$T/tc"; statuses "$T/tc")"

# Trailer fields never reach the planner (RFC 9110 6.5.1).
raw_request -t 3 "${G}0\r\nRange: bytes=0-0\r\nIf-None-Match: *\r\nAccept-Encoding: gzip\r\nHost: a b\r\n\r\n$NEXT" >"$T/tr"
check_eq "trailer Range/If-None-Match/Host: ignored, 200 then the next" "200 200" "$(statuses "$T/tr")"
check_contains "trailer Range: the whole body" "$T/tr" "hello world"
check_eq "trailer Range: no Content-Range" "" "$(header_of "$T/tr" Content-Range)"
raw_request -t 3 "${G}0\r\nX-A: a\r\n Range: bytes=0-0\r\n\r\n$NEXT" >"$T/fold"
check_eq "obs-fold in a trailer: 400, nothing after it answered" 400 "$(statuses "$T/fold")"
check_lacks "obs-fold in a trailer: the next request not answered" "$T/fold" SMUGGLED-RESOURCE
big=$(python3 -c 'print("X-T: " + "v" * 40000, end="")')
raw_request -t 3 "${G}0\r\n$big\r\n\r\n$NEXT" >"$T/bigt"
check_eq "a trailer past the head limit: 431" 431 "$(statuses "$T/bigt")"

# Valid chunk extensions (llhttp 8.1.0 refuses some): accepted and ignored.
for ext in ';a=b;c' ';a=b;c=\"d\"' ' ; a = b ; c' ';a="x\\\"y"'; do
	raw_request -t 3 "${P}5${ext}\r\nhello\r\n0${ext}\r\n\r\n$NEXT" >"$T/ext"
	check_eq "chunk extension '$ext': 405 then the next" "405 200" "$(statuses "$T/ext")"
done
for ext in ';' ';a=' ';a b' ';a=\"b'; do
	raw_request -t 3 "${P}5${ext}\r\nhello\r\n0\r\n\r\n$NEXT" >"$T/badext"
	check_eq "malformed chunk extension '$ext': 400 alone" 400 "$(statuses "$T/badext")"
done

# Transfer codings: one final chunked, nothing else.
for te in 'gzip, chunked' 'identity, chunked'; do
	raw_request -t 3 "POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: $te\r\n\r\n0\r\n\r\n$NEXT" >"$T/te"
	rc=$?
	check_eq "Transfer-Encoding: $te: 501 alone" 501 "$(statuses "$T/te")"
	check_eq "Transfer-Encoding: $te: Connection: close" close "$(header_of "$T/te" Connection)"
	check_eq "Transfer-Encoding: $te: connection closed" 0 "$rc"
done

# Host: uri-host [ ":" port ].
for h in 'a b/c@d' 'a/b' 'u@a' 'a:8x' '[::1' '::1' 'a%2'; do
	raw_request -t 3 "GET /a.txt HTTP/1.1\r\nHost: $h\r\n\r\n$NEXT" >"$T/host"
	check_eq "Host '$h': 400 alone" 400 "$(statuses "$T/host")"
done
for h in 'example.org' 'example.org:8080' '127.0.0.1' '[::1]:80' 'a-b_c~d%41'; do
	raw_request -t 3 "GET /a.txt HTTP/1.1\r\nHost: $h\r\nConnection: close\r\n\r\n" >"$T/host"
	check_eq "Host '$h': 200" 200 "$(statuses "$T/host")"
done

finish
