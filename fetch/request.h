/* request: the exact bytes fetch sends.
 *
 *   GET /path?query HTTP/1.1      (HEAD with -I; target as the URL had it;
 *                                  to a proxy "GET http://host[:port]/path?query")
 *   Host: host[:port]             (port only when not 80, IPv6 in brackets)
 *   User-Agent: fetch/VERSION
 *   Accept: * / *                 (without the spaces)
 *   Range: bytes=N-               (only when resuming)
 *   Proxy-Authorization: ...      (to a proxy that has credentials)
 *   Connection: close
 *   -H headers, after the defaults; a -H of the same name replaces a default.
 * No body. */
#ifndef FETCH_REQUEST_H
#define FETCH_REQUEST_H

#include <sys/types.h>

#include "buffer.h"
#include "url.h"

struct fetch_request {
	const struct url *url;
	int head;                    /* HEAD instead of GET */
	const char *user_agent;      /* NULL: the default */
	const char *const *headers;  /* "Name: value", already validated */
	unsigned nheaders;
	off_t range_from;            /* -1: no Range */
	int absolute;                /* absolute-form target, for a proxy */
	const char *proxy_auth;      /* NULL, or the proxy's Proxy-Authorization value */
};

/* Appends the request to out (cleared first); 0, or -1 when it does not fit. */
int fetch_request_build(struct buffer *out, const struct fetch_request *rq);

#endif
