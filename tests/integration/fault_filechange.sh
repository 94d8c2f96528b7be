#!/bin/sh
# fault_filechange.sh: a file truncated, replaced (rename over it) or deleted
# while httpd is sending it. Truncated: the connection ends promptly (the
# client sees a short body, curl exit 18), no hang, no busy loop. Replaced or
# deleted: the response in flight completes with the old bytes (httpd holds
# the open file), later requests see the new state. The server survives all.
. "$(dirname "$0")/../lib.sh"

R=$(mkroot site)
mkbig() { # FILE SEED: 32 MiB whose bytes depend on SEED
	python3 -c '
import sys
seed = int(sys.argv[2])
blk = bytes((i * 7 + seed) & 255 for i in range(1 << 20))
with open(sys.argv[1], "wb") as f:
    for i in range(32):
        f.write(bytes([i ^ seed]) + blk[1:])' "$1" "$2"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
url() { echo "http://127.0.0.1:$PORT/$1"; }
start_httpd "$R" -w 1 -l off || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# slow_get NAME OUT: a download at 8 MiB/s (4 s for 32 MiB), in the background.
slow_get() {
	curl -s --noproxy '*' --max-time 30 --limit-rate 8M -o "$2" -w '%{size_download}' "$(url "$1")" \
		>"$2.size" 2>/dev/null &
	GET_PID=$!
	track_pid "$GET_PID"
}

# --- truncated to 1 MiB while being sent
mkbig "$R/t.bin" 1
slow_get t.bin "$TEST_TMP/t.out"
sleep 1
c0=$(cpu_ticks "$HTTPD_PID")
truncate -s 1M "$R/t.bin"
t0=$(date +%s)
wait_pid "$GET_PID" 20
t1=$(date +%s)
c1=$(cpu_ticks "$HTTPD_PID")
check_eq "truncated: the client sees a short transfer (curl 18)" 18 "$WAIT_STATUS"
if [ $((t1 - t0)) -le 8 ]; then ok "truncated: connection ended within 8 s ($((t1 - t0)) s)"; else
	fail "truncated: connection ended within 8 s" "$((t1 - t0)) s"; fi
got=$(cat "$TEST_TMP/t.out.size")
if [ "${got%.*}" -lt 33554432 ]; then ok "truncated: fewer bytes than promised ($got)"; else
	fail "truncated: fewer bytes than promised" "$got"; fi
if [ $((c1 - c0)) -lt $(( $(getconf CLK_TCK) * 2 )) ]; then ok "truncated: no busy loop ($((c1 - c0)) ticks)"; else
	fail "truncated: no busy loop" "$((c1 - c0)) ticks"; fi
n=0
while [ $n -lt 30 ]; do
	len=$(hcurl -o "$TEST_TMP/t2" -w '%{size_download}' "$(url t.bin)")
	[ "$len" = 1048576 ] && break
	sleep 0.1
	n=$((n + 1))
done
check_eq "truncated: a new request gets the 1 MiB file" 1048576 "$len"
check_eq "truncated: whose bytes are the file's" "$(sha "$R/t.bin")" "$(sha "$TEST_TMP/t2")"

# --- replaced (a new file renamed over it) while being sent
mkbig "$R/r.bin" 2
old=$(sha "$R/r.bin")
mkbig "$TEST_TMP/r.new" 3
new=$(sha "$TEST_TMP/r.new")
slow_get r.bin "$TEST_TMP/r.out"
sleep 1
mv "$TEST_TMP/r.new" "$R/r.bin"
wait_pid "$GET_PID" 25
check_eq "replaced: the download in flight completes" 0 "$WAIT_STATUS"
check_eq "replaced: with the old bytes, none of the new" "$old" "$(sha "$TEST_TMP/r.out")"
n=0
while [ $n -lt 30 ]; do
	hcurl -o "$TEST_TMP/r2" "$(url r.bin)"
	[ "$(sha "$TEST_TMP/r2")" = "$new" ] && break
	sleep 0.1
	n=$((n + 1))
done
check_eq "replaced: a new request gets the new file" "$new" "$(sha "$TEST_TMP/r2")"

# --- deleted while being sent
mkbig "$R/d.bin" 4
old=$(sha "$R/d.bin")
slow_get d.bin "$TEST_TMP/d.out"
sleep 1
rm -f "$R/d.bin"
wait_pid "$GET_PID" 25
check_eq "deleted: the download in flight completes" 0 "$WAIT_STATUS"
check_eq "deleted: with the file's bytes" "$old" "$(sha "$TEST_TMP/d.out")"
n=0
while [ $n -lt 30 ]; do
	code=$(hcurl -o /dev/null -w '%{http_code}' "$(url d.bin)")
	[ "$code" = 404 ] && break
	sleep 0.1
	n=$((n + 1))
done
check_eq "deleted: a new request gets 404" 404 "$code"

# --- a file grown while being sent: the response stays what its head promised
mkbig "$R/g.bin" 5
old=$(sha "$R/g.bin")
slow_get g.bin "$TEST_TMP/g.out"
sleep 1
head -c 1048576 /dev/zero >>"$R/g.bin"
wait_pid "$GET_PID" 25
check_eq "grown: the download in flight completes" 0 "$WAIT_STATUS"
check_eq "grown: exactly the promised length" 33554432 "$(wc -c <"$TEST_TMP/g.out" | tr -d ' ')"

check "httpd alive after all of it" lib_alive "$HTTPD_PID"
check_eq "and answering" 200 "$(hcurl -o /dev/null -w '%{http_code}' "$(url t.bin)")"
stop_httpd TERM 10
check_eq "httpd exits 0 on TERM" 0 "$HTTPD_STATUS"
finish
