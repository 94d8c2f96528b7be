/* output: temporary file, rename, modification time, resume. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"
#include "tunables.h"

/* The temporary file of the download under way, for a signal handler: a
 * signal can arrive anywhere, so its name must be reachable without the
 * caller's struct. File scope, one slot: a process downloads one URL at a
 * time. A -j worker keeps it in memory its parent shares. */
static struct fetch_out_live out_own;
static struct fetch_out_live *out_live = &out_own;

static void out_live_set(const char *tmp)
{
	out_live->on = 0;
	memcpy(out_live->tmp, tmp, strlen(tmp) + 1);
	out_live->on = 1;
}

void fetch_out_live_in(struct fetch_out_live *live)
{
	out_live = live;
}

void fetch_out_live_remove(struct fetch_out_live *live)
{
	if (live->on)
		unlink(live->tmp);
	live->on = 0;
}

void fetch_out_remove_on_signal(void)
{
	fetch_out_live_remove(out_live);
}

void fetch_out_init(struct fetch_out *o)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

static int out_fail(struct fetch_out *o, const char *what, const char *file)
{
	int e = errno;
	snprintf(o->error, sizeof(o->error), "%s %s: %s", what, file, strerror(e));
	errno = e;
	return -1;
}

int fetch_out_part_name(const char *target, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s.part", target);
	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static off_t out_regular_size(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	return st.st_size;
}

off_t fetch_out_resume_size(const char *target)
{
	char part[PATH_MAX];
	off_t n;

	if (fetch_out_part_name(target, part, sizeof(part)) == 0) {
		n = out_regular_size(part);
		if (n >= 0)
			return n;
	}
	n = out_regular_size(target);
	return n < 0 ? 0 : n;
}

/* The mode a plain open(0666) would give: the umask applied. */
static mode_t out_default_mode(void)
{
	mode_t mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

/* "dir/.NAME.XXXXXX" beside target. */
static int out_tmp_name(const char *target, char *out, size_t outlen)
{
	const char *slash = strrchr(target, '/');
	const char *base = slash ? slash + 1 : target;
	int dir_len = slash ? (int)(slash - target) + 1 : 0;
	int n = snprintf(out, outlen, "%.*s.%.*s.XXXXXX", dir_len, target, OUT_TMP_BASE_MAX, base);

	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* An existing target the user could not write is not replaced behind their
 * back by a rename (the directory's permission would allow it): refused, as
 * curl does. */
static int out_writable(struct fetch_out *o, const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || faccessat(AT_FDCWD, o->target, W_OK, AT_EACCESS) == 0)
		return 0;
	return out_fail(o, "will not replace", o->target);
}

static int out_open_new(struct fetch_out *o)
{
	struct stat st;
	int exists = stat(o->target, &st) == 0;

	if (exists && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return out_fail(o, "cannot write", o->target);
	}
	if (exists && !S_ISREG(st.st_mode)) {
		o->fd = open(o->target, O_WRONLY | O_CLOEXEC);
		if (o->fd < 0)
			return out_fail(o, "cannot open", o->target);
		o->in_place = 1;
		return 0;
	}
	if (exists && out_writable(o, &st) != 0)
		return -1;
	if (out_tmp_name(o->target, o->tmp, sizeof(o->tmp)))
		return out_fail(o, "cannot create a temporary file for", o->target);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		o->tmp[0] = '\0';
		return out_fail(o, "cannot create a temporary file for", o->target);
	}
	out_live_set(o->tmp);
	/* mkstemp makes 0600; the result should look like any new (or the old) file. */
	if (fchmod(o->fd, exists ? st.st_mode & 07777 : out_default_mode()) != 0)
		return out_fail(o, "cannot set the mode of", o->tmp);
	return 0;
}

/* Copies the bytes of an earlier partial download (the target) to fd. */
static int out_copy(int from, int to)
{
	char buf[64 * 1024];
	ssize_t n;

	for (;;) {
		n = copy_file_range(from, NULL, to, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
			return -1;
		if (n < 0)
			break;
	}
	/* No in-kernel copy here: plain reads and writes. */
	while ((n = read(from, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || net_write_all(to, buf, (size_t)n, -1) != 0)
			return -1;
	}
	return 0;
}

/* Continues NAME.part (or starts it from the target's own bytes), or
 * restarts it. */
static int out_open_part(struct fetch_out *o, enum fetch_out_mode mode)
{
	struct stat st;
	int src, exists = stat(o->target, &st) == 0;

	if (exists && !S_ISREG(st.st_mode))
		return out_open_new(o); /* /dev/null, a directory: nothing to resume */
	if (exists && out_writable(o, &st) != 0)
		return -1;
	if (fetch_out_part_name(o->target, o->tmp, sizeof(o->tmp)))
		return out_fail(o, "cannot name the partial file for", o->target);
	if (mode == FETCH_OUT_RESTART && out_regular_size(o->tmp) >= 0) {
		/* Earlier partial data stays as it was until the new body is
		 * complete: a temporary file, as for a new download. */
		o->tmp[0] = '\0';
		o->restart = 1;
		return out_open_new(o);
	}
	o->keep = 1;
	if (mode == FETCH_OUT_APPEND) {
		o->fd = open(o->tmp, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (o->fd >= 0 || errno != ENOENT)
			return o->fd >= 0 ? 0 : out_fail(o, "cannot open", o->tmp);
	}
	/* Read-write, as mkstemp's: fetch_out_direct_begin() may read back a block. */
	o->fd = open(o->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (o->fd < 0)
		return out_fail(o, "cannot create", o->tmp);
	if (mode != FETCH_OUT_APPEND)
		return 0;
	/* The bytes so far are the target itself: copy them, the target stays as it is. */
	src = open(o->target, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return out_fail(o, "cannot read", o->target);
	if (out_copy(src, o->fd) != 0) {
		int e = errno;
		close(src);
		errno = e;
		return out_fail(o, "cannot copy to", o->tmp);
	}
	close(src);
	return 0;
}

int fetch_out_open(struct fetch_out *o, const char *target, enum fetch_out_mode mode)
{
	fetch_out_init(o);
	if (strlen(target) >= sizeof(o->target)) {
		errno = ENAMETOOLONG;
		return out_fail(o, "cannot write", target);
	}
	memcpy(o->target, target, strlen(target) + 1);
	if (strcmp(target, "-") == 0) {
		snprintf(o->target, sizeof(o->target), "standard output");
		o->fd = STDOUT_FILENO;
		o->in_place = 1;
		return 0;
	}
	if (mode == FETCH_OUT_NEW)
		return out_open_new(o);
	return out_open_part(o, mode);
}

int fetch_out_direct_begin(struct fetch_out *o, char *buf, size_t *fill)
{
	off_t at, from;
	int fl;

	*fill = 0;
	if (o->fd < 0 || o->in_place || o->direct)
		return -1;
	fl = fcntl(o->fd, F_GETFL);
	at = lseek(o->fd, 0, SEEK_CUR);
	if (fl < 0 || (fl & O_APPEND) || at < 0)
		return -1;
	from = at - at % FETCH_OUT_DIRECT_ALIGN;
	if (at > from && pread(o->fd, buf, (size_t)(at - from), from) != at - from)
		return -1;
	if (fcntl(o->fd, F_SETFL, fl | O_DIRECT) != 0)
		return -1; /* EINVAL: this file system has no direct I/O */
	if (lseek(o->fd, from, SEEK_SET) != from) {
		(void)fcntl(o->fd, F_SETFL, fl);
		(void)lseek(o->fd, at, SEEK_SET);
		return -1;
	}
	o->direct = 1;
	o->written -= at - from; /* they are written again */
	*fill = (size_t)(at - from);
	return 0;
}

void fetch_out_direct_end(struct fetch_out *o)
{
	int fl;

	if (!o->direct)
		return;
	o->direct = 0;
	fl = fcntl(o->fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(o->fd, F_SETFL, fl & ~O_DIRECT);
}

int fetch_out_write(struct fetch_out *o, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(o->fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EINVAL && o->direct) {
			fetch_out_direct_end(o); /* alignment this file system wants: buffered */
			continue;
		}
		if (w < 0)
			return out_fail(o, "writing", o->target);
		c += w;
		n -= (size_t)w;
		o->written += w;
	}
	return 0;
}

/* The plain way out of a pipe, for files splice(2) cannot write to. */
static int out_drain_pipe(struct fetch_out *o, int pipe_fd, size_t n)
{
	char buf[64 * 1024];

	while (n > 0) {
		ssize_t got = read(pipe_fd, buf, n < sizeof(buf) ? n : sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return out_fail(o, "writing", o->target);
		if (fetch_out_write(o, buf, (size_t)got) != 0)
			return -1;
		n -= (size_t)got;
	}
	return 0;
}

int fetch_out_from_pipe(struct fetch_out *o, int pipe_fd, size_t n)
{
	while (n > 0) {
		ssize_t moved = splice(pipe_fd, NULL, o->fd, NULL, n, SPLICE_F_MOVE);
		if (moved < 0 && errno == EINTR)
			continue;
		if (moved < 0 && errno == EINVAL)
			return out_drain_pipe(o, pipe_fd, n);
		if (moved <= 0) {
			if (moved == 0)
				errno = EIO;
			return out_fail(o, "writing", o->target);
		}
		n -= (size_t)moved;
		o->written += moved;
	}
	return 0;
}

static int out_close(struct fetch_out *o)
{
	int fd = o->fd;

	o->fd = -1;
	if (fd < 0 || fd == STDOUT_FILENO)
		return 0;
	/* Some file systems (NFS, quotas) report a failed write only here. */
	if (close(fd) != 0)
		return out_fail(o, "writing", o->target);
	return 0;
}

int fetch_out_commit(struct fetch_out *o, time_t mtime)
{
	char part[PATH_MAX];

	if (mtime >= 0 && !o->in_place) {
		struct timespec ts[2] = {{.tv_sec = mtime}, {.tv_sec = mtime}};
		if (futimens(o->fd, ts) != 0)
			goto fail_with_errno;
	}
	if (out_close(o) != 0)
		goto fail;
	if (o->in_place)
		return 0;
	out_live->on = 0;
	if (rename(o->tmp, o->target) != 0) {
		int e = errno;
		snprintf(o->error, sizeof(o->error), "cannot rename %s to %s: %s", o->tmp, o->target,
			 strerror(e));
		errno = e;
		goto fail;
	}
	o->tmp[0] = '\0';
	if (o->restart && fetch_out_part_name(o->target, part, sizeof(part)) == 0)
		(void)unlink(part); /* superseded by the complete file */
	return 0;
fail_with_errno:
	out_fail(o, "cannot set the time of", o->target);
fail:
	fetch_out_abort(o);
	return -1;
}

void fetch_out_abort(struct fetch_out *o)
{
	int e = errno;

	if (o->fd >= 0 && o->fd != STDOUT_FILENO)
		close(o->fd);
	o->fd = -1;
	out_live->on = 0;
	if (o->tmp[0] && !(o->keep && out_regular_size(o->tmp) > 0))
		unlink(o->tmp);
	o->tmp[0] = '\0';
	errno = e;
}

int fetch_out_follow_link(char *target, size_t size)
{
	struct stat st, lst;
	char real[PATH_MAX];
	size_t n;

	if (lstat(target, &lst) != 0 || !S_ISLNK(lst.st_mode) || stat(target, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	if (!realpath(target, real))
		return -1;
	n = strlen(real);
	if (n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(target, real, n + 1);
	return 0;
}
