#!/usr/bin/env python3
"""profile.py: what one request costs httpd, in figures that stay put on a
noisy shared machine (run by bench/profile.sh after `make bench` made the
docroot and the helpers).

1. Syscalls per request, by name, from the kernel's syscall tracepoints
   (perf stat -e syscalls:sys_enter_*), for httpd and the floor, in
   scenarios (a), (c), (d) and (f), with the server's task-clock per request.
2. Instructions per request, by function (valgrind --tool=callgrind, self
   and inclusive), for keep-alive GETs of the small cached file.

Writes the tables to stdout (bench/profile.sh keeps a copy in
$BENCH_WORK/profile.txt).
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

SYSCALLS = ["read", "recvfrom", "recvmsg", "write", "writev", "sendto", "sendmsg", "sendfile64",
            "splice", "epoll_wait", "epoll_pwait", "epoll_ctl", "accept4", "close", "shutdown",
            "newfstatat", "openat", "openat2", "fcntl", "setsockopt", "getsockopt", "pread64",
            "mmap", "munmap", "brk", "clock_gettime", "ioctl"]
SCEN = {s[0]: s for s in bench.SCENARIOS}


def tracepoints():
    have = set(os.listdir("/sys/kernel/tracing/events/syscalls")) \
        if os.path.isdir("/sys/kernel/tracing/events/syscalls") else set()
    return [f"syscalls:sys_enter_{s}" for s in SYSCALLS if f"sys_enter_{s}" in have]


def syscalls_per_request(srv, sid, seconds=3):
    events = ",".join(tracepoints() + ["task-clock"])
    out = os.path.join(bench.WORK, "perfstat.txt")
    pids = ",".join(str(p) for p in srv.pids())
    perf = subprocess.Popen(["perf", "stat", "-x,", "-e", events, "-p", pids, "-o", out, "--",
                             "sleep", str(seconds + 1)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    r = bench.wrk_run(srv, SCEN[sid], duration=seconds)
    perf.wait(timeout=seconds + 20)
    counts = {}
    with open(out) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) < 3 or not parts[0].replace(".", "").isdigit():
                continue
            counts[parts[2].replace("syscalls:sys_enter_", "")] = float(parts[0])
    n = r.get("requests", 0)
    return n, {k: v / n for k, v in counts.items() if v and n}


def callgrind(seconds=5, conns=16):
    out = os.path.join(bench.WORK, "callgrind.out")
    if os.path.exists(out):
        os.unlink(out)
    port = bench.free_port()
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
            os.path.join(bench.REPO, "bin", "httpd"), "-p", str(port), "-b", bench.HOST, "-w", "1",
            "-l", "off", "--timeout", "60", bench.DOCROOT]
    srv = bench.Server("httpd-callgrind", argv, port, " ".join(argv))
    srv.start()
    time.sleep(1)
    scen = ("cg", "", "/index.html", conns, "report.lua", [], "rps", "wrk")
    r = bench.wrk_run(srv, scen, duration=seconds)
    srv.stop()
    for _ in range(50):
        if os.path.exists(out) and os.path.getsize(out) > 0:
            break
        time.sleep(0.2)
    n = r.get("requests", 0)
    ann = subprocess.run(["callgrind_annotate", out], capture_output=True, text=True).stdout
    inc = subprocess.run(["callgrind_annotate", "--inclusive=yes", out], capture_output=True,
                         text=True).stdout
    return n, ann, inc


def table_of(text, n, limit):
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+) \([ \d.]+%\)\s+(\S+)", line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        name = m.group(2)
        if "PROGRAM TOTALS" in line:
            continue
        name = re.sub(r"^.*/", "", name)
        rows.append((ir / n, name))
    seen, out = set(), []
    for ir, name in rows:
        if name in seen:
            continue
        seen.add(name)
        out.append((ir, name))
    return out[:limit]


def main():
    bench.SMALL_SIZE = os.path.getsize(os.path.join(bench.DOCROOT, "index.html"))
    started = []
    try:
        httpd = bench.httpd_server()
        floor = bench.floor_server()
        floor_close = bench.floor_server(close=True)
        for s in (httpd, floor, floor_close):
            s.start()
            started.append(s)
        print("## Syscalls per request (perf stat on syscall tracepoints)\n")
        print("| scenario | server | requests | task-clock µs/req | syscalls per request |")
        print("|---|---|---|---|---|")
        for sid in ("a", "c", "d", "f"):
            for name, srv in (("httpd", httpd), ("floor", floor_close if sid == "c" else floor)):
                if name == "floor" and sid == "d":
                    continue
                n, per = syscalls_per_request(srv, sid)
                clock = per.pop("task-clock", 0) * 1000  # msec -> µs
                calls = ", ".join(f"{k} {v:.2f}" for k, v in sorted(per.items(), key=lambda kv: -kv[1])
                                  if v >= 0.005)
                print(f"| ({sid}) | {name} | {n} | {clock:.2f} | {calls} |")
        print()
        n, ann, inc = callgrind()
        total = re.search(r"([\d,]+) \([ \d.]+%\)\s+PROGRAM TOTALS", ann)
        total_ir = int(total.group(1).replace(",", "")) if total else 0
        print(f"## Instructions per request (callgrind, {n} keep-alive GETs of index.html, "
              f"16 conns; start-up included)\n")
        print(f"Total: {total_ir / n:.0f} instructions per request.\n" if n else "no requests\n")
        if n:
            print("| self Ir/req | function |")
            print("|---|---|")
            for ir, name in table_of(ann, n, 20):
                print(f"| {ir:.0f} | {name} |")
            print("\n| inclusive Ir/req | function |")
            print("|---|---|")
            for ir, name in table_of(inc, n, 40):
                print(f"| {ir:.0f} | {name} |")
    finally:
        for s in started:
            s.stop()


if __name__ == "__main__":
    sys.exit(main())
