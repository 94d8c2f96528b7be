#!/bin/sh
# httpd_http.sh: methods, status codes, response headers, keep-alive,
# HTTP/1.0, pipelining, split requests, request bodies, -H extra headers.
. "$(dirname "$0")/../lib.sh"

R=$(mkroot site)
T=$TEST_TMP
printf 'hello world\n' >"$R/a.txt"
printf 'BBB-content\n' >"$R/b.txt"
printf '<!doctype html><title>i</title>\n' >"$R/index.html"
printf 'body { color: red }\n' >"$R/style.css"
printf '\211PNG\r\n\032\n' >"$R/img.png"
printf 'opaque' >"$R/blob.qqqzzz"
touch -d '2020-01-02 03:04:05 UTC' "$R/a.txt"
head -c 300000 /dev/zero | tr '\0' 'x' >"$R/big.txt"
H='Host: 127.0.0.1'
DATE_RE='^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$'

start_httpd "$R" -H 'Cache-Control: max-age=60' -H 'Access-Control-Allow-Origin: *' ||
	{ fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

# --- GET and the headers of a file response ---
st=$(hget "$T/g" "$(url /a.txt)")
check_eq "GET /a.txt is 200" 200 "$st"
check_eq "GET body is the file" "hello world" "$(cat "$T/g.b")"
check_eq "Content-Length is the file size" 12 "$(header_of "$T/g.h" Content-Length)"
case "$(header_of "$T/g.h" Content-Type)" in
text/plain*) ok "Content-Type text/plain for .txt" ;;
*) fail "Content-Type text/plain for .txt" "got '$(header_of "$T/g.h" Content-Type)'" ;;
esac
if header_of "$T/g.h" Date | grep -Eq "$DATE_RE"; then ok "Date is an IMF-fixdate"; else
	fail "Date is an IMF-fixdate" "got '$(header_of "$T/g.h" Date)'"; fi
if [ -n "$(header_of "$T/g.h" Server)" ]; then ok "Server header present"; else fail "Server header present"; fi
check_eq "Last-Modified is the file's mtime" "Thu, 02 Jan 2020 03:04:05 GMT" "$(header_of "$T/g.h" Last-Modified)"
ETAG=$(header_of "$T/g.h" ETag)
case "$ETAG" in
\"*\" | W/\"*\") ok "ETag is a quoted entity tag" ;;
*) fail "ETag is a quoted entity tag" "got '$ETAG'" ;;
esac
check_eq "Accept-Ranges: bytes" bytes "$(header_of "$T/g.h" Accept-Ranges)"
check_eq "-H adds Cache-Control" "max-age=60" "$(header_of "$T/g.h" Cache-Control)"
check_eq "-H adds a second header (CORS)" "*" "$(header_of "$T/g.h" Access-Control-Allow-Origin)"

for f in "style.css text/css" "index.html text/html" "img.png image/png" "blob.qqqzzz application/octet-stream"; do
	set -- $f
	hget "$T/m" "$(url "/$1")" >/dev/null
	case "$(header_of "$T/m.h" Content-Type)" in
	"$2"*) ok "Content-Type $2 for $1" ;;
	*) fail "Content-Type $2 for $1" "got '$(header_of "$T/m.h" Content-Type)'" ;;
	esac
done

st=$(hget "$T/root" "$(url /)")
check_eq "GET / serves index.html" "200 <!doctype html><title>i</title>" "$st $(cat "$T/root.b")"

# Date moves with the clock (formatted once a second, not frozen).
d1=$(header_of "$T/g.h" Date)
sleep 1.2
hget "$T/g2" "$(url /a.txt)" >/dev/null
d2=$(header_of "$T/g2.h" Date)
if [ -n "$d2" ] && [ "$d1" != "$d2" ]; then ok "Date advances between requests 1.2 s apart"; else
	fail "Date advances between requests 1.2 s apart" "'$d1' then '$d2'"; fi

# --- HEAD: same headers, no body ---
raw_request "HEAD /a.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/head"
check_eq "HEAD is 200" 200 "$(status_of "$T/head")"
check_eq "HEAD Content-Length as GET" 12 "$(header_of "$T/head" Content-Length)"
check_eq "HEAD ETag as GET" "$ETAG" "$(header_of "$T/head" ETag)"
check_eq "HEAD Last-Modified as GET" "$(header_of "$T/g.h" Last-Modified)" "$(header_of "$T/head" Last-Modified)"
check_eq "HEAD Content-Type as GET" "$(header_of "$T/g.h" Content-Type)" "$(header_of "$T/head" Content-Type)"
check_eq "-H headers on HEAD too" "max-age=60" "$(header_of "$T/head" Cache-Control)"
hget "$T/r206" -r 0-3 "$(url /a.txt)" >/dev/null
check_eq "-H headers on a 206 too" "206 max-age=60 hell" \
	"$(status_of "$T/r206.h") $(header_of "$T/r206.h" Cache-Control) $(cat "$T/r206.b")"
check_eq "HEAD has no body" 0 "$(body_of "$T/head" | wc -c | tr -d ' ')"
# A HEAD then a GET on one connection: exactly two responses, framing intact.
raw_request "HEAD /a.txt HTTP/1.1\r\n$H\r\n\r\nGET /b.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/head2"
check_eq "HEAD then GET pipelined: two responses" "200 200" "$(status_list "$T/head2" | tr '\n' ' ' | sed 's/ $//')"
check_contains "HEAD then GET pipelined: GET body follows" "$T/head2" "BBB-content"
check_lacks "HEAD then GET pipelined: no HEAD body" "$T/head2" "hello world"

# HEAD of an error, OPTIONS: no body, so the next response starts right after.
raw_request -t 3 "HEAD /missing HTTP/1.1\r\n$H\r\n\r\nOPTIONS /a.txt HTTP/1.1\r\n$H\r\n\r\nGET /b.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/hnb"
check_eq "HEAD 404, OPTIONS, GET pipelined: three responses" "404 204 200" "$(status_list "$T/hnb" | tr '\n' ' ' | sed 's/ $//')"
check_lacks "HEAD of a 404 sends no error page" "$T/hnb" "<"
check_contains "the GET after HEAD 404 and OPTIONS is intact" "$T/hnb" "BBB-content"

# A large file (sendfile path) then a small one, pipelined.
raw_request -t 3 "GET /big.txt HTTP/1.1\r\n$H\r\n\r\nGET /a.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/bigpipe"
check_eq "large file then small file pipelined: 200 200" "200 200" "$(status_list "$T/bigpipe" | tr '\n' ' ' | sed 's/ $//')"
check_eq "large file pipelined: every body byte, in order" "300000 hello world" \
	"$(grep -ao 'xxxxxxxxxx*' "$T/bigpipe" | grep -v '^x\{1,100\}$' | tr -d '\n' | wc -c | tr -d ' ') $(tail -n 1 "$T/bigpipe")"
raw_request "HEAD /big.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/bighead"
check_eq "HEAD of a large file: Content-Length, no body" "300000 0" \
	"$(header_of "$T/bighead" Content-Length) $(body_of "$T/bighead" | wc -c | tr -d ' ')"
hcurl -o "$T/big.got" "$(url /big.txt)"
if cmp -s "$T/big.got" "$R/big.txt"; then ok "large file body intact"; else fail "large file body intact"; fi

# --- other methods ---
raw_request "OPTIONS /a.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/opt"
check_eq "OPTIONS /a.txt is 204" 204 "$(status_of "$T/opt")"
check_eq "OPTIONS Allow" "GET, HEAD, OPTIONS" "$(header_of "$T/opt" Allow)"
raw_request "OPTIONS * HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/opt2"
check_eq "OPTIONS * is 204" 204 "$(status_of "$T/opt2")"
for m in POST PUT DELETE PATCH; do
	raw_request "$m /a.txt HTTP/1.1\r\n$H\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" >"$T/m405"
	check_eq "$m is 405" 405 "$(status_of "$T/m405")"
	check_eq "$m 405 has Allow" "GET, HEAD, OPTIONS" "$(header_of "$T/m405" Allow)"
done
raw_request "PROPFIND /a.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/mprop"
st=$(status_of "$T/mprop")
case "$st" in
405 | 501) ok "PROPFIND is refused ($st)" ;;
*) fail "PROPFIND is refused (405 or 501)" "got '$st'" ;;
esac
raw_request "BREW /a.txt HTTP/1.1\r\n$H\r\n\r\n" >"$T/m501"
st=$(status_of "$T/m501")
case "$st" in
501 | 400) ok "unknown method BREW is 501 (or 400)" ;;
*) fail "unknown method BREW is 501 (or 400)" "got '$st'" ;;
esac
raw_request "GET /nope.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/404"
check_eq "missing file is 404" 404 "$(status_of "$T/404")"
case "$(header_of "$T/404" Content-Type)" in
text/html*) ok "404 has an HTML body" ;;
*) fail "404 has an HTML body" "Content-Type '$(header_of "$T/404" Content-Type)'" ;;
esac
check_eq "404 Content-Length matches its body" "$(body_of "$T/404" | wc -c | tr -d ' ')" "$(header_of "$T/404" Content-Length)"
if [ -n "$(header_of "$T/404" Date)" ] && [ -n "$(header_of "$T/404" Server)" ]; then
	ok "error responses carry Date and Server"
else
	fail "error responses carry Date and Server"
fi

# --- keep-alive ---
hcurl -v -o /dev/null -o /dev/null "$(url /a.txt)" "$(url /b.txt)" 2>"$T/ka.err"
if grep -qi 're-using existing' "$T/ka.err"; then ok "keep-alive: curl re-uses the connection"; else
	fail "keep-alive: curl re-uses the connection" "$(grep -i 'connection' "$T/ka.err" | head -3 | tr '\n' ' ')"; fi
raw_request -t 1 "GET /a.txt HTTP/1.1\r\n$H\r\n\r\n" >"$T/ka11"
check_eq "HTTP/1.1 connection stays open after a response" 3 "$?"
raw_request -t 3 "GET /a.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/cc"
check_eq "Connection: close: server closes" 0 "$?"
check_eq "Connection: close: response says close" close "$(header_of "$T/cc" Connection | tr 'A-Z' 'a-z')"
raw_request -t 3 "GET /a.txt HTTP/1.0\r\n\r\n" >"$T/h10"
rc=$?
check_eq "HTTP/1.0 without Host is answered 200" 200 "$(status_of "$T/h10")"
check_eq "HTTP/1.0: server closes" 0 "$rc"
check_eq "HTTP/1.0: response says Connection: close" close "$(header_of "$T/h10" Connection | tr 'A-Z' 'a-z')"
raw_request -t 1 "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" >"$T/h10ka"
check_eq "HTTP/1.0 keep-alive: connection stays open" 3 "$?"
check_eq "HTTP/1.0 keep-alive: response says keep-alive" keep-alive "$(header_of "$T/h10ka" Connection | tr 'A-Z' 'a-z')"
raw_request -t 3 "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b.txt HTTP/1.0\r\n\r\n" >"$T/h10ka2"
check_eq "HTTP/1.0 keep-alive: second request answered" "200 200" "$(status_list "$T/h10ka2" | tr '\n' ' ' | sed 's/ $//')"

# --- pipelining: many requests in one write, answered in order ---
req="GET /a.txt HTTP/1.1\r\n$H\r\n\r\nHEAD /a.txt HTTP/1.1\r\n$H\r\n\r\nGET /b.txt HTTP/1.1\r\n$H\r\n\r\n"
req="${req}GET /missing HTTP/1.1\r\n$H\r\n\r\nGET /a.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n"
raw_request -t 3 "$req" >"$T/pipe"
rc=$?
check_eq "pipelined 5 requests: statuses in order" "200 200 200 404 200" "$(status_list "$T/pipe" | tr '\n' ' ' | sed 's/ $//')"
check_eq "pipelined 5 requests: bodies in order" "hello BBB-content hello" \
	"$(grep -aoE 'hello|BBB-content' "$T/pipe" | tr '\n' ' ' | sed 's/ $//')"
check_eq "pipelined: closed after the Connection: close one" 0 "$rc"
python3 -c 'import sys
r = "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n" * 50 + "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
sys.stdout.write(r)' >"$T/pipe50.req"
raw_request -t 3 <"$T/pipe50.req" >"$T/pipe50"
check_eq "51 pipelined requests in one write: 51 responses" 51 "$(status_list "$T/pipe50" | grep -c 200)"
check_eq "51 pipelined: 50 b bodies" 50 "$(grep -ao 'BBB-content' "$T/pipe50" | wc -l | tr -d ' ')"

# --- a request split byte by byte ---
raw_request -s 1 -d 0.005 -t 3 "GET /a.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/split"
check_eq "request split byte by byte: 200" 200 "$(status_of "$T/split")"
check_contains "request split byte by byte: body" "$T/split" "hello world"
raw_request -m '|' -d 0.2 -t 3 "GET /a.txt HTTP/1.1\r\n$H\r|\nConnection: close\r\n\r|\n" >"$T/split2"
check_eq "request split between CR and LF: 200" 200 "$(status_of "$T/split2")"

# --- request bodies are drained, never taken for a request ---
smug="GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
n=$(printf "$smug" | wc -c | tr -d ' ')
raw_request -t 3 "POST /a.txt HTTP/1.1\r\n$H\r\nContent-Length: $n\r\n\r\n${smug}GET /b.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/body"
check_eq "POST with a body then GET: 405 then 200, nothing else" "405 200" "$(status_list "$T/body" | tr '\n' ' ' | sed 's/ $//')"
check_lacks "POST body not answered as a request" "$T/body" "hello world"
check_contains "GET after a POST body answered" "$T/body" "BBB-content"
raw_request -t 3 "POST /a.txt HTTP/1.1\r\n$H\r\nTransfer-Encoding: chunked\r\n\r\n$(printf '%x' "$n")\r\n${smug}\r\n0\r\n\r\nGET /b.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/chunk"
check_eq "chunked POST then GET: 405 then 200, nothing else" "405 200" "$(status_list "$T/chunk" | tr '\n' ' ' | sed 's/ $//')"
check_lacks "chunked body not answered as a request" "$T/chunk" "hello world"
raw_request -d 0.3 -m '|' -t 3 "GET /a.txt HTTP/1.1\r\n$H\r\nContent-Length: 5\r\n\r\nab|cde|GET /b.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/slowbody"
check_eq "GET with a body arriving in pieces: 200 200" "200 200" "$(status_list "$T/slowbody" | tr '\n' ' ' | sed 's/ $//')"
check_eq "GET with a body: file bodies in order" "hello BBB-content" \
	"$(grep -aoE 'hello|BBB-content' "$T/slowbody" | tr '\n' ' ' | sed 's/ $//')"

raw_request -t 3 "POST /a.txt HTTP/1.1\r\n$H\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: v\r\n\r\nGET /b.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/trailer"
check_eq "chunked body with a trailer, then GET: 405 200" "405 200" "$(status_list "$T/trailer" | tr '\n' ' ' | sed 's/ $//')"

# --- Connection tokens are case-insensitive and may be lists ---
raw_request -t 3 "GET /a.txt HTTP/1.1\r\n$H\r\nConnection: CLOSE\r\n\r\n" >/dev/null
check_eq "Connection: CLOSE closes" 0 "$?"
raw_request -t 3 "GET /a.txt HTTP/1.1\r\n$H\r\nConnection: keep-alive, close\r\n\r\n" >/dev/null
check_eq "Connection: keep-alive, close closes" 0 "$?"
raw_request -t 1 "GET /a.txt HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n" >/dev/null
check_eq "HTTP/1.0 Connection: Keep-Alive stays open" 3 "$?"
raw_request -t 1 "GET /missing HTTP/1.1\r\n$H\r\n\r\n" >/dev/null
check_eq "a 404 keeps the connection" 3 "$?"
raw_request -t 1 "POST /a.txt HTTP/1.1\r\n$H\r\nContent-Length: 2\r\n\r\nab" >/dev/null
check_eq "a 405 with a drained body keeps the connection" 3 "$?"

# --- a second request split across reads right after the first ---
raw_request -m '|' -d 0.2 -t 3 "GET /a.txt HTTP/1.1\r\n$H\r\n\r\nGET /b.t|xt HTTP/1.1\r\n$H\r|\nConnection: close\r\n\r\n" >"$T/half2"
check_eq "request 2 split over reads after request 1: 200 200" "200 200" "$(status_list "$T/half2" | tr '\n' ' ' | sed 's/ $//')"
# Many pipelined requests whose answers overflow any one write.
python3 -c 'import sys
sys.stdout.write("GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n" * 20 + "GET /b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")' >"$T/bp.req"
raw_request -t 5 <"$T/bp.req" >"$T/bp"
check_eq "20 pipelined 300 KB answers then one more: 21 responses" 21 "$(status_list "$T/bp" | grep -c 200)"
check_eq "20 pipelined 300 KB answers: all body bytes" 6000000 \
	"$(grep -ao 'xxxxxxxxxx*' "$T/bp" | grep -v '^x\{1,100\}$' | tr -d '\n' | wc -c | tr -d ' ')"

# --- Expect: 100-continue gets a final response without the body being sent ---
raw_request -t 2 "POST /a.txt HTTP/1.1\r\n$H\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n" >"$T/expect"
final=$(status_list "$T/expect" | grep -v '^1' | head -n 1)
check_eq "Expect: 100-continue POST gets its final 405 without sending the body" 405 "$final"
raw_request -t 2 "GET /a.txt HTTP/1.1\r\n$H\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n" >"$T/expect2"
final=$(status_list "$T/expect2" | grep -v '^1' | head -n 1)
check_eq "Expect: 100-continue GET gets its final 200 without sending the body" 200 "$final"
# The body sent after the final answer is still drained, never a request.
printf 'SMUGGLED-S\n' >"$R/s.txt"
smug2="GET /s.txt HTTP/1.1\r\nHost: x\r\n\r\n"
n2=$(printf "$smug2" | wc -c | tr -d ' ')
raw_request -m '|' -d 0.3 -t 3 "POST /a.txt HTTP/1.1\r\n$H\r\nContent-Length: $n2\r\nExpect: 100-continue\r\n\r\n|${smug2}GET /b.txt HTTP/1.1\r\n$H\r\nConnection: close\r\n\r\n" >"$T/expect3"
check_lacks "Expect: 100-continue: the body sent later is not taken for a request" "$T/expect3" "SMUGGLED-S"
final=$(status_list "$T/expect3" | grep -v '^1' | tr '\n' ' ' | sed 's/ $//')
case "$final" in
"405 200" | 405) ok "Expect: 100-continue: then the next request answered or the connection closed ($final)" ;;
*) fail "Expect: 100-continue: then the next request answered or the connection closed" "got '$final'" ;;
esac
st=$(hcurl -o /dev/null -w '%{http_code}' -H 'Expect: 100-continue' --data-binary @"$R/index.html" "$(url /a.txt)")
check_eq "curl POST with Expect: 100-continue is 405" 405 "$st"

finish
