/* stream: the connection a transfer talks through, plain TCP or TLS.
 *
 * transfer.c reads and writes only through these calls, so every body path
 * (buffered, direct I/O, stdout) works the same over both; only splice needs
 * the plain socket (tls NULL). Nothing here blocks or keeps
 * time: a call that cannot progress returns FETCH_STREAM_AGAIN and sets
 * want (POLLIN or POLLOUT) for the caller's poll, which owns the timeouts.
 * Failures return FETCH_STREAM_ERROR with a one-line reason in error. */
#ifndef FETCH_STREAM_H
#define FETCH_STREAM_H

#include <stddef.h>
#include <sys/types.h>

struct tls_ctx;

enum {
	FETCH_STREAM_ERROR = -1,
	FETCH_STREAM_AGAIN = -2, /* wait for `want` on fd, then call again */
};

struct fetch_stream {
	int fd;            /* connected, non-blocking once opened */
	struct tls *tls;   /* NULL: plain TCP */
	short want;        /* POLLIN or POLLOUT after FETCH_STREAM_AGAIN */
	int truncated;     /* the end came without TLS close_notify */
	int verify_failed; /* the server's certificate was refused */
	char error[384];
};

/* Takes connected socket fd (closed by fetch_stream_close), plain. 0 or -1. */
int fetch_stream_open(struct fetch_stream *s, int fd);
/* From now on TLS, as a client of host (a name or an IP literal); the
 * handshake is still to do. 0 or -1. */
int fetch_stream_start_tls(struct fetch_stream *s, struct tls_ctx *tls, const char *host);
/* 0 once the TLS handshake is done (at once for plain TCP), AGAIN or ERROR. */
int fetch_stream_handshake(struct fetch_stream *s);
/* > 0 bytes read; 0 at the end (truncated set when TLS ended without
 * close_notify: a close-delimited body is then incomplete); AGAIN; ERROR. */
ssize_t fetch_stream_read(struct fetch_stream *s, void *p, size_t n);
/* > 0 bytes written (partial writes happen); AGAIN; ERROR. */
ssize_t fetch_stream_write(struct fetch_stream *s, const void *p, size_t n);
/* Ends the connection (a TLS close_notify when it can go at once) and closes fd. */
void fetch_stream_close(struct fetch_stream *s);

#endif
