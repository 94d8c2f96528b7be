/* Check suite for fetch/response.c: reading a response however it is split. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "response.h"

struct run {
	char body[70000];
	size_t body_len;
	int refuse;            /* the sink refuses every byte */
	unsigned interim;      /* INTERIM events */
	int heads;             /* HEAD events */
	int status;            /* of the final head */
	enum fetch_resp_ev end;
	char error[160];
	int body_failed;
};

static int sink(void *arg, const char *at, size_t n)
{
	struct run *r = arg;

	if (r->refuse || r->body_len + n > sizeof(r->body))
		return -1;
	memcpy(r->body + r->body_len, at, n);
	r->body_len += n;
	return 0;
}

/* Feeds data in pieces of `step` bytes, each copied to a buffer of exactly that
 * size (so that a read past it is caught by the sanitizer), as transfer.c
 * does: events are handled, the rest of the piece fed again. eof: the peer
 * closes after the last byte. */
static void run(struct run *r, const char *data, size_t n, size_t step, int head_only, int eof)
{
	struct fetch_resp resp;
	size_t off = 0;

	memset(r->body, 0, sizeof(r->body));
	r->body_len = 0;
	r->interim = 0;
	r->heads = 0;
	r->status = 0;
	r->end = FETCH_RESP_MORE;
	fetch_resp_init(&resp, head_only, sink, r);
	while (off < n) {
		size_t len = n - off < step ? n - off : step, pos = 0, used;
		char *piece = malloc(len);
		ck_assert_ptr_nonnull(piece);
		memcpy(piece, data + off, len);
		off += len;
		for (;;) {
			enum fetch_resp_ev ev = fetch_resp_feed(&resp, piece + pos, len - pos, &used);
			pos += used;
			ck_assert_uint_le(pos, len);
			if (ev == FETCH_RESP_MORE && pos == len)
				break;
			if (ev == FETCH_RESP_INTERIM)
				r->interim++;
			if (ev == FETCH_RESP_HEAD) {
				r->heads++;
				r->status = resp.msg.head.status;
			}
			if (ev == FETCH_RESP_DONE || ev == FETCH_RESP_ERROR) {
				r->end = ev;
				break;
			}
		}
		free(piece);
		if (r->end != FETCH_RESP_MORE)
			break;
	}
	if (r->end == FETCH_RESP_MORE && eof)
		r->end = fetch_resp_eof(&resp);
	memcpy(r->error, resp.error, sizeof(r->error));
	r->body_failed = resp.body_failed;
	fetch_resp_free(&resp);
}

static struct run R;

/* Every split size from 1 byte to the whole, each must give the same result. */
static void run_all_splits(const char *data, size_t n, int head_only, int eof,
			   enum fetch_resp_ev want, const char *body, size_t body_len, int status)
{
	for (size_t step = 1; step <= n; step++) {
		run(&R, data, n, step, head_only, eof);
		ck_assert_msg(R.end == want, "step %zu: end %d, want %d (%s)", step, R.end, want,
			      R.error);
		if (want != FETCH_RESP_DONE)
			continue;
		ck_assert_int_eq(R.heads, 1);
		ck_assert_int_eq(R.status, status);
		ck_assert_uint_eq(R.body_len, body_len);
		ck_assert_msg(memcmp(R.body, body, body_len) == 0, "step %zu: body differs", step);
	}
}

#define S(lit) lit, sizeof(lit) - 1

START_TEST(content_length_every_split)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: b\r\n\r\nhello world";
	run_all_splits(S(msg), 0, 0, FETCH_RESP_DONE, S("hello world"), 200);
	/* The message ends at its length: no EOF needed, later bytes are not body. */
	run(&R, S("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"), 4096, 0, 0);
	ck_assert_int_eq(R.end, FETCH_RESP_DONE);
	ck_assert_uint_eq(R.body_len, 2);
}
END_TEST

START_TEST(binary_body_with_crlfcrlf_and_nul)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\n"
				  "a\r\n\r\nHTTP/1.1 200 OK\0\0\r\n0\r\n\r\n";
	run_all_splits(msg, sizeof(msg) - 1, 0, 0, FETCH_RESP_DONE,
		       "a\r\n\r\nHTTP/1.1 200 OK\0\0\r\n0\r\n\r\n", 24, 200);
}
END_TEST

START_TEST(chunked_extensions_trailers_every_split)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "5;flag;name=value\r\nhello\r\n"
				  "1\r\n \r\n"
				  "6;q=\"a; b\"\r\nworld\n\r\n"
				  "0;last=1\r\nX-Sum: 12\r\nX-More: yes\r\n\r\n";
	run_all_splits(S(msg), 0, 0, FETCH_RESP_DONE, S("hello world\n"), 200);
}
END_TEST

START_TEST(chunked_binary)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "4\r\n\r\n\r\n\r\n3\r\n\0\0\0\r\n0\r\n\r\n";
	run_all_splits(msg, sizeof(msg) - 1, 0, 0, FETCH_RESP_DONE, "\r\n\r\n\0\0\0", 7, 200);
}
END_TEST

START_TEST(close_delimited_ends_at_eof)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil\r\n\r\nthe end";
	run_all_splits(S(msg), 0, 1, FETCH_RESP_DONE, S("until\r\n\r\nthe end"), 200);
	static const char old[] = "HTTP/1.0 200 OK\r\n\r\nten bytes!";
	run_all_splits(S(old), 0, 1, FETCH_RESP_DONE, S("ten bytes!"), 200);
	/* Without the close it is not over yet. */
	run(&R, S(msg), 7, 0, 0);
	ck_assert_int_eq(R.end, FETCH_RESP_MORE);
}
END_TEST

START_TEST(interim_responses_skipped)
{
	static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n"
				  "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
				  "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody";
	run_all_splits(S(msg), 0, 0, FETCH_RESP_DONE, S("body"), 200);
	run(&R, S(msg), 1, 0, 0);
	ck_assert_uint_eq(R.interim, 2);
	/* A 1xx other than 100/103 has no body either (llhttp alone would read one). */
	static const char odd[] = "HTTP/1.1 199 Odd\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
	run_all_splits(S(odd), 0, 0, FETCH_RESP_DONE, S("x"), 200);
}
END_TEST

START_TEST(too_many_interim_and_101)
{
	char msg[2048] = "";
	for (int i = 0; i <= FETCH_INTERIM_MAX; i++)
		strcat(msg, "HTTP/1.1 100 Continue\r\n\r\n");
	strcat(msg, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	run(&R, msg, strlen(msg), 4096, 0, 1);
	ck_assert_int_eq(R.end, FETCH_RESP_ERROR);
	run(&R, S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"), 4096, 0, 1);
	ck_assert_int_eq(R.end, FETCH_RESP_ERROR);
}
END_TEST

START_TEST(head_has_no_body)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
	run_all_splits(S(msg), 1, 0, FETCH_RESP_DONE, "", 0, 200);
	static const char ch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	run_all_splits(S(ch), 1, 0, FETCH_RESP_DONE, "", 0, 200);
	/* Interim responses before a HEAD's final head. */
	static const char in[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Nope\r\nContent-Length: 5\r\n\r\n";
	run_all_splits(S(in), 1, 0, FETCH_RESP_DONE, "", 0, 404);
}
END_TEST

START_TEST(no_body_statuses)
{
	run_all_splits(S("HTTP/1.1 204 No Content\r\n\r\n"), 0, 0, FETCH_RESP_DONE, "", 0, 204);
	run_all_splits(S("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"), 0, 0, FETCH_RESP_DONE,
		       "", 0, 304);
	run_all_splits(S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 0, 0, FETCH_RESP_DONE, "",
		       0, 200);
	/* RFC 9112 6.3: they end at the blank line whatever Content-Length says;
	 * no EOF: the message must complete without waiting for a body. */
	run_all_splits(S("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nstray"), 0, 0,
		       FETCH_RESP_DONE, "", 0, 204);
	run_all_splits(S("HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n"), 0, 0,
		       FETCH_RESP_DONE, "", 0, 304);
	run_all_splits(S("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"), 0,
		       0, FETCH_RESP_DONE, "", 0, 304);
}
END_TEST

/* A head with `fields` fields making `bytes` bytes in all, then "ok". */
static char *big_head(size_t bytes, unsigned fields, size_t *len)
{
	char *m = malloc(bytes + 200);
	size_t at = 0, each;

	ck_assert_ptr_nonnull(m);
	at += (size_t)sprintf(m, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
	each = (bytes - at) / fields;
	for (unsigned i = 0; i < fields; i++) {
		int n = sprintf(m + at, "Set-Cookie: c%u=", i);
		memset(m + at + n, 'v', each - (size_t)n - 2);
		memcpy(m + at + each - 2, "\r\n", 2);
		at += each;
	}
	memcpy(m + at, "\r\nok", 4);
	*len = at + 4;
	return m;
}

/* Heads up to FETCH_HEAD_MAX are read; beyond, a clear error. */
START_TEST(large_heads)
{
	size_t n;
	char *m = big_head(250 * 1024, 90, &n);
	run(&R, m, n, 65536, 0, 1);
	ck_assert_msg(R.end == FETCH_RESP_DONE, "%s", R.error);
	ck_assert_uint_eq(R.body_len, 2);
	free(m);
	m = big_head(260 * 1024, 90, &n);
	run(&R, m, n, 65536, 0, 1);
	ck_assert_int_eq(R.end, FETCH_RESP_ERROR);
	ck_assert_ptr_nonnull(strstr(R.error, "head too large (more than 256 KiB"));
	free(m);
}
END_TEST

static void partial(const char *head, off_t have, int ok, off_t want_total)
{
	struct fetch_resp r;
	size_t used;
	off_t total;
	const char *why = NULL;

	fetch_resp_init(&r, 0, NULL, NULL);
	ck_assert_int_eq(fetch_resp_feed(&r, head, strlen(head), &used), FETCH_RESP_MORE);
	ck_assert_int_eq(fetch_resp_feed(&r, head + used, strlen(head) - used, &used),
			 FETCH_RESP_HEAD);
	ck_assert_msg((fetch_resp_check_partial(&r.msg.head, have, &total, &why) == 0) == ok,
		      "%s: %s", head, why ? why : "accepted");
	ck_assert_int_eq(total, ok ? want_total : -1);
	fetch_resp_free(&r);
}

/* A 206 is joined to the partial file only when it is exactly its end. */
START_TEST(partial_content_checked)
{
	partial("HTTP/1.1 206 P\r\nContent-Range: bytes 10-99/100\r\nContent-Length: 90\r\n\r\n",
		10, 1, 100);
	partial("HTTP/1.1 206 P\r\nContent-Range: bytes 10-99/100\r\nTransfer-Encoding: chunked\r\n\r\n",
		10, 1, 100);
	/* Not where the file ends. */
	partial("HTTP/1.1 206 P\r\nContent-Range: bytes 0-99/100\r\nContent-Length: 100\r\n\r\n",
		10, 0, 0);
	/* Content-Length disagrees with Content-Range. */
	partial("HTTP/1.1 206 P\r\nContent-Range: bytes 10-99/100\r\nContent-Length: 50\r\n\r\n",
		10, 0, 0);
	/* Ends before the complete length, or the length is unknown. */
	partial("HTTP/1.1 206 P\r\nContent-Range: bytes 10-49/100\r\nContent-Length: 40\r\n\r\n",
		10, 0, 0);
	partial("HTTP/1.1 206 P\r\nContent-Range: bytes 10-49/*\r\nContent-Length: 40\r\n\r\n",
		10, 0, 0);
	/* None, or not bytes. */
	partial("HTTP/1.1 206 P\r\nContent-Length: 90\r\n\r\n", 10, 0, 0);
	partial("HTTP/1.1 206 P\r\nContent-Range: items 10-99/100\r\nContent-Length: 90\r\n\r\n",
		10, 0, 0);
	partial("HTTP/1.1 206 P\r\nContent-Range: bytes */100\r\nContent-Length: 90\r\n\r\n",
		10, 0, 0);
}
END_TEST

/* Nothing a server chose reaches a terminal unmasked. */
START_TEST(masking)
{
	char out[64];
	static const char raw[] = "ok \x1b]0;t\x07 \x1b[2J \x9b" "31m \x85 \xc3\xa9 \x7f\tend";

	for (int c = 0; c < 256; c++)
		ck_assert_int_eq(fetch_resp_printable((unsigned char)c),
				 (c >= 0x20 && c <= 0x7e) || c == '\t');
	fetch_resp_mask(raw, sizeof(raw) - 1, out, sizeof(out));
	ck_assert_str_eq(out, "ok ?]0;t? ?[2J ?31m ? ?? ?\tend");
	fetch_resp_mask("abcdef", 6, out, 4);
	ck_assert_str_eq(out, "abc");
}
END_TEST

START_TEST(incomplete_is_an_error)
{
	static const char *const cut[] = {
		"",                                                        /* empty reply */
		"HTTP/1.1 200 OK\r\nContent-Le",                           /* in the head */
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",      /* short body */
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", /* no last chunk */
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", /* no final CRLF */
	};
	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		for (size_t step = 1; step <= strlen(cut[i]) + 1; step++) {
			run(&R, cut[i], strlen(cut[i]), step, 0, 1);
			ck_assert_msg(R.end == FETCH_RESP_ERROR, "case %zu step %zu: %d", i, step, R.end);
			ck_assert(R.error[0] != '\0');
		}
	}
}
END_TEST

START_TEST(bad_status_lines)
{
	static const char *const bad[] = {
		"HTTP/1.1 20 OK\r\n",  "HTTP/1.1 2000 OK\r\n", "HTTP/1.1 0200 OK\r\n",
		"HTTP/1.1 099 Low\r\n", "HTTP/1.1 600 Hi\r\n",  "HTTP/2.0 200 OK\r\n",
		"HTTP/2 200 OK\r\n",   "HTTP/0.9 200 OK\r\n",  "HTTP/1.1 2x0 OK\r\n",
		"HTTP/1.1200 OK\r\n",  "http/1.1 200 OK\r\n",  "HTTP/1.1  200 OK\r\n",
		"SSH-2.0-OpenSSH_9\r\n", "\r\n",               "HTTP/1.1 -20 OK\r\n",
	};
	char msg[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = snprintf(msg, sizeof(msg), "%sContent-Length: 0\r\n\r\n", bad[i]);
		for (size_t step = 1; step <= (size_t)n; step++) {
			run(&R, msg, (size_t)n, step, 0, 1);
			ck_assert_msg(R.end == FETCH_RESP_ERROR, "'%s' step %zu accepted", bad[i], step);
			ck_assert_int_eq(R.heads, 0);
		}
	}
}
END_TEST

START_TEST(status_line_checker)
{
	static const struct { const char *line; int ok, status; } rows[] = {
		{"HTTP/1.1 200 OK\r\n", 1, 200},   {"HTTP/1.0 404 Not Found\r\n", 1, 404},
		{"HTTP/1.1 200\r\n", 1, 200},      {"HTTP/1.1 599 x", 1, 599},
		{"HTTP/1.1 100 Continue\n", 1, 100}, {"HTTP/1.1 200 \r\n", 1, 200},
		{"HTTP/1.1 20 OK\r\n", 0, 0},      {"HTTP/1.1 2000\r\n", 0, 0},
		{"HTTP/1.1 600 x\r\n", 0, 0},      {"HTTP/1.1 099 x\r\n", 0, 0},
		{"HTTP/1.x 200 OK\r\n", 0, 0},     {"HTTP/11 200 OK\r\n", 0, 0},
		{"HTTP/1.1\t200 OK\r\n", 0, 0},    {"HTTP/1.1 200OK\r\n", 0, 0},
		{"", 0, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int st = 0;
		int r = fetch_resp_status_line(rows[i].line, strlen(rows[i].line), &st);
		ck_assert_msg((r == 0) == rows[i].ok, "'%s'", rows[i].line);
		if (rows[i].ok)
			ck_assert_int_eq(st, rows[i].status);
	}
}
END_TEST

START_TEST(garbage_and_huge_head)
{
	run(&R, S("\0\xff\r\n\r\n garbage"), 4096, 0, 1);
	ck_assert_int_eq(R.end, FETCH_RESP_ERROR);
	/* 1 MiB of header: an error, bounded, never a crash. */
	size_t big = 1024 * 1024;
	char *msg = malloc(big + 100);
	ck_assert_ptr_nonnull(msg);
	int n = snprintf(msg, 100, "HTTP/1.1 200 OK\r\nX-Big: ");
	memset(msg + n, 'a', big);
	memcpy(msg + (size_t)n + big, "\r\n\r\n", 4);
	run(&R, msg, (size_t)n + big + 4, 65536, 0, 1);
	ck_assert_int_eq(R.end, FETCH_RESP_ERROR);
	ck_assert_ptr_nonnull(strstr(R.error, "too large"));
	free(msg);
	/* A status line longer than its bound. */
	char line[FETCH_STATUS_LINE_MAX + 64];
	memset(line, 'x', sizeof(line));
	memcpy(line, "HTTP/1.1 200 ", 13);
	run(&R, line, sizeof(line), 100, 0, 1);
	ck_assert_int_eq(R.end, FETCH_RESP_ERROR);
}
END_TEST

START_TEST(refused_body_is_reported)
{
	R.refuse = 1;
	run(&R, S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), 4096, 0, 1);
	R.refuse = 0;
	ck_assert_int_eq(R.end, FETCH_RESP_ERROR);
	ck_assert_int_eq(R.body_failed, 1);
	/* A head error is not a body error. */
	run(&R, S("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"), 4096, 0, 1);
	ck_assert_int_eq(R.end, FETCH_RESP_ERROR);
	ck_assert_int_eq(R.body_failed, 0);
}
END_TEST

START_TEST(content_range_and_length)
{
	static const struct { const char *v; int ok; long long first, last, total; } rows[] = {
		{"bytes 0-9/10", 1, 0, 9, 10},
		{"bytes 100-199/1000", 1, 100, 199, 1000},
		{"bytes */1000", 1, -1, -1, 1000},
		{"bytes 5-9/*", 1, 5, 9, -1},
		{"bytes 10-9/20", 0, 0, 0, 0},
		{"bytes 0-10/10", 0, 0, 0, 0},
		{"bytes 0-9", 0, 0, 0, 0},
		{"items 0-9/10", 0, 0, 0, 0},
		{"bytes -1-9/10", 0, 0, 0, 0},
		{"bytes 0-9/10x", 0, 0, 0, 0},
		{"bytes */*", 0, 0, 0, 0},
		{"bytes 99999999999999999999-1/2", 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		off_t f, l, t;
		int r = fetch_resp_content_range(rows[i].v, strlen(rows[i].v), &f, &l, &t);
		ck_assert_msg((r == 0) == rows[i].ok, "'%s'", rows[i].v);
		if (!rows[i].ok)
			continue;
		ck_assert_int_eq(f, rows[i].first);
		ck_assert_int_eq(l, rows[i].last);
		ck_assert_int_eq(t, rows[i].total);
	}
}
END_TEST

/* The splice path: what is left of a Content-Length body, moved around the parser. */
/* Which responses leave the connection fit for another request. */
START_TEST(reusable_after_clean_framing)
{
	static const struct {
		const char *msg;
		int eof, want;
	} cases[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0, 1},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 0, 1},
		{"HTTP/1.1 204 No Content\r\n\r\n", 0, 1},
		{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, 1},
		/* A trailer might say Connection: close; fetch does not read it. */
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n", 0, 0},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", 0, 0},
		{"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok", 0, 0},
		{"HTTP/1.1 200 OK\r\n\r\nuntil the end", 1, 0},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fetch_resp resp;
		const char *p = cases[i].msg;
		size_t n = strlen(p), used;
		enum fetch_resp_ev ev;

		fetch_resp_init(&resp, 0, sink, &R);
		R.body_len = 0;
		do {
			ev = fetch_resp_feed(&resp, p, n, &used);
			p += used;
			n -= used;
		} while (ev != FETCH_RESP_DONE && ev != FETCH_RESP_ERROR && n > 0);
		if (ev != FETCH_RESP_DONE && ev != FETCH_RESP_ERROR)
			ev = fetch_resp_feed(&resp, p, 0, &used); /* a head may end the message */
		if (cases[i].eof)
			fetch_resp_eof(&resp);
		ck_assert_msg(fetch_resp_reusable(&resp) == cases[i].want, "case %zu: want %d", i,
		              cases[i].want);
		fetch_resp_free(&resp);
	}
}
END_TEST

START_TEST(body_left_and_moved)
{
	static const char msg[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
	struct fetch_resp r;
	size_t used, off = 0;
	enum fetch_resp_ev ev;

	R.body_len = 0;
	fetch_resp_init(&r, 0, sink, &R);
	ck_assert_int_eq(fetch_resp_body_left(&r), -1); /* no head yet */
	do {
		ev = fetch_resp_feed(&r, msg + off, sizeof(msg) - 1 - off, &used);
		off += used;
	} while (ev != FETCH_RESP_MORE || off < sizeof(msg) - 1);
	ck_assert_uint_eq(off, sizeof(msg) - 1);
	ck_assert_uint_eq(R.body_len, 3);
	ck_assert_int_eq(fetch_resp_body_left(&r), 7);
	fetch_resp_body_moved(&r, 8); /* more than is left: ignored */
	ck_assert_int_eq(fetch_resp_body_left(&r), 7);
	fetch_resp_body_moved(&r, 5);
	ck_assert_int_eq(fetch_resp_body_left(&r), 2);
	ck_assert_int_eq(fetch_resp_eof(&r), FETCH_RESP_ERROR); /* 2 bytes short */
	fetch_resp_free(&r);

	fetch_resp_init(&r, 0, sink, &R);
	ck_assert_int_eq(fetch_resp_feed(&r, msg, 17, &used), FETCH_RESP_MORE);
	ck_assert_int_eq(fetch_resp_feed(&r, msg + 17, sizeof(msg) - 1 - 17, &used), FETCH_RESP_HEAD);
	fetch_resp_body_moved(&r, 10);
	ck_assert_int_eq(fetch_resp_feed(&r, "x", 1, &used), FETCH_RESP_DONE);
	ck_assert_int_eq(fetch_resp_eof(&r), FETCH_RESP_DONE);
	fetch_resp_free(&r);

	/* Chunked, close-delimited and HEAD bodies have no known rest. */
	static const char *const none[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\n",
	};
	for (int i = 0; i < 3; i++) {
		const char *m = none[i % 2];
		fetch_resp_init(&r, i == 2, sink, &R);
		off = 0;
		do {
			ev = fetch_resp_feed(&r, i == 2 ? msg + off : m + off,
					     (i == 2 ? 38 : strlen(m)) - off, &used);
			off += used;
		} while (ev == FETCH_RESP_MORE && used > 0);
		ck_assert_int_eq(fetch_resp_body_left(&r), -1);
		fetch_resp_free(&r);
	}
}
END_TEST

static Suite *response_suite(void)
{
	Suite *s = suite_create("fetch_response");
	TCase *t = tcase_create("core");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, content_length_every_split);
	tcase_add_test(t, binary_body_with_crlfcrlf_and_nul);
	tcase_add_test(t, chunked_extensions_trailers_every_split);
	tcase_add_test(t, chunked_binary);
	tcase_add_test(t, close_delimited_ends_at_eof);
	tcase_add_test(t, interim_responses_skipped);
	tcase_add_test(t, too_many_interim_and_101);
	tcase_add_test(t, head_has_no_body);
	tcase_add_test(t, no_body_statuses);
	tcase_add_test(t, large_heads);
	tcase_add_test(t, partial_content_checked);
	tcase_add_test(t, masking);
	tcase_add_test(t, incomplete_is_an_error);
	tcase_add_test(t, bad_status_lines);
	tcase_add_test(t, status_line_checker);
	tcase_add_test(t, garbage_and_huge_head);
	tcase_add_test(t, refused_body_is_reported);
	tcase_add_test(t, content_range_and_length);
	tcase_add_test(t, body_left_and_moved);
	tcase_add_test(t, reusable_after_clean_framing);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(response_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
