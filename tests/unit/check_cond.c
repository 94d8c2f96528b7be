/* check_cond: ETag format, entity-tag lists, the RFC 9110 13.2.2 order of
 * preconditions, If-Range. Every date rule is tried on all seven weekdays
 * and on both sides of a second boundary; no test reads the clock. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "date.h"

/* Sun, 06 Nov 1994 08:49:37 GMT */
#define T0 ((time_t)784111777)
#define DAY ((time_t)86400)

START_TEST(test_etag_format)
{
	char e[COND_ETAG_MAX];
	size_t n = cond_etag(e, (time_t)0x5f5e100, (off_t)0x1234, 0);

	ck_assert_str_eq(e, "\"5f5e100-1234\"");
	ck_assert_uint_eq(n, strlen(e));
	n = cond_etag(e, (time_t)0x5f5e100, (off_t)0x1234, 1);
	ck_assert_str_eq(e, "\"5f5e100-1234-gz\""); /* the twin: another representation */
	n = cond_etag(e, (time_t)0x7fffffffffffffffLL, (off_t)0x7fffffffffffffffLL, 1);
	ck_assert_uint_eq(n, strlen(e));
	ck_assert_uint_lt(n, COND_ETAG_MAX);
}
END_TEST

START_TEST(test_last_modified_never_after_date)
{
	ck_assert_int_eq(cond_last_modified(T0, T0 + 1), T0);
	ck_assert_int_eq(cond_last_modified(T0, T0), T0);
	ck_assert_int_eq(cond_last_modified(T0 + 3600, T0), T0); /* a future mtime */
}
END_TEST

struct tag_case {
	const char *v;
	int weak, strong;
};

static const struct tag_case tag_cases[] = {
	{"\"abc\"", 1, 1},
	{"W/\"abc\"", 1, 0}, /* a weak tag never matches strongly */
	{"*", 1, 1},
	{"\"x\", \"abc\"", 1, 1},
	{"\"x\",W/\"abc\"", 1, 0},
	{" \"x\" ,  \"abc\" ", 1, 1},
	{"\"x\"", 0, 0},
	{"\"abcd\"", 0, 0},
	{"\"ab\"", 0, 0},
	{"abc", 0, 0},
	{"\"abc", 0, 0},
	{"", 0, 0},
	{"\"x\", *", 1, 1},
	{"w/\"abc\"", 0, 0}, /* the weak prefix is case-sensitive */
};

START_TEST(test_tag_match)
{
	const struct tag_case *c = &tag_cases[_i];

	ck_assert_msg(cond_tag_match(c->v, strlen(c->v), "\"abc\"", 5, 0) == c->weak, "%s", c->v);
	ck_assert_msg(cond_tag_match(c->v, strlen(c->v), "\"abc\"", 5, 1) == c->strong, "%s", c->v);
}
END_TEST

/* Appends "name: value\r\n" when value is not NULL. */
static void field(char *raw, size_t cap, const char *name, const char *value)
{
	size_t n = strlen(raw);

	if (value != NULL)
		snprintf(raw + n, cap - n, "%s: %s\r\n", name, value);
}

/* A GET with these precondition fields (NULL: absent), parsed by lib/http. */
static int check(const char *im, const char *ius, const char *inm, const char *ims, time_t lm)
{
	struct cond_validators v = {"\"abc\"", 5, lm, lm + DAY};
	char raw[512] = "GET / HTTP/1.1\r\nHost: x\r\n";
	struct http_msg m;
	size_t used;
	int r;

	field(raw, sizeof(raw), "If-Match", im);
	field(raw, sizeof(raw), "If-Unmodified-Since", ius);
	field(raw, sizeof(raw), "If-None-Match", inm);
	field(raw, sizeof(raw), "If-Modified-Since", ims);
	strcat(raw, "\r\n");
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(http_msg_feed(&m, raw, strlen(raw), &used), HTTP_HEAD_DONE);
	r = cond_check(&m.head, &v);
	http_msg_free(&m);
	return r;
}

/* RFC 9110 13.2.2: If-Match, else If-Unmodified-Since (412); then
 * If-None-Match, else If-Modified-Since (304); dates on every weekday and
 * on both sides of the second. */
START_TEST(test_order_and_dates)
{
	for (int day = 0; day < 7; day++) {
		time_t lm = T0 + day * DAY;
		char at[DATE_LEN + 1], before[DATE_LEN + 1], after[DATE_LEN + 1];

		date_format(lm, at);
		date_format(lm - 1, before);
		date_format(lm + 1, after);
		ck_assert_int_eq(check(NULL, NULL, NULL, NULL, lm), 0);
		/* If-Match */
		ck_assert_int_eq(check("\"abc\"", NULL, NULL, NULL, lm), 0);
		ck_assert_int_eq(check("\"old\"", NULL, NULL, NULL, lm), 412);
		ck_assert_int_eq(check("W/\"abc\"", NULL, NULL, NULL, lm), 412);
		ck_assert_int_eq(check("*", NULL, NULL, NULL, lm), 0);
		/* If-Unmodified-Since, and If-Match deciding alone when present */
		ck_assert_int_eq(check(NULL, at, NULL, NULL, lm), 0);
		ck_assert_int_eq(check(NULL, after, NULL, NULL, lm), 0);
		ck_assert_int_eq(check(NULL, before, NULL, NULL, lm), 412);
		ck_assert_int_eq(check("\"abc\"", before, NULL, NULL, lm), 0);
		ck_assert_int_eq(check(NULL, "not a date", NULL, NULL, lm), 0);
		/* 412 comes before 304 */
		ck_assert_int_eq(check("\"old\"", NULL, "\"abc\"", NULL, lm), 412);
		ck_assert_int_eq(check(NULL, before, NULL, at, lm), 412);
		/* If-None-Match, deciding alone when present */
		ck_assert_int_eq(check(NULL, NULL, "\"abc\"", NULL, lm), 304);
		ck_assert_int_eq(check(NULL, NULL, "W/\"abc\"", NULL, lm), 304);
		ck_assert_int_eq(check(NULL, NULL, "\"zz\"", at, lm), 0);
		ck_assert_int_eq(check(NULL, NULL, "\"abc\"", before, lm), 304);
		ck_assert_int_eq(check("\"abc\"", at, "\"abc\"", NULL, lm), 304);
		/* If-Modified-Since */
		ck_assert_int_eq(check(NULL, NULL, NULL, at, lm), 304);
		ck_assert_int_eq(check(NULL, NULL, NULL, after, lm), 304);
		ck_assert_int_eq(check(NULL, NULL, NULL, before, lm), 0);
		ck_assert_int_eq(check(NULL, NULL, NULL, "garbage", lm), 0);
	}
}
END_TEST

static int if_range(const char *v, time_t lm, time_t now)
{
	struct cond_validators val = {"\"abc\"", 5, lm, now};

	return cond_if_range(v, strlen(v), &val);
}

/* If-Range on every weekday (a date starting "Wed," is no weak tag), on both
 * sides of the second, and with Last-Modified strong or not. */
START_TEST(test_if_range)
{
	ck_assert_int_eq(if_range("\"abc\"", T0, T0 + 1), 1);
	ck_assert_int_eq(if_range("\"abd\"", T0, T0 + 1), 0);
	ck_assert_int_eq(if_range("W/\"abc\"", T0, T0 + 1), 0); /* strong comparison */
	ck_assert_int_eq(if_range("garbage", T0, T0 + 1), 0);
	ck_assert_int_eq(if_range("", T0, T0 + 1), 0);
	for (int day = 0; day < 7; day++) {
		time_t lm = T0 + day * DAY;
		char at[DATE_LEN + 1], before[DATE_LEN + 1], after[DATE_LEN + 1];

		date_format(lm, at);
		date_format(lm - 1, before);
		date_format(lm + 1, after);
		ck_assert_msg(if_range(at, lm, lm + DAY) == 1, "%s", at);
		ck_assert_msg(if_range(at, lm, lm + 1) == 1, "%s", at); /* one second: strong */
		ck_assert_msg(if_range(at, lm, lm) == 0, "%s", at);     /* same second as Date: weak */
		ck_assert_msg(if_range(before, lm, lm + DAY) == 0, "%s", before);
		ck_assert_msg(if_range(after, lm, lm + DAY) == 0, "%s", after);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cond");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_etag_format);
	tcase_add_test(tc, test_last_modified_never_after_date);
	tcase_add_loop_test(tc, test_tag_match, 0, (int)(sizeof(tag_cases) / sizeof(tag_cases[0])));
	tcase_add_test(tc, test_order_and_dates);
	tcase_add_test(tc, test_if_range);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
