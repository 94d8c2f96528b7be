/* response: status line check, interim responses, end of input. */
#include "response.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>

/* Between llhttp and the caller's sink: remembers that the sink refused, which
 * llhttp alone cannot tell apart from a head callback's failure. */
static int resp_on_body(void *arg, const char *at, size_t n)
{
	struct fetch_resp *r = arg;

	if (!r->on_body || r->on_body(r->arg, at, n) == 0)
		return 0;
	r->body_failed = 1;
	return -1;
}

static void resp_begin_message(struct fetch_resp *r)
{
	http_msg_init(&r->msg, HTTP_RESPONSE);
	r->msg.on_body = resp_on_body;
	r->msg.arg = r;
	r->msg.skip_body = r->head_only;
	r->msg.head.store.limit = FETCH_HEAD_MAX;
	r->msg.head.fields_max = FETCH_FIELDS_MAX;
	r->line_len = 0;
	r->line_done = 0;
	r->status = 0;
}

void fetch_resp_init(struct fetch_resp *r, int head_only,
		     int (*on_body)(void *arg, const char *at, size_t n), void *arg)
{
	memset(r, 0, sizeof(*r));
	r->head_only = head_only;
	r->on_body = on_body;
	r->arg = arg;
	resp_begin_message(r);
}

void fetch_resp_free(struct fetch_resp *r)
{
	http_msg_free(&r->msg);
}

static int resp_digit(char c)
{
	return c >= '0' && c <= '9';
}

int fetch_resp_status_line(const char *line, size_t n, int *status)
{
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	/* "HTTP/1.x DDD" then nothing or a space and the reason. */
	if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || !resp_digit(line[7]) || line[8] != ' ')
		return -1;
	if (!resp_digit(line[9]) || !resp_digit(line[10]) || !resp_digit(line[11]))
		return -1;
	if (n > 12 && line[12] != ' ')
		return -1;
	*status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	if (*status < 100 || *status > 599)
		return -1;
	return 0;
}

static enum fetch_resp_ev resp_fail(struct fetch_resp *r, const char *why)
{
	snprintf(r->error, sizeof(r->error), "%s", why);
	return FETCH_RESP_ERROR;
}

/* "HTTP/" is the only way a response may start: garbage fails early. */
static int resp_prefix_ok(const char *line, size_t n)
{
	static const char want[] = "HTTP/1.";
	size_t k = n < sizeof(want) - 1 ? n : sizeof(want) - 1;
	return memcmp(line, want, k) == 0;
}

/* Collects and checks the status line; feeds those bytes to llhttp too. */
static enum fetch_resp_ev resp_status_line(struct fetch_resp *r, const char *data, size_t n,
					   size_t *used)
{
	const char *nl = memchr(data, '\n', n);
	size_t take = nl ? (size_t)(nl - data) + 1 : n;
	size_t u;

	if (take > sizeof(r->line) - r->line_len)
		return resp_fail(r, "malformed response: status line too long");
	memcpy(r->line + r->line_len, data, take);
	r->line_len += take;
	if (!resp_prefix_ok(r->line, r->line_len))
		return resp_fail(r, "not an HTTP/1.x response");
	if (nl) {
		if (fetch_resp_status_line(r->line, r->line_len, &r->status))
			return resp_fail(r, "malformed response: bad status line");
		if (r->status == 101)
			return resp_fail(r, "unexpected 101 Switching Protocols");
		/* Interim responses, 204 and 304 have no body (RFC 9112 6.3). */
		if (r->status < 200 || r->status == 204 || r->status == 304)
			r->msg.skip_body = 1;
		r->line_done = 1;
	}
	if (http_msg_feed(&r->msg, data, take, &u) == HTTP_ERROR)
		return resp_fail(r, "malformed response: bad status line");
	*used = take;
	return FETCH_RESP_MORE;
}

static enum fetch_resp_ev resp_parse_error(struct fetch_resp *r)
{
	if (r->body_failed)
		return resp_fail(r, "the body could not be stored");
	if (r->msg.error_status == 431) {
		snprintf(r->error, sizeof(r->error),
			 "response head too large (more than %d KiB or %d fields)",
			 FETCH_HEAD_MAX / 1024, FETCH_FIELDS_MAX);
		return FETCH_RESP_ERROR;
	}
	snprintf(r->error, sizeof(r->error), "malformed response: %s",
		 llhttp_get_error_reason(&r->msg.parser) ? llhttp_get_error_reason(&r->msg.parser)
							 : "bad head");
	return FETCH_RESP_ERROR;
}

static enum fetch_resp_ev resp_head_done(struct fetch_resp *r)
{
	if (r->status >= 200) {
		r->final_head = 1;
		return FETCH_RESP_HEAD;
	}
	if (++r->interim > FETCH_INTERIM_MAX)
		return resp_fail(r, "malformed response: too many 1xx responses");
	r->restart = 1;
	return FETCH_RESP_INTERIM;
}

enum fetch_resp_ev fetch_resp_feed(struct fetch_resp *r, const char *data, size_t n,
				   size_t *used)
{
	enum http_feed ev;
	size_t u = 0;

	*used = 0;
	if (r->done)
		return FETCH_RESP_DONE;
	if (r->restart) {
		/* A fresh parser per message: the interim one is over. */
		http_msg_free(&r->msg);
		resp_begin_message(r);
		r->restart = 0;
	}
	if (!r->line_done) {
		if (n == 0)
			return FETCH_RESP_MORE;
		enum fetch_resp_ev e = resp_status_line(r, data, n, used);
		r->seen += *used;
		return e;
	}
	ev = http_msg_feed(&r->msg, data, n, &u);
	*used = u;
	r->seen += u;
	switch (ev) {
	case HTTP_MORE:
		return FETCH_RESP_MORE;
	case HTTP_HEAD_DONE:
		return resp_head_done(r);
	case HTTP_MSG_DONE:
		r->done = 1;
		return FETCH_RESP_DONE;
	default:
		return resp_parse_error(r);
	}
}

enum fetch_resp_ev fetch_resp_eof(struct fetch_resp *r)
{
	r->at_eof = 1;
	if (r->done)
		return FETCH_RESP_DONE;
	if (r->seen == 0)
		return resp_fail(r, "empty reply: the server closed the connection");
	if (!r->final_head)
		return resp_fail(r, "incomplete response: connection closed in the head");
	if (http_msg_finish(&r->msg) != HTTP_MSG_DONE)
		return resp_fail(r, "incomplete body: connection closed early");
	r->done = 1;
	return FETCH_RESP_DONE;
}

/* A non-negative decimal off_t; the end pointer says where it stopped. */
static int resp_number(const char **p, const char *end, off_t *out)
{
	off_t v = 0;
	const char *s = *p;

	if (s == end || !resp_digit(*s))
		return -1;
	for (; s < end && resp_digit(*s); s++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

int fetch_resp_content_range(const char *v, size_t n, off_t *first, off_t *last, off_t *total)
{
	const char *p = v, *end = v + n;

	*first = *last = *total = -1;
	if (n < 6 || memcmp(p, "bytes ", 6) != 0)
		return -1;
	p += 6;
	if (p < end && *p == '*') {
		p++;
	} else {
		if (resp_number(&p, end, first) || p == end || *p != '-')
			return -1;
		p++;
		if (resp_number(&p, end, last) || *last < *first)
			return -1;
	}
	if (p == end || *p != '/')
		return -1;
	p++;
	if (p < end && *p == '*' && p + 1 == end)
		return *first < 0 ? -1 : 0; /* "* / *" says nothing */
	if (resp_number(&p, end, total) || p != end)
		return -1;
	if (*last >= 0 && *last >= *total)
		return -1;
	return 0;
}

off_t fetch_resp_length(const struct http_head *h)
{
	size_t n;
	const char *v = http_header(h, "Content-Length", &n);
	const char *p = v;
	off_t len;

	if (!v || resp_number(&p, v + n, &len) || p != v + n)
		return -1;
	return len;
}

int fetch_resp_reusable(const struct fetch_resp *r)
{
	const struct http_head *h = &r->msg.head;

	return r->done && !r->at_eof && r->final_head && h->keep_alive && h->major == 1 &&
	       h->minor == 1 && r->msg.trailer_fields == 0;
}

off_t fetch_resp_body_left(const struct fetch_resp *r)
{
	const llhttp_t *p = &r->msg.parser;

	if (!r->final_head || r->done || r->head_only || (p->flags & F_CHUNKED) ||
	    !(p->flags & F_CONTENT_LENGTH) || p->content_length > INT64_MAX)
		return -1;
	return (off_t)p->content_length;
}

void fetch_resp_body_moved(struct fetch_resp *r, off_t n)
{
	llhttp_t *p = &r->msg.parser;

	if (n < 0 || (uint64_t)n > p->content_length)
		return;
	p->content_length -= (uint64_t)n;
	if (p->content_length == 0)
		r->done = 1; /* llhttp never saw these bytes: the message ends here */
}

int fetch_resp_check_partial(const struct http_head *h, off_t have, off_t *total,
			     const char **why)
{
	size_t n;
	const char *v = http_header(h, "Content-Range", &n);
	off_t first, last, whole, len = fetch_resp_length(h);

	*total = -1;
	*why = "206 Partial Content without a valid Content-Range";
	if (!v || fetch_resp_content_range(v, n, &first, &last, &whole) || first < 0)
		return -1;
	*why = "206 Partial Content that does not continue where the file ends";
	if (first != have)
		return -1;
	*why = "206 Partial Content that stops before the end of the file";
	if (whole < 0 || last + 1 != whole)
		return -1;
	*why = "206 Partial Content whose Content-Length disagrees with its Content-Range";
	if (http_header(h, "Content-Length", NULL) && len != last - first + 1)
		return -1;
	*total = whole;
	return 0;
}

int fetch_resp_printable(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

void fetch_resp_mask(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i;

	if (outlen == 0)
		return;
	for (i = 0; i < n && i < outlen - 1; i++)
		out[i] = fetch_resp_printable((unsigned char)s[i]) ? s[i] : '?';
	out[i] = '\0';
}

void fetch_resp_print(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(fetch_resp_printable((unsigned char)s[i]) ? s[i] : '?', f);
}

void fetch_resp_print_error(const char *url, const char *text)
{
	fputs("fetch: ", stderr);
	fetch_resp_print(stderr, url, strlen(url));
	fputs(": ", stderr);
	fetch_resp_print(stderr, text, strlen(text));
	fputc('\n', stderr);
}
