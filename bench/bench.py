#!/usr/bin/env python3
"""bench.py: httpd against nginx, h2o, lighttpd and a fixed-bytes floor, and
fetch against curl and wget, on loopback; writes bench/RESULTS.md.

Run by bench/run.sh (`make bench`), which installs the tools and builds the
helpers first. Every server runs one worker pinned to CPU 0; the load
generator (wrk, one thread) and the download clients are pinned to CPU 1.
Measurements are interleaved (round 1: A B C ..., round 2: A B C ...) and
the median of the rounds is reported, so a slow phase of this shared machine
hurts every server alike.

Environment knobs (defaults in brackets): BENCH_WORK work directory, outside
the repository [/tmp/httpd-bench]; BENCH_DURATION seconds per wrk run [5];
BENCH_ROUNDS [3]; BENCH_CLIENT_RUNS [5]; BENCH_IDLE_CONNS [5000];
BENCH_SERVERS comma list to restrict the servers [all available];
BENCH_NICE priority of servers and clients when run as root [-10];
BENCH_SCENARIOS comma list of parts to run: a-f (a, b, d include a', b', d'), g,
clients, tls (issue 13's scenarios ta-tg against every TLS server installed; "tls"
alone rewrites only the TLS section of the report) [all];
BENCH_OUT report path [bench/RESULTS.md].
"""
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.environ.get("BENCH_WORK", "/tmp/httpd-bench")
DOCROOT = os.path.join(WORK, "www")
TOOLS = os.path.join(WORK, "bin")
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CLIENT_RUNS = int(os.environ.get("BENCH_CLIENT_RUNS", "5"))
IDLE_CONNS = int(os.environ.get("BENCH_IDLE_CONNS", "5000"))
OUT = os.environ.get("BENCH_OUT", os.path.join(HERE, "RESULTS.md"))
SERVER_CPU, CLIENT_CPU = "0", "1"
# Servers and clients run at a raised priority (as root) so that other work
# on a shared machine disturbs them less; the same for every server.
NICE = int(os.environ.get("BENCH_NICE", "-10")) if os.geteuid() == 0 else 0


def pinned(cpu):
    """The command prefix that pins to cpu (and raises the priority)."""
    return (["nice", "-n", str(NICE)] if NICE else []) + ["taskset", "-c", cpu]
CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"

# The generated docroot: name -> size in bytes.
FILES = {"64k.bin": 64 * 1024, "100m.bin": 100 * 1024 * 1024, "1g.bin": 1024 * 1024 * 1024}

# id, title, path, connections, lua script, extra headers, metric, load generator.
# (a'), (b') and (d') repeat (a), (b) and (d) with bench/load, a client that
# spends two syscalls per request where wrk spends four (and reads 64 KiB at a
# time where wrk reads 8): one wrk thread saturates before a fast server does,
# so only a cheaper client shows the servers' capacity.
SCENARIOS = [
    ("a", "keep-alive, small file (index.html), 64 conns", "/index.html", 64, "report.lua", [], "rps", "wrk"),
    ("b", "keep-alive, small file, 256 conns", "/index.html", 256, "report.lua", [], "rps", "wrk"),
    ("a'", "as (a), driven by bench/load instead of wrk", "/index.html", 64, None, [], "rps", "load"),
    ("b'", "as (b), driven by bench/load instead of wrk", "/index.html", 256, None, [], "rps", "load"),
    ("c", "Connection: close, small file, 64 conns", "/index.html", 64, "report.lua",
     ["Connection: close"], "rps", "wrk"),
    ("d", "keep-alive, 64 KiB file, 64 conns", "/64k.bin", 64, "report.lua", [], "MBps", "wrk"),
    ("d'", "as (d), driven by bench/load instead of wrk", "/64k.bin", 64, None, [], "MBps", "load"),
    ("e", "100 MiB file, 4 conns", "/100m.bin", 4, "report.lua", [], "MBps", "wrk"),
    ("f", "16 requests pipelined per write, small file, 64 conns", "/index.html", 64,
     "pipeline.lua", [], "rps", "wrk"),
]
# BENCH_SCENARIOS (e.g. "e" or "a,f,g,clients") runs only those parts.
PARTS = set(filter(None, os.environ.get("BENCH_SCENARIOS", "").split(",")))
if PARTS:
    SCENARIOS = [sc for sc in SCENARIOS if sc[0].rstrip("'") in PARTS]
# The floor answers fixed bytes: it takes part where the file does not matter.
FLOOR_SCENARIOS = {"a", "b", "a'", "b'", "c", "f"}

NGINX_VARIANTS = {
    "sf-off": ("off", "off"),
    "sf-on": ("on", "off"),
    "sf-on-nopush": ("on", "on"),
}

LOG = []


def say(msg):
    line = f"[{datetime.datetime.utcnow():%H:%M:%S}] {msg}"
    print(line, flush=True)
    LOG.append(line)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except (subprocess.SubprocessError, OSError):
        return ""


# ---------------------------------------------------------------- docroot

def make_docroot():
    os.makedirs(DOCROOT, exist_ok=True)
    os.chmod(WORK, 0o755)
    os.chmod(DOCROOT, 0o755)
    index = os.path.join(DOCROOT, "index.html")
    body = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>httpd benchmark</title>\n</head>\n<body>\n<h1>It works</h1>\n"
            "<p>This page is served by the benchmark of httpd, nginx, h2o and lighttpd. "
            "It is about six hundred bytes long, the size of a small static page, so that "
            "the cost measured is the cost of a request, not of moving bytes.</p>\n"
            "<ul>\n<li><a href=\"64k.bin\">64 KiB</a></li>\n<li><a href=\"100m.bin\">100 MiB</a></li>\n"
            "<li><a href=\"1g.bin\">1 GiB</a></li>\n</ul>\n")
    body += "<!-- " + "x" * max(0, 600 - len(body) - 24) + " -->\n</body>\n</html>\n"
    with open(index, "w") as f:
        f.write(body)
    block = os.urandom(1024 * 1024)
    for name, size in FILES.items():
        path = os.path.join(DOCROOT, name)
        if os.path.exists(path) and os.path.getsize(path) == size:
            continue
        say(f"writing {path} ({size} bytes)")
        with open(path + ".tmp", "wb") as f:
            left = size
            while left > 0:
                n = min(left, len(block))
                f.write(block[:n])
                left -= n
        os.rename(path + ".tmp", path)
    for name in ["index.html"] + list(FILES):
        os.chmod(os.path.join(DOCROOT, name), 0o644)
    return len(body.encode())


# ---------------------------------------------------------------- servers

def descendants(pid):
    """pid and every process below it (nginx's workers, h2o's helper)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_ticks(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


class Server:
    def __init__(self, name, argv, port, config=None, label=None, scheme="http"):
        self.name, self.argv, self.port, self.config = name, argv, port, config
        self.label = label or name
        self.scheme = scheme
        self.proc = None
        self.logpath = os.path.join(WORK, f"{name}.log")

    def start(self):
        log = open(self.logpath, "ab")
        self.proc = subprocess.Popen(pinned(SERVER_CPU) + self.argv, stdout=log,
                                     stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.logpath}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    pass
                time.sleep(0.2)  # nginx's worker may start just after the master listens
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen on {self.port}; see {self.logpath}")

    def pids(self):
        return descendants(self.proc.pid)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=5)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=5)

    def restart(self):
        self.stop()
        self.start()

    def url(self, path):
        return f"{self.scheme}://{HOST}:{self.port}{path}"


def nginx_server(variant):
    sendfile, nopush = NGINX_VARIANTS[variant]
    prefix = os.path.join(WORK, f"nginx-{variant}")
    os.makedirs(prefix, exist_ok=True)
    port = free_port()
    conf = f"""worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log crit;
events {{
    worker_connections 10240;
    use epoll;
}}
http {{
    types {{ text/html html; application/octet-stream bin; }}
    default_type application/octet-stream;
    access_log off;
    sendfile {sendfile};
    tcp_nopush {nopush};
    tcp_nodelay on;
    output_buffers 2 256k;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    open_file_cache_min_uses 1;
    open_file_cache_errors on;
    server {{
        listen {HOST}:{port} backlog=4096;
        root {DOCROOT};
        index index.html;
    }}
}}
"""
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    return Server(f"nginx-{variant}", ["nginx", "-p", prefix, "-c", path, "-e", f"{prefix}/error.log"],
                  port, conf, label="nginx")


def h2o_server():
    port = free_port()
    conf = f"""listen:
  host: {HOST}
  port: {port}
num-threads: 1
max-connections: 10240
http1-request-timeout: 60
file.send-compressed: OFF
error-log: {WORK}/h2o-error.log
hosts:
  default:
    paths:
      /:
        file.dir: {DOCROOT}
"""
    path = os.path.join(WORK, "h2o.conf")
    with open(path, "w") as f:
        f.write(conf)
    return Server("h2o", ["h2o", "-c", path], port, conf)


def lighttpd_server():
    port = free_port()
    conf = f"""server.document-root = "{DOCROOT}"
server.port = {port}
server.bind = "{HOST}"
server.errorlog = "{WORK}/lighttpd-error.log"
server.event-handler = "linux-sysepoll"
server.network-backend = "sendfile"
server.max-worker = 0
server.max-fds = 20000
server.max-connections = 8192
server.max-keep-alive-requests = 1000000
server.max-keep-alive-idle = 60
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".bin" => "application/octet-stream" )
"""
    path = os.path.join(WORK, "lighttpd.conf")
    with open(path, "w") as f:
        f.write(conf)
    return Server("lighttpd", ["lighttpd", "-D", "-f", path], port, conf)


def httpd_server():
    port = free_port()
    argv = [os.path.join(REPO, "bin", "httpd"), "-p", str(port), "-b", HOST, "-w", "1",
            "-l", "off", "-c", "10000", "--timeout", "60", DOCROOT]
    return Server("httpd", argv, port, " ".join(argv))


def floor_server(close=False):
    port = free_port()
    argv = [os.path.join(TOOLS, "floor"), str(port), str(SMALL_SIZE)] + (["close"] if close else [])
    return Server("floor-close" if close else "floor", argv, port, " ".join(argv), label="floor")


# ---------------------------------------------------------------- checks

def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


def verify(server):
    """The server answers every file with the right bytes; a server that does
    not is still measured, but its figures are flagged."""
    problems = []
    for name in ["index.html", "64k.bin"]:
        try:
            status, body = http_get(server.url("/" + name))
            with open(os.path.join(DOCROOT, name), "rb") as f:
                want = f.read()
            if status != 200 or body != want:
                problems.append(f"/{name}: status {status}, {len(body)} bytes (want {len(want)})")
        except Exception as e:  # noqa: BLE001 - any failure is a finding
            problems.append(f"/{name}: {e}")
    try:
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                              "--max-time", "20", server.url("/100m.bin")],
                             capture_output=True, text=True, timeout=30).stdout
        if out != f"200 {FILES['100m.bin']}":
            problems.append(f"/100m.bin: {out}")
    except subprocess.SubprocessError as e:
        problems.append(f"/100m.bin: {e}")
    return problems


# ---------------------------------------------------------------- wrk runs

def cpu_busy():
    """Per pinned CPU: (user+nice+system ticks, idle+iowait ticks). Softirq,
    where loopback's packet work is counted (in neither process's own time),
    is in neither: the whole CPU is busy when idle stops growing."""
    busy = {}
    with open("/proc/stat") as f:
        for line in f:
            parts = line.split()
            if parts[0] in (f"cpu{SERVER_CPU}", f"cpu{CLIENT_CPU}"):
                v = [int(x) for x in parts[1:9]]
                busy[parts[0][3:]] = (v[0] + v[1] + v[2], v[3] + v[4])
    return busy


def wrk_run(server, scen, duration=DURATION):
    """One run of scen's load generator (wrk or bench/load) against server."""
    sid, _, path, conns, lua, headers, _, client = scen
    if client == "load":
        cmd = pinned(CLIENT_CPU) + [os.path.join(TOOLS, "load"), str(server.port), path,
                                    str(conns), str(duration)]
    else:
        cmd = pinned(CLIENT_CPU) + ["wrk", "-t1", f"-c{conns}", f"-d{duration}s",
               "--timeout", "5s", "-s", os.path.join(HERE, lua)]
        for h in headers:
            cmd += ["-H", h]
        cmd.append(server.url(path))
    pids = server.pids()
    c0, b0 = cpu_ticks(pids), cpu_busy()
    ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30,
                           env=TLS_CLIENT_ENV if server.scheme == "https" else None)
        out = p.stdout
    except subprocess.TimeoutExpired:
        out = ""
    c1, b1 = cpu_ticks(pids), cpu_busy()
    ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic() - t0
    m = re.search(r"^BENCH (.*)$", out, re.M)
    if not m:
        return {"failed": True, "out": out[-500:]}
    r = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    secs = r["duration_us"] / 1e6
    r["rps"] = r["requests"] / secs if secs else 0
    r["MBps"] = r["bytes"] / secs / 1e6 if secs else 0
    r["cpu_s"] = (c1 - c0) / CLK_TCK
    r["cpu_us_per_req"] = r["cpu_s"] * 1e6 / r["requests"] if r["requests"] else 0
    r["errors"] = sum(r.get(k, 0) for k in ("errors", "connect_err", "read_err", "write_err",
                                             "status_err", "timeout_err"))
    # Interference: CPU time on each pinned CPU that was neither the server's
    # nor wrk's (other people's processes on this shared machine), as a
    # fraction of the run. An estimate: kernel work done on behalf of the
    # server or wrk outside their own accounting lands here too.
    wrk_s = (ch1.ru_utime + ch1.ru_stime) - (ch0.ru_utime + ch0.ru_stime)
    r["wrk_busy"] = wrk_s / wall if wall > 0 else 0
    if wall > 0 and b0 and b1:
        r["other_srv_cpu"] = max(0.0, ((b1[SERVER_CPU][0] - b0[SERVER_CPU][0]) / CLK_TCK - r["cpu_s"]) / wall)
        r["other_cli_cpu"] = max(0.0, ((b1[CLIENT_CPU][0] - b0[CLIENT_CPU][0]) / CLK_TCK - wrk_s) / wall)
        r["cli_cpu_busy"] = min(1.0, max(0.0, 1 - (b1[CLIENT_CPU][1] - b0[CLIENT_CPU][1]) / CLK_TCK / wall))
    return r


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def calibrate_nginx(variants):
    """Each nginx variant over every scenario (short runs, two interleaved
    rounds, the better of the two kept so that a noisy moment does not decide);
    the best variant of each scenario is the one measured."""
    best, table = {}, {}
    for scen in SCENARIOS:
        sid, metric = scen[0], scen[6]
        for _ in range(2):
            for name, srv in variants.items():
                r = wrk_run(srv, scen, duration=2)
                got = r.get(metric, 0) if not r.get("failed") and not r.get("errors") else 0
                table[(sid, name)] = max(table.get((sid, name), 0), got)
        best[sid] = max(variants, key=lambda n: table[(sid, n)] if table[(sid, n)] else -1)
        say(f"nginx calibration ({sid}): " + ", ".join(
            f"{n} {table[(sid, n)]:.0f}" for n in variants) + f" -> {best[sid]}")
    for v in sorted(set(best.values())):
        say(f"nginx variant {v} kept for " + ", ".join(k for k in best if best[k] == v) + ":")
        print(variants[v].config, flush=True)
    return best, table


def run_scenarios(servers, nginx_best, nginx_variants, floor_close):
    """servers: label -> Server (nginx resolved per scenario). Interleaved."""
    results = {}
    for scen in SCENARIOS:
        sid = scen[0]
        for rnd in range(ROUNDS):
            for label, srv in servers.items():
                if label == "floor" and sid not in FLOOR_SCENARIOS:
                    continue
                if label == "nginx":
                    srv = nginx_variants[nginx_best[sid]]
                if label == "floor" and sid == "c":
                    srv = floor_close
                r = wrk_run(srv, scen)
                results.setdefault((sid, label), []).append(r)
                if r.get("failed"):
                    say(f"({sid}) round {rnd + 1} {label}: wrk failed: {r.get('out', '')!r}")
                else:
                    say(f"({sid}) round {rnd + 1} {label}: {r['rps']:.0f} req/s, "
                        f"{r['MBps']:.0f} MB/s, {r['cpu_us_per_req']:.2f} us CPU/req, "
                        f"{r['errors']} errors")
    return results


def summarize(runs):
    ok = [r for r in runs if not r.get("failed")]
    if not ok:
        return None
    return {
        "rps": med([r["rps"] for r in ok]),
        "MBps": med([r["MBps"] for r in ok]),
        "cpu_us_per_req": med([r["cpu_us_per_req"] for r in ok]),
        "busy": med([r["cpu_s"] / (r["duration_us"] / 1e6) for r in ok if r["duration_us"]]),
        "wrk_busy": med([r.get("wrk_busy", 0) for r in ok]),
        "cli_cpu_busy": med([r.get("cli_cpu_busy", 0) for r in ok]),
        "other_srv": max([r.get("other_srv_cpu", 0) for r in ok]),
        "other_cli": max([r.get("other_cli_cpu", 0) for r in ok]),
        "lat_p50_us": med([r.get("lat_p50_us") for r in ok]),
        "lat_p99_us": med([r.get("lat_p99_us") for r in ok]),
        "errors": sum(r["errors"] for r in ok),
        "failed_runs": len(runs) - len(ok),
        "rounds": [round(r["rps"]) for r in ok],
    }


# ---------------------------------------------------------------- (g) idle

def idle_run(srv):
    """A fresh server (so memory freed by earlier runs does not hide growth),
    a few warm-up requests, then the idle tool."""
    srv.restart()
    for _ in range(20):
        try:
            http_get(srv.url("/index.html"), timeout=5)
        except Exception:  # noqa: BLE001
            break
    cmd = pinned(CLIENT_CPU) + [os.path.join(TOOLS, "idle"), HOST, str(srv.port),
           str(IDLE_CONNS), "/index.html"] + [str(p) for p in srv.pids()]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    except subprocess.TimeoutExpired:
        out = ""
    m = re.search(r"conns=.*", out)
    if not m:
        return {"failed": True}
    return {k: float(v) for k, v in (kv.split("=") for kv in m.group(0).split())}


def run_idle(servers):
    results = {}
    for rnd in range(ROUNDS):
        for label, srv in servers.items():
            try:
                r = idle_run(srv)
            except RuntimeError as e:
                r = {"failed": True}
                say(f"(g) {label}: {e}")
            results.setdefault(label, []).append(r)
            if not r.get("failed"):
                say(f"(g) round {rnd + 1} {label}: {r['bytes_per_conn']:.0f} B/conn "
                    f"({r['failed']:.0f} failed), new-conn request p50 {r['new_p50_us']:.0f} us "
                    f"max {r['new_max_us']:.0f} us, on an idle conn p50 {r['idle_p50_us']:.0f} us")
    out = {}
    for label, runs in results.items():
        ok = [r for r in runs if not r.get("failed")]
        if ok:
            out[label] = {k: med([r[k] for r in ok]) for k in ok[0]}
            out[label]["worst_new_max_us"] = max(r["new_max_us"] for r in ok)
    return out


# ---------------------------------------------------------------- TLS (issue 13)

# Every server gets the same ECDSA P-256 certificate; the client (wrk, through
# OPENSSL_CONF) offers only TLS 1.3 with TLS_AES_128_GCM_SHA256, so every
# server speaks the same cipher.
TLS_SCENARIOS = [
    ("ta", "TLS keep-alive, small file, 64 conns", "/index.html", 64, "report.lua", [], "rps", "wrk"),
    ("tc", "a new TLS connection per request (Connection: close), 64 conns", "/index.html", 64,
     "report.lua", ["Connection: close"], "rps", "wrk"),
    ("te", "100 MiB over TLS, 4 conns", "/100m.bin", 4, "report.lua", [], "MBps", "wrk"),
    ("tf", "16 pipelined requests per write over TLS, 64 conns", "/index.html", 64,
     "pipeline.lua", [], "rps", "wrk"),
]
TLS_DIR = os.path.join(WORK, "tls")
TLS_CERT, TLS_KEY = os.path.join(TLS_DIR, "cert.pem"), os.path.join(TLS_DIR, "key.pem")
TLS_CLIENT_CONF = os.path.join(TLS_DIR, "client.cnf")
TLS_CLIENT_ENV = dict(os.environ, OPENSSL_CONF=TLS_CLIENT_CONF)
TLS_IDLE_CONNS = int(os.environ.get("BENCH_TLS_IDLE_CONNS", "2000"))


def tls_setup():
    os.makedirs(TLS_DIR, exist_ok=True)
    sh(f"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 "
       f"-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
       f"-keyout {TLS_KEY} -out {TLS_CERT} 2>/dev/null")
    with open(TLS_CLIENT_CONF, "w") as f:
        f.write("openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n"
                "[sys]\nMinProtocol = TLSv1.3\nCiphersuites = TLS_AES_128_GCM_SHA256\n")


def httpd_tls_server():
    port = free_port()
    argv = [os.path.join(REPO, "bin", "httpd"), "-p", str(port), "-b", HOST, "-w", "1",
            "-l", "off", "-c", "10000", "--timeout", "60", "--tls-cert", TLS_CERT,
            "--tls-key", TLS_KEY, DOCROOT]
    return Server("httpd-tls", argv, port, " ".join(argv), label="httpd", scheme="https")


def nginx_tls_server():
    prefix = os.path.join(WORK, "nginx-tls")
    os.makedirs(prefix, exist_ok=True)
    port = free_port()
    conf = f"""worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log crit;
events {{ worker_connections 10240; use epoll; }}
http {{
    types {{ text/html html; application/octet-stream bin; }}
    access_log off;
    sendfile off;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    open_file_cache max=1000 inactive=60s;
    ssl_certificate {TLS_CERT};
    ssl_certificate_key {TLS_KEY};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets on;
    server {{
        listen {HOST}:{port} ssl backlog=4096;
        root {DOCROOT};
        index index.html;
    }}
}}
"""
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    return Server("nginx-tls", ["nginx", "-p", prefix, "-c", path, "-e", f"{prefix}/error.log"],
                  port, conf, label="nginx", scheme="https")


def h2o_tls_server():
    port = free_port()
    conf = f"""listen:
  host: {HOST}
  port: {port}
  ssl:
    certificate-file: {TLS_CERT}
    key-file: {TLS_KEY}
num-threads: 1
max-connections: 10240
error-log: {WORK}/h2o-tls-error.log
hosts:
  default:
    paths:
      /:
        file.dir: {DOCROOT}
"""
    path = os.path.join(WORK, "h2o-tls.conf")
    with open(path, "w") as f:
        f.write(conf)
    return Server("h2o-tls", ["h2o", "-c", path], port, conf, label="h2o", scheme="https")


def lighttpd_tls_server():
    port = free_port()
    conf = f"""server.modules += ( "mod_openssl" )
server.document-root = "{DOCROOT}"
server.port = {port}
server.bind = "{HOST}"
server.errorlog = "{WORK}/lighttpd-tls-error.log"
server.max-fds = 20000
server.max-connections = 8192
server.max-keep-alive-requests = 1000000
ssl.engine = "enable"
ssl.pemfile = "{TLS_CERT}"
ssl.privkey = "{TLS_KEY}"
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".bin" => "application/octet-stream" )
"""
    path = os.path.join(WORK, "lighttpd-tls.conf")
    with open(path, "w") as f:
        f.write(conf)
    return Server("lighttpd-tls", ["lighttpd", "-D", "-f", path], port, conf, label="lighttpd",
                  scheme="https")


def tls_idle_run(srv, n=TLS_IDLE_CONNS):
    """(tg): n TLS connections, one keep-alive request each, then idle: the
    growth of the server's summed VmRSS per connection."""
    import ssl
    srv.restart()
    ctx = ssl.create_default_context(cafile=TLS_CERT)
    req = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"

    def rss_kb():
        total = 0
        for pid in srv.pids():
            with open(f"/proc/{pid}/status") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        return total
    before, conns, failed = rss_kb(), [], 0
    for _ in range(n):
        try:
            s = ctx.wrap_socket(socket.create_connection((HOST, srv.port), 5),
                                server_hostname="localhost")
            s.sendall(req)
            got = b""
            while SMALL_SIZE > 0 and len(got) < SMALL_SIZE:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
                if b"\r\n\r\n" in got and len(got.split(b"\r\n\r\n", 1)[1]) >= SMALL_SIZE:
                    break
            conns.append(s)
        except (OSError, ssl.SSLError):
            failed += 1
    time.sleep(1)
    after = rss_kb()
    for s in conns:
        s.close()
    return {"conns": len(conns), "failed": failed,
            "bytes_per_conn": (after - before) * 1024 / len(conns) if conns else 0}


def run_tls():
    """Issue 13's scenarios; returns (scenario summaries, idle results, configs)."""
    tls_setup()
    makers = [("httpd", httpd_tls_server), ("nginx", nginx_tls_server), ("h2o", h2o_tls_server),
              ("lighttpd", lighttpd_tls_server)]
    servers, configs = {}, {}
    try:
        for label, make in makers:
            if label in ("h2o", "lighttpd", "nginx") and not shutil.which(label):
                say(f"TLS: {label} not installed: skipped")
                continue
            srv = make()
            try:
                srv.start()
                servers[label] = srv
                configs[label] = srv.config
            except (RuntimeError, OSError) as e:
                say(f"TLS: {label} could not start: {e}")
        runs = {}
        for scen in TLS_SCENARIOS:
            for rnd in range(ROUNDS):
                for label, srv in servers.items():
                    r = wrk_run(srv, scen)
                    runs.setdefault((scen[0], label), []).append(r)
                    say(f"({scen[0]}) round {rnd + 1} {label}: " + (
                        f"wrk failed: {r.get('out', '')!r}" if r.get("failed") else
                        f"{r['rps']:.0f} req/s, {r['MBps']:.0f} MB/s, "
                        f"{r['cpu_us_per_req']:.2f} us CPU/req, {r['errors']} errors"))
        scen = {k: summarize(v) for k, v in runs.items()}
        idle = {}
        for label, srv in servers.items():
            idle[label] = tls_idle_run(srv)
            say(f"(tg) {label}: {idle[label]['bytes_per_conn']:.0f} B/conn over "
                f"{idle[label]['conns']} TLS connections ({idle[label]['failed']} failed)")
        return {k: v for k, v in scen.items() if v}, idle, configs
    finally:
        for srv in servers.values():
            srv.stop()


def tls_report(scen, idle, configs):
    """The TLS section of RESULTS.md, with issue 13's targets."""
    labels = [lb for lb in ("httpd", "nginx", "h2o", "lighttpd") if lb in configs]
    L = ["## TLS (issue 13)\n",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, medians of {ROUNDS} rounds of "
         f"{DURATION} s, wrk over TLS 1.3 TLS_AES_128_GCM_SHA256 (client-side OPENSSL_CONF), one "
         "ECDSA P-256 certificate for every server; server CPU per request is the figure that "
         "ranks the servers when wrk saturates. Not installed here: "
         + (", ".join(lb for lb in ("h2o", "lighttpd") if lb not in configs) or "none") + ".\n",
         "| scenario | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for sid, title, *_rest in TLS_SCENARIOS:
        metric = _rest[4]
        cells = []
        for lb in labels:
            r = scen.get((sid, lb))
            if not r:
                cells.append("n/a")
            elif metric == "rps":
                cells.append(f"{r['rps']:,.0f} req/s, {r['cpu_us_per_req']:.2f} µs CPU/req")
            else:  # CPU per MB: the bytes per request are MB/s over req/s
                per_mb = r["cpu_us_per_req"] * r["rps"] / r["MBps"] if r["MBps"] else 0
                cells.append(f"{r['MBps']:,.0f} MB/s, {per_mb:.0f} µs CPU/MB")
        L.append(f"| ({sid}) {title} | " + " | ".join(cells) + " |")
    L.append("| (tg) RSS per idle keep-alive TLS connection | " + " | ".join(
        f"{idle[lb]['bytes_per_conn']:,.0f} B" if lb in idle else "n/a" for lb in labels) + " |")
    L.append("")

    def get(sid, lb, k):
        r = scen.get((sid, lb))
        return r[k] if r else None

    def verdict(name, ok, detail):
        L.append(f"- {name}: {'n/a' if ok is None else 'met' if ok else 'NOT met'} ({detail})")
    h, n = get("ta", "httpd", "cpu_us_per_req"), get("ta", "nginx", "cpu_us_per_req")
    verdict("(ta) CPU per keep-alive request <= 0.75 x nginx's", h and n and h <= 0.75 * n,
            f"{h or 0:.2f} vs {n or 0:.2f} µs")
    h, n = get("tc", "httpd", "cpu_us_per_req"), get("tc", "nginx", "cpu_us_per_req")
    verdict("(tc) CPU per new TLS connection <= nginx's", h and n and h <= n, f"{h or 0:.0f} vs {n or 0:.0f} µs")
    h = get("te", "httpd", "MBps")
    peers = {lb: get("te", lb, "MBps") for lb in labels if lb != "httpd" and get("te", lb, "MBps")}
    best = max(peers.values()) if peers else None
    verdict("(te) 100 MiB throughput >= the best peer's", h and best and h >= best,
            f"{h or 0:,.0f} vs {best or 0:,.0f} MB/s")
    h, o = get("tf", "httpd", "rps"), get("tf", "h2o", "rps")
    verdict("(tf) pipelined req/s >= 3 x h2o's", (h >= 3 * o) if h and o else None,
            f"{h or 0:,.0f} req/s; h2o {'not measured' if not o else f'{o:,.0f}'}; "
            f"nginx {get('tf', 'nginx', 'rps') or 0:,.0f}")
    hi, ni = idle.get("httpd", {}).get("bytes_per_conn"), idle.get("nginx", {}).get("bytes_per_conn")
    verdict("(tg) RSS per idle TLS connection <= half nginx's", hi is not None and ni and hi <= ni / 2,
            f"{hi or 0:,.0f} vs {ni or 0:,.0f} B")
    L.append("\nConfigurations:\n")
    for lb in labels:
        L.append(f"{lb}:\n```\n{configs[lb].strip()}\n```")
    return "\n".join(L) + "\n"


def tls_write(section):
    """Puts the TLS section into RESULTS.md, replacing an older one."""
    old = open(OUT).read() if os.path.exists(OUT) else ""
    i = old.find("## TLS (issue 13)")
    if i >= 0:  # up to the next section, or the marker that opens one
        ends = [j for j in (old.find("\n## ", i + 1), old.find("\n<!-- ", i + 1)) if j >= 0]
        old = old[:i] + (old[min(ends) + 1:] if ends else "")
    with open(OUT, "w") as f:
        f.write(old.rstrip("\n") + "\n\n" + section)


# ---------------------------------------------------------------- clients

CLIENTS = ("fetch", "curl", "wget", "rawget")


def client_cmds(srv, path, dest):
    url = srv.url(path)
    return {
        "fetch": [os.path.join(REPO, "bin", "fetch"), "-q", "-o", dest, url],
        "curl": ["curl", "-s", "-f", "-o", dest, url],
        "wget": ["wget", "-q", "-O", dest, url],
        # the reference: a plain recv/write loop with a 64 KiB buffer (bench/rawget.c)
        "rawget": [os.path.join(TOOLS, "rawget"), HOST, str(srv.port), path, dest, "65536"],
    }


def client_run(name, srv, path, size):
    dldir = os.path.join(WORK, "dl")
    os.makedirs(dldir, exist_ok=True)
    dest = os.path.join(dldir, f"out-{name}")
    for p in (dest,):
        if os.path.exists(p):
            os.unlink(p)
    stats = os.path.join(WORK, "rusage.txt")
    cmd = pinned(CLIENT_CPU) + [os.path.join(TOOLS, "rusage"), stats] + client_cmds(srv, path, dest)[name]
    try:
        subprocess.run(cmd, capture_output=True, timeout=300)
        with open(stats) as f:
            r = {k: float(v) for k, v in (kv.split("=") for kv in f.read().split())}
    except (subprocess.TimeoutExpired, OSError, ValueError):
        return {"failed": True}
    got = os.path.getsize(dest) if os.path.exists(dest) else -1
    r["size_ok"] = got == size
    if os.path.exists(dest):
        os.unlink(dest)
    r["cpu_s"] = r["user_s"] + r["sys_s"]
    r["failed"] = r["status"] != 0 or not r["size_ok"]
    return r


def run_clients(srv, small_size):
    targets = [("1 GiB", "/1g.bin", FILES["1g.bin"]), ("tiny", "/index.html", small_size)]
    results = {}
    for title, path, size in targets:
        for rnd in range(CLIENT_RUNS):
            for name in CLIENTS:
                r = client_run(name, srv, path, size)
                results.setdefault((title, name), []).append(r)
        for name in CLIENTS:
            runs = results[(title, name)]
            ok = [r for r in runs if not r["failed"]]
            say(f"client {title} {name}: {len(ok)}/{len(runs)} ok" + (
                f", cpu {med([r['cpu_s'] for r in ok]):.3f} s, wall {med([r['wall_s'] for r in ok]):.3f} s, "
                f"rss {med([r['maxrss_kb'] for r in ok]):.0f} KiB" if ok else ""))
    out = {}
    for key, runs in results.items():
        ok = [r for r in runs if not r["failed"]]
        out[key] = None if not ok else {
            "cpu_s": med([r["cpu_s"] for r in ok]),
            "user_s": med([r["user_s"] for r in ok]),
            "sys_s": med([r["sys_s"] for r in ok]),
            "wall_s": med([r["wall_s"] for r in ok]),
            "maxrss_kb": med([r["maxrss_kb"] for r in ok]),
            "ok": len(ok), "runs": len(runs),
        }
    return out


# ---------------------------------------------------------------- report

def fmt(v, spec=".0f", none="n/a"):
    return none if v is None else format(v, spec)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def versions():
    v = {}
    v["httpd"] = sh(f"{REPO}/bin/httpd -V 2>&1 | head -1") or "?"
    v["fetch"] = sh(f"{REPO}/bin/fetch --version 2>&1 | head -1") or "?"
    v["nginx"] = sh("nginx -v 2>&1")
    v["h2o"] = sh("h2o --version 2>&1 | head -1")
    v["lighttpd"] = sh("lighttpd -v 2>&1 | head -1")
    v["wrk"] = sh("wrk -v 2>&1 | head -1")
    v["curl"] = sh("curl --version | head -1")
    v["wget"] = sh("wget --version | head -1")
    v["git"] = sh(f"git -C {REPO} describe --always --dirty 2>/dev/null")
    return v


def machine():
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("awk '/MemTotal/ {print int($2/1024) \" MiB\"}' /proc/meminfo")
    return f"{platform.node()}: {os.cpu_count()} CPUs ({cpu}), {mem}, Linux {platform.release()}"


def report(ctx):
    S, L = ctx["scen"], []
    labels = [lb for lb in ("httpd", "nginx", "h2o", "lighttpd", "floor") if lb in ctx["servers"]]
    w = L.append
    w("# Benchmark results\n")
    w(f"Generated by `make bench` (bench/run.sh -> bench/bench.py) on {ctx['date']} UTC, "
      f"in {ctx['elapsed'] / 60:.1f} minutes.\n")
    if ctx.get("note"):
        w(f"> {ctx['note']}\n")
    w(f"- Machine: {ctx['machine']}")
    for k, v in ctx["versions"].items():
        w(f"- {k}: {v}")
    w(f"- Method: every server runs one worker pinned to CPU {SERVER_CPU} (taskset); wrk runs one thread "
      f"pinned to CPU {CLIENT_CPU}; both at nice {NICE} (BENCH_NICE); {DURATION} s per run, {ROUNDS} interleaved rounds "
      "(each round runs every server once), medians reported. Server CPU is utime+stime of all the "
      "server's processes from /proc/PID/stat over the run (resolution 1/"
      f"{CLK_TCK} s), divided by the requests wrk completed (loopback's packet processing done in softirq is charged to no process and is left out for every server alike). Docroot (generated outside the repository, "
      f"in {DOCROOT}): index.html ({ctx['small']} B), 64k.bin, 100m.bin, 1g.bin. "
      "MB = 10^6 bytes, counted by wrk (headers included).")
    w("- The floor is bench/floor.c: a trivial epoll server answering every request head with the same "
      f"fixed {ctx['small']}-byte body, pipelining-aware (one write per read); it takes part where "
      "no file is involved.\n")
    if ctx["problems"]:
        w("**Correctness problems found before measuring** (their figures below are suspect):\n")
        for lb, probs in ctx["problems"].items():
            for p in probs:
                w(f"- {lb}: {p}")
        w("")

    w("## Server scenarios\n")
    w("Throughput: requests/s (and MB/s where the body is large), median of the rounds; "
      "⚠ marks wrk errors or failed runs.\n")
    w("| scenario | " + " | ".join(labels) + " | httpd/nginx |")
    w("|---" * (len(labels) + 2) + "|")
    for scen in SCENARIOS:
        sid, title, metric = scen[0], scen[1], scen[6]
        row = [f"({sid}) {title}"]
        for lb in labels:
            s = S.get((sid, lb))
            if s is None:
                row.append("—")
                continue
            row.append(f"{s['MBps']:.0f} MB/s ({s['rps']:.0f} req/s)" if metric == "MBps"
                       else f"{s['rps']:.0f}")
            if s["errors"] or s["failed_runs"]:
                row[-1] += f" ⚠{s['errors']} err/{s['failed_runs']} failed"
        h, n = S.get((sid, "httpd")), S.get((sid, "nginx"))
        row.append(fmt(ratio(h and h[metric], n and n[metric]), ".2f"))
        w("| " + " | ".join(row) + " |")
    w("")
    w("Server CPU per request: µs of utime+stime of the server's processes per completed request "
      "(for (d) and (e), also µs per MB sent), median of the rounds.\n")
    w("| scenario | " + " | ".join(labels) + " | httpd/nginx | httpd/floor |")
    w("|---" * (len(labels) + 3) + "|")
    for scen in SCENARIOS:
        sid, metric = scen[0], scen[6]
        row = [f"({sid})"]
        for lb in labels:
            s = S.get((sid, lb))
            if s is None:
                row.append("—")
            elif metric == "MBps":
                per_mb = s["cpu_us_per_req"] * s["rps"] / s["MBps"] if s["MBps"] else 0
                row.append(f"{s['cpu_us_per_req']:.1f} ({per_mb:.0f}/MB)")
            else:
                row.append(f"{s['cpu_us_per_req']:.2f}")
        h, n, fl = S.get((sid, "httpd")), S.get((sid, "nginx")), S.get((sid, "floor"))
        row.append(fmt(ratio(h and h["cpu_us_per_req"], n and n["cpu_us_per_req"]), ".2f"))
        row.append(fmt(ratio(h and h["cpu_us_per_req"], fl and fl["cpu_us_per_req"]), ".2f"))
        w("| " + " | ".join(row) + " |")
    w("")
    w("Who set the pace (medians): the server's own CPU time over the run's wall time / wrk's own "
      f"/ how busy CPU {CLIENT_CPU} was in all (100% minus idle: wrk, the loopback packet work done "
      "in softirq there, which /proc/PID/stat charges to no process, and anything else). A server "
      f"well under 100% with CPU {CLIENT_CPU} near 100% means the client side set the pace.\n")
    w("| scenario | " + " | ".join(labels) + " |")
    w("|---" * (len(labels) + 1) + "|")
    for scen in SCENARIOS:
        sid = scen[0]
        w(f"| ({sid}) | " + " | ".join(
            "—" if S.get((sid, lb)) is None else
            f"{100 * S[(sid, lb)]['busy']:.0f}% / {100 * S[(sid, lb)]['wrk_busy']:.0f}% / "
            f"{100 * S[(sid, lb)]['cli_cpu_busy']:.0f}%"
            for lb in labels) + " |")
    w("")
    w("The rest of the machine: the worst round's share of CPU "
      f"{SERVER_CPU} (server) / CPU {CLIENT_CPU} (wrk) taken by processes other than the server and "
      "wrk, from /proc/stat (an estimate: they may have filled time the benchmark left idle, and "
      "kernel work done for the benchmark outside its own accounting counts here too). On a quiet "
      "machine these are near 0%.\n")
    w("| scenario | " + " | ".join(labels) + " |")
    w("|---" * (len(labels) + 1) + "|")
    for scen in SCENARIOS:
        sid = scen[0]
        w(f"| ({sid}) | " + " | ".join(
            "—" if S.get((sid, lb)) is None else
            f"{100 * S[(sid, lb)]['other_srv']:.0f}% / {100 * S[(sid, lb)]['other_cli']:.0f}%"
            for lb in labels) + " |")
    w("")
    w("In (d) and (e) the receiver's copy (wrk, one thread on the other CPU) bounds the MB/s on "
      "loopback; the servers' CPU per MB shows which one leaves the most room. On loopback a "
      "server that sends with sendfile makes that copy dearer for the client (about 3x per MB "
      "in (e), measured in bench/PROFILE.md, finding 5), so copying servers can win (e) here.\n")
    fa, fl = S.get(("a", "floor")), S.get(("a'", "floor"))
    if fa:
        w(f"The load generator's ceiling: one wrk thread drove the fixed-bytes floor at {fa['rps']:.0f} "
          "req/s in (a); a server that costs less CPU than wrk cannot show it in req/s with wrk. "
          "(a'), (b') and (d') therefore repeat (a), (b) and (d) with bench/load (one thread too, "
          "pinned alike), which spends one send and one recv per request where wrk adds two "
          "epoll_ctl (and reads 64 KiB at a time where wrk reads 8 KiB)"
          + (f"; it drove the floor at {fl['rps']:.0f} req/s" if fl else "") +
          ". Their req/s are the servers' capacity; the targets on req/s are judged on them, "
          "with wrk's figures beside.\n")
    w("Rounds (req/s of each round, in order): " + "; ".join(
        f"({sid}) {lb} {S[(sid, lb)]['rounds']}" for sid, *_ in SCENARIOS for lb in labels
        if S.get((sid, lb))) + "\n")
    w("Latency (wrk, median of rounds, p50 / p99 µs): " + "; ".join(
        f"({sid}) {lb} {S[(sid, lb)]['lat_p50_us']:.0f}/{S[(sid, lb)]['lat_p99_us']:.0f}"
        for sid, *_ in SCENARIOS for lb in labels
        if S.get((sid, lb)) and S[(sid, lb)]["lat_p50_us"] is not None) + "\n")

    w(f"## (g) {IDLE_CONNS} idle keep-alive connections\n")
    w("Each connection made one GET of index.html and then sat idle; the server was restarted before "
      "each round. RSS is the sum of VmRSS over the server's processes, before and 1 s after. The "
      "latency is of a GET of index.html on a new connection (and on one of the idle ones) while they "
      "are all held, 21 probes per round.\n")
    w("| server | RSS per idle conn (B) | new-conn request p50 µs | max µs (worst round) | "
      "idle-conn request p50 µs | failed conns |")
    w("|---|---|---|---|---|---|")
    for lb in labels:
        g = ctx["idle"].get(lb)
        if g is None:
            w(f"| {lb} | failed | | | | |")
            continue
        w(f"| {lb} | {g['bytes_per_conn']:.0f} | {g['new_p50_us']:.0f} | {g['worst_new_max_us']:.0f} | "
          f"{g['idle_p50_us']:.0f} | {g['failed']:.0f} |")
    w("")

    C = ctx["clients"]
    w(f"## Clients: fetch vs curl vs wget, from {ctx['client_server']}\n")
    w(f"Medians of {CLIENT_RUNS} interleaved runs, client pinned to CPU {CLIENT_CPU}, writing into "
      f"{WORK}/dl (deleted after each run); CPU = user+sys of the client from wait4, wall from fork "
      "to exit, max RSS from wait4. A run counts only when it exits 0 with the right file size. "
      "rawget (bench/rawget.c) is the reference: one GET, then a plain recv/write loop, 64 KiB buffer.\n")
    w("| file | client | CPU s | user s | sys s | wall s | max RSS KiB | ok runs |")
    w("|---|---|---|---|---|---|---|---|")
    for title in ("1 GiB", "tiny"):
        for name in CLIENTS:
            c = C.get((title, name))
            if c is None:
                w(f"| {title} | {name} | failed | | | | | 0 |")
            else:
                w(f"| {title} | {name} | {c['cpu_s']:.3f} | {c['user_s']:.3f} | {c['sys_s']:.3f} | "
                  f"{c['wall_s']:.4f} | {c['maxrss_kb']:.0f} | {c['ok']}/{c['runs']} |")
    w("")

    w("## Targets of issue 5\n")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    for t in targets(ctx):
        w(f"| {t[0]} | {t[1]} | {t[2]} |")
    w("")

    w("## Short table for the README\n")
    w("```")
    w("| `make bench` (one run, medians of 3) | httpd | nginx | httpd/nginx |")
    w("|---|---|---|---|")
    for scen in SCENARIOS:
        sid, metric = scen[0], scen[6]
        h, n = S.get((sid, "httpd")), S.get((sid, "nginx"))
        def cell(x):
            if not x:
                return "n/a"
            if metric == "MBps":
                per_mb = x["cpu_us_per_req"] * x["rps"] / x["MBps"] if x["MBps"] else 0
                return f"{x['MBps']:,.0f} MB/s, {per_mb:.0f} µs CPU/MB"
            return f"{x['rps']:,.0f} req/s, {x['cpu_us_per_req']:.2f} µs CPU/req"
        w(f"| ({sid}) {scen[1]} | {cell(h)} | {cell(n)} | "
          f"{fmt(ratio(h and h[metric], n and n[metric]), '.2f')} |")
    gh, gn = ctx["idle"].get("httpd"), ctx["idle"].get("nginx")
    w(f"| (g) RSS per idle connection | {fmt(gh and gh['bytes_per_conn'])} B | "
      f"{fmt(gn and gn['bytes_per_conn'])} B | {fmt(ratio(gh and gh['bytes_per_conn'], gn and gn['bytes_per_conn']), '.2f')} |")
    C = ctx["clients"]
    f, c = C.get(("1 GiB", "fetch")), C.get(("1 GiB", "curl"))
    w(f"| 1 GiB download, CPU s (fetch vs curl) | {fmt(f and f['cpu_s'], '.2f')} | {fmt(c and c['cpu_s'], '.2f')} | "
      f"{fmt(ratio(f and f['cpu_s'], c and c['cpu_s']), '.2f')} |")
    w("```\n")
    w("## Configurations\n")
    w("nginx: three variants were run over every scenario for a short calibration (2 s, two "
      "interleaved rounds, the better kept; req/s or MB/s); the best of each scenario is the one "
      "measured above:\n")
    w("| scenario | " + " | ".join(NGINX_VARIANTS) + " | kept |")
    w("|---" * (len(NGINX_VARIANTS) + 2) + "|")
    for scen in SCENARIOS if ctx["calib"] else []:
        sid = scen[0]
        w(f"| ({sid}) {scen[6]} | " + " | ".join(
            f"{ctx['calib'][(sid, v)]:.0f}" for v in NGINX_VARIANTS) + f" | {ctx['nginx_best'][sid]} |")
    w("")
    for name, conf in ctx["configs"].items():
        w(f"### {name}\n")
        w("```")
        w(conf.rstrip())
        w("```\n")
    w("## Log of the run\n")
    w("```")
    L.extend(LOG)
    w("```")
    with open(OUT, "w") as f:
        f.write("\n".join(L) + "\n")


def verdict(ok):
    if ok is None:
        return "not measured"
    return "met" if ok else "**NOT met**"


def targets(ctx):
    S, out = ctx["scen"], []

    def get(sid, lb, k):
        s = S.get((sid, lb))
        return s[k] if s else None

    for sid in ("a", "b"):
        hc, fc = get(sid, "httpd", "cpu_us_per_req"), get(sid, "floor", "cpu_us_per_req")
        r = ratio(hc, fc)
        out.append((f"({sid}) server CPU/req ≤ 1.1 × floor's",
                    f"httpd {fmt(hc, '.2f')} µs vs floor {fmt(fc, '.2f')} µs = {fmt(r, '.2f')}×",
                    verdict(None if r is None else r <= 1.1)))
        rw = ratio(get(sid, "httpd", "rps"), get(sid, "nginx", "rps"))
        sl = sid + "'"
        r = ratio(get(sl, "httpd", "rps"), get(sl, "nginx", "rps"))
        out.append((f"({sid}) req/s ≥ 1.3 × nginx's",
                    f"bench/load ({sl}): {fmt(get(sl, 'httpd', 'rps'))} vs {fmt(get(sl, 'nginx', 'rps'))} "
                    f"= {fmt(r, '.2f')}×; wrk ({sid}, client-bound): {fmt(get(sid, 'httpd', 'rps'))} vs "
                    f"{fmt(get(sid, 'nginx', 'rps'))} = {fmt(rw, '.2f')}×",
                    verdict(None if r is None else r >= 1.3)))
    r = ratio(get("c", "httpd", "rps"), get("c", "nginx", "rps"))
    out.append(("(c) req/s ≥ 1.2 × nginx's", f"{fmt(get('c', 'httpd', 'rps'))} vs "
                f"{fmt(get('c', 'nginx', 'rps'))} = {fmt(r, '.2f')}×", verdict(None if r is None else r >= 1.2)))
    def versus_best(sid):
        peers = {lb: get(sid, lb, "MBps") for lb in ("nginx", "h2o", "lighttpd") if get(sid, lb, "MBps")}
        h = get(sid, "httpd", "MBps")
        best = max(peers.items(), key=lambda kv: kv[1]) if peers else None
        text = f"httpd {fmt(h)} MB/s vs {best[0]} {best[1]:.0f} MB/s" if best and h else "n/a"
        return text, None if not best or h is None else h >= best[1]

    for sid in ("d", "e"):
        text, ok = versus_best(sid)
        if S.get((sid + "'", "httpd")):  # judged on the server-bound run, wrk's beside
            text_l, ok = versus_best(sid + "'")
            text = f"bench/load ({sid}'): {text_l}; wrk ({sid}, client-bound): {text}"
        out.append((f"({sid}) throughput ≥ best peer's", text, verdict(ok)))
    h, p = get("f", "httpd", "rps"), get("f", "h2o", "rps")
    r = ratio(h, p)
    out.append(("(f) pipelined req/s ≥ 3 × h2o's", f"{fmt(h)} vs {fmt(p)} = {fmt(r, '.2f')}×",
                verdict(None if r is None else r >= 3)))
    g = ctx["idle"].get("httpd")
    out.append(("(g) ≤ 256 B RSS per idle connection",
                f"{g['bytes_per_conn']:.0f} B" if g else "n/a",
                verdict(None if not g else g["bytes_per_conn"] <= 256)))
    out.append(("(g) request answered in < 5 ms meanwhile",
                f"p50 {g['new_p50_us'] / 1000:.2f} ms, worst {g['worst_new_max_us'] / 1000:.2f} ms" if g else "n/a",
                verdict(None if not g else g["new_p50_us"] < 5000)))
    C = ctx["clients"]
    f, c = C.get(("1 GiB", "fetch")), C.get(("1 GiB", "curl"))
    r = ratio(f and f["cpu_s"], c and c["cpu_s"])
    out.append(("fetch CPU per GiB ≤ 0.35 × curl's",
                f"{fmt(f and f['cpu_s'], '.3f')} s vs {fmt(c and c['cpu_s'], '.3f')} s = {fmt(r, '.2f')}×",
                verdict(None if r is None else r <= 0.35)))
    r = ratio(f and f["wall_s"], c and c["wall_s"])
    out.append(("fetch wall time (1 GiB) ≤ curl's",
                f"{fmt(f and f['wall_s'], '.3f')} s vs {fmt(c and c['wall_s'], '.3f')} s = {fmt(r, '.2f')}×",
                verdict(None if r is None else r <= 1)))
    r = ratio(f and f["maxrss_kb"], c and c["maxrss_kb"])
    out.append(("fetch max RSS (1 GiB) ≤ curl's",
                f"{fmt(f and f['maxrss_kb'])} KiB vs {fmt(c and c['maxrss_kb'])} KiB",
                verdict(None if r is None else r <= 1)))
    t = C.get(("tiny", "fetch"))
    out.append(("fetch tiny file ≤ 1.5 ms", f"{t['wall_s'] * 1000:.2f} ms" if t else "n/a",
                verdict(None if not t else t["wall_s"] <= 0.0015)))
    return out


# ---------------------------------------------------------------- main

SMALL_SIZE = 600


def main():
    global SMALL_SIZE
    t0 = time.time()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.makedirs(WORK, exist_ok=True)
    SMALL_SIZE = make_docroot()
    only = set(filter(None, os.environ.get("BENCH_SERVERS", "").split(",")))

    if PARTS == {"tls"}:  # the TLS scenarios alone: only their section changes
        tls_write(tls_report(*run_tls()))
        say(f"wrote the TLS section of {OUT}")
        return 0
    servers, started = {}, []
    makers = [("httpd", httpd_server), ("h2o", h2o_server), ("lighttpd", lighttpd_server),
              ("floor", floor_server)]
    nginx_variants = {}
    try:
        for label, make in makers:
            if only and label not in only:
                continue
            if label in ("h2o", "lighttpd") and not shutil.which(label):
                say(f"{label} not installed: skipped")
                continue
            srv = make()
            try:
                srv.start()
                started.append(srv)
                servers[label] = srv
            except (RuntimeError, OSError) as e:
                say(f"{label} could not start: {e}")
        floor_close = None
        if "floor" in servers:
            floor_close = floor_server(close=True)
            floor_close.start()
            started.append(floor_close)
        if not only or "nginx" in only:
            for v in NGINX_VARIANTS:
                srv = nginx_server(v)
                srv.start()
                started.append(srv)
                nginx_variants[v] = srv
            servers["nginx"] = nginx_variants["sf-off"]
        order = ["httpd", "nginx", "h2o", "lighttpd", "floor"]
        servers = {lb: servers[lb] for lb in order if lb in servers}

        problems = {}
        for lb, srv in servers.items():
            if lb == "floor":
                continue
            p = verify(srv)
            if p:
                problems[lb] = p
                say(f"{lb} correctness problems: {p}")
        calib, nginx_best = {}, {s[0]: "sf-off" for s in SCENARIOS}
        if nginx_variants:
            nginx_best, calib = calibrate_nginx(nginx_variants)
        scen_runs = run_scenarios(servers, nginx_best, nginx_variants, floor_close)
        scen = {k: summarize(v) for k, v in scen_runs.items()}
        scen = {k: v for k, v in scen.items() if v}

        idle_servers = dict(servers)
        if "nginx" in idle_servers:
            idle_servers["nginx"] = nginx_variants[nginx_best.get("a", "sf-off")]
        idle = run_idle(idle_servers) if not PARTS or "g" in PARTS else {}

        client_srv = servers.get("httpd")
        client_server = "httpd"
        if client_srv is None or client_srv.proc.poll() is not None or "httpd" in problems:
            client_srv, client_server = servers.get("nginx"), "nginx (httpd unavailable or incorrect)"
        else:
            client_srv.restart()
        clients = run_clients(client_srv, SMALL_SIZE) \
            if client_srv and (not PARTS or "clients" in PARTS) else {}

        configs = {}
        for lb, srv in servers.items():
            if lb == "nginx":
                for v, s in nginx_variants.items():
                    configs[f"nginx ({v}) {s.argv[-3]}"] = s.config
            else:
                configs[f"{lb}"] = srv.config
        if floor_close:
            configs["floor (c)"] = floor_close.config
        ctx = {
            "scen": scen, "idle": idle, "clients": clients, "servers": servers,
            "problems": problems, "calib": calib, "nginx_best": nginx_best, "configs": configs,
            "versions": versions(), "machine": machine(), "small": SMALL_SIZE,
            "client_server": client_server,
            "date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
            "elapsed": time.time() - t0, "note": os.environ.get("BENCH_NOTE", ""),
        }
        report(ctx)
        if not PARTS or "tls" in PARTS:
            for srv in started:  # the TLS runs want the CPUs to themselves
                srv.stop()
            tls_write(tls_report(*run_tls()))
        with open(os.path.join(WORK, "results.json"), "w") as f:
            json.dump({"scen": {f"{k[0]}/{k[1]}": v for k, v in scen.items()}, "idle": idle,
                       "clients": {f"{k[0]}/{k[1]}": v for k, v in clients.items()}}, f, indent=1)
        say(f"wrote {OUT} in {(time.time() - t0) / 60:.1f} minutes")
    finally:
        for srv in started:
            srv.stop()
        for srv in servers.values():
            srv.stop()


if __name__ == "__main__":
    sys.exit(main())
