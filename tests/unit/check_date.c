/* check_date: lib/date.c, table-driven, with timegm() as the reference. */
#include "date.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static time_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}


/* ---- date_format ---- */

static const struct {
	int y, mo, d, h, mi, s;
	const char *want;
} fmt_rows[] = {
    {1970, 1, 1, 0, 0, 0, "Thu, 01 Jan 1970 00:00:00 GMT"},
    {1994, 11, 6, 8, 49, 37, "Sun, 06 Nov 1994 08:49:37 GMT"},
    {2000, 2, 29, 23, 59, 59, "Tue, 29 Feb 2000 23:59:59 GMT"},
    {2024, 2, 29, 12, 0, 0, "Thu, 29 Feb 2024 12:00:00 GMT"},
    {2038, 1, 19, 3, 14, 8, "Tue, 19 Jan 2038 03:14:08 GMT"},
    {2100, 3, 1, 0, 0, 1, "Mon, 01 Mar 2100 00:00:01 GMT"},
    {1969, 12, 31, 23, 59, 59, "Wed, 31 Dec 1969 23:59:59 GMT"},
    {1900, 1, 1, 0, 0, 0, "Mon, 01 Jan 1900 00:00:00 GMT"},
    {9999, 12, 31, 23, 59, 59, "Fri, 31 Dec 9999 23:59:59 GMT"},
};

START_TEST(format_table)
{
	char out[DATE_LEN + 1];
	time_t t = utc(fmt_rows[_i].y, fmt_rows[_i].mo, fmt_rows[_i].d, fmt_rows[_i].h,
	               fmt_rows[_i].mi, fmt_rows[_i].s);
	memset(out, 'x', sizeof out);
	date_format(t, out);
	ck_assert_str_eq(out, fmt_rows[_i].want);
	ck_assert_uint_eq(strlen(out), DATE_LEN);
}
END_TEST

/* Out of the four-digit range: clamped, still exactly DATE_LEN bytes. */
START_TEST(format_clamps)
{
	char out[DATE_LEN + 1];
	date_format(utc(9999, 12, 31, 23, 59, 59) + 86400 * 400LL, out);
	ck_assert_str_eq(out, "Fri, 31 Dec 9999 23:59:59 GMT");
	date_format(utc(1, 1, 1, 0, 0, 0) - 86400 * 400LL, out);
	ck_assert_uint_eq(strlen(out), DATE_LEN);
	ck_assert_str_eq(out + 12, "0001 00:00:00 GMT");
}
END_TEST

/* Agrees with gmtime_r + a C-locale rendering at many points, and parses back. */
START_TEST(format_matches_gmtime_and_roundtrips)
{
	static const char *wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	srandom(12345);
	for (int i = 0; i < 200000; i++) {
		/* Years 1 .. ~9000 with random seconds. */
		long long t = (long long)random() * 131 - 62135596800LL;
		if (i < 1000)
			t = -86400LL * 3 + i * 977;
		char out[DATE_LEN + 1], want[64];
		struct tm tm;
		time_t tt = (time_t)t, back;
		ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
		snprintf(want, sizeof want, "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[tm.tm_wday],
		         tm.tm_mday, mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		         tm.tm_sec);
		date_format(tt, out);
		ck_assert_str_eq(out, want);
		ck_assert_int_eq(date_parse(out, DATE_LEN, &back), 0);
		ck_assert(back == tt);
	}
}
END_TEST

/* ---- date_parse: good inputs ---- */

static const struct {
	const char *in;
	int y, mo, d, h, mi, s;
} good_rows[] = {
    /* the three RFC 9110 examples */
    {"Sun, 06 Nov 1994 08:49:37 GMT", 1994, 11, 6, 8, 49, 37},
    {"Sunday, 06-Nov-94 08:49:37 GMT", 1994, 11, 6, 8, 49, 37},
    {"Sun Nov  6 08:49:37 1994", 1994, 11, 6, 8, 49, 37},
    {"Sun Nov 06 08:49:37 1994", 1994, 11, 6, 8, 49, 37},
    {"Thu, 01 Jan 1970 00:00:00 GMT", 1970, 1, 1, 0, 0, 0},
    {"Wed, 31 Dec 1969 23:59:59 GMT", 1969, 12, 31, 23, 59, 59},
    {"Thu, 29 Feb 2024 12:00:00 GMT", 2024, 2, 29, 12, 0, 0},
    {"Tue, 29 Feb 2000 00:00:00 GMT", 2000, 2, 29, 0, 0, 0},
    {"Tue, 19 Jan 2038 03:14:08 GMT", 2038, 1, 19, 3, 14, 8},
    {"Sat, 01 Jan 2422 00:00:00 GMT", 2422, 1, 1, 0, 0, 0},
    {"Fri, 31 Dec 9999 23:59:59 GMT", 9999, 12, 31, 23, 59, 59},
    {"Thu Feb 29 12:00:00 2024", 2024, 2, 29, 12, 0, 0},
    {"Tue Jan 19 03:14:08 2038", 2038, 1, 19, 3, 14, 8},
    {"Thu Jan  1 00:00:00 1970", 1970, 1, 1, 0, 0, 0},
    {"Monday, 07-Nov-94 08:49:37 GMT", 1994, 11, 7, 8, 49, 37},
    {"Wednesday, 09-Nov-94 23:59:59 GMT", 1994, 11, 9, 23, 59, 59},
    /* a leap second is the next minute's 0 */
    {"Sat, 31 Dec 2016 23:59:60 GMT", 2016, 12, 31, 23, 59, 60},
    /* the weekday name is only spelling-checked */
    {"Mon, 06 Nov 1994 08:49:37 GMT", 1994, 11, 6, 8, 49, 37},
};

START_TEST(parse_good)
{
	time_t t = 12345;
	const char *in = good_rows[_i].in;
	ck_assert_msg(date_parse(in, strlen(in), &t) == 0, "rejected: %s", in);
	time_t want = utc(good_rows[_i].y, good_rows[_i].mo, good_rows[_i].d, good_rows[_i].h,
	                  good_rows[_i].mi, good_rows[_i].s);
	ck_assert_msg(t == want, "%s: got %lld want %lld", in, (long long)t, (long long)want);
}
END_TEST

/* ---- date_parse: bad inputs (t must stay untouched) ---- */

static const char *const bad_rows[] = {
    "",
    "garbage",
    "Sun, 06 Nov 1994 08:49:37 GMT garbage",
    "Sun, 06 Nov 1994 08:49:37 UTC",
    "Sun, 06 Nov 1994 08:49:37 gmt",
    "sun, 06 Nov 1994 08:49:37 GMT",
    "Sun, 06 nov 1994 08:49:37 GMT",
    "Sux, 06 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nox 1994 08:49:37 GMT",
    "Sun,  6 Nov 1994 08:49:37 GMT",
    "Sun, 6 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nov 94 08:49:37 GMT",
    "Sun, 06 Nov 1994 8:49:37 GMT",
    "Sun, 06 Nov 1994 08:49:37  GMT",
    "Sun, 06 Nov 1994 08-49-37 GMT",
    "Sun, 06 Nov 1994 08:49:3a GMT",
    "Sun, 06 Nov 199x 08:49:37 GMT",
    "Sun, 06 Nov +994 08:49:37 GMT",
    "Sun, -6 Nov 1994 08:49:37 GMT",
    "Sun, 00 Nov 1994 08:49:37 GMT",
    "Sun, 31 Nov 1994 08:49:37 GMT",
    "Sun, 32 Dec 1994 08:49:37 GMT",
    "Thu, 29 Feb 2023 00:00:00 GMT",
    "Mon, 29 Feb 2100 00:00:00 GMT",
    "Sun, 06 Nov 1994 24:00:00 GMT",
    "Sun, 06 Nov 1994 08:60:00 GMT",
    "Sun, 06 Nov 1994 08:49:61 GMT",
    "Sun; 06 Nov 1994 08:49:37 GMT",
    "Sun,06 Nov 1994 08:49:37 GMT ",
    "Sunday, 06-Nov-94 08:49:37 UTC",
    "Sunday, 06-Nov-1994 08:49:37 GMT",
    "Sun, 06-Nov-94 08:49:37 GMT",
    "Sundae, 06-Nov-94 08:49:37 GMT",
    "sunday, 06-Nov-94 08:49:37 GMT",
    "Sunday,06-Nov-94 08:49:37 GMT ",
    "Sunday, 06 Nov 94 08:49:37 GMT",
    "Sunday, 31-Apr-94 08:49:37 GMT",
    "Sunday, 06-Nov-9x 08:49:37 GMT",
    "Funday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 94",
    "Sun Nov 6 08:49:37 1994 ",
    "Sun Nov  6 08:49:37 1994 GMT",
    "Sun Nov 31 08:49:37 1994",
    "Sun Nov  0 08:49:37 1994",
    "Sun Nov  x 08:49:37 1994",
    "Sun Nov   6 8:49:37 1994",
    "Xyz Nov  6 08:49:37 1994",
    "Sun Nov  6 25:49:37 1994",
    "Sun Nov  6 08:49:37 19 4",
    "Sun, 06 Nov 1994 08:49:37 GMT\r\n",
    "Sun, 06 Nov 1994 08:49:37 G\0T",
    "1994-11-06T08:49:37Z",
    "784111777",
    "                                ",
    /* lib/http stores values trimmed: whitespace around a date is not one */
    "  Sun, 06 Nov 1994 08:49:37 GMT\t ",
};

START_TEST(parse_bad)
{
	time_t t = 12345;
	const char *in = bad_rows[_i];
	ck_assert_msg(date_parse(in, strlen(in), &t) == -1, "accepted: '%s'", in);
	ck_assert(t == 12345);
}
END_TEST

START_TEST(parse_embedded_nul_and_null_args)
{
	time_t t = 1;
	static const char nul[] = "Sun, 06 Nov 1994 08:49:37 G\0T";
	ck_assert_int_eq(date_parse(nul, sizeof nul - 1, &t), -1);
	ck_assert_int_eq(date_parse(NULL, 0, &t), -1);
	ck_assert_int_eq(date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29, NULL), -1);
	/* n shorter than the string: only n bytes count */
	ck_assert_int_eq(date_parse("Sun, 06 Nov 1994 08:49:37 GMTX", 29, &t), 0);
	ck_assert_int_eq(date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 28, &t), -1);
	ck_assert(t == 784111777);
}
END_TEST

/* Every length-prefix of a valid date is rejected, read from a buffer that
 * ends at an unreadable page, so an over-read crashes the test. */
START_TEST(parse_no_overread)
{
	static const char *const dates[] = {
	    "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
	    "Wednesday, 09-Nov-94 23:59:59 GMT", "Sun Nov  6 08:49:37 1994"};
	long pg = sysconf(_SC_PAGESIZE);
	char *map =
	    mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(map != MAP_FAILED);
	ck_assert_int_eq(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	for (size_t d = 0; d < sizeof dates / sizeof dates[0]; d++) {
		size_t len = strlen(dates[d]);
		for (size_t n = 0; n <= len; n++) {
			char *p = map + pg - n;
			time_t t;
			memcpy(p, dates[d], n);
			ck_assert_int_eq(date_parse(p, n, &t), n == len ? 0 : -1);
		}
	}
	munmap(map, (size_t)pg * 2);
}
END_TEST

/* RFC 9110: a two-digit year more than 50 years ahead is in the past century. */
START_TEST(parse_rfc850_two_digit_year)
{
	/* The clock is the caller's: years around a few fixed "now"s, century
	 * ends included, never the day the test runs. */
	static const int years[] = {2025, 2049, 2050, 2051, 2099, 2100, 1999};
	static const int ahead[] = {0, 1, 10, 49, 51, 60, 99, -1, -10, -49, -51}; /* ±50: either */
	for (size_t k = 0; k < sizeof years / sizeof years[0]; k++) {
		int cur = years[k];
		time_t now = utc(cur, 6, 15, 12, 0, 0);
		for (size_t i = 0; i < sizeof ahead / sizeof ahead[0]; i++) {
			int y = cur + ahead[i];
			int want = ahead[i] > 50 ? y - 100 : ahead[i] < -50 ? y + 100 : y;
			char in[64];
			time_t t;
			snprintf(in, sizeof in, "Thursday, 01-Jan-%02d 00:00:00 GMT", y % 100);
			ck_assert_int_eq(date_parse_at(in, strlen(in), now, &t), 0);
			ck_assert_msg(t == utc(want, 1, 1, 0, 0, 0), "%s at %d: year %d wanted", in,
				      cur, want);
		}
	}
}
END_TEST

static Suite *date_suite(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("format");
	tcase_add_loop_test(tc, format_table, 0, (int)(sizeof fmt_rows / sizeof fmt_rows[0]));
	tcase_add_test(tc, format_clamps);
	tcase_add_test(tc, format_matches_gmtime_and_roundtrips);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse");
	tcase_add_loop_test(tc, parse_good, 0, (int)(sizeof good_rows / sizeof good_rows[0]));
	tcase_add_loop_test(tc, parse_bad, 0, (int)(sizeof bad_rows / sizeof bad_rows[0]));
	tcase_add_test(tc, parse_embedded_nul_and_null_args);
	tcase_add_test(tc, parse_no_overread);
	tcase_add_test(tc, parse_rfc850_two_digit_year);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(date_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
