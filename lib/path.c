/* path: request paths to files beneath a root (contract in path.h). */
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* openat2() retries on EAGAIN (a concurrent rename under the root) before
 * falling back to the checked open. */
#define PATH_OPENAT2_TRIES 4

/* Set once the kernel says openat2 does not exist, so that later requests
 * skip the failing syscall (each worker process learns it for itself). */
static int path_no_openat2;

ssize_t path_normalize(const char *in, size_t n, char *out, size_t outcap)
{
	size_t i = 1, o = 1;

	if (n == 0 || in[0] != '/' || outcap < 2 || memchr(in, '\0', n))
		return -1;
	out[0] = '/';
	/* Segment by segment; out trails in (o <= i), so in place is safe. */
	while (i < n) {
		const char *seg = in + i;
		const char *slash = memchr(seg, '/', n - i);
		size_t len = slash ? (size_t)(slash - seg) : n - i;

		i += len + 1;
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			/* Drop "name/" before o; out[0] == '/' stops it at the root. */
			if (o > 1)
				o--;
			while (out[o - 1] != '/')
				o--;
			continue;
		}
		if (o + len + (slash ? 1 : 0) >= outcap)
			return -1;
		memmove(out + o, seg, len);
		o += len;
		if (slash)
			out[o++] = '/';
	}
	out[o] = '\0';
	return (ssize_t)o;
}

static int path_openat2(int dirfd, const char *rel, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(unsigned int)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
}

/* Old kernels say ENOSYS; some container seccomp filters say EPERM for
 * syscalls they do not know. Either way every open takes the checked path. */
static void path_probe_openat2(int rootfd)
{
	int fd = path_openat2(rootfd, ".", O_PATH);

	if (fd >= 0)
		close(fd);
	else if (errno == ENOSYS || errno == EPERM)
		path_no_openat2 = 1;
}

int path_root_open(struct path_root *r, const char *dir)
{
	r->fd = -1;
	r->real_len = 0;
	/* The real path first, then open that very path: fd and name agree. */
	if (!realpath(dir, r->real))
		return -1;
	r->real_len = strlen(r->real);
	r->fd = open(r->real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0)
		return -1;
	path_probe_openat2(r->fd);
	return 0;
}

void path_root_close(struct path_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* Whether real (a real path) is the root's real path or below it. */
static int path_inside(const struct path_root *r, const char *real)
{
	if (r->real_len == 1) /* the root is "/" */
		return real[0] == '/';
	return strncmp(real, r->real, r->real_len) == 0 &&
	       (real[r->real_len] == '\0' || real[r->real_len] == '/');
}

/* The real path of an open fd, through /proc; without /proc, the realpath
 * of root + rel, accepted only when it names the same inode as fd. */
static int path_fd_real(const struct path_root *r, int fd, const char *rel, char *real)
{
	char link[64], joined[PATH_MAX];
	struct stat a, b;
	ssize_t n;
	int len;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, real, PATH_MAX);
	if (n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (n > 0 && real[0] == '/') {
		real[n] = '\0';
		return 0;
	}
	len = snprintf(joined, sizeof joined, "%s/%s", r->real, rel);
	if (len < 0 || (size_t)len >= sizeof joined) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!realpath(joined, real) || stat(real, &a) < 0 || fstat(fd, &b) < 0)
		return -1;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		errno = EXDEV; /* it changed under us: refuse */
		return -1;
	}
	return 0;
}

/* Without RESOLVE_BENEATH, or for an absolute symlink that openat2 refuses:
 * resolve with O_PATH first (no side effects: a FIFO or device outside the
 * root is never really opened), check the real path is inside, then open for
 * real and make sure it is the same inode (a symlink swapped in between is
 * refused). */
static int path_open_checked(const struct path_root *r, const char *rel, int flags)
{
	char real[PATH_MAX];
	struct stat a, b;
	int probe, fd = -1, err;

	probe = openat(r->fd, rel, O_PATH | O_CLOEXEC | (flags & (O_DIRECTORY | O_NOFOLLOW)));
	if (probe < 0)
		return -1;
	if (path_fd_real(r, probe, rel, real) < 0)
		goto fail;
	if (!path_inside(r, real)) {
		errno = EXDEV;
		goto fail;
	}
	fd = openat(r->fd, rel, flags | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (fstat(probe, &a) < 0 || fstat(fd, &b) < 0)
		goto fail;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		errno = EXDEV;
		goto fail;
	}
	close(probe);
	return fd;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	close(probe);
	errno = err;
	return -1;
}

int path_open(const struct path_root *r, const char *norm, int flags)
{
	const char *rel = norm;
	int fd = -1, tries;

	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	if (path_no_openat2)
		return path_open_checked(r, rel, flags);
	for (tries = 0; tries < PATH_OPENAT2_TRIES; tries++) {
		fd = path_openat2(r->fd, rel, flags);
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd >= 0)
		return fd;
	if (errno == ENOSYS)
		path_no_openat2 = 1;
	/* EXDEV: an absolute symlink (maybe pointing back inside) or a ".."
	 * link climbing out; the checked open decides which. */
	if (errno == ENOSYS || errno == EXDEV || errno == EAGAIN)
		return path_open_checked(r, rel, flags);
	return -1;
}

int path_errno_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
	case ELOOP:
		return 404;
	case EACCES:
	case EPERM:
	case EXDEV:
		return 403;
	default:
		return 500;
	}
}
