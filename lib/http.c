/* http: llhttp glue; see http.h.
 *
 * Head pieces arrive from llhttp split anywhere, so they are copied into the
 * head's own store (bounded by HTTP_HEAD_MAX) and referred to by offsets,
 * which stay valid when the store grows. The parser is paused at the end of
 * a head and at the end of a message, so the caller sees both and knows
 * exactly which bytes belonged to the message. */
#include "http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
	ST_HEAD, /* collecting the head */
	ST_BODY, /* head reported, body (if any) flowing */
	ST_DONE  /* message complete, waiting for http_msg_reset */
};

/* Where the field being collected stands. */
enum { F_NONE, F_NAME, F_VALUE };

/* Where a chunk-size line stands (http_msg.size_line). Debian's llhttp
 * 8.1.0 refuses valid extensions ("5;a=b;c"), so it never sees them: the
 * size and the line end go to llhttp, the extension bytes are checked here
 * against RFC 9112 7.1.1 and dropped. */
enum {
	SL_NONE,   /* not in a size line: llhttp has the bytes */
	SL_SIZE,   /* the size digits (llhttp's) */
	SL_WS,     /* BWS after the size: ';' must follow */
	SL_NAME0,  /* after ';': BWS, then a name */
	SL_NAME,   /* in a name */
	SL_NAMEWS, /* BWS after a name: '=', ';' or the line end */
	SL_VAL0,   /* after '=': BWS, then a token or a quoted string */
	SL_TOKEN,  /* in a token value */
	SL_QUOTED, /* in a quoted string */
	SL_QPAIR,  /* after a backslash in it */
	SL_AFTER   /* after a value: BWS, ';' or the line end */
};

static struct http_msg *msg_of(llhttp_t *p)
{
	return p->data;
}

static int fail(struct http_msg *m, int status)
{
	m->error_status = status;
	return -1;
}

/* Appends a piece to the store; the head limit is the store's limit. */
static inline int store(struct http_msg *m, const char *at, size_t n)
{
	struct buffer *b = &m->head.store;

	buffer_put(b, at, n);
	if (b->failed)
		return fail(m, b->failed == ENOBUFS ? 431 : 500);
	return 0;
}

static int terminate(struct http_msg *m)
{
	return store(m, "", 1);
}

static int on_message_begin(llhttp_t *p)
{
	struct http_msg *m = msg_of(p);
	buffer_clear(&m->head.store);
	m->head.nfields = 0;
	memset(m->head.first, 0, sizeof m->head.first);
	memset(m->head.count, 0, sizeof m->head.count);
	m->head.target = 0;
	m->head.target_len = 0;
	m->chunk_ext = 0;
	m->trailer_bytes = 0;
	m->trailer_fields = 0;
	m->field_state = F_NONE;
	m->state = ST_HEAD;
	m->begun = 1;
	return 0;
}

static int on_target(llhttp_t *p, const char *at, size_t n)
{
	struct http_msg *m = msg_of(p);
	if (m->head.target_len == 0)
		m->head.target = (uint32_t)m->head.store.len;
	if (n > HTTP_TARGET_MAX - m->head.target_len)
		return fail(m, p->type == HTTP_REQUEST ? 414 : 400);
	m->head.target_len += (uint32_t)n;
	return store(m, at, n);
}

/* A trailer field (RFC 9110 6.5.1): never merged into the head, so that
 * nothing after the body steers an answer; its bytes and its count still
 * go against the head's limits. A value continued on a line of its own
 * (obs-fold, which llhttp 8.1.0 passes as a second piece of the value) is
 * refused, as reqcheck refuses it in a request head. */
static int trailer_piece(struct http_msg *m, const char *at, size_t n, int state)
{
	if (state == F_VALUE && m->field_state == F_VALUE &&
	    (!m->piece_open || at != m->exec_begin))
		return fail(m, 400);
	if (state != m->field_state && state == F_NAME &&
	    ++m->trailer_fields > m->head.fields_max - m->head.nfields)
		return fail(m, 431);
	m->trailer_bytes += n;
	if (m->trailer_bytes > HTTP_HEAD_MAX - m->head.store.len)
		return fail(m, 431);
	m->field_state = state;
	m->piece_open = at + n == m->exec_end; /* a split value goes on at the next feed's start */
	return 0;
}

/* Room for one more field: the array doubles (16 at first), never past
 * fields_max, so a small head costs a small array. */
static int grow_fields(struct http_head *h)
{
	unsigned cap = h->fields_cap ? 2 * h->fields_cap : 16;
	if (cap > h->fields_max)
		cap = h->fields_max;
	struct http_field *f = realloc(h->fields, cap * sizeof *f);
	if (f == NULL)
		return -1;
	h->fields = f;
	h->fields_cap = cap;
	return 0;
}

static int on_field(llhttp_t *p, const char *at, size_t n)
{
	struct http_msg *m = msg_of(p);
	struct http_head *h = &m->head;
	if (m->state != ST_HEAD)
		return trailer_piece(m, at, n, F_NAME);
	if (m->field_state != F_NAME) {
		if (h->nfields == h->fields_max)
			return fail(m, 431);
		if (h->nfields == h->fields_cap && grow_fields(h) < 0)
			return fail(m, 431);
		h->fields[h->nfields].name = (uint32_t)h->store.len;
		h->fields[h->nfields].name_len = 0;
		h->fields[h->nfields].value_len = 0;
		m->field_state = F_NAME;
	}
	h->fields[h->nfields].name_len += (uint32_t)n;
	return store(m, at, n);
}

/* The known names, indexed by enum http_field_id. */
static const char *const known[HF_OTHER] = {
	[HF_HOST] = "host",
	[HF_CONTENT_LENGTH] = "content-length",
	[HF_TRANSFER_ENCODING] = "transfer-encoding",
	[HF_EXPECT] = "expect",
	[HF_ACCEPT_ENCODING] = "accept-encoding",
	[HF_RANGE] = "range",
	[HF_IF_RANGE] = "if-range",
	[HF_IF_MATCH] = "if-match",
	[HF_IF_NONE_MATCH] = "if-none-match",
	[HF_IF_MODIFIED_SINCE] = "if-modified-since",
	[HF_IF_UNMODIFIED_SINCE] = "if-unmodified-since",
	[HF_REFERER] = "referer",
	[HF_USER_AGENT] = "user-agent",
	[HF_ACCEPT] = "accept",
};

/* The candidates for a name of each length, as id + 1 (0: none): a request
 * carries a dozen fields, mostly of other names, so each is compared with
 * one or two known names at most. */
#define KNOWN_LEN_MAX 19
static const uint8_t by_length[KNOWN_LEN_MAX + 1][2] = {
	[4] = {HF_HOST + 1},
	[5] = {HF_RANGE + 1},
	[6] = {HF_EXPECT + 1, HF_ACCEPT + 1},
	[7] = {HF_REFERER + 1},
	[8] = {HF_IF_RANGE + 1, HF_IF_MATCH + 1},
	[10] = {HF_USER_AGENT + 1},
	[13] = {HF_IF_NONE_MATCH + 1},
	[14] = {HF_CONTENT_LENGTH + 1},
	[15] = {HF_ACCEPT_ENCODING + 1},
	[17] = {HF_TRANSFER_ENCODING + 1, HF_IF_MODIFIED_SINCE + 1},
	[19] = {HF_IF_UNMODIFIED_SINCE + 1},
};

/* Whether a field name is `lower` (same length) in any case. Names are
 * tchars, and `lower` holds only letters and '-', for which setting bit 0x20
 * folds the case and maps no other tchar onto them. */
static int name_is(const char *name, const char *lower, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if ((name[i] | 0x20) != lower[i])
			return 0;
	return 1;
}

static enum http_field_id field_id(const char *name, uint32_t n)
{
	if (n > KNOWN_LEN_MAX)
		return HF_OTHER;
	for (int k = 0; k < 2 && by_length[n][k] != 0; k++) {
		unsigned id = by_length[n][k] - 1u;
		if (name_is(name, known[id], n))
			return (enum http_field_id)id;
	}
	return HF_OTHER;
}

void http_index_field(struct http_head *h, unsigned i)
{
	struct http_field *f = &h->fields[i];

	f->id = field_id(h->store.data + f->name, f->name_len);
	if (f->id == HF_OTHER)
		return;
	if (h->count[f->id]++ == 0)
		h->first[f->id] = (uint16_t)(i + 1);
}

static int on_value(llhttp_t *p, const char *at, size_t n)
{
	struct http_msg *m = msg_of(p);
	struct http_head *h = &m->head;
	if (m->state != ST_HEAD)
		return trailer_piece(m, at, n, F_VALUE);
	if (m->field_state != F_VALUE) {
		h->fields[h->nfields].value = (uint32_t)h->store.len;
		m->field_state = F_VALUE;
	}
	h->fields[h->nfields].value_len += (uint32_t)n;
	return store(m, at, n);
}

/* llhttp drops the whitespace before a value but keeps what follows it:
 * RFC 9110 5.5 excludes both, so the value is trimmed here, once, for
 * every reader. The value is the last thing stored: trimming it is taking
 * its last bytes back. */
static int on_value_complete(llhttp_t *p)
{
	struct http_msg *m = msg_of(p);
	struct http_head *h = &m->head;
	struct http_field *f = &h->fields[h->nfields];
	if (m->state != ST_HEAD) {
		m->field_state = F_NONE;
		return 0;
	}
	if (m->field_state != F_VALUE) /* an empty value: no on_value came */
		f->value = (uint32_t)h->store.len;
	while (f->value_len > 0 && (h->store.data[h->store.len - 1] == ' ' ||
				    h->store.data[h->store.len - 1] == '\t')) {
		f->value_len--;
		h->store.len--;
	}
	if (terminate(m) < 0)
		return -1;
	http_index_field(h, h->nfields);
	h->nfields++;
	m->field_state = F_NONE;
	return 0;
}

static int on_headers_complete(llhttp_t *p)
{
	struct http_msg *m = msg_of(p);
	struct http_head *h = &m->head;
	h->method = p->method;
	h->status = p->status_code;
	h->major = p->http_major;
	h->minor = p->http_minor;
	h->keep_alive = llhttp_should_keep_alive(p);
	h->has_body = (p->flags & F_CHUNKED) || p->content_length > 0;
	if (p->type == HTTP_RESPONSE) {
		/* llhttp 8.1.0 accepts short status codes and any version digits. */
		if (h->status < 100 || h->status > 599 || h->major != 1)
			return fail(m, 400);
	}
	if (m->skip_body) {
		/* No pause here: with 1 llhttp goes straight on to message end. */
		h->has_body = 0;
		return 1;
	}
	if (p->type == HTTP_REQUEST && !h->has_body && !p->upgrade)
		return 0; /* the message ends with its head: on to its end, no pause */
	m->state = ST_BODY;
	if (p->flags & F_CHUNKED)
		m->size_line = SL_SIZE;
	return HPE_PAUSED;
}

static int on_body(llhttp_t *p, const char *at, size_t n)
{
	struct http_msg *m = msg_of(p);
	if (m->on_body && m->on_body(m->arg, at, n) != 0)
		return -1;
	return 0;
}

static int on_chunk_header(llhttp_t *p)
{
	msg_of(p)->last_chunk = p->content_length == 0;
	return 0;
}

/* The next chunk's size line is ours to read first (see SL_*); the last
 * chunk is followed by the trailer, which llhttp reads. */
static int on_chunk_complete(llhttp_t *p)
{
	struct http_msg *m = msg_of(p);
	if (m->last_chunk)
		return 0;
	m->size_line = SL_SIZE;
	return HPE_PAUSED;
}

/* A message that ends with its head (state still ST_HEAD) is reported as
 * HTTP_HEAD_DONE by this feed and HTTP_MSG_DONE by the next, without parsing. */
static int on_message_complete(llhttp_t *p)
{
	msg_of(p)->state = ST_DONE;
	return HPE_PAUSED;
}

static const llhttp_settings_t settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_target,
	.on_status = on_target,
	.on_header_field = on_field,
	.on_header_value = on_value,
	.on_header_value_complete = on_value_complete,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_chunk_header = on_chunk_header,
	.on_chunk_complete = on_chunk_complete,
	.on_message_complete = on_message_complete,
};

void http_msg_init(struct http_msg *m, llhttp_type_t type)
{
	memset(m, 0, sizeof *m);
	llhttp_init(&m->parser, type, &settings);
	m->parser.data = m;
	buffer_init(&m->head.store, HTTP_HEAD_MAX);
	m->head.fields_max = HTTP_FIELDS_MAX;
	m->state = ST_HEAD;
}

static enum http_feed parse_error(struct http_msg *m)
{
	if (m->error_status)
		return HTTP_ERROR;
	switch (llhttp_get_errno(&m->parser)) {
	case HPE_INVALID_METHOD:
		m->error_status = 501;
		break;
	case HPE_USER: /* the body callback refused */
		m->error_status = 413;
		break;
	default:
		m->error_status = 400;
	}
	return HTTP_ERROR;
}

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* One byte of a chunk extension (RFC 9112 7.1.1, with BWS): the state it
 * leads to, or SL_NONE when it is not allowed where it stands. */
static int ext_next(int st, unsigned char c)
{
	switch (st) {
	case SL_SIZE:
	case SL_WS:
		return c == ';' ? SL_NAME0 : is_ws(c) ? SL_WS : SL_NONE;
	case SL_NAME0:
		return is_ws(c) ? SL_NAME0 : http_tchar(c) ? SL_NAME : SL_NONE;
	case SL_NAME:
	case SL_NAMEWS:
		if (st == SL_NAME && http_tchar(c))
			return SL_NAME;
		return c == '=' ? SL_VAL0 : c == ';' ? SL_NAME0 : is_ws(c) ? SL_NAMEWS : SL_NONE;
	case SL_VAL0:
		return is_ws(c) ? SL_VAL0 : c == '"' ? SL_QUOTED : http_tchar(c) ? SL_TOKEN : SL_NONE;
	case SL_TOKEN:
	case SL_AFTER:
		if (st == SL_TOKEN && http_tchar(c))
			return SL_TOKEN;
		return c == ';' ? SL_NAME0 : is_ws(c) ? SL_AFTER : SL_NONE;
	case SL_QUOTED:
		if (c == '"')
			return SL_AFTER;
		if (c == '\\')
			return SL_QPAIR;
		return http_value_byte(c) ? SL_QUOTED : SL_NONE;
	case SL_QPAIR:
		return http_value_byte(c) ? SL_QUOTED : SL_NONE;
	}
	return SL_NONE;
}

/* The states in which an extension may end with the line. */
static int ext_may_end(int st)
{
	return st == SL_NAME || st == SL_NAMEWS || st == SL_TOKEN || st == SL_AFTER;
}

static llhttp_errno_t execute(struct http_msg *m, const char *data, size_t n)
{
	m->exec_begin = data;
	m->exec_end = data + n;
	return llhttp_execute(&m->parser, data, n);
}

/* Reads a chunk-size line from data + *off: the size digits are left for
 * llhttp (or handed to it when an extension follows), extension bytes are
 * checked and dropped, and at the CR the line end goes back to llhttp
 * (size_line SL_NONE, *off at the CR). 0, or -1 with the error set. */
static int size_line(struct http_msg *m, const char *data, size_t n, size_t *off)
{
	size_t i = *off;

	if (m->size_line == SL_SIZE) {
		while (i < n && data[i] != ';' && data[i] != '\r' && !is_ws((unsigned char)data[i]))
			i++;
		if (i < n && data[i] == '\r')
			m->size_line = SL_NONE;
		if (i == n || data[i] == '\r')
			return 0; /* llhttp takes the digits with what follows */
		if (i > *off && execute(m, data + *off, i - *off) != HPE_OK)
			return -1;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)data[i];
		int next;

		if (c == '\r' && ext_may_end(m->size_line)) {
			m->size_line = SL_NONE;
			break;
		}
		next = ext_next(m->size_line, c);
		/* CVE-2024-22019: unbounded extensions would cost the reader for free. */
		if (next == SL_NONE || ++m->chunk_ext > HTTP_CHUNK_EXT_MAX)
			return fail(m, 400);
		m->size_line = next;
	}
	*off = i;
	return 0;
}

enum http_feed http_msg_feed(struct http_msg *m, const char *data, size_t n, size_t *used)
{
	size_t off = 0;
	llhttp_errno_t err;

	*used = 0;
	if (m->state == ST_DONE)
		return HTTP_MSG_DONE;
	if (m->error_status)
		return HTTP_ERROR;
	int was = m->state;
	for (;;) {
		if (m->size_line != SL_NONE && size_line(m, data, n, &off) != 0)
			return parse_error(m);
		if (off == n && n > 0) {
			*used = n;
			return HTTP_MORE;
		}
		err = execute(m, data + off, n - off);
		if (err != HPE_PAUSED || m->size_line == SL_NONE || was == ST_HEAD)
			break;
		/* Paused at the end of a chunk: its successor's size line is next. */
		off = (size_t)(llhttp_get_error_pos(&m->parser) - data);
		llhttp_resume(&m->parser);
	}
	switch (err) {
	case HPE_OK:
		*used = n;
		return HTTP_MORE;
	case HPE_PAUSED:
		*used = (size_t)(llhttp_get_error_pos(&m->parser) - data);
		llhttp_resume(&m->parser);
		if (m->state == ST_DONE)
			return was == ST_HEAD ? HTTP_HEAD_DONE : HTTP_MSG_DONE;
		return HTTP_HEAD_DONE;
	case HPE_PAUSED_UPGRADE:
		/* Upgrade or CONNECT: the message ends here, what follows is not HTTP. */
		*used = (size_t)(llhttp_get_error_pos(&m->parser) - data);
		m->head.keep_alive = 0;
		m->state = ST_DONE;
		return was == ST_HEAD ? HTTP_HEAD_DONE : HTTP_MSG_DONE;
	default:
		if (m->parser.error_pos)
			*used = (size_t)(llhttp_get_error_pos(&m->parser) - data);
		return parse_error(m);
	}
}

enum http_feed http_msg_finish(struct http_msg *m)
{
	if (m->state == ST_DONE)
		return HTTP_MSG_DONE;
	if (m->error_status)
		return HTTP_ERROR;
	llhttp_errno_t err = llhttp_finish(&m->parser);
	if ((err == HPE_OK || err == HPE_PAUSED) && m->state == ST_DONE)
		return HTTP_MSG_DONE;
	if (!m->error_status)
		m->error_status = 400;
	return HTTP_ERROR;
}

/* llhttp is put back in its start state too, unless it is there already:
 * after a complete message it means to follow with another. A message it
 * took for the connection's last (Connection: close, even in a trailer we do
 * not heed) leaves it refusing every byte after, and a parser handed on
 * from a pool must take any connection's first request. */
/* Whether llhttp stands at a message start: nothing fed since the last
 * reset, or a complete message it means to follow with another (what it
 * said at the head's end, llhttp_should_keep_alive(), unless a trailer
 * could have changed its mind). */
static int at_start(struct http_msg *m)
{
	if (!m->begun)
		return llhttp_get_errno(&m->parser) == HPE_OK;
	return m->state == ST_DONE && m->head.keep_alive && !m->trailer_fields && !m->parser.upgrade;
}

void http_msg_reset(struct http_msg *m)
{
	if (!m->begun && !m->error_status)
		return; /* nothing happened since the last reset */
	if (!at_start(m))
		llhttp_reset(&m->parser);
	m->begun = 0;
	buffer_clear(&m->head.store);
	m->head.nfields = 0;
	m->head.target_len = 0;
	m->chunk_ext = 0;
	m->error_status = 0;
	m->field_state = F_NONE;
	m->size_line = SL_NONE;
	m->state = ST_HEAD;
}

void http_msg_free(struct http_msg *m)
{
	buffer_free(&m->head.store);
	free(m->head.fields);
	m->head.fields = NULL;
	m->head.fields_cap = 0;
}

/* RFC 9110 tchar: !#$%&'*+-.^_`|~ DIGIT ALPHA. */
int http_tchar(unsigned char c)
{
	static const char others[] = "!#$%&'*+-.^_`|~";
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && memchr(others, c, sizeof others - 1) != NULL);
}

int http_value_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int http_blank(char c)
{
	return c == ' ' || c == '\t';
}

int http_field_split(const char *line, struct http_field_line *f, const char **why)
{
	const char *colon = strchr(line, ':');
	size_t i;

	*why = NULL;
	if (colon == NULL || colon == line) {
		*why = "expected 'Name: value'";
		return -1;
	}
	f->name_len = (size_t)(colon - line);
	for (i = 0; i < f->name_len; i++)
		if (!http_tchar((unsigned char)line[i])) {
			*why = "bad character in the name";
			return -1;
		}
	f->value = colon + 1;
	while (http_blank(*f->value))
		f->value++;
	f->value_len = strlen(f->value);
	while (f->value_len > 0 && http_blank(f->value[f->value_len - 1]))
		f->value_len--;
	for (i = 0; f->value[i] != '\0'; i++)
		if (!http_value_byte((unsigned char)f->value[i])) {
			*why = "control character (CR, LF...) in the value";
			return -1;
		}
	return 0;
}

const char *http_field_name(const struct http_head *h, unsigned i, size_t *len)
{
	*len = h->fields[i].name_len;
	return h->store.data + h->fields[i].name;
}

const char *http_field_value(const struct http_head *h, unsigned i, size_t *len)
{
	*len = h->fields[i].value_len;
	return h->store.data + h->fields[i].value;
}

const char *http_header(const struct http_head *h, const char *name, size_t *len)
{
	size_t n = strlen(name);
	for (unsigned i = 0; i < h->nfields; i++) {
		const struct http_field *f = &h->fields[i];
		if (f->name_len == n && strncasecmp(h->store.data + f->name, name, n) == 0) {
			if (len)
				*len = f->value_len;
			return h->store.data + f->value;
		}
	}
	return NULL;
}

unsigned http_header_count(const struct http_head *h, const char *name)
{
	size_t n = strlen(name);
	unsigned count = 0;
	for (unsigned i = 0; i < h->nfields; i++) {
		const struct http_field *f = &h->fields[i];
		if (f->name_len == n && strncasecmp(h->store.data + f->name, name, n) == 0)
			count++;
	}
	return count;
}

const char *http_target(const struct http_head *h, size_t *len)
{
	*len = h->target_len;
	return h->target_len ? h->store.data + h->target : "";
}

/* Indexed by status code; designated initialisers keep code and text together. */
static const char *const reasons[600] = {
	[100] = "Continue", [101] = "Switching Protocols", [103] = "Early Hints",
	[200] = "OK", [201] = "Created", [202] = "Accepted", [204] = "No Content",
	[206] = "Partial Content",
	[301] = "Moved Permanently", [302] = "Found", [303] = "See Other", [304] = "Not Modified",
	[307] = "Temporary Redirect", [308] = "Permanent Redirect",
	[400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found",
	[405] = "Method Not Allowed", [406] = "Not Acceptable", [408] = "Request Timeout",
	[411] = "Length Required", [412] = "Precondition Failed", [413] = "Content Too Large",
	[414] = "URI Too Long", [415] = "Unsupported Media Type", [416] = "Range Not Satisfiable",
	[417] = "Expectation Failed", [426] = "Upgrade Required",
	[429] = "Too Many Requests", [431] = "Request Header Fields Too Large",
	[500] = "Internal Server Error", [501] = "Not Implemented", [502] = "Bad Gateway",
	[503] = "Service Unavailable", [504] = "Gateway Timeout",
	[505] = "HTTP Version Not Supported",
};

const char *http_reason(int status)
{
	if (status < 0 || status >= 600 || !reasons[status])
		return "";
	return reasons[status];
}
