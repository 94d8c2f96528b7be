/* Check suite for fetch/retry.c: what is retried and how long fetch waits. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "retry.h"

#define NOW 1445412480 /* Wed, 21 Oct 2015 07:28:00 GMT */

static long delay(unsigned retry, const char *after, long cap_ms, int *from_server)
{
	return fetch_retry_delay_ms(retry, after, after ? strlen(after) : 0, NOW, cap_ms, from_server);
}

START_TEST(statuses)
{
	for (int s = 100; s < 600; s++)
		ck_assert_int_eq(fetch_retry_status(s), s == 408 || s == 429 || s == 500 || s == 502 ||
								s == 503 || s == 504);
}
END_TEST

START_TEST(exponential_and_capped)
{
	static const long want[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
	int fs;

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(delay(i + 1, NULL, -1, &fs), want[i]);
		ck_assert_int_eq(fs, 0);
	}
	ck_assert_int_eq(delay(1000, NULL, -1, &fs), 30000);
	ck_assert_int_eq(delay(4, NULL, 50, &fs), 50); /* the environment's lower cap */
	ck_assert_int_eq(delay(1, NULL, 5000, &fs), 1000);
}
END_TEST

START_TEST(retry_after_seconds)
{
	int fs;

	ck_assert_int_eq(delay(1, "7", -1, &fs), 7000);
	ck_assert_int_eq(fs, 1);
	ck_assert_int_eq(delay(5, "120", -1, &fs), 120000);
	ck_assert_int_eq(delay(1, "0", -1, &fs), 0);
	ck_assert_int_eq(delay(1, "100000", -1, &fs), FETCH_RETRY_AFTER_CAP_S * 1000L);
	ck_assert_int_eq(delay(1, "99999999999999999999", -1, &fs), FETCH_RETRY_AFTER_CAP_S * 1000L);
	ck_assert_int_eq(delay(1, "7", 50, &fs), 50);
	/* Not a number nor a date: the back-off's own wait. */
	static const char *const junk[] = {"", "soon", "7x", "-5", "1.5", "Wed, 32 Oct 2015"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		ck_assert_int_eq(delay(3, junk[i], -1, &fs), 4000);
		ck_assert_int_eq(fs, 0);
	}
}
END_TEST

/* An HTTP date on every day of the week, either side of a second. */
START_TEST(retry_after_dates)
{
	char d[DATE_LEN + 1];
	int fs;

	for (int day = 0; day < 7; day++) {
		time_t now = NOW + day * 86400L;
		date_format(now + 2, d);
		ck_assert_int_eq(fetch_retry_delay_ms(1, d, strlen(d), now, -1, &fs), 2000);
		ck_assert_int_eq(fs, 1);
		ck_assert_int_eq(fetch_retry_delay_ms(1, d, strlen(d), now + 1, -1, &fs), 1000);
		ck_assert_int_eq(fetch_retry_delay_ms(1, d, strlen(d), now + 2, -1, &fs), 0);
		ck_assert_int_eq(fetch_retry_delay_ms(1, d, strlen(d), now + 3, -1, &fs), 0);
		date_format(now + 86400, d);
		ck_assert_int_eq(fetch_retry_delay_ms(1, d, strlen(d), now, -1, &fs),
				 FETCH_RETRY_AFTER_CAP_S * 1000L);
	}
}
END_TEST

static Suite *retry_suite(void)
{
	Suite *s = suite_create("fetch_retry");
	TCase *t = tcase_create("core");
	tcase_add_test(t, statuses);
	tcase_add_test(t, exponential_and_capped);
	tcase_add_test(t, retry_after_seconds);
	tcase_add_test(t, retry_after_dates);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(retry_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
