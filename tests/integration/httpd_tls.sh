#!/bin/sh
# httpd_tls.sh: every HTTP behaviour over HTTPS (curl --cacert with a test CA
# made at test time): GET/HEAD, ranges, conditionals, .gz twins, listings,
# keep-alive, pipelining in one TLS write, big files by sha256 (the encrypted
# copy path across mapped windows), the access log, graceful shutdown; the
# start-up line; --http-redirect.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
C=$T/certs
sh "$(dirname "$0")/../tls-certs.sh" "$C" || { fail "test certificates made"; finish; }
R=$(mkroot site)
printf '<!doctype html><title>tls</title><p>hello over TLS</p>\n' >"$R/index.html"
python3 -c 'import sys; sys.stdout.write("".join("%02d" % i for i in range(50)))' >"$R/d.bin"
touch -d '2021-06-07 08:09:10 UTC' "$R/d.bin"
printf 'plain text, also gzipped\n' >"$R/t.txt"
gzip -9 -n -c "$R/t.txt" >"$R/t.txt.gz"
mkdir "$R/dir" && echo x >"$R/dir/file one.txt"
head -c 3000000 /dev/urandom >"$R/big.bin"      # above the copy threshold, one window
head -c 9437184 /dev/urandom >"$R/huge.bin"     # 9 MiB: three mapped windows

start_httpd "$R" -w 2 --tls-cert "$C/server.pem" --tls-key "$C/server.key" \
	|| { fail "httpd starts with TLS" "$(head -c 300 "$HTTPD_LOG")"; finish; }
U="https://localhost:$PORT"
tc() { hcurl --cacert "$C/ca.pem" --resolve "localhost:$PORT:127.0.0.1" "$@"; }

check_contains "start-up line: https URL" "$HTTPD_LOG.out" "at https://127.0.0.1:$PORT/"
check_contains "start-up line: says whether kernel TLS is used" "$HTTPD_LOG.out" "kernel TLS"

# tget OUT CURL-ARGS...: head to OUT.h, body to OUT.b, status printed.
tget() {
	o=$1
	shift
	rm -f "$o.h" "$o.b"
	tc -D "$o.h" -o "$o.b" -w '%{http_code}' "$@" 2>"$o.err"
}

check_eq "GET / over TLS: 200 and the page" "200 $(cat "$R/index.html")" "$(tget "$T/g" "$U/") $(cat "$T/g.b")"
check_eq "curl verified the chain (leaf + intermediate) against the test CA" "" "$(cat "$T/g.err")"
st=$(tc -I -D "$T/h.h" -o /dev/null -w '%{http_code} %{size_download}' "$U/d.bin")
check_eq "HEAD: 200, Content-Length 100, no body" "200 0 100" "$st $(header_of "$T/h.h" Content-Length)"
check_eq "Range bytes=10-19: 206 and those bytes" "206 bytes 10-19/100 0506070809" \
	"$(tget "$T/r" -H 'Range: bytes=10-19' "$U/d.bin") $(header_of "$T/r.h" Content-Range) $(cat "$T/r.b")"
etag=$(header_of "$T/h.h" ETag)
check_eq "If-None-Match with the ETag: 304" "304" "$(tget "$T/c" -H "If-None-Match: $etag" "$U/d.bin")"
check_eq "If-Modified-Since the mtime: 304" "304" \
	"$(tget "$T/c2" -H 'If-Modified-Since: Mon, 07 Jun 2021 08:09:10 GMT' "$U/d.bin")"
check_eq "If-Range with an old date: the whole file" "200 100" \
	"$(tget "$T/ir" -H 'Range: bytes=0-1' -H 'If-Range: Mon, 07 Jun 2021 08:09:09 GMT' "$U/d.bin") $(wc -c <"$T/ir.b" | tr -d ' ')"
tget "$T/z" -H 'Accept-Encoding: gzip' "$U/t.txt" >/dev/null
check_eq ".gz twin over TLS: Content-Encoding gzip, the twin's bytes" "gzip same" \
	"$(header_of "$T/z.h" Content-Encoding) $(cmp -s "$T/z.b" "$R/t.txt.gz" && echo same)"
check_eq "listing over TLS: 200" "200" "$(tget "$T/l" "$U/dir/")"
check_contains "listing over TLS: the file's link" "$T/l.b" 'href="file%20one.txt"'
check_eq "missing file: 404" "404" "$(tget "$T/n" "$U/nope")"

# Keep-alive: one TLS connection for three requests.
got=$(tc -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects}' "$U/" "$U/d.bin" "$U/t.txt")
check_eq "keep-alive: three requests, one connection" "100" "$got"

# Big bodies (encrypted from the mapped window, across windows) by sha256.
for f in big.bin huge.bin; do
	tc -o "$T/$f" "$U/$f"
	check_eq "$f over TLS: sha256 matches" "$(sha256sum <"$R/$f")" "$(sha256sum <"$T/$f")"
done
tc -o "$T/hr" -H 'Range: bytes=4194000-4195000' "$U/huge.bin"
check_eq "range across a window boundary over TLS" \
	"$(dd if="$R/huge.bin" bs=1 skip=4194000 count=1001 2>/dev/null | sha256sum)" "$(sha256sum <"$T/hr")"

# Pipelining: 20 requests in one TLS write, 20 answers in order on one connection.
PIPE_PY='
import socket, ssl, sys, time
port, ca, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), 5), server_hostname="localhost")
req = b"".join(b"GET /d.bin HTTP/1.1\r\nHost: x\r\n\r\n" for _ in range(n - 1))
s.sendall(req + b"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data, end = b"", time.time() + 10
while time.time() < end:
    try:
        d = s.recv(65536)
    except (ssl.SSLError, OSError):
        break
    if not d:
        break
    data += d
sys.stdout.write("%d %d %s" % (data.count(b"HTTP/1.1 200 OK"), data.count(b"00010203"),
                               b"hello over TLS" in data))
'
check_eq "20 pipelined requests in one TLS write: 20 answers in order" "20 19 True" \
	"$(python3 -c "$PIPE_PY" "$PORT" "$C/ca.pem" 20)"

# More pipelined requests than one read takes, some with 3 MB answers that
# block the writes while the rest wait (read ahead) inside the TLS session.
MANY_PY='
import socket, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), 5), server_hostname="localhost")
paths = ["/big.bin" if i % 15 == 0 else "/d.bin" for i in range(299)] + ["/index.html"]
reqs = b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (p.encode(), b"Connection: close\r\n" if i == 299 else b"")
                for i, p in enumerate(paths))
s.sendall(reqs)
time.sleep(0.5)
parts, end = [], time.time() + 60
while time.time() < end:
    try:
        d = s.recv(1 << 20)
    except (ssl.SSLError, OSError):
        break
    if not d:
        break
    parts.append(d)
data = b"".join(parts)
print(len(reqs) > 8192, data.count(b"HTTP/1.1 200 OK"), len(data) > 20 * 3000000)
'
check_eq "300 pipelined requests (9 KB, 20 of them 3 MB answers) over TLS: 300 answers" "True 300 True" \
	"$(python3 -c "$MANY_PY" "$PORT" "$C/ca.pem")"

# A reader that stops now and then: a large body leaves in writes of many
# records (tunables.h, TRANSPORT_TLS_GATHER), and the socket fills with
# records gathered and not yet sent. The body must arrive whole with the
# connection kept open, and the next answer after it. (A tail still gathered
# when the last record was encrypted is not forced here: loopback's socket
# buffers take it; check_tls.c's gathered_records drives a full socket.)
SLOW_PY='
import hashlib, socket, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
raw = socket.socket()
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)  # small: the server blocks
raw.settimeout(10)
raw.connect(("127.0.0.1", port))
s = ctx.wrap_socket(raw, server_hostname="localhost")
def get(path, size, stop_every):
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    data, n, stops = b"", 0, 0
    try:
        while b"\r\n\r\n" not in data or len(data) - data.index(b"\r\n\r\n") - 4 < size:
            d = s.recv(65536)
            if not d:
                break
            data += d
            if stop_every and len(data) > (stops + 1) * stop_every and stops < 8:
                time.sleep(0.3)
                stops += 1
    except OSError:
        pass
    return data[data.index(b"\r\n\r\n") + 4:] if b"\r\n\r\n" in data else b""
big = get(b"/huge.bin", 9437184, 1000000)
small = get(b"/index.html", 15, 0)
sys.stdout.write("%s %s" % (hashlib.sha256(big).hexdigest(), b"hello over TLS" in small))
'
check_eq "a reader that pauses, keep-alive: 9 MiB body whole by sha256, then the next answer" \
	"$(sha256sum <"$R/huge.bin" | cut -d" " -f1) True" "$(python3 -c "$SLOW_PY" "$PORT" "$C/ca.pem")"

# --http-redirect on the same server is tested below, on its own instance.
sleep 0.3
check_contains "access log over TLS: the request line" "$HTTPD_LOG" '"GET /d.bin HTTP/1.1" 206'
stop_httpd TERM 10
check_eq "SIGTERM: graceful exit 0" "0" "$HTTPD_STATUS"

# The RSA certificate works as well as the ECDSA one; --http-redirect sends plain HTTP there.
RP=$(free_port)
start_httpd "$R" -w 1 --tls-cert "$C/rsa.pem" --tls-key "$C/rsa.key" --http-redirect "$RP" \
	|| { fail "httpd starts with an RSA pair and --http-redirect" "$(head -c 300 "$HTTPD_LOG")"; finish; }
U="https://localhost:$PORT"
check_eq "RSA certificate: GET / 200" "200" "$(tget "$T/rsa" "$U/")"
check_contains "start-up line names the redirect port" "$HTTPD_LOG.out" "http://127.0.0.1:$RP/ redirects there"
st=$(hcurl -D "$T/rd.h" -o "$T/rd.b" -w '%{http_code}' -H "Host: localhost:$RP" "http://127.0.0.1:$RP/dir/a%20b?x=1&y=2")
check_eq "redirect port: 308 to https, same path and query, httpd's port" \
	"308 https://localhost:$PORT/dir/a%20b?x=1&y=2" "$st $(header_of "$T/rd.h" Location)"
st=$(hcurl -D "$T/rd6.h" -o /dev/null -w '%{http_code}' -H "Host: [::1]:$RP" "http://127.0.0.1:$RP/")
check_eq "redirect port: an IPv6 Host keeps its brackets" "308 https://[::1]:$PORT/" \
	"$st $(header_of "$T/rd6.h" Location)"
raw_request -p "$RP" "GET / HTTP/1.1\r\nHost: evil.example/\r\nConnection: close\r\n\r\n" >"$T/rdbad"
check_eq "redirect port: a Host that is no host name gets 400, no Location" "400 " \
	"$(status_of "$T/rdbad") $(header_of "$T/rdbad" Location)"
got=$(hcurl -L --cacert "$C/ca.pem" --resolve "localhost:$PORT:127.0.0.1" --resolve "localhost:$RP:127.0.0.1" \
	-o /dev/null -w '%{http_code} %{url_effective}' "http://localhost:$RP/d.bin")
check_eq "curl -L follows the 308 to the HTTPS file" "200 https://localhost:$PORT/d.bin" "$got"
stop_httpd TERM 10

# --tls-cert alone: the default port is 8443 (not bound here: only the message is checked).
"$BIN/httpd" --tls-cert "$C/server.pem" "$R" >"$T/half.out" 2>"$T/half.err"
check_eq "--tls-cert without --tls-key: exit 2" "2" "$?"
"$BIN/httpd" --help >"$T/help"
check_contains "--help documents --tls-cert (default port 8443)" "$T/help" "8443"
finish
