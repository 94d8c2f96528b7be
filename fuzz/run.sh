#!/bin/sh
# make fuzz: builds every fuzz/fuzz_*.c harness with clang's libFuzzer (plus ASan
# and UBSan) and runs each for FUZZ_SECONDS (default 60) on a copy of its seed
# corpus, all targets at once. Fails when a harness does not build or any run
# finds a crash, leak, timeout or sanitizer report; the inputs that did it are
# kept in build/fuzz/crashes/. A harness whose module is not written yet is
# reported as skipped, never as passed. FUZZ_TARGETS limits the run to some.
set -u
cd "$(dirname "$0")/.." || exit 1
SECONDS_EACH=${FUZZ_SECONDS:-60}
CLANG=${FUZZ_CC:-clang}
OUT=build/fuzz
LLHTTP_SRC=${LLHTTP_SRC:-/usr/share/llhttp}
LLHTTP_INC=${LLHTTP_INC:-/usr/share/include/llhttp}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=gnu11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -DLLHTTP_STRICT_MODE=1 \
 -Ilib -Ihttpd -Ifetch -Ifuzz -I$LLHTTP_INC"

have_libfuzzer() {
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' |
		"$CLANG" -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1
}

install_libfuzzer() {
	# Debian ships libFuzzer for clang 14 in libclang-rt-14-dev.
	pkg=libclang-rt-14-dev
	command -v apt-get >/dev/null 2>&1 || { echo "fuzz: install $pkg (libFuzzer)" >&2; return 1; }
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "fuzz: installing $pkg (libFuzzer)"
	$sudo apt-get install -y -q clang $pkg >/dev/null 2>&1 ||
		{ $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q clang $pkg; }
}

if ! command -v "$CLANG" >/dev/null 2>&1 || ! have_libfuzzer; then
	install_libfuzzer && have_libfuzzer || { echo "FAIL - fuzz: clang with libFuzzer unavailable" >&2; exit 1; }
fi

mkdir -p "$OUT/obj" "$OUT/crashes"
rm -f "$OUT"/obj/*.o "$OUT/libfuzzdeps.a"

# Project modules and llhttp, instrumented for coverage; main.c files are left out.
# An object that does not compile (a module being written) only fails the
# harnesses that need it, at link time.
objs=""
for src in lib/*.c httpd/*.c fetch/*.c; do
	[ -f "$src" ] || continue
	case $src in */main.c) continue ;; esac
	o="$OUT/obj/$(echo "$src" | tr '/' '_' | sed 's/\.c$/.o/')"
	if $CLANG $CFLAGS $SAN -fsanitize=fuzzer-no-link -c "$src" -o "$o" 2>"$o.log"; then
		objs="$objs $o"
	else
		echo "fuzz: note: $src does not compile yet (see $o.log)"
	fi
done
for f in llhttp api http; do
	$CLANG -std=gnu11 -g -O1 -w -DLLHTTP_STRICT_MODE=1 -I"$LLHTTP_INC" $SAN -fsanitize=fuzzer-no-link \
		-c "$LLHTTP_SRC/$f.c" -o "$OUT/obj/llhttp_$f.o" || exit 1
	objs="$objs $OUT/obj/llhttp_$f.o"
done
# shellcheck disable=SC2086
ar rcs "$OUT/libfuzzdeps.a" $objs || exit 1

# Each target: the project sources it needs (skipped, clearly, while one is missing).
needs() {
	case $1 in
	fuzz_url) echo lib/url.c lib/buffer.c ;;
	fuzz_path) echo lib/path.c ;;
	fuzz_date) echo lib/date.c ;;
	fuzz_request) echo lib/http.c lib/buffer.c httpd/reqcheck.c ;;
	fuzz_range) echo httpd/range.c ;;
	fuzz_cond) echo httpd/cond.c lib/date.c ;;
	fuzz_response) echo fetch/response.c lib/http.c ;;
	fuzz_name) echo fetch/name.c lib/url.c ;;
	fuzz_gunzip) echo fetch/gunzip.c ;;
	fuzz_listing) echo httpd/listing.c lib/url.c lib/buffer.c ;;
	*) echo "" ;;
	esac
}

built="" skipped="" failed=""
for h in fuzz/fuzz_*.c; do
	t=$(basename "$h" .c)
	# FUZZ_TARGETS="fuzz_url fuzz_path" runs only those.
	case " ${FUZZ_TARGETS:-$t} " in *" $t "*) ;; *) continue ;; esac
	miss=""
	for s in $(needs "$t"); do [ -f "$s" ] || miss="$miss $s"; done
	if [ -n "$miss" ]; then
		echo "skip - $t: not written yet:$miss"
		skipped="$skipped $t"
		continue
	fi
	# shellcheck disable=SC2046
	# -Werror: a harness left behind by an API change must not build (a
	# listing_view once reached listing_render as the integer 1).
	if $CLANG $CFLAGS -Wall -Werror $SAN -fsanitize=fuzzer "$h" "$OUT/libfuzzdeps.a" $(pkg-config --libs zlib) \
		-o "$OUT/$t" 2>"$OUT/$t.build.log"; then
		built="$built $t"
	else
		echo "FAIL - $t does not build:"; sed -n '1,20p' "$OUT/$t.build.log"
		failed="$failed $t"
	fi
done

# Fresh working corpora: new inputs never land in the committed seeds.
for t in $built; do
	rm -rf "$OUT/corpus-$t"
	mkdir -p "$OUT/corpus-$t"
	dict=""
	[ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
	seeds=""
	[ -d "fuzz/corpus/$t" ] && seeds="fuzz/corpus/$t"
	echo "fuzz: running $t for ${SECONDS_EACH}s"
	# shellcheck disable=SC2086
	(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		timeout -k 10 $((SECONDS_EACH + 120)) "$OUT/$t" -max_total_time="$SECONDS_EACH" \
		-timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
		-artifact_prefix="$OUT/crashes/$t-" $dict "$OUT/corpus-$t" $seeds \
		>"$OUT/$t.log" 2>&1; echo $? >"$OUT/$t.rc") &
done
wait

for t in $built; do
	rc=$(cat "$OUT/$t.rc" 2>/dev/null || echo 99)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log" | tail -n 1)
	if [ "$rc" = 0 ]; then
		echo "ok - $t: ${runs:-?} runs in ${SECONDS_EACH}s, no crash"
	else
		echo "FAIL - $t (exit $rc), log $OUT/$t.log:"
		grep -E 'ERROR|SUMMARY|property failed|runtime error|Test unit written' "$OUT/$t.log" | head -n 12
		failed="$failed $t"
	fi
done
echo "fuzz: built:${built:- none}; skipped:${skipped:- none}; failed:${failed:- none}"
[ -z "$failed" ]
