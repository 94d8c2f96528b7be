/* log: "prog: level: message\n" to stderr, one write(2) per line so that
 * lines from several workers sharing stderr never interleave mid-line. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Longer messages are cut (and end in "...") rather than split over writes. */
#define LOG_LINE_MAX 1024

static const char *log_progname = "";
static enum log_level log_threshold = LOG_INFO;

static const char *const log_names[] = {
    [LOG_DEBUG] = "debug",
    [LOG_INFO] = "info",
    [LOG_WARN] = "warning",
    [LOG_ERROR] = "error",
};

void log_init(const char *progname, enum log_level threshold)
{
	log_progname = progname ? progname : "";
	log_threshold = threshold;
}

static const char *log_level_name(enum log_level level)
{
	if ((unsigned)level >= sizeof log_names / sizeof log_names[0])
		return "log";
	return log_names[level];
}

/* Writes the whole line, retrying on EINTR and short writes; a failure to log
 * has nowhere to be reported, so it is dropped. */
static void log_write(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	size_t len = 0;
	int saved = errno; /* callers often log right before reading errno */
	va_list ap;
	int r;

	if (level < log_threshold)
		return;
	if (log_progname[0] != '\0')
		r = snprintf(line, sizeof line, "%s: %s: ", log_progname, log_level_name(level));
	else
		r = snprintf(line, sizeof line, "%s: ", log_level_name(level));
	if (r > 0)
		len = (size_t)r < sizeof line - 1 ? (size_t)r : sizeof line - 1;

	va_start(ap, fmt);
	r = vsnprintf(line + len, sizeof line - len, fmt, ap);
	va_end(ap);
	if (r > 0 && (size_t)r < sizeof line - len) {
		len += (size_t)r;
	} else if (r > 0) {
		/* Truncated: keep room for the marker and the newline. */
		len = sizeof line - 5;
		memcpy(line + len, "...", 3);
		len += 3;
	}
	/* A message that already ends in a newline keeps just that one. */
	if (len == 0 || line[len - 1] != '\n')
		line[len++] = '\n';
	log_write(line, len);
	errno = saved;
}
