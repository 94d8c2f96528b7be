/* reqcheck: what llhttp 8.1.0 lets through that a hardened server refuses.
 * Every rule here closes a request-smuggling or desync door: a front proxy
 * and this server must never disagree on where a request ends. */
#include "reqcheck.h"

#include <string.h>
#include <strings.h>

/* RFC 9110 tchar: the bytes a header name may hold. */
static int reqcheck_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Controls other than HTAB, and DEL; CR and LF are judged as line ends. */
static int reqcheck_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* "HTTP/1.0" and "HTTP/1.1" pass; another well-formed version is 505 here
 * because llhttp 8.1.0 calls every version but 0.9, 1.x and 2.0 invalid. */
static int reqcheck_version(const char *v, size_t n)
{
	if (n != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
	    v[7] < '0' || v[7] > '9')
		return 400;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return 505;
	return 0;
}

/* The request line: "METHOD SP target SP HTTP/x.y". A line without the
 * version is HTTP/0.9 to llhttp; we serve no HTTP/0.9. */
static int reqcheck_request_line(const char *p, size_t n)
{
	const char *sp1 = memchr(p, ' ', n);
	const char *sp2;

	if (sp1 == NULL || sp1 == p)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(p + n - sp1 - 1));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return 400;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\t')
			return 400;
	return reqcheck_version(sp2 + 1, (size_t)(p + n - sp2 - 1));
}

/* "name: value": name is one or more tchars, directly followed by ':'.
 * A leading SP/HTAB is obs-fold, whitespace before ':' is a disguised name. */
static int reqcheck_field_line(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && reqcheck_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i == n || p[i] != ':')
		return 400;
	return 0;
}

int reqcheck_raw(const char *head, size_t n)
{
	size_t i = 0, line = 0;
	int first = 1, status;

	/* RFC 9112 2.2: a server SHOULD ignore empty lines before the request line. */
	while (i + 1 < n && head[i] == '\r' && head[i + 1] == '\n')
		i += 2;
	if (i >= n)
		return 400; /* blank lines and nothing else */
	line = i;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)head[i];
		size_t len;

		if (c == '\n')
			return 400; /* bare LF: a CRLF is consumed below */
		if (c != '\r') {
			if (reqcheck_ctl(c))
				return 400;
			continue;
		}
		if (i + 1 >= n || head[i + 1] != '\n')
			return 400;
		len = i - line;
		if (len == 0)
			return first ? 400 : 0; /* the blank line ends the head */
		status = first ? reqcheck_request_line(head + line, len)
			       : reqcheck_field_line(head + line, len);
		if (status != 0)
			return status;
		first = 0;
		i++;
		line = i + 1;
	}
	/* A head that did not reach its blank line: judge only the complete
	 * lines, but a started request line without an end cannot be judged. */
	return 0;
}

/* Trims optional whitespace (SP, HTAB) at both ends. */
static void reqcheck_trim(const char **v, size_t *n)
{
	while (*n > 0 && (**v == ' ' || **v == '\t')) {
		(*v)++;
		(*n)--;
	}
	while (*n > 0 && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
		(*n)--;
}

static int reqcheck_content_length(const struct http_head *h)
{
	unsigned count = http_header_count(h, "Content-Length");
	const char *v;
	size_t n;

	if (count == 0)
		return 0;
	if (count > 1)
		return 400; /* even equal copies: one framing source only */
	v = http_header(h, "Content-Length", &n);
	reqcheck_trim(&v, &n);
	if (n == 0 || n > 18)
		return 400; /* 18 digits always fit an off_t; more is no real body */
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return 400;
	return 0;
}

/* Checks one field value of Transfer-Encoding, element by element; *chunked
 * counts "chunked" codings, *last_chunked says whether the last one was. */
static int reqcheck_te_value(const char *v, size_t n, int *chunked, int *last_chunked)
{
	while (n > 0) {
		const char *comma = memchr(v, ',', n);
		size_t len = comma ? (size_t)(comma - v) : n;
		const char *e = v;
		size_t en = len;

		reqcheck_trim(&e, &en);
		if (en > 0) {
			/* Parameters (";q=...") are not allowed on chunked. */
			*last_chunked = en == 7 && strncasecmp(e, "chunked", 7) == 0;
			*chunked += *last_chunked;
			for (size_t i = 0; i < en; i++)
				if (!reqcheck_tchar((unsigned char)e[i]) && e[i] != ';' &&
				    e[i] != '=' && e[i] != ' ' && e[i] != '\t' && e[i] != '"')
					return 400;
		}
		if (comma == NULL)
			break;
		n -= len + 1;
		v = comma + 1;
	}
	return 0;
}

static int reqcheck_transfer_encoding(const struct http_head *h)
{
	int chunked = 0, last_chunked = 0, any = 0;

	for (unsigned i = 0; i < h->nfields; i++) {
		size_t nlen, vlen;
		const char *name = http_field_name(h, i, &nlen);
		const char *v;

		if (nlen != 17 || strncasecmp(name, "Transfer-Encoding", 17) != 0)
			continue;
		any = 1;
		v = http_field_value(h, i, &vlen);
		if (reqcheck_te_value(v, vlen, &chunked, &last_chunked) != 0)
			return 400;
	}
	if (!any)
		return 0;
	if (h->major == 1 && h->minor == 0)
		return 400; /* HTTP/1.0 has no chunked framing: a proxy would use CL */
	if (http_header_count(h, "Content-Length") > 0)
		return 400;
	if (!last_chunked || chunked != 1)
		return 400;
	return 0;
}

int reqcheck_head(const struct http_head *h)
{
	int status;

	if (h->major == 0)
		return 400; /* version-less: llhttp calls it HTTP/0.9 */
	if (h->major != 1 || h->minor > 1)
		return 505;
	if (h->minor == 1 && http_header_count(h, "Host") != 1)
		return 400;
	status = reqcheck_content_length(h);
	if (status != 0)
		return status;
	return reqcheck_transfer_encoding(h);
}
