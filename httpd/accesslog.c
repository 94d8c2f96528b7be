/* accesslog: see accesslog.h. */
#include "accesslog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char accesslog_hex[] = "0123456789ABCDEF";

/* The log's folder, kept open: SIGHUP reopens the file through it, so that
 * the name means the same file after a chroot as before (never one inside
 * the served root, where it could be downloaded). */
static int accesslog_open_dir(struct accesslog *l)
{
	const char *slash = strrchr(l->path, '/');
	char dir[PATH_MAX];
	size_t n;

	if (slash == NULL) {
		l->name = l->path;
		l->dir = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		return l->dir;
	}
	n = slash == l->path ? 1 : (size_t)(slash - l->path);
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, l->path, n);
	dir[n] = '\0';
	l->name = slash + 1;
	l->dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return l->dir;
}

int accesslog_open(struct accesslog *l, const char *path, char *err, size_t errlen)
{
	memset(l, 0, sizeof *l);
	l->fd = -1;
	l->dir = -1;
	l->stamp_at = (time_t)-1;
	if (!path)
		return 0;
	if (strcmp(path, "-") == 0) {
		l->fd = STDERR_FILENO;
	} else {
		l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (l->fd < 0) {
			snprintf(err, errlen, "cannot open log '%s': %s", path, strerror(errno));
			return -1;
		}
		l->owned = 1;
		l->path = path;
		if (accesslog_open_dir(l) < 0) {
			snprintf(err, errlen, "cannot open the folder of log '%s': %s", path,
				 strerror(errno));
			accesslog_close(l);
			return -1;
		}
	}
	struct stat st;
	l->pipe = fstat(l->fd, &st) == 0 && S_ISFIFO(st.st_mode);
	l->buf = malloc(ACCESSLOG_BUF);
	if (!l->buf) {
		snprintf(err, errlen, "out of memory");
		accesslog_close(l);
		return -1;
	}
	return 0;
}

int accesslog_reopen(struct accesslog *l)
{
	if (!l->owned || !l->path)
		return 0;
	accesslog_flush(l);
	int fd = openat(l->dir, l->name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(l->fd);
	l->fd = fd;
	return 0;
}

/* How much of the n bytes at p to write at once: all, or for a pipe the
 * whole lines that fit in PIPE_BUF (lines are shorter than that). */
static size_t accesslog_piece(const struct accesslog *l, const char *p, size_t n)
{
	if (!l->pipe || n <= PIPE_BUF)
		return n;
	for (size_t i = PIPE_BUF; i > 0; i--)
		if (p[i - 1] == '\n')
			return i;
	return PIPE_BUF;
}

void accesslog_flush(struct accesslog *l)
{
	size_t off = 0;

	while (off < l->len) {
		size_t n = accesslog_piece(l, l->buf + off, l->len - off);
		ssize_t w = write(l->fd, l->buf + off, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	l->len = 0;
}

void accesslog_close(struct accesslog *l)
{
	if (l->fd >= 0 && l->buf)
		accesslog_flush(l);
	if (l->owned && l->fd >= 0)
		close(l->fd);
	if (l->owned && l->dir >= 0)
		close(l->dir);
	free(l->buf);
	l->buf = NULL;
	l->fd = -1;
	l->dir = -1;
	l->owned = 0;
}

void accesslog_stamp(time_t t, char *out)
{
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		snprintf(out, ACCESSLOG_STAMP_LEN + 1, "[-]");
		return;
	}
	long off = tm.tm_gmtoff / 60;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	int n = snprintf(out, ACCESSLOG_STAMP_LEN + 1, "[%02d/%s/%04d:%02d:%02d:%02d %c%02ld%02ld]",
			 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, sign, off / 60 % 100, off % 60);
	if (n < 0 || n > ACCESSLOG_STAMP_LEN)
		snprintf(out, ACCESSLOG_STAMP_LEN + 1, "[-]");
}

/* Bytes a log reader could mistake for structure, or that a terminal would act on. */
static int accesslog_unsafe(unsigned char c)
{
	return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
}

size_t accesslog_escape(char *out, size_t cap, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!accesslog_unsafe(c)) {
			if (o + 1 > cap)
				break;
			out[o++] = (char)c;
			continue;
		}
		if (o + 4 > cap)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = accesslog_hex[c >> 4];
		out[o++] = accesslog_hex[c & 15];
	}
	return o;
}

/* A bounded writer: once full, further pieces are dropped (the caller cut fields
 * short enough that a line only fills up on absurd input). */
struct accesslog_w {
	char *p;
	size_t len, cap;
};

static void w_raw(struct accesslog_w *w, const char *s, size_t n)
{
	if (n > w->cap - w->len)
		n = w->cap - w->len;
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void w_str(struct accesslog_w *w, const char *s)
{
	w_raw(w, s, strlen(s));
}

/* A client field in quotes, escaped and cut to ACCESSLOG_FIELD_MAX; "-" when absent. */
static void w_quoted(struct accesslog_w *w, const char *s, size_t n)
{
	w_raw(w, "\"", 1);
	if (!s) {
		w_raw(w, "-", 1);
	} else {
		size_t room = w->cap - w->len;
		if (room > ACCESSLOG_FIELD_MAX)
			room = ACCESSLOG_FIELD_MAX;
		w->len += accesslog_escape(w->p + w->len, room, s, n);
	}
	w_raw(w, "\"", 1);
}

static void w_num(struct accesslog_w *w, long long v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", v);
	if (n > 0 && (size_t)n < sizeof num)
		w_raw(w, num, (size_t)n);
}

/* "METHOD target HTTP/x.y", escaped as one field. */
static void w_request(struct accesslog_w *w, const struct accesslog_entry *e)
{
	if (!e->method) {
		w_quoted(w, e->line, e->line_len);
		return;
	}
	char ver[16];
	int vn = snprintf(ver, sizeof ver, " HTTP/%d.%d", e->major % 10, e->minor % 10);
	size_t room = w->cap - w->len;
	if (room > ACCESSLOG_FIELD_MAX)
		room = ACCESSLOG_FIELD_MAX;
	if (vn < 0 || (size_t)vn >= sizeof ver)
		vn = 0;
	w_raw(w, "\"", 1);
	size_t start = w->len;
	w->len += accesslog_escape(w->p + w->len, room, e->method, strlen(e->method));
	w_raw(w, " ", 1);
	size_t used = w->len - start;
	size_t left = room > used + (size_t)vn ? room - used - (size_t)vn : 0;
	w->len += accesslog_escape(w->p + w->len, left, e->target ? e->target : "",
				   e->target ? e->target_len : 0);
	w_raw(w, ver, (size_t)vn);
	w_raw(w, "\"", 1);
}

size_t accesslog_format(char *out, size_t cap, const struct accesslog_entry *e,
			const char *stamp)
{
	if (cap < 2)
		return 0;
	/* Two bytes kept back: the '\n' that always ends the line, and room for
	 * a NUL so that the length stays below cap. */
	struct accesslog_w w = {out, 0, cap - 2};

	w_str(&w, e->host && e->host[0] ? e->host : "-");
	w_str(&w, " - - ");
	w_str(&w, stamp);
	w_raw(&w, " ", 1);
	w_request(&w, e);
	w_raw(&w, " ", 1);
	w_num(&w, e->status);
	w_raw(&w, " ", 1);
	w_num(&w, e->bytes);
	w_raw(&w, " ", 1);
	w_quoted(&w, e->referer, e->referer_len);
	w_raw(&w, " ", 1);
	w_quoted(&w, e->agent, e->agent_len);
	out[w.len++] = '\n';
	return w.len;
}

void accesslog_add(struct accesslog *l, const struct accesslog_entry *e, time_t now)
{
	if (l->fd < 0)
		return;
	if (now != l->stamp_at) {
		accesslog_stamp(now, l->stamp);
		l->stamp_at = now;
	}
	if (ACCESSLOG_BUF - l->len < ACCESSLOG_LINE_MAX)
		accesslog_flush(l);
	l->len += accesslog_format(l->buf + l->len, ACCESSLOG_LINE_MAX, e, l->stamp);
}
