/* fuzz_response: fetch's response reader (fetch/response.h) on any byte stream.
 *
 * Input: one control byte (bit 0: the request was HEAD; the rest: the piece
 * size the stream is cut into, as reads would cut it), then the bytes the
 * "server" sends; EOF follows them. Properties: no crash, no leak; `used`
 * never exceeds what was offered and the reader makes progress or reports;
 * body bytes handed out never exceed the bytes fed; nothing after DONE is
 * taken; a HEAD response has no body; the final status is 200-599 (1xx are
 * interim); a complete response with Content-Length delivered exactly that. */
#include <string.h>

#include "fuzz.h"
#include "response.h"

struct sink {
	size_t body;
};

static int on_body(void *arg, const char *at, size_t n)
{
	struct sink *s = arg;
	(void)at;
	s->body += n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int head_only = data[0] & 1;
	size_t step = (size_t)(data[0] >> 1) + 1;
	size_t n = size - 1, off = 0;
	char *buf = fuzz_memdup(data + 1, n);
	struct sink sink = {0};
	struct fetch_resp r;
	enum fetch_resp_ev ev = FETCH_RESP_MORE;
	int stalls = 0, framed = 0;
	off_t want = -1; /* the final head's Content-Length, when it frames the body */
	size_t tlen;

	fetch_resp_init(&r, head_only, on_body, &sink);
	while (off <= n) {
		size_t piece = n - off < step ? n - off : step, used = 0;
		ev = fetch_resp_feed(&r, buf + off, piece, &used);
		FUZZ_ASSERT(used <= piece);
		off += used;
		if (ev == FETCH_RESP_ERROR || ev == FETCH_RESP_DONE)
			break;
		if (ev == FETCH_RESP_HEAD) {
			const struct http_head *h = &r.msg.head;
			FUZZ_ASSERT(h->status >= 200 && h->status <= 599);
			framed = !head_only && h->status != 204 && h->status != 304 &&
				 http_header(h, "transfer-encoding", &tlen) == NULL;
			want = framed ? fetch_resp_length(h) : -1;
			sink.body = 0; /* 1xx bodies do not exist; count the final one */
		}
		if (off == n && used == 0 && ev == FETCH_RESP_MORE) {
			ev = fetch_resp_eof(&r);
			break;
		}
		/* An event may consume nothing; endless zero-progress is a hang. */
		stalls = used ? 0 : stalls + 1;
		FUZZ_ASSERT(stalls < 64);
	}
	FUZZ_ASSERT(ev == FETCH_RESP_DONE || ev == FETCH_RESP_ERROR || ev == FETCH_RESP_MORE);
	FUZZ_ASSERT(sink.body <= n);
	if (head_only && ev == FETCH_RESP_DONE)
		FUZZ_ASSERT(sink.body == 0);
	/* A complete message with Content-Length has exactly that many bytes. */
	if (ev == FETCH_RESP_DONE && want >= 0)
		FUZZ_ASSERT((off_t)sink.body == want);
	if (ev == FETCH_RESP_ERROR)
		FUZZ_ASSERT(strnlen(r.error, sizeof r.error) < sizeof r.error);
	fetch_resp_free(&r);
	free(buf);
	return 0;
}
