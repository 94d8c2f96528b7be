/* listing: directory pages. Not a hot path: it allocates freely, but bounded. */
#include "listing.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "url.h"

struct listing_entry {
	char *name;
	int dir;
	int bare;  /* listed by name alone: nothing known about it may show */
	off_t size;
	time_t mtime;
};

struct listing_set {
	struct listing_entry *e;
	size_t n, cap;
};

int listing_html_escape(struct buffer *out, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (buffer_append(out, s + start, i - start) != 0 || buffer_append_str(out, rep) != 0)
			return -1;
		start = i + 1;
	}
	return buffer_append(out, s + start, n - start);
}

static void listing_set_free(struct listing_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->e[i].name);
	free(set->e);
}

/* st NULL: a bare entry. */
static int listing_add(struct listing_set *set, const char *name, const struct stat *st)
{
	struct listing_entry *e;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;

		e = realloc(set->e, cap * sizeof(*e));
		if (e == NULL)
			return -1;
		set->e = e;
		set->cap = cap;
	}
	e = &set->e[set->n];
	e->name = strdup(name);
	if (e->name == NULL)
		return -1;
	e->bare = st == NULL;
	e->dir = st != NULL && S_ISDIR(st->st_mode);
	e->size = st ? st->st_size : 0;
	e->mtime = st ? st->st_mtime : 0;
	set->n++;
	return 0;
}

/* An entry resolved as a request for it would be: beneath the root
 * (path_open), symlinks followed only while they stay inside. */
static int listing_stat(const struct listing_dir *d, const char *name, struct stat *st)
{
	char full[PATH_MAX];
	size_t n = strlen(name);
	int fd, r;

	if (d->path_len + n >= sizeof(full))
		return -1;
	memcpy(full, d->path, d->path_len);
	memcpy(full + d->path_len, name, n + 1);
	fd = path_open(d->root, full, O_PATH);
	if (fd < 0)
		return -1;
	r = fstat(fd, st);
	close(fd);
	return r;
}

/* Reads the directory through a descriptor of its own: fdopendir takes
 * ownership of the fd it is given, and the caller keeps d->fd. */
static int listing_read(const struct listing_dir *d, int show_dot, struct listing_set *set)
{
	int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;
	struct dirent *de;

	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return -1;
	}
	while (set->n < LISTING_ENTRIES_MAX && (de = readdir(dir)) != NULL) {
		struct stat st, *known = &st;

		if (de->d_name[0] == '.' && (!show_dot || de->d_name[1] == '\0' ||
					     (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		/* A link that does not resolve beneath the root (it leaves it, or
		 * dangles) is listed by its name alone: its target's size, time or
		 * existence must not show. A linked directory inside lists as one. */
		if (listing_stat(d, de->d_name, &st) != 0) {
			if (fstatat(d->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
			    !S_ISLNK(st.st_mode))
				continue;
			known = NULL;
		} else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
			continue;
		}
		if (listing_add(set, de->d_name, known) != 0) {
			closedir(dir);
			return -1;
		}
	}
	closedir(dir);
	return 0;
}

/* Directories first; then the view's key, ties by name. */
static int listing_cmp(const void *a, const void *b, void *arg)
{
	const struct listing_entry *x = a, *y = b;
	const struct listing_view *v = arg;
	int c = 0;

	if (x->dir != y->dir)
		return y->dir - x->dir;
	if (v->sort == LISTING_BY_SIZE)
		c = (x->size > y->size) - (x->size < y->size);
	else if (v->sort == LISTING_BY_TIME)
		c = (x->mtime > y->mtime) - (x->mtime < y->mtime);
	if (c == 0)
		c = strcmp(x->name, y->name);
	return v->desc ? -c : c;
}

/* name=value in query, exactly; 1 if found. */
static int listing_param(const char *q, size_t n, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);

	for (size_t i = 0; i < n;) {
		size_t end = i;
		while (end < n && q[end] != '&' && q[end] != ';')
			end++;
		if (end - i == nl + 1 + vl && memcmp(q + i, name, nl) == 0 && q[i + nl] == '=' &&
		    memcmp(q + i + nl + 1, value, vl) == 0)
			return 1;
		i = end + 1;
	}
	return 0;
}

void listing_view_query(struct listing_view *v, const char *query, size_t n)
{
	if (n > 0 && query[0] == '?') {
		query++;
		n--;
	}
	if (listing_param(query, n, "sort", "size"))
		v->sort = LISTING_BY_SIZE;
	else if (listing_param(query, n, "sort", "time"))
		v->sort = LISTING_BY_TIME;
	else if (listing_param(query, n, "sort", "name"))
		v->sort = LISTING_BY_NAME;
	if (listing_param(query, n, "order", "desc"))
		v->desc = 1;
	else if (listing_param(query, n, "order", "asc"))
		v->desc = 0;
}

/* "999 B", "1.5 KiB", "12 MiB": three significant digits at most. */
static int listing_size(struct buffer *out, off_t size)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)size;
	size_t u = 0;

	if (size < 1024)
		return buffer_printf(out, "%lld B", (long long)size);
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	return buffer_printf(out, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static int listing_row(struct buffer *out, const struct listing_entry *e)
{
	char when[32];
	struct tm tm;
	size_t nlen = strlen(e->name);

	if (e->bare || gmtime_r(&e->mtime, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) == 0)
		when[0] = '\0';
	if (buffer_append_str(out, "<tr><td><a href=\"") != 0 ||
	    url_encode(out, e->name, nlen, "") != 0 ||
	    buffer_append_str(out, e->dir ? "/\">" : "\">") != 0 ||
	    listing_html_escape(out, e->name, nlen) != 0 ||
	    buffer_append_str(out, e->dir ? "/</a></td><td>-</td>" : "</a></td>") != 0)
		return -1;
	if (e->bare && buffer_append_str(out, "<td></td>") != 0)
		return -1;
	if (!e->dir && !e->bare &&
	    (buffer_printf(out, "<td title=\"%lld bytes\">", (long long)e->size) != 0 ||
	     listing_size(out, e->size) != 0 || buffer_append_str(out, "</td>") != 0))
		return -1;
	return buffer_printf(out, "<td>%s</td></tr>\n", when);
}

/* A column head: a link to the page sorted by it, reversed when it is the
 * current key; the current key wears an arrow. */
static int listing_head(struct buffer *out, const struct listing_view *v, enum listing_sort key,
			const char *param, const char *label)
{
	int current = v->sort == key;
	/* First click: names ascending, sizes and times largest/newest first. */
	int desc = current ? !v->desc : key != LISTING_BY_NAME;

	return buffer_printf(out, "<th><a href=\"?sort=%s&amp;order=%s\">%s</a>%s</th>", param,
			     desc ? "desc" : "asc", label,
			     !current ? "" : v->desc ? " \xe2\x96\xbc" : " \xe2\x96\xb2");
}

static int listing_page(struct buffer *out, const struct listing_set *set, const char *path,
			size_t path_len, const struct listing_view *v)
{
	if (buffer_append_str(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
				   "<title>Index of ") != 0 ||
	    listing_html_escape(out, path, path_len) != 0 ||
	    buffer_append_str(out, "</title></head>\n<body><h1>Index of ") != 0 ||
	    listing_html_escape(out, path, path_len) != 0 ||
	    buffer_append_str(out, "</h1>\n<table>\n<tr>") != 0 ||
	    listing_head(out, v, LISTING_BY_NAME, "name", "Name") != 0 ||
	    listing_head(out, v, LISTING_BY_SIZE, "size", "Size") != 0 ||
	    listing_head(out, v, LISTING_BY_TIME, "time", "Modified (UTC)") != 0 ||
	    buffer_append_str(out, "</tr>\n") != 0)
		return -1;
	if (!(path_len == 1 && path[0] == '/') &&
	    buffer_append_str(out, "<tr><td><a href=\"../\">../</a></td><td>-</td><td></td></tr>\n") != 0)
		return -1;
	for (size_t i = 0; i < set->n; i++)
		if (listing_row(out, &set->e[i]) != 0)
			return -1;
	return buffer_append_str(out, "</table>\n</body></html>\n");
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static size_t listing_utf8(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* s as the inside of a JSON string. */
static int listing_json_escape(struct buffer *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len = 1;
		int rc;

		if (u[i] == '"' || u[i] == '\\')
			rc = buffer_printf(out, "\\%c", u[i]);
		else if (u[i] < 0x20 || u[i] == 0x7f)
			rc = buffer_printf(out, "\\u%04x", u[i]);
		else if (u[i] < 0x80)
			rc = buffer_append(out, s + i, 1);
		else if ((len = listing_utf8(u + i, n - i)) > 0)
			rc = buffer_append(out, s + i, len);
		else {
			rc = buffer_append_str(out, "\\ufffd");
			len = 1;
		}
		if (rc != 0)
			return -1;
		i += len;
	}
	return 0;
}

static int listing_json(struct buffer *out, const struct listing_set *set)
{
	if (buffer_append_str(out, "[") != 0)
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		const struct listing_entry *e = &set->e[i];
		char when[DATE_LEN + 1];

		if (buffer_append_str(out, i ? ",\n{\"name\":\"" : "\n{\"name\":\"") != 0 ||
		    listing_json_escape(out, e->name, strlen(e->name)) != 0)
			return -1;
		/* A bare entry (a link not resolving beneath the root): its name
		 * and nginx's "other", nothing about its target. */
		if (e->bare) {
			if (buffer_append_str(out, "\",\"type\":\"other\"}") != 0)
				return -1;
			continue;
		}
		date_format(e->mtime, when);
		if (buffer_printf(out, "\",\"type\":\"%s\",\"mtime\":\"%s\"",
				  e->dir ? "directory" : "file", when) != 0 ||
		    (!e->dir && buffer_printf(out, ",\"size\":%lld", (long long)e->size) != 0) ||
		    buffer_append_str(out, "}") != 0)
			return -1;
	}
	return buffer_append_str(out, "\n]\n");
}

int listing_render(struct buffer *out, const struct listing_dir *d, const struct listing_view *v)
{
	struct listing_set set = {0};
	size_t mark = out->len;
	int saved;

	if (listing_read(d, v->show_dot, &set) != 0)
		goto fail;
	if (set.n > 1) /* an empty directory has no array: qsort(NULL, 0) is undefined */
		qsort_r(set.e, set.n, sizeof(*set.e), listing_cmp, (void *)(uintptr_t)v);
	if ((v->json ? listing_json(out, &set) : listing_page(out, &set, d->path, d->path_len, v)) != 0)
		goto fail;
	listing_set_free(&set);
	return 0;
fail:
	saved = errno;
	out->len = mark; /* no half page */
	listing_set_free(&set);
	errno = saved;
	return -1;
}
