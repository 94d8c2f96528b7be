/* pool: connections kept open between requests (HTTP/1.1 keep-alive).
 *
 * transfer.c hands back a connection whose response ended cleanly (its
 * framing complete, no byte beyond it, no "Connection: close") under a key
 * naming where it leads: the origin (scheme, host, port), and the proxy
 * with its credentials when there is one; plain HTTP through a proxy is one
 * connection to the proxy for every origin. The next request for the same
 * key takes it. An idle connection that has become readable (the server
 * closed it, or sent bytes nobody asked for) is dropped, not handed out.
 * At most FETCH_POOL_MAX are kept; the oldest goes first. The pool also
 * owns the TLS context every https connection of the run shares. */
#ifndef FETCH_POOL_H
#define FETCH_POOL_H

#include "proxy.h"
#include "stream.h"
#include "tunables.h"
#include "url.h"

#define FETCH_POOL_KEY_MAX (2 * URL_HOST_MAX + FETCH_PROXY_AUTH_MAX + 64)

struct tls_ctx;

struct fetch_pool_conn {
	char key[FETCH_POOL_KEY_MAX];
	struct fetch_stream stream;
};

struct fetch_pool {
	struct tls_ctx *tls; /* NULL until the first https connection */
	struct fetch_pool_conn idle[FETCH_POOL_MAX];
	unsigned n;
};

void fetch_pool_init(struct fetch_pool *p);
/* The key of a connection for u, through px (NULL: direct); 0, or -1 when
 * it does not fit in out. */
int fetch_pool_key(char *out, size_t outlen, const struct url *u, const struct fetch_proxy *px);
/* Moves an idle connection for key into *s: 1, or 0 when there is none. */
int fetch_pool_take(struct fetch_pool *p, const char *key, struct fetch_stream *s);
/* Keeps *s (the pool owns it from now on) for key. */
void fetch_pool_put(struct fetch_pool *p, const char *key, struct fetch_stream *s);
/* Closes every idle connection and frees the TLS context. */
void fetch_pool_free(struct fetch_pool *p);

#endif
