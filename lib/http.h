/* http: the llhttp glue both programs share.
 *
 * One representation of a message head (request or response) collected from
 * llhttp's callbacks, case-insensitive header lookup, reason phrases, and the
 * head limits, enforced here and nowhere else. llhttp runs with every lenient
 * flag off and is built with LLHTTP_STRICT_MODE=1.
 *
 * Use: http_msg_init(); feed bytes with http_msg_feed() until it reports the
 * head complete (HTTP_HEAD_DONE), then the message complete (HTTP_MSG_DONE);
 * bodies go to the on_body callback. The parser pauses after each complete
 * message so that pipelined requests are answered one at a time: `*used` says
 * how many bytes belonged to this message, the rest is the next one's.
 * http_msg_reset() prepares for the next message on the same connection. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <llhttp.h>

#include "buffer.h"

#define HTTP_HEAD_MAX     (32 * 1024) /* bytes of a head as collected (431 beyond) */
#define HTTP_TARGET_MAX   (8 * 1024)  /* request-target bytes (414 beyond) */
#define HTTP_FIELDS_MAX   100         /* header fields by default (431 beyond); see fields_max */
#define HTTP_CHUNK_EXT_MAX 1024       /* bytes of chunk extensions per message (400 beyond) */
/* Trailer fields are read and dropped (RFC 9110 6.5.1: never merged into the
 * head), their bytes and count going against HTTP_HEAD_MAX and HTTP_FIELDS_MAX
 * with the head's; a folded (obs-fold) trailer line is refused (400). Chunk
 * extensions are checked against RFC 9112 7.1.1 here and never reach llhttp,
 * whose 8.1.0 refuses valid ones such as "5;a=b;c". Values are stored without
 * surrounding whitespace. After http_msg_reset() the parser is always in its
 * start state, whatever the last message said about the connection. */

/* The fields the programs read, known by name once, as each is parsed:
 * http_head.first[] then finds one without a search. */
enum http_field_id {
	HF_HOST,
	HF_CONTENT_LENGTH,
	HF_TRANSFER_ENCODING,
	HF_EXPECT,
	HF_ACCEPT_ENCODING,
	HF_RANGE,
	HF_IF_RANGE,
	HF_IF_MATCH,
	HF_IF_NONE_MATCH,
	HF_IF_MODIFIED_SINCE,
	HF_IF_UNMODIFIED_SINCE,
	HF_REFERER,
	HF_USER_AGENT,
	HF_ACCEPT,
	HF_OTHER /* every other name; also the number of known ones */
};

/* A header field: offsets into http_head.store. Values are stored
 * NUL-terminated (the NUL is not counted in the length); names and the target
 * are not. */
struct http_field {
	uint32_t name, name_len;
	uint32_t value, value_len;
	enum http_field_id id;
};

/* A field's value as the reader sees it; v NULL: the field is absent. */
struct http_value {
	const char *v;
	size_t n;
};

struct http_head {
	struct buffer store;   /* target or reason, then names and values */
	struct http_field *fields; /* grown as fields arrive, up to fields_max */
	unsigned nfields, fields_cap;
	unsigned fields_max;       /* HTTP_FIELDS_MAX after http_msg_init(); a caller may change it */
	/* Per known name: 1 + the index of its first field (0: absent), and how
	 * many fields have it. */
	uint16_t first[HF_OTHER], count[HF_OTHER];
	uint32_t target, target_len; /* request target, or a response's reason phrase */
	int method;                  /* llhttp_method_t (requests) */
	int status;                  /* status code (responses) */
	int major, minor;            /* HTTP version */
	int keep_alive;              /* llhttp_should_keep_alive() at head end */
	int has_body;                /* Content-Length > 0 or chunked */
};

enum http_feed {
	HTTP_MORE = 0,    /* all bytes used, message not complete: feed more */
	HTTP_HEAD_DONE,   /* head complete (returned once per message) */
	HTTP_MSG_DONE,    /* message complete; *used stops right after it */
	HTTP_ERROR        /* see http_msg.error_status / llhttp_get_error_reason */
};

struct http_msg {
	llhttp_t parser;
	struct http_head head;
	/* Body bytes as they arrive (decoded from chunked); return non-zero to abort. */
	int (*on_body)(void *arg, const char *at, size_t n);
	void *arg;
	int skip_body;      /* set before the head ends: the message has no body (HEAD responses) */
	int error_status;   /* after HTTP_ERROR: 400, 413, 414, 431, 505, ... (for requests) */
	size_t chunk_ext;   /* chunk-extension bytes seen in this message */
	/* internal */
	int state;          /* where the message stands */
	int begun;          /* llhttp began a message since the last reset */
	int field_state;    /* inside a field's name or value */
	int size_line;      /* where a chunk-size line stands */
	int last_chunk;     /* the chunk being read has size 0 */
	size_t trailer_bytes;    /* bytes of trailer fields (dropped, but counted) */
	unsigned trailer_fields;
	int piece_open;     /* the last trailer piece ran to the end of its feed */
	const char *exec_begin, *exec_end; /* the bytes llhttp is executing */
};

/* type: HTTP_REQUEST or HTTP_RESPONSE. */
void http_msg_init(struct http_msg *m, llhttp_type_t type);
/* Parses up to n bytes; *used is how many it consumed. */
enum http_feed http_msg_feed(struct http_msg *m, const char *data, size_t n, size_t *used);
/* At EOF: completes a close-delimited body; HTTP_MSG_DONE or HTTP_ERROR (incomplete). */
enum http_feed http_msg_finish(struct http_msg *m);
/* Prepares for the next message: as a fresh http_msg_init() of the same type
 * from wherever the last one stopped (between messages, mid-message, failed,
 * closed), keeping the store's memory, on_body and skip_body. */
void http_msg_reset(struct http_msg *m);
void http_msg_free(struct http_msg *m);

/* Names field i (its id) and enters it in first[] and count[]: the parser
 * does so for every field it stores; a head built by hand needs it too. */
void http_index_field(struct http_head *h, unsigned i);
/* The value of the first field with a known name; v NULL when absent. */
static inline struct http_value http_field(const struct http_head *h, enum http_field_id id)
{
	const struct http_field *f;

	if (h->first[id] == 0)
		return (struct http_value){NULL, 0};
	f = &h->fields[h->first[id] - 1];
	return (struct http_value){h->store.data + f->value, f->value_len};
}
/* The value of the first field named `name` (any case), or NULL; *len its length. */
const char *http_header(const struct http_head *h, const char *name, size_t *len);
/* How many fields are named `name`. */
unsigned http_header_count(const struct http_head *h, const char *name);
/* Field i's name and value. */
const char *http_field_name(const struct http_head *h, unsigned i, size_t *len);
const char *http_field_value(const struct http_head *h, unsigned i, size_t *len);
/* The request target (or response reason phrase); not NUL-terminated. */
const char *http_target(const struct http_head *h, size_t *len);

/* The one field syntax check (RFC 9110 5.1, 5.5): whether c is a tchar (a
 * field name's byte), and whether it may appear in a field value (VCHAR,
 * obs-text, SP, HTAB). */
int http_tchar(unsigned char c);
int http_value_byte(unsigned char c);
/* A field line given on a command line (both programs' -H 'Name: value'):
 * the name before the first colon, one or more tchars; the value after it,
 * of value bytes only (no CR, LF or other control), its surrounding blanks
 * dropped, possibly empty. 0 with f filled (f->value points into line), or
 * -1 with *why saying what is wrong ("bad character in the name"...). */
struct http_field_line {
	size_t name_len; /* the name is line[0 .. name_len) */
	const char *value;
	size_t value_len;
};
int http_field_split(const char *line, struct http_field_line *f, const char **why);

/* "Not Found" for 404; "" for an unknown code. */
const char *http_reason(int status);

#endif
