#!/usr/bin/env python3
"""tls_clients.py: fetch against curl and wget over HTTPS (issue 12's speed
targets); run by bench/run.sh after bench.py, or alone once the helpers are
built (`make bench` builds them into BENCH_WORK/bin).

nginx serves bench.py's docroot over TLS on loopback (one worker, CPU 0) with
an ECDSA P-256 certificate from tests/tls-certs.sh and exactly one cipher,
TLS 1.3 TLS_AES_128_GCM_SHA256, so every client pays for the same
cryptography. Each client (pinned to CPU 1) downloads the 1 GiB file and the
~600-byte index.html over a new connection, CLIENT_RUNS interleaved rounds;
medians of CPU (user+sys), wall time and max RSS from bench/rusage.c. The
section "HTTPS clients" of bench/RESULTS.md is replaced (or added).
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (its helpers, docroot and knobs)
from bench import CLIENT_RUNS, HOST, REPO, TOOLS, WORK, med, pinned, say  # noqa: E402

CIPHER = "TLS_AES_128_GCM_SHA256"
CERTS = os.path.join(WORK, "tls-certs")
# Each client finds the system's CAs its own default way (a development
# shell may point SSL_CERT_FILE at the bundle; a default system does not).
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE")}
BEGIN, END = "<!-- tls-clients: written by bench/tls_clients.py -->", "<!-- /tls-clients -->"


def nginx_tls():
    prefix = os.path.join(WORK, "nginx-tls")
    os.makedirs(prefix, exist_ok=True)
    port = bench.free_port()
    conf = f"""worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log crit;
events {{ worker_connections 1024; }}
http {{
    default_type application/octet-stream;
    access_log off;
    sendfile off;
    tcp_nodelay on;
    output_buffers 2 256k;
    ssl_buffer_size 16k;
    server {{
        listen {HOST}:{port} ssl;
        ssl_certificate {CERTS}/server.pem;
        ssl_certificate_key {CERTS}/server.key;
        ssl_protocols TLSv1.3;
        ssl_conf_command Ciphersuites {CIPHER};
        ssl_session_tickets off;
        root {bench.DOCROOT};
    }}
}}
"""
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    srv = bench.Server("nginx-tls", ["nginx", "-p", prefix, "-c", path, "-e", f"{prefix}/error.log"],
                       port, conf, label="nginx")
    srv.url = lambda p: f"https://localhost:{port}{p}"
    return srv


def cmds(url, dest):
    ca = os.path.join(CERTS, "ca.pem")
    return {
        "fetch": [os.path.join(REPO, "bin", "fetch"), "-q", "--ca-certificate", ca, "-o", dest, url],
        "curl": ["curl", "-s", "-f", "--cacert", ca, "-o", dest, url],
        "wget": ["wget", "-q", "--ca-certificate", ca, "-O", dest, url],
    }


def run_one(name, url, size):
    dest = os.path.join(WORK, "dl", f"tls-{name}")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if os.path.exists(dest):
        os.unlink(dest)
    stats = os.path.join(WORK, "rusage-tls.txt")
    cmd = pinned(bench.CLIENT_CPU) + [os.path.join(TOOLS, "rusage"), stats] + cmds(url, dest)[name]
    try:
        subprocess.run(cmd, capture_output=True, timeout=300, env=CLEAN_ENV)
        with open(stats) as f:
            r = {k: float(v) for k, v in (kv.split("=") for kv in f.read().split())}
    except (subprocess.TimeoutExpired, OSError, ValueError):
        return None
    ok = r["status"] == 0 and os.path.exists(dest) and os.path.getsize(dest) == size
    if os.path.exists(dest):
        os.unlink(dest)
    r["cpu_s"] = r["user_s"] + r["sys_s"]
    return r if ok else None


def negotiated(srv):
    out = bench.sh(f"echo | openssl s_client -connect {HOST}:{srv.port} -servername localhost "
                   f"-CAfile {CERTS}/ca.pem 2>/dev/null | grep -E 'Protocol|Cipher' | head -3")
    return " ".join(out.split())


def report(results, srv, small):
    fetch_version = bench.sh(REPO + "/bin/fetch --version | paste -sd ' '")
    L = [BEGIN, "## HTTPS clients: fetch vs curl vs wget, from nginx over TLS\n",
         f"{bench.sh('nginx -v 2>&1')}, TLS 1.3 with one cipher for every client "
         f"({CIPHER}; `openssl s_client` saw: {negotiated(srv)}), ECDSA P-256 certificate, "
         f"loopback. fetch: `{fetch_version}`; "
         f"{bench.sh('curl --version | head -1')}; {bench.sh('wget --version | head -1')}. "
         f"Medians of {CLIENT_RUNS} interleaved runs, client pinned to CPU {bench.CLIENT_CPU}, "
         "server to CPU 0; a run counts only when it exits 0 with the right size; the clients run "
         "without SSL_CERT_FILE/SSL_CERT_DIR in their environment (their default CA stores).\n",
         "| file | client | CPU s | user s | sys s | wall s | max RSS KiB | ok runs |",
         "|---|---|---|---|---|---|---|---|"]
    for title in ("1 GiB", f"tiny ({small} B)"):
        for name in ("fetch", "curl", "wget"):
            runs = results.get((title, name), [])
            ok = [r for r in runs if r]
            if not ok:
                L.append(f"| {title} | {name} | failed | | | | | 0/{len(runs)} |")
                continue
            m = {k: med([r[k] for r in ok]) for k in ("cpu_s", "user_s", "sys_s", "wall_s", "maxrss_kb")}
            L.append(f"| {title} | {name} | {m['cpu_s']:.3f} | {m['user_s']:.3f} | {m['sys_s']:.3f} | "
                     f"{m['wall_s']:.4f} | {m['maxrss_kb']:.0f} | {len(ok)}/{len(runs)} |")
            results[(title, name, "med")] = m
    L.append("")
    L.append("Targets of issue 12:\n")
    L.append("| target | measured | verdict |")
    L.append("|---|---|---|")

    def get(title, name, k):
        m = results.get((title, name, "med"))
        return m and m[k]
    tiny = f"tiny ({small} B)"
    for what, title, k, factor in (("fetch CPU (1 GiB) ≤ 0.5 × curl's", "1 GiB", "cpu_s", 0.5),
                                   ("fetch wall time (1 GiB) ≤ curl's", "1 GiB", "wall_s", 1.0),
                                   ("fetch max RSS (1 GiB) ≤ curl's", "1 GiB", "maxrss_kb", 1.0),
                                   ("fetch tiny file, new TLS connection, wall ≤ curl's", tiny, "wall_s", 1.0)):
        f, c = get(title, "fetch", k), get(title, "curl", k)
        if f is None or c is None:
            L.append(f"| {what} | n/a | not measured |")
            continue
        L.append(f"| {what} | {f:.4g} vs {c:.4g} = {f / c:.2f}× | "
                 f"{'met' if f <= factor * c else '**NOT met**'} |")
    L.append(END)
    text = "\n".join(L) + "\n"
    out = bench.OUT
    old = open(out).read() if os.path.exists(out) else ""
    pat = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", re.S)
    new = pat.sub(lambda _: text, old) if BEGIN in old else old + ("\n" if old else "") + text
    with open(out, "w") as f:
        f.write(new)
    say(f"wrote the HTTPS clients section of {out}")


def main():
    small = bench.make_docroot()
    subprocess.run(["sh", os.path.join(REPO, "tests", "tls-certs.sh"), CERTS], check=True)
    os.chmod(CERTS, 0o755)
    srv = nginx_tls()
    srv.start()
    results = {}
    try:
        for title, path, size in (("1 GiB", "/1g.bin", bench.FILES["1g.bin"]),
                                  (f"tiny ({small} B)", "/index.html", small)):
            for _ in range(CLIENT_RUNS):
                for name in ("fetch", "curl", "wget"):
                    results.setdefault((title, name), []).append(run_one(name, srv.url(path), size))
            for name in ("fetch", "curl", "wget"):
                ok = [r for r in results[(title, name)] if r]
                say(f"https {title} {name}: {len(ok)}/{CLIENT_RUNS} ok" + (
                    f", cpu {med([r['cpu_s'] for r in ok]):.3f} s, wall {med([r['wall_s'] for r in ok]):.3f} s, "
                    f"rss {med([r['maxrss_kb'] for r in ok]):.0f} KiB" if ok else ""))
        report(results, srv, small)
    finally:
        srv.stop()


if __name__ == "__main__":
    sys.exit(main())
