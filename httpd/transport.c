/* transport: see transport.h. */
#include "transport.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include "tunables.h"

#define TRANSPORT_SENDFILE_MAX 0x7ffff000L /* Linux moves no more per call anyway */

static ssize_t transport_errno(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK ? TRANSPORT_AGAIN : TRANSPORT_ERROR;
}

ssize_t transport_read(struct transport *t, void *p, size_t n)
{
	ssize_t r;

	do
		r = recv(t->fd, p, n, 0);
	while (r < 0 && errno == EINTR);
	return r >= 0 ? r : transport_errno();
}

ssize_t transport_write(struct transport *t, const struct iovec *iov, int cnt, int more)
{
	struct msghdr m = {.msg_iov = (struct iovec *)(uintptr_t)iov, .msg_iovlen = (size_t)cnt};
	ssize_t r;

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
static ssize_t transport_copy(struct transport *t, struct transport_file *f, size_t *want)
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
	if (*want > TRANSPORT_COPY_CHUNK)
		*want = TRANSPORT_COPY_CHUNK;
	if ((off_t)*want > f->left)
		*want = (size_t)f->left;
	struct iovec iov = {f->map + at, *want};
	ssize_t n = transport_write(t, &iov, 1, 0);
	if (n > 0)
		f->off += n;
	return n;
}

int transport_send_file(struct transport *t, struct transport_file *f, int *progress)
{
	/* Measured (PROFILE.md, finding 5): sendfile under TRANSPORT_COPY_MIN,
	 * a copy from the mapping above it (a loopback receiver's cost). */
	int copy = f->left >= TRANSPORT_COPY_MIN;

	while (f->left > 0) {
		size_t want;
		ssize_t n = copy ? transport_copy(t, f, &want) : transport_sendfile(t, f, &want);
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
	return 1;
}
