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

#include "buffer.h"

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
	l->stream = fstat(l->fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
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

/* How much of the n bytes at p to write at once: all, or for a pipe or a
 * socket the whole lines that fit in PIPE_BUF (lines are shorter than that). */
static size_t accesslog_piece(const struct accesslog *l, const char *p, size_t n)
{
	if (!l->stream || n <= PIPE_BUF)
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

/* The room an escaped client field may take: what is left, at most
 * ACCESSLOG_FIELD_MAX, none once a put failed. */
static size_t accesslog_room(const struct buffer *b)
{
	size_t room = b->failed ? 0 : b->cap - b->len;
	return room < ACCESSLOG_FIELD_MAX ? room : ACCESSLOG_FIELD_MAX;
}

/* Escaped text straight into the buffer's spare room, at most room bytes. */
static void accesslog_put_escaped(struct buffer *b, const char *s, size_t n, size_t room)
{
	b->len += accesslog_escape(b->data + b->len, room, s, n);
}

/* A client field in quotes, escaped and cut to ACCESSLOG_FIELD_MAX; "-" when absent. */
static void accesslog_put_quoted(struct buffer *b, const char *s, size_t n)
{
	BUFFER_PUT_LIT(b, "\"");
	if (!s)
		BUFFER_PUT_LIT(b, "-");
	else
		accesslog_put_escaped(b, s, n, accesslog_room(b));
	BUFFER_PUT_LIT(b, "\"");
}

/* "METHOD target HTTP/x.y", escaped as one field: a long target is cut so
 * that the version still fits. */
static void accesslog_put_request(struct buffer *b, const struct accesslog_entry *e)
{
	char ver[16];
	int vn;

	if (!e->method) {
		accesslog_put_quoted(b, e->line, e->line_len);
		return;
	}
	vn = snprintf(ver, sizeof ver, " HTTP/%d.%d", e->major % 10, e->minor % 10);
	if (vn < 0 || (size_t)vn >= sizeof ver)
		vn = 0;
	BUFFER_PUT_LIT(b, "\"");
	size_t start = b->len, room = accesslog_room(b);
	accesslog_put_escaped(b, e->method, strlen(e->method), room);
	BUFFER_PUT_LIT(b, " ");
	size_t used = b->len - start;
	size_t left = room > used + (size_t)vn ? room - used - (size_t)vn : 0;
	accesslog_put_escaped(b, e->target ? e->target : "", e->target ? e->target_len : 0,
			      b->failed ? 0 : left);
	buffer_put(b, ver, (size_t)vn);
	BUFFER_PUT_LIT(b, "\"");
}

size_t accesslog_format(char *out, size_t cap, const struct accesslog_entry *e,
			const char *stamp)
{
	struct buffer b;

	if (cap < 2)
		return 0;
	/* Two bytes kept back: the '\n' that always ends the line, and room for
	 * a NUL so that the length stays below cap. The fields are cut short
	 * enough that a line only fills up on absurd input (a tiny cap): then
	 * the pieces that no longer fit are dropped, the line still ends. */
	buffer_over(&b, out, cap - 2);
	buffer_put_str(&b, e->host && e->host[0] ? e->host : "-");
	BUFFER_PUT_LIT(&b, " - - ");
	buffer_put_str(&b, stamp);
	BUFFER_PUT_LIT(&b, " ");
	accesslog_put_request(&b, e);
	BUFFER_PUT_LIT(&b, " ");
	buffer_put_num(&b, e->status > 0 ? (unsigned long long)e->status : 0);
	BUFFER_PUT_LIT(&b, " ");
	buffer_put_num(&b, e->bytes > 0 ? (unsigned long long)e->bytes : 0);
	BUFFER_PUT_LIT(&b, " ");
	accesslog_put_quoted(&b, e->referer, e->referer_len);
	BUFFER_PUT_LIT(&b, " ");
	accesslog_put_quoted(&b, e->agent, e->agent_len);
	out[b.len++] = '\n';
	return b.len;
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
