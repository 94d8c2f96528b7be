/* cond: validators and preconditions for GET and HEAD. */
#include "cond.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

size_t cond_etag(char *out, time_t mtime, off_t size)
{
	int n = snprintf(out, COND_ETAG_MAX, "\"%llx-%llx\"", (unsigned long long)mtime,
			 (unsigned long long)size);

	if (n < 0 || n >= COND_ETAG_MAX) {
		/* Cannot happen with two 64-bit numbers; stay well-formed anyway. */
		memcpy(out, "\"0\"", 4);
		return 3;
	}
	return (size_t)n;
}

static void cond_skip_sep(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == ','))
		(*p)++;
}

int cond_none_match(const char *v, size_t n, const char *etag, size_t etag_len)
{
	const char *p = v, *end = v + n;

	/* Our own tag is strong, but compare opaque-tags only, as weak comparison asks. */
	while (p < end) {
		const char *close;

		cond_skip_sep(&p, end);
		if (p >= end)
			break;
		if (*p == '*')
			return 1;
		if (end - p >= 2 && p[0] == 'W' && p[1] == '/')
			p += 2;
		if (p >= end || *p != '"')
			return 0; /* malformed: stop, no match */
		close = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (close == NULL)
			return 0;
		if ((size_t)(close + 1 - p) == etag_len && memcmp(p, etag, etag_len) == 0)
			return 1;
		p = close + 1;
	}
	return 0;
}

int cond_unmodified_since(const char *v, size_t n, time_t mtime)
{
	time_t since;

	if (date_parse(v, n, &since) != 0)
		return 0;
	return mtime <= since;
}

int cond_not_modified_by(const char *inm, size_t inm_len, const char *ims, size_t ims_len,
			 const char *etag, size_t etag_len, time_t mtime)
{
	if (inm != NULL)
		return cond_none_match(inm, inm_len, etag, etag_len);
	if (ims != NULL)
		return cond_unmodified_since(ims, ims_len, mtime);
	return 0;
}

int cond_not_modified(const struct http_head *h, const char *etag, size_t etag_len,
		      time_t mtime)
{
	size_t inm_len = 0, ims_len = 0;
	const char *inm = http_header(h, "If-None-Match", &inm_len);
	const char *ims = inm ? NULL : http_header(h, "If-Modified-Since", &ims_len);

	return cond_not_modified_by(inm, inm_len, ims, ims_len, etag, etag_len, mtime);
}

int cond_if_range(const struct http_head *h, const char *etag, size_t etag_len, time_t mtime)
{
	size_t n;
	const char *v = http_header(h, "If-Range", &n);
	time_t when;

	if (v == NULL)
		return 1;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n > 0 && (v[0] == '"' || v[0] == 'W'))
		return n == etag_len && memcmp(v, etag, n) == 0; /* strong: W/ never equals */
	if (date_parse(v, n, &when) != 0)
		return 0;
	return when == mtime;
}
