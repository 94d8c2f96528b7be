/* fuzz_request: the request-head path as httpd's loop runs it.
 *
 * The input is a byte stream on one connection, fed to http_msg (request mode)
 * in pieces whose sizes come from the first input byte, messages answered one
 * at a time as pipelining does. Each complete head passes reqcheck_raw (its raw
 * bytes) and reqcheck_head. reqcheck_raw fed the stream in pieces, each read
 * an exact-size copy, gives the verdict and length it gives at once. Properties of every request both accept: at most
 * one Content-Length and it is all digits; never Transfer-Encoding together
 * with Content-Length, nor in HTTP/1.0; exactly one Host in HTTP/1.1; version
 * 1.0 or 1.1; Transfer-Encoding ends in chunked; target and field count
 * within the limits. A message with Content-Length completes with exactly
 * that many body bytes; body bytes never exceed the bytes fed. */
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "http.h"
#include "reqcheck.h"

struct sink {
	size_t body;     /* all messages */
	size_t msg_body; /* this message */
};

static int on_body(void *arg, const char *at, size_t n)
{
	struct sink *s = arg;
	(void)at;
	s->body += n;
	s->msg_body += n;
	return 0;
}

/* 1 when the last coding of the Transfer-Encoding fields, taken together as
 * one list, is "chunked". Empty list elements do not count (RFC 9110 5.6.1):
 * "chunked" then an empty field is the list "chunked, ", which ends chunked. */
static int te_ends_chunked(const struct http_head *h)
{
	const char *last = NULL;
	size_t last_len = 0, nlen, len;
	for (unsigned i = 0; i < h->nfields; i++) {
		const char *name = http_field_name(h, i, &nlen);
		if (nlen != 17 || strncasecmp(name, "transfer-encoding", 17) != 0)
			continue;
		const char *v = http_field_value(h, i, &len);
		size_t a = 0;
		while (a <= len) {
			size_t b = a;
			while (b < len && v[b] != ',')
				b++;
			size_t x = a, y = b;
			while (x < y && (v[x] == ' ' || v[x] == '\t'))
				x++;
			while (y > x && (v[y - 1] == ' ' || v[y - 1] == '\t'))
				y--;
			if (y > x) {
				last = v + x;
				last_len = y - x;
			}
			a = b + 1;
		}
	}
	return last != NULL && last_len == 7 && strncasecmp(last, "chunked", 7) == 0;
}

static void check_accepted(const struct http_head *h)
{
	size_t len;
	unsigned ncl = http_header_count(h, "content-length");
	unsigned nte = http_header_count(h, "transfer-encoding");
	FUZZ_ASSERT(ncl <= 1);
	FUZZ_ASSERT(!(ncl && nte));
	FUZZ_ASSERT(h->major == 1 && (h->minor == 0 || h->minor == 1));
	if (nte)
		FUZZ_ASSERT(te_ends_chunked(h));
	if (h->minor == 0)
		FUZZ_ASSERT(nte == 0);
	else
		FUZZ_ASSERT(http_header_count(h, "host") == 1);
	/* lib/http keeps a value's trailing OWS (llhttp passes it on); the
	 * value proper, without it, must be digits only. */
	const char *cl = http_header(h, "content-length", &len);
	if (cl != NULL) {
		while (len > 0 && (cl[len - 1] == ' ' || cl[len - 1] == '\t'))
			len--;
		FUZZ_ASSERT(len > 0 && strspn(cl, "0123456789") >= len);
	}
	http_target(h, &len);
	FUZZ_ASSERT(len <= HTTP_TARGET_MAX);
	FUZZ_ASSERT(h->nfields <= h->fields_max);
	for (unsigned i = 0; i < h->nfields; i++) {
		const char *v = http_field_value(h, i, &len);
		FUZZ_ASSERT(memchr(v, '\r', len) == NULL && memchr(v, '\n', len) == NULL);
	}
}

/* Where the head starting at p ends (just past CRLF CRLF), or 0. */
static size_t head_end(const char *p, size_t n)
{
	for (size_t i = 0; i + 3 < n; i++)
		if (memcmp(p + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return 0;
}

/* reqcheck_raw's verdict on p, given `step` more bytes a call as reads
 * would bring them, each call on an exact-size copy: the status, or -1 while
 * the head is incomplete; *len the head's length. */
static int raw_scan(const uint8_t *p, size_t n, size_t step, size_t *len)
{
	struct reqcheck_scan s = {0};
	size_t have = 0;

	for (;;) {
		have = n - have < step ? n : have + step;
		char *part = fuzz_memdup(p, have);
		int st = reqcheck_raw(&s, part, have, len);
		free(part);
		if (st != 0 || *len != 0)
			return st;
		if (have == n)
			return -1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = (size_t)(data[0] % 64) + 1;
	char *buf = fuzz_memdup(data + 1, size - 1);
	size_t n = size - 1, off = 0, msg_start = 0;
	struct sink sink = {0};
	long long want = -1; /* this message's Content-Length, -1 if none */
	size_t clen;
	struct http_msg m;

	size_t whole_len, pieces_len;
	int whole = raw_scan(data + 1, n, n ? n : 1, &whole_len);
	FUZZ_ASSERT(whole == -1 || whole == 0 || (whole >= 400 && whole <= 505));
	FUZZ_ASSERT(raw_scan(data + 1, n, step, &pieces_len) == whole && pieces_len == whole_len);

	http_msg_init(&m, HTTP_REQUEST);
	m.on_body = on_body;
	m.arg = &sink;

	while (off < n) {
		size_t piece = n - off < step ? n - off : step, used = 0;
		enum http_feed r = http_msg_feed(&m, buf + off, piece, &used);
		FUZZ_ASSERT(used <= piece);
		off += used;
		if (r == HTTP_ERROR)
			break;
		if (r == HTTP_HEAD_DONE) {
			size_t he = head_end(buf + msg_start, off - msg_start);
			struct reqcheck_scan scan = {0};
			size_t len;
			int st = he ? reqcheck_raw(&scan, buf + msg_start, he, &len) : 400;
			if (st == 0)
				st = reqcheck_head(&m.head);
			if (st != 0)
				break; /* httpd answers st and closes */
			check_accepted(&m.head);
			const char *cl = http_header(&m.head, "content-length", &clen);
			want = cl ? strtoll(cl, NULL, 10) : -1;
		} else if (r == HTTP_MSG_DONE) {
			/* The framing the checks approved is the framing llhttp used. */
			if (want >= 0)
				FUZZ_ASSERT((long long)sink.msg_body == want);
			want = -1;
			sink.msg_body = 0;
			http_msg_reset(&m);
			msg_start = off;
		} else if (used == 0) {
			break; /* no progress: would wait for more bytes */
		}
	}
	FUZZ_ASSERT(sink.body <= n);
	http_msg_free(&m);
	free(buf);
	return 0;
}
