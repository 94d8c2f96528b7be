/* Check suite for lib/http: the llhttp glue. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

struct sink {
	char body[4096];
	size_t len;
	int refuse_after; /* refuse once this many bytes came (0: never) */
};

static int collect(void *arg, const char *at, size_t n)
{
	struct sink *s = arg;
	if (s->len + n > sizeof s->body)
		return 1;
	memcpy(s->body + s->len, at, n);
	s->len += n;
	return s->refuse_after && s->len >= (size_t)s->refuse_after;
}

/* The target is stored without a NUL: compared by length and bytes. */
static void ck_target(const struct http_head *h, const char *want)
{
	size_t len;
	const char *t = http_target(h, &len);

	ck_assert_uint_eq(len, strlen(want));
	ck_assert_mem_eq(t, want, len);
}

/* Feeds data in pieces of `step` bytes until `stop` is reported or the data
 * runs out; returns the last result and how many bytes were used in *total. */
static enum http_feed feed(struct http_msg *m, const char *data, size_t n, size_t step,
			   enum http_feed stop, size_t *total)
{
	size_t off = 0;
	enum http_feed r = HTTP_MORE;
	while (off < n || r == HTTP_HEAD_DONE) {
		size_t len = n - off < step ? n - off : step;
		size_t used;
		r = http_msg_feed(m, data + off, len, &used);
		off += used;
		if (r == stop || r == HTTP_ERROR)
			break;
		if (r == HTTP_MORE && off >= n)
			break;
	}
	if (total)
		*total = off;
	return r;
}

static const char *header(struct http_msg *m, const char *name)
{
	size_t len;
	return http_header(&m->head, name, &len);
}

/* A parser left mid-head, after an error, or closed starts over as new. */
START_TEST(restart_from_anywhere)
{
	static const char req[] = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char half[] = "POST /half HTTP/1.1\r\nHo";
	static const char bad[] = "\x01" "BAD\r\n\r\n";
	static const char closing[] = "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
	struct http_msg m;
	size_t used;

	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(http_msg_feed(&m, half, sizeof half - 1, &used), HTTP_MORE);
	http_msg_reset(&m);
	ck_assert_int_eq(http_msg_feed(&m, req, sizeof req - 1, &used), HTTP_HEAD_DONE);
	ck_assert_uint_eq(used, sizeof req - 1);
	ck_target(&m.head, "/x");
	ck_assert_int_eq(m.head.method, HTTP_GET);
	ck_assert_uint_eq(m.head.nfields, 1);
	ck_assert_int_eq(http_msg_feed(&m, "", 0, &used), HTTP_MSG_DONE);
	http_msg_reset(&m);
	ck_assert_int_eq(http_msg_feed(&m, bad, sizeof bad - 1, &used), HTTP_ERROR);
	http_msg_reset(&m);
	ck_assert_int_eq(m.error_status, 0);
	ck_assert_int_eq(http_msg_feed(&m, req, sizeof req - 1, &used), HTTP_HEAD_DONE);
	ck_target(&m.head, "/x");
	ck_assert_int_eq(http_msg_feed(&m, "", 0, &used), HTTP_MSG_DONE);
	/* Closed after a Connection: close message: usable again. */
	http_msg_reset(&m);
	ck_assert_int_eq(http_msg_feed(&m, closing, sizeof closing - 1, &used), HTTP_HEAD_DONE);
	ck_assert_int_eq(http_msg_feed(&m, "", 0, &used), HTTP_MSG_DONE);
	http_msg_reset(&m);
	ck_assert_int_eq(http_msg_feed(&m, req, sizeof req - 1, &used), HTTP_HEAD_DONE);
	ck_assert_int_eq(m.head.keep_alive, 1);
	http_msg_free(&m);
}
END_TEST

START_TEST(get_head_then_message)
{
	static const char req[] = "GET /a%20b?x=1 HTTP/1.1\r\nHost: example\r\nX-Empty:\r\n\r\n";
	struct http_msg m;
	size_t used;
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(http_msg_feed(&m, req, sizeof req - 1, &used), HTTP_HEAD_DONE);
	ck_target(&m.head, "/a%20b?x=1");
	ck_assert_int_eq(m.head.method, HTTP_GET);
	ck_assert_int_eq(m.head.major, 1);
	ck_assert_int_eq(m.head.minor, 1);
	ck_assert_int_eq(m.head.keep_alive, 1);
	ck_assert_int_eq(m.head.has_body, 0);
	ck_assert_str_eq(header(&m, "host"), "example");
	ck_assert_str_eq(header(&m, "X-EMPTY"), "");
	ck_assert_ptr_null(header(&m, "missing"));
	ck_assert_uint_eq(m.head.nfields, 2);
	size_t rest = sizeof req - 1 - used;
	size_t used2;
	ck_assert_int_eq(http_msg_feed(&m, req + used, rest, &used2), HTTP_MSG_DONE);
	ck_assert_uint_eq(used + used2, sizeof req - 1);
	/* Done stays done until reset. */
	ck_assert_int_eq(http_msg_feed(&m, "", 0, &used2), HTTP_MSG_DONE);
	http_msg_free(&m);
}
END_TEST

START_TEST(pipelined_requests_stop_at_each_message)
{
	static const char reqs[] = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
				   "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
				   "HEAD /3 HTTP/1.0\r\n\r\n";
	const char *want[] = {"/1", "/2", "/3"};
	struct http_msg m;
	size_t off = 0, used;
	http_msg_init(&m, HTTP_REQUEST);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(feed(&m, reqs + off, sizeof reqs - 1 - off, 4096, HTTP_MSG_DONE, &used),
				 HTTP_MSG_DONE);
		off += used;
		ck_target(&m.head, want[i]);
		http_msg_reset(&m);
	}
	ck_assert_uint_eq(off, sizeof reqs - 1);
	ck_assert_int_eq(m.head.keep_alive, 0); /* HTTP/1.0 without keep-alive */
	http_msg_free(&m);
}
END_TEST

START_TEST(split_at_every_byte)
{
	static const char req[] = "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
				  "X-Long-Header-Name: some value here\r\n\r\nhelloGET";
	for (size_t step = 1; step <= 8; step++) {
		struct http_msg m;
		struct sink s = {0};
		size_t used;
		http_msg_init(&m, HTTP_REQUEST);
		m.on_body = collect;
		m.arg = &s;
		ck_assert_int_eq(feed(&m, req, sizeof req - 1, step, HTTP_MSG_DONE, &used),
				 HTTP_MSG_DONE);
		ck_assert_uint_eq(used, sizeof req - 1 - 3); /* "GET" belongs to the next */
		ck_target(&m.head, "/upload");
		ck_assert_str_eq(header(&m, "x-long-header-name"), "some value here");
		ck_assert_int_eq(m.head.has_body, 1);
		ck_assert_uint_eq(s.len, 5);
		ck_assert_int_eq(memcmp(s.body, "hello", 5), 0);
		http_msg_free(&m);
	}
}
END_TEST

START_TEST(chunked_body_and_extension_bound)
{
	static const char ok[] = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "3;a=b\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n";
	struct http_msg m;
	struct sink s = {0};
	size_t used;
	http_msg_init(&m, HTTP_REQUEST);
	m.on_body = collect;
	m.arg = &s;
	ck_assert_int_eq(feed(&m, ok, sizeof ok - 1, 7, HTTP_MSG_DONE, &used), HTTP_MSG_DONE);
	ck_assert_uint_eq(s.len, 5);
	ck_assert_int_eq(memcmp(s.body, "abcde", 5), 0);
	http_msg_free(&m);

	char bad[4096];
	int n = snprintf(bad, sizeof bad,
			 "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;");
	memset(bad + n, 'x', 2000);
	memcpy(bad + n + 2000, "\r\na\r\n0\r\n\r\n", 10);
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(feed(&m, bad, (size_t)n + 2010, 4096, HTTP_MSG_DONE, NULL), HTTP_ERROR);
	ck_assert_int_eq(m.error_status, 400);
	http_msg_free(&m);
}
END_TEST

START_TEST(body_refused_is_413)
{
	static const char req[] = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789";
	struct http_msg m;
	struct sink s = {.refuse_after = 4};
	http_msg_init(&m, HTTP_REQUEST);
	m.on_body = collect;
	m.arg = &s;
	ck_assert_int_eq(feed(&m, req, sizeof req - 1, 4, HTTP_MSG_DONE, NULL), HTTP_ERROR);
	ck_assert_int_eq(m.error_status, 413);
	http_msg_free(&m);
}
END_TEST

START_TEST(limits)
{
	struct http_msg m;
	struct buffer b;
	buffer_init(&b, 1 << 20);

	/* A target over the bound: 414. */
	buffer_append_str(&b, "GET /");
	for (int i = 0; i < HTTP_TARGET_MAX; i++)
		buffer_append(&b, "a", 1);
	buffer_append_str(&b, " HTTP/1.1\r\nHost: h\r\n\r\n");
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(feed(&m, b.data, b.len, 1000, HTTP_MSG_DONE, NULL), HTTP_ERROR);
	ck_assert_int_eq(m.error_status, 414);
	http_msg_free(&m);

	/* More fields than allowed: 431. */
	buffer_clear(&b);
	buffer_append_str(&b, "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= HTTP_FIELDS_MAX; i++)
		buffer_printf(&b, "X-%d: v\r\n", i);
	buffer_append_str(&b, "\r\n");
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(feed(&m, b.data, b.len, 1000, HTTP_MSG_DONE, NULL), HTTP_ERROR);
	ck_assert_int_eq(m.error_status, 431);
	http_msg_free(&m);

	/* Exactly the most fields allowed is fine. */
	buffer_clear(&b);
	buffer_append_str(&b, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < HTTP_FIELDS_MAX; i++)
		buffer_printf(&b, "X-%d: v\r\n", i);
	buffer_append_str(&b, "\r\n");
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(feed(&m, b.data, b.len, 1000, HTTP_MSG_DONE, NULL), HTTP_MSG_DONE);
	ck_assert_uint_eq(m.head.nfields, HTTP_FIELDS_MAX);
	ck_assert_uint_eq(http_header_count(&m.head, "x-7"), 1);
	http_msg_free(&m);

	/* A raised fields_max (fetch's 1,000) takes more, grown in place, and
	 * still stops one past it. */
	buffer_clear(&b);
	buffer_append_str(&b, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 1000; i++)
		buffer_printf(&b, "X-%d: v\r\n", i);
	buffer_append_str(&b, "\r\n");
	http_msg_init(&m, HTTP_REQUEST);
	m.head.store.limit = 64 * 1024;
	m.head.fields_max = 1000;
	ck_assert_int_eq(feed(&m, b.data, b.len, 1000, HTTP_MSG_DONE, NULL), HTTP_MSG_DONE);
	ck_assert_uint_eq(m.head.nfields, 1000);
	ck_assert_uint_eq(http_header_count(&m.head, "x-999"), 1);
	http_msg_free(&m);
	http_msg_init(&m, HTTP_REQUEST);
	m.head.store.limit = 64 * 1024;
	m.head.fields_max = 999;
	ck_assert_int_eq(feed(&m, b.data, b.len, 1000, HTTP_MSG_DONE, NULL), HTTP_ERROR);
	ck_assert_int_eq(m.error_status, 431);
	http_msg_free(&m);

	/* A head over HTTP_HEAD_MAX bytes: 431. */
	buffer_clear(&b);
	buffer_append_str(&b, "GET / HTTP/1.1\r\nX-Big: ");
	for (int i = 0; i < HTTP_HEAD_MAX; i++)
		buffer_append(&b, "v", 1);
	buffer_append_str(&b, "\r\n\r\n");
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(feed(&m, b.data, b.len, 1000, HTTP_MSG_DONE, NULL), HTTP_ERROR);
	ck_assert_int_eq(m.error_status, 431);
	http_msg_free(&m);
	buffer_free(&b);
}
END_TEST

START_TEST(bad_requests)
{
	static const char *bad[] = {
		"GET / HTTP/1.1\r\nHost : h\r\n\r\n", /* space before colon (strict mode) */
		"GET / HTTP/1.1\r\nHo st: h\r\n\r\n",
		"\x01\x02garbage\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct http_msg m;
		http_msg_init(&m, HTTP_REQUEST);
		ck_assert_int_eq(feed(&m, bad[i], strlen(bad[i]), 4096, HTTP_MSG_DONE, NULL),
				 HTTP_ERROR);
		ck_assert_int_ge(m.error_status, 400);
		http_msg_free(&m);
	}
	struct http_msg m;
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(feed(&m, "BREW / HTTP/1.1\r\n\r\n", 19, 4096, HTTP_MSG_DONE, NULL),
			 HTTP_ERROR);
	ck_assert_int_eq(m.error_status, 501);
	http_msg_free(&m);
}
END_TEST

START_TEST(response_content_length_and_interim)
{
	static const char resp[] = "HTTP/1.1 100 Continue\r\n\r\n"
				   "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\r\n\r\n";
	struct http_msg m;
	struct sink s = {0};
	size_t off = 0, used;
	http_msg_init(&m, HTTP_RESPONSE);
	m.on_body = collect;
	m.arg = &s;
	ck_assert_int_eq(feed(&m, resp, sizeof resp - 1, 3, HTTP_MSG_DONE, &used), HTTP_MSG_DONE);
	ck_assert_int_eq(m.head.status, 100);
	off += used;
	http_msg_reset(&m);
	ck_assert_int_eq(feed(&m, resp + off, sizeof resp - 1 - off, 3, HTTP_MSG_DONE, &used),
			 HTTP_MSG_DONE);
	ck_assert_int_eq(m.head.status, 200);
	ck_target(&m.head, "OK");
	ck_assert_uint_eq(s.len, 4);
	ck_assert_int_eq(memcmp(s.body, "\r\n\r\n", 4), 0);
	http_msg_free(&m);
}
END_TEST

START_TEST(response_close_delimited_and_incomplete)
{
	static const char resp[] = "HTTP/1.0 200 OK\r\n\r\nab\0cd";
	struct http_msg m;
	struct sink s = {0};
	http_msg_init(&m, HTTP_RESPONSE);
	m.on_body = collect;
	m.arg = &s;
	ck_assert_int_eq(feed(&m, resp, sizeof resp - 1, 5, HTTP_MSG_DONE, NULL), HTTP_MORE);
	ck_assert_int_eq(http_msg_finish(&m), HTTP_MSG_DONE);
	ck_assert_uint_eq(s.len, 5);
	ck_assert_int_eq(memcmp(s.body, "ab\0cd", 5), 0);
	http_msg_free(&m);

	static const char cut[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
	http_msg_init(&m, HTTP_RESPONSE);
	ck_assert_int_eq(feed(&m, cut, sizeof cut - 1, 4096, HTTP_MSG_DONE, NULL), HTTP_MORE);
	ck_assert_int_eq(http_msg_finish(&m), HTTP_ERROR);
	http_msg_free(&m);

	static const char nolast[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				     "2\r\nab\r\n";
	http_msg_init(&m, HTTP_RESPONSE);
	ck_assert_int_eq(feed(&m, nolast, sizeof nolast - 1, 4096, HTTP_MSG_DONE, NULL), HTTP_MORE);
	ck_assert_int_eq(http_msg_finish(&m), HTTP_ERROR);
	http_msg_free(&m);
}
END_TEST

START_TEST(response_skip_body_for_head)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
				   "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	struct http_msg m;
	size_t used, used2;
	http_msg_init(&m, HTTP_RESPONSE);
	m.skip_body = 1;
	ck_assert_int_eq(http_msg_feed(&m, resp, sizeof resp - 1, &used), HTTP_HEAD_DONE);
	ck_assert_int_eq(m.head.status, 200);
	ck_assert_int_eq(http_msg_feed(&m, resp + used, sizeof resp - 1 - used, &used2),
			 HTTP_MSG_DONE);
	ck_assert_uint_eq(used2, 0);
	ck_assert_uint_eq(used, 41);
	http_msg_reset(&m);
	ck_assert_int_eq(feed(&m, resp + used, sizeof resp - 1 - used, 4096, HTTP_MSG_DONE, NULL),
			 HTTP_MSG_DONE);
	ck_assert_int_eq(m.head.status, 404);
	http_msg_free(&m);
}
END_TEST

START_TEST(response_bad_status_or_version)
{
	static const char *bad[] = {
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 600 Odd\r\n\r\n",
		"HTTP/2.0 200 OK\r\n\r\n",
		"ICY 200 OK\r\n\r\n",
		"<html>not http</html>\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct http_msg m;
		http_msg_init(&m, HTTP_RESPONSE);
		ck_assert_int_eq(feed(&m, bad[i], strlen(bad[i]), 4096, HTTP_MSG_DONE, NULL),
				 HTTP_ERROR);
		http_msg_free(&m);
	}
}
END_TEST

START_TEST(field_accessors_and_reasons)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n";
	struct http_msg m;
	size_t len;
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(feed(&m, req, sizeof req - 1, 4096, HTTP_MSG_DONE, NULL), HTTP_MSG_DONE);
	ck_assert_uint_eq(http_header_count(&m.head, "HOST"), 2);
	ck_assert_mem_eq(http_field_name(&m.head, 1, &len), "host", 4);
	ck_assert_uint_eq(len, 4);
	ck_assert_str_eq(http_field_value(&m.head, 1, &len), "b");
	ck_assert_uint_eq(len, 1);
	http_msg_free(&m);

	ck_assert_str_eq(http_reason(200), "OK");
	ck_assert_str_eq(http_reason(404), "Not Found");
	ck_assert_str_eq(http_reason(431), "Request Header Fields Too Large");
	ck_assert_str_eq(http_reason(599), "");
	ck_assert_str_eq(http_reason(-1), "");
	ck_assert_str_eq(http_reason(1000), "");
}
END_TEST


/* Parses head + body (a request or a response) split at one offset `cut`,
 * fed in two pieces (then byte by byte from there when `bytewise`). */
static enum http_feed feed_split(struct http_msg *m, const char *data, size_t n, size_t cut,
				 int bytewise, size_t *total)
{
	size_t off = 0, used = 0;
	enum http_feed r = HTTP_MORE;

	while (off < n || r == HTTP_HEAD_DONE) {
		size_t end = off < cut ? cut : bytewise ? off + 1 : n;
		if (end > n)
			end = n;
		r = http_msg_feed(m, data + off, end - off, &used);
		off += used;
		if (r == HTTP_MSG_DONE || r == HTTP_ERROR)
			break;
		if (r == HTTP_MORE && off >= n)
			break;
	}
	*total = off;
	return r;
}

/* Valid chunk extensions (RFC 9112 7.1.1), which llhttp 8.1.0 refuses in
 * part, are accepted and ignored in requests (httpd) and responses (fetch),
 * wherever the bytes are split; invalid ones are 400. */
START_TEST(chunk_extensions_both_modes_every_split)
{
	static const char *const heads[] = {
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	};
	static const llhttp_type_t types[] = {HTTP_REQUEST, HTTP_RESPONSE};
	static const char body[] = "5;a=b;c\r\nhello\r\n"
				   "3;a=b;c=\"d\"\r\nabc\r\n"
				   "2 ; x = \"q\\\"; \\\\\" ;y\r\nde\r\n"
				   "1;tok=v-1.2\r\nf\r\n"
				   "0;last\r\n\r\nNEXT";
	static const char *const bad_ext[] = {
		"5;\r\n", "5;=b\r\n", "5;a=\r\n", "5;a=\"b\r\n", "5;a b\r\n", "5 \r\n",
		"5;a=b\nhello\r\n", "5;a\x01\r\n", "5;a=\"\x7f\"\r\n", "5;a=b\r\r\n",
	};

	for (int t = 0; t < 2; t++) {
		char msg[512];
		size_t hl = strlen(heads[t]);
		size_t n = (size_t)snprintf(msg, sizeof msg, "%s%s", heads[t], body);

		for (size_t cut = 0; cut <= n; cut++)
			for (int bytewise = 0; bytewise < 2; bytewise++) {
				struct http_msg m;
				struct sink s = {0};
				size_t used;

				http_msg_init(&m, types[t]);
				m.on_body = collect;
				m.arg = &s;
				ck_assert_msg(feed_split(&m, msg, n, cut, bytewise, &used) == HTTP_MSG_DONE,
					      "type %d cut %zu: %d", t, cut, m.error_status);
				ck_assert_uint_eq(used, n - 4); /* "NEXT" is the next message's */
				ck_assert_uint_eq(s.len, 11);
				ck_assert_int_eq(memcmp(s.body, "helloabcdef", 11), 0);
				http_msg_free(&m);
			}
		for (size_t i = 0; i < sizeof bad_ext / sizeof *bad_ext; i++) {
			struct http_msg m;
			size_t used;
			snprintf(msg, sizeof msg, "%shello\r\n0\r\n\r\n", bad_ext[i]);
			memmove(msg + hl, msg, strlen(msg) + 1);
			memcpy(msg, heads[t], hl);
			http_msg_init(&m, types[t]);
			ck_assert_msg(feed_split(&m, msg, strlen(msg), hl, 1, &used) == HTTP_ERROR,
				      "accepted %s", bad_ext[i]);
			ck_assert_int_eq(m.error_status, 400);
			http_msg_free(&m);
		}
	}
}
END_TEST

/* Trailer fields never reach the head; their bytes count against its
 * limit; a folded trailer line is refused; a trailer's Connection: close
 * leaves the parser fit for another message. */
START_TEST(trailers_dropped_bounded_no_fold)
{
	static const char req[] = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "2\r\nab\r\n0\r\nRange: bytes=0-0\r\nHost: evil\r\nConnection: close\r\n\r\n"
				  "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char fold[] = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "0\r\nX-A: a\r\n b\r\n\r\n";
	struct http_msg m;
	struct buffer b;
	size_t used;

	for (size_t step = 1; step <= sizeof req; step++) {
		http_msg_init(&m, HTTP_REQUEST);
		ck_assert_int_eq(feed(&m, req, sizeof req - 1, step, HTTP_MSG_DONE, &used),
				 HTTP_MSG_DONE);
		ck_assert_uint_eq(m.head.nfields, 2);
		ck_assert_ptr_null(header(&m, "Range"));
		ck_assert_str_eq(header(&m, "Host"), "h");
		ck_assert_int_eq(m.head.keep_alive, 1);
		http_msg_reset(&m);
		ck_assert_int_eq(feed(&m, req + used, sizeof req - 1 - used, 4096, HTTP_MSG_DONE, NULL),
				 HTTP_MSG_DONE);
		ck_target(&m.head, "/next");
		http_msg_free(&m);
	}
	for (size_t step = 1; step <= sizeof fold; step++) {
		http_msg_init(&m, HTTP_REQUEST);
		ck_assert_int_eq(feed(&m, fold, sizeof fold - 1, step, HTTP_MSG_DONE, NULL), HTTP_ERROR);
		ck_assert_int_eq(m.error_status, 400);
		http_msg_free(&m);
	}
	/* Head and trailer together over HTTP_HEAD_MAX: 431. */
	buffer_init(&b, 1 << 20);
	buffer_append_str(&b, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
			      "0\r\nX-Big: ");
	for (int i = 0; i < HTTP_HEAD_MAX; i++)
		buffer_append(&b, "v", 1);
	buffer_append_str(&b, "\r\n\r\n");
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(feed(&m, b.data, b.len, 1000, HTTP_MSG_DONE, NULL), HTTP_ERROR);
	ck_assert_int_eq(m.error_status, 431);
	http_msg_free(&m);
	/* As many trailer fields as head fields allowed in all: 431 beyond. */
	buffer_clear(&b);
	buffer_append_str(&b, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
	for (int i = 0; i < HTTP_FIELDS_MAX - 1; i++)
		buffer_printf(&b, "X-%d: v\r\n", i);
	buffer_append_str(&b, "\r\n");
	http_msg_init(&m, HTTP_REQUEST);
	ck_assert_int_eq(feed(&m, b.data, b.len, 1000, HTTP_MSG_DONE, NULL), HTTP_ERROR);
	ck_assert_int_eq(m.error_status, 431);
	http_msg_free(&m);
	buffer_free(&b);
}
END_TEST

/* RFC 9110 5.5: a value holds no surrounding whitespace; inner stays. */
START_TEST(values_trimmed_once)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: h \t \r\nX-A:\t a \t b\t \r\nX-E: \t \r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nETag: \"x\"  \r\nContent-Length: 0\r\n\r\n";
	struct http_msg m;
	size_t len;

	for (size_t step = 1; step <= sizeof req; step++) {
		http_msg_init(&m, HTTP_REQUEST);
		ck_assert_int_eq(feed(&m, req, sizeof req - 1, step, HTTP_MSG_DONE, NULL), HTTP_MSG_DONE);
		ck_assert_str_eq(http_header(&m.head, "host", &len), "h");
		ck_assert_uint_eq(len, 1);
		ck_assert_str_eq(http_header(&m.head, "x-a", &len), "a \t b");
		ck_assert_uint_eq(len, 5);
		ck_assert_str_eq(http_header(&m.head, "x-e", &len), "");
		ck_assert_uint_eq(len, 0);
		http_msg_free(&m);
	}
	http_msg_init(&m, HTTP_RESPONSE);
	ck_assert_int_eq(feed(&m, resp, sizeof resp - 1, 3, HTTP_MSG_DONE, NULL), HTTP_MSG_DONE);
	ck_assert_str_eq(http_header(&m.head, "etag", &len), "\"x\"");
	http_msg_free(&m);
}
END_TEST

/* The -H line check both programs use: {line, name length (0: refused),
 * value after trimming}. */
START_TEST(field_line_split)
{
	static const struct {
		const char *line;
		size_t name_len;
		const char *value;
	} rows[] = {
	    {"X-A: b", 3, "b"},
	    {"X-A:b", 3, "b"},
	    {"X-A:", 3, ""},
	    {"X-A: \t ", 3, ""},
	    {"X-A:  b\tc \t", 3, "b\tc"},
	    {"X-A: a:b", 3, "a:b"},
	    {"X-A: caf\xc3\xa9", 3, "caf\xc3\xa9"}, /* obs-text is a value byte */
	    {"!#$%&'*+-.^_`|~09az: v", 19, "v"},
	    {"X-A", 0, NULL},
	    {": v", 0, NULL},
	    {"X A: b", 0, NULL},
	    {"X-A : b", 0, NULL},
	    {"X(A): b", 0, NULL},
	    {"X\xc3\xa9: v", 0, NULL},
	    {"X-A: b\r\nY: c", 0, NULL},
	    {"X-A: b\n", 0, NULL},
	    {"X-A: b\r", 0, NULL},
	    {"X-A: \x01", 0, NULL},
	    {"X-A: \x7f", 0, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct http_field_line f;
		const char *why = NULL;
		int r = http_field_split(rows[i].line, &f, &why);
		if (rows[i].name_len == 0) {
			ck_assert_msg(r == -1 && why != NULL && why[0] != '\0', "'%s'", rows[i].line);
			continue;
		}
		ck_assert_msg(r == 0, "'%s': %s", rows[i].line, why);
		ck_assert_uint_eq(f.name_len, rows[i].name_len);
		ck_assert_uint_eq(f.value_len, strlen(rows[i].value));
		ck_assert(memcmp(f.value, rows[i].value, f.value_len) == 0);
	}
}
END_TEST

static Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *t = tcase_create("core");
	tcase_add_test(t, get_head_then_message);
	tcase_add_test(t, pipelined_requests_stop_at_each_message);
	tcase_add_test(t, split_at_every_byte);
	tcase_add_test(t, chunked_body_and_extension_bound);
	tcase_add_test(t, body_refused_is_413);
	tcase_add_test(t, limits);
	tcase_add_test(t, bad_requests);
	tcase_add_test(t, response_content_length_and_interim);
	tcase_add_test(t, response_close_delimited_and_incomplete);
	tcase_add_test(t, response_skip_body_for_head);
	tcase_add_test(t, response_bad_status_or_version);
	tcase_add_test(t, field_accessors_and_reasons);
	tcase_add_test(t, restart_from_anywhere);
	tcase_add_test(t, chunk_extensions_both_modes_every_split);
	tcase_add_test(t, trailers_dropped_bounded_no_fold);
	tcase_add_test(t, values_trimmed_once);
	tcase_add_test(t, field_line_split);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(http_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
