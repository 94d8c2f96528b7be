#!/bin/sh
# fetch over HTTPS: nginx over TLS as a real peer, tests/tls_server.py for the
# odd cases. Certificates are made now by tests/tls-certs.sh (nothing secret
# is committed). Every failure: its exit status, a reason naming the problem,
# no file left behind.
. "$(dirname "$0")/../lib.sh"

F="$BIN/fetch"
TESTS="$(cd "$(dirname "$0")/.." && pwd)"
C="$TEST_TMP/certs"
W="$TEST_TMP/work"
mkdir -p "$W"
if ! sh "$TESTS/tls-certs.sh" "$C" 2>"$TEST_TMP/certs.err"; then
	fail "certificates made" "$(cat "$TEST_TMP/certs.err")"
	finish
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# start_tls NAME [ARGS...]: tests/tls_server.py; sets TPORT.
start_tls() {
	pf="$TEST_TMP/$1.port"
	shift
	python3 "$TESTS/tls_server.py" --port-file "$pf" "$@" >/dev/null 2>>"$TEST_TMP/tls_server.err" \
		</dev/null &
	track_pid $!
	n=0
	while [ ! -s "$pf" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	TPORT=$(cat "$pf" 2>/dev/null)
}
# tls_on NAME CERT [ARGS...]: a scripted TLS server with certs/CERT.pem and .key.
tls_on() {
	n=$1 cert=$2
	shift 2
	start_tls "$n" --cert "$C/$cert.pem" --key "$C/$cert.key" --log "$TEST_TMP/$n.log" "$@"
}

# nginx over TLS on a free loopback port, its own prefix; sets NPORT NGINX_PID.
start_nginx() {
	p="$TEST_TMP/nginx"
	mkdir -p "$p/www" "$p/tmp"
	NPORT=$(free_port)
	# As root, nginx's workers would switch to www-data and lose the private TEST_TMP.
	user=""
	[ "$(id -u)" = 0 ] && user="user root;"
	cat >"$p/nginx.conf" <<CONF
$user
worker_processes 1;
daemon off;
pid $p/nginx.pid;
error_log $p/error.log;
events { worker_connections 64; }
http {
    default_type application/octet-stream;
    access_log $p/access.log;
    log_format conn '\$connection \$status \$request_uri';
    access_log $p/conn.log conn;
    client_body_temp_path $p/tmp;
    proxy_temp_path $p/tmp;
    fastcgi_temp_path $p/tmp;
    uwsgi_temp_path $p/tmp;
    scgi_temp_path $p/tmp;
    server {
        listen 127.0.0.1:$NPORT ssl;
        ssl_certificate $C/server.pem;
        ssl_certificate_key $C/server.key;
        root $p/www;
    }
}
CONF
	"$NGINX" -p "$p" -c "$p/nginx.conf" -e "$p/error.log" </dev/null >/dev/null 2>&1 &
	NGINX_PID=$!
	track_pid "$NGINX_PID"
	n=0
	while ! lib_port_open 127.0.0.1 "$NPORT" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
}

# failed NAME STATUS TEXT CMD...: that status, TEXT on stderr, no file in $W.
failed() {
	name=$1 want=$2 text=$3
	shift 3
	rm -rf "$W" && mkdir -p "$W"
	(cd "$W" && timeout 30 "$@") >/dev/null 2>"$TEST_TMP/err"
	check_eq "$name: exit status" "$want" "$?"
	check_contains "$name: the reason" "$TEST_TMP/err" "$text"
	check_eq "$name: one line" 1 "$(wc -l <"$TEST_TMP/err")"
	check_eq "$name: no file" "" "$(ls -A "$W")"
}

start_nginx
printf 'hello from nginx\n' >"$TEST_TMP/nginx/www/hello.txt"
N="https://localhost:$NPORT"

# ---- good chains ----------------------------------------------------------
"$F" -q --ca-certificate "$C/ca.pem" -o "$W/a" "$N/hello.txt"
check_eq "nginx, --ca-certificate: exit 0" 0 "$?"
check_eq "nginx, --ca-certificate: the body" "hello from nginx" "$(cat "$W/a" 2>/dev/null)"
SSL_CERT_FILE="$C/ca.pem" "$F" -q -o "$W/b" "$N/hello.txt"
check_eq "nginx, SSL_CERT_FILE: exit 0" 0 "$?"
check "nginx, SSL_CERT_FILE: same body" cmp "$W/a" "$W/b"
mkdir -p "$TEST_TMP/capath" && cp "$C/ca.pem" "$TEST_TMP/capath/" &&
	openssl rehash "$TEST_TMP/capath" 2>/dev/null
SSL_CERT_DIR="$TEST_TMP/capath" SSL_CERT_FILE=/nonexistent "$F" -q -o "$W/c" "$N/hello.txt"
check_eq "nginx, SSL_CERT_DIR: exit 0" 0 "$?"
"$F" -q --ca-certificate "$C/ca.pem" -o "$W/d" "https://127.0.0.1:$NPORT/hello.txt"
check_eq "nginx, IP literal (IP SAN): exit 0" 0 "$?"
"$F" --ca-certificate "$C/ca.pem" -o - "$N/hello.txt" >"$W/e" 2>"$TEST_TMP/err"
check_eq "nginx, -o -: the body on stdout" "hello from nginx" "$(cat "$W/e")"
check_contains "nginx, -o -: the head on stderr" "$TEST_TMP/err" "HTTP/1.1 200 OK"
"$F" -q --ca-certificate "$C/ca.pem" -o "$W/f" "https://localhost:$NPORT/missing" 2>/dev/null
check_eq "nginx, 404 over TLS: exit 8" 8 "$?"
"$F" -v --ca-certificate "$C/ca.pem" -o /dev/null "$N/hello.txt" >"$TEST_TMP/v" 2>&1
check_contains "-v: the protocol and ALPN" "$TEST_TMP/v" "ALPN http/1.1, certificate verified"

# ---- verification failures: exit 5, the reason named, no file ---------------
failed "unknown CA" 5 "unknown issuer" "$F" -q "$N/hello.txt"
failed "another CA's file" 5 "unknown issuer" "$F" -q --ca-certificate "$C/unknown-ca.pem" \
	"$N/hello.txt"
tls_on expired expired
failed "expired" 5 "certificate verify failed: certificate has expired" \
	"$F" -q --ca-certificate "$C/ca.pem" "https://localhost:$TPORT/hello"
tls_on wrong wrongname
failed "wrong name" 5 "name mismatch (the certificate is not for localhost)" \
	"$F" -q --ca-certificate "$C/ca.pem" "https://localhost:$TPORT/hello"
failed "wrong name, IP literal" 5 "name mismatch (the certificate is not for 127.0.0.1)" \
	"$F" -q --ca-certificate "$C/ca.pem" "https://127.0.0.1:$TPORT/hello"
tls_on self self
failed "self-signed" 5 "self-signed certificate" \
	"$F" -q --ca-certificate "$C/ca.pem" "https://localhost:$TPORT/hello"
failed "unreadable --ca-certificate" 2 "--ca-certificate $C/nothing.pem: No such file" \
	"$F" -q --ca-certificate "$C/nothing.pem" "https://localhost:$TPORT/hello"
failed "--ca-certificate without a certificate" 2 "ca.key: cannot load CA certificates" \
	"$F" -q --ca-certificate "$C/ca.key" "https://localhost:$TPORT/hello"

# --no-check-certificate: accepted, one warning for all the URLs.
(cd "$W" && "$F" -q --no-check-certificate -o - "https://localhost:$TPORT/hello" \
	"https://localhost:$TPORT/hello") >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_eq "--no-check-certificate: exit 0" 0 "$?"
check_eq "--no-check-certificate: both bodies" 2 "$(grep -c 'hello over tls' "$TEST_TMP/out")"
check_eq "--no-check-certificate: warns once" 1 "$(grep -c 'not verified' "$TEST_TMP/err")"

# ---- SNI for names, never for IP literals ------------------------------------
tls_on sni server
"$F" -q --ca-certificate "$C/ca.pem" -o /dev/null "https://localhost:$TPORT/hello"
"$F" -q --ca-certificate "$C/ca.pem" -o /dev/null "https://127.0.0.1:$TPORT/hello"
check_eq "SNI: the name, then none for 127.0.0.1" "SNI: localhost SNI: none" \
	"$(grep '^SNI' "$TEST_TMP/sni.log" | tr '\n' ' ' | sed 's/ $//')"

# ---- the protocol floor -----------------------------------------------------
tls_on old server --tls-max 1.1
# The server really speaks TLS 1.1, so the refusal below is fetch's.
if echo | timeout 10 openssl s_client -connect "127.0.0.1:$TPORT" -tls1_1 \
	-cipher 'DEFAULT:@SECLEVEL=0' 2>/dev/null | grep -q 'Protocol *: TLSv1.1'; then
	ok "the old server speaks TLS 1.1"
else
	skip "the old server speaks TLS 1.1" "this OpenSSL cannot serve TLS 1.1"
fi
failed "TLS 1.0/1.1-only server refused" 4 "TLS handshake with localhost failed" \
	"$F" -q --ca-certificate "$C/ca.pem" "https://localhost:$TPORT/hello"

# ---- truncation: close_notify or nothing --------------------------------------
tls_on trunc server
"$F" -q --ca-certificate "$C/ca.pem" -o "$W/closed" "https://localhost:$TPORT/close"
check_eq "close-delimited body with close_notify: exit 0" 0 "$?"
check_eq "close-delimited body with close_notify: the body" "no length, ends at close" \
	"$(cat "$W/closed")"
failed "close-delimited body cut without close_notify" 7 "without close_notify" \
	"$F" -q --ca-certificate "$C/ca.pem" "https://localhost:$TPORT/cut"
failed "Content-Length body cut over TLS" 7 "incomplete body" \
	"$F" -q --ca-certificate "$C/ca.pem" "https://localhost:$TPORT/cut-length"

# ---- -T and --max-time cover the handshake -------------------------------------
start_tls stall --stall
t0=$(date +%s)
failed "stalled handshake, -T 2" 4 "timed out: nothing for 2 s during the TLS handshake" \
	"$F" -q -T 2 "https://localhost:$TPORT/hello"
failed "stalled handshake, --max-time 2" 4 "--max-time 2 s reached during the TLS handshake" \
	"$F" -q --max-time 2 "https://localhost:$TPORT/hello"
t1=$(date +%s)
check "stalled handshakes: bounded (both within 20 s)" test $((t1 - t0)) -lt 20

# ---- redirects: http -> https -> http, credentials only to the first origin ----
# Three origins: http://127.0.0.1:P, https://localhost:T, http://localhost:P (another
# host name for the same server). The -H credentials reach the first only.
start_tls plain --plain --log "$TEST_TMP/plain.log"
PPORT=$TPORT
tls_on hop server
last="http://localhost:$PPORT/echo"
mid="https://localhost:$TPORT/redirect?to=$(printf %s "$last" | sed 's/:/%3A/g; s,/,%2F,g')"
first="http://127.0.0.1:$PPORT/redirect?to=$(printf %s "$mid" | sed 's/%/%25/g; s/:/%3A/g; s,/,%2F,g; s/?/%3F/g; s/=/%3D/g')"
"$F" -q --ca-certificate "$C/ca.pem" -H 'Authorization: Basic c2VjcmV0' -H 'Cookie: s=1' \
	-o "$W/echo" "$first"
check_eq "http -> https -> http: exit 0" 0 "$?"
check_contains "http -> https -> http: ended at /echo" "$W/echo" "GET /echo HTTP/1.1"
check_contains "http -> https -> http: the last hop's Host" "$W/echo" "Host: localhost:$PPORT"
check_eq "credentials sent to the first origin" 1 \
	"$(grep -c '^Authorization: Basic c2VjcmV0' "$TEST_TMP/plain.log")"
check_lacks "no Authorization to the https origin" "$TEST_TMP/hop.log" "Authorization"
check_lacks "no Cookie to the https origin" "$TEST_TMP/hop.log" "Cookie"
check_lacks "no Authorization to the third origin" "$W/echo" "Authorization"
check_lacks "no Cookie to the third origin" "$W/echo" "Cookie"

# ---- keep-alive over TLS: one connection, one handshake, for the whole list ------
for f in k1 k2 k3; do printf '%s\n' "$f" >"$TEST_TMP/nginx/www/$f.txt"; done
rm -rf "$W" && mkdir -p "$W"
(cd "$W" && "$F" -q --ca-certificate "$C/ca.pem" "$N/k1.txt" "$N/none.txt" "$N/k2.txt" \
	"$N/k3.txt") 2>"$TEST_TMP/err"
check_eq "keep-alive over TLS: status 8 (the 404)" 8 "$?"
check_eq "keep-alive over TLS: the files" "k1 k2 k3" "$(cd "$W" && cat k1.txt k2.txt k3.txt | tr '\n' ' ' | sed 's/ $//')"
grep -E ' /(k[123]|none)\.txt$' "$TEST_TMP/nginx/conn.log" >"$TEST_TMP/ka.log"
check_eq "keep-alive over TLS: four requests" 4 "$(wc -l <"$TEST_TMP/ka.log" | tr -d ' ')"
check_eq "keep-alive over TLS: one connection" 1 "$(cut -d' ' -f1 "$TEST_TMP/ka.log" | sort -u | wc -l | tr -d ' ')"

# ---- large files and resume from nginx -----------------------------------------
big="$TEST_TMP/nginx/www/big.bin"
head -c $((100 * 1024 * 1024)) /dev/urandom >"$big"
want=$(sha256sum <"$big" | cut -d' ' -f1)
"$F" -q --ca-certificate "$C/ca.pem" -o "$W/big" "$N/big.bin"
check_eq "100 MiB over TLS (direct I/O): exit 0" 0 "$?"
check_eq "100 MiB over TLS (direct I/O): sha256" "$want" "$(sha256sum <"$W/big" | cut -d' ' -f1)"
rm -f "$W/big"
FETCH_DIRECT=0 "$F" -q --ca-certificate "$C/ca.pem" -o "$W/big" "$N/big.bin"
check_eq "100 MiB over TLS (buffered): sha256" "$want" "$(sha256sum <"$W/big" | cut -d' ' -f1)"
rm -f "$W/big"
check_eq "100 MiB over TLS to stdout: sha256" "$want" \
	"$("$F" -q --ca-certificate "$C/ca.pem" -o - "$N/big.bin" | sha256sum | cut -d' ' -f1)"
head -c $((30 * 1024 * 1024 + 123)) "$big" >"$W/big"
"$F" -q -r --ca-certificate "$C/ca.pem" -o "$W/big" "$N/big.bin"
check_eq "resume over TLS: exit 0" 0 "$?"
check_eq "resume over TLS: sha256" "$want" "$(sha256sum <"$W/big" | cut -d' ' -f1)"
check_contains "resume over TLS: nginx answered 206" "$TEST_TMP/nginx/access.log" '"GET /big.bin HTTP/1.1" 206'
rm -f "$W/big" "$big"

# ---- --version names the TLS library --------------------------------------------
"$F" --version >"$TEST_TMP/v"
check_contains "--version names OpenSSL" "$TEST_TMP/v" "OpenSSL 3"

kill "$NGINX_PID" 2>/dev/null
wait_pid "$NGINX_PID" 5
finish
