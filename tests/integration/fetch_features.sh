#!/bin/sh
# fetch's download features (issue 14, those without TLS): --checksum,
# --content-disposition, -N, -i and --compressed, against fetch_server.py.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fetch_lib.sh"

python3 "$SERVER" --dump /range >"$TEST_TMP/range.full"
python3 "$SERVER" --dump /gzip >"$TEST_TMP/gzip.plain"
SHA256=$(sha256sum <"$TEST_TMP/range.full" | cut -d' ' -f1)
SHA512=$(sha512sum <"$TEST_TMP/range.full" | cut -d' ' -f1)
WRONG=$(printf 'other' | sha256sum | cut -d' ' -f1)

# --checksum: committed only when the digest matches.
good "--checksum sha256" /range --checksum "sha256=$SHA256"
good "--checksum SHA512, upper-case hex" /range --checksum \
	"SHA512=$(echo "$SHA512" | tr a-f A-F)"
bad "--checksum mismatch" /range 9 --checksum "sha256=$WRONG"
check_contains "--checksum mismatch: says what it got" "$TEST_TMP/err" "$SHA256"
# Resumed: the digest covers the earlier bytes too; a mismatch leaves no
# partial file to resume from.
clean_dir
head -c 30000 "$TEST_TMP/range.full" >"$W/f.part"
"$F" -q -r --checksum "sha256=$SHA256" -o "$W/f" "$U/range"
check_eq "--checksum with -r: exit status" 0 "$?"
check "--checksum with -r: the whole file" cmp "$W/f" "$TEST_TMP/range.full"
clean_dir
printf 'corrupt earlier bytes' >"$W/f.part"
"$F" -q -r --checksum "sha256=$SHA256" -o "$W/f" "$U/range" 2>/dev/null
check_eq "--checksum with -r over bad bytes: status 9" 9 "$?"
only_files "--checksum with -r over bad bytes" ""
clean_dir
cp "$TEST_TMP/range.full" "$W/f.part"
"$F" -q -r --checksum "sha256=$WRONG" -o "$W/f" "$U/range" 2>/dev/null
check_eq "--checksum, resumed file already complete (416), mismatch: status 9" 9 "$?"
only_files "--checksum, 416 mismatch" ""
"$F" -q --checksum "sha256=$SHA256" -o - "$U/range" 2>/dev/null
check_eq "--checksum to stdout: usage" 2 "$?"

# --content-disposition: the server's name, filename* first, made safe, in
# the current folder (or -o DIRECTORY); -o FILE wins.
cd_name() { # NAME VALUE EXPECTED-LISTING [ARGS...]
	n=$1 v=$2 want=$3
	shift 3
	clean_dir
	enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$v")
	(cd "$W" && "$F" -q "$@" "$U/cd?$enc")
	check_eq "$n: exit status" 0 "$?"
	check_eq "$n: the file" "$want" "$(cd "$W" && ls -A | tr '\n' ' ')"
}
CD=--content-disposition
cd_name "filename" 'attachment; filename="report.pdf"' "report.pdf " $CD
cd_name "filename* preferred" \
	"attachment; filename=\"plain.txt\"; filename*=UTF-8''%e2%82%ac%20rates.txt" "€ rates.txt " $CD
cd_name "a path in the name" 'attachment; filename="../../escape.txt"' "escape.txt " $CD
cd_name "a hidden name" 'attachment; filename=".profile"' "_profile " $CD
cd_name "no usable name: the URL's" 'attachment; filename=""' "cd " $CD
cd_name "without the option: the URL's name" 'attachment; filename="x.bin"' "cd "
clean_dir
mkdir "$W/d"
enc=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("attachment; filename=in-dir.txt"))')
"$F" -q --content-disposition -o "$W/d" "$U/cd?$enc"
check_eq "-o DIRECTORY: the name inside it" "in-dir.txt " "$(ls -A "$W/d" | tr '\n' ' ')"
"$F" -q --content-disposition -o "$W/named" "$U/cd?$enc"
check "-o FILE wins over Content-Disposition" test -f "$W/named"

# -N: If-Modified-Since from the file's time; a 304 asked for is success.
clean_dir
printf 'local copy\n' >"$W/t"
touch -d '2015-10-21 07:28:00 UTC' "$W/t"
"$F" -q -N -o "$W/t" "$U/ims"
check_eq "-N, not modified: exit 0" 0 "$?"
check_eq "-N, not modified: file as it was" "local copy" "$(cat "$W/t")"
check_eq "-N, not modified: time as it was" 1445412480 "$(stat -c %Y "$W/t")"
only_files "-N, not modified" "t "
touch -d '2015-10-20 00:00:00 UTC' "$W/t"
"$F" -q -N -o "$W/t" "$U/ims"
check_eq "-N, modified since: exit 0" 0 "$?"
check_eq "-N, modified since: new body" "modified body" "$(cat "$W/t")"
check_eq "-N, modified since: the server's time" 1445412480 "$(stat -c %Y "$W/t")"
clean_dir
"$F" -q -N -o "$W/new" "$U/ims"
check_eq "-N, no local file: fetched" "modified body" "$(cat "$W/new")"
"$F" -q -N -o "$W/echo" "$U/echo"
check_lacks "-N, no local file: no condition sent" "$W/echo" "If-Modified-Since"
"$F" -q -N -o "$W/echo" "$U/echo"
check_contains "-N with a local file: the condition sent" "$W/echo" "If-Modified-Since: "
bad "-N: a 304 to another URL's request is still a failure" /status/304 8

# -i: URLs from a file or stdin; blank lines and comments skipped.
clean_dir
mkdir "$W/d"
printf '# a comment\n\n  %s/hello  \r\n\t\n%s/name/second\n   # indented comment\n' "$U" "$U" >"$TEST_TMP/list"
"$F" -q -i "$TEST_TMP/list" -o "$W/d"
check_eq "-i FILE: exit status" 0 "$?"
check_eq "-i FILE: each URL" "hello second " "$(ls -A "$W/d" | LC_ALL=C sort | tr '\n' ' ')"
printf '%s/hello\n%s/status/404\n%s/name/third\n' "$U" "$U" "$U" |
	"$F" -q -i - -o - >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_eq "-i -: the first failure's status" 8 "$?"
check_eq "-i -: the others fetched" "hello world
name" "$(cat "$TEST_TMP/out")"
check_eq "-i -: one line for the failure" 1 "$(wc -l <"$TEST_TMP/err" | tr -d ' ')"
"$F" -q -i "$TEST_TMP/no-such-list" -o - 2>"$TEST_TMP/err"
check_eq "-i with a missing file: status 3" 3 "$?"
check_contains "-i with a missing file: named" "$TEST_TMP/err" "no-such-list"

# --compressed: Accept-Encoding: gzip, decoded on the fly, kept only when the
# gzip trailer checks out.
clean_dir
"$F" -q --compressed -o "$W/echo" "$U/echo"
check_contains "--compressed: asks for gzip" "$W/echo" "Accept-Encoding: gzip"
for kind in good multi; do
	clean_dir
	"$F" -q --compressed -o "$W/got" "$U/gzip/$kind" 2>"$TEST_TMP/err"
	check_eq "--compressed, gzip $kind: exit status" 0 "$?"
	check "--compressed, gzip $kind: decoded" cmp "$W/got" "$TEST_TMP/gzip.plain"
	check_eq "--compressed, gzip $kind: quiet" "" "$(cat "$TEST_TMP/err")"
	only_files "--compressed, gzip $kind" "got "
done
bad "--compressed, bad CRC" /gzip/badcrc 7 --compressed
bad "--compressed, stream cut short" /gzip/truncated 7 --compressed
bad "--compressed, garbage after the stream" /gzip/trailing 7 --compressed
clean_dir
"$F" -q -o "$W/raw" "$U/gzip/good"
check "without --compressed: the gzip bytes as sent" sh -c "gzip -dc <'$W/raw' | cmp - '$TEST_TMP/gzip.plain'"
"$F" -q --compressed --checksum "sha256=$(sha256sum <"$TEST_TMP/gzip.plain" | cut -d' ' -f1)" \
	-o "$W/both" "$U/gzip/good"
check_eq "--compressed and --checksum: the digest of the decoded file" 0 "$?"

finish
