/* Check suite for fetch/digest.c: --checksum parsing and file digests. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"

#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA512_ABC                                                                              \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"                      \
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

static char Path[64];

static void put_abc(void)
{
	int fd;

	snprintf(Path, sizeof(Path), "/tmp/check_fetch_digest.XXXXXX");
	fd = mkstemp(Path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "abc", 3), 3);
	close(fd);
}

START_TEST(known_answers)
{
	struct fetch_digest d;
	char err[256], got[2 * FETCH_DIGEST_MAX + 1];

	put_abc();
	ck_assert_int_eq(fetch_digest_parse("sha256=" SHA256_ABC, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(fetch_digest_file(&d, Path, got), 0);
	ck_assert_str_eq(got, SHA256_ABC);
	ck_assert_int_eq(fetch_digest_parse("SHA512=" SHA512_ABC, &d, err, sizeof(err)), 0);
	ck_assert_str_eq(d.algo, "sha512");
	ck_assert_int_eq(fetch_digest_file(&d, Path, got), 0);
	/* Upper-case hex is the same digest. */
	char upper[] = "sha256=" SHA256_ABC;
	for (char *p = upper + 7; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	ck_assert_int_eq(fetch_digest_parse(upper, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(fetch_digest_file(&d, Path, got), 0);
	/* One bit off: a mismatch, and what it is instead. */
	ck_assert_int_eq(fetch_digest_parse("sha256=ca7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
					    &d, err, sizeof(err)), 0);
	ck_assert_int_eq(fetch_digest_file(&d, Path, got), 1);
	ck_assert_str_eq(got, SHA256_ABC);
	unlink(Path);
	ck_assert_int_eq(fetch_digest_file(&d, Path, got), -1);
}
END_TEST

START_TEST(bad_specs)
{
	static const char *const bad[] = {
		"", "sha256", "sha256=", "md5=900150983cd24fb0d6963f7d28e17f72",
		"sha1=a9993e364706816aba3e25717850c26c9cd0d89d", "sha256=" SHA256_ABC "0",
		"sha256=" SHA512_ABC, "sha256 =" SHA256_ABC,
		"sha256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",
	};
	struct fetch_digest d;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(fetch_digest_parse(bad[i], &d, err, sizeof(err)) == -1, "'%s'", bad[i]);
		ck_assert_msg(err[0], "'%s': no reason", bad[i]);
	}
}
END_TEST

static Suite *digest_suite(void)
{
	Suite *s = suite_create("fetch_digest");
	TCase *t = tcase_create("core");
	tcase_add_test(t, known_answers);
	tcase_add_test(t, bad_specs);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(digest_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
