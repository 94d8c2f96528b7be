/* buffer: see buffer.h. */
#include "buffer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_MIN 256

void buffer_init(struct buffer *b, size_t limit)
{
	*b = (struct buffer){.limit = limit};
}

int buffer_reserve(struct buffer *b, size_t extra)
{
	if (extra > b->limit - b->len) {
		errno = ENOBUFS;
		return -1;
	}
	size_t need = b->len + extra;
	if (need <= b->cap)
		return 0;
	/* Doubling keeps appends amortised O(1); the limit caps it. */
	size_t cap = b->cap ? b->cap : BUFFER_MIN;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->limit)
		cap = b->limit;
	char *p = realloc(b->data, cap);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int buffer_append(struct buffer *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (buffer_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int buffer_append_str(struct buffer *b, const char *s)
{
	return buffer_append(b, s, strlen(s));
}

int buffer_printf(struct buffer *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof small)
		return buffer_append(b, small, (size_t)n);
	/* Longer than the scratch: format again straight into reserved room. */
	if (buffer_reserve(b, (size_t)n + 1) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buffer_put_grow(struct buffer *b, const void *p, size_t n)
{
	if (!b->failed && buffer_append(b, p, n) != 0)
		b->failed = errno;
}

void buffer_put_str(struct buffer *b, const char *s)
{
	buffer_put(b, s, strlen(s));
}

void buffer_put_num(struct buffer *b, unsigned long long v)
{
	char digits[24];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	buffer_put(b, digits + i, sizeof(digits) - i);
}

void buffer_consume(struct buffer *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void buffer_free(struct buffer *b)
{
	free(b->data);
	*b = (struct buffer){.limit = b->limit};
}
