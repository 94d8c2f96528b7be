/* reqcheck: what llhttp 8.1.0 lets through that a hardened server refuses.
 * Every rule here closes a request-smuggling or desync door: a front proxy
 * and this server must never disagree on where a request ends. */
#include "reqcheck.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "tunables.h"
#include "url.h"

/* Byte classes, so that a scan costs one table load per byte.
 * RC_TCHAR: RFC 9110 tchar, the bytes a field name is made of.
 * RC_STOP: where a line scan stops: CR and LF (line ends), HTAB (allowed in
 * field values only), and every other control and DEL (refused). Bytes from
 * 0x80 (obs-text) are plain: allowed in values and in the target.
 * RC_HOST: a Host reg-name's bytes (RFC 3986 unreserved and sub-delims; '%'
 * starts a pct-encoded triplet); IPv4 addresses are made of them too. */
enum { RC_TCHAR = 1, RC_STOP = 2, RC_HOST = 4 };

static const unsigned char reqcheck_class[256] = {
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 00 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 10 */
	0, 5, 0, 1, 5, 1, 5, 5, 4, 4, 5, 5, 4, 5, 5, 0, /* 20  !"#$%&'()*+,-./ */
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 4, 0, 4, 0, 0, /* 30 0-9:;<=>? */
	0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, /* 40 @A-O */
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 1, 5, /* 50 P-Z[\]^_ */
	1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, /* 60 `a-o */
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 1, 0, 5, 2, /* 70 p-z{|}~ DEL */
	/* 80-ff: 0 */
};

static int reqcheck_tchar(unsigned char c)
{
	return reqcheck_class[c] & RC_TCHAR;
}

/* Flags the bytes of w below 0x20 or equal to 0x7f (the RC_STOP bytes) in
 * their high bits: with the high bits cleared no sum carries into the next
 * byte, so every flag is exact. */
static uint64_t reqcheck_stop8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t low7 = w & ~highs;

	/* low7 + 0x60 reaches 0x80 from 0x20 on; low7 + 1 from 0x7f on. */
	return (~(low7 + ones * 0x60) | (low7 + ones)) & ~w & highs;
}

/* The first RC_STOP byte from p on, or end. Eight bytes at a time while
 * there are eight. */
static const char *reqcheck_stop(const char *p, const char *end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - p >= 8) {
		uint64_t w, m;

		memcpy(&w, p, 8);
		m = reqcheck_stop8(w);
		if (m != 0)
			return p + (__builtin_ctzll(m) >> 3);
		p += 8;
	}
#endif
	while (p < end && !(reqcheck_class[(unsigned char)*p] & RC_STOP))
		p++;
	return p;
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
	return reqcheck_version(sp2 + 1, (size_t)(p + n - sp2 - 1));
}

/* A field line ending at eol (a CR or LF): a name of one or more tchars,
 * directly followed by ':' (a leading SP/HTAB is obs-fold, whitespace before
 * ':' a disguised name). The value's bytes were checked on the way. */
static int reqcheck_field_line(const char *p)
{
	const char *name = p;

	while (reqcheck_tchar((unsigned char)*p))
		p++; /* stops at eol at the latest */
	return p > name && *p == ':' ? 0 : 400;
}

/* Keeps the first rule broken; later ones change nothing. */
static void reqcheck_fault(struct reqcheck_scan *s, int status)
{
	if (s->fault == 0)
		s->fault = (uint16_t)status;
}

int reqcheck_raw(struct reqcheck_scan *s, const char *buf, size_t n, size_t *len)
{
	const char *p = buf + s->pos, *line = buf + s->line, *end = buf + n;

	*len = 0;
	while ((p = reqcheck_stop(p, end)) < end) {
		const char *eol = p;

		if (*p == '\r' && end - p < 2)
			break; /* the next byte says whether this CR ends the line */
		if (*p == '\r' && p[1] == '\n') {
			p++;
		} else if (*p == '\n') {
			reqcheck_fault(s, 400); /* a bare LF: refused, but it ends the line */
		} else {
			if (*p != '\t' || line == buf)
				reqcheck_fault(s, 400); /* a control; HTAB only in field values */
			p++;
			continue;
		}
		/* p is at the LF that ends the line [line, eol). */
		if (line == buf) {
			if (p - buf > CONN_LINE_MAX)
				return 414;
			reqcheck_fault(s, reqcheck_request_line(line, (size_t)(eol - line)));
		} else if (eol == line) {
			*len = (size_t)(p + 1 - buf);
			return *len > HTTP_HEAD_MAX ? 431 : s->fault;
		} else {
			reqcheck_fault(s, reqcheck_field_line(line));
		}
		line = ++p;
	}
	s->pos = (uint32_t)(p - buf);
	s->line = (uint32_t)(line - buf);
	if (line == buf && n > CONN_LINE_MAX)
		return 414;
	return n >= HTTP_HEAD_MAX ? 431 : 0;
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

/* Content-Length, when there is exactly one: plain digits. */
static int reqcheck_content_length(struct http_value cl)
{
	const char *v = cl.v;
	size_t n = cl.n;

	if (n == 0 || n > 18)
		return 400; /* 18 digits always fit an off_t; more is no real body */
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return 400;
	return 0;
}

/* Checks one field value of Transfer-Encoding, element by element; *codings
 * counts the codings, *last_chunked says whether the last one was chunked. */
static int reqcheck_te_value(const char *v, size_t n, int *codings, int *last_chunked)
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
			(*codings)++;
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

/* Every Transfer-Encoding field together: one chunked coding, last (else
 * 400: RFC 9112 6.3 leaves no way to find the body's end), and no other
 * coding (501, as nginx: we decode none). */
static int reqcheck_transfer_encoding(const struct http_head *h)
{
	int codings = 0, last_chunked = 0;

	for (unsigned i = h->first[HF_TRANSFER_ENCODING] - 1u; i < h->nfields; i++) {
		size_t vlen;
		const char *v;

		if (h->fields[i].id != HF_TRANSFER_ENCODING)
			continue;
		v = http_field_value(h, i, &vlen);
		if (reqcheck_te_value(v, vlen, &codings, &last_chunked) != 0)
			return 400;
	}
	if (!last_chunked)
		return 400;
	return codings == 1 ? 0 : 501;
}

/* Host (RFC 9112 3.2): uri-host [ ":" port ], uri-host a bracketed IPv6
 * address, or a reg-name (which IPv4 addresses are too); port digits. The
 * value's NUL (http.h) ends every loop here: a NUL within it falls short of
 * v + n. */
static int reqcheck_host(const char *v, size_t n)
{
	const char *p = v;

	if (*p == '[') {
		const char *close = memchr(v, ']', n);
		char addr[INET6_ADDRSTRLEN];
		struct in6_addr a;
		size_t len = close ? (size_t)(close - v - 1) : 0;

		if (len == 0 || len >= sizeof(addr))
			return 400;
		memcpy(addr, v + 1, len);
		addr[len] = '\0';
		if (inet_pton(AF_INET6, addr, &a) != 1)
			return 400; /* IPvFuture and zone ids too: no origin of ours */
		p = close + 1;
	} else {
		for (;;) {
			while (reqcheck_class[(unsigned char)*p] & RC_HOST)
				p++;
			if (*p != '%' || url_hex((unsigned char)p[1]) < 0 || url_hex((unsigned char)p[2]) < 0)
				break;
			p += 3;
		}
	}
	if (*p == ':')
		for (p++; (unsigned char)(*p - '0') <= 9; p++)
			;
	return p == v + n ? 0 : 400;
}

int reqcheck_head(const struct http_head *h)
{
	unsigned hosts = h->count[HF_HOST], lengths = h->count[HF_CONTENT_LENGTH];
	struct http_value host = http_field(h, HF_HOST);

	if (h->major == 0)
		return 400; /* version-less: llhttp calls it HTTP/0.9 */
	if (h->major != 1 || h->minor > 1)
		return 505;
	if (hosts > 1 || (h->minor == 1 && hosts == 0))
		return 400;
	if (hosts == 1 && reqcheck_host(host.v, host.n) != 0)
		return 400;
	if (lengths > 1)
		return 400; /* even equal copies: one framing source only */
	if (lengths == 1 && reqcheck_content_length(http_field(h, HF_CONTENT_LENGTH)) != 0)
		return 400;
	if (h->count[HF_TRANSFER_ENCODING] == 0)
		return 0;
	if (h->minor == 0)
		return 400; /* HTTP/1.0 has no chunked framing: a proxy would use CL */
	if (lengths > 0)
		return 400;
	return reqcheck_transfer_encoding(h);
}
