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
static char *render_view(const char *path, const struct listing_view *v)
{
	struct buffer b;
	char *s;

	buffer_init(&b, 1 << 20);
	struct listing_dir d = {&root, dirfd_, path, strlen(path)};

	ck_assert_int_eq(listing_render(&b, &d, v), 0);
	ck_assert_int_eq(buffer_append(&b, "", 1), 0);
	s = strdup(b.data);
	buffer_free(&b);
	ck_assert_ptr_nonnull(s);
	return s;
}

static char *render(const char *path, int show_dot)
{
	struct listing_view v = {.show_dot = show_dot};

	return render_view(path, &v);
}

/* A page sorted as the query says. */
static char *render_query(const char *query, int json)
{
	struct listing_view v = {.json = json};

	listing_view_query(&v, query, strlen(query));
	return render_view("/", &v);
}

START_TEST(test_page_shape)
{
	char *s = render("/.sub/", 0);

	ck_assert_ptr_nonnull(strstr(s, "<meta charset=\"utf-8\">"));
	ck_assert_ptr_nonnull(strstr(s, "<title>Index of /.sub/</title>"));
	ck_assert_ptr_nonnull(strstr(s, "href=\"../\""));
	ck_assert_ptr_nonnull(strstr(s, ">b.txt</a></td><td title=\"5 bytes\">5 B</td>"));
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
	struct listing_view v = {0};
	struct listing_dir d = {&root, dirfd_, "/", 1};

	buffer_init(&b, 100);
	ck_assert_int_eq(listing_render(&b, &d, &v), -1);
	ck_assert_uint_eq(b.len, 0); /* no half page */
	buffer_free(&b);
}
END_TEST

/* The order of a few names in s: 1 when a comes before b before c. */
static int in_order(const char *s, const char *a, const char *b, const char *c)
{
	const char *pa = strstr(s, a), *pb = strstr(s, b), *pc = strstr(s, c);

	return pa && pb && pc && pa < pb && pb < pc;
}

START_TEST(test_sort)
{
	char *s;

	/* sizes: a:b 0, caf\xc3\xa9.txt 0, <x>.. 1, b.txt 5; directories stay first */
	s = render_query("?sort=size&order=desc", 0);
	ck_assert(in_order(s, "zz/</a>", ">b.txt<", ">a:b<"));
	ck_assert(in_order(s, "zz/</a>", "a dir/</a>", ">b.txt<")); /* equal sizes: names reversed */
	/* sorted or not, a link leaving the root shows its name alone */
	ck_assert_ptr_nonnull(strstr(s, "href=\"out\">out</a></td><td></td><td></td></tr>"));
	free(s);
	s = render_query("?sort=size", 0);
	ck_assert(in_order(s, "a dir/</a>", ">a:b<", ">b.txt<"));
	ck_assert_ptr_nonnull(strstr(s, "<a href=\"?sort=size&amp;order=desc\">Size</a> \xe2\x96\xb2"));
	free(s);
	s = render_query("?order=desc", 0); /* by name, descending */
	ck_assert(in_order(s, "zz/</a>", "a dir/</a>", ">b.txt<"));
	ck_assert_ptr_nonnull(strstr(s, "<a href=\"?sort=name&amp;order=asc\">Name</a> \xe2\x96\xbc"));
	free(s);
	s = render_query("?sort=bogus&order=sideways&x=1", 0); /* ignored: the default */
	ck_assert(in_order(s, "a dir/</a>", "zz/</a>", ">a:b<"));
	free(s);
}
END_TEST

/* Entries resolve beneath the root as requests do: a link inside shows its
 * target's facts; one leaving the root and a dangling one show their names
 * alone, alike (no size, no time, no existence oracle). */
START_TEST(test_links_beneath_root)
{
	char *s = render("/", 0);

	ck_assert_ptr_nonnull(strstr(s, "href=\"in\">in</a></td><td title=\"5 bytes\">5 B</td><td>2"));
	ck_assert_msg(strstr(s, "href=\"out\">out</a></td><td></td><td></td></tr>") != NULL, "%s", s);
	ck_assert_ptr_nonnull(strstr(s, "href=\"dangling\">dangling</a></td><td></td><td></td></tr>"));
	free(s);
}
END_TEST

START_TEST(test_sort_by_time)
{
	struct timespec ts[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
	char *s;

	ck_assert_int_eq(utimensat(dirfd_, "b.txt", ts, 0), 0);
	ts[0].tv_sec = ts[1].tv_sec = 1100000000;
	ck_assert_int_eq(utimensat(dirfd_, "a:b", ts, 0), 0);
	ts[0].tv_sec = ts[1].tv_sec = 1200000000;
	ck_assert_int_eq(utimensat(dirfd_, "<x>&\"'.html", ts, 0), 0);
	ck_assert_int_eq(utimensat(dirfd_, "caf\xc3\xa9.txt", ts, 0), 0);
	s = render_query("?sort=time&order=asc", 0);
	ck_assert(in_order(s, ">b.txt<", ">a:b<", ">&lt;x&gt;"));
	free(s);
	s = render_query("?sort=time&order=desc", 0);
	ck_assert(in_order(s, ">&lt;x&gt;", ">a:b<", ">b.txt<"));
	free(s);
}
END_TEST

START_TEST(test_json)
{
	char *s;

	put_file("bad\xff\x01\\.txt", "1234");
	s = render_query("?sort=name", 1);
	ck_assert_ptr_nonnull(strstr(s, "{\"name\":\"a dir\",\"type\":\"directory\",\"mtime\":\""));
	ck_assert_ptr_nonnull(strstr(s, "{\"name\":\"<x>&\\\"'.html\",\"type\":\"file\""));
	ck_assert_ptr_nonnull(strstr(s, "{\"name\":\"bad\\ufffd\\u0001\\\\.txt\",\"type\":\"file\""));
	ck_assert_ptr_nonnull(strstr(s, "\"name\":\"caf\xc3\xa9.txt\"")); /* UTF-8 kept */
	ck_assert_ptr_nonnull(strstr(s, ",\"size\":4}"));
	ck_assert_ptr_null(strstr(s, "<table"));
	ck_assert(s[0] == '[' && strcmp(s + strlen(s) - 3, "\n]\n") == 0);
	ck_assert(in_order(s, "\"a dir\"", "\"zz\"", "\"a:b\""));
	/* links not resolving beneath the root: the name alone */
	ck_assert_ptr_nonnull(strstr(s, "{\"name\":\"out\",\"type\":\"other\"}"));
	ck_assert_ptr_nonnull(strstr(s, "{\"name\":\"dangling\",\"type\":\"other\"}"));
	ck_assert_ptr_nonnull(strstr(s, "{\"name\":\"in\",\"type\":\"file\",\"mtime\":\""));
	free(s);
	unlinkat(dirfd_, "bad\xff\x01\\.txt", 0);
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
	tcase_add_test(tc, test_sort);
	tcase_add_test(tc, test_sort_by_time);
	tcase_add_test(tc, test_json);
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
