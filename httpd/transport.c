/* transport: see transport.h. */
#include "transport.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tunables.h"

#define TRANSPORT_SENDFILE_MAX 0x7ffff000L /* Linux moves no more per call anyway */

static ssize_t transport_errno(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK ? TRANSPORT_AGAIN : TRANSPORT_ERROR;
}

/* A lib/tls result as ours. */
static ssize_t transport_tls(ssize_t r)
{
	if (r >= 0)
		return r;
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE)
		return TRANSPORT_AGAIN;
	return r == TLS_CLOSED || r == TLS_EOF ? 0 : TRANSPORT_ERROR;
}

ssize_t transport_read(struct transport *t, void *p, size_t n)
{
	ssize_t r;

	if (t->tls)
		return transport_tls(tls_read(t->tls, p, n));
	do
		r = recv(t->fd, p, n, 0);
	while (r < 0 && errno == EINTR);
	return r >= 0 ? r : transport_errno();
}

/* TLS takes one buffer at a time, and a write returns after each record
 * (partial writes): go on until all went or the socket is full, so that a
 * short count means what it means in plaintext. After a want, the caller
 * comes back with the bytes from the first one not counted, as OpenSSL asks. */
static ssize_t transport_tls_write(struct transport *t, const struct iovec *iov, int cnt)
{
	ssize_t done = 0;

	for (int i = 0; i < cnt; i++) {
		for (size_t off = 0; off < iov[i].iov_len;) {
			ssize_t r = tls_write(t->tls, (char *)iov[i].iov_base + off, iov[i].iov_len - off);
			if (r < 0)
				return done > 0 ? done : transport_tls(r == TLS_CLOSED ? TLS_ERROR : r);
			off += (size_t)r;
			done += r;
		}
	}
	return done;
}

ssize_t transport_write(struct transport *t, const struct iovec *iov, int cnt, int more)
{
	struct msghdr m = {.msg_iov = (struct iovec *)(uintptr_t)iov, .msg_iovlen = (size_t)cnt};
	ssize_t r;

	if (t->tls)
		return transport_tls_write(t, iov, cnt);
	do
		r = sendmsg(t->fd, &m, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
	while (r < 0 && errno == EINTR);
	return r >= 0 ? r : transport_errno();
}

void transport_file_unmap(struct transport_file *f)
{
	if (f->map)
		munmap(f->map, f->map_len);
	f->map = NULL;
}

/* By sendfile: the kernel moves page-cache pages, no copy in user space. */
static ssize_t transport_sendfile(struct transport *t, struct transport_file *f, size_t *want)
{
	ssize_t n;

	*want = (size_t)(f->left < TRANSPORT_SENDFILE_MAX ? f->left : TRANSPORT_SENDFILE_MAX);
	if (t->tls) { /* kernel TLS: SSL_sendfile */
		n = transport_tls(tls_sendfile(t->tls, f->fd, f->off, *want));
		if (n > 0)
			f->off += n;
		return n == 0 ? TRANSPORT_ERROR : n;
	}
	do
		n = sendfile(t->fd, f->fd, &f->off, *want);
	while (n < 0 && errno == EINTR);
	if (n == 0) /* the file shrank under us: the promised length cannot be kept */
		return TRANSPORT_ERROR;
	return n > 0 ? n : transport_errno();
}

/* Copied into the socket from a window mapped from the file: one copy (page
 * cache to socket buffer). Only the kernel touches the mapping, so a file
 * truncated under us fails the send with EFAULT rather than raise SIGBUS. */
static ssize_t transport_copy(struct transport *t, struct transport_file *f, size_t *want,
			      size_t chunk)
{
	if (!f->map || f->off >= f->map_off + (off_t)f->map_len) {
		transport_file_unmap(f);
		off_t start = f->off & ~(off_t)(TRANSPORT_MAP_WINDOW - 1);
		off_t end = f->off + f->left;
		size_t len = (size_t)(end - start < TRANSPORT_MAP_WINDOW ? end - start
									  : TRANSPORT_MAP_WINDOW);
		void *m = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, f->fd, start);
		if (m == MAP_FAILED)
			return transport_sendfile(t, f, want);
		f->map = m;
		f->map_off = start;
		f->map_len = len;
	}
	size_t at = (size_t)(f->off - f->map_off);
	*want = f->map_len - at;
	if (*want > chunk)
		*want = chunk;
	if ((off_t)*want > f->left)
		*want = (size_t)f->left;
	struct iovec iov = {f->map + at, *want};
	ssize_t n = transport_write(t, &iov, 1, 0);
	if (n > 0)
		f->off += n;
	return n;
}

/* The gathered tail of a body: 1 when it went (and gathering ends), 0 when
 * the socket is full, -1. */
static int transport_tls_flush(struct transport *t, int *progress)
{
	int r = tls_flush(t->tls, progress);

	if (r == TLS_WANT_WRITE)
		return 0;
	if (r < 0)
		return -1;
	tls_gather_end(t->tls);
	return 1;
}

int transport_send_file(struct transport *t, struct transport_file *f, int *progress)
{
	/* The one choice of a body's path (PROFILE.md, finding 5). Plaintext:
	 * sendfile under TRANSPORT_COPY_MIN, a copy from the mapping above it (a
	 * loopback receiver's cost). TLS: SSL_sendfile when the kernel encrypts,
	 * else encrypted straight from the mapping (one pass over the bytes). */
	int copy = t->tls ? !tls_ktls_send(t->tls) : f->left >= TRANSPORT_COPY_MIN;
	size_t chunk = (size_t)(t->tls ? TRANSPORT_TLS_CHUNK : TRANSPORT_COPY_CHUNK);

	/* A large body over user-space TLS leaves in writes of many records. */
	if (t->tls && copy && f->left >= TRANSPORT_TLS_GATHER_MIN)
		(void)tls_gather_begin(t->tls, TRANSPORT_TLS_GATHER, TRANSPORT_TLS_GATHER_MOST);
	while (f->left > 0) {
		size_t want;
		ssize_t n = copy ? transport_copy(t, f, &want, chunk) : transport_sendfile(t, f, &want);
		if (n == TRANSPORT_AGAIN)
			return 0;
		if (n < 0)
			return -1;
		f->left -= n;
		*progress = 1;
		/* A short count means the socket buffer filled: no call just to hear EAGAIN. */
		if ((size_t)n < want)
			return 0;
	}
	return t->tls ? transport_tls_flush(t, progress) : 1;
}

int transport_handshake(struct transport *t)
{
	unsigned char first;

	/* Every TLS connection opens with a handshake record (type 22); a
	 * letter is an HTTP request sent to the wrong port. */
	if (!t->hello) {
		ssize_t n = recv(t->fd, &first, 1, MSG_PEEK);
		if (n < 0)
			return (int)transport_errno();
		if (n == 0)
			return TRANSPORT_ERROR;
		if (first != 22)
			return first >= 'A' && first <= 'Z' ? TRANSPORT_NOT_TLS : TRANSPORT_ERROR;
		t->hello = 1;
	}
	int r = tls_handshake(t->tls);
	if (r == TLS_WANT_READ)
		return TRANSPORT_AGAIN;
	if (r == TLS_WANT_WRITE)
		return TRANSPORT_WANT_WRITE;
	return r < 0 ? TRANSPORT_ERROR : 0;
}

int transport_pending(const struct transport *t)
{
	return t->tls && tls_pending(t->tls);
}

int transport_ended(const struct transport *t)
{
	return t->tls && tls_end_pending(t->tls);
}

void transport_close_notify(struct transport *t)
{
	if (t->tls)
		(void)tls_shutdown(t->tls);
}

void transport_close(struct transport *t)
{
	tls_free(t->tls);
	t->tls = NULL;
	close(t->fd);
}
