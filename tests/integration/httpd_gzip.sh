#!/bin/sh
# httpd_gzip.sh: precompressed twins: FILE.gz served for FILE when the client
# accepts gzip, with Content-Encoding, Vary and FILE's Content-Type.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
python3 -c 'import sys; sys.stdout.write("function f() { return 42; }\n" * 200)' >"$R/app.js"
gzip -9 -n -c "$R/app.js" >"$R/app.js.gz"
printf 'body { margin: 0 }\n' >"$R/plain.css"
GZSIZE=$(wc -c <"$R/app.js.gz" | tr -d ' ')
SIZE=$(wc -c <"$R/app.js" | tr -d ' ')
start_httpd "$R" || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

hget "$T/id" "$(url /app.js)" >/dev/null
CT=$(header_of "$T/id.h" Content-Type)
case "$CT" in
*javascript*) ok "app.js has a JavaScript Content-Type" ;;
*) fail "app.js has a JavaScript Content-Type" "got '$CT'" ;;
esac

st=$(hget "$T/gz" -H 'Accept-Encoding: gzip' "$(url /app.js)")
check_eq "Accept-Encoding: gzip: 200" 200 "$st"
check_eq "twin served with Content-Encoding: gzip" gzip "$(header_of "$T/gz.h" Content-Encoding)"
if header_of "$T/gz.h" Vary | grep -qi 'accept-encoding'; then ok "twin served with Vary: Accept-Encoding"; else
	fail "twin served with Vary: Accept-Encoding" "got '$(header_of "$T/gz.h" Vary)'"; fi
check_eq "twin has the original's Content-Type" "$CT" "$(header_of "$T/gz.h" Content-Type)"
check_eq "twin Content-Length is the .gz size" "$GZSIZE" "$(header_of "$T/gz.h" Content-Length)"
if cmp -s "$T/gz.b" "$R/app.js.gz"; then ok "twin body is the .gz bytes"; else fail "twin body is the .gz bytes"; fi
if [ "$(header_of "$T/gz.h" ETag)" != "$(header_of "$T/id.h" ETag)" ]; then ok "twin and original have different ETags"; else
	fail "twin and original have different ETags" "both '$(header_of "$T/id.h" ETag)'"; fi
hcurl --compressed -o "$T/dec" "$(url /app.js)"
if cmp -s "$T/dec" "$R/app.js"; then ok "curl --compressed decodes to the original"; else fail "curl --compressed decodes to the original"; fi

check_eq "no Accept-Encoding: original served" "$SIZE" "$(header_of "$T/id.h" Content-Length)"
check_eq "no Accept-Encoding: no Content-Encoding" "" "$(header_of "$T/id.h" Content-Encoding)"
if cmp -s "$T/id.b" "$R/app.js"; then ok "no Accept-Encoding: original bytes"; else fail "no Accept-Encoding: original bytes"; fi
if header_of "$T/id.h" Vary | grep -qi 'accept-encoding'; then ok "original with a twin also says Vary: Accept-Encoding"; else
	fail "original with a twin also says Vary: Accept-Encoding" "caches could serve gzip to clients that cannot decode it"; fi

# ae NAME ACCEPT-ENCODING EXPECTED-CONTENT-ENCODING
ae() {
	hget "$T/ae" -H "Accept-Encoding: $2" "$(url /app.js)" >/dev/null
	check_eq "$1" "$3" "$(header_of "$T/ae.h" Content-Encoding)"
}
ae "gzip;q=0: not served the twin" "gzip;q=0" ""
ae "gzip; q=0.0: not served the twin" "gzip; q=0.0" ""
ae "deflate, br: not served the twin" "deflate, br" ""
ae "identity: not served the twin" "identity" ""
ae "gzip, deflate, br: twin" "gzip, deflate, br" gzip
ae "br;q=1.0, gzip;q=0.8: twin" "br;q=1.0, gzip;q=0.8" gzip
ae "GZIP (case-insensitive): twin" "GZIP" gzip

raw_request "HEAD /app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n" >"$T/head"
check_eq "HEAD with gzip: Content-Length of the twin, no body" "200 $GZSIZE gzip 0" \
	"$(status_of "$T/head") $(header_of "$T/head" Content-Length) $(header_of "$T/head" Content-Encoding) $(body_of "$T/head" | wc -c | tr -d ' ')"

hget "$T/nc" -H 'Accept-Encoding: gzip' "$(url /plain.css)" >/dev/null
check_eq "no twin: original even when gzip accepted" "" "$(header_of "$T/nc.h" Content-Encoding)"
check_contains "no twin: original body" "$T/nc.b" "margin"

# A twin that is a symlink out of the root is never served.
printf 'var leaked = "TWIN-SECRET";\n' | gzip -c >"$T/outside.gz"
printf 'var x = 1;\n' >"$R/esc.js"
ln -s ../outside.gz "$R/esc.js.gz"
hget "$T/esc" -H 'Accept-Encoding: gzip' "$(url /esc.js)" >/dev/null
if cmp -s "$T/esc.b" "$T/outside.gz"; then fail "twin symlinked out of the root is not served" "outside .gz served"; else
	ok "twin symlinked out of the root is not served"; fi
# A twin that is a directory is not a twin.
printf 'var y = 2;\n' >"$R/dir.js"
mkdir "$R/dir.js.gz"
st=$(hget "$T/dj" -H 'Accept-Encoding: gzip' "$(url /dir.js)")
check_eq "a directory named FILE.gz is no twin: original served" "200 var y = 2;" "$st $(cat "$T/dj.b")"

# A matching If-None-Match for the twin gives 304.
GZETAG=$(header_of "$T/gz.h" ETag)
st=$(hget "$T/c" -H 'Accept-Encoding: gzip' -H "If-None-Match: $GZETAG" "$(url /app.js)")
check_eq "If-None-Match with the twin's ETag: 304" 304 "$st"

finish
