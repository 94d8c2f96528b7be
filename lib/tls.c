/* tls: a thin layer over OpenSSL 3 (contract in tls.h). */
#include "tls.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* Mozilla's "intermediate" TLS 1.2 suites (TLS 1.3's defaults are already
 * its list): forward secrecy and AEAD only. */
#define TLS_CIPHERS_12                                                                             \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                               \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                               \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"                               \
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
#define TLS_GROUPS "X25519:P-256:P-384"
/* A client reads ahead into a larger buffer: one recv brings many records. */
#define TLS_CLIENT_READ_BUF (128 * 1024)
#define TLS_FILE_CHUNK (16 * 1024) /* one record's worth, for sendfile without kTLS */
#define TLS_ERROR_MAX 384
/* Session ticket keys: one per period of TLS_TICKET_PERIOD seconds of wall
 * time, made by a one-way ratchet: a random 32-byte state at start, and at
 * each new period state = HMAC-SHA-256(state, "next"), keys =
 * HMAC-SHA-512(state, "keys") (AES-256-CBC, then HMAC-SHA-256). Every worker
 * forked with the same state steps it at the same periods, so all hold the
 * same keys with nothing shared at run time; and a step cannot be undone, so
 * memory read later gives no key of a period already gone (the tickets of the
 * past, which carry session secrets, stay sealed). A period's key seals the
 * tickets made in it and opens them also in the next period; then it is
 * gone. A ticket lives two periods (its lifetime hint), so it is honoured 12
 * to 24 hours. */
#define TLS_TICKET_PERIOD (12 * 3600)
#define TLS_TICKET_NAME "httpd-tk" /* 8 bytes, then the period's number */

struct tls_tickets {
	uint64_t period;         /* of cur */
	int anchored;            /* period was set from a clock (tls_ctx_set_time) */
	int has_prev;            /* prev holds the keys of period - 1 */
	unsigned char state[32]; /* the ratchet at period */
	unsigned char cur[64];   /* AES key, then HMAC key, of period */
	unsigned char prev[64];
};

static const unsigned char tls_alpn_http11[] = "\x08http/1.1";

struct tls_ctx {
	SSL_CTX *ssl_ctx;
	unsigned refs;              /* the caller's and one per session */
	unsigned gathering;         /* sessions gathering their records now (tls_gather_begin) */
	EVP_CIPHER *ticket_cipher;  /* server: AES-256-CBC, fetched once */
	struct tls_tickets tickets; /* server */
};

/* Kept small: an idle server session already holds ~14 KB inside OpenSSL
 * (README, "Memory per idle TLS connection"), so the name and the message
 * buffer are allocated only by the clients and the failures that use them. */
struct tls {
	SSL *ssl;
	struct tls_ctx *ctx;  /* referenced: the ticket callback reads it */
	char *host;           /* a client's peer name, for messages; NULL on a server */
	char *error;          /* the last failure's reason (TLS_ERROR_MAX bytes); NULL before one */
	int pending;          /* a result to report on the next read (after returning bytes) */
	unsigned char failed; /* TLS_ERROR or TLS_EOF happened: no shutdown */
	unsigned char verify_failed;
	unsigned char handshaken; /* the handshake completed */
	unsigned char error_lost; /* no memory for the reason */
	unsigned char gathering;  /* records go through a buffer BIO (tls_gather_begin) */
};

const char *tls_library(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

/* Sets the reason tls_error() reports. */
__attribute__((format(printf, 2, 3))) static void tls_set_error(struct tls *t, const char *fmt, ...)
{
	va_list ap;

	if (!t->error && !(t->error = malloc(TLS_ERROR_MAX))) {
		t->error_lost = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->error, TLS_ERROR_MAX, fmt, ap);
	va_end(ap);
}

/* The newest OpenSSL error's reason, else fallback. */
static const char *tls_queue_reason(const char *fallback)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());
	return r ? r : fallback;
}

/* Never prompt for a passphrase on the terminal: an encrypted key is refused. */
static int tls_no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

static struct tls_ctx *tls_ctx_wrap(SSL_CTX *sc, char *err, size_t errlen)
{
	struct tls_ctx *c = malloc(sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		SSL_CTX_free(sc);
		return NULL;
	}
	*c = (struct tls_ctx){.ssl_ctx = sc, .refs = 1};
	SSL_CTX_set_app_data(sc, c);
	return c;
}

void tls_ctx_free(struct tls_ctx *c)
{
	if (!c || --c->refs > 0)
		return;
	SSL_CTX_free(c->ssl_ctx);
	EVP_CIPHER_free(c->ticket_cipher);
	OPENSSL_cleanse(&c->tickets, sizeof(c->tickets));
	free(c);
}

/* The keys of the ratchet's state. */
static int tls_ticket_derive(struct tls_tickets *k)
{
	unsigned int len = 0;

	return HMAC(EVP_sha512(), k->state, sizeof(k->state), (const unsigned char *)"keys", 4,
	            k->cur, &len) &&
	               len == sizeof(k->cur)
	           ? 0
	           : -1;
}

/* One period on: the state and keys of the last period are overwritten. */
static int tls_ticket_step(struct tls_tickets *k)
{
	unsigned char next[32];
	unsigned int len = 0;

	if (!HMAC(EVP_sha256(), k->state, sizeof(k->state), (const unsigned char *)"next", 4, next,
	          &len) ||
	    len != sizeof(next))
		return -1;
	memcpy(k->prev, k->cur, sizeof(k->prev));
	memcpy(k->state, next, sizeof(k->state));
	OPENSSL_cleanse(next, sizeof(next));
	k->has_prev = 1;
	k->period++;
	return tls_ticket_derive(k);
}

void tls_ctx_set_time(struct tls_ctx *c, time_t now)
{
	struct tls_tickets *k = &c->tickets;
	uint64_t p = now > 0 ? (uint64_t)now / TLS_TICKET_PERIOD : 0;

	if (!k->anchored) {
		k->period = p;
		k->anchored = 1;
		return;
	}
	/* A clock set back leaves the keys as they are: the ratchet only goes on. */
	while (k->period < p && tls_ticket_step(k) == 0)
		;
}

/* A directory of CAs named by subject hash ("1a2b3c4d.0"), as Debian's
 * /etc/ssl/certs: lookups there read only the CA a chain needs. */
static int tls_dir_hashed(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d)))
		found = strlen(e->d_name) == 10 && strspn(e->d_name, "0123456789abcdef") == 8 &&
		        strcmp(e->d_name + 8, ".0") == 0;
	closedir(d);
	return found;
}

/* The system's CAs, where OpenSSL would look (SSL_CERT_FILE and SSL_CERT_DIR
 * honoured). The default bundle file is read only when the default directory
 * is not hashed: parsing its ~150 certificates costs ~20 ms a run, more than
 * a whole small download, and the hashed directory holds the same CAs.
 * A missing store is not an error: ca_file may be all there is. */
static void tls_system_store(SSL_CTX *sc)
{
	const char *file = getenv(X509_get_default_cert_file_env());
	const char *dir = getenv(X509_get_default_cert_dir_env());

	if (!dir)
		dir = X509_get_default_cert_dir();
	if (!file && !tls_dir_hashed(dir))
		file = X509_get_default_cert_file();
	if (file)
		(void)SSL_CTX_load_verify_file(sc, file);
	(void)SSL_CTX_load_verify_dir(sc, dir);
}

struct tls_ctx *tls_client_ctx(const struct tls_client_opts *o, char *err, size_t errlen)
{
	SSL_CTX *sc;

	ERR_clear_error();
	sc = SSL_CTX_new(TLS_client_method());
	if (!sc) {
		snprintf(err, errlen, "TLS: %s", tls_queue_reason("cannot create a context"));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(sc, TLS1_2_VERSION);
	SSL_CTX_set_options(sc, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(sc, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_read_ahead(sc, 1);
	SSL_CTX_set_default_read_buffer_len(sc, TLS_CLIENT_READ_BUF);
	SSL_CTX_set_default_passwd_cb(sc, tls_no_password);
	if (SSL_CTX_set_alpn_protos(sc, tls_alpn_http11, sizeof(tls_alpn_http11) - 1) != 0)
		goto fail;
	tls_system_store(sc);
	ERR_clear_error();
	errno = 0; /* the reason below is errno's only when this load set it */
	if (o->ca_file && SSL_CTX_load_verify_locations(sc, o->ca_file, NULL) != 1) {
		snprintf(err, errlen, "%s: cannot load CA certificates: %s", o->ca_file,
		         errno && !ERR_peek_last_error() ? strerror(errno)
		                                         : tls_queue_reason("not PEM"));
		SSL_CTX_free(sc);
		return NULL;
	}
	SSL_CTX_set_verify(sc, o->no_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	return tls_ctx_wrap(sc, err, errlen);
fail:
	snprintf(err, errlen, "TLS: %s", tls_queue_reason("cannot configure the context"));
	SSL_CTX_free(sc);
	return NULL;
}

/* ALPN: http/1.1 when offered; otherwise go on without ALPN (the client
 * falls back to HTTP/1.1 or gives up on its own). */
static int tls_alpn_select(SSL *s, const unsigned char **out, unsigned char *outlen,
                           const unsigned char *in, unsigned int inlen, void *arg)
{
	(void)s;
	(void)arg;
	for (unsigned int i = 0; i < inlen; i += 1u + in[i]) {
		if (in[i] == tls_alpn_http11[0] && i + 1u + in[i] <= inlen &&
		    memcmp(in + i + 1, tls_alpn_http11 + 1, in[i]) == 0) {
			*out = in + i + 1;
			*outlen = in[i];
			return SSL_TLSEXT_ERR_OK;
		}
	}
	return SSL_TLSEXT_ERR_NOACK;
}

/* A file that cannot be opened gets errno's words, before OpenSSL's vaguer ones. */
static int tls_readable(const char *what, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

static int tls_server_cert(SSL_CTX *sc, const struct tls_server_opts *o, char *err, size_t errlen)
{
	X509 *cert;

	if (tls_readable("certificate", o->cert_file, err, errlen) ||
	    tls_readable("key", o->key_file, err, errlen))
		return -1;
	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(sc, o->cert_file) != 1) {
		snprintf(err, errlen, "certificate %s: no usable PEM certificate (%s)",
		         o->cert_file, tls_queue_reason("unreadable"));
		return -1;
	}
	cert = SSL_CTX_get0_certificate(sc);
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
		snprintf(err, errlen, "certificate %s has expired", o->cert_file);
		return -1;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
		snprintf(err, errlen, "certificate %s is not valid yet", o->cert_file);
		return -1;
	}
	ERR_clear_error();
	if (SSL_CTX_use_PrivateKey_file(sc, o->key_file, SSL_FILETYPE_PEM) != 1) {
		if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
			snprintf(err, errlen, "key %s does not match certificate %s", o->key_file,
			         o->cert_file);
		else
			snprintf(err, errlen, "key %s: no usable PEM private key (%s)", o->key_file,
			         tls_queue_reason("unreadable"));
		return -1;
	}
	if (SSL_CTX_check_private_key(sc) != 1) {
		snprintf(err, errlen, "key %s does not match certificate %s", o->key_file,
		         o->cert_file);
		return -1;
	}
	return 0;
}

/* OpenSSL's ticket hook: seals a new ticket with this period's key (enc), or
 * finds the key a ticket names: 1 this period's, 2 valid and the client gets
 * a new ticket, 0 none (a full handshake), -1 failure. A new ticket goes out
 * for the last period's key, and in TLS 1.3 for every ticket: a client
 * should present a ticket once (RFC 8446, C.4), so without a new one it
 * could resume only every other connection. */
static int tls_ticket_cb(SSL *s, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *cctx,
                         EVP_MAC_CTX *hctx, int enc)
{
	const struct tls_ctx *c = SSL_CTX_get_app_data(SSL_get_SSL_CTX(s));
	const struct tls_tickets *k = &c->tickets;
	unsigned char keys[64]; /* a copy: OSSL_PARAM takes a writable buffer */
	uint64_t p = 0;
	int prev = 0, r;

	if (enc) {
		memcpy(name, TLS_TICKET_NAME, 8);
		for (int i = 0; i < 8; i++)
			name[8 + i] = (unsigned char)(k->period >> (56 - 8 * i));
		if (RAND_bytes(iv, 16) != 1)
			return -1;
	} else {
		if (memcmp(name, TLS_TICKET_NAME, 8) != 0)
			return 0;
		for (int i = 0; i < 8; i++)
			p = p << 8 | name[8 + i];
		if (k->has_prev && p + 1 == k->period)
			prev = 1;
		else if (p != k->period)
			return 0;
	}
	r = !enc && (prev || SSL_version(s) >= TLS1_3_VERSION) ? 2 : 1;
	memcpy(keys, prev ? k->prev : k->cur, sizeof(keys));
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, keys + 32, 32),
	                       OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
	                       OSSL_PARAM_construct_end()};
	if (EVP_MAC_CTX_set_params(hctx, params) != 1 ||
	    EVP_CipherInit_ex(cctx, c->ticket_cipher, NULL, keys, iv, enc) != 1)
		r = -1;
	OPENSSL_cleanse(keys, sizeof(keys));
	return r;
}

/* Tickets sealed by the ratchet of o->tickets_of (a reload), or a new one. */
static int tls_ticket_setup(struct tls_ctx *c, const struct tls_server_opts *o)
{
	if (o->tickets_of)
		c->tickets = o->tickets_of->tickets;
	else if (RAND_bytes(c->tickets.state, sizeof(c->tickets.state)) != 1 ||
	         tls_ticket_derive(&c->tickets) != 0)
		return -1;
	if (!(c->ticket_cipher = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL)))
		return -1;
	SSL_CTX_set_timeout(c->ssl_ctx, 2 * TLS_TICKET_PERIOD);
	return SSL_CTX_set_tlsext_ticket_key_evp_cb(c->ssl_ctx, tls_ticket_cb) == 1 ? 0 : -1;
}

struct tls_ctx *tls_server_ctx(const struct tls_server_opts *o, char *err, size_t errlen)
{
	struct tls_ctx *c;

	/* A client that closes TCP without close_notify (a half-close after its
	 * request, an idle keep-alive dropped) ends its input like any other:
	 * OpenSSL 3 would otherwise answer with a fatal decode_error alert, which
	 * a half-closed client still reading takes for a broken answer. */
	uint64_t opts =
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF;
	SSL_CTX *sc;

	ERR_clear_error();
	sc = SSL_CTX_new(TLS_server_method());
	if (!sc) {
		snprintf(err, errlen, "TLS: %s", tls_queue_reason("cannot create a context"));
		return NULL;
	}
#ifdef SSL_OP_NO_CLIENT_RENEGOTIATION
	opts |= SSL_OP_NO_CLIENT_RENEGOTIATION;
#endif
#ifdef SSL_OP_ENABLE_KTLS
	if (o->ktls)
		opts |= SSL_OP_ENABLE_KTLS;
#endif
	SSL_CTX_set_options(sc, opts);
	SSL_CTX_set_min_proto_version(sc, TLS1_2_VERSION);
	SSL_CTX_set_mode(sc, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
	                         SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* One recv brings what has arrived, not a record header and then its
	 * body: a keep-alive request costs one read instead of two. */
	SSL_CTX_set_read_ahead(sc, 1);
	/* Resumption is by ticket alone (the client keeps the state). A server
	 * cache would keep the session of every TLS 1.2 client without tickets
	 * (~1 KB each, up to 20,480 per worker) after its connection closed,
	 * and that client would miss it when it lands on another worker. */
	SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_default_passwd_cb(sc, tls_no_password);
	SSL_CTX_set_alpn_select_cb(sc, tls_alpn_select, NULL);
	SSL_CTX_set_dh_auto(sc, 1);
	if (SSL_CTX_set_cipher_list(sc, TLS_CIPHERS_12) != 1 ||
	    SSL_CTX_set1_groups_list(sc, TLS_GROUPS) != 1) {
		snprintf(err, errlen, "TLS: %s", tls_queue_reason("cannot set the ciphers"));
		goto fail;
	}
	if (tls_server_cert(sc, o, err, errlen) != 0)
		goto fail;
	if (!(c = tls_ctx_wrap(sc, err, errlen)))
		return NULL;
	if (tls_ticket_setup(c, o) != 0) {
		snprintf(err, errlen, "TLS: session tickets: %s",
		         tls_queue_reason("cannot set up"));
		tls_ctx_free(c);
		return NULL;
	}
	return c;
fail:
	SSL_CTX_free(sc);
	return NULL;
}

static int tls_is_ip(const char *host)
{
	unsigned char a[16];
	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static struct tls *tls_new(struct tls_ctx *c, int fd, char *err, size_t errlen)
{
	struct tls *t = calloc(1, sizeof(*t));

	ERR_clear_error();
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->ctx = c;
	c->refs++;
	if (!(t->ssl = SSL_new(c->ssl_ctx)) || SSL_set_fd(t->ssl, fd) != 1) {
		snprintf(err, errlen, "TLS: %s", tls_queue_reason("out of memory"));
		tls_free(t);
		return NULL;
	}
	return t;
}

struct tls *tls_client(struct tls_ctx *c, int fd, const char *host, char *err, size_t errlen)
{
	struct tls *t = tls_new(c, fd, err, errlen);
	int ok;

	if (!t)
		return NULL;
	if (!(t->host = strdup(host))) {
		snprintf(err, errlen, "out of memory");
		tls_free(t);
		return NULL;
	}
	SSL_set_connect_state(t->ssl);
	if (tls_is_ip(host))
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host) == 1;
	else
		ok = SSL_set_tlsext_host_name(t->ssl, t->host) == 1 &&
		     SSL_set1_host(t->ssl, host) == 1;
	if (!ok) {
		snprintf(err, errlen, "TLS: cannot use host name %s: %s", host,
		         tls_queue_reason("refused"));
		tls_free(t);
		return NULL;
	}
	return t;
}

struct tls *tls_server(struct tls_ctx *c, int fd, char *err, size_t errlen)
{
	struct tls *t = tls_new(c, fd, err, errlen);

	if (t)
		SSL_set_accept_state(t->ssl);
	return t;
}

void tls_free(struct tls *t)
{
	if (!t)
		return;
	if (t->gathering)
		t->ctx->gathering--;
	SSL_free(t->ssl); /* and the buffer BIO, when gathering */
	tls_ctx_free(t->ctx);
	free(t->host);
	free(t->error);
	free(t);
}

/* Plain words for the verification results people meet. */
static void tls_verify_text(struct tls *t, long v)
{
	const char *what;

	switch (v) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		what = "certificate has expired";
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		what = "certificate is not yet valid";
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		what = "unknown issuer (not signed by a trusted CA)";
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		what = "self-signed certificate";
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		what = "self-signed certificate in the chain (untrusted root)";
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		tls_set_error(
		    t, "certificate verify failed: name mismatch (the certificate is not for %s)",
		    t->host);
		return;
	default:
		what = X509_verify_cert_error_string(v);
		break;
	}
	tls_set_error(t, "certificate verify failed: %s", what);
}

/* Turns a failed OpenSSL call's return r into a tls_result, with the reason. */
static int tls_result_of(struct tls *t, int r)
{
	int e = SSL_get_error(t->ssl, r);
	unsigned long q = ERR_peek_last_error();
	long v;

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return TLS_CLOSED;
	case SSL_ERROR_SYSCALL:
		if (q == 0 && errno == 0)
			goto eof;
		t->failed = 1;
		tls_set_error(t, "%s", q ? tls_queue_reason("error") : strerror(errno));
		return TLS_ERROR;
	default:
		break;
	}
	if (ERR_GET_REASON(q) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		goto eof;
	t->failed = 1;
	v = SSL_get_verify_result(t->ssl);
	if (ERR_GET_REASON(q) == SSL_R_CERTIFICATE_VERIFY_FAILED && v != X509_V_OK) {
		t->verify_failed = 1;
		tls_verify_text(t, v);
		return TLS_ERROR;
	}
	tls_set_error(t, "TLS: %s", tls_queue_reason("protocol error"));
	return TLS_ERROR;
eof:
	t->failed = 1;
	tls_set_error(t, "%s",
	              t->handshaken ? "connection closed without TLS close_notify"
	                            : "connection closed during the TLS handshake");
	return TLS_EOF;
}

int tls_handshake(struct tls *t)
{
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(t->ssl);
	if (r == 1) {
		t->handshaken = 1;
		return 0;
	}
	r = tls_result_of(t, r);
	return r == TLS_CLOSED || r == TLS_EOF ? TLS_ERROR : r;
}

ssize_t tls_read(struct tls *t, void *p, size_t n)
{
	size_t got = 0, r;
	int res;

	if (t->pending) {
		res = t->pending;
		t->pending = 0;
		return res;
	}
	/* Records already received are decrypted in this call; a new recv only
	 * when nothing has been returned yet. */
	while (got < n && (got == 0 || SSL_has_pending(t->ssl))) {
		ERR_clear_error();
		errno = 0;
		if (SSL_read_ex(t->ssl, (char *)p + got, n - got, &r) == 1) {
			got += r;
			continue;
		}
		res = tls_result_of(t, 0);
		if (got == 0)
			return res;
		if (res != TLS_WANT_READ && res != TLS_WANT_WRITE)
			t->pending = res;
		break;
	}
	return (ssize_t)got;
}

ssize_t tls_write(struct tls *t, const void *p, size_t n)
{
	size_t w;

	ERR_clear_error();
	errno = 0;
	if (SSL_write_ex(t->ssl, p, n, &w) == 1)
		return (ssize_t)w;
	return tls_result_of(t, 0);
}

int tls_pending(const struct tls *t)
{
	return SSL_has_pending(t->ssl);
}

int tls_end_pending(const struct tls *t)
{
	return t->pending != 0;
}

int tls_ktls_send(const struct tls *t)
{
#ifdef BIO_get_ktls_send
	return BIO_get_ktls_send(SSL_get_wbio(t->ssl)) ? 1 : 0;
#else
	(void)t;
	return 0;
#endif
}

ssize_t tls_sendfile(struct tls *t, int fd, off_t off, size_t n)
{
	char chunk[TLS_FILE_CHUNK];
	ssize_t got;

	if (tls_ktls_send(t)) {
		ossl_ssize_t s;
		ERR_clear_error();
		errno = 0;
		s = SSL_sendfile(t->ssl, fd, off, n, 0);
		return s > 0 ? (ssize_t)s : tls_result_of(t, (int)s);
	}
	/* Re-reading the same bytes after a want is what SSL_write asks for. */
	got = pread(fd, chunk, n < sizeof(chunk) ? n : sizeof(chunk), off);
	if (got <= 0) {
		tls_set_error(t, "reading the file: %s",
		              got == 0 ? "file ended early" : strerror(errno));
		return TLS_ERROR;
	}
	return tls_write(t, chunk, (size_t)got);
}

int tls_shutdown(struct tls *t)
{
	int r;

	if (t->failed)
		return TLS_ERROR;
	ERR_clear_error();
	errno = 0;
	r = SSL_shutdown(t->ssl);
	if (r >= 0)
		return 0;
	r = tls_result_of(t, r);
	return r == TLS_CLOSED || r == TLS_EOF ? TLS_ERROR : r;
}

int tls_verify_failed(const struct tls *t)
{
	return t->verify_failed;
}

const char *tls_error(const struct tls *t)
{
	return t->error ? t->error : t->error_lost ? "out of memory" : "";
}

const char *tls_describe(const struct tls *t, char *out, size_t outlen)
{
	const unsigned char *alpn = NULL;
	unsigned int alen = 0;

	SSL_get0_alpn_selected(t->ssl, &alpn, &alen);
	snprintf(out, outlen, "%s %s%s%.*s", SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl),
	         alen ? " ALPN " : "", (int)alen, alen ? (const char *)alpn : "");
	return out;
}

int tls_gather_begin(struct tls *t, size_t size, unsigned most)
{
	BIO *sock = SSL_get_wbio(t->ssl), *buf;

	if (t->gathering || t->ctx->gathering >= most || tls_ktls_send(t))
		return -1;
	if (!(buf = BIO_new(BIO_f_buffer())))
		return -1;
	if (BIO_set_write_buffer_size(buf, (long)size) != 1 || BIO_up_ref(sock) != 1) {
		BIO_free(buf);
		return -1;
	}
	SSL_set0_wbio(t->ssl, BIO_push(buf, sock)); /* the session's reference to sock moves to buf */
	t->gathering = 1;
	t->ctx->gathering++;
	return 0;
}

int tls_flush(struct tls *t, int *progress)
{
	BIO *w = SSL_get_wbio(t->ssl);
	int before = t->gathering ? BIO_wpending(w) : 0;

	if (before <= 0)
		return 0;
	int r = BIO_flush(w);
	if (BIO_wpending(w) < before)
		*progress = 1;
	if (r > 0)
		return 0;
	if (BIO_should_retry(w))
		return TLS_WANT_WRITE;
	tls_set_error(t, "sending: %s", strerror(errno));
	t->failed = 1;
	return TLS_ERROR;
}

void tls_gather_end(struct tls *t)
{
	BIO *buf = SSL_get_wbio(t->ssl);
	BIO *sock = BIO_next(buf);

	if (!t->gathering || BIO_wpending(buf) > 0)
		return;
	BIO_up_ref(sock);         /* the session's own, again */
	SSL_set0_wbio(t->ssl, sock); /* frees buf, and buf's reference to sock */
	t->gathering = 0;
	t->ctx->gathering--;
}
