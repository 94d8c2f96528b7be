/* check_reqcheck: every rejection of httpd/reqcheck, on raw bytes and on
 * parsed heads, and the whole pipeline (raw check, llhttp, head check). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "reqcheck.h"

struct raw_case {
	const char *name;
	const char *raw;
	size_t len; /* 0: strlen(raw) */
	int want;
};

static const struct raw_case raw_cases[] = {
	{"plain", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0},
	{"leading empty line", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0},
	{"tab in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n", 0, 0},
	{"obs-text in value", "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n", 0, 0},
	{"empty value", "GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n", 0, 0},
	{"absolute form", "GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0},
	{"CR without LF", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 0, 400},
	{"CR at end", "GET / HTTP/1.1\r", 0, 400},
	{"CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 0, 400},
	{"bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 0, 400},
	{"bare LF after field", "GET / HTTP/1.1\r\nHost: a\n\r\n", 0, 400},
	{"bare LF as blank line", "GET / HTTP/1.1\r\nHost: a\r\n\n", 0, 400},
	{"obs-fold SP", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  folded\r\n\r\n", 0, 400},
	{"obs-fold HTAB", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\tfolded\r\n\r\n", 0, 400},
	{"obs-fold smuggled CL", "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n Content-Length: 5\r\n\r\n", 0,
	 400},
	{"empty name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 0, 400},
	{"SP before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 0, 400},
	{"HTAB before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 0, 400},
	{"SP inside name", "GET / HTTP/1.1\r\nHost: a\r\nContent Length: 1\r\n\r\n", 0, 400},
	{"no colon", "GET / HTTP/1.1\r\nHost: a\r\nJunk\r\n\r\n", 0, 400},
	{"NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 35, 400},
	{"NUL in target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 30, 400},
	{"SOH in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01" "b\r\n\r\n", 0, 400},
	{"DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f" "b\r\n\r\n", 0, 400},
	{"ESC in target", "GET /\x1b HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"version-less", "GET /\r\n\r\n", 0, 400},
	{"version-less with field", "GET /\r\nHost: a\r\n\r\n", 0, 400},
	{"not HTTP version", "GET / FOO/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"HTAB in request line", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"missing target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"blank head", "\r\n\r\n", 0, 400},
	{"HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", 0, 0},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 0, 505},
	{"HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 0, 505},
	{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 0, 505},
	{"HTTP/0.9 spelled out", "GET / HTTP/0.9\r\n\r\n", 0, 505},
	{"lower-case http", "GET / http/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 0, 400},
	{"HTTP/11", "GET / HTTP/11\r\nHost: a\r\n\r\n", 0, 400},
	{"HTTP/1.1 trailing SP", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 0, 400},
	{"three spaces", "GET / x HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
};

START_TEST(test_raw)
{
	const struct raw_case *c = &raw_cases[_i];
	size_t len = c->len ? c->len : strlen(c->raw);

	ck_assert_msg(reqcheck_raw(c->raw, len) == c->want, "%s: want %d", c->name, c->want);
}
END_TEST

/* The raw check reads exactly n bytes: a copy in a tight heap block lets
 * ASan catch any over-read. */
START_TEST(test_raw_exact_length)
{
	const char *src = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	size_t n = strlen(src);
	char *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	memcpy(p, src, n);
	ck_assert_int_eq(reqcheck_raw(p, n), 0);
	ck_assert_int_eq(reqcheck_raw(p, n - 1), 400); /* ends in a lone CR */
	free(p);
}
END_TEST

/* ---- parsed heads, built by hand so llhttp cannot get in the way ---- */

static void head_init(struct http_head *h, int major, int minor)
{
	memset(h, 0, sizeof(*h));
	buffer_init(&h->store, HTTP_HEAD_MAX);
	h->target = 0;
	h->target_len = 1;
	ck_assert_int_eq(buffer_append(&h->store, "/", 2), 0);
	h->method = HTTP_GET;
	h->major = major;
	h->minor = minor;
}

static void head_add(struct http_head *h, const char *name, const char *value)
{
	struct http_field *f = &h->fields[h->nfields];

	f->name = (uint32_t)h->store.len;
	f->name_len = (uint32_t)strlen(name);
	ck_assert_int_eq(buffer_append(&h->store, name, f->name_len + 1), 0);
	f->value = (uint32_t)h->store.len;
	f->value_len = (uint32_t)strlen(value);
	ck_assert_int_eq(buffer_append(&h->store, value, f->value_len + 1), 0);
	http_index_field(h, h->nfields++);
}

struct head_case {
	const char *name;
	int major, minor;
	const char *fields[8]; /* name, value pairs; NULL ends */
	int want;
};

static const struct head_case head_cases[] = {
	{"1.1 with Host", 1, 1, {"Host", "a"}, 0},
	{"1.0 without Host", 1, 0, {NULL}, 0},
	{"1.1 without Host", 1, 1, {NULL}, 400},
	{"1.1 two Hosts", 1, 1, {"Host", "a", "host", "a"}, 400},
	{"2.0", 2, 0, {"Host", "a"}, 505},
	{"1.2", 1, 2, {"Host", "a"}, 505},
	{"3.1", 3, 1, {"Host", "a"}, 505},
	{"0.9 (version-less)", 0, 9, {NULL}, 400},
	{"CL digits", 1, 1, {"Host", "a", "Content-Length", "12"}, 0},
	{"CL letters", 1, 1, {"Host", "a", "Content-Length", "1a"}, 400},
	{"CL plus sign", 1, 1, {"Host", "a", "Content-Length", "+1"}, 400},
	{"CL minus sign", 1, 1, {"Host", "a", "Content-Length", "-1"}, 400},
	{"CL hex", 1, 1, {"Host", "a", "Content-Length", "0x10"}, 400},
	{"CL empty", 1, 1, {"Host", "a", "Content-Length", ""}, 400},
	{"CL list", 1, 1, {"Host", "a", "Content-Length", "1, 1"}, 400},
	{"CL huge", 1, 1, {"Host", "a", "Content-Length", "99999999999999999999"}, 400},
	{"two CL equal", 1, 1, {"Host", "a", "Content-Length", "5", "Content-Length", "5"}, 400},
	{"two CL differ", 1, 1, {"Host", "a", "Content-Length", "5", "content-length", "6"}, 400},
	{"TE chunked", 1, 1, {"Host", "a", "Transfer-Encoding", "chunked"}, 0},
	{"TE Chunked any case", 1, 1, {"Host", "a", "Transfer-Encoding", "CHUNKED"}, 0},
	/* a coding other than one final chunked: 501 (we decode none), as nginx */
	{"TE gzip, chunked", 1, 1, {"Host", "a", "Transfer-Encoding", "gzip, chunked"}, 501},
	{"TE identity, chunked", 1, 1, {"Host", "a", "Transfer-Encoding", "identity, chunked"}, 501},
	{"TE split fields", 1, 1,
	 {"Host", "a", "Transfer-Encoding", "gzip", "Transfer-Encoding", "chunked"}, 501},
	{"TE chunked twice", 1, 1, {"Host", "a", "Transfer-Encoding", "chunked, chunked"}, 501},
	{"TE chunked, gzip", 1, 1, {"Host", "a", "Transfer-Encoding", "chunked, gzip"}, 400},
	{"TE gzip only", 1, 1, {"Host", "a", "Transfer-Encoding", "gzip"}, 400},
	{"TE identity", 1, 1, {"Host", "a", "Transfer-Encoding", "identity"}, 400},
	{"TE empty", 1, 1, {"Host", "a", "Transfer-Encoding", ""}, 400},
	{"TE chunked then gzip field", 1, 1,
	 {"Host", "a", "Transfer-Encoding", "chunked", "Transfer-Encoding", "gzip"}, 400},
	{"TE xchunked", 1, 1, {"Host", "a", "Transfer-Encoding", "xchunked"}, 400},
	{"TE chunked with CL", 1, 1,
	 {"Host", "a", "Transfer-Encoding", "chunked", "Content-Length", "3"}, 400},
	{"TE in HTTP/1.0", 1, 0, {"Transfer-Encoding", "chunked"}, 400},
	/* Host: uri-host [ ":" port ] (RFC 9112 3.2) */
	{"Host reg-name port", 1, 1, {"Host", "www.example-1.org:8080"}, 0},
	{"Host sub-delims pct", 1, 1, {"Host", "a!$&'()*+,;=%41~_"}, 0},
	{"Host IPv4", 1, 1, {"Host", "127.0.0.1:80"}, 0},
	{"Host IPv6", 1, 1, {"Host", "[::1]:8080"}, 0},
	{"Host IPv6 no port", 1, 1, {"Host", "[2001:db8::1]"}, 0},
	{"Host empty", 1, 1, {"Host", ""}, 0},
	{"Host empty port", 1, 1, {"Host", "a:"}, 0},
	{"Host SP and more", 1, 1, {"Host", "a b/c@d"}, 400},
	{"Host slash", 1, 1, {"Host", "a/b"}, 400},
	{"Host userinfo", 1, 1, {"Host", "u@a"}, 400},
	{"Host bad pct", 1, 1, {"Host", "a%4"}, 400},
	{"Host bad pct hex", 1, 1, {"Host", "a%zz"}, 400},
	{"Host port letters", 1, 1, {"Host", "a:80x"}, 400},
	{"Host two colons", 1, 1, {"Host", "a:80:81"}, 400},
	{"Host bare IPv6", 1, 1, {"Host", "::1"}, 400},
	{"Host bad IPv6", 1, 1, {"Host", "[::g]"}, 400},
	{"Host unclosed IPv6", 1, 1, {"Host", "[::1"}, 400},
	{"Host IPv6 junk after", 1, 1, {"Host", "[::1]x"}, 400},
	{"Host IPvFuture", 1, 1, {"Host", "[v1.x]"}, 400},
	{"Host in 1.0 checked too", 1, 0, {"Host", "a b"}, 400},
	{"1.0 two Hosts", 1, 0, {"Host", "a", "Host", "b"}, 400},
};

START_TEST(test_head)
{
	const struct head_case *c = &head_cases[_i];
	struct http_head h;

	head_init(&h, c->major, c->minor);
	for (size_t i = 0; i < 8 && c->fields[i] != NULL; i += 2)
		head_add(&h, c->fields[i], c->fields[i + 1]);
	ck_assert_msg(reqcheck_head(&h) == c->want, "%s: got %d want %d", c->name,
		      reqcheck_head(&h), c->want);
	buffer_free(&h.store);
}
END_TEST

/* ---- the pipeline as the loop runs it: raw check, llhttp, head check ---- */

static int pipeline_status(const char *raw)
{
	struct http_msg m;
	size_t used;
	int status = reqcheck_raw(raw, strlen(raw));
	enum http_feed f;

	if (status != 0)
		return status;
	http_msg_init(&m, HTTP_REQUEST);
	f = http_msg_feed(&m, raw, strlen(raw), &used);
	if (f == HTTP_ERROR)
		status = m.error_status;
	else if (f == HTTP_HEAD_DONE || f == HTTP_MSG_DONE)
		status = reqcheck_head(&m.head);
	else
		status = -1; /* incomplete: the test input is wrong */
	http_msg_free(&m);
	return status;
}

struct pipe_case {
	const char *raw;
	int want;
};

static const struct pipe_case pipe_cases[] = {
	{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0},
	{"GET / HTTP/1.0\r\n\r\n", 0},
	{"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
	{"GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505},
	{"GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505},
	{"GET / HTTP/1.1\r\n\r\n", 400},
	{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
	{"GET /\r\n\r\n", 400},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
	{"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
	{"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n Content-Length: 5\r\n\r\n", 400},
	{"GET / HTTP/1.1\nHost: a\n\n", 400},
	{"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
};

START_TEST(test_pipeline)
{
	const struct pipe_case *c = &pipe_cases[_i];

	ck_assert_msg(pipeline_status(c->raw) == c->want, "case %d: got %d want %d", _i,
		      pipeline_status(c->raw), c->want);
}
END_TEST

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *reqcheck_suite(void)
{
	Suite *s = suite_create("reqcheck");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_raw, 0, NELEM(raw_cases));
	tcase_add_test(tc, test_raw_exact_length);
	tcase_add_loop_test(tc, test_head, 0, NELEM(head_cases));
	tcase_add_loop_test(tc, test_pipeline, 0, NELEM(pipe_cases));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reqcheck_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
