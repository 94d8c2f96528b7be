/* check_reqcheck: every rejection of httpd/reqcheck, on raw bytes and on
 * parsed heads, and the whole pipeline (raw check, llhttp, head check). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "reqcheck.h"
#include "tunables.h"

struct raw_case {
	const char *name;
	const char *raw;
	size_t len; /* 0: strlen(raw) */
	int want;   /* -1: incomplete, more bytes wanted */
};

static const struct raw_case raw_cases[] = {
	{"plain", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0},
	{"tab in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n", 0, 0},
	{"obs-text in value", "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n", 0, 0},
	{"empty value", "GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n", 0, 0},
	{"absolute form", "GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0},
	{"long value", "GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789abcdef0123456789\r\n\r\n", 0, 0},
	{"no fields", "GET / HTTP/1.0\r\n\r\n", 0, 0},
	{"CR without LF", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 0, 400},
	{"CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 0, 400},
	{"CR CR LF", "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", 0, 400},
	{"bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 0, 400},
	{"bare LF after field", "GET / HTTP/1.1\r\nHost: a\n\r\n", 0, 400},
	{"bare LF as blank line", "GET / HTTP/1.1\r\nHost: a\r\n\n", 0, 400},
	{"bare LFs only", "GET / HTTP/1.1\nHost: a\n\n", 0, 400},
	{"empty request line, bare LF", "\n\n", 0, 400},
	{"empty request line", "\r\n\r\n", 0, 400},
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
	{"NUL in name", "GET / HTTP/1.1\r\nHost: a\r\nX\0: b\r\n\r\n", 34, 400},
	{"NUL in target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 30, 400},
	{"SOH in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01" "b\r\n\r\n", 0, 400},
	{"DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f" "b\r\n\r\n", 0, 400},
	{"ESC in target", "GET /\x1b HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"version-less", "GET /\r\n\r\n", 0, 400},
	{"version-less with field", "GET /\r\nHost: a\r\n\r\n", 0, 400},
	{"not HTTP version", "GET / FOO/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"HTAB in request line", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"HTAB in target", "GET /\t HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"missing target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"SP first", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 0, 505},
	{"HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 0, 505},
	{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 0, 505},
	{"HTTP/0.9 spelled out", "GET / HTTP/0.9\r\n\r\n", 0, 505},
	{"505 before a later fault", "GET / HTTP/2.0\r\nHost : a\r\n\r\n", 0, 505},
	{"a fault before 505", "GET /\x01 HTTP/2.0\r\nHost: a\r\n\r\n", 0, 400},
	{"lower-case http", "GET / http/1.1\r\nHost: a\r\n\r\n", 0, 400},
	{"HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 0, 400},
	{"HTTP/11", "GET / HTTP/11\r\nHost: a\r\n\r\n", 0, 400},
	{"HTTP/1.1 trailing SP", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 0, 400},
	{"three spaces", "GET / x HTTP/1.1\r\nHost: a\r\n\r\n", 0, 400},
	/* Incomplete: nothing is answered before the blank line, a fault neither. */
	{"no blank line yet", "GET / HTTP/1.1\r\nHost: a\r\n", 0, -1},
	{"CR at end", "GET / HTTP/1.1\r", 0, -1},
	{"LF CR at end", "GET / HTTP/1.1\r\nHost: a\r\n\r", 0, -1},
	{"fault, no blank line yet", "GET / HTTP/1.1\r\nX: \x01\r\n", 0, -1},
	{"LF CR then a line", "GET / HTTP/1.1\r\n\rX: a\r\n", 0, -1},
	{"nothing", "", 0, -1},
};

/* Its verdict on buf[0, n): the status, or -1 while incomplete; *len the
 * head's length. */
static int raw_verdict(struct reqcheck_scan *s, const char *buf, size_t n, size_t *len)
{
	int st = reqcheck_raw(s, buf, n, len);

	return st == 0 && *len == 0 ? -1 : st;
}

/* The head given whole, in an exact-size heap block so that ASan catches
 * any read past its end. */
static int raw_whole(const char *raw, size_t n, size_t *len)
{
	struct reqcheck_scan s = {0};
	char *p = malloc(n ? n : 1);
	int st;

	ck_assert_ptr_nonnull(p);
	memcpy(p, raw, n);
	st = raw_verdict(&s, p, n, len);
	free(p);
	return st;
}

/* The head as a read loop sees it: the first `cut` bytes, then more and
 * more, each call on an exact-size copy of the bytes so far with the scan
 * carried over (step 0: the rest at once, else `step` bytes a read). The
 * first verdict, or -1. */
static int raw_pieces(const char *raw, size_t n, size_t cut, size_t step, size_t *len)
{
	struct reqcheck_scan s = {0};
	size_t have = cut;
	int st;

	for (;;) {
		char *p = malloc(have ? have : 1);

		ck_assert_ptr_nonnull(p);
		memcpy(p, raw, have);
		st = raw_verdict(&s, p, have, len);
		free(p);
		if (st != -1 || have == n)
			return st;
		have = step == 0 || n - have < step ? n : have + step;
	}
}

static size_t raw_len(const struct raw_case *c)
{
	return c->len ? c->len : strlen(c->raw);
}

START_TEST(test_raw)
{
	const struct raw_case *c = &raw_cases[_i];
	size_t len;

	ck_assert_msg(raw_whole(c->raw, raw_len(c), &len) == c->want, "%s: want %d", c->name,
		      c->want);
	if (c->want == 0)
		ck_assert_uint_eq(len, raw_len(c));
}
END_TEST

/* The scan resumes where it stopped: a head cut anywhere, or sent a byte
 * at a time (slowloris), gets the verdict and length it gets whole. */
START_TEST(test_raw_resume)
{
	const struct raw_case *c = &raw_cases[_i];
	size_t n = raw_len(c), whole_len, len;
	int whole = raw_whole(c->raw, n, &whole_len);

	for (size_t cut = 0; cut <= n; cut++) {
		ck_assert_msg(raw_pieces(c->raw, n, cut, 0, &len) == whole, "%s: cut at %zu", c->name,
			      cut);
		ck_assert_uint_eq(len, whole_len);
	}
	ck_assert_msg(raw_pieces(c->raw, n, 0, 1, &len) == whole, "%s: bytewise", c->name);
	ck_assert_uint_eq(len, whole_len);
}
END_TEST

/* A head is framed at its blank line; what follows (the next request) is
 * not looked at. */
START_TEST(test_raw_stops_at_head_end)
{
	const char *two = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /\x01 HTTP/9.9\r\n";
	size_t len;

	ck_assert_int_eq(raw_whole(two, strlen(two), &len), 0);
	ck_assert_uint_eq(len, 27);
	ck_assert_int_eq(raw_whole("GET / HTTP/1.1\nX: a\n\nmore", 25, &len), 400);
	ck_assert_uint_eq(len, 21);
	ck_assert_int_eq(raw_whole("GET / HTTP/1.1\r\n\n\r\n", 19, &len), 400);
	ck_assert_uint_eq(len, 17);
}
END_TEST

/* Each byte is looked at once: a long line trickling in is never scanned
 * again from its start (the scan stands at its last byte). */
START_TEST(test_raw_linear)
{
	static char head[4096];
	struct reqcheck_scan s = {0};
	size_t len, start = 19;

	memcpy(head, "GET / HTTP/1.1\r\nX: ", start);
	memset(head + start, 'a', sizeof head - start);
	for (size_t n = start; n <= sizeof head; n++) {
		ck_assert_int_eq(reqcheck_raw(&s, head, n, &len), 0);
		ck_assert_uint_eq(len, 0);
		ck_assert_uint_eq(s.pos, n);
	}
}
END_TEST

/* The limits: 414 once no LF is among the first CONN_LINE_MAX + 1 bytes,
 * 431 once the head cannot end within HTTP_HEAD_MAX; both as soon as that
 * is known, and before any other fault. */
START_TEST(test_raw_limits)
{
	size_t line_max = CONN_LINE_MAX;
	char *h = malloc(HTTP_HEAD_MAX + 64);
	size_t len;

	ck_assert_ptr_nonnull(h);
	memset(h, 'a', HTTP_HEAD_MAX + 64);
	memcpy(h, "GET /\x01", 6);
	ck_assert_int_eq(raw_whole(h, line_max, &len), -1);
	ck_assert_int_eq(raw_whole(h, line_max + 1, &len), 414);
	memcpy(h + line_max - 1, "\r\n", 2); /* LF the last byte allowed */
	ck_assert_int_eq(raw_whole(h, line_max + 1, &len), -1);
	memcpy(h + line_max - 1, "a\r\n\r\n", 5); /* LF one byte later */
	ck_assert_int_eq(raw_whole(h, line_max + 4, &len), 414);

	memcpy(h, "GET / HTTP/1.1\r\nX: ", 19);
	memset(h + 19, 'a', HTTP_HEAD_MAX + 64 - 19);
	ck_assert_int_eq(raw_whole(h, HTTP_HEAD_MAX - 1, &len), -1);
	ck_assert_int_eq(raw_whole(h, HTTP_HEAD_MAX, &len), 431);
	memcpy(h + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4); /* ends at the limit exactly */
	ck_assert_int_eq(raw_whole(h, HTTP_HEAD_MAX, &len), 0);
	ck_assert_uint_eq(len, HTTP_HEAD_MAX);
	memcpy(h + HTTP_HEAD_MAX - 4, "a\r\n\r\n", 5); /* one byte over */
	ck_assert_int_eq(raw_whole(h, HTTP_HEAD_MAX + 1, &len), 431);
	free(h);
}
END_TEST

/* ---- parsed heads, built by hand so llhttp cannot get in the way ---- */

static void head_init(struct http_head *h, int major, int minor)
{
	memset(h, 0, sizeof(*h));
	buffer_init(&h->store, HTTP_HEAD_MAX);
	h->fields = calloc(8, sizeof *h->fields);
	ck_assert_ptr_nonnull(h->fields);
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
	free(h.fields);
}
END_TEST

/* ---- the pipeline as the loop runs it: raw check, llhttp, head check ---- */

static int pipeline_status(const char *raw)
{
	struct http_msg m;
	size_t used;
	struct reqcheck_scan scan = {0};
	size_t len;
	int status = reqcheck_raw(&scan, raw, strlen(raw), &len);
	enum http_feed f;

	if (status != 0 || len == 0)
		return status != 0 ? status : -1;
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
	tcase_add_loop_test(tc, test_raw_resume, 0, NELEM(raw_cases));
	tcase_add_test(tc, test_raw_stops_at_head_end);
	tcase_add_test(tc, test_raw_linear);
	tcase_add_test(tc, test_raw_limits);
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
