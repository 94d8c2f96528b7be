#!/bin/sh
# The man pages: mandoc finds nothing to warn about, each program's --help and
# its page list the same options (both directions, parsed from both, so that
# new options need no change here), and make install / uninstall place and
# remove them.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v mandoc >/dev/null 2>&1; then
	fail "mandoc is installed (make deps installs it)"
	finish
fi

# Options of `--help`: the option column of lines starting with '-' after the
# indent (the column ends at the first run of two spaces).
help_options() {
	"$1" --help | python3 -c 'import re, sys
for line in sys.stdin:
    m = re.match(r"\s+(-.*)", line.rstrip("\n"))
    if not m:
        continue
    column = re.split(r"\s{2,}", m.group(1))[0]
    for t in re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-[A-Za-z0-9])(?![\w-])", column):
        print(t)' | sort -u
}

# Options of the page: the Fl words of the .It lines under .Sh OPTIONS.
man_options() {
	python3 -c 'import re, sys
inside = False
for line in open(sys.argv[1]):
    if line.startswith(".Sh "):
        inside = line.split()[1] == "OPTIONS"
    elif inside and line.startswith(".It "):
        words = line.split()
        for i, w in enumerate(words[:-1]):
            if w == "Fl":
                print("-" + words[i + 1].replace("\\", ""))' "$1" | sort -u
}

for page in httpd/httpd.8 fetch/fetch.1; do
	prog=$(basename "$page" | cut -d. -f1)
	if out=$(mandoc -Tlint -W warning "$ROOT/$page" 2>&1); then
		ok "$page: mandoc -Tlint clean"
	else
		fail "$page: mandoc -Tlint clean" "$out"
	fi
	help_options "$BIN/$prog" >"$TEST_TMP/$prog.help"
	man_options "$ROOT/$page" >"$TEST_TMP/$prog.man"
	# A parser that found nothing would make the comparison vacuous.
	check "$prog: --help lists options" grep -qx -- --help "$TEST_TMP/$prog.help"
	check "$prog: the page lists options" grep -qx -- --help "$TEST_TMP/$prog.man"
	check_eq "$prog: options in --help missing from $page" "" \
		"$(comm -23 "$TEST_TMP/$prog.help" "$TEST_TMP/$prog.man" | tr '\n' ' ')"
	check_eq "$prog: options in $page missing from --help" "" \
		"$(comm -13 "$TEST_TMP/$prog.help" "$TEST_TMP/$prog.man" | tr '\n' ' ')"
done

# fetch's exit codes: the table of --help and the page's EXIT STATUS list the
# same numbers (httpd's --help has no table).
help_codes=$("$BIN/fetch" --help | sed -n '/^Exit status/,/^[A-Z]/s/^ *\([0-9][0-9]*\)  .*/\1/p' | tr '\n' ' ')
man_codes=$(sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /s/^\.It \([0-9][0-9]*\)$/\1/p' "$ROOT/fetch/fetch.1" | tr '\n' ' ')
check "fetch: --help has an exit status table" test -n "$help_codes"
check_eq "fetch: the same exit codes in --help and fetch.1" "$help_codes" "$man_codes"

# The comparison itself: an option only in --help must be caught.
printf '#!/bin/sh\necho "  -Z, --zzz-new   a new option"\n"%s" --help\n' "$BIN/httpd" \
	>"$TEST_TMP/fakehelp"
chmod +x "$TEST_TMP/fakehelp"
help_options "$TEST_TMP/fakehelp" >"$TEST_TMP/fake.help"
check_eq "an option missing from the page is found" "--zzz-new -Z " \
	"$(comm -23 "$TEST_TMP/fake.help" "$TEST_TMP/httpd.man" | tr '\n' ' ')"

# make install / uninstall with DESTDIR, using the binaries under test.
dest="$TEST_TMP/dest"
if make -C "$ROOT" --no-print-directory -o all install DESTDIR="$dest" PREFIX=/usr/local \
	BIN="$BIN" >"$TEST_TMP/install.log" 2>&1; then
	ok "make install DESTDIR"
else
	fail "make install DESTDIR" "$(tail -3 "$TEST_TMP/install.log")"
fi
check "httpd(8) installed" test -f "$dest/usr/local/share/man/man8/httpd.8"
check "fetch(1) installed" test -f "$dest/usr/local/share/man/man1/fetch.1"
if command -v man >/dev/null 2>&1; then
	check "man finds the installed page" sh -c \
		"MANPATH='$dest/usr/local/share/man' man -w httpd | grep -q '$dest'"
fi
make -C "$ROOT" --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr/local >/dev/null 2>&1
check_eq "make uninstall removes every file" "" "$(find "$dest" -type f)"

finish
