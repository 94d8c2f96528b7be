#!/bin/sh
# Happy Eyeballs (RFC 8305, issue 14 "Connecting"): a name with both an IPv6
# and an IPv4 address. Private network and mount namespaces (root): a loopback
# of our own and an /etc/hosts naming both.test as ::1 and 127.0.0.1, bound
# over the real one. Peers are real sockets: an HTTP answerer that says which
# family it serves and logs each request, and a "silent" listener whose accept
# queue is full, so the kernel drops every new SYN (no answer, no refusal:
# what a broken IPv6 path looks like).
. "$(dirname "$0")/../lib.sh"

F="$BIN/fetch"
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
	skip "happy eyeballs" "needs root, unshare and ip"
	finish
fi

printf '127.0.0.1 both.test\n::1 both.test\n' >"$TEST_TMP/hosts"
# three.test's last address has no route here (only lo is up): its attempt
# fails at once with "network unreachable", which must not hide the refusals.
printf '::1 three.test\n127.0.0.1 three.test\n2001:db8::1 three.test\n' >>"$TEST_TMP/hosts"
cat >"$TEST_TMP/peer.py" <<'EOF'
import socket, sys, time
mode, addr, port, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
l = socket.socket(fam, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((addr, port))
if mode == "silent":
    l.listen(0)
    fillers = []
    while len(fillers) < 16:
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.settimeout(0.3)
        fillers.append(c)
        try:
            c.connect((addr, port))
        except OSError:
            break  # this SYN was dropped: the queue is full
    open(tag, "w").close()
    while True:
        time.sleep(60)
l.listen(16)
open(tag + ".ready", "w").close()
while True:
    c, _ = l.accept()
    c.settimeout(5)
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d:
            break
        head += d
    with open(tag + ".log", "a") as f:
        f.write(head.split(b"\r\n")[0].decode() + "\n")
    body = tag.rsplit("/", 1)[-1].encode()
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
    c.close()
EOF

P1=$(free_port)
P2=$(free_port)
P3=$(free_port)
P4=$(free_port)
P5=$(free_port)
T=$TEST_TMP
cat >"$T/inside.sh" <<EOF
ip link set lo up || exit 99
mount --bind '$T/hosts' /etc/hosts || exit 99
pids=
peer() { python3 '$T/peer.py' "\$@" & pids="\$pids \$!"; }
ready() { n=0; while [ ! -e "\$1" ] && [ \$n -lt 100 ]; do sleep 0.1; n=\$((n + 1)); done; }
# run NAME FETCH-ARGS...: status, milliseconds taken, output and stderr.
run() {
	name=\$1; shift
	t0=\$(date +%s%N)
	timeout 60 '$F' -q -o '$T/'\$name.out "\$@" 2>'$T/'\$name.err
	echo \$? >'$T/'\$name.rc
	echo \$(( (\$(date +%s%N) - t0) / 1000000 )) >'$T/'\$name.ms
}
# 1. IPv4 only: ::1 refuses at once, 127.0.0.1 serves.
peer serve 127.0.0.1 $P1 '$T/a4'
# 2. both serve.
peer serve ::1 $P2 '$T/b6'
peer serve 127.0.0.1 $P2 '$T/b4'
# 3. ::1 silent, 127.0.0.1 serves.
peer silent ::1 $P3 '$T/c6.silent'
peer serve 127.0.0.1 $P3 '$T/c4'
# 4. both silent.
peer silent ::1 $P4 '$T/d6.silent'
peer silent 127.0.0.1 $P4 '$T/d4.silent'
for f in a4.ready b6.ready b4.ready c6.silent c4.ready d6.silent d4.silent; do ready '$T/'\$f; done
run a -T 20 http://both.test:$P1/
run a6 -6 -T 20 http://both.test:$P1/
run b -T 20 http://both.test:$P2/
cat '$T/b4.log' >'$T/b4.before' 2>/dev/null
run b4 -4 -T 20 http://both.test:$P2/
run c -T 20 http://both.test:$P3/
run d -T 4 http://both.test:$P4/
run e -T 20 http://three.test:$P5/
kill \$pids
EOF
unshare -n -m sh "$T/inside.sh" 2>"$T/unshare.err"
if [ ! -s "$T/d.rc" ]; then
	skip "happy eyeballs" "no private namespaces here: $(head -c 200 "$T/unshare.err")"
	finish
fi

check_eq "v6 refused, v4 listens: success" 0 "$(cat "$T/a.rc")"
check_eq "v6 refused, v4 listens: IPv4 served" a4 "$(cat "$T/a.out")"
check_eq "v6 refused, -6: status 4" 4 "$(cat "$T/a6.rc")"
check_contains "v6 refused, -6: the reason" "$T/a6.err" "port $P1: connection refused"
check_eq "both listen: success" 0 "$(cat "$T/b.rc")"
check_eq "both listen: IPv6 served" b6 "$(cat "$T/b.out")"
check_eq "both listen: IPv4 got no request" "" "$(cat "$T/b4.before")"
check_eq "both listen, -4: IPv4 served" b4 "$(cat "$T/b4.out")"
check_eq "both listen, -4: one request on IPv4" 1 "$(wc -l <"$T/b4.log")"
check_eq "v6 silent: success" 0 "$(cat "$T/c.rc")"
check_eq "v6 silent: IPv4 served" c4 "$(cat "$T/c.out")"
ms=$(cat "$T/c.ms")
# At least the attempt delay (IPv6 really went first and was waited for); far
# from the 20 s -T, which an attempt-after-attempt client would use up.
if [ "$ms" -ge 250 ] && [ "$ms" -lt 15000 ]; then ok "v6 silent: IPv4 after the delay, -T not used up"
else fail "v6 silent: IPv4 after the delay, -T not used up" "${ms} ms"; fi
check_eq "both silent: status 4" 4 "$(cat "$T/d.rc")"
check_contains "both silent: the reason" "$T/d.err" "port $P4: connection timed out"
ms=$(cat "$T/d.ms")
# -T 4 is for both addresses together: a -T per address would take 8 s.
if [ "$ms" -ge 3900 ] && [ "$ms" -lt 8000 ]; then ok "both silent: one -T for all attempts"
else fail "both silent: one -T for all attempts" "${ms} ms"; fi
check_eq "all refuse, one unroutable: status 4" 4 "$(cat "$T/e.rc")"
check_contains "all refuse, one unroutable: the peers' reason" "$T/e.err" "port $P5: connection refused"
for n in a a6 b b4 c d e; do
	check_lacks "$n: no sanitizer report" "$T/$n.err" "Sanitizer"
done

finish
