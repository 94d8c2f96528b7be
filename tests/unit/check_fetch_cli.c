/* Check suite for fetch/cli.c: options, their validation, usage errors. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"

static struct fetch_opts O;
static int First;
static char Err[512];

/* Parses the NULL-terminated arguments after "fetch". */
static enum fetch_cli parse(char *a, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"fetch";
	va_start(ap, a);
	for (char *s = a; s && argc < 31; s = va_arg(ap, char *))
		argv[argc++] = s;
	va_end(ap);
	argv[argc] = NULL;
	Err[0] = '\0';
	return fetch_cli_parse(argc, argv, &O, &First, Err, sizeof(Err));
}

START_TEST(defaults)
{
	ck_assert_int_eq(parse("http://h/", NULL), FETCH_CLI_RUN);
	ck_assert_int_eq(First, 1);
	ck_assert_ptr_null(O.output);
	ck_assert_int_eq(O.redirects, 1);
	ck_assert_int_eq(O.timeout_s, FETCH_TIMEOUT_S);
	ck_assert_int_eq(O.max_time_s, 0);
	ck_assert_int_eq(O.family, AF_UNSPEC);
	ck_assert_int_eq(O.quiet + O.verbose + O.head_only + O.resume, 0);
}
END_TEST

START_TEST(every_option)
{
	ck_assert_int_eq(parse("-q", "-v", "-I", "-r", "-A", "-6", "-o", "out", "-T", "5",
			       "--max-time", "60", "--user-agent", "ua/1", "-H", "X-A: b",
			       "--header", "X-C:d", "http://h/", NULL),
			 FETCH_CLI_RUN);
	ck_assert_int_eq(O.quiet, 1);
	ck_assert_int_eq(O.verbose, 1);
	ck_assert_int_eq(O.head_only, 1);
	ck_assert_int_eq(O.resume, 1);
	ck_assert_int_eq(O.redirects, 0);
	ck_assert_int_eq(O.family, AF_INET6);
	ck_assert_str_eq(O.output, "out");
	ck_assert_int_eq(O.timeout_s, 5);
	ck_assert_int_eq(O.max_time_s, 60);
	ck_assert_str_eq(O.user_agent, "ua/1");
	ck_assert_uint_eq(O.nheaders, 2);
	ck_assert_str_eq(O.headers[1], "X-C:d");
	ck_assert_int_eq(First, 19);
	ck_assert_int_eq(parse("--no-redirect", "-4", "u1", "u2", "u3", NULL), FETCH_CLI_RUN);
	ck_assert_int_eq(O.redirects, 0);
	ck_assert_int_eq(O.family, AF_INET);
	ck_assert_int_eq(First, 3);
	/* Options after the URL are options too (getopt_long permutes). */
	ck_assert_int_eq(parse("u1", "-q", NULL), FETCH_CLI_RUN);
	ck_assert_int_eq(O.quiet, 1);
	ck_assert_int_eq(parse("--help", NULL), FETCH_CLI_HELP);
	ck_assert_int_eq(parse("--version", NULL), FETCH_CLI_VERSION);
}
END_TEST

START_TEST(usage_errors)
{
	ck_assert_int_eq(parse(NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("-Z", "u", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("--nope", "u", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("u", "-o", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("-T", "0", "u", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("-T", "1x", "u", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("-T", "-1", "u", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("-T", "99999999999999999999", "u", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("--max-time", "", "u", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("-o", "f", "u1", "u2", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("-o", "-", "u1", "u2", NULL), FETCH_CLI_RUN);
	ck_assert_int_eq(parse("-o", "/", "u1", "u2", NULL), FETCH_CLI_RUN); /* a directory */
	ck_assert_int_eq(parse("-r", "-o", "-", "u", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("--user-agent", "a\r\nX: y", "u", NULL), FETCH_CLI_USAGE);
	ck_assert(Err[0] != '\0');
}
END_TEST

START_TEST(header_validation)
{
	static const struct { const char *h; int ok; } rows[] = {
		{"X-A: b", 1},       {"X-A:b", 1},          {"X-A:", 1},
		{"X-A: b\tc", 1},    {"!#$%&'*+-.^_`|~09az: v", 1},
		{"X-A", 0},          {": v", 0},            {"X A: b", 0},
		{"X-A : b", 0},      {"X(A): b", 0},        {"X-A: b\r\nY: c", 0},
		{"X-A: b\n", 0},     {"X-A: b\r", 0},       {"X-A: \x01", 0},
		{"X-A: \x7f", 0},    {"Content-Length: 5", 0}, {"transfer-encoding: chunked", 0},
		{"X\xc3\xa9: v", 0},
	};
	char err[256];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err[0] = '\0';
		int r = fetch_cli_header_ok(rows[i].h, err, sizeof(err));
		ck_assert_msg((r == 0) == rows[i].ok, "'%s'", rows[i].h);
		if (!rows[i].ok)
			ck_assert(err[0] != '\0');
	}
	ck_assert_int_eq(parse("-H", "Bad Name: x", "u", NULL), FETCH_CLI_USAGE);
}
END_TEST

START_TEST(too_many_headers)
{
	char *argv[FETCH_HEADERS_MAX * 2 + 8];
	int argc = 0;
	argv[argc++] = (char *)"fetch";
	for (int i = 0; i <= FETCH_HEADERS_MAX; i++) {
		argv[argc++] = (char *)"-H";
		argv[argc++] = (char *)"X: y";
	}
	argv[argc++] = (char *)"u";
	argv[argc] = NULL;
	ck_assert_int_eq(fetch_cli_parse(argc, argv, &O, &First, Err, sizeof(Err)), FETCH_CLI_USAGE);
}
END_TEST

#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

START_TEST(download_options)
{
	ck_assert_int_eq(parse("-N", "--compressed", "--content-disposition", "--checksum",
			       "SHA256=" SHA256_ABC, "http://h/", NULL),
			 FETCH_CLI_RUN);
	ck_assert_int_eq(O.timestamping + O.compressed + O.content_disposition, 3);
	ck_assert_str_eq(O.checksum.algo, "sha256");
	ck_assert_uint_eq(O.checksum.len, 32);
	ck_assert_uint_eq(O.checksum.want[0], 0xba);
	/* -i alone is enough; URLs may come from both. */
	ck_assert_int_eq(parse("-i", "-", NULL), FETCH_CLI_RUN);
	ck_assert_str_eq(O.input, "-");
	ck_assert_int_eq(parse("--input-file", "list", "http://h/", NULL), FETCH_CLI_RUN);
	ck_assert_int_eq(First, 3);
	ck_assert_uint_eq(O.tries, FETCH_TRIES);
	ck_assert_int_eq(parse("-t", "5", "http://h/", NULL), FETCH_CLI_RUN);
	ck_assert_uint_eq(O.tries, 5);
	ck_assert_int_eq(parse("--tries", "100", "http://h/", NULL), FETCH_CLI_RUN);
	ck_assert_int_eq(parse("-t", "0", "http://h/", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("-t", "101", "http://h/", NULL), FETCH_CLI_USAGE);
	ck_assert_int_eq(parse("-t", "x", "http://h/", NULL), FETCH_CLI_USAGE);
}
END_TEST

START_TEST(download_option_errors)
{
	static char *bad[][6] = {
		{"--checksum", "md5=d41d8cd98f00b204e9800998ecf8427e", "http://h/"},
		{"--checksum", "sha256=abc", "http://h/"},
		{"--checksum", "sha256", "http://h/"},
		{"--checksum", "sha256=" SHA256_ABC "00", "http://h/"},
		{"--checksum", "sha256=zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		 "http://h/"},
		{"--checksum", "sha256=" SHA256_ABC, "-o", "-", "http://h/"},
		{"--checksum", "sha256=" SHA256_ABC, "http://h/", "http://h/2"},
		{"--checksum", "sha256=" SHA256_ABC, "-i", "list"},
		{"-N", "-o", "-", "http://h/"},
		{"-r", "--compressed", "http://h/"},
		{"-r", "--content-disposition", "http://h/"},
		{"-r", "-N", "http://h/"},
		{"-i", "list", "-o", "onefile"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[8] = {(char *)"fetch"};
		int argc = 1;
		for (int j = 0; j < 6 && bad[i][j]; j++)
			argv[argc++] = bad[i][j];
		ck_assert_msg(fetch_cli_parse(argc, argv, &O, &First, Err, sizeof(Err)) ==
				      FETCH_CLI_USAGE,
			      "row %zu accepted", i);
		ck_assert_msg(Err[0], "row %zu: no reason", i);
	}
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("fetch_cli");
	TCase *t = tcase_create("core");
	tcase_add_test(t, defaults);
	tcase_add_test(t, every_option);
	tcase_add_test(t, usage_errors);
	tcase_add_test(t, header_validation);
	tcase_add_test(t, too_many_headers);
	tcase_add_test(t, download_options);
	tcase_add_test(t, download_option_errors);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(cli_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
