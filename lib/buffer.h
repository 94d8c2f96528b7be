/* buffer: a growable byte buffer with a hard limit.
 *
 * Growth past `limit` fails (-1, errno ENOBUFS) instead of truncating or
 * growing without bound; the caller turns that into 413/414/431 or an error.
 * The struct is public so that a reader can recv() straight into the spare
 * room: buffer_reserve(b, n), recv(fd, b->data + b->len, b->cap - b->len), then
 * b->len += got. Data is not NUL-terminated unless the caller appends one. */
#ifndef BUFFER_H
#define BUFFER_H

#include <stddef.h>
#include <string.h>

struct buffer {
	char *data;   /* NULL until the first reserve */
	size_t len;   /* bytes in use */
	size_t cap;   /* bytes allocated */
	size_t limit; /* the most bytes it may ever hold */
	int failed;   /* 0, or the errno of the first buffer_put that did not fit
		       * (ENOBUFS: the limit); sticky until buffer_clear() */
};

void buffer_init(struct buffer *b, size_t limit);
/* Room for `extra` more bytes; 0, or -1 with errno ENOBUFS (limit) or ENOMEM. */
int buffer_reserve(struct buffer *b, size_t extra);
int buffer_append(struct buffer *b, const void *p, size_t n);
int buffer_append_str(struct buffer *b, const char *s);
/* printf-style append; -1 and nothing appended when it would pass the limit. */
int buffer_printf(struct buffer *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The appender for a sequence of pieces checked once at the end: appends n
 * bytes, or does nothing once one append has failed (b->failed says why).
 * With the room already there (a reused buffer), a bare memcpy. */
void buffer_put_grow(struct buffer *b, const void *p, size_t n);
static inline void buffer_put(struct buffer *b, const void *p, size_t n)
{
	if (b->data != NULL && !b->failed && n <= b->cap - b->len) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		return;
	}
	buffer_put_grow(b, p, n);
}
#define BUFFER_PUT_LIT(b, lit) buffer_put((b), (lit), sizeof(lit) - 1)
void buffer_put_str(struct buffer *b, const char *s);
/* v in decimal. */
void buffer_put_num(struct buffer *b, unsigned long long v);

/* Drops the first n bytes (n > len is treated as len). */
void buffer_consume(struct buffer *b, size_t n);
/* Empties it (and forgets a failed put), keeping the memory. */
static inline void buffer_clear(struct buffer *b)
{
	b->len = 0;
	b->failed = 0;
}
/* A buffer over size bytes the caller owns (a bounded line in a bigger
 * block, say): it never grows (cap = limit = size), so a put that does not
 * fit fails, sticky like any other; never buffer_free() it. */
static inline void buffer_over(struct buffer *b, void *mem, size_t size)
{
	*b = (struct buffer){.data = mem, .cap = size, .limit = size};
}
/* Releases the memory; the buffer stays usable (empty, same limit). */
void buffer_free(struct buffer *b);

#endif
