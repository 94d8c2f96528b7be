/* path: a request path to a file under a root, with traversal impossible by
 * construction.
 *
 * path_normalize() works on the already percent-decoded path: it must start
 * with '/', NUL is refused, "//" and "/./" collapse, "/../" removes the
 * previous segment and never climbs above "/". path_open() then opens the
 * normalised path beneath the root's descriptor; symlinks are followed only
 * while they stay inside the root's real path (openat2 RESOLVE_BENEATH, with a
 * realpath check for absolute links that point back inside). */
#ifndef PATH_H
#define PATH_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct path_root {
	int fd;              /* O_PATH|O_DIRECTORY descriptor of the root */
	char real[PATH_MAX]; /* its real path, no trailing slash (except "/") */
	size_t real_len;
};

/* Returns the normalised length (a trailing '/' is kept: "/a/" stays a
 * directory request; "/a/." and "/a/.." end in '/' too), or -1: no leading
 * '/', NUL inside, or outcap too small. out is NUL-terminated; outcap = n + 1
 * always suffices (segments that a later ".." removes need room while the path
 * is built). out may equal in. Bytes are not decoded: "%2e" is a name. */
ssize_t path_normalize(const char *in, size_t n, char *out, size_t outcap);

int path_root_open(struct path_root *r, const char *dir);
void path_root_close(struct path_root *r);
/* Opens the normalised path (leading '/') beneath the root with `flags`
 * (O_RDONLY and friends; O_CLOEXEC is added). Returns an fd, or -1 with
 * errno: ENOENT/ENOTDIR (404), EACCES (403), EXDEV (403: it leaves the root),
 * anything else (500). */
int path_open(const struct path_root *r, const char *norm, int flags);
/* Maps an errno from path_open/fstat to an HTTP status: 404, 403 or 500. */
int path_errno_status(int err);

#endif
