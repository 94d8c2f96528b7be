/* respond: the planner. A parsed request in, the response head (and any
 * generated or cached body) appended to `out`, and the file range the loop
 * sends after it. No socket here; every decision is testable on its own.
 *
 * The hot path (a 200 of a cached file) formats nothing: the whole response,
 * head and small body, is kept preformatted with the cache entry and copied
 * in one piece (its Date patched once a second), so that both leave in one
 * write. The request fields the planner reads are found in one pass. */
#include "httpd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cond.h"
#include "filecache.h"
#include "listing.h"
#include "mime.h"
#include "range.h"
#include "url.h"

#define RESPOND_PATH_MAX    (HTTP_TARGET_MAX + 256) /* normalised path + index name or ".gz" */
#define RESPOND_ALLOW       "Allow: GET, HEAD, OPTIONS\r\n"
#define RESPOND_HTML        "Content-Type: text/html; charset=utf-8\r\n"

/* Everything before the Date value, and a short error page, per status. */
#define RESPOND_PRE(code, text)                                                       \
	"HTTP/1.1 " #code " " text "\r\nServer: httpd/" HTTPD_VERSION "\r\nDate: "
#define RESPOND_PAGE(code, text)                                                      \
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" #code " " text   \
	"</title></head>\n<body><h1>" #code " " text "</h1></body></html>\n"
#define RESPOND_STATUS(code, text)                                                    \
	{ code, RESPOND_PRE(code, text), sizeof(RESPOND_PRE(code, text)) - 1,          \
	  RESPOND_PAGE(code, text), sizeof(RESPOND_PAGE(code, text)) - 1 }

struct respond_status {
	int code;
	const char *pre;
	size_t pre_len;
	const char *page;
	size_t page_len;
};

/* Most frequent first: the lookup is a short linear scan. */
static const struct respond_status respond_statuses[] = {
	RESPOND_STATUS(200, "OK"),
	RESPOND_STATUS(304, "Not Modified"),
	RESPOND_STATUS(206, "Partial Content"),
	RESPOND_STATUS(404, "Not Found"),
	RESPOND_STATUS(301, "Moved Permanently"),
	RESPOND_STATUS(204, "No Content"),
	RESPOND_STATUS(400, "Bad Request"),
	RESPOND_STATUS(403, "Forbidden"),
	RESPOND_STATUS(405, "Method Not Allowed"),
	RESPOND_STATUS(408, "Request Timeout"),
	RESPOND_STATUS(413, "Content Too Large"),
	RESPOND_STATUS(414, "URI Too Long"),
	RESPOND_STATUS(416, "Range Not Satisfiable"),
	RESPOND_STATUS(431, "Request Header Fields Too Large"),
	RESPOND_STATUS(500, "Internal Server Error"),
	RESPOND_STATUS(501, "Not Implemented"),
	RESPOND_STATUS(503, "Service Unavailable"),
	RESPOND_STATUS(505, "HTTP Version Not Supported"),
};

/* A request field's value, or v NULL when absent. */
struct respond_value {
	const char *v;
	size_t n;
};

/* One request being planned. Appends are sticky on failure: the first one
 * that hits out's limit sets `err` and every later one does nothing. */
struct respond_plan {
	struct httpd_ctx *ctx;
	const struct http_head *req; /* NULL for respond_error */
	struct buffer *out;
	struct response *r;
	size_t mark;    /* out->len before this response */
	int head_only;  /* HEAD: headers as for GET, no body */
	int http10_ka;  /* HTTP/1.0 with keep-alive: say so */
	int err;
	/* The first field of each name the planner reads (respond_fields). */
	struct respond_value accept, accept_encoding, if_none_match, if_modified_since, range;
};

/* What is known about the file being served, from fstat or the cache. */
struct respond_file {
	int fd;           /* ours to hand on or close, or -1 (a cached file) */
	struct filecache_entry *entry; /* the cached file, or NULL */
	const char *data; /* a cached small file's bytes, or NULL */
	off_t size;
	time_t mtime;
	const char *ctype;
	const char *etag;
	size_t etag_len;
	const char *lastmod;
	const char *hdr;  /* preformatted lines of a 200 (cache), or NULL */
	size_t hdr_len;
	int gz;           /* this is the .gz twin of the requested file */
	int twin;         /* the requested file has a .gz twin: Vary */
};

/* The common case (room already allocated) is a bare memcpy; buffer_append
 * only when out must grow, which it does rarely since the loop reuses it. */
static void respond_put(struct respond_plan *p, const char *s, size_t n)
{
	struct buffer *out = p->out;

	if (n == 0)
		return;
	if (n <= out->cap - out->len) {
		memcpy(out->data + out->len, s, n);
		out->len += n;
		return;
	}
	if (!p->err && buffer_append(out, s, n) != 0)
		p->err = 1;
}

#define RESPOND_PUTS(p, lit) respond_put((p), (lit), sizeof(lit) - 1)

/* Where the Date value starts in a 200, and where the line after it starts. */
#define RESPOND_DATE_AT  (sizeof(RESPOND_PRE(200, "OK")) - 1)
#define RESPOND_DATE_END (RESPOND_DATE_AT + DATE_LEN + 2)

static void respond_put_str(struct respond_plan *p, const char *s)
{
	respond_put(p, s, strlen(s));
}

static void respond_put_num(struct respond_plan *p, unsigned long long v)
{
	char digits[24];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	respond_put(p, digits + i, sizeof(digits) - i);
}

static const struct respond_status *respond_status_of(int code)
{
	for (size_t i = 0; i < sizeof(respond_statuses) / sizeof(respond_statuses[0]); i++)
		if (respond_statuses[i].code == code)
			return &respond_statuses[i];
	return NULL;
}

/* Status line, Server, Date and Connection. */
static void respond_start(struct respond_plan *p, int code)
{
	const struct respond_status *s = respond_status_of(code);

	p->r->status = code;
	if (s != NULL) {
		respond_put(p, s->pre, s->pre_len);
	} else {
		RESPOND_PUTS(p, "HTTP/1.1 ");
		respond_put_num(p, (unsigned long long)code);
		RESPOND_PUTS(p, " ");
		respond_put_str(p, http_reason(code));
		RESPOND_PUTS(p, "\r\nServer: httpd/" HTTPD_VERSION "\r\nDate: ");
	}
	respond_put(p, p->ctx->date, DATE_LEN);
	RESPOND_PUTS(p, "\r\n");
	if (p->r->close)
		RESPOND_PUTS(p, "Connection: close\r\n");
	else if (p->http10_ka)
		RESPOND_PUTS(p, "Connection: keep-alive\r\n");
}

/* The --error-page for code, or NULL. */
static const struct httpd_error_page *respond_custom_page(const struct respond_plan *p, int code)
{
	const struct httpd_config *cfg = p->ctx->cfg;

	for (int i = 0; i < cfg->nerror_pages; i++)
		if (cfg->error_pages[i].code == code)
			return &cfg->error_pages[i];
	return NULL;
}

/* An error page, built in or from --error-page; `extra` holds preformatted
 * header lines (Allow, ...). */
static void respond_page(struct respond_plan *p, int code, const char *extra)
{
	const struct respond_status *s = respond_status_of(code);
	const struct httpd_error_page *custom = respond_custom_page(p, code);
	const char *body;
	size_t len;

	if (s == NULL)
		s = respond_status_of(500); /* a page for a code we have none for */
	body = custom ? custom->body : s->page;
	len = custom ? custom->len : s->page_len;

	respond_start(p, code);
	if (extra != NULL)
		respond_put_str(p, extra);
	if (custom) {
		RESPOND_PUTS(p, "Content-Type: ");
		respond_put_str(p, custom->ctype);
		RESPOND_PUTS(p, "\r\nContent-Length: ");
	} else {
		RESPOND_PUTS(p, RESPOND_HTML "Content-Length: ");
	}
	respond_put_num(p, len);
	RESPOND_PUTS(p, "\r\n\r\n");
	if (!p->head_only) {
		respond_put(p, body, len);
		p->r->body_len = (off_t)len;
	}
}

void respond_file_done(int fd, struct filecache_fd *ref)
{
	if (ref != NULL)
		filecache_fd_release(ref);
	else if (fd >= 0)
		close(fd);
}

static int respond_finish(struct respond_plan *p)
{
	if (!p->err)
		return 0;
	/* Leave no half response behind; the loop closes the connection. */
	p->out->len = p->mark;
	respond_file_done(p->r->fd, p->r->fd_ref);
	p->r->fd = -1;
	p->r->fd_ref = NULL;
	return -1;
}

/* Whether a field name (n bytes, tchars) is lit, a lower-case literal, in
 * any case; the length and the first letter settle most mismatches. */
#define RESPOND_NAME_IS(name, n, lit)                                  \
	((n) == sizeof(lit) - 1 && ((name)[0] | 0x20) == (lit)[0] &&  \
	 strncasecmp((name), (lit), sizeof(lit) - 1) == 0)

/* One pass over the request's fields for those the planner reads; the first
 * of a name counts, as with http_header(). */
static void respond_fields(struct respond_plan *p, const struct http_head *h)
{
	for (unsigned i = 0; i < h->nfields; i++) {
		size_t n;
		const char *name = http_field_name(h, i, &n);
		struct respond_value *slot;

		if (RESPOND_NAME_IS(name, n, "accept-encoding"))
			slot = &p->accept_encoding;
		else if (RESPOND_NAME_IS(name, n, "accept"))
			slot = &p->accept;
		else if (RESPOND_NAME_IS(name, n, "if-none-match"))
			slot = &p->if_none_match;
		else if (RESPOND_NAME_IS(name, n, "if-modified-since"))
			slot = &p->if_modified_since;
		else if (RESPOND_NAME_IS(name, n, "range"))
			slot = &p->range;
		else
			continue;
		if (slot->v == NULL)
			slot->v = http_field_value(h, i, &slot->n);
	}
}

static void respond_plan_init(struct respond_plan *p, struct httpd_ctx *ctx,
			      const struct http_head *req, struct buffer *out, struct response *r)
{
	memset(p, 0, sizeof(*p));
	p->ctx = ctx;
	p->req = req;
	p->out = out;
	p->r = r;
	p->mark = out->len;
	r->status = 0;
	r->close = req ? !req->keep_alive : 1;
	r->fd = -1;
	r->fd_ref = NULL;
	r->off = 0;
	r->len = 0;
	r->body_len = 0;
	if (req != NULL) {
		p->head_only = req->method == HTTP_HEAD;
		p->http10_ka = !r->close && req->major == 1 && req->minor == 0;
		respond_fields(p, req);
	}
}

int respond_error(struct httpd_ctx *ctx, int status, struct buffer *out, struct response *r)
{
	struct respond_plan p;

	respond_plan_init(&p, ctx, NULL, out, r);
	respond_page(&p, status, status == 405 ? RESPOND_ALLOW : NULL);
	return respond_finish(&p);
}

/* ---- files ---- */

static void respond_file_headers(struct respond_plan *p, const struct respond_file *f,
				 off_t off, off_t len)
{
	const struct httpd_config *cfg = p->ctx->cfg;

	if (f->hdr != NULL && p->r->status == 200) {
		respond_put(p, f->hdr, f->hdr_len);
	} else {
		RESPOND_PUTS(p, "Content-Type: ");
		respond_put_str(p, f->ctype);
		RESPOND_PUTS(p, "\r\nContent-Length: ");
		respond_put_num(p, (unsigned long long)len);
		RESPOND_PUTS(p, "\r\nLast-Modified: ");
		respond_put(p, f->lastmod, DATE_LEN);
		RESPOND_PUTS(p, "\r\nETag: ");
		respond_put(p, f->etag, f->etag_len);
		RESPOND_PUTS(p, "\r\nAccept-Ranges: bytes\r\n");
	}
	if (f->gz)
		RESPOND_PUTS(p, "Content-Encoding: gzip\r\n");
	if (f->gz || f->twin)
		RESPOND_PUTS(p, "Vary: Accept-Encoding\r\n");
	if (p->r->status == 206) {
		RESPOND_PUTS(p, "Content-Range: bytes ");
		respond_put_num(p, (unsigned long long)off);
		RESPOND_PUTS(p, "-");
		respond_put_num(p, (unsigned long long)(off + len - 1));
		RESPOND_PUTS(p, "/");
		respond_put_num(p, (unsigned long long)f->size);
		RESPOND_PUTS(p, "\r\n");
	}
	if (cfg->extra_headers != NULL)
		respond_put(p, cfg->extra_headers, cfg->extra_headers_len);
	RESPOND_PUTS(p, "\r\n");
}

/* 304: the validators, Vary and the configured headers, no body. */
static void respond_not_modified(struct respond_plan *p, const struct respond_file *f)
{
	const struct httpd_config *cfg = p->ctx->cfg;

	respond_start(p, 304);
	RESPOND_PUTS(p, "Last-Modified: ");
	respond_put(p, f->lastmod, DATE_LEN);
	RESPOND_PUTS(p, "\r\nETag: ");
	respond_put(p, f->etag, f->etag_len);
	RESPOND_PUTS(p, "\r\n");
	if (f->gz || f->twin)
		RESPOND_PUTS(p, "Vary: Accept-Encoding\r\n");
	if (cfg->extra_headers != NULL)
		respond_put(p, cfg->extra_headers, cfg->extra_headers_len);
	RESPOND_PUTS(p, "\r\n");
}

static void respond_range_416(struct respond_plan *p, off_t size)
{
	char extra[64];
	int n = snprintf(extra, sizeof(extra), "Content-Range: bytes */%llu\r\n",
			 (unsigned long long)size);

	respond_page(p, 416, n > 0 && (size_t)n < sizeof(extra) ? extra : NULL);
}

/* Whether out can take len body bytes inline (else they go by fd). */
static int respond_room(const struct buffer *out, off_t len)
{
	return out->limit > out->len && out->limit - out->len >= (size_t)len + 4096;
}

/* The body of a 200/206: inline from the cache when it fits, else a file
 * range for the loop to send (a cached file's descriptor is lent, which
 * costs far less than opening the path again). Decided before the head is
 * written. */
static void respond_body(struct respond_plan *p, const struct respond_file *f, off_t off,
			 off_t len)
{
	p->r->body_len = len;
	if (f->data != NULL && respond_room(p->out, len))
		return;
	if (f->entry != NULL) {
		p->r->fd = f->entry->fd;
		p->r->fd_ref = filecache_fd_hold(f->entry);
	} else {
		p->r->fd = f->fd;
	}
	p->r->off = off;
	p->r->len = len;
}

/* What a cache entry knows about its file. */
static void respond_entry_file(struct filecache_entry *e, struct respond_file *f)
{
	*f = (struct respond_file){
		.fd = -1, .entry = e, .data = e->data, .size = e->size,
		.mtime = e->mtim.tv_sec,
		.ctype = e->ctype, .etag = e->etag, .etag_len = e->etag_len,
		.lastmod = e->lastmod, .hdr = e->hdr, .hdr_len = e->hdr_len, .twin = e->twin,
	};
}

/* Formats the whole 200 of a cached file (head, and the body if held) into
 * the entry's slot, with the same pieces as any other 200. */
static int respond_entry_format(struct respond_plan *p, struct filecache_entry *e)
{
	struct respond_file f;
	struct buffer b;
	struct response r;
	struct respond_plan q;
	size_t head_len;

	respond_entry_file(e, &f);
	buffer_init(&b, RESPOND_DATE_END + e->hdr_len + p->ctx->cfg->extra_headers_len + 256 +
				(size_t)(e->data ? e->size : 0));
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	q.ctx = p->ctx;
	q.out = &b;
	q.r = &r;
	respond_start(&q, 200);
	respond_file_headers(&q, &f, 0, e->size);
	head_len = b.len;
	if (e->data != NULL)
		respond_put(&q, e->data, (size_t)e->size);
	if (q.err || b.len < RESPOND_DATE_END) {
		buffer_free(&b);
		return -1;
	}
	free(e->resp);
	e->resp = b.data;
	e->resp_len = b.len;
	e->resp_head_len = head_len;
	e->resp_date = p->ctx->now;
	e->resp_twin = e->twin;
	return 0;
}

/* A cached file's plain 200 (no conditional, no Range) from its
 * preformatted response: the Date patched once a second, a Connection line
 * spliced in after it when one is due, the body inline or the descriptor
 * lent. -1, with nothing done: not formatted (out of memory). */
static int respond_entry_200(struct respond_plan *p, struct filecache_entry *e)
{
	size_t n;

	if ((e->resp == NULL || e->resp_twin != e->twin) && respond_entry_format(p, e) != 0)
		return -1;
	n = e->resp_head_len;
	if (e->resp_date != p->ctx->now) {
		memcpy(e->resp + RESPOND_DATE_AT, p->ctx->date, DATE_LEN);
		e->resp_date = p->ctx->now;
	}
	p->r->status = 200;
	if (!p->head_only && e->size > 0) {
		p->r->body_len = e->size;
		if (e->data != NULL && respond_room(p->out, e->size)) {
			n = e->resp_len;
		} else {
			p->r->fd = e->fd;
			p->r->fd_ref = filecache_fd_hold(e);
			p->r->len = e->size;
		}
	}
	if (!p->r->close && !p->http10_ka) {
		respond_put(p, e->resp, n);
		return 0;
	}
	respond_put(p, e->resp, RESPOND_DATE_END);
	if (p->r->close)
		RESPOND_PUTS(p, "Connection: close\r\n");
	else
		RESPOND_PUTS(p, "Connection: keep-alive\r\n");
	respond_put(p, e->resp + RESPOND_DATE_END, n - RESPOND_DATE_END);
	return 0;
}

/* Conditionals, then Range, then the 200 or 206 head and the body plan.
 * Takes ownership of f->fd. */
static void respond_file(struct respond_plan *p, const struct respond_file *f)
{
	const struct http_head *req = p->req;
	off_t off = 0, len = f->size;
	int code = 200;

	if ((p->if_none_match.v != NULL || p->if_modified_since.v != NULL) &&
	    cond_not_modified_by(p->if_none_match.v, p->if_none_match.n, p->if_modified_since.v,
				 p->if_modified_since.n, f->etag, f->etag_len, f->mtime)) {
		respond_not_modified(p, f);
		goto done;
	}
	/* RFC 9110 defines Range for GET only, but HEAD answers with the head GET
	 * would get (as nginx does): a 206 head for a ranged HEAD. */
	if (p->range.v != NULL && cond_if_range(req, f->etag, f->etag_len, f->mtime)) {
		switch (range_parse(p->range.v, p->range.n, f->size, &off, &len)) {
		case RANGE_PARTIAL:
			code = 206;
			break;
		case RANGE_UNSATISFIABLE:
			respond_range_416(p, f->size);
			goto done;
		case RANGE_FULL:
			off = 0;
			len = f->size;
			break;
		}
	}
	if (!p->head_only && len > 0)
		respond_body(p, f, off, len);
	respond_start(p, code);
	respond_file_headers(p, f, off, len);
	if (p->r->body_len > 0 && p->r->fd < 0)
		respond_put(p, f->data + off, (size_t)len);
	if (p->r->fd >= 0 && p->r->fd == f->fd)
		return; /* handed on to the loop */
done:
	if (f->fd >= 0)
		close(f->fd);
}

/* ---- request paths ---- */

/* Whether Accept-Encoding allows gzip: "gzip" or "x-gzip" with a q above 0,
 * or "*" above 0 when gzip is not named. "gzip;q=0" refuses it. */
static int respond_q_zero(const char *params, size_t n)
{
	const char *q = NULL;

	for (size_t i = 0; i + 1 < n; i++)
		if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' &&
		    (i == 0 || params[i - 1] == ';' || params[i - 1] == ' ' || params[i - 1] == '\t')) {
			q = params + i + 2;
			break;
		}
	if (q == NULL || q >= params + n || *q != '0')
		return 0;
	for (q++; q < params + n && *q != ';' && *q != ' ' && *q != '\t'; q++)
		if (*q != '.' && *q != '0')
			return 0;
	return 1;
}

static int respond_accepts_gzip(const struct respond_plan *p)
{
	size_t n = p->accept_encoding.n;
	const char *v = p->accept_encoding.v;
	int gzip = -1, star = -1;

	while (v != NULL && n > 0) {
		const char *comma = memchr(v, ',', n);
		size_t len = comma ? (size_t)(comma - v) : n, clen;
		const char *semi = memchr(v, ';', len);
		const char *c = v;
		int ok;

		while (len > 0 && (*c == ' ' || *c == '\t')) {
			c++;
			len--;
		}
		clen = semi ? (size_t)(semi - c) : len;
		while (clen > 0 && (c[clen - 1] == ' ' || c[clen - 1] == '\t'))
			clen--;
		ok = semi == NULL || !respond_q_zero(semi, len - (size_t)(semi - c));
		if ((clen == 4 && strncasecmp(c, "gzip", 4) == 0) ||
		    (clen == 6 && strncasecmp(c, "x-gzip", 6) == 0))
			gzip = ok;
		else if (clen == 1 && c[0] == '*')
			star = ok;
		if (comma == NULL)
			break;
		n -= (size_t)(comma + 1 - v);
		v = comma + 1;
	}
	return gzip >= 0 ? gzip : star > 0;
}

/* A segment starting with '.' is hidden unless dotfiles are on; only the
 * top-level /.well-known (RFC 8615) is always served. */
static int respond_hidden(const char *norm, size_t n, int dotfiles)
{
	if (dotfiles)
		return 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (norm[i] != '/' || norm[i + 1] != '.')
			continue;
		if (i == 0 && n >= 12 && memcmp(norm, "/.well-known", 12) == 0 &&
		    (n == 12 || norm[12] == '/'))
			continue;
		return 1;
	}
	return 0;
}

/* The path and query of an origin-form or absolute-form target. */
static int respond_split_target(const char *t, size_t n, const char **path, size_t *plen,
				const char **query, size_t *qlen)
{
	const char *end = t + n, *q, *hash;

	/* Not origin-form ("/..."): absolute-form, whose scheme and authority go. */
	if (n == 0 || t[0] != '/') {
		if (n < 7 || (strncasecmp(t, "http://", 7) != 0 &&
			      (n < 8 || strncasecmp(t, "https://", 8) != 0)))
			return -1;
		t = (const char *)memchr(t, '/', n) + 2;
		while (t < end && *t != '/' && *t != '?' && *t != '#')
			t++;
	}
	hash = memchr(t, '#', (size_t)(end - t));
	if (hash != NULL)
		end = hash;
	q = memchr(t, '?', (size_t)(end - t));
	*path = t;
	*plen = (size_t)((q ? q : end) - t);
	*query = q ? q : end;
	*qlen = (size_t)(end - *query);
	return 0;
}

/* Whether decoding and normalising would leave the path as it is: it starts
 * with '/' and holds no escape, no NUL, no empty segment and no segment
 * starting with '.' (so no "." or ".."; dotfiles just take the long way). */
static int respond_path_plain(const char *p, size_t n)
{
	static const unsigned char special[256] = {['\0'] = 1, ['%'] = 1, ['/'] = 1};

	if (p[0] != '/')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!special[(unsigned char)p[i]])
			continue;
		if (p[i] != '/' || (i + 1 < n && (p[i + 1] == '/' || p[i + 1] == '.')))
			return 0;
	}
	return 1;
}

/* Fills norm (NUL-terminated, room RESPOND_PATH_MAX) with the decoded and
 * normalised path; returns its length or -status (404: a hidden path). */
static ssize_t respond_map_path(const char *path, size_t plen, char *norm, int dotfiles)
{
	char dec[HTTP_TARGET_MAX + 1];
	ssize_t dn, nn;

	if (plen == 0) {
		memcpy(norm, "/", 2); /* "http://host" and "http://host?q" */
		return 1;
	}
	if (plen > HTTP_TARGET_MAX)
		return -414;
	if (respond_path_plain(path, plen)) { /* and so not hidden */
		memcpy(norm, path, plen);
		norm[plen] = '\0';
		return (ssize_t)plen;
	}
	dn = url_decode(path, plen, dec);
	if (dn < 0 || memchr(dec, '\0', (size_t)dn) != NULL)
		return -400;
	nn = path_normalize(dec, (size_t)dn, norm, RESPOND_PATH_MAX - 1);
	if (nn < 0)
		return -400;
	norm[nn] = '\0';
	if (respond_hidden(norm, (size_t)nn, dotfiles))
		return -404;
	return nn;
}

/* A file response planned from a cache entry: a plain GET or HEAD straight
 * from the preformatted 200, the rest through respond_file. */
static void respond_cached(struct respond_plan *p, struct filecache_entry *e)
{
	struct respond_file f;

	if (p->if_none_match.v == NULL && p->if_modified_since.v == NULL && p->range.v == NULL &&
	    respond_entry_200(p, e) == 0)
		return;
	respond_entry_file(e, &f);
	respond_file(p, &f);
}

/* The cache entry for norm, unless the client would get its .gz twin. */
static struct filecache_entry *respond_cache_get(struct respond_plan *p, const char *norm,
						 size_t n)
{
	struct filecache_entry *e;

	if (p->ctx->cache == NULL)
		p->ctx->cache = filecache_new();
	if (p->ctx->cache == NULL)
		return NULL;
	e = filecache_get(p->ctx->cache, &p->ctx->cfg->root, norm, n, p->ctx->now,
			  p->ctx->mono_ns);
	if (e == NULL || (e->twin && respond_accepts_gzip(p)))
		return NULL;
	return e;
}

/* Serves FILE.gz in place of FILE when it is a regular file; 0 if it did. */
static int respond_twin(struct respond_plan *p, char *norm, size_t n)
{
	struct stat st;
	int fd;
	char etag[COND_ETAG_MAX], lastmod[DATE_LEN + 1];
	struct respond_file f = {.gz = 1, .twin = 1};

	if (n + 4 > RESPOND_PATH_MAX)
		return -1;
	memcpy(norm + n, ".gz", 4);
	fd = path_open(&p->ctx->cfg->root, norm, O_RDONLY | O_NONBLOCK);
	norm[n] = '\0';
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	f.fd = fd;
	f.size = st.st_size;
	f.mtime = st.st_mtime;
	f.ctype = mime_type(norm);
	f.etag = etag;
	f.etag_len = cond_etag(etag, st.st_mtime, st.st_size);
	f.lastmod = lastmod;
	date_format(st.st_mtime, lastmod);
	respond_file(p, &f);
	return 0;
}

/* A regular file opened at norm: the twin, the cache, or the fd itself. */
static void respond_regular(struct respond_plan *p, char *norm, size_t n, int fd,
			    const struct stat *st)
{
	int twin = filecache_twin_exists(&p->ctx->cfg->root, norm, n);
	char etag[COND_ETAG_MAX], lastmod[DATE_LEN + 1];
	struct respond_file f = {.fd = fd, .size = st->st_size,
				 .mtime = st->st_mtime,
				 .twin = twin};
	struct filecache_entry *e;

	if (twin && respond_accepts_gzip(p) && respond_twin(p, norm, n) == 0) {
		close(fd);
		return;
	}
	if (p->ctx->cache != NULL) {
		e = filecache_put(p->ctx->cache, norm, n, fd, st, twin, p->ctx->now);
		if (e != NULL) { /* the cache owns fd now */
			respond_cached(p, e);
			return;
		}
	}
	f.ctype = mime_type(norm);
	f.etag = etag;
	f.etag_len = cond_etag(etag, st->st_mtime, st->st_size);
	f.lastmod = lastmod;
	date_format(st->st_mtime, lastmod);
	respond_file(p, &f);
}

static void respond_redirect(struct respond_plan *p, const char *norm, size_t n,
			     const char *query, size_t qlen)
{
	respond_start(p, 301);
	RESPOND_PUTS(p, "Location: ");
	if (!p->err && url_encode(p->out, norm, n, "/") != 0)
		p->err = 1;
	RESPOND_PUTS(p, "/");
	respond_put(p, query, qlen);
	RESPOND_PUTS(p, "\r\nContent-Length: 0\r\n\r\n");
}

/* Whether Accept names application/json with a q above 0 (a listing is
 * then JSON); wildcards do not count, so browsers and curl get HTML. */
static int respond_wants_json(const struct respond_plan *p)
{
	const char *v = p->accept.v, *end = v + p->accept.n;

	while (v != NULL && v < end) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		const char *item_end = comma ? comma : end;

		while (v < item_end && (*v == ' ' || *v == '\t'))
			v++;
		if (item_end - v >= 16 && strncasecmp(v, "application/json", 16) == 0) {
			const char *q = v + 16;
			while (q < item_end && (*q == ' ' || *q == '\t'))
				q++;
			if (q == item_end || *q == ';') {
				/* "q=0", "q=0.0"...: refused. */
				const char *qv = memmem(q, (size_t)(item_end - q), "q=", 2);
				if (qv == NULL || qv + 2 >= item_end || strspn(qv + 2, "0.") <
				    (size_t)(item_end - qv - 2))
					return 1;
			}
		}
		v = comma ? comma + 1 : NULL;
	}
	return 0;
}

static void respond_listing(struct respond_plan *p, int dirfd, const char *norm, size_t n,
			    const char *query, size_t qlen)
{
	struct listing_view view = {.show_dot = p->ctx->cfg->dotfiles, .json = respond_wants_json(p)};
	struct buffer page;

	listing_view_query(&view, query, qlen);
	buffer_init(&page, RESPOND_LISTING_MAX);
	if (listing_render(&page, dirfd, norm, n, &view) != 0) {
		buffer_free(&page);
		respond_page(p, errno == ENOBUFS ? 500 : path_errno_status(errno), NULL);
		return;
	}
	respond_start(p, 200);
	RESPOND_PUTS(p, "Vary: Accept\r\n");
	if (view.json)
		RESPOND_PUTS(p, "Content-Type: application/json\r\nContent-Length: ");
	else
		RESPOND_PUTS(p, RESPOND_HTML "Content-Length: ");
	respond_put_num(p, page.len);
	RESPOND_PUTS(p, "\r\n\r\n");
	if (!p->head_only) {
		respond_put(p, page.data, page.len);
		p->r->body_len = (off_t)page.len;
	}
	buffer_free(&page);
}

/* Opens norm beneath the root and fstats the open fd; -status on failure. */
static int respond_open(struct respond_plan *p, const char *norm, struct stat *st)
{
	int fd = path_open(&p->ctx->cfg->root, norm, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return -path_errno_status(errno);
	if (fstat(fd, st) != 0) {
		int status = path_errno_status(errno);

		close(fd);
		return -status;
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) {
		close(fd);
		return -403; /* devices, FIFOs, sockets: never */
	}
	return fd;
}

/* "/dir/": the index file if there is one, else the listing (or 404). */
static void respond_directory(struct respond_plan *p, int dirfd, char *norm, size_t n,
			      const char *query, size_t qlen)
{
	const struct httpd_config *cfg = p->ctx->cfg;
	size_t ilen = cfg->index ? strlen(cfg->index) : 0;
	struct stat st;
	int fd;

	if (ilen > 0 && n + ilen < RESPOND_PATH_MAX) {
		memcpy(norm + n, cfg->index, ilen + 1);
		fd = respond_open(p, norm, &st);
		if (fd >= 0 && S_ISREG(st.st_mode)) {
			close(dirfd);
			respond_regular(p, norm, n + ilen, fd, &st);
			return;
		}
		if (fd >= 0)
			close(fd);
		norm[n] = '\0';
		if (fd < 0 && fd != -404) {
			close(dirfd);
			respond_page(p, -fd, NULL);
			return;
		}
	}
	if (cfg->listing)
		respond_listing(p, dirfd, norm, n, query, qlen);
	else
		respond_page(p, 404, NULL);
	close(dirfd);
}

/* --fallback: a path that does not exist gets this file, with 200. */
static void respond_fallback(struct respond_plan *p, char *norm)
{
	size_t n = strlen(p->ctx->cfg->fallback);
	struct filecache_entry *e;
	struct stat st;
	int fd;

	memcpy(norm, p->ctx->cfg->fallback, n + 1);
	e = respond_cache_get(p, norm, n);
	if (e != NULL) {
		respond_cached(p, e);
		return;
	}
	fd = respond_open(p, norm, &st);
	if (fd >= 0 && S_ISREG(st.st_mode)) {
		respond_regular(p, norm, n, fd, &st);
		return;
	}
	if (fd >= 0)
		close(fd);
	respond_page(p, 404, NULL);
}

/* The cache first (for "/dir/" the index file's path), then the file system. */
static void respond_get(struct respond_plan *p, char *norm, size_t n, const char *query,
			size_t qlen)
{
	const struct httpd_config *cfg = p->ctx->cfg;
	size_t key = n;
	struct filecache_entry *e;
	struct stat st;
	int fd;

	if (norm[n - 1] == '/' && cfg->index != NULL && n + strlen(cfg->index) < RESPOND_PATH_MAX) {
		memcpy(norm + n, cfg->index, strlen(cfg->index) + 1);
		key = n + strlen(cfg->index);
	}
	e = respond_cache_get(p, norm, key);
	norm[n] = '\0';
	if (e != NULL) {
		respond_cached(p, e);
		return;
	}
	fd = respond_open(p, norm, &st);
	if (fd == -404 && cfg->fallback != NULL) {
		respond_fallback(p, norm);
		return;
	}
	if (fd < 0) {
		respond_page(p, -fd, NULL);
		return;
	}
	if (S_ISREG(st.st_mode)) {
		respond_regular(p, norm, n, fd, &st);
		return;
	}
	if (norm[n - 1] != '/') {
		close(fd);
		respond_redirect(p, norm, n, query, qlen);
		return;
	}
	respond_directory(p, fd, norm, n, query, qlen);
}

/* Methods: GET/HEAD served, OPTIONS 204, the other methods HTTP defines 405,
 * the rest llhttp knows (WebDAV, RTSP, ...) 501. */
static int respond_method(struct respond_plan *p)
{
	switch (p->req->method) {
	case HTTP_GET:
	case HTTP_HEAD:
		return 0;
	case HTTP_OPTIONS:
		respond_start(p, 204);
		RESPOND_PUTS(p, RESPOND_ALLOW "\r\n");
		return 1;
	case HTTP_POST:
	case HTTP_PUT:
	case HTTP_DELETE:
	case HTTP_CONNECT:
	case HTTP_TRACE:
	case HTTP_PATCH:
		respond_page(p, 405, RESPOND_ALLOW);
		return 1;
	default:
		respond_page(p, 501, NULL);
		return 1;
	}
}

int respond(struct httpd_ctx *ctx, const struct http_head *req, struct buffer *out,
	    struct response *r)
{
	struct respond_plan p;
	char norm[RESPOND_PATH_MAX];
	const char *target, *path, *query;
	size_t tlen, plen, qlen;
	ssize_t n;

	respond_plan_init(&p, ctx, req, out, r);
	if (respond_method(&p))
		return respond_finish(&p);
	target = http_target(req, &tlen);
	if (respond_split_target(target, tlen, &path, &plen, &query, &qlen) != 0) {
		respond_page(&p, 400, NULL);
		return respond_finish(&p);
	}
	n = respond_map_path(path, plen, norm, ctx->cfg->dotfiles);
	if (n < 0)
		respond_page(&p, (int)-n, NULL);
	else
		respond_get(&p, norm, (size_t)n, query, qlen);
	return respond_finish(&p);
}

void respond_free(struct httpd_ctx *ctx)
{
	if (ctx->cache)
		filecache_free(ctx->cache);
	ctx->cache = NULL;
}
