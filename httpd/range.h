/* range: the Range request header (RFC 9110 section 14.2), one range only.
 *
 * Our documented decision: a request for several ranges gets the whole
 * representation (200), which RFC 9110 allows (a server MAY ignore Range);
 * browsers and download tools only ever ask for one. A malformed Range is
 * ignored the same way, as the RFC requires. */
#ifndef RANGE_H
#define RANGE_H

#include <stddef.h>
#include <sys/types.h>

enum range_result {
	RANGE_FULL = 0,      /* ignore the header: serve 200 */
	RANGE_PARTIAL,       /* 206: *off and *len name the bytes */
	RANGE_UNSATISFIABLE  /* 416 with Content-Range: bytes * /SIZE */
};

/* v: the header value (n bytes, need not be NUL-terminated); size: the
 * representation's length. "bytes=a-b", "bytes=a-" and "bytes=-n". */
enum range_result range_parse(const char *v, size_t n, off_t size, off_t *off, off_t *len);

#endif
