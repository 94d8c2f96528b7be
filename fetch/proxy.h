/* proxy: which proxy a URL goes through, and what is said to it. No I/O.
 *
 * Settings come as strings (main reads the environment; --proxy and
 * --no-proxy decide before): a proxy URL "[http://][user[:password]@]host[:port][/]"
 * (port 1080 when absent, as curl; user and password percent-decoded into a
 * Basic Proxy-Authorization, sent to the proxy only), and a no_proxy list,
 * curl's and wget's: comma- or space-separated entries, "*" for every host,
 * "example.com" or ".example.com" for that host and every name under it, an
 * IP literal for itself ("[::1]" or "::1"), any entry with ":PORT" for that
 * port only. Names compare case-insensitively; a trailing dot is ignored. */
#ifndef FETCH_PROXY_H
#define FETCH_PROXY_H

#include <stddef.h>

#include "buffer.h"
#include "tunables.h"
#include "url.h"

struct fetch_proxy {
	struct url url;                  /* host and port of the proxy */
	char auth[FETCH_PROXY_AUTH_MAX]; /* "Basic ..." or "" */
};

/* Parses a proxy URL; 0, or -1 with a reason in err (https:// proxies and
 * other schemes are refused: fetch speaks plain HTTP to its proxy). */
int fetch_proxy_parse(const char *s, struct fetch_proxy *p, char *err, size_t errlen);
/* 1 when the no_proxy list (NULL: none) says u goes direct. */
int fetch_proxy_bypass(const char *no_proxy, const struct url *u);
/* The CONNECT request for u's host and port, with p's credentials. 0 or -1. */
int fetch_proxy_connect_request(struct buffer *out, const struct url *u,
                                const struct fetch_proxy *p);

#endif
