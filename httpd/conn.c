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
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "proxyproto.h"
#include "reqcheck.h"
#include "tunables.h"

/* What one request step came to. */
enum { STEP_MORE, STEP_DONE, STEP_STOP };

struct conn_io {
	struct buffer in;     /* bytes read; [in_off, len) not yet parsed */
	size_t in_off;
	struct reqcheck_scan scan; /* how far the head from in_off was framed and checked */
	struct buffer out;    /* responses; [out_off, len) not yet sent */
	size_t out_off;
	struct transport_file file;    /* body of the last response in out (fd -1: none) */
	struct filecache_fd *file_ref; /* file.fd's lender, or NULL: ours to close */
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

static inline struct conn_io *io_get(struct conn_env *e)
{
	struct conn_io *io = e->pool;

	if (io) {
		e->pool = io->next;
		e->npool--;
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
	io->in_off = io->out_off = 0;
	io->scan = (struct reqcheck_scan){0};
	io->file.fd = -1;
	io->file.left = 0;
	io->file.map = NULL;
	io->file_ref = NULL;
	io->body_seen = 0;
	io->in_body = io->close = io->linger = 0;
	return io;
}

/* Lets go of the response's body file and of any window mapped from it. */
static void io_file_done(struct conn_io *io)
{
	if (io->file.fd < 0) /* most answers: no file, nothing mapped */
		return;
	transport_file_unmap(&io->file);
	respond_file_done(io->file.fd, io->file_ref);
	io->file.fd = -1;
	io->file_ref = NULL;
}

static void io_put(struct conn_env *e, struct conn_io *io)
{
	io_file_done(io);
	if (e->npool >= CONN_POOL_MAX) {
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
	io->next = e->pool;
	e->pool = io;
	e->npool++;
}

void conn_pool_free(struct conn_env *e)
{
	while (e->pool) {
		struct conn_io *io = e->pool;
		e->pool = io->next;
		io_free(io);
	}
	e->npool = 0;
}

/* ---- state changes ---- */

static enum conn_want conn_set(struct conn *c, enum conn_state st, enum conn_want want,
				uint32_t deadline)
{
	c->state = (uint8_t)st;
	c->deadline = deadline;
	if (want == CONN_WANT_READ && c->unread)
		want = CONN_WANT_READ_MORE;
	if (want != CONN_WANT_WRITE) /* what a full read left waits out a blocked write */
		c->unread = 0;
	return want;
}

void conn_close(struct conn_env *e, struct conn *c)
{
	if (c->io)
		io_put(e, c->io);
	transport_close(&c->t);
	free(c);
}

/* Nothing buffered, everything sent: the buffers go back to the pool. */
static enum conn_want conn_idle(struct conn_env *e, struct conn *c)
{
	io_put(e, c->io);
	c->io = NULL;
	if (e->draining)
		return CONN_GONE;
	return conn_set(c, CONN_IDLE, CONN_WANT_READ, e->clock + (uint32_t)e->ctx.cfg->timeout_s);
}

/* The last response is out. A client that may still be sending (an unread
 * body, pipelined bytes, garbage) gets its data read and dropped for a moment
 * after our FIN: closing with unread input would send a RST, and a RST can
 * destroy the response in the client's receive buffer before it is read. */
static enum conn_want conn_finish(struct conn_env *e, struct conn *c)
{
	struct conn_io *io = c->io;

	transport_close_notify(&c->t);
	if (!io->linger && !io->in_body && io->in_off == io->in.len)
		return CONN_GONE;
	shutdown(c->t.fd, SHUT_WR);
	io_put(e, io);
	c->io = NULL;
	return conn_set(c, CONN_LINGER, CONN_WANT_READ, e->clock + CONN_LINGER_S);
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
static void conn_log(struct conn_env *e, struct conn *c, const struct response *r, int parsed)
{
	struct conn_io *io = c->io;
	const struct http_head *h = &io->msg.head;
	char host[INET6_ADDRSTRLEN];

	if (!accesslog_on(e->log))
		return;
	conn_host(c, host, sizeof host);
	struct accesslog_entry a = {.host = host, .status = r->status, .bytes = r->body_len};
	if (parsed) {
		a.method = llhttp_method_name((llhttp_method_t)h->method);
		a.target = http_target(h, &a.target_len);
		a.major = h->major;
		a.minor = h->minor;
		struct http_value referer = http_field(h, HF_REFERER), agent = http_field(h, HF_USER_AGENT);
		a.referer = referer.v;
		a.referer_len = referer.n;
		a.agent = agent.v;
		a.agent_len = agent.n;
	} else {
		a.line = io->in.data + io->in_off;
		a.line_len = io->in.len - io->in_off;
		const char *eol = memchr(a.line, '\n', a.line_len);
		if (eol)
			a.line_len = (size_t)(eol - a.line);
		if (a.line_len > 0 && a.line[a.line_len - 1] == '\r')
			a.line_len--;
	}
	accesslog_add(e->log, &a, e->ctx.now);
}

/* ---- requests ---- */

/* A request that cannot be answered normally: an error page, then close. */
static int conn_fail(struct conn_env *e, struct conn *c, int status)
{
	struct conn_io *io = c->io;
	struct response r;

	respond_error(&e->ctx, status, &io->out, &r); /* out as it was if it failed */
	conn_log(e, c, &r, io->in_body);
	io->close = 1;
	io->linger = 1;
	return STEP_STOP;
}

/* The planner's answer to the parsed request; STEP_STOP when nothing may
 * follow it yet (a file body to send first, or the connection closes). */
static int conn_answer(struct conn_env *e, struct conn *c)
{
	struct conn_io *io = c->io;
	struct http_head *h = &io->msg.head;
	struct response r = {.fd = -1};
	size_t mark = io->out.len;

	/* So that the planner says Connection: close: shutting down, or after an
	 * Upgrade or CONNECT, whose following bytes llhttp no longer takes for HTTP. */
	if (e->draining || io->msg.parser.upgrade)
		h->keep_alive = 0;
	int planned = c->redirect ? respond_to_https(&e->ctx, h, &io->out, &r)
				  : respond(&e->ctx, h, &io->out, &r);
	if (planned < 0) {
		io->out.len = mark;
		respond_file_done(r.fd, r.fd_ref);
		io->close = 1;
		return STEP_STOP;
	}
	conn_log(e, c, &r, 1);
	if (r.fd >= 0 && r.len > 0) {
		io->file.fd = r.fd;
		io->file_ref = r.fd_ref;
		io->file.off = r.off;
		io->file.left = r.len;
	} else {
		respond_file_done(r.fd, r.fd_ref);
	}
	if (r.close || !h->keep_alive)
		io->close = 1;
	return io->close || io->file.fd >= 0 ? STEP_STOP : STEP_DONE;
}

/* Frames, checks and parses the next head. 0 when parsed, -1 when more bytes
 * are needed, else the error status. */
static int conn_head(struct conn *c)
{
	struct conn_io *io = c->io;
	size_t hl, used;

	/* RFC 9112 2.2: empty lines before a request line are ignored. The scan
	 * has not begun then: it waits at a first CR for the byte after it. */
	while (io->in.len - io->in_off >= 2 && io->in.data[io->in_off] == '\r' &&
	       io->in.data[io->in_off + 1] == '\n')
		io->in_off += 2;
	const char *p = io->in.data + io->in_off;
	if (io->in_off == io->in.len)
		return -1;
	int st = reqcheck_raw(&io->scan, p, io->in.len - io->in_off, &hl);
	if (st)
		return st;
	if (hl == 0)
		return -1;
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
	io->scan = (struct reqcheck_scan){0};
	io->in_body = 1;
	return 0;
}

static int conn_expects_continue(const struct http_head *h)
{
	struct http_value v = http_field(h, HF_EXPECT);
	return v.v && v.n == 12 && strncasecmp(v.v, "100-continue", 12) == 0;
}

/* Right after the head: answers that do not wait for the body. */
static int conn_head_answer(struct conn_env *e, struct conn *c)
{
	struct conn_io *io = c->io;
	struct http_head *h = &io->msg.head;
	const llhttp_t *p = &io->msg.parser;

	if (!h->has_body)
		return STEP_MORE;
	if ((p->flags & F_CONTENT_LENGTH) && p->content_length > HTTPD_BODY_DISCARD_MAX)
		return conn_fail(e, c, 413);
	if (conn_expects_continue(h)) {
		/* A final answer instead of 100 Continue: the client need not send the body. */
		h->keep_alive = 0;
		io->linger = 1;
		conn_answer(e, c);
		io->close = 1;
		return STEP_STOP;
	}
	return STEP_MORE;
}

/* Answers the next request if all of it is buffered. */
static int conn_step(struct conn_env *e, struct conn *c)
{
	struct conn_io *io = c->io;
	size_t used = 0;

	if (!io->in_body) {
		int st = conn_head(c);
		if (st < 0)
			return STEP_MORE;
		if (st > 0)
			return conn_fail(e, c, st);
		int early = conn_head_answer(e, c);
		if (early != STEP_MORE)
			return early;
	}
	enum http_feed f = HTTP_MSG_DONE; /* a request without a body ended with its head */
	if (io->msg.head.has_body)
		f = http_msg_feed(&io->msg, io->in.data + io->in_off, io->in.len - io->in_off, &used);
	io->in_off += used;
	if (f == HTTP_MORE)
		return STEP_MORE;
	if (f != HTTP_MSG_DONE)
		return conn_fail(e, c, f == HTTP_ERROR && io->msg.error_status ? io->msg.error_status
									      : 400);
	int step = conn_answer(e, c);
	http_msg_reset(&io->msg);
	io->in_body = 0;
	io->body_seen = 0;
	return step;
}

/* ---- moving bytes ---- */

/* One read into the input buffer: bytes read, 0 at EOF, TRANSPORT_AGAIN or
 * TRANSPORT_ERROR. */
static inline ssize_t conn_read(struct conn *c)
{
	struct conn_io *io = c->io;

	buffer_consume(&io->in, io->in_off); /* parsed bytes are dead */
	io->in_off = 0;
	if (buffer_reserve(&io->in, CONN_READ_MIN) < 0)
		return TRANSPORT_ERROR;
	size_t room = io->in.cap - io->in.len;
	ssize_t n = transport_read(&c->t, io->in.data + io->in.len, room);
	if (n > 0) {
		io->in.len += (size_t)n;
		c->unread = (size_t)n == room;
	}
	return n;
}

/* Sends the queued responses, then the file range. 1 when all went, 0 when
 * the socket is full, -1 when the connection is dead. A short count means
 * the socket buffer filled, so no further call is spent to hear EAGAIN. */
static int conn_send(struct conn_env *e, struct conn *c)
{
	struct conn_io *io = c->io;
	int progress = 0;

	while (io->out_off < io->out.len) {
		/* A file follows: let the head share its first packet. The last
		 * answer before a close is held too, so that the FIN which the
		 * close sends at once rides in the same packet (one segment, one
		 * wakeup for the client instead of two). */
		struct iovec iov = {io->out.data + io->out_off, io->out.len - io->out_off};
		ssize_t n = transport_write(&c->t, &iov, 1, io->file.fd >= 0 || io->close);
		if (n == TRANSPORT_AGAIN)
			goto blocked;
		if (n < 0)
			return -1;
		io->out_off += (size_t)n;
		progress = 1;
		if ((size_t)n < iov.iov_len)
			goto blocked;
	}
	buffer_clear(&io->out);
	io->out_off = 0;
	if (io->file.fd >= 0) {
		int r = transport_send_file(&c->t, &io->file, &progress);
		if (r < 0)
			return -1;
		if (r == 0)
			goto blocked;
	}
	io_file_done(io);
	return 1;
blocked:
	if (progress || c->state != CONN_WRITE)
		c->deadline = e->clock + (uint32_t)e->ctx.cfg->write_timeout_s;
	return 0;
}

/* Answers every complete request buffered, sends, and repeats while answers
 * were held back behind a file body or a full batch. */
static enum conn_want conn_run(struct conn_env *e, struct conn *c)
{
	struct conn_io *io = c->io;
	int answered = 0, step = STEP_DONE;
	enum conn_state was = (enum conn_state)c->state;

	for (;;) {
		step = STEP_DONE;
		while (!io->close && io->file.fd < 0 && io->out.len < CONN_OUT_BATCH) {
			step = conn_step(e, c);
			if (step == STEP_MORE)
				break;
			answered = 1;
		}
		int sent = conn_send(e, c);
		if (sent < 0)
			return CONN_GONE;
		if (sent == 0)
			return conn_set(c, CONN_WRITE, CONN_WANT_WRITE, c->deadline);
		if (io->close)
			return conn_finish(e, c);
		if (step == STEP_MORE)
			break;
	}
	if (!io->in_body && io->in_off == io->in.len)
		return conn_idle(e, c);
	/* Part of a next request is here: its own clock starts now. */
	uint32_t deadline = c->deadline;
	enum conn_state st = io->in_body ? CONN_BODY : CONN_HEAD;
	if (answered || was == CONN_WRITE || was != st)
		deadline = e->clock + (uint32_t)(st == CONN_BODY ? e->ctx.cfg->timeout_s
								 : e->ctx.cfg->header_timeout_s);
	return conn_set(c, st, CONN_WANT_READ, deadline);
}

static enum conn_want conn_readable(struct conn_env *e, struct conn *c)
{
	if (!c->io && !(c->io = io_get(e)))
		return CONN_GONE;
	ssize_t n = conn_read(c);
	if (n == TRANSPORT_AGAIN) {
		if (c->state == CONN_IDLE) { /* nothing was parsed */
			io_put(e, c->io);
			c->io = NULL;
		}
		return conn_set(c, (enum conn_state)c->state, CONN_WANT_READ, c->deadline);
	}
	/* EOF or an error with no complete request buffered: nothing to answer. */
	if (n <= 0)
		return CONN_GONE;
	if (c->state == CONN_IDLE) { /* the first byte of a head starts its clock */
		c->state = CONN_HEAD;
		c->deadline = e->clock + (uint32_t)e->ctx.cfg->header_timeout_s;
	} else if (c->state == CONN_BODY) {
		c->deadline = e->clock + (uint32_t)e->ctx.cfg->timeout_s;
	}
	return conn_run(e, c);
}

/* After our FIN: drop what arrives until the client closes too (or the
 * deadline). One read per wakeup; a full one asks for the watch re-armed. */
static enum conn_want conn_linger(struct conn_env *e, struct conn *c)
{
	ssize_t n = transport_read(&c->t, e->scratch, sizeof e->scratch);

	if (n == TRANSPORT_AGAIN)
		return CONN_WANT_READ;
	if (n <= 0)
		return CONN_GONE;
	c->unread = (size_t)n == sizeof e->scratch;
	return conn_set(c, CONN_LINGER, CONN_WANT_READ, c->deadline);
}

/* ---- TLS ---- */

/* An HTTP request on the TLS port: a plaintext 400, then close. */
static enum conn_want conn_not_tls(struct conn_env *e, struct conn *c)
{
	tls_free(c->t.tls);
	c->t.tls = NULL;
	if (!(c->io = io_get(e)) || conn_read(c) <= 0)
		return CONN_GONE;
	conn_fail(e, c, 400);
	return conn_run(e, c);
}

/* The handshake, driven by the socket's readiness like any other wait; the
 * deadline set at accept (the header timeout) bounds it. */
static enum conn_want conn_handshake(struct conn_env *e, struct conn *c)
{
	int r = transport_handshake(&c->t);

	if (r == TRANSPORT_AGAIN)
		return CONN_WANT_READ;
	if (r == TRANSPORT_WANT_WRITE)
		return CONN_WANT_WRITE;
	if (r == TRANSPORT_NOT_TLS)
		return conn_not_tls(e, c);
	if (r < 0)
		return CONN_GONE;
	/* A request sent with the handshake's last flight may have been read
	 * ahead into the session: the loop in conn_event reads it at once. */
	c->state = CONN_IDLE;
	return transport_pending(&c->t) ? CONN_WANT_READ_MORE : CONN_WANT_READ;
}

/* ---- what the loop calls ---- */

struct conn *conn_new(struct conn_env *e, int fd, const struct sockaddr *sa, enum conn_kind kind)
{
	struct conn *c = calloc(1, sizeof *c);
	char err[256];

	if (!c)
		return NULL;
	c->t.fd = fd;
	c->state = CONN_IDLE;
	c->redirect = (uint8_t)(kind == CONN_REDIRECT);
	if (kind == CONN_TLS) {
		c->state = CONN_HANDSHAKE;
		if (!(c->t.tls = tls_server(e->tls, fd, err, sizeof err))) {
			free(c);
			return NULL;
		}
	}
	if (e->ctx.cfg->proxy_protocol)
		c->state = CONN_PROXY;
	c->deadline = e->clock + (uint32_t)e->ctx.cfg->header_timeout_s;
	c->family = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(c->addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(c->addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
	return c;
}

static enum conn_want conn_dispatch(struct conn_env *e, struct conn *c, uint32_t events);

/* --proxy-protocol: the header comes first on the socket, before any TLS;
 * the accept deadline (the header timeout) bounds the wait for it. It is
 * peeked at, parsed, and only then read off exactly, so the bytes after it
 * stay in the socket for the transport, which goes on at once (input is
 * edge-triggered). The client's address replaces the balancer's. A peek
 * never reads the end of the stream, so a peer that closed after part of a
 * header is seen by asking for its FIN (else it would hold the connection
 * until the header timeout). */
static enum conn_want conn_proxy(struct conn_env *e, struct conn *c, uint32_t events)
{
	struct proxy_addr a;
	ssize_t n = recv(c->t.fd, e->scratch, PROXY_MAX, MSG_PEEK);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return CONN_WANT_READ;
	if (n <= 0)
		return CONN_GONE;
	ssize_t len = proxy_parse((const uint8_t *)e->scratch, (size_t)n, &a);
	if (len == PROXY_MORE)
		return net_wait(c->t.fd, POLLRDHUP, 0) == 0 ? CONN_WANT_READ : CONN_GONE;
	if (len < 0 || recv(c->t.fd, e->scratch, (size_t)len, 0) != len)
		return CONN_GONE;
	if (a.family) {
		c->family = (uint8_t)a.family;
		memcpy(c->addr, a.addr, sizeof c->addr);
	}
	c->state = c->t.tls ? CONN_HANDSHAKE : CONN_IDLE;
	return conn_dispatch(e, c, events);
}

static enum conn_want conn_dispatch(struct conn_env *e, struct conn *c, uint32_t events)
{
	switch ((enum conn_state)c->state) {
	case CONN_PROXY:
		return conn_proxy(e, c, events);
	case CONN_HANDSHAKE:
		return conn_handshake(e, c);
	case CONN_IDLE:
	case CONN_HEAD:
	case CONN_BODY:
		return conn_readable(e, c);
	case CONN_WRITE:
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			return conn_run(e, c);
		return CONN_WANT_WRITE;
	case CONN_LINGER:
		return conn_linger(e, c);
	}
	return CONN_GONE;
}

/* What a TLS session holds that no socket event will report, to be read at
 * once: bytes left inside it by a read that filled the buffer (not after a
 * short read: what waits then is a partial record, for the socket), or the
 * client's close_notify (or TCP close) that came behind a request: its
 * answers went, and the connection ends now, not at the idle timeout. */
static int conn_read_now(const struct conn *c, enum conn_want w)
{
	if (c->state < CONN_IDLE || c->state > CONN_BODY)
		return 0;
	if (w == CONN_WANT_READ_MORE && transport_pending(&c->t))
		return 1;
	return (w == CONN_WANT_READ || w == CONN_WANT_READ_MORE) && transport_ended(&c->t);
}

enum conn_want conn_event(struct conn_env *e, struct conn *c, uint32_t events)
{
	if (!c->t.tls)
		return conn_dispatch(e, c, events);
	enum conn_want w = conn_dispatch(e, c, events);
	while (conn_read_now(c, w))
		w = conn_dispatch(e, c, EPOLLIN);
	return w;
}

int conn_expired(struct conn_env *e, struct conn *c)
{
	/* Strictly after: a deadline set at x.9 s for one second must not fire at x+1.0. */
	if ((int32_t)(e->clock - c->deadline) <= 0)
		return 0;
	/* A head that did not arrive in time gets a word before the close. */
	if (c->state == CONN_HEAD && c->io && c->io->out.len == 0) {
		struct response r = {.fd = -1};
		if (respond_error(&e->ctx, 408, &c->io->out, &r) == 0) {
			struct iovec iov = {c->io->out.data, c->io->out.len};
			(void)transport_write(&c->t, &iov, 1, 0);
		}
	}
	return 1;
}

int conn_busy(const struct conn *c)
{
	return c->state > CONN_IDLE;
}
