/* conn: one client connection's state machine.
 *
 *   IDLE --first byte--> HEAD --head complete--> (BODY: discard) --> respond
 *     ^                                                                 |
 *     +------ all sent, keep-alive, nothing buffered <-- WRITE <--------+
 *                                                          |
 *                          close after this response --> LINGER --> closed
 *
 * Every complete request already read is answered before reading again, and
 * all those answers go out together (one send, then the file body of the
 * first response that has one, before any later response). A head is only
 * given to llhttp once its blank line arrived, after the raw-head checks.
 *
 * An idle connection owns nothing but its small `struct conn`: the buffers and
 * parser (`struct conn_io`) come from a per-worker pool when bytes arrive and
 * go back when the connection goes idle, so thousands of idle keep-alive
 * clients cost a few dozen bytes each. */
#ifndef CONN_H
#define CONN_H

#include <stdint.h>
#include <sys/socket.h>

#include "http.h"

#define CONN_READ_MIN   4096                  /* spare room offered to each recv */
#define CONN_IN_MAX     (HTTP_HEAD_MAX + CONN_READ_MIN)
#define CONN_OUT_MAX    (16 * 1024 * 1024)    /* one batch of response heads + generated bodies */
#define CONN_OUT_BATCH  (64 * 1024)           /* stop answering pipelined requests past this */
#define CONN_LINE_MAX   (HTTP_TARGET_MAX + 64) /* request line (method, target, version) */
#define CONN_LINGER_S   2                     /* reading after the last response before close */
#define CONN_POOL_MAX   64                    /* spare conn_io kept per worker */

enum conn_state {
	CONN_IDLE,   /* keep-alive, nothing buffered, no conn_io */
	CONN_HEAD,   /* part of a request head buffered */
	CONN_BODY,   /* reading a request body to drop it */
	CONN_WRITE,  /* responses waiting for the socket to drain */
	CONN_LINGER  /* write side shut, reading what the client still sends */
};

struct conn_io;
struct server;

struct conn {
	struct conn_io *io;  /* NULL while idle */
	int fd;
	uint32_t deadline;   /* server clock second at which the current wait expires */
	uint8_t state;       /* enum conn_state */
	uint8_t events;      /* what epoll watches: EPOLLIN or EPOLLOUT */
	uint8_t unread;      /* the last recv filled its buffer: more may wait */
	uint8_t family;      /* AF_INET or AF_INET6 */
	uint8_t addr[16];    /* peer address, for the access log */
};

/* A new connection on an accepted, non-blocking socket; NULL (socket closed) on failure. */
struct conn *conn_new(struct server *s, int fd, const struct sockaddr *sa);
/* epoll reported events for c. c may be freed when it returns. */
void conn_event(struct server *s, struct conn *c, uint32_t events);
/* The once-a-second check: closes c if its deadline passed (408 to a slow head). */
void conn_tick(struct server *s, struct conn *c);
/* Shutdown began: closes c now if it has no request in progress. */
void conn_shutdown(struct server *s, struct conn *c);
/* Closes the socket and frees c. */
void conn_close(struct server *s, struct conn *c);
/* Frees the worker's pool of spare buffers. */
void conn_pool_free(struct server *s);

#endif
