/* cond: conditional requests (RFC 9110 section 13) and our validators.
 *
 * A file's ETag is strong, "<hex mtime>-<hex size>": it changes whenever the
 * file is replaced or rewritten in a way `stat` can see, which is all a
 * static server can know without reading the content. */
#ifndef COND_H
#define COND_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "http.h"

#define COND_ETAG_MAX 40 /* a formatted ETag, quotes included, plus its NUL */

/* Formats the ETag (quoted) into out[COND_ETAG_MAX]; returns its length. */
size_t cond_etag(char *out, time_t mtime, off_t size);

/* If-None-Match: 1 when the list (or "*") matches etag by weak comparison. */
int cond_none_match(const char *v, size_t n, const char *etag, size_t etag_len);
/* If-Modified-Since: 1 when the file was not modified after the given date;
 * 0 too for a date that does not parse (the header is then ignored). */
int cond_unmodified_since(const char *v, size_t n, time_t mtime);
/* The precedence for GET and HEAD: If-None-Match, when present, decides
 * alone; otherwise If-Modified-Since. 1 means answer 304. */
int cond_not_modified(const struct http_head *h, const char *etag, size_t etag_len,
		      time_t mtime);
/* The same from the two field values already looked up (NULL: absent). */
int cond_not_modified_by(const char *inm, size_t inm_len, const char *ims, size_t ims_len,
			 const char *etag, size_t etag_len, time_t mtime);
/* If-Range: 1 when the Range header applies (no If-Range, or a strong ETag
 * equal to ours, or a date equal to our Last-Modified); 0: send it all. */
int cond_if_range(const struct http_head *h, const char *etag, size_t etag_len, time_t mtime);

#endif
