#!/bin/sh
# -T bounds name resolution (issue 10, fetch item 10): against a DNS server
# that swallows every query, fetch gives up after -T, not after the resolver's
# own retries. Private network and mount namespaces (root): a loopback of our
# own, a UDP socket on 127.0.0.1:53 that never answers, and a resolv.conf
# naming it (timeout 30 s, one attempt) bound over /etc/resolv.conf.
. "$(dirname "$0")/../lib.sh"

F="$BIN/fetch"
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
	skip "resolution bounded by -T" "needs root, unshare and ip"
	finish
fi

printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' >"$TEST_TMP/resolv.conf"
cat >"$TEST_TMP/inside.sh" <<EOF
ip link set lo up || exit 99
mount --bind '$TEST_TMP/resolv.conf' /etc/resolv.conf || exit 99
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open(sys.argv[1], "w").close()
while True:
    s.recvfrom(4096)
' '$TEST_TMP/ready' &
dns=\$!
n=0
while [ ! -e '$TEST_TMP/ready' ] && [ \$n -lt 50 ]; do sleep 0.1; n=\$((n + 1)); done
start=\$(date +%s)
timeout 20 '$F' -q -T 1 -o '$TEST_TMP/out' http://never-answers.example.test/ 2>'$TEST_TMP/err'
echo \$? >'$TEST_TMP/rc'
echo \$((\$(date +%s) - start)) >'$TEST_TMP/elapsed'
# Retries while the first lookups still run in their threads (they keep
# reading what they were given: nothing of it may be freed under them).
FETCH_RETRY_CAP_MS=50 timeout 20 '$F' -t 3 -T 1 -o '$TEST_TMP/out' http://never-answers.example.test/ 2>'$TEST_TMP/err3'
echo \$? >'$TEST_TMP/rc3'
kill \$dns
EOF
unshare -n -m sh "$TEST_TMP/inside.sh" 2>"$TEST_TMP/unshare.err"
if [ ! -s "$TEST_TMP/rc" ]; then
	skip "resolution bounded by -T" "no private namespaces here: $(head -c 200 "$TEST_TMP/unshare.err")"
	finish
fi
check_eq "silent resolver: status 4" 4 "$(cat "$TEST_TMP/rc")"
check_contains "silent resolver: the reason" "$TEST_TMP/err" "timed out resolving host: never-answers.example.test"
# Unbounded, the lookup takes the resolver's 30 s (timeout(1) ends it at 20).
elapsed=$(cat "$TEST_TMP/elapsed")
if [ "$elapsed" -lt 15 ]; then ok "silent resolver: -T 1 ends it"; else
	fail "silent resolver: -T 1 ends it" "${elapsed}s"; fi
check "silent resolver: no file" test ! -e "$TEST_TMP/out"
check_eq "silent resolver, -t 3: status 4" 4 "$(cat "$TEST_TMP/rc3")"
check_eq "silent resolver, -t 3: two retries said" 2 "$(grep -c 'timed out resolving host.*; try' "$TEST_TMP/err3")"
check_lacks "silent resolver, -t 3: no sanitizer report" "$TEST_TMP/err3" "Sanitizer"

finish
