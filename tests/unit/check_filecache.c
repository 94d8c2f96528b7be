/* check_filecache: entries, preformatted lines, big files as facts only,
 * invalidation by write, unlink and rename, twins, the byte budget. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filecache.h"

static char root[64];
static struct path_root proot;
static struct filecache *cache;

static void put_file(const char *name, const char *content, size_t n)
{
	int fd = openat(proot.fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, n), (ssize_t)n);
	close(fd);
}

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/check_filecache.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(path_root_open(&proot, root), 0);
	cache = filecache_new();
	ck_assert_ptr_nonnull(cache);
}

static void teardown(void)
{
	char cmd[128];

	filecache_free(cache);
	path_root_close(&proot);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* Opens /name through path_open and adds it; the cache owns the fd. */
static const struct filecache_entry *add(const char *path, time_t now)
{
	struct stat st;
	int fd = path_open(&proot, path, O_RDONLY);
	const struct filecache_entry *e;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	e = filecache_put(cache, path, strlen(path), fd, &st,
			  filecache_twin_exists(&proot, path, strlen(path)), now);
	if (e == NULL)
		close(fd);
	return e;
}

/* As the event loop does, with the monotonic clock read now. */
static const struct filecache_entry *get(const char *path, time_t now)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return filecache_get(cache, &proot, path, strlen(path), now,
			     (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

static void wait_fresh(void)
{
	struct timespec ts = {0, 2 * FILECACHE_FRESH_NS};

	nanosleep(&ts, NULL);
}

START_TEST(test_small_entry)
{
	const struct filecache_entry *e;

	put_file("a.txt", "hello", 5);
	e = add("/a.txt", 100);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->size, 5);
	ck_assert_int_eq(memcmp(e->data, "hello", 5), 0);
	ck_assert_int_eq(e->twin, 0);
	ck_assert_ptr_eq(get("/a.txt", 100), e);
	ck_assert_ptr_eq(get("/a.txt", 101), e); /* path re-check: unchanged */
	ck_assert_ptr_null(get("/b.txt", 100));
	ck_assert_ptr_null(get("/a.tx", 100));
}
END_TEST

START_TEST(test_big_file_facts_only)
{
	size_t n = FILECACHE_FILE_MAX + 1;
	char *big = calloc(1, n);
	const struct filecache_entry *e;

	ck_assert_ptr_nonnull(big);
	put_file("big", big, n);
	free(big);
	e = add("/big", 100);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_null(e->data);
	ck_assert_int_eq(e->size, (off_t)n);
	ck_assert_int_ge(e->fd, 0);
	ck_assert_uint_eq(e->held, 0);
}
END_TEST

START_TEST(test_write_in_place)
{
	put_file("a.txt", "hello", 5);
	ck_assert_ptr_nonnull(add("/a.txt", 100));
	put_file("a.txt", "hello, longer", 13);
	wait_fresh();
	ck_assert_ptr_null(get("/a.txt", 100)); /* same second: the fd's fstat saw it */
	ck_assert_ptr_null(get("/a.txt", 100)); /* and it stays dropped */
}
END_TEST

START_TEST(test_unlink)
{
	put_file("a.txt", "hello", 5);
	ck_assert_ptr_nonnull(add("/a.txt", 100));
	ck_assert_int_eq(unlinkat(proot.fd, "a.txt", 0), 0);
	wait_fresh();
	ck_assert_ptr_null(get("/a.txt", 100));
}
END_TEST

START_TEST(test_rename_over)
{
	put_file("a.txt", "hello", 5);
	ck_assert_int_eq(linkat(proot.fd, "a.txt", proot.fd, "keep", 0), 0); /* nlink stays > 0 */
	ck_assert_ptr_nonnull(add("/a.txt", 100));
	put_file("new", "other", 5);
	ck_assert_int_eq(renameat(proot.fd, "new", proot.fd, "a.txt"), 0);
	wait_fresh();
	ck_assert_ptr_nonnull(get("/a.txt", 100)); /* the open fd cannot see a rename... */
	ck_assert_ptr_null(get("/a.txt", 101));    /* ...the next second's path check does */
}
END_TEST

START_TEST(test_symlink_swapped_in)
{
	put_file("a.txt", "hello", 5);
	ck_assert_int_eq(linkat(proot.fd, "a.txt", proot.fd, "keep", 0), 0);
	ck_assert_ptr_nonnull(add("/a.txt", 100));
	ck_assert_int_eq(unlinkat(proot.fd, "a.txt", 0), 0);
	ck_assert_int_eq(symlinkat("/etc/hostname", proot.fd, "a.txt"), 0);
	ck_assert_ptr_null(get("/a.txt", 101)); /* back through path_open */
}
END_TEST

START_TEST(test_twin_appears)
{
	const struct filecache_entry *e;

	put_file("s.css", "body{}", 6);
	e = add("/s.css", 100);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->twin, 0);
	put_file("s.css.gz", "gz", 2);
	ck_assert_int_eq(filecache_twin_exists(&proot, "/s.css", 6), 1);
	e = get("/s.css", 101);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->twin, 1);
}
END_TEST

/* A PATH.gz symlink is resolved as path_open() would: one leaving the root
 * is not a twin, so Vary cannot tell whether its target exists. */
START_TEST(test_twin_symlink_outside)
{
	put_file("s.css", "body{}", 6);
	ck_assert_int_eq(symlinkat("/etc/hostname", proot.fd, "s.css.gz"), 0);
	ck_assert_int_eq(filecache_twin_exists(&proot, "/s.css", 6), 0);
	ck_assert_int_eq(unlinkat(proot.fd, "s.css.gz", 0), 0);
	ck_assert_int_eq(symlinkat("../../../../../../../etc/hostname", proot.fd, "s.css.gz"), 0);
	ck_assert_int_eq(filecache_twin_exists(&proot, "/s.css", 6), 0);
	ck_assert_int_eq(unlinkat(proot.fd, "s.css.gz", 0), 0);
	put_file("real.gz", "gz", 2);
	ck_assert_int_eq(symlinkat("real.gz", proot.fd, "s.css.gz"), 0);
	ck_assert_int_eq(filecache_twin_exists(&proot, "/s.css", 6), 1); /* inside: fine */
}
END_TEST

/* A lent descriptor outlives its entry: dropping the entry (the file changed)
 * must not close the file a response is still sending from. */
START_TEST(test_lent_fd_outlives_entry)
{
	const struct filecache_entry *e;
	struct filecache_fd *lent;
	char got[5];
	int fd;

	put_file("a.txt", "hello", 5);
	e = add("/a.txt", 100);
	ck_assert_ptr_nonnull(e);
	lent = filecache_fd_hold(e);
	fd = lent->fd;
	ck_assert_int_eq(fd, e->fd);
	put_file("a.txt", "hello, longer", 13);
	wait_fresh();
	ck_assert_ptr_null(get("/a.txt", 100)); /* dropped */
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1); /* still open */
	ck_assert_int_eq(pread(fd, got, 5, 0), 5);
	ck_assert_int_eq(memcmp(got, "hello", 5), 0);
	filecache_fd_release(lent); /* the last reference closes it */
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
}
END_TEST

/* Many files of the largest cached size: what is held never passes the budget. */
START_TEST(test_budget)
{
	char *buf = calloc(1, FILECACHE_FILE_MAX);
	size_t held = 0, files = FILECACHE_BYTES / FILECACHE_FILE_MAX + 64;

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < files; i++) {
		char name[32], path[40];

		snprintf(name, sizeof(name), "f%zu", i);
		snprintf(path, sizeof(path), "/f%zu", i);
		put_file(name, buf, FILECACHE_FILE_MAX);
		ck_assert_ptr_nonnull(add(path, 100));
	}
	free(buf);
	for (size_t i = 0; i < files; i++) {
		char path[40];
		const struct filecache_entry *e;

		snprintf(path, sizeof(path), "/f%zu", i);
		e = get(path, 100);
		if (e != NULL)
			held += e->held;
	}
	ck_assert_uint_le(held, FILECACHE_BYTES);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("filecache");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_small_entry);
	tcase_add_test(tc, test_big_file_facts_only);
	tcase_add_test(tc, test_write_in_place);
	tcase_add_test(tc, test_unlink);
	tcase_add_test(tc, test_rename_over);
	tcase_add_test(tc, test_symlink_swapped_in);
	tcase_add_test(tc, test_twin_appears);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_twin_symlink_outside);
	tcase_add_test(tc, test_lent_fd_outlives_entry);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
