/* check_fuzz_regress: inputs found by the fuzzers (fuzz/) and the network
 * garbage test (tests/integration/fault_garbage.sh), kept as regression tests.
 * Each states the property that input once broke or came close to breaking;
 * under `make asan` the sanitizers watch them too. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buffer.h"
#include "http.h"
#include "listing.h"
#include "reqcheck.h"

/* fault_garbage.sh, ASan build: GET of an empty directory's listing made
 * UBSan abort the worker ("null pointer passed as argument 1" in qsort with
 * no entries). An empty directory must render a page with only the parent
 * link. */
START_TEST(test_listing_empty_dir)
{
	char dir[64];
	struct buffer out;
	snprintf(dir, sizeof dir, "/tmp/check_fuzz_regress.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	buffer_init(&out, 1 << 16);
	struct path_root root;
	ck_assert_int_eq(path_root_open(&root, dir), 0);
	struct listing_dir d = {&root, fd, "/empty/", 7};
	struct listing_view view = {0};
	ck_assert_int_eq(listing_render(&out, &d, &view), 0);
	path_root_close(&root);
	ck_assert_int_eq(buffer_append(&out, "", 1), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "Index of /empty/"));
	ck_assert_ptr_nonnull(strstr(out.data, "<td><a href=\"../\""));
	/* the parent link is the only row's link */
	ck_assert_ptr_null(strstr(strstr(out.data, "<td><a href=") + 5, "<td><a href="));
	buffer_free(&out);
	close(fd);
	rmdir(dir);
}
END_TEST

struct body {
	size_t n;
};

static int count_body(void *arg, const char *at, size_t n)
{
	(void)at;
	((struct body *)arg)->n += n;
	return 0;
}

/* Feeds a whole request; returns the reqcheck status (0 accepted) and, when
 * accepted, whether the message completed, with its body length. */
static int feed_request(const char *req, int *done, size_t *body)
{
	struct http_msg m;
	struct body b = {0};
	size_t n = strlen(req), off = 0, used;
	int st = 0;
	*done = 0;
	http_msg_init(&m, HTTP_REQUEST);
	m.on_body = count_body;
	m.arg = &b;
	while (off < n) {
		enum http_feed r = http_msg_feed(&m, req + off, n - off, &used);
		off += used;
		if (r == HTTP_ERROR) {
			st = m.error_status ? m.error_status : 400;
			break;
		}
		if (r == HTTP_HEAD_DONE) {
			const char *end = strstr(req, "\r\n\r\n");
			struct reqcheck_scan scan = {0};
			size_t len;
			st = end ? reqcheck_raw(&scan, req, (size_t)(end + 4 - req), &len) : 400;
			if (st == 0)
				st = reqcheck_head(&m.head);
			if (st != 0)
				break;
		} else if (r == HTTP_MSG_DONE) {
			*done = 1;
			break;
		} else if (used == 0) {
			break;
		}
	}
	if (!*done && st == 0 && off == n && http_msg_finish(&m) == HTTP_MSG_DONE)
		*done = 1;
	*body = b.n;
	http_msg_free(&m);
	return st;
}

/* fuzz_request: "Content-Length: 26 " (trailing space). lib/http keeps the
 * trailing OWS in the stored value; whatever reqcheck decides, an accepted
 * request must be framed by the number itself. */
START_TEST(test_cl_trailing_space)
{
	int done;
	size_t body;
	int st = feed_request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 \r\n\r\nhello", &done,
			      &body);
	if (st == 0) {
		ck_assert_int_eq(done, 1);
		ck_assert_uint_eq(body, 5);
	} else {
		ck_assert_int_eq(st, 400);
	}
}
END_TEST

/* fuzz_request: "Transfer-Encoding: chunked" then an empty Transfer-Encoding
 * field: the list "chunked, " still ends in chunked (RFC 9110 5.6.1). If
 * accepted it must be framed as chunked: the 0-size chunk ends it. */
START_TEST(test_te_chunked_then_empty)
{
	int done;
	size_t body;
	int st = feed_request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
			      "Transfer-Encoding: \r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			      &done, &body);
	if (st == 0) {
		ck_assert_int_eq(done, 1);
		ck_assert_uint_eq(body, 3);
	} else {
		ck_assert_int_eq(st, 400);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz_regress");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_listing_empty_dir);
	tcase_add_test(tc, test_cl_trailing_space);
	tcase_add_test(tc, test_te_chunked_then_empty);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
