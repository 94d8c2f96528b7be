/* Check suite for lib/buffer. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"

START_TEST(append_grows_and_keeps_bytes)
{
	struct buffer b;
	buffer_init(&b, 1 << 20);
	ck_assert_ptr_null(b.data);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(buffer_append(&b, "0123456789", 10), 0);
	ck_assert_uint_eq(b.len, 10000);
	ck_assert_uint_ge(b.cap, b.len);
	for (size_t i = 0; i < b.len; i++)
		ck_assert_int_eq(b.data[i], '0' + (int)(i % 10));
	/* Binary-safe: NUL bytes are data. */
	ck_assert_int_eq(buffer_append(&b, "\0x\0", 3), 0);
	ck_assert_int_eq(memcmp(b.data + 10000, "\0x\0", 3), 0);
	ck_assert_int_eq(buffer_append(&b, NULL, 0), 0);
	ck_assert_uint_eq(b.len, 10003);
	buffer_free(&b);
}
END_TEST

START_TEST(limit_is_hard)
{
	struct buffer b;
	buffer_init(&b, 16);
	ck_assert_int_eq(buffer_append_str(&b, "0123456789"), 0);
	errno = 0;
	ck_assert_int_eq(buffer_append_str(&b, "0123456789"), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_eq(b.len, 10); /* nothing partial appended */
	ck_assert_int_eq(buffer_append_str(&b, "012345"), 0);
	ck_assert_uint_eq(b.len, 16);
	ck_assert_uint_le(b.cap, 16);
	ck_assert_int_eq(buffer_append(&b, "x", 1), -1);
	ck_assert_int_eq(buffer_reserve(&b, 0), 0);
	ck_assert_int_eq(buffer_reserve(&b, (size_t)-1), -1);
	buffer_free(&b);
}
END_TEST

START_TEST(printf_short_long_and_over_limit)
{
	struct buffer b;
	buffer_init(&b, 1000);
	ck_assert_int_eq(buffer_printf(&b, "%d-%s", 42, "x"), 0);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_int_eq(memcmp(b.data, "42-x", 4), 0);
	/* Longer than the internal scratch. */
	ck_assert_int_eq(buffer_printf(&b, "%500d", 7), 0);
	ck_assert_uint_eq(b.len, 504);
	ck_assert_int_eq(b.data[503], '7');
	/* Over the limit: refused whole. */
	ck_assert_int_eq(buffer_printf(&b, "%600d", 7), -1);
	ck_assert_uint_eq(b.len, 504);
	ck_assert_int_eq(buffer_printf(&b, "%s", ""), 0);
	buffer_free(&b);
}
END_TEST

START_TEST(consume_clear_free)
{
	struct buffer b;
	buffer_init(&b, 64);
	buffer_append_str(&b, "hello world");
	buffer_consume(&b, 6);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_int_eq(memcmp(b.data, "world", 5), 0);
	buffer_consume(&b, 100);
	ck_assert_uint_eq(b.len, 0);
	buffer_append_str(&b, "abc");
	size_t cap = b.cap;
	buffer_clear(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, cap);
	buffer_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.cap, 0);
	/* Usable again after free, same limit. */
	ck_assert_int_eq(buffer_append_str(&b, "again"), 0);
	ck_assert_uint_eq(b.limit, 64);
	buffer_free(&b);
	buffer_free(&b); /* twice is harmless */
}
END_TEST

/* buffer_put: pieces appended until one does not fit; from then on nothing,
 * even a piece that would fit, until buffer_clear. */
START_TEST(put_is_sticky_on_failure)
{
	struct buffer b;

	buffer_init(&b, 8);
	BUFFER_PUT_LIT(&b, "ab");
	buffer_put_num(&b, 0);
	buffer_put_num(&b, 18446744073709551615ULL); /* does not fit */
	ck_assert_int_eq(b.failed, ENOBUFS);
	buffer_put_str(&b, "c");
	ck_assert_uint_eq(b.len, 3);
	ck_assert_int_eq(memcmp(b.data, "ab0", 3), 0);
	buffer_clear(&b);
	ck_assert_int_eq(b.failed, 0);
	buffer_put_num(&b, 4096);
	buffer_put(&b, "", 0);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_int_eq(memcmp(b.data, "4096", 4), 0);
	buffer_free(&b);
}
END_TEST

/* A buffer over the caller's memory: never grows, never writes past it. */
START_TEST(over_fixed_memory)
{
	char mem[10];
	struct buffer b;

	memset(mem, '#', sizeof mem);
	buffer_over(&b, mem, 8);
	BUFFER_PUT_LIT(&b, "abc");
	buffer_put_num(&b, 1234);
	ck_assert_int_eq(b.failed, 0);
	BUFFER_PUT_LIT(&b, "xy"); /* 9 > 8: dropped whole, and what follows too */
	ck_assert_int_eq(b.failed, ENOBUFS);
	BUFFER_PUT_LIT(&b, "z");
	ck_assert_uint_eq(b.len, 7);
	ck_assert(memcmp(mem, "abc1234##", 9) == 0);
	ck_assert_ptr_eq(b.data, mem);
	ck_assert_uint_eq(b.cap, 8);
}
END_TEST

START_TEST(recv_into_spare_room)
{
	struct buffer b;
	buffer_init(&b, 4096);
	ck_assert_int_eq(buffer_reserve(&b, 100), 0);
	ck_assert_uint_ge(b.cap - b.len, 100);
	memcpy(b.data + b.len, "direct", 6);
	b.len += 6;
	ck_assert_int_eq(memcmp(b.data, "direct", 6), 0);
	buffer_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buffer");
	TCase *t = tcase_create("core");
	tcase_add_test(t, append_grows_and_keeps_bytes);
	tcase_add_test(t, limit_is_hard);
	tcase_add_test(t, printf_short_long_and_over_limit);
	tcase_add_test(t, consume_clear_free);
	tcase_add_test(t, recv_into_spare_room);
	tcase_add_test(t, put_is_sticky_on_failure);
	tcase_add_test(t, over_fixed_memory);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
