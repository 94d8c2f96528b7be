#!/bin/sh
# profile.sh: per-request costs of httpd (syscalls per request, task-clock,
# callgrind instructions per request by function), repeatable on a noisy
# machine. Run after `make bench` (it reuses that docroot and the helpers):
#   sh bench/profile.sh      -> stdout, and a copy in $BENCH_WORK/profile.txt
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_WORK:-${TMPDIR:-/tmp}/httpd-bench}
export BENCH_WORK="$work"
for t in perf valgrind callgrind_annotate wrk; do
	command -v $t >/dev/null 2>&1 || { echo "profile: $t missing" >&2; exit 1; }
done
[ -x "$work/bin/floor" ] && [ -f "$work/www/index.html" ] || {
	echo "profile: run make bench first (docroot and helpers in $work)" >&2; exit 1; }
python3 "$here/profile.py" | tee "$work/profile.txt"
