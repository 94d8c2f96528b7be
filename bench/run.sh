#!/bin/sh
# run.sh: `make bench`. Installs the tools the benchmark needs from Debian
# when they are missing, builds its helper programs (outside the repository,
# like the generated docroot), then runs bench.py, which writes
# bench/RESULTS.md. Expects bin/httpd and bin/fetch built (make does that).
# Knobs: see bench.py (BENCH_WORK, BENCH_DURATION, BENCH_ROUNDS, ...).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_WORK:-${TMPDIR:-/tmp}/httpd-bench}
export BENCH_WORK="$work"

need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need="$need nginx-light"
command -v h2o >/dev/null 2>&1 || need="$need h2o"
command -v lighttpd >/dev/null 2>&1 || [ -x /usr/sbin/lighttpd ] || need="$need lighttpd"
command -v taskset >/dev/null 2>&1 || need="$need util-linux"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v wget >/dev/null 2>&1 || need="$need wget"
command -v python3 >/dev/null 2>&1 || need="$need python3"
if [ -n "$need" ]; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	echo "bench: installing$need"
	# The packaged servers must not start system-wide daemons on port 80.
	if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" = 0 ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	$sudo apt-get update -qq
	# h2o and lighttpd are optional: the benchmark runs without them.
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need || \
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		$(echo "$need" | sed 's/ h2o//; s/ lighttpd//')
fi
PATH="$PATH:/usr/sbin:/sbin"
export PATH

mkdir -p "$work/bin"
cc=${CC:-cc}
for t in floor idle rusage rawget load; do
	$cc -O2 -Wall -Wextra -D_GNU_SOURCE "$here/$t.c" -o "$work/bin/$t"
done
python3 "$here/bench.py"
# HTTPS clients (issue 12): fetch vs curl vs wget from nginx over TLS.
python3 "$here/tls_clients.py"
# Many files from one origin (issue 14): fetch -j vs curl --parallel and wget -i.
exec python3 "$here/many_files.py"
