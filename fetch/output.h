/* output: where a body goes, and the promise that nothing is lost.
 *
 * A regular (or not yet existing) target is written through a temporary file
 * in the same directory, ".NAME.XXXXXX" from mkstemp, renamed over the target
 * only by fetch_out_commit(); fetch_out_abort() removes it, so a failed
 * download leaves the previous file exactly as it was. "-" is stdout, and a
 * target that exists but is not a regular file (/dev/null, a FIFO) is written
 * in place: there is nothing to rename over.
 *
 * Resuming (-r) uses a partial file with a fixed name, "NAME.part", so that a
 * later -r finds it: fetch_out_resume_size() says how many bytes are already
 * here (the partial file's, else the target's own size when the target is
 * itself an earlier partial download), fetch_out_open() with FETCH_OUT_APPEND
 * continues it (copying the target's bytes into the partial file first, so
 * the target stays untouched until the end), and a failed resumed download
 * keeps the partial file for next time.
 *
 * An existing regular target the user may not write is refused (it would
 * otherwise be replaced by the rename, which only needs the directory).
 *
 * Functions return 0 or -1 with errno set and a one-line reason, naming the
 * file, in o->error. */
#ifndef FETCH_OUTPUT_H
#define FETCH_OUTPUT_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

enum fetch_out_mode {
	FETCH_OUT_NEW,      /* the whole body, through a temporary file */
	FETCH_OUT_RESTART,  /* resuming, but the server sent it all: a NAME.part that
			       exists stays as it was (the body goes to a temporary
			       file and the commit removes NAME.part); else the body
			       starts NAME.part, kept after a failure */
	FETCH_OUT_APPEND    /* resuming: append to what fetch_out_resume_size() counted */
};

struct fetch_out {
	char target[PATH_MAX];
	char tmp[PATH_MAX];     /* the temporary or partial file; "" when writing in place */
	int fd;
	int in_place;           /* stdout or a non-regular target */
	int keep;               /* a resume: the partial file survives a failure */
	int restart;            /* FETCH_OUT_RESTART over a NAME.part: the commit removes it */
	off_t written;          /* bytes written in this run */
	int direct;             /* O_DIRECT on (fetch_out_direct_begin) */
	char error[2 * PATH_MAX + 128];
};

/* Before anything else: nothing open. */
void fetch_out_init(struct fetch_out *o);
/* The partial file's name for target ("dir/NAME" gives "dir/NAME.part"). */
int fetch_out_part_name(const char *target, char *out, size_t outlen);
/* Bytes already downloaded for target (0 when none). */
off_t fetch_out_resume_size(const char *target);
/* A target that is a symlink to a regular file becomes that file's real
 * path (in place, size bytes at most): the file is replaced, not the link,
 * and NAME.part lives beside it, with and without -r. 0, or -1 with errno. */
int fetch_out_follow_link(char *target, size_t size);
/* Opens the output for target ("-": stdout). */
int fetch_out_open(struct fetch_out *o, const char *target, enum fetch_out_mode mode);
int fetch_out_write(struct fetch_out *o, const void *p, size_t n);
/* Moves n bytes waiting in a pipe into the file (splice, or read and write
 * where the file system cannot splice). */
int fetch_out_from_pipe(struct fetch_out *o, int pipe_fd, size_t n);
/* Large bodies may bypass the page cache: O_DIRECT, writes of whole
 * FETCH_OUT_DIRECT_ALIGN blocks from a buffer aligned as much. That is about
 * a third less CPU than buffered writes or splice here: the one copy left is
 * the socket's into buf, and no page-cache pages are allocated and dirtied.
 * begin() turns it on for a temporary file being written from its start (not
 * O_APPEND, not in place); the bytes of the partial block already written are
 * read back into buf (*fill says how many) and the file offset goes back to
 * that block's start, so the caller appends to buf and hands whole blocks to
 * fetch_out_write(). -1: not possible here (nothing changed; write as usual).
 * A file system that refuses a direct write (EINVAL) gets the same bytes
 * buffered, and direct mode ends. end() returns to buffered writes, for the
 * unaligned tail; harmless when direct mode is off. */
#define FETCH_OUT_DIRECT_ALIGN 4096
int fetch_out_direct_begin(struct fetch_out *o, char *buf, size_t *fill);
void fetch_out_direct_end(struct fetch_out *o);
/* Completes: sets the modification time (mtime >= 0), closes, renames over
 * the target. On failure the temporary file is removed (kept when resuming). */
int fetch_out_commit(struct fetch_out *o, time_t mtime);
/* Gives up: closes and removes the temporary file (kept when resuming and
 * not empty). Safe to call on an output never opened or already closed. */
void fetch_out_abort(struct fetch_out *o);
/* For a SIGINT/SIGTERM handler (async-signal-safe): removes the temporary
 * file of the download under way, if any. A resume's partial file stays. */
void fetch_out_remove_on_signal(void);
/* Where the name of that temporary file is kept: a -j worker keeps it in
 * memory shared with its parent (fetch_out_live_in), which removes the file
 * with fetch_out_live_remove() when the worker dies without reporting. */
struct fetch_out_live {
	volatile sig_atomic_t on;
	char tmp[PATH_MAX];
};
void fetch_out_live_in(struct fetch_out_live *live);
void fetch_out_live_remove(struct fetch_out_live *live);

#endif
