/* conn: one client connection's state machine.
 *
 *   (HANDSHAKE, TLS) --> IDLE --first byte--> HEAD --head complete--> (BODY: discard) --> respond
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

#include "accesslog.h"
#include "httpd.h"
#include "transport.h"

enum conn_state {
	CONN_PROXY,     /* --proxy-protocol: the PROXY header is still to come (before any TLS) */
	CONN_HANDSHAKE, /* TLS handshake in progress (within the header timeout) */
	CONN_IDLE,   /* keep-alive, nothing buffered, no conn_io */
	CONN_HEAD,   /* part of a request head buffered */
	CONN_BODY,   /* reading a request body to drop it */
	CONN_WRITE,  /* responses waiting for the socket to drain */
	CONN_LINGER  /* write side shut, reading what the client still sends */
};

/* What a connection asks of the loop after an event: to be closed (CONN_GONE:
 * the loop forgets it, then calls conn_close; a connection never closes or
 * frees itself), to wait
 * for input (edge-triggered: a read that did not fill its buffer emptied the
 * socket), to wait for input after a read that did fill its buffer (the loop
 * re-arms the watch, which reports the bytes left on its next round: fair to
 * the other connections; over TLS, bytes read ahead into the session are read
 * at once), or to wait until the socket takes more output. */
enum conn_want { CONN_GONE, CONN_WANT_READ, CONN_WANT_READ_MORE, CONN_WANT_WRITE };

struct conn_io;

/* What one worker's connections share; the loop owns it and updates the
 * clocks, connections read it and keep their spare buffers in it. */
struct conn_env {
	struct httpd_ctx ctx;       /* what the planner sees: config, now, Date */
	struct accesslog *log;
	uint32_t clock;             /* monotonic seconds: what deadlines count in */
	int draining;               /* shutdown in progress */
	struct conn_io *pool;       /* spare per-connection buffers */
	unsigned npool;
	struct tls_ctx *tls;        /* for new TLS connections (replaced by a reload) */
	char scratch[CONN_SCRATCH]; /* bytes read only to be dropped */
};

/* What a listener's connections are. */
enum conn_kind {
	CONN_PLAIN,
	CONN_TLS,
	CONN_REDIRECT /* plaintext, every request answered with 308 to https:// */
};

struct conn {
	struct conn_io *io;  /* NULL while idle */
	struct transport t;
	uint32_t deadline;   /* env clock second at which the current wait expires */
	uint8_t state;       /* enum conn_state */
	uint8_t unread;      /* the last read filled its buffer: more may wait */
	uint8_t redirect;    /* CONN_REDIRECT */
	uint8_t family;      /* AF_INET or AF_INET6 */
	uint8_t addr[16];    /* peer address, for the access log */
};

/* A new connection on an accepted, non-blocking socket, or NULL. The loop
 * then enters it in its table and calls conn_event(..., EPOLLIN): the
 * listener defers accept until data came, so it is read at once. */
struct conn *conn_new(struct conn_env *e, int fd, const struct sockaddr *sa, enum conn_kind kind);
/* epoll reported events for c: it moves what it can. */
enum conn_want conn_event(struct conn_env *e, struct conn *c, uint32_t events);
/* The once-a-second check: 1 when c's deadline passed (a slow head was told
 * 408), and the loop closes it. */
int conn_expired(struct conn_env *e, struct conn *c);
/* 1 while c has a request in progress; shutdown closes the others at once. */
int conn_busy(const struct conn *c);
/* Whether c's input is to be watched edge-triggered: plaintext, and any
 * connection whose PROXY header is being peeked at (its bytes stay in the
 * socket until it is complete: a level-triggered watch would wake for them
 * again and again). TLS input is level-triggered otherwise: a session reads
 * one record per call, so a short read does not prove the socket empty. */
static inline int conn_edge_triggered(const struct conn *c)
{
	return !c->t.tls || c->state == CONN_PROXY;
}
/* Closes the socket and frees c. */
void conn_close(struct conn_env *e, struct conn *c);
/* Frees the worker's pool of spare buffers. */
void conn_pool_free(struct conn_env *e);

#endif
