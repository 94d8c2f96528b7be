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
#include "tunables.h"


/* Appends the page for the open directory dirfd (left open) whose URL path
 * is `path` (decoded, normalised, ending in '/'). Entries whose names start
 * with '.' are left out unless show_dot. Returns 0, or -1 with errno
 * (ENOBUFS when out's limit was reached, else from the directory). */
int listing_render(struct buffer *out, int dirfd, const char *path, size_t path_len,
		   int show_dot);

/* Appends s HTML-escaped (& < > " '). 0 or -1. */
int listing_html_escape(struct buffer *out, const char *s, size_t n);

#endif
