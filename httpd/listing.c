/* listing: directory pages. Not a hot path: it allocates freely, but bounded. */
#include "listing.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static int listing_cmp(const void *a, const void *b)
{
	const struct listing_entry *x = a, *y = b;

	if (x->dir != y->dir)
		return y->dir - x->dir;
	return strcmp(x->name, y->name);
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
	if (!e->dir && !e->bare && buffer_printf(out, "<td>%lld</td>", (long long)e->size) != 0)
		return -1;
	return buffer_printf(out, "<td>%s</td></tr>\n", when);
}

static int listing_page(struct buffer *out, const struct listing_set *set, const char *path,
			size_t path_len)
{
	if (buffer_append_str(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
				   "<title>Index of ") != 0 ||
	    listing_html_escape(out, path, path_len) != 0 ||
	    buffer_append_str(out, "</title></head>\n<body><h1>Index of ") != 0 ||
	    listing_html_escape(out, path, path_len) != 0 ||
	    buffer_append_str(out, "</h1>\n<table>\n<tr><th>Name</th><th>Size</th>"
				   "<th>Modified (UTC)</th></tr>\n") != 0)
		return -1;
	if (!(path_len == 1 && path[0] == '/') &&
	    buffer_append_str(out, "<tr><td><a href=\"../\">../</a></td><td>-</td><td></td></tr>\n") != 0)
		return -1;
	for (size_t i = 0; i < set->n; i++)
		if (listing_row(out, &set->e[i]) != 0)
			return -1;
	return buffer_append_str(out, "</table>\n</body></html>\n");
}

int listing_render(struct buffer *out, const struct listing_dir *d, int show_dot)
{
	struct listing_set set = {0};
	size_t mark = out->len;
	int saved;

	if (listing_read(d, show_dot, &set) != 0)
		goto fail;
	if (set.n > 1) /* an empty directory has no array: qsort(NULL, 0) is undefined */
		qsort(set.e, set.n, sizeof(*set.e), listing_cmp);
	if (listing_page(out, &set, d->path, d->path_len) != 0)
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
