/* check_log: lib/log.c, by capturing stderr through a pipe. */
#include "log.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int cap_pipe[2];
static int saved_stderr = -1;

/* Points stderr at a pipe until capture_end(). */
static void capture_begin(void)
{
	ck_assert_int_eq(pipe2(cap_pipe, O_CLOEXEC), 0);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_eq(dup2(cap_pipe[1], STDERR_FILENO), STDERR_FILENO);
	close(cap_pipe[1]);
}

/* Restores stderr and returns what was written (malloc'd, NUL-terminated). */
static char *capture_end(size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(saved_stderr);
	for (;;) {
		ssize_t r = read(cap_pipe[0], buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
	}
	close(cap_pipe[0]);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

START_TEST(prefix_and_levels)
{
	capture_begin();
	log_init("httpd", LOG_DEBUG);
	log_msg(LOG_DEBUG, "d %d", 1);
	log_msg(LOG_INFO, "listening on %s:%u", "::", 8080u);
	log_msg(LOG_WARN, "w");
	log_msg(LOG_ERROR, "e %s", "boom");
	char *out = capture_end(NULL);
	ck_assert_str_eq(out, "httpd: debug: d 1\n"
	                      "httpd: info: listening on :::8080\n"
	                      "httpd: warning: w\n"
	                      "httpd: error: e boom\n");
	free(out);
}
END_TEST

/* Below the threshold: nothing at all. */
START_TEST(threshold)
{
	static const enum log_level levels[] = {LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR};
	for (int t = 0; t < 4; t++) {
		capture_begin();
		log_init("p", levels[t]);
		for (int l = 0; l < 4; l++)
			log_msg(levels[l], "%d", l);
		char *out = capture_end(NULL);
		char want[128] = "";
		static const char *const names[] = {"debug", "info", "warning", "error"};
		for (int l = t; l < 4; l++) {
			size_t used = strlen(want);
			snprintf(want + used, sizeof want - used, "p: %s: %d\n", names[l], l);
		}
		ck_assert_str_eq(out, want);
		free(out);
	}
}
END_TEST

START_TEST(edges)
{
	capture_begin();
	log_init(NULL, LOG_INFO);
	log_msg(LOG_INFO, "no name");
	log_init("", LOG_INFO);
	log_msg(LOG_INFO, "empty name");
	log_init("x", LOG_INFO);
	log_msg(LOG_INFO, "already ends in newline\n");
	log_msg(LOG_INFO, "%s", "");
	log_msg((enum log_level)42, "odd level");
	char *out = capture_end(NULL);
	ck_assert_str_eq(out, "info: no name\n"
	                      "info: empty name\n"
	                      "x: info: already ends in newline\n"
	                      "x: info: \n"
	                      "x: log: odd level\n");
	free(out);
}
END_TEST

/* A line too long for the buffer is cut, marked, still one line. */
START_TEST(long_message_truncated)
{
	char *big = malloc(5000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 4999);
	big[4999] = '\0';
	capture_begin();
	log_init("prog", LOG_DEBUG);
	log_msg(LOG_ERROR, "%s", big);
	log_msg(LOG_ERROR, "after");
	size_t len;
	char *out = capture_end(&len);
	char *nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_int_eq(strncmp(out, "prog: error: aaaa", 17), 0);
	ck_assert_int_eq(strncmp(nl - 3, "...", 3), 0);
	ck_assert_int_le(nl - out + 1, 1024);
	ck_assert_int_gt(nl - out + 1, 1000);
	ck_assert_str_eq(nl + 1, "prog: error: after\n");
	free(out);
	free(big);

	/* a message that exactly fills the buffer is kept whole */
	char fit[1024];
	size_t room = 1024 - strlen("prog: info: ") - 1; /* the newline */
	memset(fit, 'b', room);
	fit[room] = '\0';
	capture_begin();
	log_msg(LOG_INFO, "%s", fit);
	out = capture_end(&len);
	ck_assert_uint_eq(len, 1024);
	ck_assert_int_eq(out[1023], '\n');
	ck_assert_int_eq(out[1022], 'b');
	free(out);
}
END_TEST

START_TEST(errno_preserved)
{
	capture_begin();
	log_init("p", LOG_INFO);
	errno = ENOENT;
	log_msg(LOG_ERROR, "open: %s", strerror(errno));
	ck_assert_int_eq(errno, ENOENT);
	errno = EACCES;
	log_msg(LOG_DEBUG, "dropped");
	ck_assert_int_eq(errno, EACCES);
	char *out = capture_end(NULL);
	ck_assert_str_eq(out, "p: error: open: No such file or directory\n");
	free(out);
}
END_TEST

/* Several processes logging at once: every line arrives whole, which only
 * holds when each line is a single write. */
START_TEST(concurrent_lines_do_not_interleave)
{
	enum { KIDS = 4, LINES = 300 };
	capture_begin();
	log_init("w", LOG_INFO);
	pid_t kids[KIDS];
	/* The pipe would fill before we read: read in the parent as they write. */
	for (int k = 0; k < KIDS; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			close(cap_pipe[0]);
			for (int i = 0; i < LINES; i++)
				log_msg(LOG_INFO, "kid %d line %d %s", k, i,
				        "padding-padding-padding-padding-padding-padding");
			_exit(0);
		}
	}
	/* Our own copy of the write end must go before reading to EOF. */
	ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	ck_assert_ptr_nonnull(buf);
	for (;;) {
		ssize_t r = read(cap_pipe[0], buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(cap_pipe[0]);
	close(saved_stderr);
	for (int k = 0; k < KIDS; k++) {
		int st;
		ck_assert_int_eq(waitpid(kids[k], &st, 0), kids[k]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	int seen[KIDS] = {0}, lines = 0;
	for (char *line = buf, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		int k, i, used = 0;
		*nl = '\0';
		int ok =
		    sscanf(line, "w: info: kid %d line %d %n", &k, &i, &used) == 2 &&
		    strcmp(line + used, "padding-padding-padding-padding-padding-padding") == 0 &&
		    k >= 0 && k < KIDS && i == seen[k];
		ck_assert_msg(ok, "mangled line: %s", line);
		seen[k]++;
		lines++;
	}
	ck_assert_int_eq(lines, KIDS * LINES);
	free(buf);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");
	tcase_add_test(tc, prefix_and_levels);
	tcase_add_test(tc, threshold);
	tcase_add_test(tc, edges);
	tcase_add_test(tc, long_message_truncated);
	tcase_add_test(tc, errno_preserved);
	tcase_add_test(tc, concurrent_lines_do_not_interleave);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(log_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
