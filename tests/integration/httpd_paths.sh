#!/bin/sh
# httpd_paths.sh: path mapping: traversal in many encodings, NUL, dotfiles,
# symlinks, directories (301, index, listing, --no-listing), 403.
. "$(dirname "$0")/../lib.sh"

T=$TEST_TMP
R=$(mkroot site)
SECRET=TOPSECRET-beside-the-root
printf '%s\n' "$SECRET" >"$T/secret.txt"
mkdir -p "$R/sub" "$R/my dir" "$R/list/zdir" "$R/.git" "$R/.well-known/acme-challenge" "$R/plain"
printf 'hello world\n' >"$R/a.txt"
printf 'in sub\n' >"$R/sub/file.txt"
printf 'sub index\n' >"$R/sub/index.html"
printf 'hidden file\n' >"$R/.hidden"
printf 'sub env\n' >"$R/sub/.env"
printf '[core]\n' >"$R/.git/config"
printf 'acme token\n' >"$R/.well-known/acme-challenge/tok"
printf 'spaced\n' >"$R/a b.txt"
printf 'percent\n' >"$R/100%.txt"
printf 'x1\n' >"$R/list/<b>&\"x\".txt"
printf 'x2\n' >"$R/list/a b.txt"
printf 'x3\n' >"$R/list/é.txt"
printf 'x4\n' >"$R/list/zdir/deep.txt"
head -c 12345 /dev/zero >"$R/list/sized.bin"
touch -d '2019-03-04 05:06:07 UTC' "$R/list/sized.bin"
printf 'plain dir file\n' >"$R/plain/p.txt"
ln -s sub/file.txt "$R/inlink.txt"
ln -s sub "$R/insub"
ln -s ../secret.txt "$R/outlink.txt"
ln -s .. "$R/outdir"
ln -s "$T/secret.txt" "$R/abslink.txt"
ln -s /etc "$R/etclink"
ln -s outlink.txt "$R/chain.txt"
mkdir -p "$R/esc"
ln -s "$T/secret.txt" "$R/esc/index.html"
printf 'question\n' >"$R/q?.txt"
# Links in a listed directory: one leaving the root (to a file of a size and
# date the page must not reveal), a dangling one, one inside.
mkdir -p "$R/links"
head -c 7777 /dev/zero >"$T/outside.bin"
touch -d '2001-02-03 04:05:06 UTC' "$T/outside.bin"
ln -s "$T/outside.bin" "$R/links/out.bin"
ln -s "$T/no-such-file" "$R/links/dangling.bin"
ln -s ../list/sized.bin "$R/links/in.bin"

start_httpd "$R" || { fail "httpd starts" "$(head -c 300 "$HTTPD_LOG")"; finish; }

# get TARGET: raw GET with Connection: close into $T/resp; prints the status.
get() {
	raw_request -t 3 "GET $1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" >"$T/resp"
	status_of "$T/resp"
}

# --- traversal: never a byte from outside the root ---
for t in '/../secret.txt' '/../../../../../../etc/passwd' '/%2e%2e/secret.txt' '/%2E%2e%2fsecret.txt' \
	'/..%2fsecret.txt' '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd' '/sub/../../secret.txt' \
	'/sub/%2e%2e/%2e%2e/secret.txt' '/sub/..%2f..%2fsecret.txt' '/%252e%252e/secret.txt' \
	'/%252e%252e%252fsecret.txt' '/..\\secret.txt' '/..%5csecret.txt' '/sub\\..\\..\\secret.txt' \
	'//etc/passwd' '///../secret.txt' '/./.././secret.txt' '/.%2e/secret.txt' '/%2e./secret.txt' \
	'/%c0%ae%c0%ae/secret.txt' '/..;/secret.txt' '/sub/./../.././secret.txt' '/%2f%2e%2e%2fsecret.txt' \
	'http://127.0.0.1/../secret.txt' 'http://127.0.0.1/%2e%2e/secret.txt' 'http://x/../../etc/passwd' \
	'../secret.txt' '%2e%2e/secret.txt' '/etc/passwd' '/outdir/secret.txt' '/etclink/passwd' \
	'/insub/../../secret.txt' '/a.txt/../../secret.txt'; do
	st=$(get "$t")
	if grep -qa -e "$SECRET" -e 'root:.*:0:0:' "$T/resp"; then
		fail "traversal $t" "content from outside the root served (status $st)"
		continue
	fi
	case "$st" in
	400 | 403 | 404) ok "traversal $t refused ($st)" ;;
	*) fail "traversal $t refused" "status '$st'" ;;
	esac
done
# curl's own normalisation switched off.
st=$(hcurl --path-as-is -o "$T/pa" -w '%{http_code}' "$(url /../secret.txt)")
if grep -qa "$SECRET" "$T/pa" 2>/dev/null; then fail "curl --path-as-is /../secret.txt" "secret served"; else
	ok "curl --path-as-is /../secret.txt not served ($st)"; fi

# Dot segments that stay inside the root still resolve (or redirect).
st=$(get '/sub/../a.txt')
case "$st" in
200) check_contains "/sub/../a.txt serves a.txt" "$T/resp" "hello world" ;;
301 | 308) ok "/sub/../a.txt redirects to the canonical path ($st)" ;;
*) fail "/sub/../a.txt serves or redirects" "status '$st'" ;;
esac

# --- decoding once; query and fragment ignored ---
check_eq "/a%20b.txt decodes to 'a b.txt'" "200" "$(get '/a%20b.txt')"
check_contains "/a%20b.txt body" "$T/resp" "spaced"
check_eq "/100%25.txt decodes once to '100%.txt'" "200" "$(get '/100%25.txt')"
check_eq "/%61.txt (encoded letter) is a.txt" "200" "$(get '/%61.txt')"
check_eq "query ignored for lookup" "200" "$(get '/a.txt?x=../../secret.txt')"
check_contains "query ignored: body of a.txt" "$T/resp" "hello world"
check_eq "fragment ignored for lookup" "200" "$(get '/a.txt#frag')"
check_eq "absolute-form target is served" "200" "$(get 'http://127.0.0.1/a.txt')"
check_contains "absolute-form target: body" "$T/resp" "hello world"
st=$(get '/a.txt%zz')
case "$st" in
400 | 404) ok "bad percent escape refused ($st)" ;;
*) fail "bad percent escape refused" "status '$st'" ;;
esac

# --- NUL ---
check_eq "%00 in the path is 400" 400 "$(get '/a.txt%00')"
check_eq "%00 before an extension is 400" 400 "$(get '/a.txt%00.html')"
check_eq "%00 in a directory name is 400" 400 "$(get '/sub%00/file.txt')"

# --- dotfiles ---
check_eq "/.hidden is 404" 404 "$(get '/.hidden')"
check_lacks "/.hidden content not served" "$T/resp" "hidden file"
check_eq "/sub/.env is 404" 404 "$(get '/sub/.env')"
check_eq "/.git/config is 404" 404 "$(get '/.git/config')"
check_eq "/%2ehidden (encoded dot) is 404" 404 "$(get '/%2ehidden')"
check_eq "/sub/%2Eenv (encoded dot) is 404" 404 "$(get '/sub/%2Eenv')"
check_eq "/.git/ directory is 404" 404 "$(get '/.git/')"
check_eq "/.well-known/acme-challenge/tok is served" 200 "$(get '/.well-known/acme-challenge/tok')"
check_contains "/.well-known content" "$T/resp" "acme token"

# --- symlinks ---
check_eq "symlink inside the root is followed" 200 "$(get '/inlink.txt')"
check_contains "symlink inside the root: content" "$T/resp" "in sub"
check_eq "directory symlink inside the root is followed" 200 "$(get '/insub/file.txt')"
for t in /outlink.txt /abslink.txt /outdir/secret.txt /etclink/passwd; do
	st=$(get "$t")
	if grep -qa -e "$SECRET" -e 'root:.*:0:0:' "$T/resp"; then
		fail "symlink escaping the root $t refused" "served outside content ($st)"
	else
		case "$st" in
		403 | 404) ok "symlink escaping the root $t refused ($st)" ;;
		*) fail "symlink escaping the root $t refused" "status '$st'" ;;
		esac
	fi
done

for t in /chain.txt /esc/ /esc/index.html /outdir/; do
	st=$(get "$t")
	if grep -qa -e "$SECRET" -e 'secret\.txt' -e 'root:.*:0:0:' "$T/resp"; then
		fail "escaping symlink via $t refused" "outside content or names served ($st)"
	else
		case "$st" in
		403 | 404) ok "escaping symlink via $t refused ($st)" ;;
		*) fail "escaping symlink via $t refused" "status '$st'" ;;
		esac
	fi
done

# The query is split off before decoding; %3F is part of the name.
check_eq "/q%3F.txt names the file 'q?.txt'" 200 "$(get '/q%3F.txt')"
check_contains "/q%3F.txt body" "$T/resp" "question"
check_eq "/a.txt%3Fx names no file" 404 "$(get '/a.txt%3Fx')"
check_eq "a file with a trailing slash is 404" 404 "$(get '/a.txt/')"
check_eq "path names are case-sensitive" 404 "$(get '/A.TXT')"

# --- directories ---
check_eq "/sub redirects 301" 301 "$(get '/sub')"
loc=$(header_of "$T/resp" Location)
case "$loc" in
*/sub/) ok "/sub Location ends in /sub/" ;;
*) fail "/sub Location ends in /sub/" "got '$loc'" ;;
esac
check_eq "/sub?x=1&y=2 redirects 301" 301 "$(get '/sub?x=1&y=2')"
loc=$(header_of "$T/resp" Location)
case "$loc" in
*/sub/\?x=1\&y=2) ok "redirect keeps the query" ;;
*) fail "redirect keeps the query" "got '$loc'" ;;
esac
raw_request -t 3 "GET /sub HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >"$T/rp"
check_eq "301 then 200 pipelined (redirect body framed)" "301 200" "$(status_list "$T/rp" | tr '\n' ' ' | sed 's/ $//')"
check_eq "/sub/ serves its index.html" 200 "$(get '/sub/')"
check_contains "/sub/ index content" "$T/resp" "sub index"
check_eq "/my%20dir redirects 301" 301 "$(get '/my%20dir')"
loc=$(header_of "$T/resp" Location)
case "$loc" in
*/my%20dir/) ok "redirect Location stays percent-encoded" ;;
*) fail "redirect Location stays percent-encoded" "got '$loc'" ;;
esac

check_eq "/list/ without index: listing 200" 200 "$(get '/list/')"
cp "$T/resp" "$T/listing"
ct=$(header_of "$T/listing" Content-Type)
case "$ct" in
text/html*) ok "listing is text/html" ;;
*) fail "listing is text/html" "got '$ct'" ;;
esac
if echo "$ct" | grep -qi 'charset=utf-8' || body_of "$T/listing" | grep -qi 'charset="\{0,1\}utf-8'; then
	ok "listing declares UTF-8"
else
	fail "listing declares UTF-8" "Content-Type '$ct', no meta charset"
fi
check_eq "listing Content-Length matches" "$(body_of "$T/listing" | wc -c | tr -d ' ')" "$(header_of "$T/listing" Content-Length)"
if grep -Eq '12345|12(\.[0-9])? ?[Kk]' "$T/listing"; then ok "listing shows sizes"; else
	fail "listing shows sizes" "no 12345 / 12K for sized.bin"; fi
check_contains "listing shows modification times" "$T/listing" "2019"
check_lacks "listing escapes <b> in names" "$T/listing" '<b>&"x"'
check_contains "listing shows the escaped name" "$T/listing" '&lt;b&gt;&amp;'
# Every link, once HTML-unescaped and percent-decoded, names an entry; follow them.
body_of "$T/listing" >"$T/listing.body"
python3 - "$T/listing.body" >"$T/links" <<'EOF'
import html, re, sys, urllib.parse
body = open(sys.argv[1], encoding="utf-8", errors="replace").read()
for h in re.findall(r'href\s*=\s*"([^"]*)"', body, re.I) + re.findall(r"href\s*=\s*'([^']*)'", body, re.I):
    raw = html.unescape(h)
    print("%s\t%s" % (raw, urllib.parse.unquote(raw)))
EOF
for name in '<b>&"x".txt' 'a b.txt' 'é.txt' 'zdir/'; do
	if cut -f2 "$T/links" | grep -qxF -e "$name" -e "/list/$name"; then ok "listing links to '$name'"; else
		fail "listing links to '$name'" "links: $(cut -f1 "$T/links" | tr '\n' ' ')"; fi
done
if cut -f2 "$T/links" | grep -qx -e '\.\./\{0,1\}' -e '/'; then ok "listing has a parent link"; else
	fail "listing has a parent link" "links: $(cut -f1 "$T/links" | tr '\n' ' ')"; fi
if cut -f1 "$T/links" | grep -q '[ <>"]'; then fail "listing links are percent-encoded" "$(cut -f1 "$T/links" | tr '\n' ' ')"; else
	ok "listing links are percent-encoded"; fi
first_dir=$(grep -n 'zdir' "$T/links" | head -n 1 | cut -d: -f1)
first_file=$(grep -n '\.txt' "$T/links" | head -n 1 | cut -d: -f1)
if [ -n "$first_dir" ] && [ -n "$first_file" ] && [ "$first_dir" -lt "$first_file" ]; then
	ok "listing puts directories first"
else
	fail "listing puts directories first" "links: $(cut -f1 "$T/links" | tr '\n' ' ')"
fi
while IFS='	' read -r raw dec; do
	case "$dec" in *.txt) ;; *) continue ;; esac
	case "$raw" in /*) p=$raw ;; *) p="/list/$raw" ;; esac
	st=$(get "$p")
	check_eq "listing link $raw fetches the file" 200 "$st"
done <"$T/links"
check_eq "a directory without index.html is listed" 200 "$(get '/plain/')"
check_contains "plain listing names p.txt" "$T/resp" "p.txt"
get '/' >/dev/null
check_lacks "listing of / does not show .hidden" "$T/resp" ".hidden"
stop_httpd

# --- --no-listing and --dotfiles ---
start_httpd "$R" --no-listing --dotfiles || { fail "httpd --no-listing --dotfiles starts"; finish; }
check_eq "--no-listing: /list/ is 404" 404 "$(get '/list/')"
check_lacks "--no-listing: no names leak" "$T/resp" "a b.txt"
check_eq "--no-listing: a directory with index still served" 200 "$(get '/sub/')"
check_eq "--dotfiles: /.hidden served" 200 "$(get '/.hidden')"
check_contains "--dotfiles: /.hidden content" "$T/resp" "hidden file"
check_eq "--dotfiles: /sub/.env served" 200 "$(get '/sub/.env')"
st=$(get '/../secret.txt')
if grep -qa "$SECRET" "$T/resp"; then fail "--dotfiles: /../secret.txt still refused" "served"; else
	ok "--dotfiles: /../secret.txt still refused ($st)"; fi
stop_httpd

# --- 403: a file the server may not read ---
printf 'forbidden\n' >"$R/noperm.txt"
chmod 000 "$R/noperm.txt"
chmod 755 "$T"
if [ "$(id -u)" = 0 ]; then
	if id nobody >/dev/null 2>&1; then
		start_httpd "$R" -u nobody || fail "httpd -u nobody starts" "$(head -c 300 "$HTTPD_LOG")"
	else
		skip "unreadable file is 403" "running as root and no user nobody"
		finish
	fi
else
	start_httpd "$R" || fail "httpd starts again"
fi
check_eq "unreadable file is 403" 403 "$(get '/noperm.txt')"
check_lacks "403 does not leak the content" "$T/resp" "forbidden"
check_eq "readable file still 200 under the same server" 200 "$(get '/a.txt')"

# --- listings resolve entries as requests do ---
check_eq "listing with links: 200" 200 "$(get '/links/')"
check_lacks "a link leaving the root: its target's size not shown" "$T/resp" "7777"
check_lacks "a link leaving the root: its target's date not shown" "$T/resp" "2001-02-03"
check_contains "a link leaving the root: listed by name" "$T/resp" ">out.bin</a></td><td></td><td></td>"
check_contains "a dangling link: listed alike (no existence oracle)" "$T/resp" ">dangling.bin</a></td><td></td><td></td>"
check_contains "a link inside the root: its target's size" "$T/resp" \
	">in.bin</a></td><td title=\"12345 bytes\">12 KiB</td>"
# The same rule in the sorted and the JSON listing.
check_eq "sorted by size: 200" 200 "$(get '/links/?sort=size&order=desc')"
check_lacks "sorted: the outside target's size not shown" "$T/resp" "7777"
check_contains "sorted: a link leaving the root still bare" "$T/resp" ">out.bin</a></td><td></td><td></td>"
raw_request -t 3 "GET /links/?sort=time HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n" >"$T/resp"
check_contains "JSON: a link leaving the root by name alone" "$T/resp" '{"name":"out.bin","type":"other"}'
check_contains "JSON: a dangling link alike" "$T/resp" '{"name":"dangling.bin","type":"other"}'
check_lacks "JSON: the outside target's size not shown" "$T/resp" "7777"
check_lacks "JSON: the outside target's date not shown" "$T/resp" "Feb 2001"
check_contains "JSON: a link inside the root has its target's size" "$T/resp" '"name":"in.bin","type":"file"'
check_contains "JSON: ... 12345 bytes" "$T/resp" '"size":12345}'

finish
