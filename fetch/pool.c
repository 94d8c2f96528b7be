/* pool: idle connections by key (contract in pool.h). */
#include "pool.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "tls.h"

void fetch_pool_init(struct fetch_pool *p)
{
	memset(p, 0, sizeof(*p));
}

int fetch_pool_key(char *out, size_t outlen, const struct url *u, const struct fetch_proxy *px)
{
	int n;

	if (!px)
		n = snprintf(out, outlen, "%s://%s:%s", u->https ? "https" : "http", u->host, u->port);
	else if (!u->https) /* the proxy speaks for every origin on one connection */
		n = snprintf(out, outlen, "proxy %s:%s %s", px->url.host, px->url.port, px->auth);
	else /* a CONNECT tunnel leads to one origin */
		n = snprintf(out, outlen, "https://%s:%s via %s:%s %s", u->host, u->port,
			     px->url.host, px->url.port, px->auth);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* An idle connection has nothing to say: readable (or TLS bytes waiting in
 * the session) means closed, broken, or bytes that answer nothing we asked. */
static int pool_alive(const struct fetch_stream *s)
{
	struct pollfd pfd = {.fd = s->fd, .events = POLLIN};

	if (s->tls && tls_pending(s->tls))
		return 0;
	return poll(&pfd, 1, 0) == 0;
}

static void pool_remove(struct fetch_pool *p, unsigned i)
{
	memmove(&p->idle[i], &p->idle[i + 1], (p->n - i - 1) * sizeof(p->idle[0]));
	p->n--;
}

int fetch_pool_take(struct fetch_pool *p, const char *key, struct fetch_stream *s)
{
	for (unsigned i = p->n; i-- > 0;) {
		if (strcmp(p->idle[i].key, key) != 0)
			continue;
		*s = p->idle[i].stream;
		pool_remove(p, i);
		if (pool_alive(s))
			return 1;
		fetch_stream_close(s);
	}
	return 0;
}

void fetch_pool_put(struct fetch_pool *p, const char *key, struct fetch_stream *s)
{
	if (strlen(key) >= FETCH_POOL_KEY_MAX) {
		fetch_stream_close(s);
		return;
	}
	if (p->n == FETCH_POOL_MAX) {
		fetch_stream_close(&p->idle[0].stream);
		pool_remove(p, 0);
	}
	memcpy(p->idle[p->n].key, key, strlen(key) + 1);
	p->idle[p->n].stream = *s;
	p->n++;
	s->fd = -1;
	s->tls = NULL;
}

void fetch_pool_free(struct fetch_pool *p)
{
	for (unsigned i = 0; i < p->n; i++)
		fetch_stream_close(&p->idle[i].stream);
	p->n = 0;
	tls_ctx_free(p->tls);
	p->tls = NULL;
}
