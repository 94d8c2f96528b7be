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
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "date.h"
#include "gunzip.h"
#include "http.h"
#include "name.h"
#include "net.h"
#include "output.h"
#include "pool.h"
#include "progress.h"
#include "proxy.h"
#include "request.h"
#include "response.h"
#include "retry.h"
#include "stream.h"
#include "tls.h"
#include "tunables.h"
#include "url.h"

/* What the head of a response asks the reader to do next. */
enum xfer_next { XFER_BODY, XFER_REDIRECT, XFER_STOP };

struct xfer {
	const struct fetch_opts *opts;
	struct url url;              /* this hop's */
	struct url next;             /* where a redirect points */
	struct url first;            /* the URL given: -H credentials are for its origin only */
	unsigned hops;
	const char *path;            /* the output file ("-": stdout) */
	char name[PATH_MAX];         /* the output path when made from the URL */
	FILE *headf;                 /* where heads go; NULL with -q */
	struct timespec deadline;    /* --max-time; tv_sec 0: none */
	off_t have;                  /* resuming: bytes already here */
	off_t total;                 /* resuming with a 206: the complete length, else -1 */
	int range_sent;
	int overlong;                /* a 206 body went past its Content-Range */
	int name_from_url;           /* no -o FILE: --content-disposition may rename */
	time_t ims;                  /* -N: the local file's mtime sent, else -1 */
	int gunzip_on;               /* --compressed and a gzip body: decoding */
	struct fetch_gunzip gz;
	/* -t: what a retry needs to know about the attempt that failed. */
	int retryable;               /* a failure that may go away */
	char retry_after[64];        /* the failed answer's Retry-After, "" when none */
	char validator[256];         /* the body's strong ETag or Last-Modified, "" when none */
	off_t retry_from;            /* continue the temporary file from here (If-Range), or -1 */
	struct fetch_out out;
	struct fetch_progress prog;
	int write_failed;
	int use_splice;              /* FETCH_SPLICE=0 in the environment turns it off */
	int use_direct;              /* FETCH_DIRECT=0 likewise */
	enum fetch_status status;    /* of the hop that stopped */
	struct fetch_pool *pool;     /* kept connections and the TLS context */
	struct fetch_stream *conn;   /* this hop's connection */
	int proxied;                 /* this hop goes through a proxy */
	int reused;                  /* conn came from the pool */
	int broke;                   /* conn failed (not a timeout) */
	int keep;                    /* conn may serve the next request */
	const char *rest;            /* after a head not kept: the bytes read past it */
	size_t rest_len;
	int stopped;                 /* the head said stop or redirect: body unread */
	int draining;                /* reading a body nobody keeps */
	size_t drained;
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

/* Milliseconds until --max-time (LLONG_MAX without one). */
static long long xfer_ms_left(const struct xfer *x)
{
	struct timespec now;

	if (x->deadline.tv_sec == 0)
		return LLONG_MAX;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(x->deadline.tv_sec - now.tv_sec) * 1000 +
	       (x->deadline.tv_nsec - now.tv_nsec) / 1000000;
}

/* Milliseconds to wait now: -T, or less when --max-time is nearer. -1: past. */
static int xfer_wait_ms(const struct xfer *x)
{
	long long left = xfer_ms_left(x);
	int idle = x->opts->timeout_s * 1000;

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

static void xfer_print_head(const struct xfer *x, const struct http_head *h)
{
	size_t rlen, nlen, vlen;
	const char *reason = http_target(h, &rlen);

	if (!x->headf)
		return;
	fprintf(x->headf, "HTTP/%d.%d %d", h->major, h->minor, h->status);
	if (rlen > 0)
		fputc(' ', x->headf);
	fetch_resp_print(x->headf, reason, rlen);
	fputc('\n', x->headf);
	for (unsigned i = 0; i < h->nfields; i++) {
		const char *n = http_field_name(h, i, &nlen);
		const char *v = http_field_value(h, i, &vlen);
		fetch_resp_print(x->headf, n, nlen);
		fputs(": ", x->headf);
		fetch_resp_print(x->headf, v, vlen);
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

/* Body bytes to the file (decoded ones too: the gunzip sink). */
static int xfer_write(void *arg, const char *at, size_t n)
{
	struct xfer *x = arg;

	if (fetch_out_write(&x->out, at, n) != 0) {
		x->write_failed = 1;
		return -1;
	}
	return 0;
}

static int xfer_on_body(void *arg, const char *at, size_t n)
{
	struct xfer *x = arg;

	if (x->draining) {
		x->drained += n;
		return x->drained > XFER_DRAIN_MAX ? -1 : 0;
	}
	if (x->gunzip_on) {
		fetch_progress_add(&x->prog, n);
		return fetch_gunzip_feed(&x->gz, at, n, xfer_write, x);
	}
	if (x->total >= 0 && (off_t)n > x->total - x->have - x->out.written) {
		x->overlong = 1;
		return -1;
	}
	if (xfer_write(x, at, n) != 0)
		return -1;
	fetch_progress_add(&x->prog, n);
	return 0;
}

/* The 3xx codes whose Location fetch follows (as curl and wget). */
static int xfer_is_redirect(int status)
{
	return status == 300 || status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/* Same scheme, host and port. */
static int xfer_same_origin(const struct url *a, const struct url *b)
{
	return a->https == b->https && strcasecmp(a->host, b->host) == 0 &&
	       strcmp(a->port, b->port) == 0;
}

/* Any 3xx. Only a redirect with a Location is followed; a 304 we did not ask
 * for, and anything else, is a failure that leaves the target alone. A
 * redirect to the same URL is not a loop by itself (servers do that while
 * they prepare a file): the hop limit ends real loops, as in curl. */
static enum xfer_next xfer_redirect(struct xfer *x, const struct http_head *h)
{
	size_t n;
	const char *loc = http_header(h, "Location", &n);
	char shown[256];
	enum url_error e;

	if (h->status == 304 && x->ims >= 0) {
		x->status = FETCH_OK; /* -N asked: the local file is current */
		return XFER_STOP;
	}
	if (h->status == 304) {
		xfer_fail(x, FETCH_HTTP, "304 Not Modified, but the request had no condition");
		return XFER_STOP;
	}
	if (!xfer_is_redirect(h->status) || !loc) {
		xfer_fail(x, FETCH_HTTP, "%d without a Location to follow", h->status);
		return XFER_STOP;
	}
	fetch_resp_mask(loc, n, shown, sizeof(shown));
	if (!x->opts->redirects) {
		xfer_fail(x, FETCH_HTTP, "%d redirect to %s not followed (-A)", h->status, shown);
		return XFER_STOP;
	}
	if (strlen(loc) != n) {
		xfer_fail(x, FETCH_PROTO, "redirect: Location contains a NUL byte");
		return XFER_STOP;
	}
	e = url_resolve(&x->url, loc, &x->next);
	if (e != URL_OK) {
		xfer_fail(x, e == URL_UNSUPPORTED_SCHEME ? FETCH_FAIL : FETCH_PROTO,
			  "redirect to %s: %s", shown, url_strerror(e));
		return XFER_STOP;
	}
	if (x->hops >= FETCH_REDIRECT_MAX) {
		xfer_fail(x, FETCH_PROTO, "too many redirects (more than %d)", FETCH_REDIRECT_MAX);
		return XFER_STOP;
	}
	return XFER_REDIRECT;
}

/* --checksum over the file at path; 0 when it matches or none was given. */
static int xfer_checksum(struct xfer *x, const char *path)
{
	const struct fetch_digest *d = &x->opts->checksum;
	char got[2 * FETCH_DIGEST_MAX + 1];
	int r;

	if (!d->algo[0])
		return 0;
	r = fetch_digest_file(d, path, got);
	if (r < 0)
		return xfer_fail(x, FETCH_FILE, "--checksum: cannot read %s: %s", path,
				 strerror(errno)), -1;
	if (r > 0)
		return xfer_fail(x, FETCH_CHECKSUM, "%s digest %s does not match --checksum", d->algo,
				 got), -1;
	return 0;
}

/* Resumed with nothing left to fetch: the bytes there (NAME.part, else the
 * target) pass --checksum, or a mismatched NAME.part goes; a complete
 * NAME.part then becomes the target. */
static enum xfer_next xfer_finish_resumed(struct xfer *x)
{
	char part[PATH_MAX];
	int has_part = fetch_out_part_name(x->path, part, sizeof(part)) == 0 &&
		       access(part, F_OK) == 0;

	if (xfer_checksum(x, has_part ? part : x->path) != 0) {
		if (has_part && x->status == FETCH_CHECKSUM)
			(void)unlink(part);
	} else if (has_part && rename(part, x->path) != 0) {
		xfer_fail(x, FETCH_FILE, "cannot rename %s to %s: %s", part, x->path, strerror(errno));
	}
	return XFER_STOP;
}

/* --content-disposition: the server's name in place of the URL's, in the
 * same folder. Without a usable one the URL's name stays. */
static int xfer_disposition_name(struct xfer *x, const struct http_head *h)
{
	size_t n, dir_len;
	const char *v = http_header(h, "Content-Disposition", &n);
	const char *slash;
	char name[FETCH_NAME_MAX + 1];

	if (!x->opts->content_disposition || !x->name_from_url || !v ||
	    fetch_name_from_disposition(v, n, name, sizeof(name)) != 0)
		return 0;
	slash = strrchr(x->name, '/');
	dir_len = slash ? (size_t)(slash - x->name) + 1 : 0;
	if (dir_len + strlen(name) >= sizeof(x->name))
		return xfer_fail(x, FETCH_FILE, "%s: name too long", name), -1;
	memcpy(x->name + dir_len, name, strlen(name) + 1);
	if (fetch_out_follow_link(x->name, sizeof(x->name)) != 0)
		return xfer_fail(x, FETCH_FILE, "%s: %s", x->name, strerror(errno)), -1;
	return 0;
}

/* --compressed and a gzip body: decode it on the way to the file. */
static int xfer_gunzip_start(struct xfer *x, const struct http_head *h)
{
	size_t n;
	const char *v = http_header(h, "Content-Encoding", &n);

	if (!x->opts->compressed || !v ||
	    !((n == 4 && strncasecmp(v, "gzip", 4) == 0) || (n == 6 && strncasecmp(v, "x-gzip", 6) == 0)))
		return 0;
	if (fetch_gunzip_init(&x->gz) != 0)
		return xfer_fail(x, FETCH_FAIL, "out of memory"), -1;
	x->gunzip_on = 1;
	return 0;
}

/* 416 to our Range: fine when the server's length is exactly what we have. */
static enum xfer_next xfer_range_unsatisfiable(struct xfer *x, const struct http_head *h)
{
	size_t n;
	const char *v = http_header(h, "Content-Range", &n);
	off_t first, last, total;

	if (v && fetch_resp_content_range(v, n, &first, &last, &total) == 0 && total == x->have)
		return xfer_finish_resumed(x);
	xfer_fail(x, FETCH_HTTP, "416 Range Not Satisfiable for bytes=%lld-", (long long)x->have);
	return XFER_STOP;
}

/* A 206 is joined to the bytes held only when it is exactly their missing
 * end, from byte `from`: 0 and x->total, or -1 with x's error set. */
static int xfer_join_partial(struct xfer *x, const struct http_head *h, off_t from)
{
	const char *why;

	if (fetch_resp_check_partial(h, from, &x->total, &why) == 0)
		return 0;
	return xfer_fail(x, FETCH_PROTO, "%s (at byte %lld)", why, (long long)from), -1;
}

/* Which way to open the output, from the status and what we asked for. */
static int xfer_out_mode(struct xfer *x, const struct http_head *h, enum fetch_out_mode *mode)
{
	*mode = x->opts->resume ? FETCH_OUT_RESTART : FETCH_OUT_NEW;
	if (h->status != 206)
		return 0;
	if (!x->range_sent) {
		xfer_fail(x, FETCH_PROTO, "206 Partial Content to a request without Range");
		return -1;
	}
	if (xfer_join_partial(x, h, x->have) != 0)
		return -1;
	*mode = FETCH_OUT_APPEND;
	return 0;
}

/* A header's value into out ("" when absent or too long). */
static void xfer_keep_header(const struct http_head *h, const char *name, char *out, size_t size)
{
	size_t n;
	const char *v = http_header(h, name, &n);

	out[0] = '\0';
	if (v && n < size)
		memcpy(out, v, n + 1);
}

/* The validator a retry may send in If-Range (RFC 9110 13.1.5): a strong
 * ETag, else a Last-Modified at least a second before Date. */
static void xfer_keep_validator(struct xfer *x, const struct http_head *h)
{
	size_t n;
	const char *date = http_header(h, "Date", &n);
	time_t lm, now;

	xfer_keep_header(h, "ETag", x->validator, sizeof(x->validator));
	if (x->validator[0] == '"')
		return;
	xfer_keep_header(h, "Last-Modified", x->validator, sizeof(x->validator));
	if (!x->validator[0] || date_parse(x->validator, strlen(x->validator), &lm) != 0 || !date ||
	    date_parse(date, n, &now) != 0 || lm + 1 > now)
		x->validator[0] = '\0';
}

/* A retry that asked for the rest of what the temporary file holds: a 206
 * that is exactly that rest continues it, a 200 (the validator changed, or
 * no ranges) starts it over. */
static enum xfer_next xfer_continue(struct xfer *x, const struct http_head *h)
{
	off_t from = x->retry_from;

	x->retry_from = -1;
	if (h->status == 206) {
		if (xfer_join_partial(x, h, from) != 0)
			return XFER_STOP;
		x->have = 0; /* the file holds `from` bytes, all counted in written */
		fetch_progress_start(&x->prog, x->opts->progress, x->opts->progress_slot, from,
				     x->total);
		return XFER_BODY;
	}
	if (ftruncate(x->out.fd, 0) != 0 || lseek(x->out.fd, 0, SEEK_SET) != 0) {
		xfer_fail(x, FETCH_FILE, "cannot start %s over: %s", x->out.tmp, strerror(errno));
		return XFER_STOP;
	}
	x->out.written = 0;
	fetch_progress_start(&x->prog, x->opts->progress, x->opts->progress_slot, 0,
			     fetch_resp_length(h));
	return XFER_BODY;
}

static enum xfer_next xfer_on_head(struct xfer *x, const struct http_head *h)
{
	enum fetch_out_mode mode;
	size_t rlen;
	const char *reason;
	char shown[128];
	off_t len;

	xfer_print_head(x, h);
	if (h->status >= 300 && h->status < 400)
		return xfer_redirect(x, h);
	if (h->status == 416 && x->range_sent)
		return xfer_range_unsatisfiable(x, h);
	if (h->status == 407 && x->proxied) {
		xfer_fail(x, FETCH_PROXY, "the proxy asks for credentials (407)");
		return XFER_STOP;
	}
	if (h->status >= 400) {
		reason = http_target(h, &rlen);
		fetch_resp_mask(reason, rlen, shown, sizeof(shown));
		xfer_fail(x, FETCH_HTTP, "server answered %d %s", h->status, shown);
		x->retryable = fetch_retry_status(h->status);
		xfer_keep_header(h, "Retry-After", x->retry_after, sizeof(x->retry_after));
		return XFER_STOP;
	}
	if (x->opts->head_only)
		return XFER_BODY;
	xfer_keep_validator(x, h);
	if (x->retry_from >= 0)
		return xfer_continue(x, h);
	if (xfer_out_mode(x, h, &mode) != 0 || xfer_disposition_name(x, h) != 0 ||
	    xfer_gunzip_start(x, h) != 0)
		return XFER_STOP;
	if (fetch_out_open(&x->out, x->path, mode) != 0) {
		xfer_fail(x, FETCH_FILE, "%s", x->out.error);
		return XFER_STOP;
	}
	len = fetch_resp_length(h);
	fetch_progress_start(&x->prog, x->opts->progress, x->opts->progress_slot,
			     mode == FETCH_OUT_APPEND ? x->have : 0,
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
	if (x->total >= 0 && x->have + x->out.written != x->total) {
		/* A chunked 206 that ended early: the partial file as it was. */
		if (ftruncate(x->out.fd, x->have) != 0)
			return xfer_fail(x, FETCH_FILE, "cannot restore %s: %s", x->out.tmp,
					 strerror(errno));
		return xfer_fail(x, FETCH_PROTO, "206 Partial Content shorter than its Content-Range");
	}
	if (x->gunzip_on && fetch_gunzip_end(&x->gz) != 0)
		return xfer_fail(x, FETCH_PROTO, "%s", x->gz.error);
	if (!x->out.in_place && xfer_checksum(x, x->out.tmp) != 0) {
		x->out.keep = 0; /* no file at all, not even a partial one */
		return x->status;
	}
	if (x->out.in_place && x->opts->checksum.algo[0])
		return xfer_fail(x, FETCH_FILE, "--checksum: %s is not a regular file", x->out.target);
	lm = http_header(h, "Last-Modified", &n);
	if (lm && date_parse(lm, n, &mtime) != 0)
		mtime = -1;
	if (fetch_out_commit(&x->out, mtime) != 0)
		return xfer_fail(x, FETCH_FILE, "%s", x->out.error);
	return FETCH_OK;
}

/* The response stopped being read: why, from the body's sinks or the parser. */
static void xfer_resp_failed(struct xfer *x, const struct fetch_resp *r)
{
	if (x->gunzip_on && x->gz.error[0])
		xfer_fail(x, FETCH_PROTO, "%s", x->gz.error);
	else if (x->overlong && !x->out.in_place && ftruncate(x->out.fd, x->have) != 0)
		xfer_fail(x, FETCH_FILE, "cannot restore %s: %s", x->out.tmp, strerror(errno));
	else if (x->overlong) /* the pieces before the one too many went in */
		xfer_fail(x, FETCH_PROTO, "206 Partial Content longer than its Content-Range");
	else if (x->write_failed)
		xfer_fail(x, FETCH_FILE, "%s", x->out.error);
	else
		xfer_fail(x, FETCH_PROTO, "%s", r->error);
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
			xfer_print_head(x, &r->msg.head);
			break;
		case FETCH_RESP_HEAD:
			switch (xfer_on_head(x, &r->msg.head)) {
			case XFER_BODY: break;
			case XFER_REDIRECT: *redirect = 1; /* fall through */
			case XFER_STOP:
				x->stopped = 1;
				x->rest = p;
				x->rest_len = n;
				return 0;
			}
			break;
		case FETCH_RESP_DONE:
			x->keep = n == 0 && fetch_resp_reusable(r);
			xfer_done(x, &r->msg.head);
			return 0;
		case FETCH_RESP_ERROR:
			xfer_resp_failed(x, r);
			return 0;
		}
	}
}

/* The peer closed: the body complete, or cut short. */
static void xfer_eof(struct xfer *x, struct fetch_resp *r)
{
	enum fetch_resp_ev ev = fetch_resp_eof(r);

	/* Over TLS only close_notify proves that a close-delimited body is whole:
	 * a bare EOF may be an attacker cutting it short. */
	if (ev == FETCH_RESP_DONE && x->conn->truncated)
		xfer_fail(x, FETCH_PROTO, "incomplete body: the TLS connection ended "
					  "without close_notify (truncated)");
	else if (ev == FETCH_RESP_DONE)
		xfer_done(x, &r->msg.head);
	else
		xfer_resp_failed(x, r);
	if (ev != FETCH_RESP_DONE && !x->write_failed)
		x->retryable = 1; /* the connection closed early: maybe not next time */
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
			x->broke = 1;
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
			x->broke = 1;
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
		xfer_eof(x, r);
	if (wrote || xfer_direct_finish(x, buf, fill) != 0)
		xfer_fail(x, FETCH_FILE, "%s", x->out.error);
	else if (left == 0)
		xfer_done(x, &r->msg.head);
	munmap(map, 2 * XFER_DIRECT_BUF);
	return 1;
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
		size_t want = left < XFER_PIPE_SIZE ? (size_t)left : XFER_PIPE_SIZE;
		ssize_t n;

		if (xfer_wait_ms(x) < 0) {
			xfer_timed_out(x, "while reading the response");
			break;
		}
		/* Splice first, poll only when nothing is waiting (as xfer_recv). */
		n = splice(fd, NULL, p[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && errno == EAGAIN) {
			x->conn->want = POLLIN;
			if (xfer_wait(x, "while reading the response") != 0)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
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
			xfer_eof(x, r);
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
		xfer_done(x, &r->msg.head);
	close(p[0]);
	close(p[1]);
	return 1;
}

/* The rest of a long Content-Length body to a regular file, as sent, by the
 * fastest way that works here (transfer.h): 1 when it moved it (the transfer
 * is finished), 0 to read on. Splice needs a plain socket: TLS bytes must be
 * decrypted here. */
static int xfer_fast_body(struct xfer *x, struct fetch_resp *r)
{
	if (x->out.fd < 0 || x->out.in_place || x->gunzip_on)
		return 0;
	if (x->use_direct && fetch_resp_body_left(r) >= XFER_DIRECT_MIN && xfer_direct(x, r))
		return 1;
	return x->use_splice && !x->conn->tls && fetch_resp_body_left(r) >= XFER_SPLICE_MIN &&
	       xfer_splice(x, r);
}

/* After a head whose body fetch does not keep: reads a small body to its
 * end and drops it, so that the connection can serve the next request. 1
 * when the connection may be kept. Nothing here is the transfer's failure:
 * x's status and error stay the head's. */
static int xfer_drain(struct xfer *x, struct fetch_resp *r)
{
	enum fetch_resp_ev ev;
	const char *p = x->rest;
	size_t n = x->rest_len, used;
	off_t left = fetch_resp_body_left(r);
	ssize_t got;

	if (!r->msg.head.keep_alive || left > XFER_DRAIN_MAX)
		return 0;
	x->draining = 1;
	for (;;) {
		ev = fetch_resp_feed(r, p, n, &used);
		p += used;
		n -= used;
		if (ev == FETCH_RESP_DONE)
			return n == 0 && fetch_resp_reusable(r);
		if (ev == FETCH_RESP_ERROR || n > 0)
			return 0;
		got = fetch_stream_read(x->conn, x->buf, FETCH_READ_BUF);
		if (got == FETCH_STREAM_AGAIN) {
			int ms = xfer_wait_ms(x);
			if (ms < 0 || net_wait(x->conn->fd, x->conn->want, ms) <= 0)
				return 0;
			got = 0; /* feed nothing, read again */
		} else if (got <= 0) {
			return 0;
		}
		p = x->buf;
		n = (size_t)got;
	}
}

/* Reads the response to its end. A connection from the pool that fails
 * before the first byte of an answer is stale (the server closed it while
 * it was idle): *stale says so, and the caller asks again on a new one. */
static void xfer_read(struct xfer *x, int *redirect, int *stale)
{
	struct fetch_resp r;
	ssize_t got;

	fetch_resp_init(&r, x->opts->head_only, xfer_on_body, x);
	for (;;) {
		got = xfer_recv(x, x->buf, FETCH_READ_BUF,
				r.seen ? "while reading the response" : "waiting for a response");
		if (r.seen == 0 && x->reused && (got == 0 || (got < 0 && x->broke))) {
			*stale = 1;
			break;
		}
		if (got == 0)
			xfer_eof(x, &r);
		if (got <= 0 || !xfer_feed(x, &r, x->buf, (size_t)got, redirect))
			break;
		if (xfer_fast_body(x, &r)) {
			x->keep = fetch_resp_reusable(&r);
			break;
		}
	}
	if (x->stopped)
		x->keep = xfer_drain(x, &r);
	fetch_resp_free(&r);
}

/* The TLS handshake, within -T and --max-time like every other step. */
static int xfer_handshake(struct xfer *x)
{
	char err[256];
	struct tls_client_opts o = {.ca_file = x->opts->ca_file, .no_verify = x->opts->no_verify};
	int r;

	if (!x->pool->tls && !(x->pool->tls = tls_client_ctx(&o, err, sizeof(err)))) {
		xfer_fail(x, FETCH_USAGE, "%s", err);
		return -1;
	}
	if (fetch_stream_start_tls(x->conn, x->pool->tls, x->url.host) != 0) {
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

/* A new connection for this hop: to the origin or the proxy, through a
 * CONNECT tunnel for https by a proxy, TLS. 0, or -1 with x's error set. */
static int xfer_connect(struct xfer *x, const struct fetch_proxy *px)
{
	const struct url *to = x->proxied ? &px->url : &x->url;
	char nerr[256] = "";
	int ms = xfer_wait_ms(x), fd;

	if (ms < 0)
		return xfer_timed_out(x, "before connecting"), -1;
	fd = net_connect(to->host, to->port, x->opts->family, ms, nerr, sizeof(nerr));
	if (fd < 0)
		return xfer_fail(x, x->proxied ? FETCH_PROXY : FETCH_NET,
				 "cannot connect to %s%s port %s: %s", x->proxied ? "the proxy " : "",
				 to->host, to->port, nerr[0] ? nerr : strerror(errno)), -1;
	if (fetch_stream_open(x->conn, fd) != 0)
		return xfer_fail(x, FETCH_NET, "%s", x->conn->error), -1;
	if (x->proxied && x->url.https && xfer_tunnel(x, px) != 0)
		return -1;
	if (x->url.https && xfer_handshake(x) != 0)
		return -1;
	return 0;
}

/* One request and its response, on a kept connection to the same place
 * when there is one. A kept connection found stale costs one more go on a
 * new connection at once: not an attempt of -t, and not reported (the
 * server may close an idle connection any time, RFC 9112 section 9.6). */
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
		.other_origin = !xfer_same_origin(&x->first, &x->url),
		.if_modified_since = x->ims,
		.accept_gzip = x->opts->compressed,
	};
	struct fetch_stream conn = {.fd = -1};
	struct fetch_proxy px;
	char key[FETCH_POOL_KEY_MAX];
	int stale = 0;

	x->keep = 0;
	if (x->retry_from >= 0) {
		rq.range_from = x->retry_from;
		rq.if_range = x->validator;
	}
	*redirect = 0;
	buffer_init(&req, XFER_REQUEST_MAX);
	x->conn = &conn;
	x->proxied = xfer_proxy(x, &px);
	if (x->proxied < 0)
		goto out;
	/* Plain HTTP through a proxy: the whole URL, and its credentials to it. */
	rq.absolute = x->proxied && !x->url.https;
	rq.proxy_auth = rq.absolute && px.auth[0] ? px.auth : NULL;
	if (fetch_request_build(&req, &rq) != 0 ||
	    fetch_pool_key(key, sizeof(key), &x->url, x->proxied ? &px : NULL) != 0) {
		xfer_fail(x, FETCH_USAGE, "the request is too large");
		goto out;
	}
	do {
		x->reused = !stale && fetch_pool_take(x->pool, key, &conn);
		if (stale) {
			fetch_stream_close(&conn);
			x->status = FETCH_OK;
			x->err[0] = '\0';
			stale = 0;
		}
		x->broke = x->keep = x->stopped = x->draining = 0;
		x->drained = 0;
		if (!x->reused && xfer_connect(x, &px) != 0)
			goto out;
		xfer_print_request(x, &req);
		if (xfer_send(x, req.data, req.len, "sending the request") != 0)
			stale = x->reused && x->broke;
		else
			xfer_read(x, redirect, &stale);
	} while (stale);
out:
	buffer_free(&req);
	if (x->keep)
		fetch_pool_put(x->pool, key, &conn);
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
	x->ims = -1;
	fetch_out_init(&x->out);
	fetch_progress_start(&x->prog, 0, NULL, 0, -1);
	x->use_splice = xfer_env_on("FETCH_SPLICE");
	x->use_direct = xfer_env_on("FETCH_DIRECT");
	if (!opts->quiet)
		x->headf = opts->to_stdout ? stderr : stdout;
	if (opts->max_time_s > 0) {
		clock_gettime(CLOCK_MONOTONIC, &x->deadline);
		x->deadline.tv_sec += opts->max_time_s;
	}
}

/* -o FILE, or the URL's name: in the current directory, or in -o's when
 * that is a directory (as FreeBSD fetch does). A symlink to a file stands
 * for that file. 1 when the name is the URL's, 0 when -o's, -1 with errno. */
static int xfer_path_of(const struct fetch_opts *opts, const struct url *u, char *out,
			size_t size)
{
	const char *o = opts->output;
	char name[FETCH_NAME_MAX + 1];
	struct stat st;
	int n, from_url = !o || (stat(o, &st) == 0 && S_ISDIR(st.st_mode));

	if (!from_url) {
		n = snprintf(out, size, "%s", o);
	} else {
		fetch_name_from_target(u->target, name, sizeof(name));
		n = o ? snprintf(out, size, "%s/%s", o, name) : snprintf(out, size, "%s", name);
	}
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return fetch_out_follow_link(out, size) == 0 ? from_url : -1;
}

int fetch_url_path(const struct fetch_opts *opts, const char *url, char *out, size_t size)
{
	struct url u;

	if (url_parse(url, &u) != URL_OK || opts->to_stdout)
		return -1;
	return xfer_path_of(opts, &u, out, size) < 0 ? -1 : 0;
}

static int xfer_output_path(struct xfer *x)
{
	int r;

	x->path = x->name;
	if (x->opts->to_stdout) {
		x->path = x->opts->output;
		return 0;
	}
	r = xfer_path_of(x->opts, &x->url, x->name, sizeof(x->name));
	if (r < 0)
		return xfer_fail(x, FETCH_FILE, "%s: %s", x->name, strerror(errno)), -1;
	x->name_from_url = r;
	return 0;
}

/* One attempt: the first URL, its redirects, the body. A retry continues
 * what the temporary file holds when the server gave a validator for it and
 * the bytes are stored as sent (not decoded); with -r, it starts from
 * NAME.part as a new run would. */
static void xfer_attempt(struct xfer *x)
{
	int redirect = 1;
	off_t held = x->out.fd >= 0 && !x->out.in_place && !x->out.keep ? x->out.written : 0;

	x->retry_from = -1;
	if (held > 0 && x->validator[0] && !x->gunzip_on) {
		x->retry_from = held;
	} else {
		fetch_out_abort(&x->out); /* a -r partial file stays */
		fetch_out_init(&x->out);
	}
	fetch_gunzip_free(&x->gz);
	x->gunzip_on = 0;
	x->url = x->first;
	x->hops = 0;
	x->total = -1;
	x->overlong = x->write_failed = x->retryable = 0;
	x->retry_after[0] = '\0';
	if (x->opts->resume && !x->opts->head_only) {
		x->have = fetch_out_resume_size(x->path);
		x->range_sent = x->have > 0;
	}
	while (redirect) {
		x->status = FETCH_OK;
		xfer_hop(x, &redirect);
		if (redirect) {
			x->url = x->next;
			x->hops++;
		}
	}
}

/* Says why and waits before the next attempt: 0, or -1 when --max-time
 * would pass first. FETCH_RETRY_CAP_MS lowers the caps (tests). */
static int xfer_wait_retry(struct xfer *x, const char *url, unsigned attempt)
{
	const char *cap = getenv("FETCH_RETRY_CAP_MS");
	int from_server;
	long ms = fetch_retry_delay_ms(attempt, x->retry_after[0] ? x->retry_after : NULL,
				       strlen(x->retry_after), time(NULL), cap && *cap ? atol(cap) : -1,
				       &from_server);
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	if (ms >= xfer_ms_left(x))
		return -1; /* --max-time would pass while waiting */
	fetch_progress_end(&x->prog);
	if (!x->opts->quiet) {
		char note[1200];
		snprintf(note, sizeof(note), "%s; try %u of %u in %ld.%01ld s%s", x->err, attempt + 1,
			 x->opts->tries, ms / 1000, ms % 1000 / 100, from_server ? " (Retry-After)" : "");
		fetch_resp_print_error(url, note);
	}
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	x->err[0] = '\0';
	return 0;
}

enum fetch_status fetch_url(const struct fetch_opts *opts, struct fetch_pool *pool,
			    const char *url, char *err, size_t errlen)
{
	struct xfer x;
	struct stat st;
	enum url_error e;

	xfer_setup(&x, opts, err, errlen);
	x.pool = pool;
	e = url_parse(url, &x.url);
	if (e != URL_OK)
		return xfer_fail(&x, FETCH_USAGE, "%s", url_strerror(e));
	x.first = x.url;
	if (xfer_output_path(&x) != 0)
		return x.status;
	if (opts->timestamping && stat(x.path, &st) == 0 && S_ISREG(st.st_mode))
		x.ims = st.st_mtime;
	x.buf = malloc(FETCH_READ_BUF);
	if (!x.buf) {
		xfer_fail(&x, FETCH_FAIL, "out of memory");
		goto out;
	}
	for (unsigned attempt = 1;; attempt++) {
		xfer_attempt(&x);
		if (x.status == FETCH_OK || !(x.retryable || x.status == FETCH_NET) ||
		    attempt >= opts->tries ||
		    xfer_wait_retry(&x, url, attempt) != 0)
			break;
	}
out:
	fetch_progress_end(&x.prog); /* a failure mid-body leaves the bar's line ended */
	fetch_out_abort(&x.out); /* nothing left after a commit; a failure's temporary file */
	fetch_gunzip_free(&x.gz);
	free(x.buf);
	return x.status;
}
