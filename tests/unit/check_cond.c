/* check_cond: ETag format, If-None-Match, If-Modified-Since, If-Range. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "date.h"

/* Sun, 06 Nov 1994 08:49:37 GMT */
#define T0 ((time_t)784111777)

START_TEST(test_etag_format)
{
	char e[COND_ETAG_MAX];
	size_t n = cond_etag(e, (time_t)0x5f5e100, (off_t)0x1234);

	ck_assert_str_eq(e, "\"5f5e100-1234\"");
	ck_assert_uint_eq(n, strlen(e));
	n = cond_etag(e, (time_t)0x7fffffffffffffffLL, (off_t)0x7fffffffffffffffLL);
	ck_assert_uint_eq(n, strlen(e));
	ck_assert_uint_lt(n, COND_ETAG_MAX);
}
END_TEST

struct inm_case {
	const char *v;
	int want;
};

static const struct inm_case inm_cases[] = {
	{"\"abc\"", 1},
	{"W/\"abc\"", 1}, /* weak comparison */
	{"*", 1},
	{"\"x\", \"abc\"", 1},
	{"\"x\",W/\"abc\"", 1},
	{" \"x\" ,  \"abc\" ", 1},
	{"\"x\"", 0},
	{"\"abcd\"", 0},
	{"\"ab\"", 0},
	{"abc", 0},
	{"\"abc", 0},
	{"", 0},
	{"\"x\", *", 1},
	{"w/\"abc\"", 0}, /* the weak prefix is case-sensitive */
};

START_TEST(test_none_match)
{
	const struct inm_case *c = &inm_cases[_i];

	ck_assert_msg(cond_none_match(c->v, strlen(c->v), "\"abc\"", 5) == c->want, "%s", c->v);
}
END_TEST

START_TEST(test_modified_since)
{
	const char *d = "Sun, 06 Nov 1994 08:49:37 GMT";

	ck_assert_int_eq(cond_unmodified_since(d, strlen(d), T0), 1);
	ck_assert_int_eq(cond_unmodified_since(d, strlen(d), T0 - 100), 1);
	ck_assert_int_eq(cond_unmodified_since(d, strlen(d), T0 + 1), 0);
	ck_assert_int_eq(cond_unmodified_since("yesterday", 9, T0), 0);
	d = "Sunday, 06-Nov-94 08:49:37 GMT";
	ck_assert_int_eq(cond_unmodified_since(d, strlen(d), T0), 1);
	d = "Sun Nov  6 08:49:37 1994";
	ck_assert_int_eq(cond_unmodified_since(d, strlen(d), T0), 1);
}
END_TEST

static void head_init(struct http_head *h)
{
	memset(h, 0, sizeof(*h));
	buffer_init(&h->store, HTTP_HEAD_MAX);
	ck_assert_int_eq(buffer_append(&h->store, "/", 2), 0);
	h->target_len = 1;
	h->major = h->minor = 1;
}

static void head_add(struct http_head *h, const char *name, const char *value)
{
	struct http_field *f = &h->fields[h->nfields++];

	f->name = (uint32_t)h->store.len;
	f->name_len = (uint32_t)strlen(name);
	ck_assert_int_eq(buffer_append(&h->store, name, f->name_len + 1), 0);
	f->value = (uint32_t)h->store.len;
	f->value_len = (uint32_t)strlen(value);
	ck_assert_int_eq(buffer_append(&h->store, value, f->value_len + 1), 0);
}

/* If-None-Match decides alone when present, even against a matching date. */
START_TEST(test_precedence)
{
	struct http_head h;
	char date[DATE_LEN + 1];

	date_format(T0, date);
	head_init(&h);
	ck_assert_int_eq(cond_not_modified(&h, "\"abc\"", 5, T0), 0);
	head_add(&h, "If-Modified-Since", date);
	ck_assert_int_eq(cond_not_modified(&h, "\"abc\"", 5, T0), 1);
	ck_assert_int_eq(cond_not_modified(&h, "\"abc\"", 5, T0 + 1), 0);
	head_add(&h, "If-None-Match", "\"other\"");
	ck_assert_int_eq(cond_not_modified(&h, "\"abc\"", 5, T0), 0);
	buffer_free(&h.store);

	head_init(&h);
	head_add(&h, "If-None-Match", "\"abc\"");
	head_add(&h, "If-Modified-Since", "Sat, 01 Jan 1994 00:00:00 GMT");
	ck_assert_int_eq(cond_not_modified(&h, "\"abc\"", 5, T0), 1);
	buffer_free(&h.store);
}
END_TEST

START_TEST(test_if_range)
{
	struct http_head h;
	char date[DATE_LEN + 1];

	head_init(&h);
	ck_assert_int_eq(cond_if_range(&h, "\"abc\"", 5, T0), 1); /* none: Range applies */
	buffer_free(&h.store);

	head_init(&h);
	head_add(&h, "If-Range", "\"abc\"");
	ck_assert_int_eq(cond_if_range(&h, "\"abc\"", 5, T0), 1);
	ck_assert_int_eq(cond_if_range(&h, "\"abd\"", 5, T0), 0);
	buffer_free(&h.store);

	head_init(&h);
	head_add(&h, "If-Range", "W/\"abc\""); /* weak never matches: strong comparison */
	ck_assert_int_eq(cond_if_range(&h, "\"abc\"", 5, T0), 0);
	buffer_free(&h.store);

	date_format(T0, date);
	head_init(&h);
	head_add(&h, "If-Range", date);
	ck_assert_int_eq(cond_if_range(&h, "\"abc\"", 5, T0), 1);
	ck_assert_int_eq(cond_if_range(&h, "\"abc\"", 5, T0 + 1), 0);
	ck_assert_int_eq(cond_if_range(&h, "\"abc\"", 5, T0 - 1), 0); /* exact match only */
	buffer_free(&h.store);

	head_init(&h);
	head_add(&h, "If-Range", "garbage");
	ck_assert_int_eq(cond_if_range(&h, "\"abc\"", 5, T0), 0);
	buffer_free(&h.store);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cond");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_etag_format);
	tcase_add_loop_test(tc, test_none_match, 0, (int)(sizeof(inm_cases) / sizeof(inm_cases[0])));
	tcase_add_test(tc, test_modified_since);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_if_range);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
