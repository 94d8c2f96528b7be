/* fuzz_cond: If-None-Match, If-Modified-Since and If-Range evaluation.
 *
 * Input: 8 bytes of mtime and size material, then header values separated by
 * NUL bytes (If-None-Match, If-Modified-Since, If-Range, Range), also built
 * into a parsed request head so the precedence functions see them.
 * Properties: results are 0 or 1; our own ETag always matches itself and
 * "*"; a head with If-None-Match equal to our ETag is always "not modified". */
#include <string.h>
#include <time.h>

#include "cond.h"
#include "fuzz.h"
#include "http.h"

static const char *next_part(const char **p, const char *end, size_t *n)
{
	const char *s = *p;
	const char *z = memchr(s, '\0', (size_t)(end - s));
	*n = z ? (size_t)(z - s) : (size_t)(end - s);
	*p = z ? z + 1 : end;
	return s;
}

/* Feeds a GET head carrying the fuzzed fields; 0 when it parsed. */
static int make_head(struct http_msg *m, const char *inm, size_t inm_n, const char *ims,
		     size_t ims_n, const char *ir, size_t ir_n)
{
	struct buffer b;
	size_t used;
	int rc = -1;
	buffer_init(&b, 64 * 1024);
	if (buffer_append_str(&b, "GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: ") ||
	    buffer_append(&b, inm, inm_n) || buffer_append_str(&b, "\r\nIf-Modified-Since: ") ||
	    buffer_append(&b, ims, ims_n) || buffer_append_str(&b, "\r\nIf-Range: ") ||
	    buffer_append(&b, ir, ir_n) || buffer_append_str(&b, "\r\nRange: bytes=0-\r\n\r\n"))
		goto out;
	if (http_msg_feed(m, b.data, b.len, &used) == HTTP_HEAD_DONE)
		rc = 0;
out:
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
	size_t inm_n, ims_n, ir_n;
	const char *inm = next_part(&p, end, &inm_n);
	const char *ims = next_part(&p, end, &ims_n);
	const char *ir = next_part(&p, end, &ir_n);

	char etag[COND_ETAG_MAX];
	size_t el = cond_etag(etag, mtime, fsize);
	FUZZ_ASSERT(el > 2 && el < COND_ETAG_MAX && strlen(etag) == el);
	FUZZ_ASSERT(etag[0] == '"' && etag[el - 1] == '"');
	FUZZ_ASSERT(cond_none_match(etag, el, etag, el) == 1);
	FUZZ_ASSERT(cond_none_match("*", 1, etag, el) == 1);

	int r = cond_none_match(inm, inm_n, etag, el);
	FUZZ_ASSERT(r == 0 || r == 1);
	r = cond_unmodified_since(ims, ims_n, mtime);
	FUZZ_ASSERT(r == 0 || r == 1);

	struct http_msg m;
	http_msg_init(&m, HTTP_REQUEST);
	if (make_head(&m, inm, inm_n, ims, ims_n, ir, ir_n) == 0) {
		r = cond_not_modified(&m.head, etag, el, mtime);
		FUZZ_ASSERT(r == 0 || r == 1);
		r = cond_if_range(&m.head, etag, el, mtime);
		FUZZ_ASSERT(r == 0 || r == 1);
	}
	http_msg_free(&m);

	/* Our own ETag in If-None-Match always means 304, whatever the date says. */
	struct http_msg m2;
	http_msg_init(&m2, HTTP_REQUEST);
	/* (Only when the fuzzed date cannot end the line, add fields or end the
	 * head before ours: a CR or LF in it would.) */
	int one_line = memchr(ims, '\r', ims_n) == NULL && memchr(ims, '\n', ims_n) == NULL;
	if (one_line && make_head(&m2, etag, el, ims, ims_n, etag, el) == 0) {
		FUZZ_ASSERT(cond_not_modified(&m2.head, etag, el, mtime) == 1);
		FUZZ_ASSERT(cond_if_range(&m2.head, etag, el, mtime) == 1);
	}
	http_msg_free(&m2);
	free(buf);
	return 0;
}
