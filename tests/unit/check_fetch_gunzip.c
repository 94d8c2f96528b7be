/* Check suite for fetch/gunzip.c: gzip bodies decoded however they are split. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "gunzip.h"

#define PLAIN_LEN 200000

static unsigned char Plain[PLAIN_LEN];
static unsigned char *Out;
static size_t OutLen;

static int sink(void *arg, const char *at, size_t n)
{
	(void)arg;
	if (OutLen + n > PLAIN_LEN)
		return -1;
	memcpy(Out + OutLen, at, n);
	OutLen += n;
	return 0;
}

/* gzip of Plain[from..from+n) appended to buf at *len. */
static void gzip_member(unsigned char *buf, size_t cap, size_t *len, size_t from, size_t n)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = Plain + from;
	zs.avail_in = (uInt)n;
	zs.next_out = buf + *len;
	zs.avail_out = (uInt)(cap - *len);
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*len = cap - zs.avail_out;
	deflateEnd(&zs);
}

/* Decodes gz[0..n) in pieces of step bytes: 0 when whole, else -1. */
static int decode(const unsigned char *gz, size_t n, size_t step)
{
	struct fetch_gunzip g;
	int r = 0;

	OutLen = 0;
	ck_assert_int_eq(fetch_gunzip_init(&g), 0);
	for (size_t off = 0; off < n && r == 0; off += step)
		r = fetch_gunzip_feed(&g, (const char *)gz + off, n - off < step ? n - off : step, sink,
				      NULL);
	if (r == 0)
		r = fetch_gunzip_end(&g);
	fetch_gunzip_free(&g);
	return r;
}

static unsigned char Gz[PLAIN_LEN * 2];
static size_t GzLen;

static void setup(void)
{
	uint32_t x = 7;

	/* Half random-ish, half repetitive: both code paths of inflate. */
	for (size_t i = 0; i < PLAIN_LEN; i++) {
		x = x * 1103515245u + 12345u;
		Plain[i] = i < PLAIN_LEN / 2 ? (unsigned char)(x >> 24) : (unsigned char)"abcab"[i % 5];
	}
	Out = malloc(PLAIN_LEN);
	ck_assert_ptr_nonnull(Out);
	GzLen = 0;
	gzip_member(Gz, sizeof(Gz), &GzLen, 0, PLAIN_LEN);
}

static void teardown(void)
{
	free(Out);
}

START_TEST(whole_in_any_split)
{
	static const size_t steps[] = {1, 7, 100, 4096, 65536, PLAIN_LEN * 2};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ck_assert_int_eq(decode(Gz, GzLen, steps[i]), 0);
		ck_assert_uint_eq(OutLen, PLAIN_LEN);
		ck_assert(memcmp(Out, Plain, PLAIN_LEN) == 0);
	}
}
END_TEST

START_TEST(several_members)
{
	size_t len = 0;
	gzip_member(Gz, sizeof(Gz), &len, 0, 1000);
	gzip_member(Gz, sizeof(Gz), &len, 1000, PLAIN_LEN - 1000);
	ck_assert_int_eq(decode(Gz, len, 333), 0);
	ck_assert_uint_eq(OutLen, PLAIN_LEN);
	ck_assert(memcmp(Out, Plain, PLAIN_LEN) == 0);
}
END_TEST

START_TEST(damage_is_refused)
{
	struct fetch_gunzip g;

	/* Cut anywhere in the stream or its trailer: never whole. */
	ck_assert_int_eq(decode(Gz, GzLen - 1, 4096), -1);
	ck_assert_int_eq(decode(Gz, GzLen - 8, 4096), -1);
	ck_assert_int_eq(decode(Gz, GzLen / 2, 4096), -1);
	ck_assert_int_eq(decode(Gz, 0, 4096), -1);
	/* A wrong CRC-32, a wrong length. */
	Gz[GzLen - 8] ^= 1;
	ck_assert_int_eq(decode(Gz, GzLen, 4096), -1);
	Gz[GzLen - 8] ^= 1;
	Gz[GzLen - 1] ^= 1;
	ck_assert_int_eq(decode(Gz, GzLen, 4096), -1);
	Gz[GzLen - 1] ^= 1;
	/* Garbage after the stream, or no gzip at all. */
	memcpy(Gz + GzLen, "garbage", 7);
	ck_assert_int_eq(decode(Gz, GzLen + 7, 4096), -1);
	ck_assert_int_eq(decode((const unsigned char *)"plain text, not gzip", 20, 5), -1);
	/* The reason is there. */
	ck_assert_int_eq(fetch_gunzip_init(&g), 0);
	ck_assert_int_eq(fetch_gunzip_end(&g), -1);
	ck_assert_ptr_nonnull(strstr(g.error, "gzip"));
	fetch_gunzip_free(&g);
	/* And intact it still decodes. */
	ck_assert_int_eq(decode(Gz, GzLen, 4096), 0);
}
END_TEST

static Suite *gunzip_suite(void)
{
	Suite *s = suite_create("fetch_gunzip");
	TCase *t = tcase_create("core");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, whole_in_any_split);
	tcase_add_test(t, several_members);
	tcase_add_test(t, damage_is_refused);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(gunzip_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
