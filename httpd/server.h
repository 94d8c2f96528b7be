/* server: the worker processes and each one's event loop.
 *
 * server_start() runs `n` workers, each on its own listening socket (all bound
 * to one port with SO_REUSEPORT before fork, so the kernel spreads new
 * connections). One worker runs in the calling process; more are forked and
 * the parent only forwards signals, restarts a worker that crashed, and waits.
 *
 * A worker's loop: epoll over its listener and its connections (their input
 * edge-triggered, see server_watch); accept4 until EAGAIN; once a second the
 * Date string is renewed and connection deadlines are checked. SIGTERM/SIGINT:
 * stop accepting, close idle connections, let requests in progress finish
 * (for at most SERVER_DRAIN_S seconds), exit 0. SIGHUP: reopen the access log. */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "accesslog.h"
#include "httpd.h"

#define SERVER_DRAIN_S  10   /* graceful shutdown: the most a response may still take */
#define SERVER_EVENTS   256  /* epoll events per wait */
#define SERVER_SCRATCH  16384

struct conn;
struct conn_io;

/* One worker's state; conn.c reads and updates it through the fields below. */
struct server {
	struct httpd_ctx ctx;       /* what the planner sees: config, now, Date */
	struct accesslog *log;
	int epfd;
	int lfd;                    /* listening socket, -1 once closed */
	int paused;                 /* listener out of the epoll set (EMFILE, cap) */
	int draining;               /* shutdown in progress */
	uint32_t clock;             /* monotonic seconds: what deadlines count in */
	uint32_t drain_end;
	struct conn **conns;        /* by fd */
	size_t nslots;
	unsigned nconns;
	struct conn_io *pool;       /* spare per-connection buffers (conn.c) */
	unsigned npool;
	struct buffer tmp;          /* for one-off answers (503 when full) */
	char scratch[SERVER_SCRATCH]; /* bytes read only to be dropped */
};

/* Runs the workers until shutdown; returns the exit status (0 after a
 * graceful stop). lfds: n listening sockets. */
int server_start(const struct httpd_config *cfg, const int *lfds, int n, struct accesslog *log);
/* Makes epoll watch `events` (EPOLLIN or EPOLLOUT) for c; -1 on failure.
 * Input is watched edge-triggered: a recv that did not fill its buffer
 * emptied the socket, and new bytes bring a new event, so the readiness of a
 * drained socket is never polled again (level-triggered, every answered
 * request cost a second poll of its socket). After a recv that did fill its
 * buffer the caller sets c->unread and calls again: the call re-arms the
 * watch, which reports the bytes left on the next round (fair to others). */
int server_watch(struct server *s, struct conn *c, uint32_t events);
/* Enters a new connection in the table; 0 or -1. */
int server_conn_add(struct server *s, struct conn *c);
/* The connection on fd ended: out of the table; a paused listener may accept again. */
void server_conn_gone(struct server *s, int fd);

#endif
