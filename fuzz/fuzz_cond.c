/* fuzz_cond: entity-tag lists, the RFC 9110 13.2.2 preconditions, If-Range.
 *
 * Input: 8 bytes of mtime and size material, then field values separated by
 * NUL bytes (If-Match, If-Unmodified-Since, If-None-Match,
 * If-Modified-Since, If-Range).
 * Properties: cond_check answers 0, 304 or 412; our own ETag always matches
 * itself and "*" (weakly and strongly); with If-None-Match our ETag and no
 * If-Match or If-Unmodified-Since, the answer is 304 whatever the date says;
 * If-Range with our ETag always applies. */
#include <string.h>
#include <time.h>

#include "cond.h"
#include "fuzz.h"

static struct http_value next_part(const char **p, const char *end)
{
	const char *s = *p;
	const char *z = memchr(s, '\0', (size_t)(end - s));
	struct http_value v = {s, z ? (size_t)(z - s) : (size_t)(end - s)};

	*p = z ? z + 1 : end;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	time_t mtime = (time_t)((uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
				(uint32_t)data[3] << 24);
	off_t fsize = (off_t)((uint32_t)data[4] | (uint32_t)data[5] << 8 | (uint32_t)data[6] << 16 |
			      (uint32_t)data[7] << 24);
	char *buf = fuzz_memdup(data + 8, size - 8);
	const char *p = buf, *end = buf + (size - 8);
	struct cond_fields f;
	struct http_value ir;
	char etag[COND_ETAG_MAX];
	size_t el = cond_etag(etag, mtime, fsize, data[0] & 1);
	struct cond_validators v = {etag, el, mtime, mtime + (data[1] & 1)};

	f.if_match = next_part(&p, end);
	f.if_unmodified_since = next_part(&p, end);
	f.if_none_match = next_part(&p, end);
	f.if_modified_since = next_part(&p, end);
	ir = next_part(&p, end);
	FUZZ_ASSERT(el > 2 && el < COND_ETAG_MAX && strlen(etag) == el);
	FUZZ_ASSERT(etag[0] == '"' && etag[el - 1] == '"');
	for (int strong = 0; strong < 2; strong++) {
		FUZZ_ASSERT(cond_tag_match(etag, el, etag, el, strong) == 1);
		FUZZ_ASSERT(cond_tag_match("*", 1, etag, el, strong) == 1);
	}
	int r = cond_check(&f, &v);
	FUZZ_ASSERT(r == 0 || r == 304 || r == 412);
	r = cond_if_range(ir.v, ir.n, &v);
	FUZZ_ASSERT(r == 0 || r == 1);
	FUZZ_ASSERT(cond_if_range(etag, el, &v) == 1);
	f.if_match.v = f.if_unmodified_since.v = NULL;
	f.if_none_match = (struct http_value){etag, el};
	FUZZ_ASSERT(cond_check(&f, &v) == 304);
	free(buf);
	return 0;
}
