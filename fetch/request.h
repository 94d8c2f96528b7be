/* request: the exact bytes fetch sends.
 *
 *   GET /path?query HTTP/1.1      (HEAD with -I; target as the URL had it;
 *                                  to a proxy "GET http://host[:port]/path?query")
 *   Host: host[:port]             (port only when not 80, IPv6 in brackets)
 *   User-Agent: fetch/VERSION
 *   Accept: * / *                 (without the spaces)
 *   Range: bytes=N-               (only when resuming)
 *   If-Range: VALIDATOR           (a retry continuing what it received)
 *   If-Modified-Since: DATE       (only with -N and a local file)
 *   Accept-Encoding: gzip         (only with --compressed)
 *   Proxy-Authorization: ...      (to a proxy that has credentials)
 *   -H headers, after the defaults; a -H of the same name replaces a default,
 *   and "Name:" with nothing after the colon removes it (curl's convention).
 * No body. After a redirect to another origin (scheme, host or port) the -H
 * credentials -- Authorization, Cookie, Proxy-Authorization -- and a -H Host
 * are left out (CVE-2018-1000007, CVE-2022-27776): they were meant for the
 * first origin only. */
#ifndef FETCH_REQUEST_H
#define FETCH_REQUEST_H

#include <sys/types.h>
#include <time.h>

#include "buffer.h"
#include "url.h"

struct fetch_request {
	const struct url *url;
	int head;                    /* HEAD instead of GET */
	const char *user_agent;      /* NULL: the default */
	const char *const *headers;  /* "Name: value", already validated */
	unsigned nheaders;
	off_t range_from;            /* -1: no Range */
	int other_origin;            /* a redirect left the first URL's origin */
	time_t if_modified_since;    /* -1: none */
	int accept_gzip;             /* --compressed */
	const char *if_range;        /* with range_from: an ETag or a date; NULL: none */
	int absolute;                /* absolute-form target, for a proxy */
	const char *proxy_auth;      /* NULL, or the proxy's Proxy-Authorization value */
};

/* Appends the request to out (cleared first); 0, or -1 when it does not fit. */
int fetch_request_build(struct buffer *out, const struct fetch_request *rq);

#endif
