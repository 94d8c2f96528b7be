/* gunzip: a gzip body (Content-Encoding: gzip) decoded as it arrives.
 *
 * --compressed asks for gzip; zlib inflates each piece and hands the
 * decoded bytes to a sink. Several gzip members one after another are one
 * body (as gzip -d reads them). The body is whole only when the last
 * member's trailer (CRC-32 and length) checked out and nothing follows it:
 * fetch_gunzip_end() says so, and only then may the file be committed. */
#ifndef FETCH_GUNZIP_H
#define FETCH_GUNZIP_H

#include <stddef.h>
#include <zlib.h>

struct fetch_gunzip {
	z_stream zs;
	int ready;     /* inflateInit2 done */
	int ended;     /* the last member read so far ended with a good trailer */
	char error[96];
};

typedef int (*fetch_gunzip_sink)(void *arg, const char *at, size_t n);

/* 0, or -1 (out of memory). */
int fetch_gunzip_init(struct fetch_gunzip *g);
/* Decodes n bytes; each decoded piece goes to sink (non-zero stops: -1).
 * -1 with error set on corrupt data. */
int fetch_gunzip_feed(struct fetch_gunzip *g, const char *in, size_t n, fetch_gunzip_sink sink,
		      void *arg);
/* At the end of the body: 0 when the stream ended with a good trailer, else
 * -1 and error says why. */
int fetch_gunzip_end(struct fetch_gunzip *g);
void fetch_gunzip_free(struct fetch_gunzip *g);

#endif
