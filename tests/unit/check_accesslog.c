/* Check suite for httpd/accesslog: line format, escaping, cutting, buffering. */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"

static const char *const stamp = "[10/Oct/2000:13:55:36 -0700]";

static char *fmt(const struct accesslog_entry *e, size_t cap)
{
	static char line[ACCESSLOG_LINE_MAX + 1];
	ck_assert_uint_le(cap, ACCESSLOG_LINE_MAX);
	size_t n = accesslog_format(line, cap, e, stamp);
	ck_assert_uint_lt(n, cap);
	line[n] = '\0';
	return line;
}

START_TEST(combined_format)
{
	struct accesslog_entry e = {
		.host = "127.0.0.1", .method = "GET", .target = "/apache_pb.gif", .target_len = 14,
		.major = 1, .minor = 0, .status = 200, .bytes = 2326,
		.referer = "http://www.example.com/start.html", .referer_len = 33,
		.agent = "Mozilla/4.08 [en] (Win98; I ;Nav)", .agent_len = 33,
	};
	ck_assert_str_eq(fmt(&e, ACCESSLOG_LINE_MAX),
			 "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 "
			 "2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"\n");
}
END_TEST

START_TEST(absent_fields_are_dashes)
{
	struct accesslog_entry e = {.method = "HEAD", .target = "/", .target_len = 1, .major = 1,
				    .minor = 1, .status = 304, .bytes = 0};
	ck_assert_str_eq(fmt(&e, ACCESSLOG_LINE_MAX),
			 "- - - [10/Oct/2000:13:55:36 -0700] \"HEAD / HTTP/1.1\" 304 0 \"-\" \"-\"\n");
}
END_TEST

START_TEST(raw_line_when_unparsed)
{
	struct accesslog_entry e = {.host = "::1", .line = "FOO \"BAR\"", .line_len = 9,
				    .status = 400, .bytes = 133};
	ck_assert_str_eq(fmt(&e, ACCESSLOG_LINE_MAX),
			 "::1 - - [10/Oct/2000:13:55:36 -0700] \"FOO \\x22BAR\\x22\" 400 133 \"-\" \"-\"\n");
	/* Nothing read at all: "-" inside the quotes. */
	struct accesslog_entry none = {.host = "::1", .status = 408};
	ck_assert_str_eq(fmt(&none, ACCESSLOG_LINE_MAX),
			 "::1 - - [10/Oct/2000:13:55:36 -0700] \"-\" 408 0 \"-\" \"-\"\n");
}
END_TEST

/* Quotes, backslashes, control bytes and high bytes cannot forge a field or a line. */
START_TEST(escapes_client_text)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} rows[] = {
		{"plain", 5, "plain"},
		{"a\"b", 3, "a\\x22b"},
		{"back\\slash", 10, "back\\x5Cslash"},
		{"new\nline\r", 9, "new\\x0Aline\\x0D"},
		{"nul\0x", 5, "nul\\x00x"},
		{"tab\tdel\x7f", 8, "tab\\x09del\\x7F"},
		{"\xc3\xa9", 2, "\\xC3\\xA9"},
		{"\x1b[31m", 5, "\\x1B[31m"},
	};
	char out[64];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t n = accesslog_escape(out, sizeof out, rows[i].in, rows[i].n);
		ck_assert_uint_eq(n, strlen(rows[i].out));
		ck_assert_int_eq(memcmp(out, rows[i].out, n), 0);
	}
}
END_TEST

START_TEST(escape_never_splits)
{
	char out[8];
	/* 7 bytes of room: "ab" + one whole escape fits (6), a second does not. */
	size_t n = accesslog_escape(out, 7, "ab\"\"", 4);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(memcmp(out, "ab\\x22", 6), 0);
	ck_assert_uint_eq(accesslog_escape(out, 3, "\"", 1), 0);
}
END_TEST

START_TEST(request_fields_escaped_in_line)
{
	const char *agent = "evil\" 200 0 \"-\" \"x\nfake line";
	struct accesslog_entry e = {.host = "10.0.0.1", .method = "GET", .target = "/a\"b c",
				    .target_len = 6, .major = 1, .minor = 1, .status = 404,
				    .bytes = 10, .agent = agent, .agent_len = strlen(agent)};
	char *line = fmt(&e, ACCESSLOG_LINE_MAX);
	ck_assert_str_eq(line, "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /a\\x22b c HTTP/1.1\" "
			       "404 10 \"-\" \"evil\\x22 200 0 \\x22-\\x22 \\x22x\\x0Afake line\"\n");
	/* One line, exactly six quote characters. */
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
	int quotes = 0;
	for (char *p = line; *p; p++)
		quotes += *p == '"';
	ck_assert_int_eq(quotes, 6);
}
END_TEST

START_TEST(long_fields_cut_line_bounded)
{
	size_t big = 3 * ACCESSLOG_LINE_MAX;
	char *s = malloc(big);
	ck_assert_ptr_nonnull(s);
	memset(s, '"', big); /* every byte escapes to four */
	struct accesslog_entry e = {.host = "1.2.3.4", .method = "GET", .target = s,
				    .target_len = big, .major = 1, .minor = 1, .status = 414,
				    .bytes = 1, .referer = s, .referer_len = big, .agent = s,
				    .agent_len = big};
	char *line = fmt(&e, ACCESSLOG_LINE_MAX);
	size_t n = strlen(line);
	ck_assert_uint_lt(n, ACCESSLOG_LINE_MAX);
	ck_assert_int_eq(line[n - 1], '\n');
	/* The version survives the cut target, and every field is still there. */
	ck_assert_ptr_nonnull(strstr(line, " HTTP/1.1\" 414 1 \""));
	ck_assert_ptr_eq(strchr(line, '\n'), line + n - 1); /* one line */

	/* A tiny buffer still gives one terminated line, never an overflow. */
	char small[16];
	size_t m = accesslog_format(small, sizeof small, &e, stamp);
	ck_assert_uint_lt(m, sizeof small);
	ck_assert_int_eq(small[m - 1], '\n');
	free(s);
}
END_TEST

START_TEST(stamp_shape)
{
	char out[ACCESSLOG_STAMP_LEN + 1];
	setenv("TZ", "UTC", 1);
	tzset();
	accesslog_stamp((time_t)971186136, out); /* 2000-10-10 13:55:36 UTC */
	ck_assert_str_eq(out, "[10/Oct/2000:13:55:36 +0000]");
	setenv("TZ", "PST8PDT", 1);
	tzset();
	accesslog_stamp((time_t)971186136, out);
	ck_assert_str_eq(out, "[10/Oct/2000:06:55:36 -0700]");
	setenv("TZ", "UTC", 1);
	tzset();
}
END_TEST

/* Lines are buffered, written whole on flush, and appended to the file. */
START_TEST(buffered_file_log)
{
	char path[] = "/tmp/check_accesslog.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct accesslog l;
	char err[256];
	ck_assert_int_eq(accesslog_open(&l, path, err, sizeof err), 0);
	ck_assert(accesslog_on(&l));
	struct accesslog_entry e = {.host = "127.0.0.1", .method = "GET", .target = "/x",
				    .target_len = 2, .major = 1, .minor = 1, .status = 200, .bytes = 5};
	for (int i = 0; i < 3; i++)
		accesslog_add(&l, &e, (time_t)971186136);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq((int)st.st_size, 0); /* still buffered */
	accesslog_flush(&l);
	ck_assert_int_eq(stat(path, &st), 0);
	size_t one = strlen("127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET /x HTTP/1.1\" 200 5 "
			    "\"-\" \"-\"\n");
	ck_assert_uint_eq((size_t)st.st_size, 3 * one);
	/* Enough lines to pass the buffer: the early ones were flushed on the way. */
	for (int i = 0; i < 2000; i++)
		accesslog_add(&l, &e, (time_t)971186136);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_gt((size_t)st.st_size, 3 * one);
	ck_assert_uint_eq((size_t)st.st_size % one, 0); /* whole lines only */
	/* Rotation: reopen writes to the new file. */
	char moved[64];
	snprintf(moved, sizeof moved, "%s.1", path);
	ck_assert_int_eq(rename(path, moved), 0);
	ck_assert_int_eq(accesslog_reopen(&l), 0);
	accesslog_add(&l, &e, (time_t)971186136);
	accesslog_close(&l);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq((size_t)st.st_size, one);
	ck_assert_int_eq(stat(moved, &st), 0);
	ck_assert_uint_eq((size_t)st.st_size, 2003 * one);
	unlink(path);
	unlink(moved);
}
END_TEST

/* To a pipe the buffer goes in line-aligned pieces; every line arrives whole. */
START_TEST(pipe_log_whole_lines)
{
	char path[] = "/tmp/check_accesslog_fifo.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(path));
	char fifo[64];
	snprintf(fifo, sizeof fifo, "%s/p", path);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	int rd = open(fifo, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rd, 0);
	struct accesslog l;
	char err[256];
	ck_assert_int_eq(accesslog_open(&l, fifo, err, sizeof err), 0);
	ck_assert_int_eq(l.stream, 1);
	char agent[300];
	memset(agent, 'u', sizeof agent);
	struct accesslog_entry e = {.host = "127.0.0.1", .method = "GET", .target = "/x",
				    .target_len = 2, .major = 1, .minor = 1, .status = 200, .bytes = 5,
				    .agent = agent, .agent_len = sizeof agent};
	for (int i = 0; i < 100; i++)
		accesslog_add(&l, &e, (time_t)971186136);
	accesslog_flush(&l);
	static char got[65536];
	ssize_t n = read(rd, got, sizeof got);
	size_t one = strlen("127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET /x HTTP/1.1\" 200 5 "
			    "\"-\" \"\"\n") + sizeof agent;
	ck_assert_int_eq((int)n, (int)(100 * one));
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(got[(size_t)(i + 1) * one - 1], '\n');
	accesslog_close(&l);
	close(rd);
	unlink(fifo);
	rmdir(path);
}
END_TEST

/* A socket on stderr (systemd's journal stream) is cut like a pipe: several
 * workers write to it, and a longer write can be split where another
 * worker's bytes then land. A SOCK_SEQPACKET pair shows each write apart. */
START_TEST(socket_log_whole_lines)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	int saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(sv[1], STDERR_FILENO), STDERR_FILENO);
	struct accesslog l;
	char err[256];
	ck_assert_int_eq(accesslog_open(&l, "-", err, sizeof err), 0);
	char agent[300];
	memset(agent, 'u', sizeof agent);
	struct accesslog_entry e = {.host = "127.0.0.1", .method = "GET", .target = "/x",
				    .target_len = 2, .major = 1, .minor = 1, .status = 200,
				    .agent = agent, .agent_len = sizeof agent};
	for (int i = 0; i < 100; i++)
		accesslog_add(&l, &e, (time_t)971186136);
	accesslog_flush(&l);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(sv[1]);
	static char got[65536];
	size_t total = 0;
	ssize_t n;
	while ((n = recv(sv[0], got, sizeof got, MSG_DONTWAIT)) > 0) {
		ck_assert_int_le((int)n, PIPE_BUF);
		ck_assert_int_eq(got[n - 1], '\n');
		total += (size_t)n;
	}
	size_t one = strlen("127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET /x HTTP/1.1\" 200 0 "
			    "\"-\" \"\"\n") + sizeof agent;
	ck_assert_uint_eq(total, 100 * one);
	accesslog_close(&l);
	close(sv[0]);
}
END_TEST

START_TEST(off_and_bad_path)
{
	struct accesslog l;
	char err[256] = "";
	ck_assert_int_eq(accesslog_open(&l, NULL, err, sizeof err), 0);
	ck_assert(!accesslog_on(&l));
	struct accesslog_entry e = {.status = 200};
	accesslog_add(&l, &e, 0); /* a no-op, not a crash */
	accesslog_close(&l);
	ck_assert_int_eq(accesslog_open(&l, "/nonexistent-dir/x/log", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x/log"));
}
END_TEST

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	Suite *s = suite_create("accesslog");
	TCase *t = tcase_create("core");
	tcase_add_test(t, combined_format);
	tcase_add_test(t, absent_fields_are_dashes);
	tcase_add_test(t, raw_line_when_unparsed);
	tcase_add_test(t, escapes_client_text);
	tcase_add_test(t, escape_never_splits);
	tcase_add_test(t, request_fields_escaped_in_line);
	tcase_add_test(t, long_fields_cut_line_bounded);
	tcase_add_test(t, stamp_shape);
	tcase_add_test(t, buffered_file_log);
	tcase_add_test(t, pipe_log_whole_lines);
	tcase_add_test(t, socket_log_whole_lines);
	tcase_add_test(t, off_and_bad_path);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
