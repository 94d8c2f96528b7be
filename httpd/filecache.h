/* filecache: a small per-worker cache of hot small files.
 *
 * It keeps a file's bytes and its preformatted validators (ETag,
 * Last-Modified) and Content-Type, so that a hit costs no open/fstat/close
 * and the body goes out in the same write as the head; the planner keeps
 * the whole 200 it makes of an entry in the entry's `resp` slot. Each entry keeps its
 * file open and fstats that descriptor when a hit comes more than
 * FILECACHE_FRESH_NS after the last fstat: a write to the file (size, mtime,
 * unlink) shows within a millisecond, not the second a stat cache usually
 * allows, while a hot file under load costs one fstat per millisecond, not
 * one per request (the fstat alone would be a good share of a hit's cost).
 * What an open descriptor cannot see, the path now naming another file
 * (rename over it) or a .gz twin appearing, is checked by path at most once
 * a second.
 * Files of at most FILECACHE_FILE_MAX bytes are held in memory (FILECACHE_BYTES
 * in all); bigger ones only as facts and an open descriptor, which a hit
 * lends for sendfile (filecache_fd_hold) instead of resolving the path again:
 * the descriptor is reference-counted, so an entry dropped while connections
 * still send from it closes it only when the last of them lets go.
 * The clock that times the fstat window is the caller's (the event loop reads
 * CLOCK_MONOTONIC once per wakeup), so a hit costs no clock call.
 * Bounded: FILECACHE_SLOTS entries (direct-mapped: a colliding path replaces
 * the old one; this is also the most descriptors it holds). Only paths that
 * path_open() accepted beneath the root get in, and a re-check that finds
 * another inode drops the entry, so a symlink swapped in later goes back
 * through path_open(). One worker's, never shared. */
#ifndef FILECACHE_H
#define FILECACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "cond.h"
#include "date.h"
#include "tunables.h"
#include "path.h"

/* An entry's descriptor, shared with the responses still sending from it. */
struct filecache_fd {
	int fd;
	unsigned refs; /* the entry (while cached) and each lent response */
};

struct filecache_entry {
	char *path;       /* normalised request path (key) */
	size_t path_len;
	char *data;       /* the file's bytes, or NULL: a big file, served from fd */
	size_t held;      /* bytes of data counted against FILECACHE_BYTES */
	int fd;           /* the file, kept open to fstat it per hit (file->fd) */
	struct filecache_fd *file;
	off_t size;
	dev_t dev;
	ino_t ino;
	struct timespec mtim;
	time_t checked;   /* when the path was last compared with the file system */
	int64_t fresh_until; /* CLOCK_MONOTONIC ns until which the last fstat holds */
	int twin;         /* a regular PATH.gz existed at the last check */
	const char *ctype;
	char etag[COND_ETAG_MAX];
	size_t etag_len;
	char lastmod[DATE_LEN + 1];
	/* A slot the planner fills with the whole 200 response it makes of this
	 * entry (head, then the body if held); freed with the entry. */
	char *resp;
	size_t resp_len, resp_head_len;
	time_t resp_date; /* the second its Date value was written for */
	int resp_twin;    /* `twin` when it was formatted (it decides Vary) */
};

struct filecache;

struct filecache *filecache_new(void);
void filecache_free(struct filecache *c);

/* The entry for a normalised path, its descriptor fstat'ed if mono_ns
 * (CLOCK_MONOTONIC) is FILECACHE_FRESH_NS past the last fstat, and its path
 * re-checked if `now` is past its last check; NULL when absent or changed (a
 * changed entry is dropped). */
struct filecache_entry *filecache_get(struct filecache *c, const struct path_root *root,
				      const char *path, size_t n, time_t now, int64_t mono_ns);
/* Adds a regular file the caller opened (fd) and fstat'ed (st), reading its
 * bytes if it is small enough and within the budget. Returns the
 * new entry, which now owns fd (the caller must not close it), or NULL (the
 * caller keeps fd). */
struct filecache_entry *filecache_put(struct filecache *c, const char *path, size_t n, int fd,
				      const struct stat *st, int twin, time_t now);
/* Whether a regular file PATH.gz exists beneath the root, resolved as
 * path_open() would (a symlink leaving the root is not there); no content read. */
int filecache_twin_exists(const struct path_root *root, const char *path, size_t n);
/* Lends e's descriptor: one more reference, to be given back with
 * filecache_fd_release() (the entry itself may be gone by then). */
struct filecache_fd *filecache_fd_hold(const struct filecache_entry *e);
/* Gives a reference back; the last one closes the descriptor. */
void filecache_fd_release(struct filecache_fd *f);

#endif
