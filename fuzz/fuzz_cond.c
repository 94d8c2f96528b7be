/* fuzz_cond: entity-tag lists, the RFC 9110 13.2.2 preconditions, If-Range.
 *
 * Input: 8 bytes of mtime and size material, then field values separated by
 * NUL bytes (If-Match, If-Unmodified-Since, If-None-Match,
 * If-Modified-Since, If-Range), the first four in a request head parsed by
 * lib/http (skipped when they do not make one).
 * Properties: cond_check answers 0, 304 or 412; our own ETag always matches
 * itself and "*" (weakly and strongly); with If-None-Match our ETag and no
 * If-Match or If-Unmodified-Since, the answer is 304 whatever the date says;
 * If-Range with our ETag always applies. */
#include <string.h>
#include <time.h>

#include "buffer.h"
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

/* A GET head with the precondition fields (v NULL: left out); 0 when it parsed. */
static int make_head(struct http_msg *m, const struct http_value *f)
{
	static const char *const names[] = {"If-Match", "If-Unmodified-Since", "If-None-Match",
					    "If-Modified-Since"};
	struct buffer b;
	size_t used;
	int rc = 0;

	buffer_init(&b, 64 * 1024);
	rc |= buffer_append_str(&b, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 4; i++)
		if (f[i].v != NULL)
			rc |= buffer_append_str(&b, names[i]) | buffer_append_str(&b, ": ") |
			      buffer_append(&b, f[i].v, f[i].n) | buffer_append_str(&b, "\r\n");
	rc |= buffer_append_str(&b, "\r\n");
	if (rc == 0 && http_msg_feed(m, b.data, b.len, &used) != HTTP_HEAD_DONE)
		rc = -1;
	buffer_free(&b);
	return rc;
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
	struct http_value f[4], ir;
	struct http_msg m;
	char etag[COND_ETAG_MAX];
	size_t el = cond_etag(etag, mtime, fsize, data[0] & 1);
	struct cond_validators v = {etag, el, mtime, mtime + (data[1] & 1)};

	for (int i = 0; i < 4; i++)
		f[i] = next_part(&p, end);
	ir = next_part(&p, end);
	FUZZ_ASSERT(el > 2 && el < COND_ETAG_MAX && strlen(etag) == el);
	FUZZ_ASSERT(etag[0] == '"' && etag[el - 1] == '"');
	for (int strong = 0; strong < 2; strong++) {
		FUZZ_ASSERT(cond_tag_match(etag, el, etag, el, strong) == 1);
		FUZZ_ASSERT(cond_tag_match("*", 1, etag, el, strong) == 1);
	}
	int r = cond_if_range(ir.v, ir.n, &v);
	FUZZ_ASSERT(r == 0 || r == 1);
	FUZZ_ASSERT(cond_if_range(etag, el, &v) == 1);
	http_msg_init(&m, HTTP_REQUEST);
	if (make_head(&m, f) == 0) {
		r = cond_check(&m.head, &v);
		FUZZ_ASSERT(r == 0 || r == 304 || r == 412);
	}
	http_msg_free(&m);
	/* Our ETag in If-None-Match, no If-Match or If-Unmodified-Since: 304
	 * (when the fuzzed date cannot end its line and add fields of its own). */
	f[0].v = f[1].v = NULL;
	f[2] = (struct http_value){etag, el};
	int one_line = memchr(f[3].v, '\r', f[3].n) == NULL && memchr(f[3].v, '\n', f[3].n) == NULL;
	http_msg_init(&m, HTTP_REQUEST);
	if (one_line && make_head(&m, f) == 0)
		FUZZ_ASSERT(cond_check(&m.head, &v) == 304);
	http_msg_free(&m);
	free(buf);
	return 0;
}
