/* check_range: Range header vectors against representations of various sizes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

struct range_case {
	const char *v;
	long long size;
	enum range_result want;
	long long off, len; /* for RANGE_PARTIAL */
};

static const struct range_case cases[] = {
	{"bytes=0-0", 10, RANGE_PARTIAL, 0, 1},
	{"bytes=0-9", 10, RANGE_PARTIAL, 0, 10},
	{"bytes=2-5", 10, RANGE_PARTIAL, 2, 4},
	{"bytes=2-100", 10, RANGE_PARTIAL, 2, 8},
	{"bytes=9-", 10, RANGE_PARTIAL, 9, 1},
	{"bytes=0-", 10, RANGE_PARTIAL, 0, 10},
	{"bytes=-3", 10, RANGE_PARTIAL, 7, 3},
	{"bytes=-10", 10, RANGE_PARTIAL, 0, 10},
	{"bytes=-100", 10, RANGE_PARTIAL, 0, 10},
	{"BYTES=1-2", 10, RANGE_PARTIAL, 1, 2},
	{" bytes=1-2 ", 10, RANGE_FULL, 0, 0}, /* never stored so: lib/http trims values */
	{"bytes= 1-2", 10, RANGE_PARTIAL, 1, 2},
	{"bytes=1-99999999999999999999999", 10, RANGE_PARTIAL, 1, 9},
	{"bytes=4294967296-", 5000000000LL, RANGE_PARTIAL, 4294967296LL, 705032704LL},
	{"bytes=2147483647-2147483648", 5000000000LL, RANGE_PARTIAL, 2147483647LL, 2},
	/* unsatisfiable: 416 */
	{"bytes=10-", 10, RANGE_UNSATISFIABLE, 0, 0},
	{"bytes=10-20", 10, RANGE_UNSATISFIABLE, 0, 0},
	{"bytes=99999999999999999999999-", 10, RANGE_UNSATISFIABLE, 0, 0},
	{"bytes=-0", 10, RANGE_UNSATISFIABLE, 0, 0},
	{"bytes=0-0", 0, RANGE_UNSATISFIABLE, 0, 0},
	{"bytes=-5", 0, RANGE_UNSATISFIABLE, 0, 0},
	/* ignored: 200 */
	{"bytes=5-2", 10, RANGE_FULL, 0, 0},
	{"bytes=0-1,3-4", 10, RANGE_FULL, 0, 0},
	{"bytes=0-1, 3-4", 10, RANGE_FULL, 0, 0},
	{"bytes=-", 10, RANGE_FULL, 0, 0},
	{"bytes=", 10, RANGE_FULL, 0, 0},
	{"bytes=a-b", 10, RANGE_FULL, 0, 0},
	{"bytes=1-2x", 10, RANGE_FULL, 0, 0},
	{"bytes=+1-2", 10, RANGE_FULL, 0, 0},
	{"bytes=1--2", 10, RANGE_FULL, 0, 0},
	{"bytes 1-2", 10, RANGE_FULL, 0, 0},
	{"items=1-2", 10, RANGE_FULL, 0, 0},
	{"", 10, RANGE_FULL, 0, 0},
	{"bytes", 10, RANGE_FULL, 0, 0},
};

START_TEST(test_vectors)
{
	const struct range_case *c = &cases[_i];
	off_t off = -1, len = -1;
	/* An exact-size heap copy: an over-read shows under ASan. */
	size_t n = strlen(c->v);
	char *v = malloc(n ? n : 1);
	enum range_result got;

	ck_assert_ptr_nonnull(v);
	memcpy(v, c->v, n);
	got = range_parse(v, n, (off_t)c->size, &off, &len);
	free(v);
	ck_assert_msg(got == c->want, "\"%s\" size %lld: got %d want %d", c->v, c->size, got,
		      c->want);
	if (c->want == RANGE_PARTIAL) {
		ck_assert_msg(off == c->off && len == c->len, "\"%s\": got %lld+%lld want %lld+%lld",
			      c->v, (long long)off, (long long)len, c->off, c->len);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("range");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_vectors, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
