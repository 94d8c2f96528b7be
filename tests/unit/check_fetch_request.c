/* Check suite for fetch/request.c: the exact bytes fetch sends. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "fetch.h"
#include "request.h"
#include "url.h"

#define UA "User-Agent: fetch/" FETCH_VERSION "\r\n"

static void expect_hop(const char *url, int head, const char *ua, const char *const *hdrs,
		       unsigned nh, off_t range, int other_origin, const char *want)
{
	struct url u;
	struct buffer b;
	struct fetch_request rq = {&u, head, ua, hdrs, nh, range, other_origin, -1, 0, NULL, 0, NULL};

	ck_assert_int_eq(url_parse(url, &u), URL_OK);
	buffer_init(&b, 64 * 1024);
	ck_assert_int_eq(fetch_request_build(&b, &rq), 0);
	ck_assert_msg(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0,
		      "%s:\n got '%.*s'\nwant '%s'", url, (int)b.len, b.data, want);
	buffer_free(&b);
}

static void expect(const char *url, int head, const char *ua, const char *const *hdrs,
		   unsigned nh, off_t range, const char *want)
{
	expect_hop(url, head, ua, hdrs, nh, range, 0, want);
}

START_TEST(plain_get)
{
	expect("http://example.com/", 0, NULL, NULL, 0, -1,
	       "GET / HTTP/1.1\r\nHost: example.com\r\n" UA
	       "Accept: */*\r\n\r\n");
	expect("example.com", 0, NULL, NULL, 0, -1,
	       "GET / HTTP/1.1\r\nHost: example.com\r\n" UA
	       "Accept: */*\r\n\r\n");
	expect("http://example.com:80/a", 0, NULL, NULL, 0, -1,
	       "GET /a HTTP/1.1\r\nHost: example.com\r\n" UA
	       "Accept: */*\r\n\r\n");
}
END_TEST

START_TEST(host_port_and_ipv6)
{
	expect("http://127.0.0.1:8080/x", 0, NULL, NULL, 0, -1,
	       "GET /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" UA
	       "Accept: */*\r\n\r\n");
	expect("http://[::1]:8080/x", 0, NULL, NULL, 0, -1,
	       "GET /x HTTP/1.1\r\nHost: [::1]:8080\r\n" UA
	       "Accept: */*\r\n\r\n");
	expect("http://[::1]/", 0, NULL, NULL, 0, -1,
	       "GET / HTTP/1.1\r\nHost: [::1]\r\n" UA "Accept: */*\r\n\r\n");
}
END_TEST

START_TEST(target_kept_and_encoded)
{
	/* Percent-encoding as the URL had it; the fragment never leaves. */
	expect("http://h/a%2Fb/c%20d?x=1&y=%41#frag", 0, NULL, NULL, 0, -1,
	       "GET /a%2Fb/c%20d?x=1&y=%41 HTTP/1.1\r\nHost: h\r\n" UA
	       "Accept: */*\r\n\r\n");
	/* A raw space cannot go into a request line. */
	expect("http://h/a b", 0, NULL, NULL, 0, -1,
	       "GET /a%20b HTTP/1.1\r\nHost: h\r\n" UA "Accept: */*\r\n\r\n");
}
END_TEST

START_TEST(head_range_and_user_agent)
{
	expect("http://h/f", 1, NULL, NULL, 0, -1,
	       "HEAD /f HTTP/1.1\r\nHost: h\r\n" UA "Accept: */*\r\n\r\n");
	expect("http://h/f", 0, "agent/2 (x)", NULL, 0, 12345,
	       "GET /f HTTP/1.1\r\nHost: h\r\nUser-Agent: agent/2 (x)\r\nAccept: */*\r\n"
	       "Range: bytes=12345-\r\n\r\n");
}
END_TEST

START_TEST(extra_headers)
{
	static const char *const h[] = {"X-One:  1 ", "accept: text/html", "X-Empty:"};
	expect("http://h/", 0, NULL, h, 3, -1,
	       "GET / HTTP/1.1\r\nHost: h\r\n" UA ""
	       "X-One: 1\r\naccept: text/html\r\n\r\n");
	static const char *const host[] = {"Host: other.example"};
	expect("http://h/", 0, NULL, host, 1, -1,
	       "GET / HTTP/1.1\r\n" UA "Accept: */*\r\n"
	       "Host: other.example\r\n\r\n");
}
END_TEST

/* "Name:" with nothing after the colon removes that default (curl's way). */
START_TEST(empty_header_removes_default)
{
	static const char *const h[] = {"User-Agent:", "Accept:  ", "connection:", "Range:"};
	expect("http://h/", 0, NULL, h, 4, 10, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	static const char *const host[] = {"Host:"};
	expect("http://h/", 0, NULL, host, 1, -1,
	       "GET / HTTP/1.1\r\n" UA "Accept: */*\r\n\r\n");
}
END_TEST

/* Credentials and a custom Host stay with the first origin. */
START_TEST(credentials_only_to_first_origin)
{
	static const char *const h[] = {"Authorization: Bearer s3cret", "cookie: a=b",
					"Proxy-Authorization: Basic eHg=", "Host: vhost.example",
					"X-Other: kept"};
	expect_hop("http://h/", 0, NULL, h, 5, -1, 0,
		   "GET / HTTP/1.1\r\n" UA "Accept: */*\r\n"
		   "Authorization: Bearer s3cret\r\ncookie: a=b\r\n"
		   "Proxy-Authorization: Basic eHg=\r\nHost: vhost.example\r\nX-Other: kept\r\n\r\n");
	expect_hop("http://h2:81/", 0, NULL, h, 5, -1, 1,
		   "GET / HTTP/1.1\r\nHost: h2:81\r\n" UA "Accept: */*\r\n"
		   "X-Other: kept\r\n\r\n");
}
END_TEST

/* -N and --compressed: their headers, before Connection; -H still wins. */
START_TEST(conditional_and_gzip)
{
	struct url u;
	struct buffer b;
	struct fetch_request rq = {&u, 0, NULL, NULL, 0, -1, 0, 1445412480, 1, NULL, 0, NULL};
	static const char *const h[] = {"Accept-Encoding: br"};
	const char *want = "GET / HTTP/1.1\r\nHost: h\r\n" UA "Accept: */*\r\n"
			   "If-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
			   "Accept-Encoding: gzip\r\n\r\n";

	ck_assert_int_eq(url_parse("http://h/", &u), URL_OK);
	buffer_init(&b, 4096);
	ck_assert_int_eq(fetch_request_build(&b, &rq), 0);
	ck_assert_msg(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0, "got '%.*s'",
		      (int)b.len, b.data);
	rq.headers = h;
	rq.nheaders = 1;
	ck_assert_int_eq(fetch_request_build(&b, &rq), 0);
	ck_assert_ptr_null(memmem(b.data, b.len, "gzip", 4));
	ck_assert_ptr_nonnull(memmem(b.data, b.len, "Accept-Encoding: br\r\n", 21));
	buffer_free(&b);
}
END_TEST

static Suite *request_suite(void)
{
	Suite *s = suite_create("fetch_request");
	TCase *t = tcase_create("core");
	tcase_add_test(t, plain_get);
	tcase_add_test(t, host_port_and_ipv6);
	tcase_add_test(t, target_kept_and_encoded);
	tcase_add_test(t, head_range_and_user_agent);
	tcase_add_test(t, extra_headers);
	tcase_add_test(t, empty_header_removes_default);
	tcase_add_test(t, credentials_only_to_first_origin);
	tcase_add_test(t, conditional_and_gzip);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(request_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
