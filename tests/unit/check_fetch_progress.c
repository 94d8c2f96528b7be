/* Check suite for fetch/progress.c: the bar's text, and silence when off. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

START_TEST(format_known_length)
{
	char out[128];

	fetch_progress_format(out, sizeof(out), 512 * 1024, 1024 * 1024, 2.0, 256 * 1024);
	ck_assert_str_eq(out, " 50.00%  512.0 KiB  256.0 KiB/s  ETA 00:02");
	fetch_progress_format(out, sizeof(out), 0, 3LL << 30, 0.0, 0);
	ck_assert_str_eq(out, "  0.00%  0 B  0 B/s  ETA --:--");
	fetch_progress_format(out, sizeof(out), 100, 100, 1.0, 100);
	ck_assert_str_eq(out, "100.00%  100 B  100 B/s  ETA 00:00");
	/* Ten minutes and five seconds left. */
	fetch_progress_format(out, sizeof(out), 0, 605, 1.0, 1);
	ck_assert_str_eq(out, "  0.00%  0 B  1 B/s  ETA 10:05");
}
END_TEST

START_TEST(format_unknown_length)
{
	char out[128];

	fetch_progress_format(out, sizeof(out), 5LL << 30, -1, 12.4, 1.5 * (1 << 20));
	ck_assert_str_eq(out, "5.0 GiB  1.5 MiB/s  12 s");
	/* A short buffer is cut, never overrun. */
	fetch_progress_format(out, 8, 5LL << 30, -1, 12.4, 1.5 * (1 << 20));
	ck_assert_str_eq(out, "5.0 GiB");
}
END_TEST

START_TEST(off_counts_silently)
{
	struct fetch_progress p;

	fetch_progress_start(&p, 0, NULL, 10, 100);
	fetch_progress_add(&p, 40);
	fetch_progress_add(&p, 2);
	ck_assert_int_eq(p.done, 42);
	fetch_progress_end(&p);
	ck_assert_int_eq(p.drawn, 0);
}
END_TEST

static Suite *progress_suite(void)
{
	Suite *s = suite_create("fetch_progress");
	TCase *t = tcase_create("core");
	tcase_add_test(t, format_known_length);
	tcase_add_test(t, format_unknown_length);
	tcase_add_test(t, off_counts_silently);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(progress_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
