/* range: one byte range out of a Range header value. */
#include "range.h"

#include <stdint.h>
#include <strings.h>

/* Largest value a position may take: positions past it are past any file. */
#define RANGE_POS_MAX ((uint64_t)INT64_MAX)

/* Reads decimal digits at *p (saturating at RANGE_POS_MAX, because a
 * first-byte-pos past the end must still be a well-formed 416). Returns the
 * number of digits read. */
static size_t range_digits(const char **p, const char *end, uint64_t *out)
{
	size_t count = 0;
	uint64_t v = 0;

	while (*p < end && **p >= '0' && **p <= '9') {
		uint64_t d = (uint64_t)(**p - '0');

		v = v > (RANGE_POS_MAX - d) / 10 ? RANGE_POS_MAX : v * 10 + d;
		(*p)++;
		count++;
	}
	*out = v;
	return count;
}

static void range_skip_ows(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

enum range_result range_parse(const char *v, size_t n, off_t size, off_t *off, off_t *len)
{
	const char *p = v, *end = v + n;
	uint64_t first = 0, last = 0, fsize = size > 0 ? (uint64_t)size : 0;
	size_t nfirst, nlast;

	/* No whitespace around the value: lib/http stores it trimmed. */
	if ((size_t)(end - p) < 6 || strncasecmp(p, "bytes=", 6) != 0)
		return RANGE_FULL;
	p += 6;
	range_skip_ows(&p, end);
	nfirst = range_digits(&p, end, &first);
	if (p >= end || *p != '-')
		return RANGE_FULL;
	p++;
	nlast = range_digits(&p, end, &last);
	if (p != end)
		return RANGE_FULL; /* several ranges (a comma) or garbage */
	if (nfirst == 0) {
		if (nlast == 0)
			return RANGE_FULL; /* "bytes=-" */
		/* Suffix: the last `last` bytes; none of nothing is unsatisfiable. */
		if (last == 0 || fsize == 0)
			return RANGE_UNSATISFIABLE;
		if (last > fsize)
			last = fsize;
		*off = (off_t)(fsize - last);
		*len = (off_t)last;
		return RANGE_PARTIAL;
	}
	if (nlast > 0 && last < first)
		return RANGE_FULL; /* invalid range-spec: ignore the header */
	if (first >= fsize)
		return RANGE_UNSATISFIABLE;
	if (nlast == 0 || last >= fsize)
		last = fsize - 1;
	*off = (off_t)first;
	*len = (off_t)(last - first + 1);
	return RANGE_PARTIAL;
}
