/* log: one small logging helper, to stderr.
 *
 * Messages below the threshold are dropped; each line starts with the
 * program name and the level. The threshold and name are set once in main. */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_init(const char *progname, enum log_level threshold);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
