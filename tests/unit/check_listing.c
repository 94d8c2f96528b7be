/* check_listing: directory pages from a real temporary directory, which is
 * also the root entries are resolved beneath. The hidden links ".sub" and
 * ".<p>" lead back to it, so that it can be listed under other URL paths. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listing.h"

static char dir[64];
static int dirfd_;
static struct path_root root;

static void put_file(const char *name, const char *content)
{
	int fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_listing.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dirfd_, 0);
	put_file("b.txt", "hello");
	put_file("<x>&\"'.html", "x");
	put_file("a:b", "");
	put_file(".hidden", "secret");
	put_file("caf\xc3\xa9.txt", "");
	ck_assert_int_eq(mkdirat(dirfd_, "a dir", 0755), 0);
	ck_assert_int_eq(mkdirat(dirfd_, "zz", 0755), 0);
	ck_assert_int_eq(symlinkat("/nonexistent/target", dirfd_, "dangling"), 0);
	ck_assert_int_eq(symlinkat("/etc/passwd", dirfd_, "out"), 0);
	ck_assert_int_eq(symlinkat("b.txt", dirfd_, "in"), 0);
	ck_assert_int_eq(symlinkat(".", dirfd_, ".sub"), 0);
	ck_assert_int_eq(symlinkat(".", dirfd_, ".<p>"), 0);
	ck_assert_int_eq(path_root_open(&root, dir), 0);
}

static void teardown(void)
{
	const char *names[] = {"b.txt", "<x>&\"'.html", "a:b", ".hidden", "caf\xc3\xa9.txt",
			       "dangling", "out", "in", ".sub", ".<p>"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlinkat(dirfd_, names[i], 0);
	unlinkat(dirfd_, "a dir", AT_REMOVEDIR);
	unlinkat(dirfd_, "zz", AT_REMOVEDIR);
	close(dirfd_);
	path_root_close(&root);
	rmdir(dir);
}

/* Renders into a NUL-terminated heap string the caller frees. */
static char *render(const char *path, int show_dot)
{
	struct buffer b;
	char *s;

	buffer_init(&b, 1 << 20);
	struct listing_dir d = {&root, dirfd_, path, strlen(path)};

	ck_assert_int_eq(listing_render(&b, &d, show_dot), 0);
	ck_assert_int_eq(buffer_append(&b, "", 1), 0);
	s = strdup(b.data);
	buffer_free(&b);
	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(test_page_shape)
{
	char *s = render("/.sub/", 0);

	ck_assert_ptr_nonnull(strstr(s, "<meta charset=\"utf-8\">"));
	ck_assert_ptr_nonnull(strstr(s, "<title>Index of /.sub/</title>"));
	ck_assert_ptr_nonnull(strstr(s, "href=\"../\""));
	ck_assert_ptr_nonnull(strstr(s, ">b.txt</a></td><td>5</td>"));
	free(s);
	s = render("/", 0);
	ck_assert_ptr_null(strstr(s, "href=\"../\""));
	free(s);
}
END_TEST

START_TEST(test_escaping)
{
	char *s = render("/.<p>/", 0);

	ck_assert_ptr_null(strstr(s, "<x>"));
	ck_assert_ptr_null(strstr(s, "<p>"));
	ck_assert_ptr_nonnull(strstr(s, "Index of /.&lt;p&gt;/"));
	ck_assert_ptr_nonnull(strstr(s, ">&lt;x&gt;&amp;&quot;&#39;.html</a>"));
	ck_assert_ptr_nonnull(strstr(s, "href=\"%3Cx%3E%26%22%27.html\""));
	ck_assert_ptr_nonnull(strstr(s, "href=\"a%3Ab\"")); /* never a URL scheme */
	ck_assert_ptr_nonnull(strstr(s, "href=\"a%20dir/\">a dir/</a>"));
	ck_assert_ptr_nonnull(strstr(s, "href=\"caf%C3%A9.txt\">caf\xc3\xa9.txt</a>"));
	free(s);
}
END_TEST

START_TEST(test_order_and_dotfiles)
{
	char *s = render("/", 0);
	char *adir = strstr(s, "a dir/</a>"), *zz = strstr(s, "zz/</a>"), *ab = strstr(s, ">a:b</a>"),
	     *b = strstr(s, ">b.txt</a>");

	ck_assert_ptr_nonnull(adir);
	ck_assert_ptr_nonnull(zz);
	ck_assert_ptr_nonnull(ab);
	ck_assert_ptr_nonnull(b);
	ck_assert(adir < zz); /* directories by name */
	ck_assert(zz < ab);   /* then files */
	ck_assert(ab < b);
	ck_assert_ptr_null(strstr(s, ".hidden"));
	free(s);
	s = render("/", 1);
	ck_assert_ptr_nonnull(strstr(s, ">.hidden</a>"));
	free(s);
}
END_TEST

START_TEST(test_limit)
{
	struct buffer b;

	buffer_init(&b, 100);
	struct listing_dir d = {&root, dirfd_, "/", 1};

	ck_assert_int_eq(listing_render(&b, &d, 0), -1);
	ck_assert_uint_eq(b.len, 0); /* no half page */
	buffer_free(&b);
}
END_TEST

/* Entries resolve beneath the root as requests do: a link inside shows its
 * target's facts; one leaving the root and a dangling one show their names
 * alone, alike (no size, no time, no existence oracle). */
START_TEST(test_links_beneath_root)
{
	char *s = render("/", 0);

	ck_assert_ptr_nonnull(strstr(s, "href=\"in\">in</a></td><td>5</td><td>2"));
	ck_assert_msg(strstr(s, "href=\"out\">out</a></td><td></td><td></td></tr>") != NULL, "%s", s);
	ck_assert_ptr_nonnull(strstr(s, "href=\"dangling\">dangling</a></td><td></td><td></td></tr>"));
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("listing");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_page_shape);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_order_and_dotfiles);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_links_beneath_root);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
