/* transfer: connect, request, read, redirect, store. */
#include "transfer.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "date.h"
#include "http.h"
#include "name.h"
#include "net.h"
#include "output.h"
#include "progress.h"
#include "proxy.h"
#include "request.h"
#include "response.h"
#include "stream.h"
#include "tls.h"
#include "url.h"

#define XFER_REQUEST_MAX (64 * 1024)
#define XFER_PROXY_HEAD_MAX (16 * 1024) /* a proxy's answer to CONNECT */
#define XFER_SPLICE_MIN  (256 * 1024)  /* smaller bodies: plain reads are as good */
#define XFER_PIPE_SIZE   (1024 * 1024)
#define XFER_DIRECT_MIN  (16 * 1024 * 1024) /* smaller: the buffer's set-up is not repaid */
#define XFER_DIRECT_BUF  (2 * 1024 * 1024)  /* one huge page; 1 and 4 MiB measured worse */

/* What the head of a response asks the reader to do next. */
enum xfer_next { XFER_BODY, XFER_REDIRECT, XFER_STOP };

struct xfer {
	const struct fetch_opts *opts;
	struct url url;              /* this hop's */
	struct url next;             /* where a redirect points */
	struct url *visited;         /* every hop so far, for loop detection (from the first redirect) */
	unsigned hops;
	const char *path;            /* the output file ("-": stdout) */
	char name[PATH_MAX];         /* the output path when made from the URL */
	FILE *headf;                 /* where heads go; NULL with -q */
	struct timespec deadline;    /* --max-time; tv_sec 0: none */
	off_t have;                  /* resuming: bytes already here */
	int range_sent;
	struct fetch_out out;
	struct fetch_progress prog;
	int write_failed;
	int use_splice;              /* FETCH_SPLICE=0 in the environment turns it off */
	int use_direct;              /* FETCH_DIRECT=0 likewise */
	enum fetch_status status;    /* of the hop that stopped */
	struct tls_ctx *tls;         /* made at the first https hop */
	struct fetch_stream *conn;   /* this hop's connection */
	int proxied;                 /* this hop goes through a proxy */
	char *buf;
	char *err;
	size_t errlen;
};

static enum fetch_status xfer_fail(struct xfer *x, enum fetch_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum fetch_status xfer_fail(struct xfer *x, enum fetch_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	x->status = st;
	return st;
}

/* Milliseconds to wait now: -T, or less when --max-time is nearer. -1: past. */
static int xfer_wait_ms(const struct xfer *x)
{
	struct timespec now;
	long long left;
	int idle = x->opts->timeout_s * 1000;

	if (x->deadline.tv_sec == 0)
		return idle;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (long long)(x->deadline.tv_sec - now.tv_sec) * 1000 +
	       (x->deadline.tv_nsec - now.tv_nsec) / 1000000;
	if (left <= 0)
		return -1;
	return left < idle ? (int)left : idle;
}

static enum fetch_status xfer_timed_out(struct xfer *x, const char *what)
{
	if (xfer_wait_ms(x) < 0)
		return xfer_fail(x, FETCH_NET, "timed out: --max-time %d s reached %s",
				 x->opts->max_time_s, what);
	return xfer_fail(x, FETCH_NET, "timed out: nothing for %d s %s", x->opts->timeout_s, what);
}

/* A server's text, with control bytes shown as '?': it must not drive the terminal. */
static void xfer_print_text(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		fputc((c < 0x20 && c != '\t') || c == 0x7f ? '?' : c, f);
	}
}

static void xfer_print_head(const struct xfer *x, const struct http_head *h)
{
	size_t rlen, nlen, vlen;
	const char *reason = http_target(h, &rlen);

	if (!x->headf)
		return;
	fprintf(x->headf, "HTTP/%d.%d %d", h->major, h->minor, h->status);
	if (rlen > 0)
		fputc(' ', x->headf);
	xfer_print_text(x->headf, reason, rlen);
	fputc('\n', x->headf);
	for (unsigned i = 0; i < h->nfields; i++) {
		const char *n = http_field_name(h, i, &nlen);
		const char *v = http_field_value(h, i, &vlen);
		xfer_print_text(x->headf, n, nlen);
		fputs(": ", x->headf);
		xfer_print_text(x->headf, v, vlen);
		fputc('\n', x->headf);
	}
	fputc('\n', x->headf);
	fflush(x->headf);
}

/* -v: the request as sent, without the CRs. */
static void xfer_print_request(const struct xfer *x, const struct buffer *req)
{
	if (!x->headf || !x->opts->verbose)
		return;
	for (size_t i = 0; i < req->len; i++)
		if (req->data[i] != '\r')
			fputc(req->data[i], x->headf);
	fflush(x->headf);
}

static int xfer_on_body(void *arg, const char *at, size_t n)
{
	struct xfer *x = arg;

	if (fetch_out_write(&x->out, at, n) != 0) {
		x->write_failed = 1;
		return -1;
	}
	fetch_progress_add(&x->prog, n);
	return 0;
}

static int xfer_is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static enum xfer_next xfer_redirect(struct xfer *x, const struct http_head *h)
{
	size_t n;
	const char *loc = http_header(h, "Location", &n);
	enum url_error e;

	if (!x->opts->redirects) {
		xfer_fail(x, FETCH_HTTP, "%d redirect to %.*s not followed (-A)", h->status, (int)n, loc);
		return XFER_STOP;
	}
	if (strlen(loc) != n) {
		xfer_fail(x, FETCH_PROTO, "redirect: Location contains a NUL byte");
		return XFER_STOP;
	}
	e = url_resolve(&x->url, loc, &x->next);
	if (e != URL_OK) {
		xfer_fail(x, e == URL_UNSUPPORTED_SCHEME ? FETCH_FAIL : FETCH_PROTO,
			  "redirect to %s: %s", loc, url_strerror(e));
		return XFER_STOP;
	}
	if (!x->visited) {
		/* Most downloads never redirect: no list until one does. */
		x->visited = calloc(FETCH_REDIRECT_MAX + 1, sizeof(*x->visited));
		if (!x->visited) {
			xfer_fail(x, FETCH_FAIL, "out of memory");
			return XFER_STOP;
		}
		x->visited[0] = x->url;
	}
	if (x->hops >= FETCH_REDIRECT_MAX) {
		xfer_fail(x, FETCH_PROTO, "too many redirects (more than %d)", FETCH_REDIRECT_MAX);
		return XFER_STOP;
	}
	for (unsigned i = 0; i <= x->hops; i++) {
		const struct url *v = &x->visited[i];
		if (v->https == x->next.https && !strcmp(v->host, x->next.host) &&
		    !strcmp(v->port, x->next.port) && !strcmp(v->target, x->next.target)) {
			xfer_fail(x, FETCH_PROTO, "redirect loop: %s comes back to an earlier URL", loc);
			return XFER_STOP;
		}
	}
	return XFER_REDIRECT;
}

/* 416 to our Range: fine when the server's length is exactly what we have. */
static enum xfer_next xfer_range_unsatisfiable(struct xfer *x, const struct http_head *h)
{
	size_t n;
	const char *v = http_header(h, "Content-Range", &n);
	off_t first, last, total;

	if (v && fetch_resp_content_range(v, n, &first, &last, &total) == 0 && total == x->have) {
		if (fetch_out_finish_resumed(x->path, x->err, x->errlen) != 0)
			x->status = FETCH_FILE;
		else
			x->status = FETCH_OK;
		return XFER_STOP;
	}
	xfer_fail(x, FETCH_HTTP, "416 Range Not Satisfiable for bytes=%lld-", (long long)x->have);
	return XFER_STOP;
}

/* Which way to open the output, from the status and what we asked for. */
static int xfer_out_mode(struct xfer *x, const struct http_head *h, enum fetch_out_mode *mode)
{
	size_t n;
	const char *v;
	off_t first, last, total;

	*mode = x->opts->resume ? FETCH_OUT_RESTART : FETCH_OUT_NEW;
	if (h->status != 206)
		return 0;
	v = http_header(h, "Content-Range", &n);
	if (!x->range_sent || !v || fetch_resp_content_range(v, n, &first, &last, &total) ||
	    first != x->have) {
		xfer_fail(x, FETCH_PROTO, "206 Partial Content that does not continue at byte %lld",
			  (long long)x->have);
		return -1;
	}
	*mode = FETCH_OUT_APPEND;
	return 0;
}

static enum xfer_next xfer_on_head(struct xfer *x, const struct http_head *h)
{
	enum fetch_out_mode mode;
	size_t rlen;
	const char *reason;
	off_t len;

	xfer_print_head(x, h);
	if (xfer_is_redirect(h->status) && http_header(h, "Location", NULL))
		return xfer_redirect(x, h);
	if (h->status == 416 && x->range_sent)
		return xfer_range_unsatisfiable(x, h);
	if (h->status == 407 && x->proxied) {
		xfer_fail(x, FETCH_PROXY, "the proxy asks for credentials (407)");
		return XFER_STOP;
	}
	if (h->status >= 400) {
		reason = http_target(h, &rlen);
		xfer_fail(x, FETCH_HTTP, "server answered %d %.*s", h->status, (int)rlen, reason);
		return XFER_STOP;
	}
	if (x->opts->head_only)
		return XFER_BODY;
	if (xfer_out_mode(x, h, &mode) != 0)
		return XFER_STOP;
	if (fetch_out_open(&x->out, x->path, mode) != 0) {
		xfer_fail(x, FETCH_FILE, "%s", x->out.error);
		return XFER_STOP;
	}
	len = fetch_resp_length(h);
	fetch_progress_start(&x->prog, x->opts->progress, mode == FETCH_OUT_APPEND ? x->have : 0,
			     len < 0 ? -1 : len + (mode == FETCH_OUT_APPEND ? x->have : 0));
	return XFER_BODY;
}

static enum fetch_status xfer_done(struct xfer *x, const struct http_head *h)
{
	size_t n;
	const char *lm;
	time_t mtime = -1;

	if (x->opts->head_only)
		return FETCH_OK;
	fetch_progress_end(&x->prog);
	lm = http_header(h, "Last-Modified", &n);
	if (lm && date_parse(lm, n, &mtime) != 0)
		mtime = -1;
	if (fetch_out_commit(&x->out, mtime) != 0)
		return xfer_fail(x, FETCH_FILE, "%s", x->out.error);
	return FETCH_OK;
}

/* Feeds one read's bytes. 1: keep reading; 0: finished (x->status says how). */
static int xfer_feed(struct xfer *x, struct fetch_resp *r, const char *p, size_t n, int *redirect)
{
	enum fetch_resp_ev ev;
	size_t used;

	for (;;) {
		ev = fetch_resp_feed(r, p, n, &used);
		p += used;
		n -= used;
		switch (ev) {
		case FETCH_RESP_MORE:
			if (n == 0)
				return 1;
			break;
		case FETCH_RESP_INTERIM:
			xfer_print_head(x, fetch_resp_head(r));
			break;
		case FETCH_RESP_HEAD:
			switch (xfer_on_head(x, fetch_resp_head(r))) {
			case XFER_BODY: break;
			case XFER_REDIRECT: *redirect = 1; return 0;
			case XFER_STOP: return 0;
			}
			break;
		case FETCH_RESP_DONE:
			xfer_done(x, fetch_resp_head(r));
			return 0;
		case FETCH_RESP_ERROR:
			if (x->write_failed)
				xfer_fail(x, FETCH_FILE, "%s", x->out.error);
			else
				xfer_fail(x, FETCH_PROTO, "%s", r->error);
			return 0;
		}
	}
}

static int xfer_eof(struct xfer *x, struct fetch_resp *r)
{
	enum fetch_resp_ev ev = fetch_resp_eof(r);

	/* Over TLS only close_notify proves that a close-delimited body is whole:
	 * a bare EOF may be an attacker cutting it short. */
	if (ev == FETCH_RESP_DONE && x->conn->truncated)
		return xfer_fail(x, FETCH_PROTO, "incomplete body: the TLS connection ended "
						 "without close_notify (truncated)"), 0;
	if (ev == FETCH_RESP_DONE)
		return xfer_done(x, fetch_resp_head(r)), 0;
	if (x->write_failed)
		xfer_fail(x, FETCH_FILE, "%s", x->out.error);
	else
		xfer_fail(x, FETCH_PROTO, "%s", r->error);
	return 0;
}

/* A body long enough to repay a direct-I/O buffer, going to a new regular file. */
static int xfer_direct_ok(const struct xfer *x, const struct fetch_resp *r)
{
	return x->out.fd >= 0 && !x->out.in_place && fetch_resp_body_left(r) >= XFER_DIRECT_MIN;
}

/* Waits for what the connection asked for: 0 ready, -1 with x's error set
 * (`what` names the step in a timeout's message). */
static int xfer_wait(struct xfer *x, const char *what)
{
	int ms = xfer_wait_ms(x);
	int w = ms < 0 ? 0 : net_wait(x->conn->fd, x->conn->want, ms);

	if (w > 0)
		return 0;
	if (w == 0)
		xfer_timed_out(x, what);
	else
		xfer_fail(x, FETCH_NET, "%s: %s", what, strerror(errno));
	return -1;
}

/* Up to n bytes from the connection: > 0, 0 at the end, -1 with x's error
 * set. The read is tried before any poll: while a large body streams in,
 * data is nearly always waiting, and the poll would be a wasted system call. */
static ssize_t xfer_recv(struct xfer *x, char *p, size_t n, const char *what)
{
	for (;;) {
		ssize_t got;

		if (xfer_wait_ms(x) < 0)
			return xfer_timed_out(x, what), -1;
		got = fetch_stream_read(x->conn, p, n);
		if (got >= 0)
			return got;
		if (got == FETCH_STREAM_ERROR) {
			xfer_fail(x, FETCH_NET, "reading the response: %s", x->conn->error);
			return -1;
		}
		if (xfer_wait(x, what) != 0)
			return -1;
	}
}

/* All n bytes to the connection, or -1 with x's error set. */
static int xfer_send(struct xfer *x, const char *p, size_t n, const char *what)
{
	while (n > 0) {
		ssize_t put = fetch_stream_write(x->conn, p, n);

		if (put > 0) {
			p += put;
			n -= (size_t)put;
		} else if (put == FETCH_STREAM_ERROR) {
			return xfer_fail(x, FETCH_NET, "%s: %s", what, x->conn->error), -1;
		} else if (xfer_wait(x, what) != 0) {
			return -1;
		}
	}
	return 0;
}

/* Writes the whole blocks of buf[0..*fill) and keeps the rest at its start. */
static int xfer_direct_flush(struct xfer *x, char *buf, size_t *fill)
{
	size_t whole = *fill - *fill % FETCH_OUT_DIRECT_ALIGN;

	if (whole > 0 && fetch_out_write(&x->out, buf, whole) != 0)
		return -1;
	memmove(buf, buf + whole, *fill - whole);
	*fill -= whole;
	return 0;
}

/* The last bytes, unaligned, after the whole blocks: buffered. */
static int xfer_direct_finish(struct xfer *x, char *buf, size_t fill)
{
	if (xfer_direct_flush(x, buf, &fill) != 0)
		return -1;
	fetch_out_direct_end(&x->out);
	return fetch_out_write(&x->out, buf, fill);
}

/* The rest of a Content-Length body through a block-aligned buffer and
 * O_DIRECT writes (see output.h). What arrived is written even when the
 * transfer fails, for a later -r. Returns 0 when direct I/O is not possible
 * here (the caller goes on as before), else 1 with the transfer finished. */
static int xfer_direct(struct xfer *x, struct fetch_resp *r)
{
	off_t left = fetch_resp_body_left(r);
	size_t fill;
	ssize_t got = 1;
	int wrote = 0;
	char *map = mmap(NULL, 2 * XFER_DIRECT_BUF, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *buf;

	if (map == MAP_FAILED)
		return 0;
	/* One aligned huge page where the kernel allows it: each direct write
	 * pins the buffer's pages, and one 2 MiB page pins much faster than 512
	 * small ones (about 14% less CPU on a 1 GiB download). */
	buf = map + (XFER_DIRECT_BUF - (uintptr_t)map % XFER_DIRECT_BUF) % XFER_DIRECT_BUF;
	(void)madvise(buf, XFER_DIRECT_BUF, MADV_HUGEPAGE);
	memset(buf, 0, XFER_DIRECT_BUF); /* faulted in now, in one go when huge */
	if (fetch_out_direct_begin(&x->out, buf, &fill) != 0) {
		munmap(map, 2 * XFER_DIRECT_BUF);
		return 0;
	}
	while (left > 0 && !wrote) {
		size_t want = XFER_DIRECT_BUF - fill;
		got = xfer_recv(x, buf + fill, (off_t)want < left ? want : (size_t)left,
				"while reading the response");
		if (got <= 0)
			break;
		fill += (size_t)got;
		left -= got;
		fetch_progress_add(&x->prog, (size_t)got);
		fetch_resp_body_moved(r, got);
		if (fill == XFER_DIRECT_BUF)
			wrote = xfer_direct_flush(x, buf, &fill) != 0;
	}
	if (got == 0)
		xfer_fail(x, FETCH_PROTO, "incomplete body: connection closed early");
	if (wrote || xfer_direct_finish(x, buf, fill) != 0)
		xfer_fail(x, FETCH_FILE, "%s", x->out.error);
	else if (left == 0)
		xfer_done(x, fetch_resp_head(r));
	munmap(map, 2 * XFER_DIRECT_BUF);
	return 1;
}

/* A body long enough to be worth a pipe, going to a regular file, from a
 * plain socket (TLS bytes must be decrypted here). */
static int xfer_splice_ok(const struct xfer *x, const struct fetch_resp *r)
{
	return x->out.fd >= 0 && !x->out.in_place && fetch_resp_body_left(r) >= XFER_SPLICE_MIN &&
	       fetch_stream_is_plain(x->conn);
}

/* The rest of a Content-Length body, socket to pipe to file: the bytes never
 * visit user space. Returns 0 when splice does not work on this socket (the
 * caller goes on reading), else 1 with the transfer finished either way. */
static int xfer_splice(struct xfer *x, struct fetch_resp *r)
{
	off_t left = fetch_resp_body_left(r);
	int p[2], first = 1, fd = x->conn->fd;

	if (pipe2(p, O_CLOEXEC) != 0)
		return 0;
	(void)fcntl(p[1], F_SETPIPE_SZ, XFER_PIPE_SIZE); /* a larger pipe when allowed */
	while (left > 0) {
		int ms = xfer_wait_ms(x);
		int w = ms < 0 ? 0 : net_wait(fd, POLLIN, ms);
		size_t want = left < XFER_PIPE_SIZE ? (size_t)left : XFER_PIPE_SIZE;
		ssize_t n;

		if (w == 0) {
			xfer_timed_out(x, "while reading the response");
			break;
		}
		n = w < 0 ? -1 : splice(fd, NULL, p[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && first && errno == EINVAL) {
			close(p[0]);
			close(p[1]);
			return 0;
		}
		first = 0;
		if (n < 0) {
			xfer_fail(x, FETCH_NET, "reading the response: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			xfer_fail(x, FETCH_PROTO, "incomplete body: connection closed early");
			break;
		}
		if (fetch_out_from_pipe(&x->out, p[0], (size_t)n) != 0) {
			xfer_fail(x, FETCH_FILE, "%s", x->out.error);
			break;
		}
		fetch_progress_add(&x->prog, (size_t)n);
		fetch_resp_body_moved(r, n);
		left -= n;
	}
	if (left == 0)
		xfer_done(x, fetch_resp_head(r));
	close(p[0]);
	close(p[1]);
	return 1;
}

/* Reads the response to its end. */
static void xfer_read(struct xfer *x, int *redirect)
{
	struct fetch_resp r;
	ssize_t got;

	fetch_resp_init(&r, x->opts->head_only, xfer_on_body, x);
	for (;;) {
		got = xfer_recv(x, x->buf, FETCH_READ_BUF,
				r.seen ? "while reading the response" : "waiting for a response");
		if (got < 0)
			break;
		if (got == 0 ? !xfer_eof(x, &r) : !xfer_feed(x, &r, x->buf, (size_t)got, redirect))
			break;
		if (x->use_direct && xfer_direct_ok(x, &r) && xfer_direct(x, &r))
			break;
		if (x->use_splice && xfer_splice_ok(x, &r) && xfer_splice(x, &r))
			break;
	}
	fetch_resp_free(&r);
}

/* The TLS handshake, within -T and --max-time like every other step. */
static int xfer_handshake(struct xfer *x)
{
	char err[256];
	struct tls_client_opts o = {.ca_file = x->opts->ca_file, .no_verify = x->opts->no_verify};
	int r;

	if (!x->tls && !(x->tls = tls_client_ctx(&o, err, sizeof(err)))) {
		xfer_fail(x, FETCH_USAGE, "%s", err);
		return -1;
	}
	if (fetch_stream_start_tls(x->conn, x->tls, x->url.host) != 0) {
		xfer_fail(x, FETCH_FAIL, "%s", x->conn->error);
		return -1;
	}
	while ((r = fetch_stream_handshake(x->conn)) == FETCH_STREAM_AGAIN)
		if (xfer_wait(x, "during the TLS handshake") != 0)
			return -1;
	if (r == 0 && x->headf && x->opts->verbose)
		fprintf(x->headf, "TLS: %s, certificate %s\n",
			tls_describe(x->conn->tls, err, sizeof(err)),
			x->opts->no_verify ? "NOT verified" : "verified");
	if (r == 0)
		return 0;
	if (x->conn->verify_failed)
		xfer_fail(x, FETCH_TLS, "%s", x->conn->error);
	else
		xfer_fail(x, FETCH_NET, "TLS handshake with %s failed: %s", x->url.host,
			  x->conn->error);
	return -1;
}

/* The proxy for this hop: 1 and *px, 0 to go direct, -1 with x's error set. */
static int xfer_proxy(struct xfer *x, struct fetch_proxy *px)
{
	const struct fetch_opts *o = x->opts;
	const char *spec = o->proxy ? o->proxy : x->url.https ? o->https_proxy : o->http_proxy;
	char err[256];

	if (o->no_proxy_at_all || !spec || !*spec || fetch_proxy_bypass(o->no_proxy, &x->url))
		return 0;
	if (fetch_proxy_parse(spec, px, err, sizeof(err)) != 0) {
		xfer_fail(x, FETCH_USAGE, "%s", err);
		return -1;
	}
	return 1;
}

/* Reads the proxy's answer to CONNECT, up to its blank line: the bytes after
 * it would be the tunnel's, and the origin speaks only after our TLS hello. */
static int xfer_tunnel_answer(struct xfer *x, int *status)
{
	char head[XFER_PROXY_HEAD_MAX + 1];
	size_t have = 0;
	char *end = NULL;

	while (!end) {
		ssize_t got = xfer_recv(x, head + have, XFER_PROXY_HEAD_MAX - have,
					"waiting for the proxy");
		if (got < 0)
			return -1;
		if (got == 0 || have + (size_t)got == XFER_PROXY_HEAD_MAX) {
			xfer_fail(x, FETCH_PROXY, "the proxy %s", got == 0 ? "closed the connection"
									 : "sent a head too long");
			return -1;
		}
		have += (size_t)got;
		head[have] = '\0';
		end = strstr(head, "\r\n\r\n");
	}
	if (fetch_resp_status_line(head, strcspn(head, "\n") + 1, status) != 0) {
		xfer_fail(x, FETCH_PROXY, "the proxy's answer to CONNECT is not HTTP");
		return -1;
	}
	/* A refusal may carry a body; a tunnel carries nothing of the proxy's own. */
	if (*status / 100 == 2 && end + 4 != head + have) {
		xfer_fail(x, FETCH_PROXY, "the proxy sent bytes after opening the tunnel");
		return -1;
	}
	return 0;
}

/* A CONNECT tunnel to the origin; TLS then runs through it end to end. */
static int xfer_tunnel(struct xfer *x, const struct fetch_proxy *px)
{
	struct buffer req;
	int status = 0, r = -1;

	buffer_init(&req, XFER_REQUEST_MAX);
	if (fetch_proxy_connect_request(&req, &x->url, px) != 0) {
		xfer_fail(x, FETCH_USAGE, "the CONNECT request is too large");
		goto out;
	}
	xfer_print_request(x, &req);
	if (xfer_send(x, req.data, req.len, "sending CONNECT to the proxy") != 0 ||
	    xfer_tunnel_answer(x, &status) != 0) {
		x->status = FETCH_PROXY;
		goto out;
	}
	if (status / 100 != 2) {
		xfer_fail(x, FETCH_PROXY, "the proxy refused CONNECT to %s port %s (%d)",
			  x->url.host, x->url.port, status);
		goto out;
	}
	r = 0;
out:
	buffer_free(&req);
	return r;
}

/* One request and its response. */
static void xfer_hop(struct xfer *x, int *redirect)
{
	struct buffer req;
	struct fetch_request rq = {
		.url = &x->url,
		.head = x->opts->head_only,
		.user_agent = x->opts->user_agent,
		.headers = x->opts->headers,
		.nheaders = x->opts->nheaders,
		.range_from = x->range_sent ? x->have : -1,
	};
	struct fetch_stream conn = {.fd = -1};
	struct fetch_proxy px;
	const struct url *to = &x->url;
	char nerr[256] = "";
	int ms = xfer_wait_ms(x), fd;

	*redirect = 0;
	if (ms < 0) {
		xfer_timed_out(x, "before connecting");
		return;
	}
	buffer_init(&req, XFER_REQUEST_MAX);
	x->conn = &conn;
	x->proxied = xfer_proxy(x, &px);
	if (x->proxied < 0)
		goto out;
	if (x->proxied)
		to = &px.url;
	fd = net_connect(to->host, to->port, x->opts->family, ms, nerr, sizeof(nerr));
	if (fd < 0) {
		xfer_fail(x, x->proxied ? FETCH_PROXY : FETCH_NET,
			  "cannot connect to %s%s port %s: %s", x->proxied ? "the proxy " : "",
			  to->host, to->port, nerr[0] ? nerr : strerror(errno));
		goto out;
	}
	if (fetch_stream_open(&conn, fd) != 0) {
		xfer_fail(x, FETCH_NET, "%s", conn.error);
		goto out;
	}
	if (x->proxied && x->url.https && xfer_tunnel(x, &px) != 0)
		goto out;
	if (x->url.https && xfer_handshake(x) != 0)
		goto out;
	/* Plain HTTP through a proxy: the whole URL, and its credentials to it. */
	rq.absolute = x->proxied && !x->url.https;
	rq.proxy_auth = rq.absolute && px.auth[0] ? px.auth : NULL;
	if (fetch_request_build(&req, &rq) != 0) {
		xfer_fail(x, FETCH_USAGE, "the request is too large");
		goto out;
	}
	xfer_print_request(x, &req);
	if (xfer_send(x, req.data, req.len, "sending the request") != 0)
		goto out;
	xfer_read(x, redirect);
out:
	buffer_free(&req);
	fetch_stream_close(&conn);
	x->conn = NULL;
}

static int xfer_env_on(const char *name)
{
	const char *v = getenv(name);
	return !v || strcmp(v, "0") != 0;
}

static void xfer_setup(struct xfer *x, const struct fetch_opts *opts, char *err, size_t errlen)
{
	memset(x, 0, sizeof(*x));
	x->opts = opts;
	x->err = err;
	x->errlen = errlen;
	fetch_out_init(&x->out);
	fetch_progress_start(&x->prog, 0, 0, -1);
	x->use_splice = xfer_env_on("FETCH_SPLICE");
	x->use_direct = xfer_env_on("FETCH_DIRECT");
	if (!opts->quiet)
		x->headf = opts->output && strcmp(opts->output, "-") == 0 ? stderr : stdout;
	if (opts->max_time_s > 0) {
		clock_gettime(CLOCK_MONOTONIC, &x->deadline);
		x->deadline.tv_sec += opts->max_time_s;
	}
}

/* -o FILE, or the URL's name: in the current directory, or in -o's when
 * that is a directory (as FreeBSD fetch does). */
static int xfer_output_path(struct xfer *x)
{
	const char *o = x->opts->output;
	char name[FETCH_NAME_MAX + 1];
	struct stat st;
	int n;

	if (o && (strcmp(o, "-") == 0 || stat(o, &st) != 0 || !S_ISDIR(st.st_mode))) {
		x->path = o;
		return 0;
	}
	fetch_name_from_target(x->url.target, name, sizeof(name));
	n = o ? snprintf(x->name, sizeof(x->name), "%s/%s", o, name)
	      : snprintf(x->name, sizeof(x->name), "%s", name);
	x->path = x->name;
	return n < 0 || (size_t)n >= sizeof(x->name) ? -1 : 0;
}

enum fetch_status fetch_url(const struct fetch_opts *opts, const char *url, char *err,
			    size_t errlen)
{
	struct xfer x;
	enum url_error e;
	int redirect = 1;

	xfer_setup(&x, opts, err, errlen);
	e = url_parse(url, &x.url);
	if (e != URL_OK)
		return xfer_fail(&x, FETCH_USAGE, "%s", url_strerror(e));
	if (xfer_output_path(&x) != 0)
		return xfer_fail(&x, FETCH_FILE, "%s/...: name too long", opts->output);
	if (opts->resume && !opts->head_only) {
		x.have = fetch_out_resume_size(x.path);
		x.range_sent = x.have > 0;
	}
	x.buf = malloc(FETCH_READ_BUF);
	if (!x.buf) {
		xfer_fail(&x, FETCH_FAIL, "out of memory");
		goto out;
	}
	while (redirect) {
		x.status = FETCH_OK;
		xfer_hop(&x, &redirect);
		if (redirect) {
			x.url = x.next;
			x.visited[++x.hops] = x.url;
		}
	}
out:
	fetch_progress_end(&x.prog); /* a failure mid-body leaves the bar's line ended */
	fetch_out_abort(&x.out); /* nothing left after a commit; a failure's temporary file */
	free(x.buf);
	free(x.visited);
	tls_ctx_free(x.tls);
	return x.status;
}
