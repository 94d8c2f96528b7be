#!/bin/sh
# -H 'Name: value' in both programs goes through the one check in lib/http
# (http_field_split): a bad name or value is refused by fetch and by httpd
# alike, exit 2 and the same reason, before anything touches the network.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
i=0
for h in 'Bad Name: x' 'X(A): b' 'X-A : b' ': v' 'NoColon' "$(printf 'X\303\251: v')" \
	"$(printf 'X-A: a\rb')" "$(printf 'X-A: a\001b')" "$(printf 'X-A: a\177')"; do
	i=$((i + 1))
	timeout 5 "$BIN/fetch" -q -H "$h" -o "$T/out" http://127.0.0.1:1/ >/dev/null 2>"$T/f.err" </dev/null
	frc=$?
	timeout 5 "$BIN/httpd" -p 0 -b 127.0.0.1 -H "$h" "$R" >/dev/null 2>"$T/h.err" </dev/null
	hrc=$?
	check_eq "bad -H #$i: both exit 2" "2 2" "$frc $hrc"
	sed 's/^fetch: //' "$T/f.err" >"$T/f.why"
	sed 's/^httpd: //; s/ (see httpd --help)$//' "$T/h.err" >"$T/h.why"
	if [ -s "$T/f.why" ] && cmp -s "$T/f.why" "$T/h.why"; then ok "bad -H #$i: the same reason"; else
		fail "bad -H #$i: the same reason" "fetch: $(tr -d '\r' <"$T/f.err") httpd: $(tr -d '\r' <"$T/h.err")"; fi
done
check "no file from fetch" test ! -e "$T/out"

finish
