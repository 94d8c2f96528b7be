/* http: llhttp glue; see http.h.
 *
 * Head pieces arrive from llhttp split anywhere, so they are copied into the
 * head's own store (bounded by HTTP_HEAD_MAX) and referred to by offsets,
 * which stay valid when the store grows. The parser is paused at the end of
 * a head and at the end of a message, so the caller sees both and knows
 * exactly which bytes belonged to the message. */
#include "http.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

enum {
	ST_HEAD,       /* collecting the head */
	ST_BODY,       /* head reported, body (if any) flowing */
	ST_DONE_LATER, /* head and message both ended in one pass: report the head first */
	ST_DONE        /* message complete, waiting for http_msg_reset */
};

/* Where the field being collected stands. */
enum { F_NONE, F_NAME, F_VALUE };

static struct http_msg *msg_of(llhttp_t *p)
{
	return p->data;
}

static int fail(struct http_msg *m, int status)
{
	m->error_status = status;
	return -1;
}

/* Appends a piece to the store; the head limit is the store's limit. A
 * request head comes in half a dozen pieces, so the common case (the room
 * is there, the store is reused) is a bare copy. */
static int store(struct http_msg *m, const char *at, size_t n)
{
	struct buffer *b = &m->head.store;

	if (b->data != NULL && n <= b->cap - b->len) {
		memcpy(b->data + b->len, at, n);
		b->len += n;
		return 0;
	}
	if (buffer_append(b, at, n) < 0)
		return fail(m, errno == ENOBUFS ? 431 : 500);
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
	m->head.target = 0;
	m->head.target_len = 0;
	m->chunk_ext = 0;
	m->field_state = F_NONE;
	m->state = ST_HEAD;
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

static int on_target_complete(llhttp_t *p)
{
	struct http_msg *m = msg_of(p);
	if (m->head.target_len == 0)
		m->head.target = (uint32_t)m->head.store.len;
	return terminate(m);
}

static int on_field(llhttp_t *p, const char *at, size_t n)
{
	struct http_msg *m = msg_of(p);
	struct http_head *h = &m->head;
	if (m->field_state != F_NAME) {
		if (h->nfields == HTTP_FIELDS_MAX)
			return fail(m, 431);
		h->fields[h->nfields].name = (uint32_t)h->store.len;
		h->fields[h->nfields].name_len = 0;
		h->fields[h->nfields].value_len = 0;
		m->field_state = F_NAME;
	}
	h->fields[h->nfields].name_len += (uint32_t)n;
	return store(m, at, n);
}

static int on_field_complete(llhttp_t *p)
{
	return terminate(msg_of(p));
}

static int on_value(llhttp_t *p, const char *at, size_t n)
{
	struct http_msg *m = msg_of(p);
	struct http_head *h = &m->head;
	if (m->field_state != F_VALUE) {
		h->fields[h->nfields].value = (uint32_t)h->store.len;
		m->field_state = F_VALUE;
	}
	h->fields[h->nfields].value_len += (uint32_t)n;
	return store(m, at, n);
}

static int on_value_complete(llhttp_t *p)
{
	struct http_msg *m = msg_of(p);
	struct http_head *h = &m->head;
	if (m->field_state != F_VALUE) /* an empty value: no on_value came */
		h->fields[h->nfields].value = (uint32_t)h->store.len;
	if (terminate(m) < 0)
		return -1;
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
		m->state = ST_DONE_LATER;
		h->has_body = 0;
		return 1;
	}
	if (p->type == HTTP_REQUEST && !h->has_body && !p->upgrade) {
		/* Nearly every request: the message ends with its head, so one
		 * llhttp_execute takes it to the end; the head is still reported
		 * first, the message end on the next feed without parsing. */
		m->state = ST_DONE_LATER;
		return 0;
	}
	m->state = ST_BODY;
	return HPE_PAUSED;
}

static int on_body(llhttp_t *p, const char *at, size_t n)
{
	struct http_msg *m = msg_of(p);
	if (m->on_body && m->on_body(m->arg, at, n) != 0)
		return -1;
	return 0;
}

static int on_chunk_ext(llhttp_t *p, const char *at, size_t n)
{
	struct http_msg *m = msg_of(p);
	(void)at;
	/* CVE-2024-22019: unbounded extensions cost the reader for free. */
	m->chunk_ext += n;
	if (m->chunk_ext > HTTP_CHUNK_EXT_MAX)
		return fail(m, 400);
	return 0;
}

static int on_message_complete(llhttp_t *p)
{
	struct http_msg *m = msg_of(p);
	if (m->state != ST_DONE_LATER)
		m->state = ST_DONE;
	return HPE_PAUSED;
}

static const llhttp_settings_t settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_target,
	.on_url_complete = on_target_complete,
	.on_status = on_target,
	.on_status_complete = on_target_complete,
	.on_header_field = on_field,
	.on_header_field_complete = on_field_complete,
	.on_header_value = on_value,
	.on_header_value_complete = on_value_complete,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_chunk_extension_name = on_chunk_ext,
	.on_chunk_extension_value = on_chunk_ext,
	.on_message_complete = on_message_complete,
};

void http_msg_init(struct http_msg *m, llhttp_type_t type)
{
	memset(m, 0, sizeof *m);
	llhttp_init(&m->parser, type, &settings);
	m->parser.data = m;
	buffer_init(&m->head.store, HTTP_HEAD_MAX);
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

enum http_feed http_msg_feed(struct http_msg *m, const char *data, size_t n, size_t *used)
{
	*used = 0;
	if (m->state == ST_DONE)
		return HTTP_MSG_DONE;
	if (m->error_status)
		return HTTP_ERROR;
	int was = m->state;
	llhttp_errno_t err = llhttp_execute(&m->parser, data, n);
	switch (err) {
	case HPE_OK:
		*used = n;
		return HTTP_MORE;
	case HPE_PAUSED:
		*used = (size_t)(llhttp_get_error_pos(&m->parser) - data);
		llhttp_resume(&m->parser);
		if (m->state == ST_DONE_LATER) {
			m->state = ST_DONE;
			return HTTP_HEAD_DONE;
		}
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

void http_msg_reset(struct http_msg *m)
{
	buffer_clear(&m->head.store);
	m->head.nfields = 0;
	m->head.target_len = 0;
	m->chunk_ext = 0;
	m->error_status = 0;
	m->field_state = F_NONE;
	m->state = ST_HEAD;
}

void http_msg_restart(struct http_msg *m)
{
	llhttp_reset(&m->parser);
	http_msg_reset(m);
	m->skip_body = 0;
}

void http_msg_free(struct http_msg *m)
{
	buffer_free(&m->head.store);
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
