#!/usr/bin/env python3
"""many_files.py: many files from one origin (issue 14's speed targets); run
by bench/run.sh after tls_clients.py, or alone once the helpers are built
(`make bench` builds them into BENCH_WORK/bin).

nginx (one worker, CPU 0, plain HTTP, sendfile) serves 200 files of 10 KiB
and 20 of 5 MiB on loopback, listed in one input file. In parallel, four
transfers at once: `fetch -j 4 -i LIST -o DIR` against `curl --parallel
--parallel-max 4 --remote-name-all --output-dir DIR URL...`; one at a time:
`fetch -j 1 -i LIST -o DIR` against `wget -i LIST -P DIR`. Each client is
pinned to CPU 1 (its workers too), RUNS interleaved rounds; medians
of CPU (user+sys, the client and every process it waited for), wall time and
max RSS from bench/rusage.c. A run counts only when it exits 0 and every
file has its size. The files go to a new ext4 with a journal (see
mount_download_fs), and are removed after each run. The section
"Many files" of bench/RESULTS.md is replaced (or added).
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (its helpers and knobs)
from bench import CLIENT_RUNS, HOST, REPO, TOOLS, WORK, med, pinned, say  # noqa: E402

ROOT = os.path.join(WORK, "many")
DOCS = os.path.join(ROOT, "www")
FS = os.path.join(ROOT, "fs")  # where a journaled ext4 image is mounted
DEST = os.path.join(FS, "dl")
LIST = os.path.join(ROOT, "list.txt")
SMALL, BIG = (200, 10 * 1024), (20, 5 * 1024 * 1024)
CLIENTS = ("fetch -j 4", "curl --parallel", "fetch -j 1", "wget -i")
# A run takes a tenth of a second or so: three times the other sections'
# runs, for steadier medians.
RUNS = 3 * CLIENT_RUNS
BEGIN, END = "<!-- many-files: written by bench/many_files.py -->", "<!-- /many-files -->"


def files():
    """name -> size, small ones first (the list's order)."""
    out = {}
    for prefix, (count, size) in (("s", SMALL), ("b", BIG)):
        for i in range(count):
            out[f"{prefix}{i:03d}.bin"] = size
    return out


def make_docs():
    os.makedirs(DOCS, exist_ok=True)
    os.chmod(WORK, 0o755)
    for d in (ROOT, DOCS):
        os.chmod(d, 0o755)
    for name, size in files().items():
        path = os.path.join(DOCS, name)
        if not (os.path.exists(path) and os.path.getsize(path) == size):
            with open(path, "wb") as f:
                f.write(os.urandom(size))
        os.chmod(path, 0o644)


def nginx_plain():
    prefix = os.path.join(ROOT, "nginx")
    os.makedirs(prefix, exist_ok=True)
    port = bench.free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    conf = f"""{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log crit;
events {{ worker_connections 1024; }}
http {{
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000;
    server {{
        listen {HOST}:{port};
        root {DOCS};
    }}
}}
"""
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    return bench.Server("nginx-many", ["nginx", "-p", prefix, "-c", path, "-e", f"{prefix}/error.log"],
                        port, conf, label="nginx")


def cmds(urls, dest="DIR"):
    fetch = os.path.join(REPO, "bin", "fetch")
    return {
        "fetch -j 4": [fetch, "-q", "-j", "4", "-i", LIST, "-o", dest],
        "curl --parallel": ["curl", "-s", "-f", "--parallel", "--parallel-max", "4",
                            "--remote-name-all", "--output-dir", dest] + urls,
        "fetch -j 1": [fetch, "-q", "-j", "1", "-i", LIST, "-o", dest],
        "wget -i": ["wget", "-q", "-i", LIST, "-P", dest],
    }


def mount_download_fs():
    """Downloads go to a new ext4 file system with mkfs's defaults (a
    journal), mounted from a sparse image by loop, when we may (root). This
    machine's root is ext4 without a journal, where a new inode is placed
    past every inode deleted in the last one to six minutes (fs/ext4/ialloc.c,
    recently_deleted(): only without a journal): both clients' CPU then
    depended on how many files anything had deleted just before, our own
    earlier runs too (fetch -j 4 from 0.07 to 0.18 s, PROFILE.md finding 7).
    With a journal, deleting a run's files costs the next run nothing.
    Returns what the report says of the file system."""
    os.makedirs(FS, exist_ok=True)
    subprocess.run(["umount", FS], capture_output=True)
    image = os.path.join(ROOT, "fs.img")
    size = 8 * (SMALL[0] * SMALL[1] + BIG[0] * BIG[1])  # one run's files, and room
    try:
        if os.geteuid() != 0:
            raise OSError("not root")
        with open(image, "wb") as f:
            f.truncate(size)
        mkfs = ["mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", image]
        for cmd in (mkfs, ["mount", "-o", "loop", image, FS]):
            subprocess.run(cmd, check=True, capture_output=True)
        return "a new ext4 (mkfs.ext4 defaults, with a journal) on a loop-mounted image"
    except (OSError, subprocess.CalledProcessError) as e:
        kind = bench.sh(f"stat -f -c %T {FS}")
        return f"the {kind} file system under {WORK} (no loop mount: {e})"


def unmount_download_fs():
    shutil.rmtree(DEST, ignore_errors=True)
    subprocess.run(["umount", FS], capture_output=True)
    if os.path.exists(os.path.join(ROOT, "fs.img")):
        os.unlink(os.path.join(ROOT, "fs.img"))


def complete(dest):
    for name, size in files().items():
        path = os.path.join(dest, name)
        if not os.path.exists(path) or os.path.getsize(path) != size:
            return False
    return len(os.listdir(dest)) == len(files())


def run_one(name, urls):
    shutil.rmtree(DEST, ignore_errors=True)
    os.makedirs(DEST)
    stats = os.path.join(ROOT, "rusage.txt")
    cmd = pinned(bench.CLIENT_CPU) + [os.path.join(TOOLS, "rusage"), stats] + cmds(urls, DEST)[name]
    try:
        subprocess.run(cmd, capture_output=True, timeout=600)
        with open(stats) as f:
            r = {k: float(v) for k, v in (kv.split("=") for kv in f.read().split())}
    except (subprocess.TimeoutExpired, OSError, ValueError):
        return None
    ok = r["status"] == 0 and complete(DEST)
    shutil.rmtree(DEST, ignore_errors=True)
    r["cpu_s"] = r["user_s"] + r["sys_s"]
    return r if ok else None


def memory():
    """The page cache and free memory now: what a new page costs the kernel
    (and so both clients) depends on them (RESULTS.md, "Many files")."""
    m = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            m[k] = int(v.split()[0]) // 1024
    return f"MemFree {m['MemFree']:,} MiB, page cache {m['Cached']:,} MiB of {m['MemTotal']:,} MiB"


def report(results, mem, fs):
    total = SMALL[0] * SMALL[1] + BIG[0] * BIG[1]
    L = [BEGIN, "## Many files: fetch -j vs curl --parallel and wget -i, from nginx\n",
         f"{bench.sh('nginx -v 2>&1')} (one worker, CPU 0, sendfile, plain HTTP on loopback) serves "
         f"{SMALL[0]} files of {SMALL[1] // 1024} KiB and {BIG[0]} of {BIG[1] // (1024 * 1024)} MiB "
         f"({total / (1 << 20):.0f} MiB in all), listed in one file. "
         f"fetch: `{bench.sh(REPO + '/bin/fetch --version | head -1')}`; "
         f"{bench.sh('curl --version | head -1')}; {bench.sh('wget --version | head -1')}. "
         f"Commands: {'; '.join('`' + ' '.join(c[:9]).replace(REPO + '/bin/', '') + (' URL...' if 'curl' in k else '') + '`' for k, c in cmds([]).items())}. "
         f"Medians of {RUNS} interleaved runs, the client (and its workers) pinned to "
         f"CPU {bench.CLIENT_CPU}; CPU is user+sys of the client and every process it waited for; "
         "a run counts only when it exits 0 with every file of the right size. "
         f"Files written to {fs}. Memory at the start: {mem}.\n",
         "| client | CPU s | user s | sys s | wall s | max RSS KiB | ok runs |",
         "|---|---|---|---|---|---|---|"]
    for name in CLIENTS:
        runs = results.get(name, [])
        ok = [r for r in runs if r]
        if not ok:
            L.append(f"| {name} | failed | | | | | 0/{len(runs)} |")
            continue
        m = {k: med([r[k] for r in ok]) for k in ("cpu_s", "user_s", "sys_s", "wall_s", "maxrss_kb")}
        results[(name, "med")] = m
        L.append(f"| {name} | {m['cpu_s']:.3f} | {m['user_s']:.3f} | {m['sys_s']:.3f} | "
                 f"{m['wall_s']:.3f} | {m['maxrss_kb']:.0f} | {len(ok)}/{len(runs)} |")
    L += ["", "Targets of issue 14:\n", "| target | measured | verdict |", "|---|---|---|"]
    for what, a, b, k, factor in (
            ("fetch -j 4 wall time ≤ curl --parallel-max 4's", "fetch -j 4", "curl --parallel", "wall_s", 1.0),
            ("fetch -j 4 CPU ≤ 0.5 × curl --parallel-max 4's", "fetch -j 4", "curl --parallel", "cpu_s", 0.5),
            ("fetch -j 1 wall time ≤ wget -i's", "fetch -j 1", "wget -i", "wall_s", 1.0)):
        f, c = (results.get((n, "med"), {}).get(k) for n in (a, b))
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
    say(f"wrote the many-files section of {out}")


def main():
    make_docs()
    srv = nginx_plain()
    srv.start()
    urls = [f"http://{HOST}:{srv.port}/{name}" for name in files()]
    with open(LIST, "w") as f:
        f.write("\n".join(urls) + "\n")
    fs = mount_download_fs()
    results, mem = {}, memory()
    try:
        for _ in range(RUNS):
            for name in CLIENTS:
                results.setdefault(name, []).append(run_one(name, urls))
        for name in CLIENTS:
            ok = [r for r in results[name] if r]
            say(f"many files, {name}: {len(ok)}/{RUNS} ok" + (
                f", cpu {med([r['cpu_s'] for r in ok]):.3f} s, wall {med([r['wall_s'] for r in ok]):.3f} s"
                if ok else ""))
        report(results, mem, fs)
    finally:
        srv.stop()
        unmount_download_fs()


if __name__ == "__main__":
    sys.exit(main())
