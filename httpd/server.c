/* server: see server.h.
 *
 * Signals are blocked except inside the one call that waits (epoll_pwait in
 * a worker, sigsuspend in the parent), so a signal can never slip in between
 * checking the flags and going to sleep. */
#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"

/* One worker's loop: epoll, the listener and the connections by fd. */
struct server {
	struct conn_env env;        /* what the connections share */
	int epfd;
	struct server_listener {
		int fd;             /* -1: none, or closed */
		enum conn_kind kind;
	} lis[2];                   /* the port, and the --http-redirect one */
	int paused;                 /* listeners out of the epoll set (EMFILE, cap) */
	uint32_t drain_end;
	struct server_slot {
		struct conn *c;
		uint32_t watched;   /* epoll events set for it; 0: not in the set */
	} *slots;                   /* by fd */
	size_t nslots;
	unsigned nconns;
	struct buffer tmp;          /* for one-off answers (503 when full) */
};

static volatile sig_atomic_t server_sig_stop, server_sig_hup, server_sig_chld;

static void server_on_signal(int sig)
{
	if (sig == SIGHUP || sig == SIGUSR1) /* USR1: nginx's log reopen, so its logrotate snippet works */
		server_sig_hup = 1;
	else if (sig == SIGCHLD)
		server_sig_chld = 1;
	else
		server_sig_stop = 1;
}

/* Handlers for the signals we act on, blocked from now on; *wait_mask gets
 * the mask to wait with (the old one, with them unblocked). */
static void server_signals(sigset_t *wait_mask)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGCHLD};
	struct sigaction sa;
	sigset_t block;

	sigemptyset(&block);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&block, sigs[i]);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = server_on_signal;
	sa.sa_mask = block;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigdelset(wait_mask, sigs[i]);
}

/* ---- clock ---- */

/* Renews Date (and the wall time that picks the TLS ticket keys) once a
 * second, the monotonic second deadlines count in, and the finer monotonic
 * time the file cache times its fstat window by (one clock read per wakeup
 * instead of one per cache hit). The one place httpd reads the wall clock
 * while serving: tests move it with libfaketime. */
static void server_time(struct server *s)
{
	struct timespec ts;
	time_t now = time(NULL);

	if (now != s->env.ctx.now) {
		s->env.ctx.now = now;
		date_format(now, s->env.ctx.date);
		if (s->env.tls)
			tls_ctx_set_time(s->env.tls, now);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->env.clock = (uint32_t)ts.tv_sec;
	s->env.ctx.mono_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Milliseconds to the next whole monotonic second, so that ticks are on time. */
static int server_wait_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return 1000 - (int)(ts.tv_nsec / 1000000);
}

/* ---- the connection table and epoll ---- */

/* Puts the listeners in the epoll set (on) or takes them out. */
static void server_listen(struct server *s, int on)
{
	int failed = 0;

	if (on != s->paused)
		return;
	for (int i = 0; i < 2; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->lis[i]};
		if (s->lis[i].fd >= 0 &&
		    epoll_ctl(s->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, s->lis[i].fd, &ev) < 0 &&
		    errno != EEXIST && errno != ENOENT)
			failed = 1;
	}
	if (!failed)
		s->paused = !on;
}

static int server_is_listener(const struct server *s, const void *p)
{
	return p == &s->lis[0] || p == &s->lis[1];
}

/* Makes epoll watch what c asked for, or forgets and closes c. */
static void server_want(struct server *s, struct conn *c, enum conn_want want)
{
	int fd = c->t.fd;
	struct server_slot *slot = &s->slots[fd];
	uint32_t events = want == CONN_WANT_WRITE ? EPOLLOUT
					  : EPOLLIN | (conn_edge_triggered(c) ? EPOLLET : 0);

	if (want == CONN_GONE)
		goto gone;
	/* A re-arm of an edge-triggered watch reports what is still unread. */
	if (events == slot->watched && want != CONN_WANT_READ_MORE)
		return;
	struct epoll_event ev = {.events = events, .data.ptr = c};
	if (epoll_ctl(s->epfd, slot->watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) == 0) {
		slot->watched = events;
		return;
	}
gone:
	slot->c = NULL;
	slot->watched = 0;
	s->nconns--;
	conn_close(&s->env, c);
	/* A descriptor came free: a listener paused by EMFILE may try again. */
	if (s->paused && !s->env.draining)
		server_listen(s, 1);
}

/* Enters a new connection in the table; 0 or -1. */
static int server_conn_add(struct server *s, struct conn *c, int fd)
{
	size_t at = (size_t)fd;

	if (at >= s->nslots) {
		size_t n = s->nslots ? s->nslots : 1024;
		while (n <= at)
			n *= 2;
		struct server_slot *t = realloc(s->slots, n * sizeof *t);
		if (!t)
			return -1;
		memset(t + s->nslots, 0, (n - s->nslots) * sizeof *t);
		s->slots = t;
		s->nslots = n;
	}
	s->slots[at].c = c;
	s->slots[at].watched = 0;
	s->nconns++;
	return 0;
}

/* ---- accepting ---- */

/* Over the connection cap: a 503 and close, without a conn (TLS: a close). */
static void server_refuse(struct server *s, int fd, enum conn_kind kind)
{
	struct response r = {.fd = -1};

	if (kind == CONN_TLS) {
		close(fd);
		return;
	}
	buffer_clear(&s->tmp);
	/* Read what the client sent: unread input would turn close() into a RST. */
	(void)recv(fd, s->env.scratch, sizeof s->env.scratch, MSG_DONTWAIT);
	if (respond_error(&s->env.ctx, 503, &s->tmp, &r) == 0)
		(void)send(fd, s->tmp.data, s->tmp.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* accept4 errors that only lost one connection: go on accepting. */
static int server_accept_transient(int e)
{
	return e == EINTR || e == ECONNABORTED || e == EPROTO || e == ENETDOWN ||
	       e == ENOPROTOOPT || e == EHOSTDOWN || e == ENONET || e == EHOSTUNREACH ||
	       e == EOPNOTSUPP || e == ENETUNREACH || e == EPERM;
}

static void server_accept(struct server *s, const struct server_listener *l)
{
	for (int i = 0; i < SERVER_ACCEPT_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && server_accept_transient(errno))
			continue;
		if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (fd < 0) {
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection stays queued and the
			 * listener readable, so retrying now would spin. Retry when a
			 * connection closes or at the next tick. */
			server_listen(s, 0);
			return;
		}
		if (s->nconns >= (unsigned)s->env.ctx.cfg->max_conns) {
			server_refuse(s, fd, l->kind);
			continue;
		}
		struct conn *c = conn_new(&s->env, fd, (const struct sockaddr *)&ss, l->kind);
		if (!c || server_conn_add(s, c, fd) < 0) {
			if (c)
				conn_close(&s->env, c);
			else
				close(fd);
			continue;
		}
		/* The listener defers accept until data came: read it now, skipping a
		 * trip through epoll (and, for a one-request client, epoll entirely). */
		server_want(s, c, conn_event(&s->env, c, EPOLLIN));
	}
}

/* ---- the loop ---- */

static void server_tick(struct server *s)
{
	for (size_t fd = 0; fd < s->nslots; fd++)
		if (s->slots[fd].c && conn_expired(&s->env, s->slots[fd].c))
			server_want(s, s->slots[fd].c, CONN_GONE);
	if (s->paused && !s->env.draining)
		server_listen(s, 1);
}

/* Stop accepting; idle connections go now, busy ones when their answer is out. */
static void server_drain(struct server *s)
{
	s->env.draining = 1;
	s->drain_end = s->env.clock + SERVER_DRAIN_S;
	server_listen(s, 0);
	for (int i = 0; i < 2; i++) {
		if (s->lis[i].fd < 0)
			continue;
		/* Connections already queued are ours to answer: closing the
		 * listener would reset them (in a rolling restart through
		 * SO_REUSEPORT, the new server never sees them). */
		server_accept(s, &s->lis[i]);
		close(s->lis[i].fd);
		s->lis[i].fd = -1;
	}
	for (size_t fd = 0; fd < s->nslots; fd++)
		if (s->slots[fd].c && !conn_busy(s->slots[fd].c))
			server_want(s, s->slots[fd].c, CONN_GONE);
}

static void server_close_all(struct server *s)
{
	for (size_t fd = 0; fd < s->nslots; fd++)
		if (s->slots[fd].c)
			server_want(s, s->slots[fd].c, CONN_GONE);
}

/* SIGHUP: certificate and key read again, for new connections (those open
 * keep their session); a pair that does not load leaves the old one. */
/* Replaces *tls by a context with the certificate and key read again and the
 * same ticket keys (tickets already given out stay good); 0, or -1 with the
 * reason in err and *tls left as it was. */
static int server_tls_renew(const struct httpd_config *cfg, struct tls_ctx **tls, char *err,
			    size_t errlen)
{
	struct tls_server_opts o = cfg->tls;

	o.tickets_of = *tls;
	struct tls_ctx *t = tls_server_ctx(&o, err, errlen);
	if (!t)
		return -1;
	tls_ctx_free(*tls);
	*tls = t;
	return 0;
}

static void server_tls_reload(struct server *s)
{
	char err[512];

	if (!s->env.tls)
		return;
	if (server_tls_renew(s->env.ctx.cfg, &s->env.tls, err, sizeof err) != 0) {
		log_msg(LOG_ERROR, "TLS reload refused, the old certificate stays: %s", err);
		return;
	}
	tls_ctx_set_time(s->env.tls, s->env.ctx.now);
	log_msg(LOG_INFO, "TLS certificate and key reloaded");
}

static int server_loop(struct server *s, const sigset_t *wait_mask)
{
	struct epoll_event ev[SERVER_EVENTS];
	uint32_t ticked = s->env.clock;

	for (;;) {
		if (server_sig_stop && !s->env.draining)
			server_drain(s);
		if (server_sig_hup) {
			server_sig_hup = 0;
			if (accesslog_reopen(s->env.log) < 0)
				log_msg(LOG_WARN, "cannot reopen the access log: %s", strerror(errno));
			server_tls_reload(s);
		}
		if (s->env.draining && (s->nconns == 0 || (int32_t)(s->env.clock - s->drain_end) >= 0))
			return 0;
		int n = epoll_pwait(s->epfd, ev, SERVER_EVENTS, server_wait_ms(), wait_mask);
		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERROR, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		server_time(s);
		for (int i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;
			if (!server_is_listener(s, p))
				server_want(s, p, conn_event(&s->env, p, ev[i].events));
			else if (((struct server_listener *)p)->fd >= 0)
				server_accept(s, p);
		}
		if (s->env.log->len)
			accesslog_flush(s->env.log);
		if (s->env.clock != ticked) {
			ticked = s->env.clock;
			server_tick(s);
		}
	}
}

/* One worker, in this process, until shutdown. */
static int server_run(const struct httpd_config *cfg, const struct server_setup *su, int i,
		      const sigset_t *wait_mask)
{
	struct server *s = calloc(1, sizeof *s);
	int rc = 1;

	if (!s) {
		log_msg(LOG_ERROR, "out of memory");
		return 1;
	}
	s->env.ctx.cfg = cfg;
	s->env.ctx.now = (time_t)-1;
	s->env.log = su->log;
	s->env.tls = su->tls;
	s->lis[0] = (struct server_listener){su->lfds[i], su->tls ? CONN_TLS : CONN_PLAIN};
	s->lis[1] = (struct server_listener){su->rfds ? su->rfds[i] : -1, CONN_REDIRECT};
	s->paused = 1;
	buffer_init(&s->tmp, HTTPD_ERROR_PAGE_MAX + 4096); /* an --error-page 503 body and its head */
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		log_msg(LOG_ERROR, "epoll_create1: %s", strerror(errno));
		goto out;
	}
	server_time(s);
	server_listen(s, 1);
	if (s->paused) {
		log_msg(LOG_ERROR, "cannot watch the listening socket: %s", strerror(errno));
		goto out;
	}
	rc = server_loop(s, wait_mask);
	server_close_all(s);
out:
	for (int j = 0; j < 2; j++)
		if (s->lis[j].fd >= 0)
			close(s->lis[j].fd);
	if (s->epfd >= 0)
		close(s->epfd);
	conn_pool_free(&s->env);
	respond_free(&s->env.ctx);
	tls_ctx_free(s->env.tls); /* open sessions hold their own reference */
	buffer_free(&s->tmp);
	free(s->slots);
	free(s);
	accesslog_flush(su->log);
	return rc;
}

/* ---- worker processes ---- */

struct server_workers {
	const struct httpd_config *cfg;
	struct server_setup su; /* tls: the context new workers start with */
	int n;
	const sigset_t *wait_mask;
	pid_t *pids;
	time_t *started;
	int quick_deaths; /* workers in a row that died within a second of starting */
};

/* Starts worker i on listener i; its pid, or -1. */
static pid_t server_fork(struct server_workers *w, int i)
{
	pid_t parent = getpid();
	time_t now = time(NULL);

	/* Every worker's ticket-key ratchet starts from this one, brought to now:
	 * they step in time together, and the parent keeps no older state. */
	if (w->su.tls)
		tls_ctx_set_time(w->su.tls, now);
	fflush(NULL); /* nothing buffered may be written twice */
	pid_t pid = fork();
	if (pid != 0) {
		if (pid < 0)
			log_msg(LOG_ERROR, "fork: %s", strerror(errno));
		w->pids[i] = pid;
		w->started[i] = now;
		return pid;
	}
	/* A worker whose parent vanished (SIGKILL) must not serve on alone. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		exit(0);
	for (int j = 0; j < w->n; j++) {
		if (j == i)
			continue;
		close(w->su.lfds[j]);
		if (w->su.rfds)
			close(w->su.rfds[j]);
	}
	exit(server_run(w->cfg, &w->su, i, w->wait_mask));
}

static void server_signal_all(struct server_workers *w, int sig)
{
	for (int i = 0; i < w->n; i++)
		if (w->pids[i] > 0)
			kill(w->pids[i], sig);
}

/* Reaps exited workers; restarts those that died while serving. -1 when one
 * keeps dying at once (restarting it would only spin). */
static int server_reap(struct server_workers *w, int *worst)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		for (int i = 0; i < w->n; i++) {
			if (w->pids[i] != pid)
				continue;
			w->pids[i] = 0;
			/* A worker restarted is a warning; one ending at shutdown counts. */
			if (server_sig_stop) {
				if (code > *worst)
					*worst = code;
				break;
			}
			log_msg(LOG_WARN, "worker %d (pid %ld) ended with status %d; restarting", i,
				(long)pid, code);
			w->quick_deaths = time(NULL) - w->started[i] < 1 ? w->quick_deaths + 1 : 0;
			if (w->quick_deaths > SERVER_QUICK_DEATHS || server_fork(w, i) < 0)
				return -1;
		}
	}
	return 0;
}

/* SIGHUP in the parent: the certificate and key a worker forked from now on
 * (a restarted one) serves with, the same as the running workers reload.
 * Quiet: the workers log the outcome. */
static void server_parent_reload(struct server_workers *w)
{
	char err[512];

	if (w->su.tls)
		(void)server_tls_renew(w->cfg, &w->su.tls, err, sizeof err);
}

static int server_parent(struct server_workers *w)
{
	int worst = 0, alive = 0;

	for (int i = 0; i < w->n; i++)
		if (server_fork(w, i) < 0) {
			server_sig_stop = 1;
			worst = 1;
		}
	while (!server_sig_stop) {
		sigsuspend(w->wait_mask);
		if (server_sig_hup) {
			server_sig_hup = 0;
			server_parent_reload(w);
			server_signal_all(w, SIGHUP);
		}
		if (server_sig_chld) {
			server_sig_chld = 0;
			if (server_reap(w, &worst) < 0) {
				log_msg(LOG_ERROR, "a worker keeps failing; stopping");
				server_sig_stop = 1;
				worst = 1;
			}
		}
	}
	/* The workers drain; our copies of the listeners must not keep the port open. */
	for (int i = 0; i < w->n; i++) {
		close(w->su.lfds[i]);
		if (w->su.rfds)
			close(w->su.rfds[i]);
	}
	server_signal_all(w, SIGTERM);
	do {
		int st;
		pid_t pid = waitpid(-1, &st, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (code > worst)
			worst = code;
		alive = 0;
		for (int i = 0; i < w->n; i++) {
			if (w->pids[i] == pid)
				w->pids[i] = 0;
			alive += w->pids[i] > 0;
		}
	} while (alive > 0);
	return worst;
}

int server_start(const struct httpd_config *cfg, const struct server_setup *su)
{
	sigset_t wait_mask;

	server_signals(&wait_mask);
	if (su->n == 1)
		return server_run(cfg, su, 0, &wait_mask);
	struct server_workers w = {cfg, *su, su->n, &wait_mask, NULL, NULL, 0};
	w.pids = calloc((size_t)su->n, sizeof *w.pids);
	w.started = calloc((size_t)su->n, sizeof *w.started);
	int rc = 1;
	if (w.pids && w.started)
		rc = server_parent(&w);
	tls_ctx_free(w.su.tls);
	free(w.pids);
	free(w.started);
	return rc;
}
