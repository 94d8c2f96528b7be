/* transport: every byte in or out of a client connection goes through here,
 * in plaintext or over TLS (lib/tls).
 *
 * Three operations: read, write a list of buffers, send a file range; each is
 * non-blocking and returns the bytes moved (> 0), TRANSPORT_AGAIN when the
 * socket would block, TRANSPORT_ERROR when the connection is dead (and read
 * returns 0 at the peer's end). transport_send_file is the one place that
 * decides how a file body travels (see tunables.h, TRANSPORT_COPY_MIN). A TLS
 * transport is first driven through its handshake. */
#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "tls.h"

enum {
	TRANSPORT_ERROR = -1,
	TRANSPORT_AGAIN = -2,      /* wait for the socket's readiness (read: input, write: room) */
	TRANSPORT_WANT_WRITE = -3, /* handshake: wait until the socket takes output */
	TRANSPORT_NOT_TLS = -4     /* handshake: the peer speaks plaintext (an HTTP request) */
};

struct transport {
	int fd;
	unsigned char hello; /* TLS: the first byte was seen to open a handshake */
	struct tls *tls;     /* NULL: plaintext */
};

/* A file range on its way out, and the window of it mapped for copying. */
struct transport_file {
	int fd;        /* -1: none */
	off_t off, left;
	char *map;     /* NULL: nothing mapped */
	off_t map_off; /* the file offset where map starts */
	size_t map_len;
};

/* One read into p[0..n). */
ssize_t transport_read(struct transport *t, void *p, size_t n);
/* Writes what fits of iov[0..cnt); more: further bytes follow at once (a file
 * body, or the FIN of a close), so the kernel may hold a partial packet. */
ssize_t transport_write(struct transport *t, const struct iovec *iov, int cnt, int more);
/* Sends f until it is all gone (1) or the socket is full (0); -1 when the
 * connection is dead or the file shrank. *progress is set when bytes went.
 * Over TLS a body may be all encrypted (f->left 0) before all of it went:
 * call again until 1, as long as f is open. */
int transport_send_file(struct transport *t, struct transport_file *f, int *progress);
/* Lets go of f's mapped window. */
void transport_file_unmap(struct transport_file *f);

/* Advances a TLS handshake: 0 when complete, TRANSPORT_AGAIN (wait for
 * input), TRANSPORT_WANT_WRITE, TRANSPORT_NOT_TLS or TRANSPORT_ERROR. */
int transport_handshake(struct transport *t);
/* 1 when bytes already received wait inside the transport (TLS records):
 * read again before waiting for the socket, which will not report them. */
int transport_pending(const struct transport *t);
/* 1 when the next read's result is already known (TLS: the peer's end, or
 * an error, met behind the bytes the last read returned): read again before
 * waiting for the socket, which may never report it. */
int transport_ended(const struct transport *t);
/* The last answer went: TLS says so with a close_notify (best effort). */
void transport_close_notify(struct transport *t);
/* Frees the TLS session and closes the socket. */
void transport_close(struct transport *t);

#endif
