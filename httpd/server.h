/* server: the worker processes and each one's event loop.
 *
 * server_start() runs `n` workers, each on its own listening socket (all bound
 * to one port with SO_REUSEPORT before fork, so the kernel spreads new
 * connections). One worker runs in the calling process; more are forked and
 * the parent only forwards signals, restarts a worker that crashed, and waits.
 *
 * A worker's loop owns epoll and the table of its connections: it tells each
 * connection its events and watches what the connection asks for next (input
 * edge-triggered, see conn.h); accept4 until EAGAIN; once a second the
 * Date string is renewed and connection deadlines are checked. SIGTERM/SIGINT:
 * stop accepting, close idle connections, let requests in progress finish
 * (for at most SERVER_DRAIN_S seconds), exit 0. SIGHUP: reopen the access log
 * and reload the TLS certificate and key (each worker; a failure is logged
 * and the old pair kept). */
#ifndef SERVER_H
#define SERVER_H

#include "accesslog.h"
#include "httpd.h"
#include "tls.h"

/* What the workers serve with: worker i listens on lfds[i] (TLS when tls is
 * set) and, with --http-redirect, on rfds[i] (else rfds is NULL). */
struct server_setup {
	const int *lfds, *rfds;
	int n;                 /* workers */
	struct tls_ctx *tls;   /* NULL: plaintext; server_start frees it */
	struct accesslog *log;
};

/* Runs the workers until shutdown; returns the exit status (0 after a
 * graceful stop). */
int server_start(const struct httpd_config *cfg, const struct server_setup *su);

#endif
