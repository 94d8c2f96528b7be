/* url: http URLs and percent-encoding (contract in url.h). */
#include "url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The scheme url_parse()/url_resolve() last refused in this thread, so that
 * url_strerror() can say "https is not supported" without a wider API. It is
 * per-thread state like errno, not a scratch buffer shared by workers. */
#define URL_SCHEME_MAX 15
static char url_bad_scheme[URL_SCHEME_MAX + 1];
static char url_bad_scheme_text[URL_SCHEME_MAX + 32];

/* A working target: the encoded path and query, bounded like url.target. */
struct url_target {
	char s[URL_TARGET_MAX + 1];
	size_t len;
};

static int url_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int url_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

int url_hex(unsigned char c)
{
	if (url_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static unsigned char url_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static int url_is_unreserved(unsigned char c)
{
	return url_is_alpha(c) || url_is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Bytes that may not appear raw in a request line, or that servers and
 * proxies disagree about: they are sent percent-encoded. */
static int url_must_encode(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 1;
	return strchr("\"<>\\^`{|}", c) != NULL;
}

static int url_valid_escape(const char *s, size_t i, size_t n)
{
	return i + 2 < n && url_hex((unsigned char)s[i + 1]) >= 0 &&
	       url_hex((unsigned char)s[i + 2]) >= 0;
}

/* Length of a scheme ("http" in "http:..."), or 0 when s does not start with
 * one followed by ':' (RFC 3986 3.1). */
static size_t url_scheme_len(const char *s)
{
	size_t i = 0;

	if (!url_is_alpha((unsigned char)s[0]))
		return 0;
	while (url_is_alpha((unsigned char)s[i]) || url_is_digit((unsigned char)s[i]) ||
	       s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return s[i] == ':' ? i : 0;
}

static int url_is_http(const char *s, size_t len)
{
	return len == 4 && strncasecmp(s, "http", 4) == 0;
}

/* 0 for http, 1 for https, -1 for any other scheme. */
static int url_scheme_https(const char *s, size_t len)
{
	if (url_is_http(s, len))
		return 0;
	return len == 5 && strncasecmp(s, "https", 5) == 0 ? 1 : -1;
}

static enum url_error url_refuse_scheme(const char *s, size_t len)
{
	size_t i;

	if (len > URL_SCHEME_MAX)
		len = URL_SCHEME_MAX;
	for (i = 0; i < len; i++)
		url_bad_scheme[i] = (char)url_lower((unsigned char)s[i]);
	url_bad_scheme[len] = '\0';
	return URL_UNSUPPORTED_SCHEME;
}

/* Appends n bytes of a URL's path or query to t: existing valid %XX kept,
 * unsafe bytes and a '%' that starts no valid escape encoded. */
static enum url_error url_target_add(struct url_target *t, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int enc = url_must_encode(c) || (c == '%' && !url_valid_escape(s, i, n));

		if (c == '\r' || c == '\n' || c == '\0')
			return URL_BAD_CHAR;
		if (t->len + (enc ? 3u : 1u) > URL_TARGET_MAX)
			return URL_TOO_LONG;
		if (!enc) {
			t->s[t->len++] = (char)c;
			continue;
		}
		t->s[t->len++] = '%';
		t->s[t->len++] = hex[c >> 4];
		t->s[t->len++] = hex[c & 15];
	}
	t->s[t->len] = '\0';
	return URL_OK;
}

/* A DNS name or IPv4 address: letters, digits, '-', '_', '.', no empty
 * label except one trailing dot (a fully qualified name), labels <= 63. */
static enum url_error url_set_name(struct url *u, const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || (n == 1 && s[0] == '.'))
		return URL_BAD_HOST;
	if (n > URL_HOST_MAX)
		return URL_TOO_LONG;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return URL_BAD_HOST;
			label = 0;
		} else if (url_is_alpha(c) || url_is_digit(c) || c == '-' || c == '_') {
			if (++label > 63)
				return URL_BAD_HOST;
		} else {
			return c == '\r' || c == '\n' ? URL_BAD_CHAR : URL_BAD_HOST;
		}
		/* DNS is case-insensitive: one spelling makes URLs comparable. */
		u->host[i] = (char)url_lower(c);
	}
	u->host[n] = '\0';
	u->ipv6 = 0;
	return URL_OK;
}

/* "[v6]" (brackets included in s): checked by inet_pton, so zone ids and
 * IPvFuture forms are refused. */
static enum url_error url_set_ipv6(struct url *u, const char *s, size_t n)
{
	struct in6_addr a;
	char tmp[INET6_ADDRSTRLEN + 1];

	if (n < 3 || n - 2 >= sizeof tmp)
		return URL_BAD_HOST;
	memcpy(tmp, s + 1, n - 2);
	tmp[n - 2] = '\0';
	if (inet_pton(AF_INET6, tmp, &a) != 1)
		return URL_BAD_HOST;
	memcpy(u->host, tmp, n - 1);
	u->ipv6 = 1;
	return URL_OK;
}

/* Digits only, 1-65535, stored without leading zeros; empty means the
 * scheme's default (RFC 3986 3.2.3 allows an empty port). */
static enum url_error url_set_port(struct url *u, const char *s, size_t n)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0) {
		snprintf(u->port, sizeof u->port, "%s", u->https ? "443" : "80");
		return URL_OK;
	}
	for (i = 0; i < n; i++) {
		if (!url_is_digit((unsigned char)s[i]))
			return URL_BAD_PORT;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > 65535)
			return URL_BAD_PORT;
	}
	if (v == 0)
		return URL_BAD_PORT;
	if (snprintf(u->port, sizeof u->port, "%lu", v) >= (int)sizeof u->port)
		return URL_BAD_PORT;
	return URL_OK;
}

/* host[:port] or [v6][:port], n bytes; userinfo is refused. */
static enum url_error url_set_authority(struct url *u, const char *s, size_t n)
{
	const char *colon;
	size_t hostlen;
	enum url_error e;

	if (memchr(s, '@', n))
		return URL_USERINFO;
	if (n > 0 && s[0] == '[') {
		const char *end = memchr(s, ']', n);

		if (!end)
			return URL_BAD_HOST;
		hostlen = (size_t)(end - s) + 1;
		if (hostlen < n && s[hostlen] != ':')
			return URL_BAD_HOST;
		e = url_set_ipv6(u, s, hostlen);
	} else {
		colon = memchr(s, ':', n);
		hostlen = colon ? (size_t)(colon - s) : n;
		e = url_set_name(u, s, hostlen);
	}
	if (e != URL_OK)
		return e;
	if (hostlen == n)
		return url_set_port(u, "", 0);
	return url_set_port(u, s + hostlen + 1, n - hostlen - 1);
}

/* Where the authority starting at s ends: at '/', '?', '#' or the end. */
static size_t url_authority_len(const char *s)
{
	return strcspn(s, "/?#");
}

static int url_is(const char *p, size_t left, const char *lit)
{
	size_t n = strlen(lit);

	return left == n && memcmp(p, lit, n) == 0;
}

static int url_starts(const char *p, size_t left, const char *lit)
{
	size_t n = strlen(lit);

	return left >= n && memcmp(p, lit, n) == 0;
}

static void url_pop_segment(const char *s, size_t *o)
{
	while (*o > 0 && s[*o - 1] != '/')
		(*o)--;
	if (*o > 0)
		(*o)--;
}

/* RFC 3986 5.2.4 remove_dot_segments, in place on the n bytes of a path;
 * returns the new length. The output never outruns the input, so reading at
 * i and writing at o <= i is safe. */
static size_t url_remove_dots(char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const char *p = s + i;
		size_t left = n - i, seg;

		if (url_starts(p, left, "../")) {
			i += 3;
		} else if (url_starts(p, left, "./") || url_starts(p, left, "/./")) {
			i += 2;
		} else if (url_is(p, left, "/.")) {
			s[o++] = '/';
			i = n;
		} else if (url_starts(p, left, "/../")) {
			url_pop_segment(s, &o);
			i += 3;
		} else if (url_is(p, left, "/..")) {
			url_pop_segment(s, &o);
			s[o++] = '/';
			i = n;
		} else if (url_is(p, left, ".") || url_is(p, left, "..")) {
			i = n;
		} else {
			seg = p[0] == '/' ? 1 : 0;
			while (seg < left && p[seg] != '/')
				seg++;
			memmove(s + o, p, seg);
			o += seg;
			i += seg;
		}
	}
	return o;
}

/* Appends n bytes that are already a valid target piece (from a parsed
 * url), bounded like the target. */
static enum url_error url_target_raw(struct url_target *t, const char *s, size_t n)
{
	if (t->len + n > URL_TARGET_MAX)
		return URL_TOO_LONG;
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
	return URL_OK;
}

static void url_target_dots(struct url_target *t)
{
	t->len = url_remove_dots(t->s, t->len);
	t->s[t->len] = '\0';
}

/* The part after "scheme://" (or a bare "host/..." with no scheme). With
 * `dots`, dot segments are removed from the path (RFC 3986 5.2.2, for
 * resolved references); url_parse() leaves the path as the user wrote it. */
static enum url_error url_parse_rest(const char *s, struct url *u, int dots)
{
	size_t alen = url_authority_len(s);
	const char *p = s + alen;
	size_t plen = strcspn(p, "?#");
	size_t qlen = p[plen] == '?' ? strcspn(p + plen, "#") : 0;
	struct url_target t = {.len = 0};
	enum url_error e;

	e = url_set_authority(u, s, alen);
	if (e != URL_OK)
		return e;
	if (plen == 0)
		t.s[t.len++] = '/';
	e = url_target_add(&t, p, plen);
	if (e == URL_OK && dots)
		url_target_dots(&t);
	if (e == URL_OK)
		e = url_target_add(&t, p + plen, qlen);
	if (e != URL_OK)
		return e;
	memcpy(u->target, t.s, t.len + 1);
	return URL_OK;
}

enum url_error url_parse(const char *s, struct url *u)
{
	size_t slen;

	if (!s || !*s)
		return URL_EMPTY;
	if (strpbrk(s, "\r\n"))
		return URL_BAD_CHAR;
	slen = url_scheme_len(s);
	u->https = 0;
	if (slen > 0 && strncmp(s + slen, "://", 3) == 0) {
		u->https = url_scheme_https(s, slen);
		if (u->https < 0)
			return url_refuse_scheme(s, slen);
		return url_parse_rest(s + slen + 3, u, 0);
	}
	/* "name:rest" where rest is not a port ("localhost:8080/") is a
	 * scheme without "//" (urn:x, https:x), unless an '@' shows it to be
	 * "user:password@host", which curl also reads as http. */
	if (slen > 0) {
		const char *p = s + slen + 1;
		size_t digits = strspn(p, "0123456789");

		if (memchr(s, '@', url_authority_len(s)))
			return URL_USERINFO;
		if (p[digits] != '\0' && !strchr("/?#", p[digits]))
			return url_is_http(s, slen) ? URL_BAD_HOST : url_refuse_scheme(s, slen);
	}
	if (strncmp(s, "//", 2) == 0)
		s += 2;
	return url_parse_rest(s, u, 0);
}

const char *url_strerror(enum url_error e)
{
	switch (e) {
	case URL_OK:
		return "no error";
	case URL_EMPTY:
		return "empty URL";
	case URL_UNSUPPORTED_SCHEME:
		if (!url_bad_scheme[0])
			return "scheme is not supported (only http and https)";
		snprintf(url_bad_scheme_text, sizeof url_bad_scheme_text, "%s is not supported",
		         url_bad_scheme);
		return url_bad_scheme_text;
	case URL_USERINFO:
		return "user name or password in the URL is not supported";
	case URL_BAD_HOST:
		return "bad host name";
	case URL_BAD_PORT:
		return "bad port number (1-65535)";
	case URL_TOO_LONG:
		return "URL too long";
	case URL_BAD_CHAR:
		return "control character in URL";
	}
	return "unknown URL error";
}

/* The target of a reference without authority (RFC 3986 5.2.2): path and
 * query from ref or base, merged (5.2.3) and cleaned of dot segments. */
static enum url_error url_merge(const char *btarget, const char *ref, struct url_target *t)
{
	size_t rplen = strcspn(ref, "?#");
	size_t rqlen = ref[rplen] == '?' ? strcspn(ref + rplen, "#") : 0;
	size_t bplen = strcspn(btarget, "?");
	enum url_error e;

	if (rplen == 0) {
		e = url_target_raw(t, btarget, bplen);
		if (e != URL_OK)
			return e;
		if (rqlen == 0)
			return url_target_raw(t, btarget + bplen, strlen(btarget + bplen));
		return url_target_add(t, ref, rqlen);
	}
	if (ref[0] != '/') {
		/* The base path always starts with '/': keep up to its last one. */
		size_t dir = bplen;

		while (dir > 0 && btarget[dir - 1] != '/')
			dir--;
		e = url_target_raw(t, btarget, dir);
		if (e != URL_OK)
			return e;
	}
	e = url_target_add(t, ref, rplen);
	if (e != URL_OK)
		return e;
	url_target_dots(t);
	return url_target_add(t, ref + rplen, rqlen);
}

enum url_error url_resolve(const struct url *base, const char *ref, struct url *out)
{
	struct url_target t = {.len = 0};
	size_t slen;
	int https;
	enum url_error e;

	if (!ref)
		return URL_EMPTY;
	if (strpbrk(ref, "\r\n"))
		return URL_BAD_CHAR;
	slen = url_scheme_len(ref);
	https = slen > 0 ? url_scheme_https(ref, slen) : base->https;
	if (https < 0)
		return url_refuse_scheme(ref, slen);
	/* "http:g" without "//" is taken as relative, the backward-compatible
	 * reading RFC 3986 5.2.2 allows for a reference in the base's scheme;
	 * in another scheme it names no host. */
	if (slen > 0)
		ref += slen + 1;
	if (https != base->https && strncmp(ref, "//", 2) != 0)
		return URL_BAD_HOST;
	if (strncmp(ref, "//", 2) == 0) {
		struct url tmp = {.https = https};

		e = url_parse_rest(ref + 2, &tmp, 1);
		if (e == URL_OK)
			*out = tmp;
		return e;
	}
	e = url_merge(base->target, ref, &t);
	if (e != URL_OK)
		return e;
	/* out may be base: its host and port are then already in place. */
	if (out != base) {
		memcpy(out->host, base->host, sizeof out->host);
		memcpy(out->port, base->port, sizeof out->port);
		out->ipv6 = base->ipv6;
		out->https = base->https;
	}
	memcpy(out->target, t.s, t.len + 1);
	return URL_OK;
}

int url_host_header(const struct url *u, char *out, size_t outlen)
{
	int dflt = strcmp(u->port, u->https ? "443" : "80") == 0;
	int n;

	if (outlen == 0)
		return -1;
	if (u->ipv6)
		n = dflt ? snprintf(out, outlen, "[%s]", u->host)
		         : snprintf(out, outlen, "[%s]:%s", u->host, u->port);
	else
		n = dflt ? snprintf(out, outlen, "%s", u->host)
		         : snprintf(out, outlen, "%s:%s", u->host, u->port);
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

ssize_t url_decode(const char *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (in[i] != '%') {
			out[o++] = in[i];
			continue;
		}
		if (!url_valid_escape(in, i, n))
			return -1;
		out[o++] = (char)(url_hex((unsigned char)in[i + 1]) << 4 |
		                  url_hex((unsigned char)in[i + 2]));
		i += 2;
	}
	return (ssize_t)o;
}

static int url_keeps(unsigned char c, const char *keep)
{
	return url_is_unreserved(c) || (c != '\0' && keep && strchr(keep, c));
}

int url_encode(struct buffer *out, const char *in, size_t n, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, need = 0;
	char *w;

	/* Measured first, so that the limit fails the whole append or none. */
	for (i = 0; i < n; i++)
		need += url_keeps((unsigned char)in[i], keep) ? 1 : 3;
	if (need == 0)
		return 0;
	if (buffer_reserve(out, need) != 0)
		return -1;
	w = out->data + out->len;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (url_keeps(c, keep)) {
			*w++ = (char)c;
			continue;
		}
		*w++ = '%';
		*w++ = hex[c >> 4];
		*w++ = hex[c & 15];
	}
	out->len += need;
	return 0;
}
