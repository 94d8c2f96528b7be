/* url: http URLs and percent-encoding.
 *
 * url_parse() takes `http://host[:port]/path?query#fragment` (scheme optional,
 * as curl and wget allow): IPv6 literals in brackets, default port 80,
 * fragment dropped, userinfo refused, other schemes reported as unsupported.
 * The target keeps the URL's own percent-encoding; bytes that may not appear
 * raw in a request line (space, controls, non-ASCII, ...) are encoded. */
#ifndef URL_H
#define URL_H

#include <stddef.h>
#include <sys/types.h>

#include "buffer.h"

#define URL_HOST_MAX   255
#define URL_TARGET_MAX (8 * 1024)

struct url {
	char host[URL_HOST_MAX + 1];       /* IPv6 literal without brackets */
	char port[6];                      /* decimal; "80" when absent */
	char target[URL_TARGET_MAX + 1];   /* "/path?query", "/" when empty */
	int ipv6;                          /* host is an IPv6 literal */
};

enum url_error {
	URL_OK = 0,
	URL_EMPTY,
	URL_UNSUPPORTED_SCHEME, /* https://, ftp://, ... */
	URL_USERINFO,           /* user:pass@ is refused */
	URL_BAD_HOST,
	URL_BAD_PORT,
	URL_TOO_LONG,
	URL_BAD_CHAR            /* e.g. CR, LF or NUL */
};

enum url_error url_parse(const char *s, struct url *u);
/* A one-line reason, e.g. "https is not supported" (uses the scheme when known). */
const char *url_strerror(enum url_error e);
/* Resolves a Location value (absolute, scheme-relative, absolute-path or
 * relative, RFC 3986 section 5) against base into out. */
enum url_error url_resolve(const struct url *base, const char *ref, struct url *out);
/* "host", "host:port" (port not 80) or "[v6]:port": the Host header's value. */
int url_host_header(const struct url *u, char *out, size_t outlen);

/* Percent-decodes n bytes of in into out (out may equal in; it never grows).
 * Returns the decoded length, or -1 on a malformed escape (%G1, a lone %). */
ssize_t url_decode(const char *in, size_t n, char *out);
/* Appends in to out, percent-encoding every byte that is not an unreserved
 * character (RFC 3986) and not in `keep` (e.g. "/" for paths). 0 or -1. */
int url_encode(struct buffer *out, const char *in, size_t n, const char *keep);

#endif
