/* respond: the planner. A parsed request in, the response head (and any
 * generated or cached body) appended to `out`, and the file range the loop
 * sends after it. No socket here; every decision is testable on its own.
 *
 * The hot path (a 200 of a cached file) formats nothing: the whole response,
 * head and small body, is kept preformatted with the cache entry and copied
 * in one piece (its Date patched once a second), so that both leave in one
 * write. The request fields the planner reads come from lib/http's index. */
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

/* One request being planned. Its pieces go to out with buffer_put, whose
 * failure is sticky: checked once, in respond_finish. */
struct respond_plan {
	struct httpd_ctx *ctx;
	const struct http_head *req; /* NULL for respond_error */
	struct buffer *out;
	struct response *r;
	size_t mark;    /* out->len before this response */
	int head_only;  /* HEAD: headers as for GET, no body */
	int http10_ka;  /* HTTP/1.0 with keep-alive: say so */
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
	int gz;           /* this is the .gz twin of the requested file */
	int twin;         /* the requested file has a .gz twin: Vary */
};

/* Where the Date value starts in a 200, and where the line after it starts. */
#define RESPOND_DATE_AT  (sizeof("HTTP/1.1 200 OK\r\nServer: httpd/" HTTPD_VERSION "\r\nDate: ") - 1)
#define RESPOND_DATE_END (RESPOND_DATE_AT + DATE_LEN + 2)

/* Status line, Server, Date and Connection; the reason from lib/http's table. */
static void respond_start(struct respond_plan *p, int code)
{
	p->r->status = code;
	BUFFER_PUT_LIT(p->out, "HTTP/1.1 ");
	buffer_put_num(p->out, (unsigned long long)code);
	BUFFER_PUT_LIT(p->out, " ");
	buffer_put_str(p->out, http_reason(code));
	BUFFER_PUT_LIT(p->out, "\r\nServer: httpd/" HTTPD_VERSION "\r\nDate: ");
	buffer_put(p->out, p->ctx->date, DATE_LEN);
	BUFFER_PUT_LIT(p->out, "\r\n");
	if (p->r->close)
		BUFFER_PUT_LIT(p->out, "Connection: close\r\n");
	else if (p->http10_ka)
		BUFFER_PUT_LIT(p->out, "Connection: keep-alive\r\n");
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

/* An error page: the --error-page for the code, else HTML saying "CODE
 * Reason"; `extra` holds preformatted header lines (Allow, ...). A code
 * without a reason is answered as 500. */
static void respond_page(struct respond_plan *p, int code, const char *extra)
{
	const struct httpd_error_page *custom;
	char page[512];
	const char *body = page;
	size_t len;

	if (http_reason(code)[0] == '\0')
		code = 500;
	custom = respond_custom_page(p, code);
	if (custom != NULL) {
		body = custom->body;
		len = custom->len;
	} else {
		len = (size_t)snprintf(page, sizeof(page),
				       "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%d %s"
				       "</title></head>\n<body><h1>%d %s</h1></body></html>\n",
				       code, http_reason(code), code, http_reason(code));
	}
	respond_start(p, code);
	if (extra != NULL)
		buffer_put_str(p->out, extra);
	if (custom != NULL) {
		BUFFER_PUT_LIT(p->out, "Content-Type: ");
		buffer_put_str(p->out, custom->ctype);
		BUFFER_PUT_LIT(p->out, "\r\nContent-Length: ");
	} else {
		BUFFER_PUT_LIT(p->out, RESPOND_HTML "Content-Length: ");
	}
	buffer_put_num(p->out, len);
	BUFFER_PUT_LIT(p->out, "\r\n\r\n");
	if (!p->head_only) {
		buffer_put(p->out, body, len);
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
	if (!p->out->failed)
		return 0;
	/* Leave no half response behind; the loop closes the connection. */
	p->out->len = p->mark;
	p->out->failed = 0;
	respond_file_done(p->r->fd, p->r->fd_ref);
	p->r->fd = -1;
	p->r->fd_ref = NULL;
	return -1;
}

/* Inlined: as a call it cost ~90 instructions per request (callgrind). */
static inline __attribute__((always_inline)) void
respond_plan_init(struct respond_plan *p, struct httpd_ctx *ctx, const struct http_head *req,
		  struct buffer *out, struct response *r)
{
	*p = (struct respond_plan){.ctx = ctx, .req = req, .out = out, .r = r, .mark = out->len};
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

	BUFFER_PUT_LIT(p->out, "Content-Type: ");
	buffer_put_str(p->out, f->ctype);
	BUFFER_PUT_LIT(p->out, "\r\nContent-Length: ");
	buffer_put_num(p->out, (unsigned long long)len);
	BUFFER_PUT_LIT(p->out, "\r\nLast-Modified: ");
	buffer_put(p->out, f->lastmod, DATE_LEN);
	BUFFER_PUT_LIT(p->out, "\r\nETag: ");
	buffer_put(p->out, f->etag, f->etag_len);
	BUFFER_PUT_LIT(p->out, "\r\nAccept-Ranges: bytes\r\n");
	if (f->gz)
		BUFFER_PUT_LIT(p->out, "Content-Encoding: gzip\r\n");
	if (f->gz || f->twin)
		BUFFER_PUT_LIT(p->out, "Vary: Accept-Encoding\r\n");
	if (p->r->status == 206) {
		BUFFER_PUT_LIT(p->out, "Content-Range: bytes ");
		buffer_put_num(p->out, (unsigned long long)off);
		BUFFER_PUT_LIT(p->out, "-");
		buffer_put_num(p->out, (unsigned long long)(off + len - 1));
		BUFFER_PUT_LIT(p->out, "/");
		buffer_put_num(p->out, (unsigned long long)f->size);
		BUFFER_PUT_LIT(p->out, "\r\n");
	}
	if (cfg->extra_headers != NULL)
		buffer_put(p->out, cfg->extra_headers, cfg->extra_headers_len);
	BUFFER_PUT_LIT(p->out, "\r\n");
}

/* 304: the validators, Vary and the configured headers, no body. */
static void respond_not_modified(struct respond_plan *p, const struct respond_file *f)
{
	const struct httpd_config *cfg = p->ctx->cfg;

	respond_start(p, 304);
	BUFFER_PUT_LIT(p->out, "Last-Modified: ");
	buffer_put(p->out, f->lastmod, DATE_LEN);
	BUFFER_PUT_LIT(p->out, "\r\nETag: ");
	buffer_put(p->out, f->etag, f->etag_len);
	BUFFER_PUT_LIT(p->out, "\r\n");
	if (f->gz || f->twin)
		BUFFER_PUT_LIT(p->out, "Vary: Accept-Encoding\r\n");
	if (cfg->extra_headers != NULL)
		buffer_put(p->out, cfg->extra_headers, cfg->extra_headers_len);
	BUFFER_PUT_LIT(p->out, "\r\n");
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
		.lastmod = e->lastmod, .twin = e->twin,
	};
}

/* Formats the whole 200 of a cached file (head, and the body if held) into
 * the entry's slot, with the same pieces as any other 200. */
static int respond_entry_format(struct respond_plan *p, struct filecache_entry *e)
{
	struct respond_file f;
	struct buffer b;
	struct response r = {0};
	struct respond_plan q = {.ctx = p->ctx, .out = &b, .r = &r};
	size_t head_len;

	respond_entry_file(e, &f);
	buffer_init(&b, RESPOND_DATE_END + COND_ETAG_MAX + p->ctx->cfg->extra_headers_len + 512 +
				(size_t)(e->data ? e->size : 0));
	respond_start(&q, 200);
	respond_file_headers(&q, &f, 0, e->size);
	head_len = b.len;
	if (e->data != NULL)
		buffer_put(&b, e->data, (size_t)e->size);
	if (b.failed || b.len < RESPOND_DATE_END) {
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
		buffer_put(p->out, e->resp, n);
		return 0;
	}
	buffer_put(p->out, e->resp, RESPOND_DATE_END);
	if (p->r->close)
		BUFFER_PUT_LIT(p->out, "Connection: close\r\n");
	else
		BUFFER_PUT_LIT(p->out, "Connection: keep-alive\r\n");
	buffer_put(p->out, e->resp + RESPOND_DATE_END, n - RESPOND_DATE_END);
	return 0;
}

/* Conditionals, then Range, then the 200 or 206 head and the body plan.
 * Takes ownership of file->fd. */
static void respond_file(struct respond_plan *p, const struct respond_file *file)
{
	struct respond_file f = *file;
	time_t now = p->ctx->now;
	struct cond_validators val = {f.etag, f.etag_len, cond_last_modified(f.mtime, now), now};
	struct http_value range = http_field(p->req, HF_RANGE);
	struct http_value if_range = http_field(p->req, HF_IF_RANGE);
	off_t off = 0, len = f.size;
	int code = 200;

	if (f.mtime > now) /* a future mtime: Last-Modified says Date instead */
		f.lastmod = p->ctx->date;
	switch (cond_check(p->req, &val)) {
	case 304:
		respond_not_modified(p, &f);
		goto done;
	case 412:
		respond_page(p, 412, NULL);
		goto done;
	}
	/* RFC 9110 defines Range for GET only, but HEAD answers with the head GET
	 * would get (as nginx does): a 206 head for a ranged HEAD. */
	if (range.v != NULL && (if_range.v == NULL || cond_if_range(if_range.v, if_range.n, &val))) {
		switch (range_parse(range.v, range.n, f.size, &off, &len)) {
		case RANGE_PARTIAL:
			code = 206;
			break;
		case RANGE_UNSATISFIABLE:
			respond_range_416(p, f.size);
			goto done;
		case RANGE_FULL:
			off = 0;
			len = f.size;
			break;
		}
	}
	if (!p->head_only && len > 0)
		respond_body(p, &f, off, len);
	respond_start(p, code);
	respond_file_headers(p, &f, off, len);
	if (p->r->body_len > 0 && p->r->fd < 0)
		buffer_put(p->out, f.data + off, (size_t)len);
	if (p->r->fd >= 0 && p->r->fd == f.fd)
		return; /* handed on to the loop */
done:
	if (f.fd >= 0)
		close(f.fd);
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
	struct http_value ae = http_field(p->req, HF_ACCEPT_ENCODING);
	size_t n = ae.n;
	const char *v = ae.v;
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

/* A request target taken apart: the path (not yet decoded), the query ("?..."
 * or empty) and whether the path is plain: decoding and normalising would
 * leave it as it is. */
struct respond_target {
	const char *path, *query;
	size_t plen, qlen;
	int plain;
};

/* Splits an origin-form or absolute-form target in one pass over its path,
 * which ends at the first '?' or '#'. A plain path starts with '/' and holds
 * no escape, no NUL, no empty segment and no segment starting with '.' (so no
 * "." or ".."; dotfiles just take the long way). */
static int respond_split_target(const char *t, size_t n, struct respond_target *out)
{
	static const unsigned char special[256] = {
		['\0'] = 1, ['%'] = 1, ['/'] = 1, ['?'] = 1, ['#'] = 1,
	};
	const char *end = t + n, *p, *hash;

	/* Not origin-form ("/..."): absolute-form, whose scheme and authority go. */
	if (n == 0 || t[0] != '/') {
		if (n < 7 || (strncasecmp(t, "http://", 7) != 0 &&
			      (n < 8 || strncasecmp(t, "https://", 8) != 0)))
			return -1;
		t = (const char *)memchr(t, '/', n) + 2;
		while (t < end && *t != '/' && *t != '?' && *t != '#')
			t++;
	}
	out->plain = t < end && t[0] == '/';
	for (p = t; p < end; p++) {
		if (!special[(unsigned char)*p])
			continue;
		if (*p == '?' || *p == '#')
			break;
		if (*p != '/' || (p + 1 < end && (p[1] == '/' || p[1] == '.')))
			out->plain = 0;
	}
	out->path = t;
	out->plen = (size_t)(p - t);
	out->query = p;
	out->qlen = 0;
	if (p < end && *p == '?') {
		hash = memchr(p, '#', (size_t)(end - p));
		out->qlen = (size_t)((hash ? hash : end) - p);
	}
	return 0;
}

/* Fills norm (NUL-terminated, room RESPOND_PATH_MAX) with the decoded and
 * normalised path; returns its length or -status (404: a hidden path). */
static ssize_t respond_map_path(const struct respond_target *t, char *norm, int dotfiles)
{
	char dec[HTTP_TARGET_MAX + 1];
	ssize_t dn, nn;

	if (t->plen == 0) {
		memcpy(norm, "/", 2); /* "http://host" and "http://host?q" */
		return 1;
	}
	if (t->plen > HTTP_TARGET_MAX)
		return -414;
	if (t->plain) { /* and so not hidden */
		memcpy(norm, t->path, t->plen);
		norm[t->plen] = '\0';
		return (ssize_t)t->plen;
	}
	dn = url_decode(t->path, t->plen, dec);
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
	const uint16_t *first = p->req->first;
	struct respond_file f;

	/* A future mtime is not to be sent as it is, which the cached 200 would. */
	if (!first[HF_IF_MATCH] && !first[HF_IF_UNMODIFIED_SINCE] && !first[HF_IF_NONE_MATCH] &&
	    !first[HF_IF_MODIFIED_SINCE] && !first[HF_RANGE] && e->mtim.tv_sec <= p->ctx->now &&
	    respond_entry_200(p, e) == 0)
		return;
	respond_entry_file(e, &f);
	respond_file(p, &f);
}

/* The cache entry for norm, unless the client would get its .gz twin.
 * Inlined: as a call it cost ~20 instructions per request (callgrind). */
static inline struct filecache_entry *respond_cache_get(struct respond_plan *p,
							const char *norm, size_t n)
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
	f.etag_len = cond_etag(etag, st.st_mtime, st.st_size, 1);
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
	f.etag_len = cond_etag(etag, st->st_mtime, st->st_size, 0);
	f.lastmod = lastmod;
	date_format(st->st_mtime, lastmod);
	respond_file(p, &f);
}

static void respond_redirect(struct respond_plan *p, const char *norm, size_t n,
			     const char *query, size_t qlen)
{
	respond_start(p, 301);
	BUFFER_PUT_LIT(p->out, "Location: ");
	if (!p->out->failed && url_encode(p->out, norm, n, "/") != 0)
		p->out->failed = ENOBUFS;
	BUFFER_PUT_LIT(p->out, "/");
	buffer_put(p->out, query, qlen);
	BUFFER_PUT_LIT(p->out, "\r\nContent-Length: 0\r\n\r\n");
}

/* Whether Accept names application/json with a q above 0 (a listing is
 * then JSON); wildcards do not count, so browsers and curl get HTML. */
static int respond_wants_json(const struct respond_plan *p)
{
	struct http_value accept = http_field(p->req, HF_ACCEPT);
	const char *v = accept.v, *end = v + accept.n;

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
	struct listing_dir d = {&p->ctx->cfg->root, dirfd, norm, n};
	struct listing_view view = {.show_dot = p->ctx->cfg->dotfiles, .json = respond_wants_json(p)};
	struct buffer page;

	listing_view_query(&view, query, qlen);
	buffer_init(&page, RESPOND_LISTING_MAX);
	if (listing_render(&page, &d, &view) != 0) {
		buffer_free(&page);
		respond_page(p, errno == ENOBUFS ? 500 : path_errno_status(errno), NULL);
		return;
	}
	respond_start(p, 200);
	BUFFER_PUT_LIT(p->out, "Vary: Accept\r\n");
	if (view.json)
		BUFFER_PUT_LIT(p->out, "Content-Type: application/json\r\nContent-Length: ");
	else
		BUFFER_PUT_LIT(p->out, RESPOND_HTML "Content-Length: ");
	buffer_put_num(p->out, page.len);
	BUFFER_PUT_LIT(p->out, "\r\n\r\n");
	if (!p->head_only) {
		buffer_put(p->out, page.data, page.len);
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
		BUFFER_PUT_LIT(p->out, RESPOND_ALLOW "\r\n");
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
	struct respond_target t;
	const char *target;
	size_t tlen;
	ssize_t n;

	respond_plan_init(&p, ctx, req, out, r);
	if (respond_method(&p))
		return respond_finish(&p);
	target = http_target(req, &tlen);
	if (respond_split_target(target, tlen, &t) != 0) {
		respond_page(&p, 400, NULL);
		return respond_finish(&p);
	}
	n = respond_map_path(&t, norm, ctx->cfg->dotfiles);
	if (n < 0)
		respond_page(&p, (int)-n, NULL);
	else
		respond_get(&p, norm, (size_t)n, t.query, t.qlen);
	return respond_finish(&p);
}

/* Length of the name in a Host value (a DNS name, IPv4, or [IPv6]; any
 * :port cut off), or 0 when it is not one: it goes into a Location. */
static size_t respond_host_name(const char *v, size_t n)
{
	size_t i = 0, end = n;
	int v6 = n > 0 && v[0] == '[';

	if (v6) {
		const char *close = memchr(v, ']', n);
		if (!close)
			return 0;
		end = (size_t)(close - v) + 1;
		i = 1;
	} else {
		const char *colon = memchr(v, ':', n);
		if (colon)
			end = (size_t)(colon - v);
	}
	if (end == 0 || (end < n && v[end] != ':'))
		return 0;
	for (; i < end - (size_t)v6; i++) {
		unsigned char c = (unsigned char)v[i], l = c | 0x20;
		int alnum = (c >= '0' && c <= '9') || (l >= 'a' && l <= 'z');
		if (!alnum && c != '.' && c != '-' && !(v6 && c == ':'))
			return 0;
	}
	return end;
}

int respond_to_https(struct httpd_ctx *ctx, const struct http_head *req, struct buffer *out,
		     struct response *r)
{
	struct respond_plan p;
	size_t hn = 0, tn;
	const char *host = http_header(req, "Host", &hn);
	const char *target = http_target(req, &tn);

	respond_plan_init(&p, ctx, req, out, r);
	hn = host ? respond_host_name(host, hn) : 0;
	if (hn == 0 || tn == 0 || target[0] != '/') {
		respond_page(&p, 400, NULL);
		return respond_finish(&p);
	}
	respond_start(&p, 308);
	BUFFER_PUT_LIT(p.out, "Location: https://");
	buffer_put(p.out, host, hn);
	if (strcmp(ctx->cfg->port, "443") != 0) {
		BUFFER_PUT_LIT(p.out, ":");
		buffer_put_str(p.out, ctx->cfg->port);
	}
	buffer_put(p.out, target, tn);
	BUFFER_PUT_LIT(p.out, "\r\nContent-Length: 0\r\n\r\n");
	return respond_finish(&p);
}

void respond_free(struct httpd_ctx *ctx)
{
	if (ctx->cache)
		filecache_free(ctx->cache);
	ctx->cache = NULL;
}
