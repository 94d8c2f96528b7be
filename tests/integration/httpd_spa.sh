#!/bin/sh
# What users ask static servers for: --fallback (single-page apps),
# --error-page, sorted listings and JSON listings, over real sockets.
. "$(dirname "$0")/../lib.sh"

www=$(mkroot www)
mkdir -p "$www/files" "$www/.private"
echo '<h1>app</h1>' >"$www/index.html"
echo secret >"$www/.private/key"
printf 'abc' >"$www/files/small.txt"
head -c 2048 /dev/zero >"$www/files/two-k.bin"
printf 'x' >"$www/files/we\"ird<name>.txt"
touch -d '2024-02-03 04:05:06' "$www/files/small.txt"
touch -d '2023-01-01 00:00:00' "$www/files/two-k.bin"
echo 'custom not found' >"$TEST_TMP/404.txt"

# --- usage ------------------------------------------------------------------------
for bad in "--error-page 404" "--error-page 200=$TEST_TMP/404.txt" "--error-page x=y" \
	"--fallback /.private/key" "--fallback /files/" "--fallback ''"; do
	eval "\"\$BIN/httpd\" $bad \"\$www\"" >/dev/null 2>"$TEST_TMP/err"
	check_eq "usage error: $bad" 2 "$?"
done
"$BIN/httpd" --error-page "404=$TEST_TMP/none.html" "$www" >/dev/null 2>"$TEST_TMP/err"
check_eq "an unreadable error page: exit 1" 1 "$?"
check_contains "... naming it" "$TEST_TMP/err" "none.html"
"$BIN/httpd" --error-page "404=$TEST_TMP" "$www" >/dev/null 2>"$TEST_TMP/err"
check_eq "a folder as error page: exit 1" 1 "$?"
check_contains "... with the reason" "$TEST_TMP/err" "Is a directory"

start_httpd "$www" -w 1 -l "$TEST_TMP/access.log" --fallback index.html \
	--error-page "404=$TEST_TMP/404.txt" || { fail "httpd starts"; finish; }

# --- fallback ---------------------------------------------------------------------
check_eq "a deep link gets the app, 200" "200" "$(hget "$TEST_TMP/a" "$(url /app/users/7)")"
check_eq "... its body" "<h1>app</h1>" "$(cat "$TEST_TMP/a.b")"
check_eq "HEAD too" "200" "$(hget "$TEST_TMP/h" -I "$(url /app/users/7)")"
check_eq "an existing file is itself" "abc" "$(hcurl "$(url /files/small.txt)")"
# Hidden paths keep their 404, with the custom page.
check_eq "a hidden path is not the app: 404" "404" "$(hget "$TEST_TMP/p" "$(url /.private/nothing)")"
check_eq "... with the --error-page body" "custom not found" "$(cat "$TEST_TMP/p.b")"
check_contains "... as text/plain" "$TEST_TMP/p.h" "Content-Type: text/plain"
check_eq "POST is still 405" "405" "$(hget "$TEST_TMP/x" -d a=b "$(url /app/users/7)")"

# --- listings ---------------------------------------------------------------------
hget "$TEST_TMP/l" "$(url '/files/?sort=size&order=desc')" >/dev/null
python3 - "$TEST_TMP/l.b" <<'PY' >"$TEST_TMP/order"
import re, sys
print(" ".join(re.findall(r'<td><a href="[^"]*">([^<]*)</a>', open(sys.argv[1]).read())))
PY
check_eq "sorted by size, largest first" "../ two-k.bin small.txt we&quot;ird&lt;name&gt;.txt" \
	"$(cat "$TEST_TMP/order")"
check_contains "sizes readable by a person" "$TEST_TMP/l.b" '<td title="2048 bytes">2.0 KiB</td>'
hcurl -D "$TEST_TMP/j.h" -H 'Accept: application/json' "$(url '/files/?sort=time')" >"$TEST_TMP/j.b"
check_contains "JSON on Accept: application/json" "$TEST_TMP/j.h" "Content-Type: application/json"
check_contains "Vary: Accept" "$TEST_TMP/j.h" "Vary: Accept"
check_eq "JSON parses, in time order, escaped" \
	"two-k.bin:file:2048:Sun, 01 Jan 2023 00:00:00 GMT|small.txt:file:3:Sat, 03 Feb 2024 04:05:06 GMT|" \
	"$(python3 -c 'import json, sys
for e in json.load(open(sys.argv[1]))[:2]:
    sys.stdout.write("%s:%s:%s:%s|" % (e["name"], e["type"], e["size"], e["mtime"]))' "$TEST_TMP/j.b")"
check_eq "a name with quotes survives JSON" 'we"ird<name>.txt' \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[2]["name"])' "$TEST_TMP/j.b")"

stop_httpd TERM 10
check_eq "httpd exits 0" 0 "$HTTPD_STATUS"
check_contains "the access log has the fallback's 200" "$TEST_TMP/access.log" '"GET /app/users/7 HTTP/1.1" 200'
finish
