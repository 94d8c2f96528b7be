#!/bin/sh
# httpd_tls_records.sh: HTTP over TLS records cut anywhere, and the ways a TLS
# client ends, against a second httpd without TLS on the same root.
# - Framing: a request split into two TLS records at every byte offset, one
#   record per byte, two pipelined requests, bodies by Content-Length and
#   chunked with a trailer: each answer byte-identical (Date aside) to the
#   same request's over plain HTTP.
# - Endings: close_notify right behind a request (the answer goes, then the
#   connection closes at once, not at the idle timeout), mid-head (closed at
#   once), a TCP half-close without close_notify (the answer, then a clean
#   end: no fatal alert), a reset mid-record, a client that never reads a big
#   answer while another is served.
# - Protocol: KeyUpdate both ways (s_client k/K), early data never offered, a
#   ClientHello claiming 16 MB, odd SNI names.
# After all of it: no descriptor left, and the server still answers.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
C=$T/certs
sh "$(dirname "$0")/../tls-certs.sh" "$C" || { fail "test certificates made"; finish; }
R=$(mkroot site)
printf 'hello\n' >"$R/index.html"
awk 'BEGIN { for (i = 0; i < 500; i++) printf "line %05d\n", i }' >"$R/mid.txt"
head -c 40000000 /dev/zero >"$R/big.bin"
touch -d '2020-01-01 00:00:00 UTC' "$R/index.html" "$R/mid.txt" "$R/big.bin"

start_httpd "$R" -w 1 -l off || { fail "plain httpd starts"; finish; }
PLAIN=$PORT
start_httpd "$R" -w 1 -l off --timeout 30 --tls-cert "$C/server.pem" --tls-key "$C/server.key" \
	|| { fail "httpd starts with TLS"; finish; }
nfds() { ls "/proc/$HTTPD_PID/fd" | wc -l; }
# Counted once every file is open in the worker's file cache.
for f in index.html mid.txt big.bin; do
	hcurl --cacert "$C/ca.pem" --resolve "localhost:$PORT:127.0.0.1" -o /dev/null "https://localhost:$PORT/$f"
done
base=$(nfds)

# A TLS client through memory BIOs: each write is its own record(s), sent at once.
PY='
import re, socket, ssl, struct, sys, time
port, plain, ca, what = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
class Client:
    def __init__(c, port, tls=True):
        c.s = socket.create_connection(("127.0.0.1", port), 5)
        c.tls = tls
        if not tls:
            return
        ctx = ssl.create_default_context(cafile=ca)
        c.i, c.o = ssl.MemoryBIO(), ssl.MemoryBIO()
        c.t = ctx.wrap_bio(c.i, c.o, server_hostname="localhost")
        while True:
            try:
                c.t.do_handshake()
                break
            except ssl.SSLWantReadError:
                c.flush()
                c.i.write(c.s.recv(65536) or sys.exit("closed in the handshake"))
        c.flush()
    def flush(c):
        c.s.sendall(c.o.read())
    def write(c, b):
        if c.tls:
            c.t.write(b)
            c.flush()
        else:
            c.s.sendall(b)
    def notify(c):
        try:
            c.t.unwrap()
        except ssl.SSLWantReadError:
            pass
        c.flush()
    def read_all(c, timeout=10):
        """Plaintext until the end; the end is "eof", "timeout", or the TLS error."""
        c.s.settimeout(timeout)
        out = b""
        while True:
            try:
                d = c.s.recv(65536)
            except socket.timeout:
                return out, "timeout"
            except ConnectionResetError:
                return out, "reset"
            if not c.tls:
                if not d:
                    return out, "eof"
                out += d
                continue
            if d:
                c.i.write(d)
            else:
                c.i.write_eof()
            try:
                while True:
                    b = c.t.read(65536)
                    if not b:
                        return out, "eof"
                    out += b
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return out, "eof"
            except ssl.SSLError as e:
                return out, e.reason
            if not d:
                return out, "eof"

def norm(b):
    return re.sub(rb"Date: [^\r]*", b"Date: -", b)

def answer(pieces, tls=True):
    c = Client(port if tls else plain, tls)
    for p in pieces:
        c.write(p)
        time.sleep(0.001)
    out, end = c.read_all()
    return norm(out) + b"<" + end.encode() + b">"

REQ = b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
if what == "framing":
    last = b"GET /mid.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    reqs = {
        "one request": b"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "two pipelined": REQ + last,
        "Content-Length body": b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world" + last,
        "chunked body, trailer": b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n" + last,
    }
    for name, r in reqs.items():
        want = answer([r], False)
        cuts = [[r[:i], r[i:]] for i in range(1, len(r))] + [[r[i:i + 1] for i in range(len(r))]]
        bad = [len(p[0]) for p in cuts if answer(p) != want]
        print("%s: %d cuts, %s" % (name, len(cuts), "differ at %s" % bad[:5] if bad else "all identical"))
    sys.exit(0)
c = Client(port)
if what == "notify-after":
    c.t.write(REQ)
    c.notify()
elif what == "notify-midhead":
    c.t.write(REQ[:20])
    c.notify()
elif what == "half-close":
    c.write(REQ)
    c.s.shutdown(socket.SHUT_WR)
elif what == "reset":
    c.t.write(REQ)
    c.s.sendall(c.o.read()[:10])
    time.sleep(0.2)
    c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.s.close()
    print("reset")
    sys.exit(0)
elif what == "stall":
    # Asks for a big file and never reads: another client is answered meanwhile.
    c.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.write(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.5)
    other = Client(port)
    other.write(b"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    out, end = other.read_all()
    print("the other client:", out.split(b"\r\n")[0].decode(), end)
    sys.exit(0)
# 12 s: less than the header (15 s) and idle (30 s) timeouts, so "eof" is
# the end the client asked for, and "timeout" a connection left open.
out, end = c.read_all(timeout=12)
print("%s, then %s" % (out.split(b"\r\n")[0].decode() or "nothing", end))
'
run() { python3 -c "$PY" "$PORT" "$PLAIN" "$C/ca.pem" "$@" 2>&1; }

# ---- framing across records ----
run framing >"$T/framing"
for name in "one request" "two pipelined" "Content-Length body" "chunked body, trailer"; do
	check "$name, cut anywhere: each answer as over plain HTTP" \
		grep -q "^$name: [0-9]* cuts, all identical\$" "$T/framing"
done

# ---- endings ----
# A close_notify behind a complete request: the client ends its writes only
# (TLS 1.3 is half-close; nginx too answers what it read), so the answer
# goes; then the connection ends, as at a plaintext EOF.
check_eq "close_notify behind a request: answered, then closed at once" \
	"HTTP/1.1 200 OK, then eof" "$(run notify-after)"
check_eq "close_notify mid-head: closed at once, nothing answered" \
	"nothing, then eof" "$(run notify-midhead)"
# OpenSSL 3 answers a TCP close without close_notify with a fatal
# decode_error alert, unless told to take it as the end it is.
check_eq "a TCP half-close after a request: answered, then a clean end (no alert)" \
	"HTTP/1.1 200 OK, then eof" "$(run half-close)"
check_eq "a reset mid-record" "reset" "$(run reset)"
check_eq "a client not reading a big answer does not hold up another" \
	"the other client: HTTP/1.1 200 OK eof" "$(run stall)"

# ---- protocol ----
sc() { timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$C/ca.pem" "$@"; }
REQ='GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n'
# s_client takes commands only without -ign_eof; K asks for the server's update too.
(printf "$REQ"; sleep 0.3; printf 'K\n'; sleep 0.3; printf "$REQ"; sleep 0.3; printf 'k\n'; sleep 0.3
	printf "$REQ"; sleep 0.5) | sc -msg >"$T/ku" 2>&1
check_eq "KeyUpdate (k and K): all three requests answered" "3" "$(grep -c '^hello$' "$T/ku")"
check_eq "K: the server updates its keys too" "1" \
	"$(grep -c '^<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate' "$T/ku")"
(printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'; sleep 0.5) \
	| sc -sess_out "$T/sess" -ign_eof >/dev/null 2>&1
printf "$REQ" >"$T/early"
(sleep 0.5) | sc -sess_in "$T/sess" -early_data "$T/early" -ign_eof >"$T/ed" 2>&1
openssl sess_id -in "$T/sess" -text -noout >"$T/ticket" 2>&1
check_contains "early data: the ticket allows none" "$T/ticket" "Max Early Data: 0"
check_contains "...so a resuming client sends none" "$T/ed" "Early data was not sent"

# A ClientHello: a handshake header claiming LEN bytes, or one with SNI NAME.
HELLO_PY='
import socket, ssl, struct, sys
port, what = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
t = ctx.wrap_bio(i, o, server_hostname="localhost")
try:
    t.do_handshake()
except ssl.SSLWantReadError:
    pass
hs = o.read()[9:]  # the ClientHello body: record and handshake headers off
p = 34
p += 1 + hs[p]
p += 2 + int.from_bytes(hs[p:p + 2], "big")
p += 1 + hs[p]
exts, q, out = hs[p + 2:], 0, b""
while q < len(exts):
    typ, n = struct.unpack(">HH", exts[q:q + 4])
    e, q = exts[q:q + 4 + n], q + 4 + n
    if typ == 0 and what.startswith("sni:"):
        sn = what[4:].encode("latin-1").decode("unicode_escape").encode("latin-1")
        sn = b"\0" + struct.pack(">H", len(sn)) + sn
        e = struct.pack(">HHH", 0, len(sn) + 2, len(sn)) + sn
    out += e
body = hs[:p] + struct.pack(">H", len(out)) + out
claim = int(what[6:]) if what.startswith("claim:") else len(body)
msg = b"\1" + claim.to_bytes(3, "big") + body + (bytes(100000) if claim > len(body) else b"")
s = socket.create_connection(("127.0.0.1", port), 5)
s.settimeout(8)
try:
    for k in range(0, len(msg), 16384):
        f = msg[k:k + 16384]
        s.sendall(b"\x16\x03\x01" + struct.pack(">H", len(f)) + f)
    d = s.recv(5)
except socket.timeout:
    sys.exit(print("no answer"))
except (BrokenPipeError, ConnectionResetError):
    d = b""
print("handshake" if d[:1] == b"\x16" else "refused")
'
hello() { python3 -c "$HELLO_PY" "$PORT" "$1" 2>&1; }
check_eq "a ClientHello claiming 16 MB is refused at once" "refused" "$(hello claim:16000000)"
for n in 'a..b' '-' 'localhost.' '\xff\xfe' "$(printf '%0250d' 0)"; do
	check_eq "SNI $(printf '%.20s' "$n"): the handshake goes on" "handshake" "$(hello "sni:$n")"
done
check_eq "SNI with a NUL: refused (unrecognized_name)" "refused" "$(hello 'sni:x\x00y')"

# ---- nothing lasting ----
sleep 0.5
check_eq "no descriptor left behind" "$base" "$(nfds)"
check_eq "and the server still answers over TLS" "200" \
	"$(hcurl --cacert "$C/ca.pem" --resolve "localhost:$PORT:127.0.0.1" -o /dev/null -w '%{http_code}' "https://localhost:$PORT/")"
stop_httpd TERM 10
check_eq "SIGTERM: exit 0" "0" "$HTTPD_STATUS"
finish
