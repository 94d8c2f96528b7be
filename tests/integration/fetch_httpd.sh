#!/bin/sh
# fetch against real servers: httpd (and nginx when installed). An empty
# file, one byte, 1 MiB, every www/ page and a resumed download each give
# exactly the served file, the same bytes curl saves, and the served file's
# modification time.
. "$(dirname "$0")/../lib.sh"

F="$BIN/fetch"
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
ROOT=$(mkroot site)
W="$TEST_TMP/work"
mkdir -p "$W"

: >"$ROOT/empty"
printf 'x' >"$ROOT/one"
head -c 1048576 /dev/urandom >"$ROOT/mib"
cp -R "$TOP/www" "$ROOT/www"

# The file list, relative to ROOT, one a line (names may hold spaces).
(cd "$ROOT" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$TEST_TMP/files"

urlpath() {
	python3 -c 'import sys, urllib.parse; print("/" + urllib.parse.quote(sys.argv[1]))' "$1"
}

# compare_all LABEL BASE-URL: every file, fetch vs the file and vs curl.
compare_all() {
	label=$1 base=$2
	nbad=0 ncurl=0 ntime=0 n=0
	while IFS= read -r f; do
		n=$((n + 1))
		u="$base$(urlpath "$f")"
		rm -f "$W/got" "$W/want"
		if ! timeout 20 "$F" -q -o "$W/got" "$u" 2>>"$TEST_TMP/err.$label"; then
			nbad=$((nbad + 1))
			continue
		fi
		cmp -s "$W/got" "$ROOT/$f" || nbad=$((nbad + 1))
		curl -s --max-time 10 --noproxy '*' -o "$W/want" "$u"
		cmp -s "$W/got" "$W/want" || ncurl=$((ncurl + 1))
		[ "$(stat -c %Y "$W/got")" = "$(stat -c %Y "$ROOT/$f")" ] || ntime=$((ntime + 1))
	done <"$TEST_TMP/files"
	check_eq "$label: all $n files fetched, identical to the served file" 0 "$nbad"
	check_eq "$label: identical to what curl saves" 0 "$ncurl"
	check_eq "$label: mtime from Last-Modified" 0 "$ntime"
	if [ "$nbad" -ne 0 ]; then echo "# $(head -c 600 "$TEST_TMP/err.$label")"; fi
}

# resume LABEL BASE-URL: a partial 1 MiB file, then -r, then -r again.
resume() {
	label=$1 base=$2
	head -c 300000 "$ROOT/mib" >"$W/mib"
	timeout 20 "$F" -r -o "$W/mib" "$base/mib" >"$TEST_TMP/resume.out"
	check_eq "$label: resume exit status" 0 "$?"
	check "$label: resumed file complete" cmp "$W/mib" "$ROOT/mib"
	check_eq "$label: resumed with 206" 206 "$(grep '^HTTP/' "$TEST_TMP/resume.out" | cut -d' ' -f2)"
	timeout 20 "$F" -r -o "$W/mib" "$base/mib" >"$TEST_TMP/resume.out"
	check_eq "$label: resume of a complete file" 0 "$?"
	check_eq "$label: complete file answered 416" 416 "$(grep '^HTTP/' "$TEST_TMP/resume.out" | cut -d' ' -f2)"
	check "$label: still complete" cmp "$W/mib" "$ROOT/mib"
	check "$label: no partial file left" test ! -e "$W/mib.part"
}

# misc LABEL BASE-URL: 404, HEAD, a directory redirect.
misc() {
	label=$1 base=$2
	printf 'old\n' >"$W/old"
	timeout 20 "$F" -q -o "$W/old" "$base/no-such-file" 2>/dev/null
	check_eq "$label: 404 is status 8" 8 "$?"
	check_eq "$label: 404 keeps the old file" "old" "$(cat "$W/old")"
	timeout 20 "$F" -I -o "$W/head" "$base/mib" >"$TEST_TMP/head"
	check_eq "$label: -I exit status" 0 "$?"
	check_contains "$label: -I shows the length" "$TEST_TMP/head" "1048576"
	check "$label: -I writes no file" test ! -e "$W/head"
	rm -f "$W/dir"
	timeout 20 "$F" -q -o "$W/dir" "$base/www/docs"
	check_eq "$label: directory redirect followed" 0 "$?"
	check "$label: directory index fetched" cmp "$W/dir" "$ROOT/www/docs/index.html"
	(cd "$W" && rm -f index.html && timeout 20 "$F" -q "$base/www/")
	check "$label: no -o: index.html" cmp "$W/index.html" "$ROOT/www/index.html"
	(cd "$W" && rm -f one && timeout 20 "$F" -q "$base/one")
	check "$label: no -o: named after the URL" cmp "$W/one" "$ROOT/one"
}

if start_httpd "$ROOT" -l off; then
	compare_all httpd "http://127.0.0.1:$PORT"
	resume httpd "http://127.0.0.1:$PORT"
	misc httpd "http://127.0.0.1:$PORT"
	stop_httpd
else
	fail "httpd started" "$(head -c 300 "$HTTPD_LOG" 2>/dev/null)"
fi

# nginx, when installed: one process, no privilege change, loopback only.
if command -v nginx >/dev/null 2>&1; then
	NPORT=$(free_port)
	ND="$TEST_TMP/nginx"
	mkdir -p "$ND/tmp"
	cat >"$ND/nginx.conf" <<CONF
daemon off;
master_process off;
pid $ND/nginx.pid;
error_log $ND/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $ND/tmp;
	proxy_temp_path $ND/tmp;
	fastcgi_temp_path $ND/tmp;
	uwsgi_temp_path $ND/tmp;
	scgi_temp_path $ND/tmp;
	include /etc/nginx/mime.types;
	server { listen 127.0.0.1:$NPORT; root $ROOT; }
}
CONF
	nginx -p "$ND" -c "$ND/nginx.conf" -e "$ND/error.log" >/dev/null 2>&1 </dev/null &
	NPID=$!
	track_pid "$NPID"
	n=0
	while ! lib_port_open 127.0.0.1 "$NPORT" && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if lib_port_open 127.0.0.1 "$NPORT"; then
		compare_all nginx "http://127.0.0.1:$NPORT"
		resume nginx "http://127.0.0.1:$NPORT"
		misc nginx "http://127.0.0.1:$NPORT"
	else
		skip "nginx" "did not start: $(head -c 200 "$ND/error.log" 2>/dev/null)"
	fi
	kill "$NPID" 2>/dev/null
	wait_pid "$NPID" 5
else
	skip "nginx" "not installed"
fi

finish
