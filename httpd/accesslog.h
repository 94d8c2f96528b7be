/* accesslog: one Combined Log Format line per request, buffered per worker.
 *
 *   host - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.1" 200 2326 "referer" "agent"
 *
 * Lines collect in a per-worker buffer that the loop flushes once per turn
 * (or sooner when it fills), so a busy worker makes one write(2) for many
 * requests; each write holds whole lines only, so lines of several workers
 * appending to one file never interleave mid-line (on a pipe or a socket,
 * such as a stderr read by a supervisor or systemd's journal stream, writes
 * are cut at line ends within PIPE_BUF, the most a pipe writes atomically:
 * a longer write can be split there and another worker's bytes land in
 * between). Client-supplied text
 * (request line, referer, user agent) is escaped: '"', '\' and bytes below
 * 0x20 or from 0x7f up become \xHH, so a line can neither be forged nor break
 * a parser. Long fields are cut to keep every line under ACCESSLOG_LINE_MAX. */
#ifndef ACCESSLOG_H
#define ACCESSLOG_H

#include <stddef.h>
#include <time.h>

#include "tunables.h"

#define ACCESSLOG_STAMP_LEN 28         /* "[10/Oct/2000:13:55:36 -0700]" */

/* What one line says. Pointers need not be NUL-terminated; NULL prints "-". */
struct accesslog_entry {
	const char *host;               /* client address as text (NUL-terminated) */
	const char *method;             /* parsed request: method name; NULL: use line */
	const char *target;             /* parsed request target */
	size_t target_len;
	int major, minor;               /* parsed HTTP version */
	const char *line;               /* raw request line when it could not be parsed */
	size_t line_len;
	int status;
	long long bytes;                /* body bytes sent */
	const char *referer;
	size_t referer_len;
	const char *agent;
	size_t agent_len;
};

struct accesslog {
	int fd;            /* -1: logging off */
	int owned;         /* fd is a file we opened (not stderr) */
	int stream;        /* fd is a pipe or a socket: writes past PIPE_BUF could interleave */
	const char *path;  /* file to reopen on SIGHUP, or NULL */
	int dir;           /* its folder, open from the start (-1: none) */
	const char *name;  /* its name in dir */
	char *buf;         /* ACCESSLOG_BUF bytes */
	size_t len;
	time_t stamp_at;   /* second the cached stamp is for */
	char stamp[ACCESSLOG_STAMP_LEN + 1];
};

/* path: NULL for off, "-" for stderr, else a file opened for appending.
 * Returns 0, or -1 with a one-line reason in err. */
int accesslog_open(struct accesslog *l, const char *path, char *err, size_t errlen);
/* Opens the file again (after rotation) by its name in the folder opened at
 * accesslog_open(), whatever the process's root or working folder is now;
 * on failure keeps the old one. 0 or -1. */
int accesslog_reopen(struct accesslog *l);
static inline int accesslog_on(const struct accesslog *l)
{
	return l->fd >= 0;
}
/* Adds one line for `e` at time `now`; flushes first when the buffer is full. */
void accesslog_add(struct accesslog *l, const struct accesslog_entry *e, time_t now);
/* Writes what is buffered; a failed write (a full disk) drops it. A pipe,
 * socket or terminal whose reader stops reading makes the write, and so the
 * worker, wait for it (as nginx's log does): lines are not dropped silently
 * to keep serving. */
void accesslog_flush(struct accesslog *l);
void accesslog_close(struct accesslog *l);

/* Pure helpers, for the tests. */
/* "[dd/Mon/yyyy:hh:mm:ss +zzzz]" in local time; out has ACCESSLOG_STAMP_LEN + 1 bytes. */
void accesslog_stamp(time_t t, char *out);
/* Escapes n bytes of s into out (cap bytes, no NUL added), never splitting an
 * escape; returns the bytes written. */
size_t accesslog_escape(char *out, size_t cap, const char *s, size_t n);
/* The whole line with its '\n' into out; returns its length (< cap). */
size_t accesslog_format(char *out, size_t cap, const struct accesslog_entry *e,
			const char *stamp);

#endif
