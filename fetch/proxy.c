/* proxy: proxy URLs, no_proxy and CONNECT (contract in proxy.h). */
#include "proxy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static void proxy_base64(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		             (i + 2 < n ? in[i + 2] : 0);
		*out++ = abc[v >> 18 & 63];
		*out++ = abc[v >> 12 & 63];
		*out++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? abc[v & 63] : '=';
	}
	*out = '\0';
}

/* "user[:password]" percent-decoded into "Basic base64(user:password)". */
static int proxy_auth(struct fetch_proxy *p, const char *ui, size_t n)
{
	char plain[FETCH_PROXY_AUTH_MAX / 2];
	ssize_t len;

	if (n >= sizeof(plain) || (len = url_decode(ui, n, plain)) < 0)
		return -1;
	if (!memchr(plain, ':', (size_t)len)) {
		if ((size_t)len + 1 >= sizeof(plain))
			return -1;
		plain[len++] = ':'; /* no password: an empty one */
	}
	memcpy(p->auth, "Basic ", 6);
	proxy_base64((const unsigned char *)plain, (size_t)len, p->auth + 6);
	return 0;
}

/* Does the authority "host[:port]" or "[v6][:port]" (n bytes) give a port? */
static int proxy_has_port(const char *a, size_t n)
{
	const char *close = memchr(a, ']', n);
	const char *from = close ? close : a;

	return memchr(from, ':', n - (size_t)(from - a)) != NULL;
}

int fetch_proxy_parse(const char *s, struct fetch_proxy *p, char *err, size_t errlen)
{
	char full[URL_HOST_MAX + 32];
	const char *at, *host, *end;
	int n;

	memset(p, 0, sizeof(*p));
	if (strncasecmp(s, "http://", 7) == 0)
		s += 7;
	else if (strstr(s, "://")) {
		snprintf(err, errlen, "proxy %s: only http:// proxies are supported", s);
		return -1;
	}
	end = s + strcspn(s, "/?#");
	at = memchr(s, '@', (size_t)(end - s));
	host = at ? at + 1 : s;
	if (at && proxy_auth(p, s, (size_t)(at - s)) != 0) {
		snprintf(err, errlen, "proxy URL: bad user name or password");
		return -1;
	}
	n = snprintf(full, sizeof(full), "http://%.*s%s/", (int)(end - host), host,
	             proxy_has_port(host, (size_t)(end - host)) ? "" : ":1080");
	if (n < 0 || (size_t)n >= sizeof(full) || url_parse(full, &p->url) != URL_OK) {
		snprintf(err, errlen, "proxy URL %.*s: bad host or port", (int)(end - host), host);
		return -1;
	}
	return 0;
}

/* Does host (lowercase, no brackets) fall under entry e (n bytes)? */
static int proxy_host_matches(const char *host, const char *e, size_t n)
{
	size_t hl = strlen(host);

	if (n > 0 && e[0] == '.') {
		e++;
		n--;
	}
	if (n > 1 && e[0] == '[' && e[n - 1] == ']') {
		e++;
		n -= 2;
	}
	while (n > 0 && e[n - 1] == '.')
		n--;
	while (hl > 0 && host[hl - 1] == '.')
		hl--;
	if (n == 0 || n > hl || strncasecmp(host + hl - n, e, n) != 0)
		return 0;
	return hl == n || host[hl - n - 1] == '.';
}

/* One no_proxy entry (n bytes, trimmed) against u. */
static int proxy_entry_matches(const char *e, size_t n, const struct url *u)
{
	const char *colon = NULL;
	const char *close = n > 0 && e[0] == '[' ? memchr(e, ']', n) : NULL;

	if (n == 1 && e[0] == '*')
		return 1;
	/* ":PORT" after a name, an IPv4 address or "[v6]"; a bare IPv6 literal has several colons.
	 */
	if (close)
		colon = close + 1 < e + n && close[1] == ':' ? close + 1 : NULL;
	else if (memchr(e, ':', n) && memchr(e, ':', n) == memrchr(e, ':', n))
		colon = memchr(e, ':', n);
	if (colon) {
		size_t plen = n - (size_t)(colon + 1 - e);
		if (strlen(u->port) != plen || strncmp(colon + 1, u->port, plen) != 0)
			return 0;
		n = (size_t)(colon - e);
	}
	return proxy_host_matches(u->host, e, n);
}

int fetch_proxy_bypass(const char *no_proxy, const struct url *u)
{
	const char *p = no_proxy;

	while (p && *p) {
		size_t skip = strspn(p, ", \t"), n;
		p += skip;
		n = strcspn(p, ", \t");
		if (n > 0 && proxy_entry_matches(p, n, u))
			return 1;
		p += n;
	}
	return 0;
}

int fetch_proxy_connect_request(struct buffer *out, const struct url *u,
                                const struct fetch_proxy *p)
{
	char host[URL_HOST_MAX + 16];
	int n = snprintf(host, sizeof(host), u->ipv6 ? "[%s]:%s" : "%s:%s", u->host, u->port);

	buffer_clear(out);
	if (n < 0 || (size_t)n >= sizeof(host))
		return -1;
	if (buffer_printf(out, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n", host, host))
		return -1;
	if (p->auth[0] && buffer_printf(out, "Proxy-Authorization: %s\r\n", p->auth))
		return -1;
	return buffer_append(out, "\r\n", 2);
}
