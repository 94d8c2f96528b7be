/* listing: the HTML page for a directory without an index file.
 *
 * Names are HTML-escaped where shown and percent-encoded in links (so a file
 * called `<b>&"x".html` or `a:b` can neither inject markup nor become a URL
 * scheme); directories come first, then files, each group by name; a parent
 * link except at the root; sizes in bytes, times in UTC; UTF-8 declared. */
#ifndef LISTING_H
#define LISTING_H

#include <stddef.h>

#include "buffer.h"
#include "path.h"
#include "tunables.h"


/* The directory to list. */
struct listing_dir {
	const struct path_root *root; /* entries are resolved beneath it, as requests are */
	int fd;                       /* the directory, open (left open) */
	const char *path;             /* its URL path: decoded, normalised, ending in '/' */
	size_t path_len;
};

/* Appends the page for d. Entries whose names start with '.' are left out
 * unless show_dot. An entry that does not resolve beneath the root (a link
 * leaving it, a dangling one) is listed by name alone, no size or time.
 * Returns 0, or -1 with errno (ENOBUFS when out's limit was reached, else
 * from the directory). */
int listing_render(struct buffer *out, const struct listing_dir *d, int show_dot);

/* Appends s HTML-escaped (& < > " '). 0 or -1. */
int listing_html_escape(struct buffer *out, const char *s, size_t n);

#endif
