/* response: reading one HTTP response, however the bytes arrive.
 *
 * A thin layer over lib/http (llhttp in response mode) that adds what a
 * client needs: the status line checked byte for byte before llhttp sees it
 * ("HTTP/1.x", exactly three digits 100-599, so "HTTP/2 200", "HTTP/1.1 20"
 * and "HTTP/1.1 0200" are refused), 1xx interim responses reported and
 * skipped (101 is refused: fetch never asks to switch protocols), no body
 * after a HEAD request nor in a 204 or 304 (the message ends at the blank
 * line whatever Content-Length says, RFC 9112 section 6.3), heads up to
 * FETCH_HEAD_MAX bytes, and end of input turned into success or
 * "incomplete". Body bytes go to on_body as they are decoded; a non-zero
 * return stops parsing and is reported as FETCH_RESP_ERROR with
 * body_failed set. Nothing here touches a socket: it is fed bytes. */
#ifndef FETCH_RESPONSE_H
#define FETCH_RESPONSE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "http.h"
#include "tunables.h"

enum fetch_resp_ev {
	FETCH_RESP_MORE,     /* every byte used: feed more */
	FETCH_RESP_INTERIM,  /* a 1xx head is complete (head(), then keep feeding) */
	FETCH_RESP_HEAD,     /* the final head is complete */
	FETCH_RESP_DONE,     /* the message is complete; later bytes are not ours */
	FETCH_RESP_ERROR     /* see error / body_failed */
};

struct fetch_resp {
	struct http_msg msg;           /* msg.head: the head just reported (after
					  INTERIM or HEAD, until the next feed) */
	int head_only;                 /* the request was HEAD */
	int (*on_body)(void *arg, const char *at, size_t n);
	void *arg;
	char line[FETCH_STATUS_LINE_MAX];
	size_t line_len;
	int line_done;                 /* the status line of this message was checked */
	int status;                    /* of the message being read */
	unsigned interim;              /* 1xx responses seen */
	int restart;                   /* an interim head was reported: next message */
	int final_head;                /* the final head was reported */
	int done;
	int at_eof;                    /* the peer closed (fetch_resp_eof was called) */
	int body_failed;               /* on_body refused (e.g. a write error) */
	size_t seen;                   /* bytes fed, all messages */
	char error[160];               /* one-line reason after FETCH_RESP_ERROR */
};

void fetch_resp_init(struct fetch_resp *r, int head_only,
		     int (*on_body)(void *arg, const char *at, size_t n), void *arg);
/* Parses bytes up to the next event; *used says how many were consumed (the
 * caller feeds the rest next). After FETCH_RESP_HEAD call it again even with
 * n == 0: a message without a body may complete without another byte. */
enum fetch_resp_ev fetch_resp_feed(struct fetch_resp *r, const char *data, size_t n,
				   size_t *used);
/* The peer closed: FETCH_RESP_DONE (a close-delimited body ends here) or
 * FETCH_RESP_ERROR (empty reply, head or body cut short). */
enum fetch_resp_ev fetch_resp_eof(struct fetch_resp *r);
/* Body bytes still to come when the body has a Content-Length (not chunked,
 * not close-delimited, not after HEAD), else -1. A caller that moves them
 * itself (splice) then calls fetch_resp_body_moved() with the count. */
off_t fetch_resp_body_left(const struct fetch_resp *r);
/* n body bytes went around the parser; when none are left the message is
 * complete and fetch_resp_feed/eof report FETCH_RESP_DONE. */
void fetch_resp_body_moved(struct fetch_resp *r, off_t n);
/* The message ended by its framing (Content-Length or the last chunk, or
 * no body) without a trailer, over HTTP/1.1 without "Connection: close": the
 * connection may carry another request. */
int fetch_resp_reusable(const struct fetch_resp *r);
void fetch_resp_free(struct fetch_resp *r);

/* Checks a status line (its CRLF optional); 0 and *status, or -1. */
int fetch_resp_status_line(const char *line, size_t n, int *status);
/* Content-Range "bytes FIRST-LAST/TOTAL" or "bytes * /TOTAL" (no space);
 * unknown parts ('*') are -1. 0, or -1 when malformed. */
int fetch_resp_content_range(const char *v, size_t n, off_t *first, off_t *last, off_t *total);
/* A Content-Length value when it is one plain number, else -1. */
off_t fetch_resp_length(const struct http_head *h);
/* A 206 answering "Range: bytes=HAVE-": 0 and the complete length in *total
 * when Content-Range is "bytes HAVE-LAST/TOTAL" with LAST + 1 == TOTAL and
 * Content-Length, when there is one, is LAST - HAVE + 1; else -1 and a
 * reason in *why (and *total -1). Anything else could not be joined into the
 * whole file. */
int fetch_resp_check_partial(const struct http_head *h, off_t have, off_t *total,
			     const char **why);

/* May byte c of a server's text reach a terminal? Printable ASCII and tab
 * only: C0 and C1 controls, DEL (and so every escape sequence) and bytes
 * above 0x7e, which a non-UTF-8 terminal may read as C1, are not. */
int fetch_resp_printable(unsigned char c);
/* s[0..n) with every byte fetch_resp_printable() refuses shown as '?',
 * NUL-terminated, cut to outlen - 1 bytes. */
void fetch_resp_mask(const char *s, size_t n, char *out, size_t outlen);
/* s[0..n) to f, masked as fetch_resp_mask() does. */
void fetch_resp_print(FILE *f, const char *s, size_t n);
/* "fetch: URL: TEXT" and a newline on stderr, both masked: a URL from an -i
 * list, a name from the URL or the server, may hold any byte. */
void fetch_resp_print_error(const char *url, const char *text);

#endif
