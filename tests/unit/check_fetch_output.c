/* Check suite for fetch/output.c: temporary file, rename, mtime, resume. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

static char Dir[64];
static char Path[PATH_MAX];

/* A fresh directory per test (also when CK_FORK=no runs them in one process). */
static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(Dir, sizeof(Dir), "%s/check_fetch_output.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(Dir));
	ck_assert_int_eq(chdir(Dir), 0);
}

static void teardown(void)
{
	DIR *d = opendir(Dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    unlinkat(dirfd(d), e->d_name, 0) != 0)
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR); /* "adir" */
	if (d)
		closedir(d);
	ck_assert_int_eq(chdir("/"), 0);
	rmdir(Dir);
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static const char *get(const char *name)
{
	static char buf[256];
	FILE *f = fopen(name, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* How many entries the directory holds (temporary files included). */
static int entries(void)
{
	DIR *d = opendir(".");
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

START_TEST(new_file_via_temporary)
{
	struct fetch_out o;
	struct stat st;
	mode_t mask = umask(022);

	ck_assert_int_eq(fetch_out_open(&o, "file.txt", FETCH_OUT_NEW), 0);
	/* Nothing claims to be file.txt until the end: the bytes go beside it. */
	ck_assert_int_eq(access("file.txt", F_OK), -1);
	ck_assert(strncmp(o.tmp, ".file.txt.", 10) == 0);
	ck_assert_int_eq(access(o.tmp, F_OK), 0);
	ck_assert_int_eq(fetch_out_write(&o, "hello\0world", 11), 0);
	ck_assert_int_eq(fetch_out_commit(&o, 1445412480), 0);
	ck_assert_int_eq(stat("file.txt", &st), 0);
	ck_assert_int_eq(st.st_size, 11);
	ck_assert_int_eq(st.st_mtime, 1445412480);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(entries(), 1);
	umask(mask);
}
END_TEST

START_TEST(failure_keeps_the_old_file)
{
	struct fetch_out o;
	struct stat st;

	put("keep", "previous\n");
	ck_assert_int_eq(chmod("keep", 0640), 0);
	ck_assert_int_eq(fetch_out_open(&o, "keep", FETCH_OUT_NEW), 0);
	ck_assert_int_eq(fetch_out_write(&o, "partial", 7), 0);
	ck_assert_str_eq(get("keep"), "previous\n");
	fetch_out_abort(&o);
	ck_assert_str_eq(get("keep"), "previous\n");
	ck_assert_int_eq(entries(), 1);
	fetch_out_abort(&o); /* twice is harmless */
	/* Success replaces it and keeps its mode; no mtime given: now. */
	ck_assert_int_eq(fetch_out_open(&o, "keep", FETCH_OUT_NEW), 0);
	ck_assert_int_eq(fetch_out_write(&o, "new\n", 4), 0);
	ck_assert_int_eq(fetch_out_commit(&o, -1), 0);
	ck_assert_str_eq(get("keep"), "new\n");
	ck_assert_int_eq(stat("keep", &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(symlink_target_keeps_the_link)
{
	struct fetch_out o;
	struct stat st;

	char target[PATH_MAX] = "link", real[PATH_MAX];

	put("real", "old");
	ck_assert_int_eq(symlink("real", "link"), 0);
	ck_assert_ptr_nonnull(realpath("real", real));
	ck_assert_int_eq(fetch_out_follow_link(target, sizeof(target)), 0);
	ck_assert_str_eq(target, real);
	ck_assert_int_eq(fetch_out_open(&o, target, FETCH_OUT_NEW), 0);
	ck_assert_int_eq(fetch_out_write(&o, "via link", 8), 0);
	ck_assert_int_eq(fetch_out_commit(&o, -1), 0);
	ck_assert_int_eq(lstat("link", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(get("real"), "via link");
	ck_assert_int_eq(entries(), 2);
	/* Resuming through the link: the partial file beside the real one. */
	ck_assert_int_eq(fetch_out_open(&o, target, FETCH_OUT_APPEND), 0);
	ck_assert_int_eq(fetch_out_write(&o, "!", 1), 0);
	ck_assert_int_eq(fetch_out_commit(&o, -1), 0);
	ck_assert_int_eq(lstat("link", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(get("real"), "via link!");
	ck_assert_int_eq(entries(), 2);
	/* Not a link, a dangling link: unchanged. */
	snprintf(target, sizeof(target), "real");
	ck_assert_int_eq(fetch_out_follow_link(target, sizeof(target)), 0);
	ck_assert_str_eq(target, "real");
	ck_assert_int_eq(symlink("nowhere", "dangling"), 0);
	snprintf(target, sizeof(target), "dangling");
	ck_assert_int_eq(fetch_out_follow_link(target, sizeof(target)), 0);
	ck_assert_str_eq(target, "dangling");
}
END_TEST

START_TEST(errors_name_the_file)
{
	struct fetch_out o;

	ck_assert_int_eq(mkdir("adir", 0755), 0);
	ck_assert_int_eq(fetch_out_open(&o, "adir", FETCH_OUT_NEW), -1);
	ck_assert_ptr_nonnull(strstr(o.error, "adir"));
	fetch_out_abort(&o);
	ck_assert_int_eq(fetch_out_open(&o, "no/such/dir/f", FETCH_OUT_NEW), -1);
	ck_assert_ptr_nonnull(strstr(o.error, "no/such/dir/f"));
	fetch_out_abort(&o);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(devices_are_written_in_place)
{
	struct fetch_out o;
	struct stat st;

	ck_assert_int_eq(fetch_out_open(&o, "/dev/null", FETCH_OUT_NEW), 0);
	ck_assert_int_eq(o.in_place, 1);
	ck_assert_int_eq(fetch_out_write(&o, "x", 1), 0);
	ck_assert_int_eq(fetch_out_commit(&o, 0), 0);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	if (access("/dev/full", W_OK) != 0)
		return;
	ck_assert_int_eq(fetch_out_open(&o, "/dev/full", FETCH_OUT_NEW), 0);
	ck_assert_int_eq(fetch_out_write(&o, "x", 1), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_ptr_nonnull(strstr(o.error, "/dev/full"));
	fetch_out_abort(&o);
}
END_TEST

START_TEST(resume_through_the_partial_file)
{
	struct fetch_out o;

	ck_assert_int_eq(fetch_out_resume_size("big"), 0);
	put("big", "hello");
	ck_assert_int_eq(fetch_out_resume_size("big"), 5);
	/* The target's bytes are copied: the target stays as it was. */
	ck_assert_int_eq(fetch_out_open(&o, "big", FETCH_OUT_APPEND), 0);
	ck_assert_str_eq(o.tmp, "big.part");
	ck_assert_int_eq(fetch_out_write(&o, " wor", 4), 0);
	fetch_out_abort(&o);
	ck_assert_str_eq(get("big"), "hello");
	ck_assert_str_eq(get("big.part"), "hello wor");
	/* The partial file wins the next time. */
	ck_assert_int_eq(fetch_out_resume_size("big"), 9);
	ck_assert_int_eq(fetch_out_open(&o, "big", FETCH_OUT_APPEND), 0);
	ck_assert_int_eq(fetch_out_write(&o, "ld", 2), 0);
	ck_assert_int_eq(fetch_out_commit(&o, -1), 0);
	ck_assert_str_eq(get("big"), "hello world");
	ck_assert_int_eq(access("big.part", F_OK), -1);
	/* A server that ignores Range: start over, the partial file as it was
	 * until the new body is complete. */
	put("big.part", "stale bytes");
	ck_assert_int_eq(fetch_out_open(&o, "big", FETCH_OUT_RESTART), 0);
	ck_assert_int_eq(fetch_out_write(&o, "fre", 3), 0);
	ck_assert_str_eq(get("big.part"), "stale bytes");
	fetch_out_abort(&o);
	ck_assert_str_eq(get("big.part"), "stale bytes");
	ck_assert_int_eq(fetch_out_open(&o, "big", FETCH_OUT_RESTART), 0);
	ck_assert_int_eq(fetch_out_write(&o, "fresh", 5), 0);
	ck_assert_int_eq(fetch_out_commit(&o, -1), 0);
	ck_assert_str_eq(get("big"), "fresh");
	/* Nothing written: no empty partial file is left behind. */
	ck_assert_int_eq(fetch_out_open(&o, "big", FETCH_OUT_RESTART), 0);
	fetch_out_abort(&o);
	ck_assert_int_eq(access("big.part", F_OK), -1);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(part_name)
{
	ck_assert_int_eq(fetch_out_part_name("d/x", Path, sizeof(Path)), 0);
	ck_assert_str_eq(Path, "d/x.part");
}
END_TEST

/* Direct I/O continues a file written buffered so far: the partial block
 * is read back into the caller's buffer, whole blocks go direct, the tail
 * buffered, and the file holds every byte once. Where the file system has no
 * direct I/O, begin() refuses and plain writes give the same file. */
START_TEST(direct_io_continues_the_partial_block)
{
	enum { N = 12300, FIRST = 5000, ALIGN = FETCH_OUT_DIRECT_ALIGN };
	struct fetch_out o;
	char *pat = malloc(N), *buf = NULL, back[N];
	size_t fill = 99;
	FILE *f;

	ck_assert_ptr_nonnull(pat);
	ck_assert_int_eq(posix_memalign((void **)&buf, ALIGN, 2 * ALIGN), 0);
	for (int i = 0; i < N; i++)
		pat[i] = (char)(i * 7 + i / 251);
	ck_assert_int_eq(fetch_out_open(&o, "big", FETCH_OUT_NEW), 0);
	ck_assert_int_eq(fetch_out_write(&o, pat, FIRST), 0);
	if (fetch_out_direct_begin(&o, buf, &fill) == 0) {
		ck_assert_int_eq(o.direct, 1);
		ck_assert_uint_eq(fill, FIRST - ALIGN);
		ck_assert_int_eq(memcmp(buf, pat + ALIGN, fill), 0);
		memcpy(buf + fill, pat + FIRST, 2 * ALIGN - fill);
		ck_assert_int_eq(fetch_out_write(&o, buf, 2 * ALIGN), 0);
		/* An unaligned direct write is refused by most file systems: the
		 * bytes go buffered instead, and direct mode ends. */
		memcpy(buf, pat + 3 * ALIGN, 10);
		ck_assert_int_eq(fetch_out_write(&o, buf, 10), 0);
		fetch_out_direct_end(&o);
		ck_assert_int_eq(o.direct, 0);
		ck_assert_int_eq(fetch_out_write(&o, pat + 3 * ALIGN + 10, N - 3 * ALIGN - 10), 0);
	} else {
		ck_assert_uint_eq(fill, 0);
		ck_assert_int_eq(o.direct, 0);
		ck_assert_int_eq(fetch_out_write(&o, pat + FIRST, N - FIRST), 0);
	}
	ck_assert_int_eq(fetch_out_commit(&o, -1), 0);
	f = fopen("big", "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(back, 1, sizeof(back), f), N);
	fclose(f);
	ck_assert_int_eq(memcmp(back, pat, N), 0);
	/* Appending (a resumed download) and writing in place are never direct. */
	put("r.part", "abc");
	ck_assert_int_eq(fetch_out_open(&o, "r", FETCH_OUT_APPEND), 0);
	ck_assert_int_eq(fetch_out_direct_begin(&o, buf, &fill), -1);
	ck_assert_uint_eq(fill, 0);
	fetch_out_abort(&o);
	ck_assert_int_eq(fetch_out_open(&o, "/dev/null", FETCH_OUT_NEW), 0);
	ck_assert_int_eq(fetch_out_direct_begin(&o, buf, &fill), -1);
	fetch_out_abort(&o);
	free(buf);
	free(pat);
}
END_TEST

static Suite *output_suite(void)
{
	Suite *s = suite_create("fetch_output");
	TCase *t = tcase_create("core");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, new_file_via_temporary);
	tcase_add_test(t, failure_keeps_the_old_file);
	tcase_add_test(t, symlink_target_keeps_the_link);
	tcase_add_test(t, errors_name_the_file);
	tcase_add_test(t, devices_are_written_in_place);
	tcase_add_test(t, resume_through_the_partial_file);
	tcase_add_test(t, part_name);
	tcase_add_test(t, direct_io_continues_the_partial_block);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(output_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
