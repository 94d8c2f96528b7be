#!/usr/bin/env python3
"""tls_server.py: a scripted HTTPS (or --plain HTTP) server for fetch's TLS tests.

Standard library only. Listens on 127.0.0.1 on a free port, writes the port
to --port-file. Each connection: the TLS handshake (python's ssl, the
system's OpenSSL), one request, one answer, then close. Every request head is
appended to --log, after a line "SNI: NAME" ("SNI: none" when the client sent
no server name).

  /hello            200, Content-Length body "hello over tls\\n"
  /close            close-delimited body, then close_notify (a clean end)
  /cut              close-delimited body, then a TCP close without close_notify
  /cut-length       Content-Length 1000, 500 bytes, no close_notify
  /redirect?to=URL  302 to URL (percent-decoded)
  /echo             the request head as the body
An absolute-form target ("GET http://host/echo", as to a proxy) is answered
as its path, so --plain also stands in for a proxy whose input is checked.

--tls-max 1.1: only TLS 1.0 and 1.1 (at security level 0), as old servers.
--stall: accept connections and never answer the handshake.
"""
import argparse
import os
import socket
import socketserver
import ssl
import threading
import time
import urllib.parse

ARGS = None
LOG_LOCK = threading.Lock()


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.request.settimeout(20)
        self.tls = None

    def log(self, text):
        if ARGS.log:
            with LOG_LOCK, open(ARGS.log, "a") as f:
                f.write(text)

    def read_head(self, s):
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            b = s.recv(4096)
            if not b:
                return None
            data += b
        return data

    def handle(self):
        if ARGS.stall:
            time.sleep(30)
            return
        s = self.request
        if not ARGS.plain:
            SNI[threading.get_ident()] = "none"  # the callback says otherwise
            try:
                s = CTX.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        try:
            head = self.read_head(s)
        except (ssl.SSLError, OSError):
            return
        if head is None:
            return
        self.log("SNI: %s\n%s" % (SNI.get(threading.get_ident(), "none") if not ARGS.plain
                                  else "plain", head.decode("latin-1")))
        target = head.split(b" ", 2)[1].decode("latin-1")
        if target.startswith("http://"):  # absolute-form: this server is the "proxy"
            target = "/" + target[7:].partition("/")[2]
        path, _, query = target.partition("?")
        try:
            self.answer(s, path, query, head)
        except (ssl.SSLError, OSError):
            pass

    def answer(self, s, path, query, head):
        if path == "/hello":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\n"
                      b"hello over tls\n")
        elif path in ("/close", "/cut"):
            s.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nno length, ")
            time.sleep(0.05)
            s.sendall(b"ends at close\n")
            if path == "/close" and not ARGS.plain:
                s = s.unwrap()  # close_notify
        elif path == "/cut-length":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n"
                      + b"x" * 500)
        elif path == "/redirect":
            to = urllib.parse.parse_qs(query).get("to", ["/hello"])[0]
            s.sendall(("HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n"
                       "Connection: close\r\n\r\n" % to).encode("latin-1"))
        elif path == "/echo":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                      % len(head) + head)
        else:
            s.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        # A plain close: no close_notify (python sends one only from unwrap()).
        s.close()


SNI = {}  # thread -> the server name its client sent
CTX = None


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global ARGS, CTX
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--log")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--stall", action="store_true")
    ap.add_argument("--tls-max")
    ARGS = ap.parse_args()
    if not ARGS.plain and not ARGS.stall:
        CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        CTX.load_cert_chain(ARGS.cert, ARGS.key)
        if ARGS.tls_max == "1.1":
            CTX.set_ciphers("DEFAULT:@SECLEVEL=0")
            CTX.minimum_version = ssl.TLSVersion.TLSv1
            CTX.maximum_version = ssl.TLSVersion.TLSv1_1

        def record(sslobj, name, ctx):
            SNI[threading.get_ident()] = name if name else "none"
        CTX.sni_callback = record
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
