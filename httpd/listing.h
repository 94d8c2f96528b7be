/* listing: the page for a directory without an index file, HTML or JSON.
 *
 * HTML: names are HTML-escaped where shown and percent-encoded in links (so a
 * file called `<b>&"x".html` or `a:b` can neither inject markup nor become a
 * URL scheme); a parent link except at the root; sizes readable by a person
 * (the exact count in a title), times in UTC; UTF-8 declared. The column
 * heads link to the page sorted by that column (`?sort=name|size|time`,
 * `&order=asc|desc`; a second click reverses).
 * JSON (nginx's autoindex_format json): an array of {"name", "type":
 * "directory"|"file", "mtime" (IMF-fixdate), "size" (files)}; control bytes,
 * '"' and '\' escaped, bytes that are not UTF-8 become U+FFFD.
 * Either way directories come first, then files, each group sorted by the
 * chosen key (ties by name), and at most LISTING_ENTRIES_MAX entries. */
#ifndef LISTING_H
#define LISTING_H

#include <stddef.h>

#include "buffer.h"
#include "path.h"
#include "tunables.h"


enum listing_sort { LISTING_BY_NAME, LISTING_BY_SIZE, LISTING_BY_TIME };

/* How one page is shown. */
struct listing_view {
	int show_dot;            /* list names starting with '.' */
	enum listing_sort sort;
	int desc;                /* descending */
	int json;                /* application/json instead of HTML */
};

/* Sets v->sort and v->desc from `sort=` and `order=` in a query string
 * ("?..." or empty); other parameters and unknown values are ignored. */
void listing_view_query(struct listing_view *v, const char *query, size_t n);

/* The directory to list. */
struct listing_dir {
	const struct path_root *root; /* entries are resolved beneath it, as requests are */
	int fd;                       /* the directory, open (left open) */
	const char *path;             /* its URL path: decoded, normalised, ending in '/' */
	size_t path_len;
};

/* Appends the page for d as v says. An entry that does not resolve beneath
 * the root (a link leaving it, a dangling one) is listed by name alone: no
 * size or time in HTML, {"name", "type": "other"} in JSON; it sorts as size
 * 0 and time 0. Returns 0, or -1 with errno (ENOBUFS when out's limit was
 * reached, else from the directory). */
int listing_render(struct buffer *out, const struct listing_dir *d, const struct listing_view *v);

/* Appends s HTML-escaped (& < > " '). 0 or -1. */
int listing_html_escape(struct buffer *out, const char *s, size_t n);

#endif
