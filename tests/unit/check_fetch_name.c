/* Check suite for fetch/name.c: the output file name rule. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"

START_TEST(name_rule)
{
	static const struct { const char *target, *want; } rows[] = {
		{"/", "index.html"},
		{"/dir/", "index.html"},
		{"/file.txt", "file.txt"},
		{"/a/b/c.tar.gz?x=1&y=2", "c.tar.gz"},
		{"/a/b?q=/etc/passwd", "b"},
		{"/caf%C3%A9%20menu.txt", "caf\xc3\xa9 menu.txt"},
		{"/a%2Fb", "a_b"},            /* an encoded slash never makes a directory */
		{"/..", "_."},
		{"/%2e%2e", "_."},
		{"/.hidden", "_hidden"},
		{"/%2Ehidden", "_hidden"},
		{"/.", "_"},
		{"/x%00y", "x_y"},            /* NUL */
		{"/x%0Ay%0d", "x_y_"},        /* LF, CR */
		{"/x%7Fy", "x_y"},
		{"/100%", "100%"},            /* a malformed escape is kept as it was */
		{"/a%zzb", "a%zzb"},
		{"/back%5Cslash", "back_slash"},
		{"?only=query", "index.html"},
		{"/dir/?q", "index.html"},
	};
	char out[FETCH_NAME_MAX + 1];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fetch_name_from_target(rows[i].target, out, sizeof(out));
		ck_assert_msg(strcmp(out, rows[i].want) == 0, "'%s' gave '%s', want '%s'",
			      rows[i].target, out, rows[i].want);
	}
}
END_TEST

START_TEST(long_names_are_cut)
{
	char target[1000], out[FETCH_NAME_MAX + 1];

	target[0] = '/';
	memset(target + 1, 'n', sizeof(target) - 2);
	target[sizeof(target) - 1] = '\0';
	fetch_name_from_target(target, out, sizeof(out));
	ck_assert_uint_eq(strlen(out), FETCH_NAME_MAX);
	/* A smaller buffer is respected too. */
	fetch_name_from_target("/abcdef", out, 4);
	ck_assert_str_eq(out, "abc");
}
END_TEST

/* --content-disposition: filename* first, the same safety rules. */
START_TEST(disposition_rule)
{
	static const struct { const char *value, *want; } rows[] = {
		{"attachment; filename=plain.txt", "plain.txt"},
		{"attachment; filename=\"quoted name.txt\"", "quoted name.txt"},
		{"attachment; filename=\"a\\\"b.txt\"", "a\"b.txt"},
		{"inline;filename=x", "x"},
		{"attachment; filename=trailing.txt; ", "trailing.txt"},
		{"attachment;filename=\"a;b.txt\";size=3", "a;b.txt"},
		{"attachment; filename=\"old.txt\"; filename*=UTF-8''%e2%82%ac%20rates.txt",
		 "\xe2\x82\xac rates.txt"},
		{"attachment; filename*=utf-8'en'caf%C3%A9; filename=cafe", "caf\xc3\xa9"},
		{"attachment; filename*=iso-8859-1''caf%E9", "caf\xc3\xa9"},
		/* An unknown charset or a bad escape: filename instead. */
		{"attachment; filename*=KOI8-R''x; filename=fallback", "fallback"},
		{"attachment; filename*=UTF-8''%zz; filename=fallback", "fallback"},
		/* Never a path, never hidden, no control bytes. */
		{"attachment; filename=\"../../etc/passwd\"", "passwd"},
		{"attachment; filename=\"C:\\\\dir\\\\evil.exe\"", "evil.exe"},
		{"attachment; filename*=UTF-8''..%2F..%2Fx", "x"},
		{"attachment; filename=.bashrc", "_bashrc"},
		{"attachment; filename*=UTF-8''a%0Ab%1Bc", "a_b_c"},
		{"attachment; filename=\"..\"", "_."},
	};
	static const char *const none[] = {
		"attachment", "attachment; size=3", "attachment; filename=", "attachment; filename=\"\"",
		"attachment; filename=\"a/\"", "attachment; filename=\"unterminated",
		"attachment; filename", "attachment; filename*=UTF-8''",
	};
	char out[FETCH_NAME_MAX + 1];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r = fetch_name_from_disposition(rows[i].value, strlen(rows[i].value), out,
						    sizeof(out));
		ck_assert_msg(r == 0 && strcmp(out, rows[i].want) == 0, "'%s' gave %d '%s', want '%s'",
			      rows[i].value, r, r == 0 ? out : "", rows[i].want);
	}
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		ck_assert_msg(fetch_name_from_disposition(none[i], strlen(none[i]), out, sizeof(out)) != 0,
			      "'%s' gave '%s'", none[i], out);
}
END_TEST

static Suite *name_suite(void)
{
	Suite *s = suite_create("fetch_name");
	TCase *t = tcase_create("core");
	tcase_add_test(t, name_rule);
	tcase_add_test(t, long_names_are_cut);
	tcase_add_test(t, disposition_rule);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(name_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
