#!/bin/sh
# tests/valgrind.sh: runs integration scripts with every httpd under valgrind
# memcheck (fetch runs natively), then reads valgrind's per-process logs.
# Passes when every httpd process valgrind watched reported no memory error
# and no definitely lost block. The scripts' own results are shown but do not
# decide (valgrind is ~20x slower, so a timing check may miss its bound); a
# log without a final summary (process killed) is a failure.
#   BIN=bin sh tests/valgrind.sh              (default scripts below)
#   VG_SCRIPTS="httpd_http.sh fault_abort.sh" sh tests/valgrind.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "${BIN:-$here/../bin}" && pwd)
if ! command -v valgrind >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
	s=""; [ "$(id -u)" = 0 ] || s="sudo -n"
	echo "# valgrind: installing valgrind"
	DEBIAN_FRONTEND=noninteractive $s apt-get install -y -q valgrind >/dev/null 2>&1 ||
		{ $s apt-get update -q >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive $s apt-get install -y -q valgrind >/dev/null 2>&1; }
fi
command -v valgrind >/dev/null 2>&1 || { echo "FAIL - valgrind is installed (apt-get install valgrind)"; exit 1; }
# Scripts that do not measure descriptors, RSS or CPU of the server process
# (valgrind's own descriptors and memory would make those meaningless), nor
# use --chroot (valgrind cannot run inside it). Note: valgrind 3.19 does not
# know openat2 (syscall 437) and fails it with ENOSYS, so under valgrind
# path_open runs its fallback, not the openat2 RESOLVE_BENEATH path.
VG_SCRIPTS=${VG_SCRIPTS:-"httpd_http.sh httpd_paths.sh httpd_ranges.sh httpd_cond.sh httpd_smuggling.sh
 httpd_gzip.sh httpd_limits.sh fetch_httpd.sh fault_signals.sh fault_filechange.sh browser.sh"}

W=$(mktemp -d "${TMPDIR:-/tmp}/httpd-vg.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/bin" "$W/logs"
cat >"$W/bin/httpd" <<EOF2
#!/bin/sh
exec valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --track-fds=no --num-callers=30 \
	--log-file="$W/logs/vg.%p" "$BIN/httpd" "\$@"
EOF2
chmod +x "$W/bin/httpd"
ln -s "$BIN/fetch" "$W/bin/fetch"

ran=0
for s in $VG_SCRIPTS; do
	f=$here/integration/$s
	[ -f "$f" ] || { echo "# valgrind: $s not found, skipped"; continue; }
	echo "== $s (httpd under valgrind)"
	BIN="$W/bin" HELPERS="${HELPERS:-$here/../build/tests/helpers}" timeout 900 sh "$f" 2>&1 |
		grep -E '^(FAIL|[0-9]+ passed)' | sed 's/^/# /'
	ran=$((ran + 1))
done

n=0 bad=0 nosum=0
for log in "$W"/logs/vg.*; do
	[ -f "$log" ] || continue
	n=$((n + 1))
	if ! grep -q 'ERROR SUMMARY:' "$log"; then
		nosum=$((nosum + 1))
		echo "FAIL - valgrind: $(basename "$log") has no summary (process killed?)"
		tail -n 5 "$log"
		continue
	fi
	if ! grep -q 'ERROR SUMMARY: 0 errors' "$log" ||
		grep -q 'definitely lost: [1-9]' "$log"; then
		bad=$((bad + 1))
		echo "FAIL - valgrind: $(basename "$log"):"
		grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|Source|[0-9,]+ bytes in .* definitely)|at 0x|by 0x' \
			"$log" | head -n 40
	fi
done
echo "valgrind: $ran scripts, $n httpd processes checked, $bad with errors or definite leaks, $nosum without summary"
if [ "$n" -gt 0 ] && [ "$bad" -eq 0 ] && [ "$nosum" -eq 0 ]; then
	echo "ok - valgrind memcheck: no errors, no definite leaks"
	exit 0
fi
[ "$n" -eq 0 ] && echo "FAIL - valgrind: no httpd process ran under valgrind"
exit 1
