#!/bin/sh
# tests/tls-certs.sh DIR: throwaway certificates for the TLS tests, made with
# the openssl CLI (no private key is ever committed). ECDSA P-256 keys; run
# time well under a second. In DIR:
#   ca.pem            the test root CA (trust this one)
#   server.pem/.key   localhost, 127.0.0.1, ::1; signed by an intermediate CA,
#                     the file holds leaf then intermediate (a chain)
#   rsa.pem/.key      the same names, RSA 2048, signed by the root
#   expired.pem/.key  localhost, valid 2020-01-01 to 2020-02-01
#   wrongname.pem/.key  for wrong.example only
#   self.pem/.key     localhost, self-signed
#   other.key         a key that matches none of the certificates
#   unknown-ca.pem    a root that signed nothing here
set -eu
d=${1:?usage: tls-certs.sh DIR}
mkdir -p "$d"
cd "$d"
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
san="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
q() { "$@" >/dev/null 2>&1 || { echo "tls-certs.sh: failed: $*" >&2; exit 1; }; }

root() { # NAME CN
	q openssl req -x509 $ec -keyout "$1.key" -out "$1.pem" -days 3650 -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
csr() { # NAME CN SAN [KEYSPEC]
	q openssl req -new ${4:-$ec} -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" -addext "$3"
}
sign() { # NAME ISSUER SERIAL [EXTFILE]
	q openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -set_serial "$3" -days 825 \
		-copy_extensions copy ${4:+-extfile "$4"} -out "$1.pem"
}

root ca "fetch-httpd test CA"
root unknown-ca "an unknown CA"
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext
csr inter "fetch-httpd test intermediate" "basicConstraints=critical,CA:TRUE"
sign inter ca 2 ca.ext
csr leaf localhost "$san"
sign leaf inter 3
cat leaf.pem inter.pem >server.pem
mv leaf.key server.key
csr rsa localhost "$san" "-newkey rsa:2048 -nodes"
sign rsa ca 4
csr wrongname wrong.example "subjectAltName=DNS:wrong.example"
sign wrongname ca 5
q openssl req -x509 $ec -keyout self.key -out self.pem -days 825 -subj /CN=localhost -addext "$san"
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key

# Expired: `openssl ca` is the CLI's one way to set past dates without faketime.
csr expired localhost "$san"
mkdir -p ca.db
: >ca.db/index.txt
echo 10 >ca.db/serial
cat >ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = ca.db/index.txt
new_certs_dir = ca.db
serial = ca.db/serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
CNF
q openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
	-notext -startdate 20200101000000Z -enddate 20200201000000Z
rm -rf ./*.csr ca.db ca.cnf ca.ext leaf.pem
