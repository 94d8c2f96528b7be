/* url: http and https URLs and percent-encoding.
 *
 * url_parse() takes `http[s]://host[:port]/path?query#fragment` (scheme
 * optional, http then, as curl and wget allow; "//host/..." too): IPv6
 * literals in brackets, default port 80 (443 for https), fragment dropped,
 * userinfo refused (also "user:pw@host"),
 * other schemes reported as unsupported ("x://", or "x:" not followed by a
 * port). The scheme is case-insensitive; the host is lowercased and must be
 * letters, digits, '-', '_', '.' (labels <= 63, one trailing dot allowed) or
 * an IPv6 literal inet_pton accepts (no zone id). The port is 1-65535, digits
 * only, stored without leading zeros; an empty port ("h:/") means 80.
 * The target keeps the URL's own percent-encoding; bytes that may not appear
 * raw in a request line (space, controls, bytes >= 0x7f, '"' '<' '>' '\\' '^'
 * '`' '{' '|' '}') are encoded, and so is a '%' that starts no valid %XX.
 * CR or LF anywhere is URL_BAD_CHAR. url_parse() does not remove "." and ".."
 * segments: the path is sent as written (curl's --path-as-is); url_resolve()
 * does, as RFC 3986 requires. On error *u is partly written: do not use it. */
#ifndef URL_H
#define URL_H

#include <stddef.h>
#include <sys/types.h>

#include "buffer.h"

#define URL_HOST_MAX 255
#define URL_TARGET_MAX (8 * 1024)

struct url {
	char host[URL_HOST_MAX + 1];     /* IPv6 literal without brackets */
	char port[6];                    /* decimal; "80" when absent */
	char target[URL_TARGET_MAX + 1]; /* "/path?query", "/" when empty */
	int ipv6;                        /* host is an IPv6 literal */
	int https;                       /* the scheme is https */
};

enum url_error {
	URL_OK = 0,
	URL_EMPTY,
	URL_UNSUPPORTED_SCHEME, /* ftp://, ... */
	URL_USERINFO,           /* user:pass@ is refused */
	URL_BAD_HOST,
	URL_BAD_PORT,
	URL_TOO_LONG,
	URL_BAD_CHAR /* e.g. CR, LF or NUL */
};

enum url_error url_parse(const char *s, struct url *u);
/* A one-line reason. For URL_UNSUPPORTED_SCHEME it names the scheme that
 * url_parse()/url_resolve() last refused in the calling thread (like errno),
 * e.g. "ftp is not supported"; the text stays valid until the next such
 * refusal in that thread. */
const char *url_strerror(enum url_error e);
/* Resolves a Location value (absolute, scheme-relative, absolute-path or
 * relative, RFC 3986 section 5.2, dot segments removed; "http:g" read as
 * relative, the backward-compatible form; "https:g" from an http base names
 * no host: URL_BAD_HOST) against base into out; the scheme is ref's when it
 * has one, else base's. out may be
 * base; on error out is left unchanged. NULL ref is URL_EMPTY; "" is base. */
enum url_error url_resolve(const struct url *base, const char *ref, struct url *out);
/* "host", "host:port" (port not the scheme's default) or "[v6]:port": the Host header's value.
 * 0, or -1 when it does not fit in outlen bytes with its NUL (out is then ""). */
int url_host_header(const struct url *u, char *out, size_t outlen);

/* Percent-decodes n bytes of in into out (out may equal in; it never grows).
 * Returns the decoded length, or -1 on a malformed escape (%G1, a lone %).
 * '+' stays '+'; %00 gives a NUL byte (path_normalize refuses it). out is NOT
 * NUL-terminated: write out[len] = '\0' yourself when there is room. */
ssize_t url_decode(const char *in, size_t n, char *out);

/* The value of the hexadecimal digit c (either case), or -1. */
int url_hex(unsigned char c);

/* Appends in to out, percent-encoding every byte that is not an unreserved
 * character (RFC 3986) and not in `keep` (e.g. "/" for paths; NULL for none),
 * with upper-case hex. 0, or -1 (buffer limit, errno from buffer_reserve)
 * with nothing appended. */
int url_encode(struct buffer *out, const char *in, size_t n, const char *keep);

#endif
