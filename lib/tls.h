/* tls: TLS over a socket, for fetch (client) and httpd (server). The only
 * place that includes an OpenSSL header (Debian's OpenSSL 3, libssl-dev).
 *
 * A context holds the configuration (trust store or certificate and key); a
 * session is one connection over a socket the caller owns, non-blocking or
 * not, and never closes. The caller drives everything: when an operation
 * returns TLS_WANT_READ or TLS_WANT_WRITE it waits for that readiness (poll
 * or epoll) and calls the same operation again with the same arguments.
 *
 * Return convention, for every session operation: a value >= 0 is success
 * (a byte count for read, write and sendfile; 0 for handshake and shutdown
 * when finished), a negative value is one of enum tls_result. After
 * TLS_ERROR, tls_error() names the reason in one line ("certificate has
 * expired", "unknown issuer", "name mismatch", "self-signed certificate",
 * "unsupported protocol version", ...) and tls_verify_failed() says whether
 * it was the peer's certificate that failed verification. Functions that
 * build contexts return NULL with a one-line reason in err.
 *
 * Contexts are reference counted: a session holds its context, so a server
 * reloading its certificate builds a new context, swaps it in for new
 * connections and frees the old one; sessions already made keep theirs.
 *
 * Session tickets: a server context makes a random state (in memory only)
 * and steps it by a one-way function once per 12 hours of the time the caller
 * gives with tls_ctx_set_time (period n is [n * 12 h, (n + 1) * 12 h) since
 * the epoch); each step gives the period's ticket key, and no step can be
 * undone, so the keys of periods gone cannot be found again. A key seals the
 * tickets of its period and still opens them in the next; a ticket's
 * lifetime is 24 hours. Give the context its time, then fork the workers;
 * build a reload's context with tickets_of set to the one it replaces: every
 * worker then holds the same keys at the same time, so a client resumes on
 * whichever worker it lands. Not thread-safe per session; one
 * session per connection. SIGPIPE is the caller's to ignore
 * (net_ignore_sigpipe). */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

enum tls_result {
	TLS_ERROR = -1,      /* failed: tls_error() says why; the session is unusable */
	TLS_WANT_READ = -2,  /* wait until the socket is readable, then call again */
	TLS_WANT_WRITE = -3, /* wait until the socket is writable, then call again */
	TLS_CLOSED = -4,     /* read: the peer closed cleanly (close_notify) */
	TLS_EOF = -5         /* read: the connection ended without close_notify
	                      * (a truncation attack, or a careless peer); a
	                      * server reports that end as TLS_CLOSED */
};

struct tls_ctx;
struct tls;

struct tls_client_opts {
	const char *ca_file; /* PEM CAs trusted besides the system store; NULL: none */
	int no_verify;       /* 1: accept any certificate (--no-check-certificate) */
};

struct tls_server_opts {
	const char *cert_file;            /* PEM certificate, then its chain */
	const char *key_file;             /* PEM private key (RSA or ECDSA) */
	int ktls;                         /* 1: ask for kernel TLS (SSL_OP_ENABLE_KTLS) */
	const struct tls_ctx *tickets_of; /* a reload: go on with this context's ticket
	                                   * secret; NULL: a new random one */
};

/* Client: the system trust store (SSL_CERT_FILE / SSL_CERT_DIR honoured; a
 * hashed certificate directory is preferred to the bundle file, which costs
 * ~20 ms to parse) plus ca_file, verification on unless no_verify, TLS 1.2
 * at least, ALPN http/1.1. */
struct tls_ctx *tls_client_ctx(const struct tls_client_opts *o, char *err, size_t errlen);
/* Server: TLS 1.2 and 1.3 only, Mozilla's "intermediate" ciphers, ALPN
 * http/1.1 (a client offering only other protocols goes on without ALPN),
 * session tickets (see above; no server-side session cache), no
 * renegotiation, no compression, I/O buffers released while idle, no alert
 * for a client that closes without close_notify, no early data. Refused
 * with a reason naming the file and the problem: an unreadable file, no
 * certificate or key in it, a key that does not match the certificate, a
 * certificate that has expired or is not yet valid. */
struct tls_ctx *tls_server_ctx(const struct tls_server_opts *o, char *err, size_t errlen);
/* Drops the caller's reference (NULL is fine). */
void tls_ctx_free(struct tls_ctx *c);
/* The wall time (seconds since the epoch) of a server context's ticket keys:
 * the first call sets the period of the keys the context was made with, later
 * ones step them up to now's period (a clock set back changes nothing). */
void tls_ctx_set_time(struct tls_ctx *c, time_t now);

/* A client session on connected socket fd. host (a name, or an IPv4/IPv6
 * literal without brackets) is what the certificate must be for; SNI is
 * sent for names, never for IP literals. NULL with a reason in err. */
struct tls *tls_client(struct tls_ctx *c, int fd, const char *host, char *err, size_t errlen);
/* A server session on accepted socket fd. */
struct tls *tls_server(struct tls_ctx *c, int fd, char *err, size_t errlen);
/* Frees the session (not the socket). Send tls_shutdown() first for a clean close. */
void tls_free(struct tls *t);

/* Advances the handshake: 0 when complete (the peer verified, for a client). */
int tls_handshake(struct tls *t);
/* Up to n bytes of plaintext: > 0, or TLS_CLOSED, TLS_EOF, a want or an error.
 * Reads every record already received, so one call may return many. */
ssize_t tls_read(struct tls *t, void *p, size_t n);
/* Writes some of p (partial writes happen): > 0 bytes taken. After a want,
 * call again with the same bytes (the buffer may move). */
ssize_t tls_write(struct tls *t, const void *p, size_t n);
/* Up to n bytes of file fd from offset off: by SSL_sendfile when kernel TLS
 * send is active on the session, else read and encrypted here. > 0 bytes sent
 * (a file that shrank gives TLS_ERROR "file ended early"). */
ssize_t tls_sendfile(struct tls *t, int fd, off_t off, size_t n);
/* Sends close_notify: 0 once sent (the peer's answer is not awaited), or a
 * want or an error. */
int tls_shutdown(struct tls *t);

/* 1 when received bytes wait in the session (decrypted, or records read
 * ahead): a reader that stopped with its buffer full must read again before
 * waiting on the socket, which has nothing more to say about them. It may
 * also be 1 for a partial record, which only more input completes: read
 * again only after a read that filled the buffer. */
int tls_pending(const struct tls *t);
/* 1 when the last read returned bytes and met behind them the end of the
 * input (close_notify, the TCP close) or an error, which the next read
 * reports: no socket event will announce it, so read again now. */
int tls_end_pending(const struct tls *t);
/* 1 when kernel TLS carries this session's sends (after the handshake). */
int tls_ktls_send(const struct tls *t);

/* Server sessions sending a large body without kernel TLS: records are
 * gathered in a buffer of `size` bytes and reach the socket when it fills
 * (or at tls_flush), one write per `size` bytes instead of one per 16 KB
 * record: a quarter less CPU per MB and a third more throughput on loopback
 * (PROFILE.md, finding 9). At most `most` sessions of one context gather at
 * once (the buffers are memory). 0, or -1: not gathering (kTLS, the limit,
 * no memory) and nothing changed. */
int tls_gather_begin(struct tls *t, size_t size, unsigned most);
/* Sends what is gathered: 0 when all went (or nothing is gathered),
 * TLS_WANT_WRITE when the socket is full, TLS_ERROR; *progress is set when
 * bytes went. */
int tls_flush(struct tls *t, int *progress);
/* Back to one write per record, once tls_flush() returned 0 (else nothing). */
void tls_gather_end(struct tls *t);
/* 1 when the last TLS_ERROR was a certificate verification failure. */
int tls_verify_failed(const struct tls *t);
/* The last TLS_ERROR's reason, one line ("" before any). */
const char *tls_error(const struct tls *t);
/* The negotiated version, cipher and ALPN protocol, e.g.
 * "TLSv1.3 TLS_AES_256_GCM_SHA384 ALPN http/1.1". */
const char *tls_describe(const struct tls *t, char *out, size_t outlen);
/* The library and its version, e.g. "OpenSSL 3.0.17 1 Jul 2025". */
const char *tls_library(void);

#endif
