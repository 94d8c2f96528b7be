/* gunzip: zlib's inflate over gzip members. */
#include "gunzip.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tunables.h"

int fetch_gunzip_init(struct fetch_gunzip *g)
{
	memset(g, 0, sizeof(*g));
	/* 16 + MAX_WBITS: a gzip wrapper, whose trailer inflate checks. */
	if (inflateInit2(&g->zs, 16 + MAX_WBITS) != Z_OK)
		return -1;
	g->ready = 1;
	return 0;
}

static int gunzip_fail(struct fetch_gunzip *g, const char *why)
{
	snprintf(g->error, sizeof(g->error), "gzip body: %s", why);
	return -1;
}

/* One input piece through inflate, until it is used up or a member ends;
 * output is drained whenever inflate filled the buffer. */
static int gunzip_run(struct fetch_gunzip *g, fetch_gunzip_sink sink, void *arg)
{
	unsigned char out[GUNZIP_OUT];
	int r;

	do {
		g->zs.next_out = out;
		g->zs.avail_out = sizeof(out);
		r = inflate(&g->zs, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return gunzip_fail(g, g->zs.msg ? g->zs.msg : "corrupt data");
		if (sizeof(out) - g->zs.avail_out > 0 &&
		    sink(arg, (const char *)out, sizeof(out) - g->zs.avail_out) != 0)
			return -1;
		if (r == Z_STREAM_END)
			g->ended = 1;
	} while (r != Z_STREAM_END && g->zs.avail_out == 0);
	return 0;
}

int fetch_gunzip_feed(struct fetch_gunzip *g, const char *in, size_t n, fetch_gunzip_sink sink,
		      void *arg)
{
	g->zs.next_in = (unsigned char *)(uintptr_t)in; /* zlib never writes through it */
	g->zs.avail_in = 0;
	for (;;) {
		if (g->zs.avail_in == 0) {
			size_t take = n > (1u << 30) ? (1u << 30) : n;
			if (take == 0)
				return 0;
			g->zs.avail_in = (uInt)take;
			n -= take;
		}
		if (g->ended) {
			/* Bytes after a member: the next member, as gzip -d reads them. */
			if (inflateReset(&g->zs) != Z_OK)
				return gunzip_fail(g, "cannot restart");
			g->ended = 0;
		}
		if (gunzip_run(g, sink, arg) != 0)
			return -1;
	}
}

int fetch_gunzip_end(struct fetch_gunzip *g)
{
	if (!g->ended)
		return gunzip_fail(g, "cut short (no complete trailer)");
	return 0;
}

void fetch_gunzip_free(struct fetch_gunzip *g)
{
	if (g->ready)
		inflateEnd(&g->zs);
	g->ready = 0;
}
