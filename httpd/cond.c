/* cond: validators and preconditions for GET and HEAD. */
#include "cond.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

size_t cond_etag(char *out, time_t mtime, off_t size, int gz)
{
	int n = snprintf(out, COND_ETAG_MAX, "\"%llx-%llx%s\"", (unsigned long long)mtime,
			 (unsigned long long)size, gz ? "-gz" : "");

	if (n < 0 || n >= COND_ETAG_MAX) {
		/* Cannot happen with two 64-bit numbers; stay well-formed anyway. */
		memcpy(out, "\"0\"", 4);
		return 3;
	}
	return (size_t)n;
}

time_t cond_last_modified(time_t mtime, time_t now)
{
	return mtime < now ? mtime : now;
}

static void cond_skip_sep(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == ','))
		(*p)++;
}

int cond_tag_match(const char *v, size_t n, const char *etag, size_t etag_len, int strong)
{
	const char *p = v, *end = v + n;

	while (p < end) {
		const char *close;
		int weak = 0;

		cond_skip_sep(&p, end);
		if (p >= end)
			break;
		if (*p == '*')
			return 1;
		if (end - p >= 2 && p[0] == 'W' && p[1] == '/') {
			weak = 1;
			p += 2;
		}
		if (p >= end || *p != '"')
			return 0; /* malformed: stop, no match */
		close = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (close == NULL)
			return 0;
		/* Our own tag is strong: only the other side's can be weak. */
		if (!(strong && weak) && (size_t)(close + 1 - p) == etag_len &&
		    memcmp(p, etag, etag_len) == 0)
			return 1;
		p = close + 1;
	}
	return 0;
}

/* A date field: -1 when it does not parse (then it is ignored), else
 * whether the representation was modified after it. */
static int cond_modified_after(const struct http_value *f, const struct cond_validators *v)
{
	time_t when;

	if (date_parse_at(f->v, f->n, v->now, &when) != 0)
		return -1;
	return v->last_modified > when;
}

int cond_check(const struct http_head *req, const struct cond_validators *v)
{
	struct http_value im = http_field(req, HF_IF_MATCH);
	struct http_value ius = http_field(req, HF_IF_UNMODIFIED_SINCE);
	struct http_value inm = http_field(req, HF_IF_NONE_MATCH);
	struct http_value ims = http_field(req, HF_IF_MODIFIED_SINCE);

	if (im.v != NULL) {
		if (!cond_tag_match(im.v, im.n, v->etag, v->etag_len, 1))
			return 412;
	} else if (ius.v != NULL && cond_modified_after(&ius, v) == 1) {
		return 412;
	}
	if (inm.v != NULL)
		return cond_tag_match(inm.v, inm.n, v->etag, v->etag_len, 0) ? 304 : 0;
	if (ims.v != NULL && cond_modified_after(&ims, v) == 0)
		return 304;
	return 0;
}

int cond_if_range(const char *v, size_t n, const struct cond_validators *val)
{
	time_t when;

	if (n > 0 && v[0] == '"')
		return n == val->etag_len && memcmp(v, val->etag, n) == 0;
	if (n >= 2 && v[0] == 'W' && v[1] == '/')
		return 0; /* a weak tag: never strongly equal */
	if (date_parse_at(v, n, val->now, &when) != 0)
		return 0;
	return when == val->last_modified && val->last_modified < val->now;
}
