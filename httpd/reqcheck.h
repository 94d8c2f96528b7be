/* reqcheck: request-head framing and validation beyond llhttp 8.1.0 (request
 * smuggling).
 *
 * Debian's llhttp 8.1.0, even in strict mode, lets through framing that later
 * llhttp releases and nginx refuse. The loop runs two checks on every request:
 * reqcheck_raw() on the raw bytes as they arrive, one scan that both finds
 * where the head ends and checks it (there is no framing step apart from the
 * check), so that llhttp only ever sees a whole head that passed; and
 * reqcheck_head() on the parsed head once llhttp reported it complete. Any
 * non-zero result is the status to answer (respond_error) before closing. */
#ifndef REQCHECK_H
#define REQCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* How far reqcheck_raw() got in a head that is still arriving, so that each
 * byte is looked at once however the head is cut into reads. All zero before
 * a head's first byte. */
struct reqcheck_scan {
	uint32_t pos;   /* the next byte to look at */
	uint32_t line;  /* where the line at pos starts (0: the request line) */
	uint16_t fault; /* the first rule the head broke: its status once complete */
};

/* The head at buf, n bytes read so far, starting at its request line (the
 * caller drops empty lines before it, RFC 9112 2.2); s carries the scan over
 * from the last call with the same head, the bytes read since added. The
 * head ends at its first empty line; a bare LF ends lines too, so that such
 * a head is complete and refused rather than waited for.
 *
 * Returns 0 with *len 0 while the head is incomplete, or with *len its length
 * through the empty line when it passed. Otherwise the status:
 * - 414 as soon as no LF is among the first CONN_LINE_MAX + 1 bytes;
 * - 431 as soon as the head cannot end within HTTP_HEAD_MAX bytes;
 * - once the head is complete, for the first rule it broke: 400 for a CR not
 *   followed by LF or a bare LF; a header line starting with SP or HTAB
 *   (obs-fold); an empty header name; whitespace between a name and its
 *   colon; NUL or other control bytes (HTAB allowed in values); a request
 *   line that is not "METHOD SP target SP HTTP/DIGIT.DIGIT". 505 for such a
 *   version other than 1.0 and 1.1 (llhttp would say 400). */
int reqcheck_raw(struct reqcheck_scan *s, const char *buf, size_t n, size_t *len);

/* The head as llhttp parsed it. Returns 0, or: 505 for a version other than
 * 1.0 or 1.1; 400 for an HTTP/1.1 request with no Host or several; more than
 * one Content-Length, or one that is not plain digits; Transfer-Encoding in an
 * HTTP/1.0 request, whose last coding is not chunked, or together with
 * Content-Length. */
int reqcheck_head(const struct http_head *h);

#endif
