/* reqcheck: request-head validation beyond llhttp 8.1.0 (request smuggling).
 *
 * Debian's llhttp 8.1.0, even in strict mode, lets through framing that later
 * llhttp releases and nginx refuse. The loop runs two checks on every request:
 * reqcheck_raw() on the raw head bytes before (or as) llhttp parses them, and
 * reqcheck_head() on the parsed head once llhttp reported it complete. Any
 * non-zero result is the status to answer (respond_error) before closing. */
#ifndef REQCHECK_H
#define REQCHECK_H

#include <stddef.h>

#include "http.h"

/* The raw bytes of one request head, from the request line up to and
 * including its terminating blank line (CRLF CRLF). Returns 0, or 400 for: a
 * CR not followed by LF or a bare LF anywhere; a header line starting with SP
 * or HTAB (obs-fold); an empty header name; whitespace between a name and its
 * colon; NUL or other control bytes (HTAB allowed in values); a request line
 * without an HTTP version, or with one not of the form HTTP/DIGIT.DIGIT. 505
 * for a well-formed version other than 1.0 and 1.1 (llhttp would say 400). */
int reqcheck_raw(const char *head, size_t n);

/* The head as llhttp parsed it. Returns 0, or: 505 for a version other than
 * 1.0 or 1.1; 400 for an HTTP/1.1 request with no Host or several; more than
 * one Content-Length, or one that is not plain digits; Transfer-Encoding in an
 * HTTP/1.0 request, whose last coding is not chunked, or together with
 * Content-Length. */
int reqcheck_head(const struct http_head *h);

#endif
