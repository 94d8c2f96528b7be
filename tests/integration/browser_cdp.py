#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol (stdlib only) for browser.sh.

Usage: browser_cdp.py DEVTOOLS_PORT BASE_URL ARTIFACT_DIR
Prints one "ok - ..." / "FAIL - ..." line per check; exit 1 if any failed.
"""
import base64
import json
import os
import socket
import struct
import sys
import time
import urllib.request

DEADLINE = time.monotonic() + 75


class Deadline(Exception):
    """The whole session took too long (distinct from socket.timeout)."""


class WebSocket:
    """A minimal RFC 6455 client: text frames out (masked), any frames in."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, _, path = url[5:].partition("/")
        host, _, port = hostport.rpartition(":")
        self.sock = socket.create_connection((host, int(port)), 10)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key))
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            b = self.sock.recv(1)
            if not b:
                raise OSError("websocket handshake: connection closed")
            head += b
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise OSError("websocket handshake refused: %r" % head[:200])
        self.buf = b""

    def send(self, text):
        data = text.encode()
        hdr = bytes([0x81])
        n = len(data)
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            hdr += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _frame(self):
        """One complete frame parsed from the buffer (consumed), or None."""
        b = self.buf
        if len(b) < 2:
            return None
        n, pos = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, pos = struct.unpack(">H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, pos = struct.unpack(">Q", b[2:10])[0], 10
        mask = None
        if b[1] & 0x80:
            mask, pos = b[pos:pos + 4], pos + 4
        if len(b) < pos + n:
            return None
        payload = b[pos:pos + n]
        self.buf = b[pos + n:]
        if mask:
            payload = bytes(x ^ mask[i % 4] for i, x in enumerate(payload))
        return b[0], payload

    def recv(self, timeout=None):
        """The next message; socket.timeout after `timeout` seconds (partial
        frames stay buffered), TimeoutError past the overall deadline."""
        end = DEADLINE if timeout is None else min(DEADLINE, time.monotonic() + timeout)
        message = b""
        while True:
            fr = self._frame()
            if fr is None:
                left = end - time.monotonic()
                if left <= 0:
                    if end == DEADLINE:
                        raise Deadline("CDP: overall deadline passed")
                    raise socket.timeout("no message")
                self.sock.settimeout(left)
                try:
                    more = self.sock.recv(1 << 16)
                except socket.timeout:
                    continue  # the loop decides: local timeout or overall deadline
                if not more:
                    raise OSError("CDP: connection closed")
                self.buf += more
                continue
            b0, payload = fr
            op = b0 & 0x0F
            if op == 8:
                raise OSError("CDP: websocket closed")
            if op in (9, 10):  # ping/pong: Chromium does not ping clients, ignore
                continue
            message += payload
            if b0 & 0x80:
                return message.decode("utf-8", "replace")


class Page:
    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, name, seconds):
        end = time.monotonic() + seconds
        seen = len(self.events)
        for ev in self.events[:seen]:
            if ev["method"] == name:
                self.events.remove(ev)
                return ev
        while time.monotonic() < end:
            try:
                msg = json.loads(self.ws.recv(max(0.05, end - time.monotonic())))
            except socket.timeout:
                break
            if "method" in msg:
                if msg["method"] == name:
                    return msg
                self.events.append(msg)
        return None

    def pump(self, seconds):
        """Collects events for a while (subresources finishing, late errors)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                msg = json.loads(self.ws.recv(max(0.05, end - time.monotonic())))
            except socket.timeout:
                return
            if "method" in msg:
                self.events.append(msg)

    def eval(self, expr, await_promise=False):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True,
                      awaitPromise=await_promise)
        if "exceptionDetails" in r:
            return None
        return r.get("result", {}).get("value")

    def goto(self, url):
        self.events.clear()
        self.call("Page.navigate", url=url)
        ok = self.wait_event("Page.loadEventFired", 15) is not None
        self.pump(1.0)
        return ok

    def screenshot(self, path):
        r = self.call("Page.captureScreenshot", format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))


RESULTS = {"pass": 0, "fail": 0}

# The player's duration once its metadata is in (-1 after 10 s).
META_JS = """new Promise(res => {
    const a = document.getElementById('player');
    const done = () => res(a.duration);
    if (a.readyState >= 1) done(); else a.addEventListener('loadedmetadata', done);
    setTimeout(() => res(-1), 10000);
})"""
# Seeks the player to %s seconds; its currentTime after 'seeked' (-1 after 10 s).
SEEK_JS = """new Promise(res => {
    const a = document.getElementById('player');
    a.addEventListener('seeked', () => res(a.currentTime));
    a.currentTime = %s;
    setTimeout(() => res(-1), 10000);
})"""


def check(name, cond, detail=""):
    if cond:
        RESULTS["pass"] += 1
        print("ok - browser: %s" % name)
    else:
        RESULTS["fail"] += 1
        print("FAIL - browser: %s%s" % (name, " (%s)" % detail if detail else ""))
    sys.stdout.flush()


def responses(page):
    """url -> (status, headers, mimeType) of every response seen on this page."""
    out = {}
    for ev in page.events:
        if ev["method"] == "Network.responseReceived":
            r = ev["params"]["response"]
            out.setdefault(r["url"], []).append((r["status"], r.get("headers", {}), r.get("mimeType")))
    return out


def errors(page):
    errs = []
    for ev in page.events:
        m, p = ev["method"], ev["params"]
        if m == "Runtime.exceptionThrown":
            errs.append("exception: %s" % p["exceptionDetails"].get("text"))
        elif m == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            errs.append("console.%s: %s" % (p["type"], [a.get("value") for a in p["args"]]))
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            errs.append("log: %s %s" % (p["entry"].get("text"), p["entry"].get("url", "")))
        elif m == "Network.loadingFailed" and not p.get("canceled"):
            errs.append("loading failed: %s" % p.get("errorText"))
    return errs


def page_ws(devtools_port):
    end = time.monotonic() + 15
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % devtools_port, timeout=2) as r:
                for t in json.load(r):
                    if t.get("type") == "page" and t.get("webSocketDebuggerUrl"):
                        return t["webSocketDebuggerUrl"]
        except OSError:
            pass
        time.sleep(0.2)
    return None


def main():
    devtools_port, base, art = int(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3]
    os.makedirs(art, exist_ok=True)
    url = page_ws(devtools_port)
    if url is None:
        check("DevTools endpoint answers", False, "no page target on port %d" % devtools_port)
        return 1
    page = Page(url)
    for domain in ("Page", "Network", "Runtime", "Log"):
        page.call(domain + ".enable")
    # Every load goes to the server (a memory-cache hit reports no response).
    page.call("Network.setCacheDisabled", cacheDisabled=True)
    page.call("Emulation.setDeviceMetricsOverride", width=1000, height=800, deviceScaleFactor=1,
              mobile=False)

    # 1. The home page and every subresource.
    check("home page load event fired", page.goto(base + "/"))
    seen = responses(page)
    for path in ("/", "/css/style.css", "/js/app.js", "/img/logo.svg", "/img/pattern.png"):
        got = seen.get(base + path)
        check("GET %s answered 200" % path, got is not None and got[0][0] == 200,
              "responses: %s" % (got and [g[0] for g in got]))
    bad = {u: [g[0] for g in v] for u, v in seen.items() if any(g[0] >= 400 for g in v)}
    check("no subresource answered >= 400", not bad, str(bad))
    errs = errors(page)
    check("home page: no console errors or failed loads", not errs, "; ".join(errs)[:500])
    check("stylesheet applied", page.eval(
        "getComputedStyle(document.body).backgroundColor") == "rgb(247, 249, 251)")
    check("images decoded", page.eval(
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)") is True)
    check("script ran", "ran" in (page.eval("document.getElementById('clock').className") or ""))
    check("title in UTF-8", page.eval("document.title") == "httpd \u2014 it works")
    page.screenshot(os.path.join(art, "browser-home.png"))

    # 2. A subdirectory page with relative links.
    check("docs page load event fired", page.goto(base + "/docs/"))
    seen = responses(page)
    check("docs: relative stylesheet 200", (seen.get(base + "/css/style.css") or [(0,)])[0][0] == 200)
    check("docs: no console errors", not errors(page), "; ".join(errors(page))[:300])

    # 3. A directory listing renders, and its links work (space and non-ASCII name).
    check("listing load event fired", page.goto(base + "/notes/"))
    seen = responses(page)
    check("listing answered 200 text/html",
          (seen.get(base + "/notes/") or [(0, {}, "")])[0][0] == 200 and
          (seen.get(base + "/notes/") or [(0, {}, "")])[0][2] == "text/html")
    names = page.eval("Array.from(document.querySelectorAll('a')).map(a => a.textContent.trim())") or []
    check("listing shows 'caf\u00e9 menu.txt'", any("caf\u00e9 menu.txt" in n for n in names), str(names))
    check("listing shows readme.txt", any("readme.txt" in n for n in names), str(names))
    status = page.eval("""(async () => {
        const a = Array.from(document.querySelectorAll('a')).find(a => a.textContent.includes('caf\u00e9'));
        if (!a) return 'no link';
        const r = await fetch(a.href);
        const t = await r.text();
        return r.status + ' ' + t.split('\\n')[0];
    })()""", await_promise=True)
    check("listing link to 'caf\u00e9 menu.txt' fetches it", status == "200 Caf\u00e9 menu", str(status))
    check("listing: no console errors", not errors(page), "; ".join(errors(page))[:300])
    page.screenshot(os.path.join(art, "browser-listing.png"))

    # 4. Media: load, seek near the end, and look at the requests the player made.
    check("media page load event fired", page.goto(base + "/media/"))
    meta = page.eval(META_JS, await_promise=True)
    check("audio metadata loaded (duration ~12 s)", isinstance(meta, (int, float)) and 11 < meta < 13,
          str(meta))
    seeked = page.eval(SEEK_JS % 9.5, await_promise=True)
    check("seek to 9.5 s completed", isinstance(seeked, (int, float)) and abs(seeked - 9.5) < 0.5,
          str(seeked))
    page.pump(1.0)
    media = [(s, h) for s, h, _ in responses(page).get(base + "/media/tone.wav", [])]
    check("media requested", bool(media))
    check("every media response is 206 with Content-Range",
          bool(media) and all(s == 206 and any(k.lower() == "content-range" for k in h) for s, h in media),
          str([s for s, _ in media]))
    check("media: no console errors", not errors(page), "; ".join(errors(page))[:300])
    page.screenshot(os.path.join(art, "browser-media.png"))

    # 4b. Seeking far ahead in a long file (browser.sh generates it in its copy
    # of the site: www/ keeps its media small). With preload="metadata"
    # Chromium stops reading after the head, so the seek must fetch from the
    # middle: a request with "Range: bytes=N-", N > 0, answered 206 from N.
    if os.environ.get("BROWSER_LONG_MEDIA"):
        check("long media page load event fired", page.goto(base + "/media/long.html"))
        meta = page.eval(META_JS, await_promise=True)
        check("long audio metadata loaded (duration ~60 s)",
              isinstance(meta, (int, float)) and 59 < meta < 61, str(meta))
        seeked = page.eval(SEEK_JS % 50, await_promise=True)
        check("seek to 50 s completed", isinstance(seeked, (int, float)) and abs(seeked - 50) < 1,
              str(seeked))
        page.pump(1.0)
        urls, ranges, answers = {}, {}, {}
        for ev in page.events:
            m, p = ev["method"], ev["params"]
            if m == "Network.requestWillBeSent":
                urls[p["requestId"]] = p["request"]["url"]
            elif m == "Network.requestWillBeSentExtraInfo":
                for k, v in p.get("headers", {}).items():
                    if k.lower() == "range":
                        ranges[p["requestId"]] = v
            elif m == "Network.responseReceived":
                r = p["response"]
                cr = [v for k, v in r.get("headers", {}).items() if k.lower() == "content-range"]
                answers[p["requestId"]] = (r["status"], cr[0] if cr else "")
        mid = []
        for rid, v in ranges.items():
            if not urls.get(rid, "").endswith("/media/long.wav") or not v.startswith("bytes="):
                continue
            first = v[6:].split("-")[0]
            if first.isdigit() and int(first) > 0:
                mid.append((int(first), answers.get(rid)))
        seen = sorted(ranges.get(r, "-") for r in urls if urls[r].endswith("/media/long.wav"))
        check("seeking made a Range request from the middle of the file", bool(mid), str(seen))
        check("answered 206 with Content-Range from that offset",
              bool(mid) and all(a is not None and a[0] == 206 and a[1].startswith("bytes %d-" % f)
                                for f, a in mid), str(mid))
        check("long media: no console errors", not errors(page), "; ".join(errors(page))[:300])

    # 6. A single-page app under --fallback: a deep link is answered with the
    # app (200), whose script then routes by the path.
    spa = os.environ.get("BROWSER_SPA")
    if spa:
        check("SPA deep link load event fired", page.goto(spa + "/app/settings/42"))
        seen = responses(page)
        check("SPA deep link answered 200 text/html",
              (seen.get(spa + "/app/settings/42") or [(0, {}, "")])[0][:3:2] == (200, "text/html"),
              str(seen.get(spa + "/app/settings/42")))
        check("the app routed the deep link",
              page.eval("document.getElementById('route').textContent") == "/app/settings/42")
        check("SPA: no console errors", not errors(page), "; ".join(errors(page))[:300])
        page.screenshot(os.path.join(art, "browser-spa.png"))

        # A listing sorted by a click on its Size head, then on it again.
        check("files listing load event fired", page.goto(spa + "/files/"))
        rows_js = ("Array.from(document.querySelectorAll('tr td:first-child a'))"
                   ".map(a => a.textContent).filter(t => t !== '../')")
        check("listing by name", page.eval(rows_js) ==
              ["a-large.iso", "b-small.txt", "c-medium.bin"], str(page.eval(rows_js)))
        sizes = page.eval("Array.from(document.querySelectorAll('tr td:nth-child(2)'))"
                          ".map(td => td.textContent)")
        check("sizes readable by a person", sizes is not None and
              ["2.9 MiB", "5 B", "4.9 KiB"] == [x for x in sizes if x != "-"], str(sizes))

        def click_head(label):
            page.events.clear()
            page.eval("Array.from(document.querySelectorAll('th a'))"
                      ".find(a => a.textContent === '%s').click()" % label)
            return page.wait_event("Page.loadEventFired", 15) is not None

        check("click on Size loads the page", click_head("Size"))
        check("sorted by size, largest first", page.eval(rows_js) ==
              ["a-large.iso", "c-medium.bin", "b-small.txt"], str(page.eval(rows_js)))
        check("the address says so", (page.eval("location.search") or "") ==
              "?sort=size&order=desc", str(page.eval("location.search")))
        page.screenshot(os.path.join(art, "browser-listing-sorted.png"))
        check("second click on Size reverses", click_head("Size"))
        check("sorted by size, smallest first", page.eval(rows_js) ==
              ["b-small.txt", "c-medium.bin", "a-large.iso"], str(page.eval(rows_js)))
        check("click on Modified loads the page", click_head("Modified (UTC)"))
        check("sorted by time, newest first", page.eval(rows_js) ==
              ["a-large.iso", "b-small.txt", "c-medium.bin"], str(page.eval(rows_js)))
        check("sorted listing: no console errors", not errors(page), "; ".join(errors(page))[:300])

    # 5. A missing page is a clean 404 (and nothing else on it failed).
    page.goto(base + "/no/such/page")
    seen = responses(page)
    check("missing page answered 404", (seen.get(base + "/no/such/page") or [(0,)])[0][0] == 404)
    print("browser: %d passed, %d failed" % (RESULTS["pass"], RESULTS["fail"]))
    return 1 if RESULTS["fail"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a protocol or timeout problem is a failure, not a crash trace
        print("FAIL - browser: CDP session: %s: %s" % (type(e).__name__, e))
        sys.exit(1)
