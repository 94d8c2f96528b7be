/* transport: every byte in or out of a client connection goes through here.
 *
 * Three operations: read, write a list of buffers, send a file range; each is
 * non-blocking and returns the bytes moved (> 0), TRANSPORT_AGAIN when the
 * socket would block, TRANSPORT_ERROR when the connection is dead (and read
 * returns 0 at the peer's end). transport_send_file is the one place that
 * decides how a file body travels (see limits.h, TRANSPORT_COPY_MIN). */
#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

enum { TRANSPORT_AGAIN = -2, TRANSPORT_ERROR = -1 };

struct transport {
	int fd;
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
 * connection is dead or the file shrank. *progress is set when bytes went. */
int transport_send_file(struct transport *t, struct transport_file *f, int *progress);
/* Lets go of f's mapped window. */
void transport_file_unmap(struct transport_file *f);

#endif
