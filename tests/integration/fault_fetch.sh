#!/bin/sh
# fault_fetch.sh: fetch under faults. Into a full disk (a 256 KiB tmpfs, when
# mounting is permitted): exit 3, a message naming the file, the previous file
# intact, no temporary file. Against a server that stalls forever, resets
# (before answering, mid-body) or sends an endless body (close-delimited or
# chunked) with --max-time 2: exit 4 (or 7 for a cut-short body, as
# documented) well within the bound, previous file intact, no temporary file.
. "$(dirname "$0")/../lib.sh"

W=$(mkroot work)
cat >"$TEST_TMP/faultd.py" <<'PY'
import socket, struct, sys, threading, time
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(64)
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
STOP = time.monotonic() + 120  # never outlives the test

def rst(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()

def serve(c):
    try:
        req = b""
        while b"\r\n\r\n" not in req:
            b = c.recv(4096)
            if not b:
                return
            req += b
        path = req.split(b" ")[1].decode()
        if path == "/stall":
            while time.monotonic() < STOP:
                time.sleep(1)
        elif path == "/reset-now":
            rst(c)
        elif path == "/reset-mid":
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + b"m" * 100000)
            time.sleep(0.2)
            rst(c)
        elif path == "/endless":
            c.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            blk = b"e" * 65536
            while time.monotonic() < STOP:
                c.sendall(blk)
        elif path == "/endless-chunked":
            c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            blk = b"10000\r\n" + b"c" * 65536 + b"\r\n"
            while time.monotonic() < STOP:
                c.sendall(blk)
        elif path == "/trickle-head":
            for b in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"s" * 10000:
                c.sendall(bytes([b]))
                time.sleep(0.1)
    except OSError:
        pass
    finally:
        try:
            c.close()
        except OSError:
            pass

ls.settimeout(1)
while time.monotonic() < STOP:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
python3 "$TEST_TMP/faultd.py" "$TEST_TMP/faultd.port" >/dev/null 2>&1 &
track_pid $!
n=0
while [ ! -s "$TEST_TMP/faultd.port" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
FPORT=$(cat "$TEST_TMP/faultd.port")

printf 'the previous, good file\n' >"$W/prev.txt"
prev=$(sha256sum "$W/prev.txt" | cut -d' ' -f1)

# fault NAME PATH EXPECTED-STATUSES BOUND-SECONDS [FETCH-ARGS...]
fault() {
	name=$1 path=$2 want=$3 bound=$4
	shift 4
	cp "$W/prev.txt" "$W/out.txt"
	t0=$(date +%s.%N)
	(cd "$W" && timeout 30 "$BIN/fetch" -q "$@" -o out.txt "http://127.0.0.1:$FPORT$path" \
		>"$TEST_TMP/f.out" 2>"$TEST_TMP/f.err")
	rc=$?
	t1=$(date +%s.%N)
	case " $want " in
	*" $rc "*) ok "$name: exit $rc" ;;
	*) fail "$name: exit status in ($want)" "got $rc: $(head -c 200 "$TEST_TMP/f.err")" ;;
	esac
	if python3 -c "import sys; sys.exit(0 if $t1 - $t0 < $bound else 1)"; then
		ok "$name: gave up within ${bound} s"
	else
		fail "$name: gave up within ${bound} s" "took $(python3 -c "print(round($t1 - $t0, 1))") s"
	fi
	check_eq "$name: previous file intact" "$prev" "$(sha256sum "$W/out.txt" | cut -d' ' -f1)"
	extra=$(ls -A "$W" | grep -v -x -e prev.txt -e out.txt | tr '\n' ' ')
	check_eq "$name: no temporary file left" "" "$extra"
	if [ -s "$TEST_TMP/f.err" ] && [ "$(wc -l <"$TEST_TMP/f.err")" -le 3 ]; then
		ok "$name: a short error message ($(head -n 1 "$TEST_TMP/f.err" | cut -c1-100))"
	else
		fail "$name: a short error message" "stderr: $(head -c 300 "$TEST_TMP/f.err")"
	fi
}

fault "stalls forever, --max-time 2" /stall 4 5 --max-time 2
fault "stalls forever, -T 1" /stall 4 4 -T 1
fault "resets before answering" /reset-now "4 7" 5 --max-time 2
fault "resets mid-body" /reset-mid "4 7" 5 --max-time 2
fault "endless close-delimited body, --max-time 2" /endless 4 5 --max-time 2
fault "endless chunked body, --max-time 2" /endless-chunked 4 5 --max-time 2
fault "head trickled forever, --max-time 2" /trickle-head 4 5 --max-time 2

# A full disk: a small tmpfs, root only; skipped (clearly) where mount is refused.
M=$TEST_TMP/full
mkdir -p "$M"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256k tmpfs "$M" 2>/dev/null; then
	trap 'umount "$M" 2>/dev/null; lib_cleanup' EXIT
	R=$(mkroot site)
	head -c 1048576 /dev/urandom >"$R/big.bin"
	start_httpd "$R" -w 1 -l off || { fail "httpd starts"; finish; }
	printf 'the previous, good file\n' >"$M/big.bin"
	(cd "$M" && timeout 30 "$BIN/fetch" -q -o big.bin "http://127.0.0.1:$PORT/big.bin" \
		>"$TEST_TMP/d.out" 2>"$TEST_TMP/d.err")
	rc=$?
	check_eq "full disk: exit 3 (local file error)" 3 "$rc"
	check_contains "full disk: the message names the file" "$TEST_TMP/d.err" "big.bin"
	if grep -qi -e 'space' -e 'full' "$TEST_TMP/d.err"; then ok "full disk: the message says why"; else
		fail "full disk: the message says why" "$(head -c 200 "$TEST_TMP/d.err")"; fi
	check_eq "full disk: previous file intact" "$prev" "$(sha256sum "$M/big.bin" | cut -d' ' -f1)"
	check_eq "full disk: no temporary file left" "big.bin" "$(ls -A "$M" | tr '\n' ' ' | sed 's/ $//')"
	used=$(df -k "$M" | awk 'NR == 2 { print $3 }')
	if [ "$used" -le 8 ]; then ok "full disk: the space is released (${used} KiB used)"; else
		fail "full disk: the space is released" "${used} KiB used"; fi
	# stdout to /dev/full: also a clear local error, not a crash.
	(cd "$W" && timeout 30 "$BIN/fetch" -q -o - "http://127.0.0.1:$PORT/big.bin" >/dev/full 2>"$TEST_TMP/e.err")
	check_eq "-o - into /dev/full: exit 3" 3 "$?"
	umount "$M" 2>/dev/null
else
	skip "full disk" "mounting a tmpfs is not permitted here (needs root and CAP_SYS_ADMIN)"
fi
finish
