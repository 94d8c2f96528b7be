/* filecache: direct-mapped cache of small files, one per worker. */
#include "filecache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"

struct filecache {
	struct filecache_entry slot[FILECACHE_SLOTS];
	size_t bytes; /* file bytes held */
};

struct filecache *filecache_new(void)
{
	return calloc(1, sizeof(struct filecache));
}

struct filecache_fd *filecache_fd_hold(const struct filecache_entry *e)
{
	e->file->refs++;
	return e->file;
}

void filecache_fd_release(struct filecache_fd *f)
{
	if (--f->refs > 0)
		return;
	close(f->fd);
	free(f);
}

static void filecache_drop(struct filecache *c, struct filecache_entry *e)
{
	if (e->path == NULL)
		return;
	c->bytes -= e->held;
	filecache_fd_release(e->file);
	free(e->path);
	free(e->data);
	free(e->resp);
	memset(e, 0, sizeof(*e));
}

void filecache_free(struct filecache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < FILECACHE_SLOTS; i++)
		filecache_drop(c, &c->slot[i]);
	free(c);
}

/* Eight bytes a multiply, the high bits picking the slot; a path of 8 bytes
 * or more ends with a word overlapping the one before (no byte loop). A third
 * of the instructions of byte-wise FNV-1a on a short path (callgrind). */
static inline size_t filecache_hash(const char *p, size_t n)
{
	const uint64_t mul = 0x9e3779b97f4a7c15u; /* 2^64 / golden ratio */
	uint64_t h = n, w = 0;
	size_t i;

	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * mul;
	}
	if (n >= 8)
		memcpy(&w, p + n - 8, 8);
	else
		for (i = 0; i < n; i++)
			w = w << 8 | (unsigned char)p[i];
	h = (h ^ w) * mul;
	return (size_t)(h >> 40) % FILECACHE_SLOTS;
}

/* fstatat beneath the root with the key (NUL-terminated) relative to it
 * ("/a/b" -> "a/b"; an empty name fails). Only a re-check: it may follow any
 * symlink, because an answer that differs from the cached inode just sends
 * the request back through path_open(). */
static int filecache_stat(const struct path_root *root, const char *path, struct stat *st)
{
	while (path[0] == '/')
		path++;
	return fstatat(root->fd, path, st, 0);
}

/* Not a re-check but an answer of its own (Vary, and whether the twin is
 * tried), so PATH.gz is resolved by path_open(): a symlink that leaves the
 * root must not tell whether its target exists. O_PATH opens nothing for real. */
int filecache_twin_exists(const struct path_root *root, const char *path, size_t n)
{
	char gz[PATH_MAX];
	struct stat st;
	int fd, regular;

	if (n == 0 || n + sizeof(".gz") > sizeof(gz))
		return 0;
	memcpy(gz, path, n);
	memcpy(gz + n, ".gz", sizeof(".gz"));
	fd = path_open(root, gz, O_PATH);
	if (fd < 0)
		return 0;
	regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	return regular;
}

static int filecache_same(const struct filecache_entry *e, const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_nlink > 0 && e->dev == st->st_dev &&
	       e->ino == st->st_ino &&
	       e->size == st->st_size && e->mtim.tv_sec == st->st_mtim.tv_sec &&
	       e->mtim.tv_nsec == st->st_mtim.tv_nsec;
}

/* A hit's checks that go to the kernel: the descriptor's fstat once
 * FILECACHE_FRESH_NS have passed, the path's once a second. -1: the file
 * changed, and the entry is dropped. Not inlined: its stack frame (a struct
 * stat) cost a hit ~20 instructions (callgrind). */
static __attribute__((noinline)) int
filecache_recheck(struct filecache *c, struct filecache_entry *e, const struct path_root *root,
		  time_t now, int64_t mono)
{
	struct stat st;

	if (mono >= e->fresh_until) {
		if (fstat(e->fd, &st) != 0 || !filecache_same(e, &st))
			goto changed;
		e->fresh_until = mono + FILECACHE_FRESH_NS;
	}
	if (e->checked == now)
		return 0;
	if (filecache_stat(root, e->path, &st) != 0 || !filecache_same(e, &st))
		goto changed;
	e->twin = filecache_twin_exists(root, e->path, e->path_len);
	e->checked = now;
	return 0;
changed:
	filecache_drop(c, e);
	return -1;
}

struct filecache_entry *filecache_get(struct filecache *c, const struct path_root *root,
				      const char *path, size_t n, time_t now, int64_t mono)
{
	struct filecache_entry *e = &c->slot[filecache_hash(path, n)];

	if (e->path == NULL || e->path_len != n || memcmp(e->path, path, n) != 0)
		return NULL;
	if ((mono >= e->fresh_until || e->checked != now) &&
	    filecache_recheck(c, e, root, now, mono) != 0)
		return NULL;
	return e;
}

static int filecache_read(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t r = pread(fd, buf + got, size - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1; /* shrank under us: do not cache a torn copy */
		got += (size_t)r;
	}
	return 0;
}

struct filecache_entry *filecache_put(struct filecache *c, const char *path, size_t n, int fd,
				      const struct stat *st, int twin, time_t now)
{
	struct filecache_entry *e = &c->slot[filecache_hash(path, n)];
	size_t size = (size_t)st->st_size;
	char *key, *data = NULL;
	struct filecache_fd *file;

	if (!S_ISREG(st->st_mode) || st->st_size < 0)
		return NULL;
	filecache_drop(c, e);
	/* Big files (or past the byte budget) are kept as facts and fd only. */
	if (size > FILECACHE_FILE_MAX || c->bytes + size > FILECACHE_BYTES)
		size = 0;
	key = malloc(n + 1);
	file = malloc(sizeof(*file));
	if (key == NULL || file == NULL)
		goto fail;
	if (size > 0 || st->st_size == 0) {
		data = malloc(size ? size : 1);
		if (data == NULL || filecache_read(fd, data, size) != 0)
			goto fail;
	}
	memcpy(key, path, n);
	key[n] = '\0';
	e->path = key;
	e->path_len = n;
	e->data = data;
	e->fd = fd;
	e->file = file;
	file->fd = fd;
	file->refs = 1;
	e->size = st->st_size;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->mtim = st->st_mtim;
	e->checked = now;
	e->twin = twin;
	e->ctype = mime_type(key);
	e->etag_len = cond_etag(e->etag, st->st_mtime, st->st_size, 0);
	date_format(st->st_mtime, e->lastmod);
	e->held = size;
	c->bytes += size;
	return e;
fail:
	free(key);
	free(file);
	free(data);
	return NULL;
}
