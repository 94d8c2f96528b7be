/* fuzz_url: url_parse, url_resolve, url_host_header, url_decode, url_encode.
 *
 * Input: a base URL, a NUL byte, then a reference (Location value); without a
 * NUL the whole input is both. Properties: what url_parse accepts is
 * well-formed (numeric port, target starting with '/' and free of bytes that
 * may not appear raw in a request line); decode never grows; decoding what
 * encode produced gives back the original bytes. */
#include <string.h>
#include <sys/types.h>

#include "buffer.h"
#include "fuzz.h"
#include "url.h"

static void check_url(const struct url *u)
{
	size_t hl = strnlen(u->host, sizeof u->host);
	size_t pl = strnlen(u->port, sizeof u->port);
	size_t tl = strnlen(u->target, sizeof u->target);

	FUZZ_ASSERT(hl > 0 && hl < sizeof u->host);
	FUZZ_ASSERT(pl > 0 && pl < sizeof u->port);
	FUZZ_ASSERT(tl > 0 && tl < sizeof u->target);
	FUZZ_ASSERT(strspn(u->port, "0123456789") == pl);
	FUZZ_ASSERT(u->target[0] == '/');
	for (size_t i = 0; i < tl; i++) {
		unsigned char c = (unsigned char)u->target[i];
		FUZZ_ASSERT(c > 0x20 && c < 0x7f); /* no space, control, non-ASCII */
		FUZZ_ASSERT(c != '#');             /* fragment dropped */
	}
	for (size_t i = 0; i < hl; i++) {
		unsigned char c = (unsigned char)u->host[i];
		FUZZ_ASSERT(c > 0x20 && c < 0x7f && c != '/' && c != '@');
	}

	char hh[URL_HOST_MAX + 16];
	if (url_host_header(u, hh, sizeof hh) == 0)
		FUZZ_ASSERT(strlen(hh) < sizeof hh && strpbrk(hh, "\r\n") == NULL);
}

static void fuzz_codec(const uint8_t *data, size_t size)
{
	char *in = fuzz_memdup(data, size);
	char *out = fuzz_memdup(data, size);
	ssize_t n = url_decode(in, size, out);
	FUZZ_ASSERT(n >= -1 && n <= (ssize_t)size);

	struct buffer enc;
	buffer_init(&enc, 3 * size + 16);
	if (url_encode(&enc, in, size, "/") == 0) {
		FUZZ_ASSERT(enc.len <= 3 * size);
		for (size_t i = 0; i < enc.len; i++) {
			unsigned char c = (unsigned char)enc.data[i];
			FUZZ_ASSERT(c > 0x20 && c < 0x7f);
		}
		char *back = fuzz_memdup((const uint8_t *)enc.data, enc.len);
		ssize_t m = url_decode(enc.data, enc.len, back);
		FUZZ_ASSERT(m == (ssize_t)size);
		FUZZ_ASSERT(size == 0 || memcmp(back, in, size) == 0);
		free(back);
	}
	buffer_free(&enc);
	free(in);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	const char *ref = s;
	size_t baselen = strlen(s);
	if (baselen < size)
		ref = s + baselen + 1;

	struct url base, out;
	if (url_parse(s, &base) == URL_OK) {
		check_url(&base);
		if (url_resolve(&base, ref, &out) == URL_OK)
			check_url(&out);
	}
	FUZZ_ASSERT(url_strerror(url_parse(ref, &out)) != NULL);
	fuzz_codec(data, size);
	free(s);
	return 0;
}
