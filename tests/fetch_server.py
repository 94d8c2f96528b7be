#!/usr/bin/env python3
"""fetch_server.py: a scripted HTTP/1.1 server for fetch's integration tests.

Standard library only. Listens on 127.0.0.1 (or ::1 with --ipv6) on a free
port, writes the port to --port-file (or prints it on stdout), and answers
each connection according to the request path (one response, then close):

  /hello /empty /big/N        Content-Length bodies (N pattern bytes)
  /binary /binary-chunked     bodies with CRLFCRLF, "0\\r\\n\\r\\n" and NUL bytes
  /chunked                    chunked, with chunk extensions and trailers
  /close /http10              close-delimited bodies (1.1 and 1.0)
  /slowhead                   the head a byte at a time, then the body
  /interim /many-interim      100 and 103 before the 200; 20 x 100 (too many)
  /redirect/CODE              CODE (301 302 303 307 308) to /hello, absolute URL
  /dir/relative               302 to a relative Location ("../hello")
  /chain/N                    N redirects, then /hello
  /loop /loop-a               redirect loops (to itself; a -> b -> a)
  /redirect-ftp               302 to ftp:// (a scheme fetch does not speak)
  /status/CODE                CODE with a small body (404, 500, 204, 416 ...)
  /truncated /truncated-chunked   the connection closes before the body ends
  /truncated-big /reset-big   the same past 1 MiB (fetch's splice path)
  /garbage /empty-reply       not HTTP at all; nothing at all
  /bad/NAME                   malformed status lines (see BAD_STATUS)
  /bigheader                  a 1 MiB header field
  /never                      reads the request and never answers
  /reset                      sends part of the body, then a TCP reset
  /slow /slow/NAME            a body that trickles (for --max-time)
  /range /range-ignore        100000 bytes with Range support (or without);
                              Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT
  /lm                         a body with Last-Modified
  /echo                       the request head, byte for byte, as the body
  /name/...                   200 "name\\n" (output file name tests)
  /goto?URL                   302 to URL (the raw query)
  /again/ID/N                 302 to itself N times (counted per ID), then 200
  /nobody/CODE                CODE with Content-Length: 5 and "stray", then
                              the connection stays open (204 and 304 end at
                              the blank line)
  /evil                       404 whose reason phrase carries terminal escapes,
                              C0 and C1 controls, and a header C1 and 0xff
  /heads/BYTES/FIELDS         a head of about BYTES and FIELDS fields in all (Set-Cookie
                              lines, then Content-Length and Connection)
  /range-trunc                ignores Range: 200, half the body, then closes
  /range-bad/KIND             a 206 that must not be joined (KIND: start,
                              short, length, unknown, chunked-short, chunked-long)
  /cd?VALUE                   200 with Content-Disposition: VALUE (percent-decoded)
  /ims                        Last-Modified as /range; 304 to an If-Modified-Since
                              at or after it
  /gzip/KIND                  Content-Encoding: gzip of 100000 pattern bytes
                              (KIND: good, multi, badcrc, truncated, trailing)
  /flaky/ID/N/KIND            the first N requests (counted per ID) fail as KIND
                              says, later ones get /range's body (ETag "v1",
                              Range honoured when If-Range matches): 503 (with
                              Retry-After: 1), 503date (Retry-After as a date),
                              500, 404, reset (closed before any answer), trunc
                              (half the body, then closed), weak (trunc with a
                              weak ETag), change (trunc, then the file is
                              another: ETag "v2", /range-v2's body)
  /log/ID                     every request head /flaky/ID got, in order
  /ka/ID/MODE/NAME            keep-alive: 200 "NAME\n" and the connection stays
                              open for the next request (MODE keep, chunked), or
                              is closed after it with "Connection: close" (close),
                              without saying so (idle), or when the next request
                              arrives, unanswered (drop); 404 with a small body
                              (404) or a 100000-byte one (big404), kept; 302 to
                              /ka/ID/keep/NAME (redirect), kept
  /conns/ID                   how many connections served /ka/ID requests
  /hold/ID/K/NAME             200 "NAME\n", held until K requests for /hold/ID
                              wait at once (503 after 20 s without)

HEAD requests get the same head and no body. Every response says
"Connection: close" unless it is close-delimited or a /ka or /hold one.
"""
import argparse
import email.utils
import gzip
import urllib.parse
import os
import socket
import socketserver
import struct
import sys
import threading
import time

LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
RANGE_SIZE = 100000

BINARY = (b"head\r\n\r\nHTTP/1.1 200 OK\r\n\r\n" + bytes(range(256)) +
          b"\x00\x00\r\n0\r\n\r\n\x00tail")

BAD_STATUS = {
    "short": b"HTTP/1.1 20 OK\r\n",
    "long": b"HTTP/1.1 2000 OK\r\n",
    "leading-zero": b"HTTP/1.1 0200 OK\r\n",
    "low": b"HTTP/1.1 099 Low\r\n",
    "high": b"HTTP/1.1 600 High\r\n",
    "version2": b"HTTP/2.0 200 OK\r\n",
    "version0": b"HTTP/0.9 200 OK\r\n",
    "letters": b"HTTP/1.1 2x0 OK\r\n",
    "nospace": b"HTTP/1.1200 OK\r\n",
    "lower": b"http/1.1 200 OK\r\n",
    "101": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\n",
}


def pattern(n, seed=0):
    """n deterministic bytes, all 256 values, not periodic on small scales."""
    out = bytearray()
    i = seed
    while len(out) < n:
        out += struct.pack(">I", (i * 2654435761) & 0xFFFFFFFF)
        i += 1
    return bytes(out[:n])


RANGE_BODY = pattern(RANGE_SIZE, 7)

GZIP_PLAIN = pattern(100000, 3)
_GZ = gzip.compress(GZIP_PLAIN, mtime=0)
GZIP = {
    "good": _GZ,
    "multi": gzip.compress(GZIP_PLAIN[:40000], mtime=0) + gzip.compress(GZIP_PLAIN[40000:], mtime=0),
    "badcrc": _GZ[:-8] + bytes([_GZ[-8] ^ 1]) + _GZ[-7:],
    "truncated": _GZ[:-4],
    "trailing": _GZ + b"garbage",
}


AGAIN = {}
AGAIN_LOCK = threading.Lock()
CONNS = {}
HOLD = {}
LOG = {}
RANGE_V2 = pattern(RANGE_SIZE, 9)


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.request.settimeout(30)
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def read_head(self):
        data, self.rest = self.rest, b""
        while b"\r\n\r\n" not in data:
            if len(data) > 65536:
                return None
            try:
                b = self.request.recv(4096)
            except OSError:
                return None
            if not b:
                return None
            data += b
        end = data.index(b"\r\n\r\n") + 4
        self.rest = data[end:]
        return data[:end]

    def send(self, data):
        try:
            self.request.sendall(data)
        except OSError:
            pass

    def respond(self, status, reason, body=b"", headers=(), length=True):
        head = "HTTP/1.1 %d %s\r\n" % (status, reason)
        for h in headers:
            head += h + "\r\n"
        if length:
            head += "Content-Length: %d\r\n" % len(body)
        head += "\r\n" if self.keep or self.quiet_close else "Connection: close\r\n\r\n"
        self.send(head.encode("latin-1") + (b"" if self.is_head else body))

    def handle(self):
        """Requests until one is answered without keep-alive."""
        self.rest, self.ka_ids, self.drop_next = b"", set(), False
        self.keep = True
        while self.keep:
            self.keep = self.quiet_close = False
            if not self.handle_one():
                return

    def handle_one(self):
        raw = self.read_head()
        if raw is None or self.drop_next:
            return False
        line = raw.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        if len(parts) != 3:
            return
        self.method, self.path = parts[0], parts[1]
        self.raw = raw
        self.is_head = self.method == "HEAD"
        self.headers = {}
        for h in raw.split(b"\r\n")[1:]:
            if b":" in h:
                k, v = h.split(b":", 1)
                self.headers[k.decode("latin-1").strip().lower()] = v.decode("latin-1").strip()
        self.dispatch()
        return True

    def dispatch(self):
        p = self.path.split("?", 1)[0]
        simple = {
            "/hello": lambda: self.respond(200, "OK", b"hello world\n"),
            "/empty": lambda: self.respond(200, "OK", b""),
            "/binary": lambda: self.respond(200, "OK", BINARY),
            "/binary-chunked": self.binary_chunked,
            "/chunked": self.chunked,
            "/close": self.close_delimited,
            "/http10": self.http10,
            "/slowhead": self.slowhead,
            "/interim": self.interim,
            "/many-interim": self.many_interim,
            "/dir/relative": lambda: self.redirect(302, "../hello"),
            "/loop": lambda: self.redirect(302, "/loop"),
            "/loop-a": lambda: self.redirect(302, "/loop-b"),
            "/loop-b": lambda: self.redirect(302, "/loop-a"),
            "/redirect-ftp": lambda: self.redirect(302, "ftp://127.0.0.1/hello"),
            "/truncated": self.truncated,
            "/truncated-chunked": self.truncated_chunked,
            "/truncated-big": lambda: self.truncated(2 << 20, 1 << 20),
            "/reset-big": lambda: self.reset(4 << 20, 1 << 20),
            "/garbage": lambda: self.send(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff garbage\r\n\r\n"),
            "/empty-reply": lambda: None,
            "/bigheader": self.bigheader,
            "/never": self.never,
            "/reset": self.reset,
            "/slow": self.slow,
            "/range": lambda: self.range(True),
            "/range-ignore": lambda: self.range(False),
            "/lm": lambda: self.respond(200, "OK", b"dated\n",
                                        ["Last-Modified: " + LAST_MODIFIED]),
            "/echo": lambda: self.respond(200, "OK", self.raw),
        }
        if p in simple:
            return simple[p]()
        seg = p.split("/")
        if p.startswith("/redirect/") and seg[2].isdigit():
            return self.redirect(int(seg[2]), self.absolute("/hello"))
        if p.startswith("/chain/") and seg[2].isdigit():
            n = int(seg[2])
            return self.redirect(302, "/chain/%d" % (n - 1) if n > 1 else "/hello")
        if p.startswith("/status/") and seg[2].isdigit():
            code = int(seg[2])
            if code in (204, 304):
                return self.respond(code, "No Body", length=False)
            return self.respond(code, "Status %d" % code, b"error page %d\n" % code)
        if p.startswith("/bad/") and seg[2] in BAD_STATUS:
            return self.send(BAD_STATUS[seg[2]] +
                             b"Content-Length: 3\r\nConnection: close\r\n\r\nbad")
        if p.startswith("/big/") and seg[2].isdigit():
            return self.respond(200, "OK", pattern(int(seg[2])))
        if p.startswith("/slow/"):
            return self.slow()
        if p.startswith("/name/"):
            return self.respond(200, "OK", b"name\n")
        if p == "/goto":
            return self.redirect(302, self.path.split("?", 1)[1])
        if p.startswith("/again/") and len(seg) == 4 and seg[3].isdigit():
            with AGAIN_LOCK:
                AGAIN[seg[2]] = AGAIN.get(seg[2], 0) + 1
                n = AGAIN[seg[2]]
            if n <= int(seg[3]):
                return self.redirect(302, p)
            return self.respond(200, "OK", b"hello world\n")
        if p.startswith("/nobody/") and seg[2].isdigit():
            self.send(b"HTTP/1.1 %s No Body\r\nContent-Length: 5\r\n\r\nstray" % seg[2].encode())
            return self.never()
        if p == "/evil":
            return self.send(b"HTTP/1.1 404 \x1b]0;pwned\x07\x1b[2J\x9b" b"31m\x85gone\r\n"
                             b"X-Evil: red\x9b" b"1m\x85\xff\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
        if p.startswith("/heads/") and len(seg) == 4 and seg[2].isdigit() and seg[3].isdigit():
            size, count = int(seg[2]), int(seg[3])
            each = max(size // count, 20)
            cookies = ["Set-Cookie: c%d=%s" % (i, "v" * (each - 20)) for i in range(count - 2)]
            return self.respond(200, "OK", b"ok\n", cookies)
        if p == "/range-trunc":
            return self.truncated(RANGE_SIZE, RANGE_SIZE // 2)
        if p.startswith("/range-bad/"):
            return self.range_bad(seg[2])
        if p == "/cd":
            value = urllib.parse.unquote(self.path.split("?", 1)[1])
            return self.respond(200, "OK", b"cd\n", ["Content-Disposition: " + value])
        if p == "/ims":
            return self.ims()
        if p.startswith("/flaky/") and len(seg) == 5 and seg[3].isdigit():
            return self.flaky(seg[2], int(seg[3]), seg[4])
        if p.startswith("/log/"):
            with AGAIN_LOCK:
                return self.respond(200, "OK", b"".join(LOG.get(seg[2], [])))
        if p.startswith("/ka/") and len(seg) == 5:
            return self.keepalive(seg[2], seg[3], seg[4])
        if p.startswith("/conns/"):
            with AGAIN_LOCK:
                return self.respond(200, "OK", b"%d\n" % CONNS.get(seg[2], 0))
        if p.startswith("/hold/") and len(seg) == 5 and seg[3].isdigit():
            return self.hold(seg[2], int(seg[3]), seg[4])
        if p.startswith("/gzip/") and seg[2] in GZIP:
            return self.respond(200, "OK", GZIP[seg[2]], ["Content-Encoding: gzip"])
        self.respond(404, "Not Found", b"no such scenario\n")

    def keepalive(self, ident, mode, name):
        with AGAIN_LOCK:
            if ident not in self.ka_ids:
                self.ka_ids.add(ident)
                CONNS[ident] = CONNS.get(ident, 0) + 1
        self.keep = mode not in ("close", "idle")
        self.quiet_close = mode == "idle"
        self.drop_next = mode == "drop"
        body = name.encode() + b"\n"
        if mode == "chunked":
            self.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            if not self.is_head:
                self.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        elif mode == "404":
            self.respond(404, "Not Found", b"missing\n")
        elif mode == "big404":
            self.respond(404, "Not Found", pattern(100000))
        elif mode == "redirect":
            self.redirect(302, "/ka/%s/keep/%s" % (ident, name))
        else:
            self.respond(200, "OK", body)

    def hold(self, ident, k, name):
        with AGAIN_LOCK:
            barrier = HOLD.setdefault(ident, threading.Barrier(k))
        self.keep = True
        try:
            barrier.wait(20)
        except threading.BrokenBarrierError:
            return self.respond(503, "Not Together", b"not together\n")
        self.respond(200, "OK", name.encode() + b"\n")

    def absolute(self, path):
        host = self.headers.get("host", "127.0.0.1")
        return "http://%s%s" % (host, path)

    def redirect(self, code, location):
        self.respond(code, "Redirect", b"moved\n", ["Location: " + location])

    def chunked_head(self, extra=""):
        return ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n%s"
                "Connection: close\r\n\r\n" % extra).encode()

    def chunked(self):
        self.send(self.chunked_head("Trailer: X-Sum\r\n"))
        if self.is_head:
            return
        # llhttp 8.1.0 refuses ";" after an unquoted extension value
        # ("5;a=b;c"), so that form is left out.
        self.send(b"5;flag;name=value\r\nhello\r\n")
        self.send(b"1\r\n \r\n")
        self.send(b"6;ext=\"quoted; value\";x=y\r\nworld\n\r\n")
        self.send(b"0;last=1\r\nX-Sum: 12\r\nX-More: yes\r\n\r\n")

    def binary_chunked(self):
        self.send(self.chunked_head())
        if self.is_head:
            return
        for i in range(0, len(BINARY), 7):
            piece = BINARY[i:i + 7]
            self.send(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.send(b"0\r\n\r\n")

    def close_delimited(self):
        self.send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        if not self.is_head:
            self.send(b"no length,\r\n\r\n")
            time.sleep(0.05)
            self.send(b"ends at close\n\x00")

    def http10(self):
        self.send(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        if not self.is_head:
            self.send(b"an HTTP/1.0 body\n")

    def slowhead(self):
        body = b"slow head, fast body\n"
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Slow: yes\r\n\r\n" % len(body)
        for i in range(len(head)):
            self.send(head[i:i + 1])
            time.sleep(0.002)
        if not self.is_head:
            self.send(body)

    def interim(self):
        self.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.send(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
        self.respond(200, "OK", b"after interim\n")

    def many_interim(self):
        self.send(b"HTTP/1.1 100 Continue\r\n\r\n" * 20)
        self.respond(200, "OK", b"too late\n")

    def truncated(self, length=1000, sent=500):
        self.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                  % length)
        if not self.is_head:
            self.send(b"x" * sent)

    def truncated_chunked(self):
        self.send(self.chunked_head())
        if not self.is_head:
            self.send(b"5\r\nhello\r\n5\r\nworld\r\n")

    def bigheader(self):
        self.send(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (1024 * 1024) +
                  b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    def never(self):
        try:
            self.request.settimeout(20)
            while self.request.recv(4096):
                pass
        except OSError:
            pass

    def reset(self, length=100000, sent=1000):
        self.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                  % length)
        if self.is_head:
            return
        self.send(b"r" * sent)
        time.sleep(0.1)
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.request.close()

    def slow(self):
        self.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n")
        if self.is_head:
            return
        for _ in range(100):
            self.send(b"s")
            time.sleep(0.1)

    def range(self, honour):
        hdrs = ["Last-Modified: " + LAST_MODIFIED, "Accept-Ranges: bytes"]
        r = self.headers.get("range", "")
        if honour and r.startswith("bytes=") and r.endswith("-") and r[6:-1].isdigit():
            start = int(r[6:-1])
            if start >= RANGE_SIZE:
                return self.respond(416, "Range Not Satisfiable", b"",
                                    hdrs + ["Content-Range: bytes */%d" % RANGE_SIZE])
            return self.respond(206, "Partial Content", RANGE_BODY[start:], hdrs + [
                "Content-Range: bytes %d-%d/%d" % (start, RANGE_SIZE - 1, RANGE_SIZE)])
        self.respond(200, "OK", RANGE_BODY, hdrs)


    def ims(self):
        hdrs = ["Last-Modified: " + LAST_MODIFIED]
        since = self.headers.get("if-modified-since")
        lm = email.utils.parsedate_to_datetime(LAST_MODIFIED)
        try:
            fresh = since and email.utils.parsedate_to_datetime(since) >= lm
        except (TypeError, ValueError):
            fresh = False
        if fresh:
            return self.respond(304, "Not Modified", b"", hdrs, length=False)
        self.respond(200, "OK", b"modified body\n", hdrs)

    def flaky(self, ident, n, kind):
        with AGAIN_LOCK:
            LOG.setdefault(ident, []).append(self.raw)
            count = len(LOG[ident])
        failing = count <= n
        etag = '"v2"' if kind == "change" and not failing else '"v1"'
        if kind == "weak":
            etag = 'W/"v1"'
        body = RANGE_V2 if etag == '"v2"' else RANGE_BODY
        hdrs = ["ETag: " + etag, "Accept-Ranges: bytes"]
        if failing and kind in ("503", "503date", "500", "404"):
            code = int(kind[:3])
            after = {"503": ["Retry-After: 1"],
                     "503date": ["Retry-After: " + email.utils.formatdate(time.time() + 2, usegmt=True)]}
            return self.respond(code, "Status %d" % code, b"later\n", after.get(kind, []))
        if failing and kind == "reset":
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return self.request.close()
        if failing:
            self.send(("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\nConnection: close\r\n\r\n"
                       % (RANGE_SIZE, "\r\n".join(hdrs))).encode() + body[:RANGE_SIZE // 2])
            return
        r = self.headers.get("range", "")
        if (r.startswith("bytes=") and r.endswith("-") and r[6:-1].isdigit() and
                self.headers.get("if-range") == etag and not etag.startswith("W/")):
            start = int(r[6:-1])
            return self.respond(206, "Partial Content", body[start:], hdrs + [
                "Content-Range: bytes %d-%d/%d" % (start, RANGE_SIZE - 1, RANGE_SIZE)])
        self.respond(200, "OK", body, hdrs)

    def range_bad(self, kind):
        r = self.headers.get("range", "")
        if not (r.startswith("bytes=") and r.endswith("-") and r[6:-1].isdigit()):
            return self.respond(200, "OK", RANGE_BODY)
        start, end = int(r[6:-1]), RANGE_SIZE - 1
        cr = "bytes %d-%d/%d" % (start, end, RANGE_SIZE)
        body = RANGE_BODY[start:]
        if kind == "start":      # not where the local file ends
            cr, body = "bytes 0-%d/%d" % (end, RANGE_SIZE), RANGE_BODY
        elif kind == "short":    # ends before the complete length
            end = start + (RANGE_SIZE - start) // 2
            cr, body = "bytes %d-%d/%d" % (start, end, RANGE_SIZE), RANGE_BODY[start:end + 1]
        elif kind == "length":   # Content-Length disagrees with Content-Range
            body = body[:len(body) // 2]
        elif kind == "unknown":  # complete length not given
            cr = "bytes %d-%d/*" % (start, end)
        elif kind.startswith("chunked"):
            body = body[:len(body) // 2] if kind == "chunked-short" else body + b"extra"
            self.send(("HTTP/1.1 206 Partial Content\r\nContent-Range: %s\r\n"
                       "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" % cr).encode())
            return self.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        self.respond(206, "Partial Content", body, ["Content-Range: " + cr])


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Server6(Server):
    address_family = socket.AF_INET6


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", help="write the port here (else print it)")
    ap.add_argument("--ipv6", action="store_true", help="listen on ::1")
    ap.add_argument("--dump", metavar="PATH", help="print a scenario's body (for tests) and exit")
    args = ap.parse_args()
    if args.dump:
        bodies = {"/binary": BINARY, "/range": RANGE_BODY, "/gzip": GZIP_PLAIN,
                  "/range-v2": RANGE_V2}
        if args.dump.startswith("/big/"):
            sys.stdout.buffer.write(pattern(int(args.dump[5:])))
        else:
            sys.stdout.buffer.write(bodies[args.dump])
        return
    srv = (Server6 if args.ipv6 else Server)(("::1" if args.ipv6 else "127.0.0.1", 0), Handler)
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    else:
        print(port, flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
