/* cond: conditional requests (RFC 9110 section 13) and our validators.
 *
 * A file's ETag is strong, "<hex mtime>-<hex size>", and "<...>-gz" for the
 * .gz twin served in its place: a different representation, so a different
 * validator (8.8.3), even when both files share mtime and size. It changes
 * whenever the file is replaced or rewritten in a way `stat` can see, which
 * is all a static server can know without reading the content.
 * Last-Modified is the mtime, but never later than the response's Date
 * (8.8.2.1): cond_last_modified(). Every time here comes from the caller
 * (the loop's clock, which a test sets), never from the system. */
#ifndef COND_H
#define COND_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "http.h"

#define COND_ETAG_MAX 44 /* a formatted ETag, quotes and "-gz" included, plus its NUL */

/* Formats the ETag (quoted) into out[COND_ETAG_MAX]; returns its length. */
size_t cond_etag(char *out, time_t mtime, off_t size, int gz);
/* The Last-Modified time of a file with this mtime, answered at `now`. */
time_t cond_last_modified(time_t mtime, time_t now);

/* What the preconditions are judged against. */
struct cond_validators {
	const char *etag;
	size_t etag_len;
	time_t last_modified; /* from cond_last_modified() */
	time_t now;           /* the response's Date */
};

/* RFC 9110 13.2.2 steps 1 to 4 for a GET or HEAD request: If-Match (strong
 * comparison), else If-Unmodified-Since; then If-None-Match (weak
 * comparison), else If-Modified-Since. Returns 412, 304, or 0: go on (to
 * Range and If-Range). A date that does not parse is ignored. */
int cond_check(const struct http_head *req, const struct cond_validators *v);

/* Step 5, If-Range (13.1.5): 1 when Range applies. An entity-tag ("..." or
 * W/"...") applies when it is strongly equal to ours (so never a weak one);
 * anything else is an HTTP date, which applies only when it equals
 * Last-Modified and Last-Modified is strong, at least one second before
 * Date. */
int cond_if_range(const char *v, size_t n, const struct cond_validators *val);

/* Whether an entity-tag list ("*", or tags separated by commas) matches
 * etag: strong (If-Match) or weak (If-None-Match) comparison. A malformed
 * list matches nothing. */
int cond_tag_match(const char *v, size_t n, const char *etag, size_t etag_len, int strong);

#endif
