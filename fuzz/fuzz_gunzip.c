/* fuzz_gunzip: --compressed bodies, however damaged and however split.
 *
 * Input: the first byte picks the piece size, the rest is the body.
 * Properties: no crash or over-read; a body accepted as whole decodes to the
 * same bytes in one piece and in small ones (the split never matters). */
#include <string.h>

#include "fuzz.h"
#include "gunzip.h"

struct count {
	size_t n;
	uint32_t sum; /* a cheap fingerprint of the decoded bytes */
};

static int sink(void *arg, const char *at, size_t n)
{
	struct count *c = arg;

	for (size_t i = 0; i < n; i++)
		c->sum = c->sum * 31 + (unsigned char)at[i];
	c->n += n;
	return c->n > (64u << 20); /* a bomb stops here, as a refused write would */
}

static int decode(const char *body, size_t n, size_t step, struct count *c)
{
	struct fetch_gunzip g;
	int r = 0;

	memset(c, 0, sizeof(*c));
	FUZZ_ASSERT(fetch_gunzip_init(&g) == 0);
	for (size_t off = 0; off < n && r == 0; off += step)
		r = fetch_gunzip_feed(&g, body + off, n - off < step ? n - off : step, sink, c);
	if (r == 0)
		r = fetch_gunzip_end(&g);
	if (r != 0)
		FUZZ_ASSERT(g.error[0] || c->n > (64u << 20));
	fetch_gunzip_free(&g);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct count whole, split;

	if (size < 1)
		return 0;
	char *body = fuzz_memdup(data + 1, size - 1);
	size_t step = (size_t)data[0] % 64 + 1;
	int r = decode(body, size - 1, size, &whole);

	if (r == 0) {
		FUZZ_ASSERT(decode(body, size - 1, step, &split) == 0);
		FUZZ_ASSERT(split.n == whole.n && split.sum == whole.sum);
	}
	free(body);
	return 0;
}
