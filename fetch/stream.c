/* stream: plain TCP or TLS behind one set of calls (contract in stream.h). */
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls.h"

int fetch_stream_open(struct fetch_stream *s, int fd)
{
	int fl = fcntl(fd, F_GETFL), one = 1;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	/* The request follows the TLS Finished in a second write: without
	 * NODELAY it waits for that segment's (delayed) ACK, 40 ms here. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		snprintf(s->error, sizeof(s->error), "%s", strerror(errno));
		return -1;
	}
	return 0;
}

int fetch_stream_start_tls(struct fetch_stream *s, struct tls_ctx *tls, const char *host)
{
	s->tls = tls_client(tls, s->fd, host, s->error, sizeof(s->error));
	return s->tls ? 0 : -1;
}

/* A tls_* result that is not a byte count, as a stream result. */
static ssize_t stream_tls_result(struct fetch_stream *s, ssize_t r)
{
	switch (r) {
	case TLS_WANT_READ:
		s->want = POLLIN;
		return FETCH_STREAM_AGAIN;
	case TLS_WANT_WRITE:
		s->want = POLLOUT;
		return FETCH_STREAM_AGAIN;
	case TLS_CLOSED:
		return 0;
	case TLS_EOF:
		s->truncated = 1;
		return 0;
	default:
		break;
	}
	s->verify_failed = tls_verify_failed(s->tls);
	snprintf(s->error, sizeof(s->error), "%s", tls_error(s->tls));
	return FETCH_STREAM_ERROR;
}

/* A recv or send result as a stream result; `want` is what EAGAIN waits for. */
static ssize_t stream_sys_result(struct fetch_stream *s, ssize_t r, short want)
{
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		s->want = want;
		return FETCH_STREAM_AGAIN;
	}
	snprintf(s->error, sizeof(s->error), "%s", strerror(errno));
	return FETCH_STREAM_ERROR;
}

int fetch_stream_handshake(struct fetch_stream *s)
{
	int r = s->tls ? tls_handshake(s->tls) : 0;
	return r == 0 ? 0 : (int)stream_tls_result(s, r);
}

ssize_t fetch_stream_read(struct fetch_stream *s, void *p, size_t n)
{
	ssize_t r;

	if (s->tls) {
		r = tls_read(s->tls, p, n);
		return r > 0 ? r : stream_tls_result(s, r);
	}
	do
		r = recv(s->fd, p, n, 0);
	while (r < 0 && errno == EINTR);
	return stream_sys_result(s, r, POLLIN);
}

ssize_t fetch_stream_write(struct fetch_stream *s, const void *p, size_t n)
{
	ssize_t r;

	if (s->tls) {
		r = tls_write(s->tls, p, n);
		return r > 0 ? r : stream_tls_result(s, r);
	}
	do
		r = send(s->fd, p, n, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return stream_sys_result(s, r, POLLOUT);
}

void fetch_stream_close(struct fetch_stream *s)
{
	if (s->tls) {
		(void)tls_shutdown(s->tls); /* one try: the response is already complete */
		tls_free(s->tls);
		s->tls = NULL;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
