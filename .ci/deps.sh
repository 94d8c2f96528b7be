#!/bin/sh
# Installs what building and testing need, when it is missing (called by `make deps`).
# Each line: a Debian package, then a shell test that is true when it is present.
set -u
need() { # package test...
	pkg=$1; shift
	if ! sh -c "$*" >/dev/null 2>&1; then missing="$missing $pkg"; fi
}
missing=""
need build-essential 'command -v cc && command -v make'
need pkg-config      'command -v pkg-config'
need check           'pkg-config --exists check'
need node-llhttp     'pkg-config --exists libllhttp || test -f /usr/share/llhttp/llhttp.c'
need libssl-dev      'pkg-config --exists openssl'
need openssl         'command -v openssl'   # test certificates (tests/tls-certs.sh)
need nginx-light     'command -v nginx || test -x /usr/sbin/nginx'   # tests/integration/fetch_tls.sh
need tinyproxy       'command -v tinyproxy'   # tests/integration/fetch_proxy.sh
need curl            'command -v curl'
need python3         'command -v python3'
need libssl-dev      'pkg-config --exists libcrypto'   # fetch --checksum (EVP)
need zlib1g-dev      'pkg-config --exists zlib'        # fetch --compressed
need wrk             'command -v wrk'   # the load checks in tests/integration/httpd_load.sh
need mandoc          'command -v mandoc'  # man page lint (tests/integration/docs_man.sh)
need haproxy         'command -v haproxy'  # tests/integration/httpd_haproxy.sh
need libfaketime     'ls /usr/lib/*/faketime/libfaketime.so.1'  # httpd_tls_tickets.sh (ticket key rotation)
need systemd         'command -v systemd-socket-activate && command -v systemd-analyze'  # httpd_systemd.sh
need iproute2        'command -v ip'  # private namespaces' loopback: fetch_resolve.sh, fetch_happy_eyeballs.sh
need procps          'command -v pgrep'  # tests/integration/fetch_parallel.sh, fault_signals.sh
# Optional: chromium for tests/integration/browser.sh. Never fails this step;
# without it the browser test reports itself SKIPPED. NO_BROWSER=1 opts out.
if [ -z "${NO_BROWSER:-}" ] && ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
	s=""; [ "$(id -u)" = 0 ] || s="sudo -n"
	echo "deps: installing chromium (optional, for the browser test)"
	{ DEBIAN_FRONTEND=noninteractive $s apt-get install -y -q chromium >/dev/null 2>&1 ||
		{ $s apt-get update -q >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive $s apt-get install -y -q chromium >/dev/null 2>&1; }; } ||
		echo "deps: chromium could not be installed; the browser test will be skipped" >&2
fi
[ -z "$missing" ] && exit 0

echo "deps: missing:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: no apt-get here; install these packages (or your system's equivalents):$missing" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then sudo=sudo; else
		echo "deps: not root and no sudo; as root run: apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
fi
# A fresh machine has no package lists yet.
$sudo apt-get update -q || exit 1
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing || {
	echo "deps: apt-get could not install:$missing" >&2; exit 1; }
