/* conn: see conn.h.
 *
 * Deadlines by state: IDLE waits `timeout_s` for a next request (a new
 * connection gets `header_timeout_s` for its first); HEAD gets
 * `header_timeout_s` counted from the first byte of the head and never
 * extended, so trickling bytes buys nothing; BODY and WRITE are renewed on
 * each bit of progress; LINGER is short and fixed. */
#include "conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accesslog.h"
#include "httpd.h"
#include "reqcheck.h"
#include "server.h"

#define CONN_SENDFILE_MAX 0x7ffff000L /* Linux moves no more per call anyway */
/* File bodies of at least CONN_COPY_MIN bytes (what is left to send) are
 * copied into the socket from a mapped window of the file (CONN_MAP_WINDOW,
 * pre-faulted), CONN_COPY_CHUNK per send. On loopback a sendfile'd body
 * reaches the receiver as page-cache pages in 4 KiB fragments, and receiving
 * it cost the client ~3x more CPU per MB than receiving copied bytes
 * (bench/PROFILE.md, finding 5). Bench (e), 100 MiB, 2 rounds of 5 s:
 * sendfile 1.7-2.1 GB/s, pread+send through a buffer 2.4-2.8, send from the
 * mapping 3.4-3.5 (the pread copy gone); 2 MiB sends beat 512 KiB ones
 * (3.5 vs 3.2). For a 64 KiB body sendfile stays ahead (76k req/s against
 * 45k mapping each response, 73k from memory), hence the threshold.
 * On a real network sendfile would be the cheaper choice: set CONN_COPY_MIN
 * above any file size (e.g. -DCONN_COPY_MIN=4611686018427387904LL). */
#ifndef CONN_COPY_MIN
#define CONN_COPY_MIN    (1024 * 1024)
#endif
#define CONN_COPY_CHUNK  (2L * 1024 * 1024)
/* A power of two. A window not in the page cache is read from disk when it
 * is mapped, stalling the worker that long (as a read or sendfile would):
 * 4 MiB sent as fast as 8 here, 2 MiB cost ~3%. */
#define CONN_MAP_WINDOW  (4L * 1024 * 1024)

/* What one request step came to. */
enum { STEP_MORE, STEP_DONE, STEP_STOP };

struct conn_io {
	struct buffer in;     /* bytes read; [in_off, len) not yet parsed */
	size_t in_off;
	size_t scan;          /* where the search for the head's end resumes, from in_off */
	struct buffer out;    /* responses; [out_off, len) not yet sent */
	size_t out_off;
	int file_fd;          /* body file of the last response in out, or -1 */
	struct filecache_fd *file_ref; /* file_fd's lender, or NULL: ours to close */
	off_t file_off, file_left;
	char *map;            /* a window of file_fd mapped for the copy path, or NULL */
	off_t map_off;        /* the file offset where map starts */
	size_t map_len;
	size_t body_seen;     /* request body bytes dropped so far */
	uint8_t in_body;      /* the head is parsed, its body (if any) is flowing */
	uint8_t close;        /* close once everything is sent */
	uint8_t linger;       /* ...reading what the client may still send first */
	struct conn_io *next; /* in the pool */
	struct http_msg msg;
};

/* ---- buffers and parser, pooled per worker ---- */

static int conn_on_body(void *arg, const char *at, size_t n)
{
	struct conn_io *io = arg;
	(void)at;
	io->body_seen += n;
	return io->body_seen > HTTPD_BODY_DISCARD_MAX;
}

static void io_free(struct conn_io *io)
{
	buffer_free(&io->in);
	buffer_free(&io->out);
	http_msg_free(&io->msg);
	free(io);
}

static struct conn_io *io_get(struct server *s)
{
	struct conn_io *io = s->pool;

	if (io) {
		s->pool = io->next;
		s->npool--;
	} else {
		io = calloc(1, sizeof *io);
		if (!io)
			return NULL;
		buffer_init(&io->in, CONN_IN_MAX);
		buffer_init(&io->out, CONN_OUT_MAX);
		http_msg_init(&io->msg, HTTP_REQUEST);
		io->msg.on_body = conn_on_body;
		io->msg.arg = io;
	}
	/* Whatever the last user left it in (mid-message, failed, closed): a
	 * pooled parser is handed out in its start state. */
	http_msg_reset(&io->msg);
	buffer_clear(&io->in);
	buffer_clear(&io->out);
	io->in_off = io->scan = io->out_off = 0;
	io->file_fd = -1;
	io->file_ref = NULL;
	io->file_off = io->file_left = 0;
	io->map = NULL;
	io->body_seen = 0;
	io->in_body = io->close = io->linger = 0;
	return io;
}

static void io_unmap(struct conn_io *io)
{
	if (io->map)
		munmap(io->map, io->map_len);
	io->map = NULL;
}

/* Lets go of the response's body file and of any window mapped from it. */
static void io_file_done(struct conn_io *io)
{
	io_unmap(io);
	respond_file_done(io->file_fd, io->file_ref);
	io->file_fd = -1;
	io->file_ref = NULL;
}

static void io_put(struct server *s, struct conn_io *io)
{
	io_file_done(io);
	if (s->npool >= CONN_POOL_MAX) {
		io_free(io);
		return;
	}
	/* Big buffers served one big answer; the pool keeps only everyday sizes. */
	if (io->out.cap > CONN_OUT_BATCH)
		buffer_free(&io->out);
	if (io->in.cap > 2 * CONN_READ_MIN)
		buffer_free(&io->in);
	if (io->msg.head.store.cap > 2 * CONN_READ_MIN)
		buffer_free(&io->msg.head.store);
	io->next = s->pool;
	s->pool = io;
	s->npool++;
}

void conn_pool_free(struct server *s)
{
	while (s->pool) {
		struct conn_io *io = s->pool;
		s->pool = io->next;
		io_free(io);
	}
	s->npool = 0;
}

/* ---- state changes ---- */

static int conn_set(struct server *s, struct conn *c, enum conn_state st, uint32_t events,
		    uint32_t deadline)
{
	c->state = (uint8_t)st;
	c->deadline = deadline;
	if (c->events == events && !c->unread)
		return 0;
	return server_watch(s, c, events);
}

void conn_close(struct server *s, struct conn *c)
{
	if (c->io)
		io_put(s, c->io);
	server_conn_gone(s, c->fd);
	close(c->fd);
	free(c);
}

/* Nothing buffered, everything sent: the buffers go back to the pool. */
static void conn_idle(struct server *s, struct conn *c)
{
	io_put(s, c->io);
	c->io = NULL;
	if (s->draining ||
	    conn_set(s, c, CONN_IDLE, EPOLLIN, s->clock + (uint32_t)s->ctx.cfg->timeout_s) < 0)
		conn_close(s, c);
}

/* The last response is out. A client that may still be sending (an unread
 * body, pipelined bytes, garbage) gets its data read and dropped for a moment
 * after our FIN: closing with unread input would send a RST, and a RST can
 * destroy the response in the client's receive buffer before it is read. */
static void conn_finish(struct server *s, struct conn *c)
{
	struct conn_io *io = c->io;

	if (!io->linger && !io->in_body && io->in_off == io->in.len) {
		conn_close(s, c);
		return;
	}
	shutdown(c->fd, SHUT_WR);
	io_put(s, io);
	c->io = NULL;
	if (conn_set(s, c, CONN_LINGER, EPOLLIN, s->clock + CONN_LINGER_S) < 0)
		conn_close(s, c);
}

/* ---- the access log ---- */

static void conn_host(const struct conn *c, char *out, size_t cap)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; log a.b.c.d. */
	if (c->family == AF_INET6 && memcmp(c->addr, v4mapped, 12) == 0) {
		if (!inet_ntop(AF_INET, c->addr + 12, out, (socklen_t)cap))
			out[0] = '\0';
		return;
	}
	if (!inet_ntop(c->family, c->addr, out, (socklen_t)cap))
		out[0] = '\0';
}

/* parsed: the head went through llhttp; else the raw request line is logged. */
static void conn_log(struct server *s, struct conn *c, const struct response *r, int parsed)
{
	struct conn_io *io = c->io;
	const struct http_head *h = &io->msg.head;
	char host[INET6_ADDRSTRLEN];

	if (!accesslog_on(s->log))
		return;
	conn_host(c, host, sizeof host);
	struct accesslog_entry e = {.host = host, .status = r->status, .bytes = r->body_len};
	if (parsed) {
		e.method = llhttp_method_name((llhttp_method_t)h->method);
		e.target = http_target(h, &e.target_len);
		e.major = h->major;
		e.minor = h->minor;
		struct http_value referer = http_field(h, HF_REFERER), agent = http_field(h, HF_USER_AGENT);
		e.referer = referer.v;
		e.referer_len = referer.n;
		e.agent = agent.v;
		e.agent_len = agent.n;
	} else {
		e.line = io->in.data + io->in_off;
		e.line_len = io->in.len - io->in_off;
		const char *eol = memchr(e.line, '\n', e.line_len);
		if (eol)
			e.line_len = (size_t)(eol - e.line);
		if (e.line_len > 0 && e.line[e.line_len - 1] == '\r')
			e.line_len--;
	}
	accesslog_add(s->log, &e, s->ctx.now);
}

/* ---- requests ---- */

/* A request that cannot be answered normally: an error page, then close. */
static int conn_fail(struct server *s, struct conn *c, int status)
{
	struct conn_io *io = c->io;
	struct response r;

	respond_error(&s->ctx, status, &io->out, &r); /* out as it was if it failed */
	conn_log(s, c, &r, io->in_body);
	io->close = 1;
	io->linger = 1;
	return STEP_STOP;
}

/* The planner's answer to the parsed request; STEP_STOP when nothing may
 * follow it yet (a file body to send first, or the connection closes). */
static int conn_answer(struct server *s, struct conn *c)
{
	struct conn_io *io = c->io;
	struct http_head *h = &io->msg.head;
	struct response r = {.fd = -1};
	size_t mark = io->out.len;

	/* So that the planner says Connection: close: shutting down, or after an
	 * Upgrade or CONNECT, whose following bytes llhttp no longer takes for HTTP. */
	if (s->draining || io->msg.parser.upgrade)
		h->keep_alive = 0;
	if (respond(&s->ctx, h, &io->out, &r) < 0) {
		io->out.len = mark;
		respond_file_done(r.fd, r.fd_ref);
		io->close = 1;
		return STEP_STOP;
	}
	conn_log(s, c, &r, 1);
	if (r.fd >= 0 && r.len > 0) {
		io->file_fd = r.fd;
		io->file_ref = r.fd_ref;
		io->file_off = r.off;
		io->file_left = r.len;
	} else {
		respond_file_done(r.fd, r.fd_ref);
	}
	if (r.close || !h->keep_alive)
		io->close = 1;
	return io->close || io->file_fd >= 0 ? STEP_STOP : STEP_DONE;
}

/* Length of the head at p through its blank line, or 0 while incomplete. A
 * bare LF ends lines here too, so that such a head is complete, reaches the
 * raw check and is refused, rather than waiting for a CRLF that never comes. */
static size_t conn_head_end(const char *p, size_t n, size_t *scan)
{
	size_t i = *scan;

	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		if (!nl)
			break;
		size_t at = (size_t)(nl - p);
		if (at + 1 < n && p[at + 1] == '\n')
			return at + 2;
		if (at + 2 < n && p[at + 1] == '\r' && p[at + 2] == '\n')
			return at + 3;
		if (at + 2 >= n) { /* the next line's first bytes decide: wait for them */
			*scan = at;
			return 0;
		}
		i = at + 1;
	}
	*scan = n;
	return 0;
}

/* Frames, checks and parses the next head. 0 when parsed, -1 when more bytes
 * are needed, else the error status. */
static int conn_head(struct conn *c)
{
	struct conn_io *io = c->io;
	size_t used;

	/* RFC 9112 2.2: empty lines before a request line are ignored. */
	while (io->in.len - io->in_off >= 2 && io->in.data[io->in_off] == '\r' &&
	       io->in.data[io->in_off + 1] == '\n') {
		io->in_off += 2;
		io->scan = io->scan > 2 ? io->scan - 2 : 0; /* it counts from in_off */
	}
	const char *p = io->in.data + io->in_off;
	size_t avail = io->in.len - io->in_off;
	if (avail == 0)
		return -1;
	size_t hl = conn_head_end(p, avail, &io->scan);
	/* A whole head this short has its first line end in it: no 414 to seek. */
	if (hl == 0 || hl > CONN_LINE_MAX + 1) {
		size_t look = avail < CONN_LINE_MAX + 1 ? avail : CONN_LINE_MAX + 1;
		if (!memchr(p, '\n', look) && avail > CONN_LINE_MAX)
			return 414;
	}
	if (hl == 0)
		return avail >= HTTP_HEAD_MAX ? 431 : -1;
	if (hl > HTTP_HEAD_MAX)
		return 431;
	int st = reqcheck_raw(p, hl);
	if (st)
		return st;
	enum http_feed f = http_msg_feed(&io->msg, p, hl, &used);
	if (f == HTTP_ERROR)
		return io->msg.error_status ? io->msg.error_status : 400;
	/* llhttp must agree with the framing about where the head ends. */
	if (f != HTTP_HEAD_DONE || used != hl)
		return 400;
	st = reqcheck_head(&io->msg.head);
	if (st)
		return st;
	io->in_off += hl;
	io->scan = 0;
	io->in_body = 1;
	return 0;
}

static int conn_expects_continue(const struct http_head *h)
{
	struct http_value v = http_field(h, HF_EXPECT);
	return v.v && v.n == 12 && strncasecmp(v.v, "100-continue", 12) == 0;
}

/* Right after the head: answers that do not wait for the body. */
static int conn_head_answer(struct server *s, struct conn *c)
{
	struct conn_io *io = c->io;
	struct http_head *h = &io->msg.head;
	const llhttp_t *p = &io->msg.parser;

	if (!h->has_body)
		return STEP_MORE;
	if ((p->flags & F_CONTENT_LENGTH) && p->content_length > HTTPD_BODY_DISCARD_MAX)
		return conn_fail(s, c, 413);
	if (conn_expects_continue(h)) {
		/* A final answer instead of 100 Continue: the client need not send the body. */
		h->keep_alive = 0;
		io->linger = 1;
		conn_answer(s, c);
		io->close = 1;
		return STEP_STOP;
	}
	return STEP_MORE;
}

/* Answers the next request if all of it is buffered. */
static int conn_step(struct server *s, struct conn *c)
{
	struct conn_io *io = c->io;
	size_t used;

	if (!io->in_body) {
		int st = conn_head(c);
		if (st < 0)
			return STEP_MORE;
		if (st > 0)
			return conn_fail(s, c, st);
		int early = conn_head_answer(s, c);
		if (early != STEP_MORE)
			return early;
	}
	enum http_feed f = http_msg_feed(&io->msg, io->in.data + io->in_off, io->in.len - io->in_off,
					 &used);
	io->in_off += used;
	if (f == HTTP_MORE)
		return STEP_MORE;
	if (f != HTTP_MSG_DONE)
		return conn_fail(s, c, f == HTTP_ERROR && io->msg.error_status ? io->msg.error_status
									      : 400);
	int step = conn_answer(s, c);
	http_msg_reset(&io->msg);
	io->in_body = 0;
	io->body_seen = 0;
	return step;
}

/* ---- moving bytes ---- */

/* One recv into the input buffer: bytes read, 0 at EOF, -1 on error, -2 when
 * there is nothing to read. */
static ssize_t conn_read(struct conn *c)
{
	struct conn_io *io = c->io;

	buffer_consume(&io->in, io->in_off); /* parsed bytes are dead */
	io->in_off = 0;
	if (buffer_reserve(&io->in, CONN_READ_MIN) < 0)
		return -1;
	for (;;) {
		size_t room = io->in.cap - io->in.len;
		ssize_t n = recv(c->fd, io->in.data + io->in.len, room, 0);
		if (n > 0) {
			io->in.len += (size_t)n;
			c->unread = (size_t)n == room;
			return n;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
	}
}

/* The file range by sendfile: 1 when all went, 0 when the socket is full,
 * -1 when the connection is dead. *progress is set when bytes went. */
static int conn_send_file(struct conn *c, int *progress)
{
	struct conn_io *io = c->io;

	while (io->file_left > 0) {
		size_t want = (size_t)(io->file_left < CONN_SENDFILE_MAX ? io->file_left
									: CONN_SENDFILE_MAX);
		ssize_t n = sendfile(c->fd, io->file_fd, &io->file_off, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		/* 0: the file shrank under us; the promised length cannot be kept. */
		if (n <= 0)
			return -1;
		io->file_left -= n;
		*progress = 1;
		if ((size_t)n < want)
			return 0;
	}
	return 1;
}

/* The file range copied into the socket from a mapped window of the file:
 * one copy (page cache to socket buffer) instead of pread's two. Only the
 * kernel touches the mapping, so a file truncated under us makes send fail
 * with EFAULT (the connection is dropped) rather than raise SIGBUS. */
static int conn_send_copy(struct conn *c, int *progress)
{
	struct conn_io *io = c->io;

	while (io->file_left > 0) {
		if (!io->map || io->file_off >= io->map_off + (off_t)io->map_len) {
			io_unmap(io);
			off_t start = io->file_off & ~(off_t)(CONN_MAP_WINDOW - 1);
			off_t end = io->file_off + io->file_left;
			size_t len = (size_t)(end - start < CONN_MAP_WINDOW ? end - start
									 : CONN_MAP_WINDOW);
			void *m = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, io->file_fd, start);
			if (m == MAP_FAILED)
				return conn_send_file(c, progress);
			io->map = m;
			io->map_off = start;
			io->map_len = len;
		}
		size_t at = (size_t)(io->file_off - io->map_off);
		size_t want = io->map_len - at;
		if (want > CONN_COPY_CHUNK)
			want = CONN_COPY_CHUNK;
		if ((off_t)want > io->file_left)
			want = (size_t)io->file_left;
		ssize_t n;
		do
			n = send(c->fd, io->map + at, want, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		io->file_off += n;
		io->file_left -= n;
		*progress = 1;
		if ((size_t)n < want)
			return 0;
	}
	return 1;
}

/* Sends the queued responses, then the file range. 1 when all went, 0 when
 * the socket is full, -1 when the connection is dead. A short count means
 * the socket buffer filled, so no further call is spent to hear EAGAIN. */
static int conn_send(struct server *s, struct conn *c)
{
	struct conn_io *io = c->io;
	int progress = 0;

	while (io->out_off < io->out.len) {
		/* A file follows: let the head share its first packet. The last
		 * answer before a close is held too, so that the FIN which the
		 * close sends at once rides in the same packet (one segment, one
		 * wakeup for the client instead of two). */
		int flags = MSG_NOSIGNAL | (io->file_fd >= 0 || io->close ? MSG_MORE : 0);
		size_t want = io->out.len - io->out_off;
		ssize_t n = send(c->fd, io->out.data + io->out_off, want, flags);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			goto blocked;
		if (n < 0)
			return -1;
		io->out_off += (size_t)n;
		progress = 1;
		if ((size_t)n < want)
			goto blocked;
	}
	buffer_clear(&io->out);
	io->out_off = 0;
	if (io->file_left > 0) {
		int r = io->file_left >= CONN_COPY_MIN ? conn_send_copy(c, &progress)
						       : conn_send_file(c, &progress);
		if (r < 0)
			return -1;
		if (r == 0)
			goto blocked;
	}
	io_file_done(io);
	return 1;
blocked:
	if (progress || c->state != CONN_WRITE)
		c->deadline = s->clock + (uint32_t)s->ctx.cfg->write_timeout_s;
	return 0;
}

/* Answers every complete request buffered, sends, and repeats while answers
 * were held back behind a file body or a full batch. */
static void conn_run(struct server *s, struct conn *c)
{
	struct conn_io *io = c->io;
	int answered = 0, step = STEP_DONE;
	enum conn_state was = (enum conn_state)c->state;

	for (;;) {
		step = STEP_DONE;
		while (!io->close && io->file_fd < 0 && io->out.len < CONN_OUT_BATCH) {
			step = conn_step(s, c);
			if (step == STEP_MORE)
				break;
			answered = 1;
		}
		int sent = conn_send(s, c);
		if (sent < 0) {
			conn_close(s, c);
			return;
		}
		if (sent == 0) {
			if (conn_set(s, c, CONN_WRITE, EPOLLOUT, c->deadline) < 0)
				conn_close(s, c);
			return;
		}
		if (io->close) {
			conn_finish(s, c);
			return;
		}
		if (step == STEP_MORE)
			break;
	}
	if (!io->in_body && io->in_off == io->in.len) {
		conn_idle(s, c);
		return;
	}
	/* Part of a next request is here: its own clock starts now. */
	uint32_t deadline = c->deadline;
	enum conn_state st = io->in_body ? CONN_BODY : CONN_HEAD;
	if (answered || was == CONN_WRITE || was != st)
		deadline = s->clock + (uint32_t)(st == CONN_BODY ? s->ctx.cfg->timeout_s
								 : s->ctx.cfg->header_timeout_s);
	if (conn_set(s, c, st, EPOLLIN, deadline) < 0)
		conn_close(s, c);
}

static void conn_readable(struct server *s, struct conn *c)
{
	if (!c->io && !(c->io = io_get(s))) {
		conn_close(s, c);
		return;
	}
	ssize_t n = conn_read(c);
	if (n == -2) {
		if (c->state == CONN_IDLE) { /* nothing was parsed */
			io_put(s, c->io);
			c->io = NULL;
		}
		if (conn_set(s, c, (enum conn_state)c->state, EPOLLIN, c->deadline) < 0)
			conn_close(s, c);
		return;
	}
	/* EOF or an error with no complete request buffered: nothing to answer. */
	if (n <= 0) {
		conn_close(s, c);
		return;
	}
	if (c->state == CONN_IDLE) { /* the first byte of a head starts its clock */
		c->state = CONN_HEAD;
		c->deadline = s->clock + (uint32_t)s->ctx.cfg->header_timeout_s;
	} else if (c->state == CONN_BODY) {
		c->deadline = s->clock + (uint32_t)s->ctx.cfg->timeout_s;
	}
	conn_run(s, c);
}

/* After our FIN: drop what arrives until the client closes too (or the
 * deadline). One recv per wakeup; a full one re-arms the watch. */
static void conn_linger(struct server *s, struct conn *c)
{
	ssize_t n;

	do
		n = recv(c->fd, s->scratch, sizeof s->scratch, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n > 0) {
		c->unread = (size_t)n == sizeof s->scratch;
		if (conn_set(s, c, CONN_LINGER, EPOLLIN, c->deadline) == 0)
			return;
	}
	conn_close(s, c);
}

/* ---- what the server calls ---- */

struct conn *conn_new(struct server *s, int fd, const struct sockaddr *sa)
{
	struct conn *c = malloc(sizeof *c);

	if (!c) {
		close(fd);
		return NULL;
	}
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->state = CONN_IDLE;
	c->deadline = s->clock + (uint32_t)s->ctx.cfg->header_timeout_s;
	c->family = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(c->addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(c->addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
	if (server_conn_add(s, c) < 0) {
		close(fd);
		free(c);
		return NULL;
	}
	/* The listener defers accept until data came: read it now, skipping a
	 * trip through epoll (and, for a one-request client, epoll entirely). */
	conn_readable(s, c);
	return c;
}

void conn_event(struct server *s, struct conn *c, uint32_t events)
{
	switch ((enum conn_state)c->state) {
	case CONN_IDLE:
	case CONN_HEAD:
	case CONN_BODY:
		conn_readable(s, c);
		return;
	case CONN_WRITE:
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			conn_run(s, c);
		return;
	case CONN_LINGER:
		conn_linger(s, c);
		return;
	}
}

void conn_tick(struct server *s, struct conn *c)
{
	/* Strictly after: a deadline set at x.9 s for one second must not fire at x+1.0. */
	if ((int32_t)(s->clock - c->deadline) <= 0)
		return;
	/* A head that did not arrive in time gets a word before the close. */
	if (c->state == CONN_HEAD && c->io && c->io->out.len == 0) {
		struct response r = {.fd = -1};
		if (respond_error(&s->ctx, 408, &c->io->out, &r) == 0)
			(void)send(c->fd, c->io->out.data, c->io->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	conn_close(s, c);
}

void conn_shutdown(struct server *s, struct conn *c)
{
	if (c->state == CONN_IDLE)
		conn_close(s, c);
}
