/* parallel: worker processes, URLs handed out one at a time, output in order
 * (contract in parallel.h). */
#include "parallel.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output.h"
#include "progress.h"
#include "response.h"
#include "transfer.h"
#include "tunables.h"

#define PAR_IDLE    SIZE_MAX    /* a worker's url when it has none */

struct par_result {
	int done;
	enum fetch_status status;
	char *out, *err;          /* what the URL printed on stdout and stderr */
	size_t out_len, err_len;
	off_t bytes;              /* for the progress line */
};

/* What a worker tells its parent through shared memory. */
struct par_shared {
	struct fetch_progress_slot progress;
	struct fetch_out_live live; /* its temporary file, removed if it dies */
};

struct par_worker {
	pid_t pid;
	int sock;                 /* the parent's end; -1 once closed */
	int child;                /* the worker's end */
	int out, err;             /* memfds: the worker's stdout and stderr */
	size_t url;               /* the URL under way, or PAR_IDLE */
	int ended;                /* told there is no more work */
};

struct par {
	const struct fetch_opts *opts;
	const char *const *urls;
	size_t nurls, next, finished, printed;
	struct par_result *res;
	char **paths;                      /* each URL's output file, NULL when unknown */
	struct par_worker *w;
	unsigned nw;
	struct par_shared *slots;          /* one per worker, shared */
	int sfd;                           /* signalfd */
	sigset_t old_mask;
	enum fetch_status result;
	struct fetch_progress bar;         /* one line for every transfer */
};

/* ---- the worker ---------------------------------------------------------- */

/* Empties a capture file before the next URL (its stdio stream is flushed). */
static void par_rewind(int fd)
{
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		_exit(FETCH_FAIL);
}

static void par_worker_run(struct par *p, unsigned i, fetch_one_fn one)
{
	struct par_worker *me = &p->w[i];
	struct fetch_opts o = *p->opts;
	struct fetch_pool pool;
	char *url = malloc(PAR_URL_MAX + 1);
	ssize_t n;

	for (unsigned j = 0; j < p->nw; j++) {
		close(p->w[j].sock);
		if (j != i) {
			close(p->w[j].child);
			close(p->w[j].out);
			close(p->w[j].err);
		}
	}
	close(p->sfd);
	sigprocmask(SIG_SETMASK, &p->old_mask, NULL);
	if (!url || dup2(me->out, STDOUT_FILENO) < 0 || dup2(me->err, STDERR_FILENO) < 0)
		_exit(FETCH_FAIL);
	o.progress = 0;
	o.progress_slot = &p->slots[i].progress;
	fetch_out_live_in(&p->slots[i].live);
	fetch_pool_init(&pool);
	while ((n = recv(me->child, url, PAR_URL_MAX, 0)) > 0) {
		int st;

		url[n] = '\0';
		par_rewind(STDOUT_FILENO);
		par_rewind(STDERR_FILENO);
		st = (int)one(&o, &pool, url);
		fflush(stdout);
		fflush(stderr);
		if (send(me->child, &st, sizeof(st), MSG_NOSIGNAL) != (ssize_t)sizeof(st))
			break;
	}
	fetch_pool_free(&pool);
	free(url);
	_exit(0);
}

/* ---- the parent ---------------------------------------------------------- */

/* A capture file's bytes, into a new buffer. */
static char *par_slurp(int fd, size_t *len)
{
	struct stat st;
	char *b;
	size_t got = 0;

	*len = 0;
	if (fstat(fd, &st) != 0 || st.st_size <= 0)
		return NULL;
	b = malloc((size_t)st.st_size);
	while (b && got < (size_t)st.st_size) {
		ssize_t r = pread(fd, b + got, (size_t)st.st_size - got, (off_t)got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	*len = b ? got : 0;
	return b;
}

static void par_clear_line(struct par *p)
{
	if (p->bar.drawn && write(STDERR_FILENO, "\r\033[K", 4) < 0)
		p->bar.drawn = 0;
	p->bar.drawn = 0;
}

/* One line for every transfer: files finished of all, bytes, rate. */
static void par_draw(struct par *p, int last)
{
	off_t have = 0;

	for (size_t i = 0; i < p->nurls; i++)
		have += p->res[i].done ? p->res[i].bytes : 0;
	for (unsigned j = 0; j < p->nw; j++)
		if (p->w[j].url != PAR_IDLE)
			have += __atomic_load_n(&p->slots[j].progress.have, __ATOMIC_RELAXED);
	p->bar.done = have;
	snprintf(p->bar.prefix, sizeof(p->bar.prefix), "[%zu/%zu] ", p->finished, p->nurls);
	if (last)
		fetch_progress_end(&p->bar);
	else
		fetch_progress_draw(&p->bar);
}

/* Prints the finished URLs that no earlier unfinished one holds back. */
static void par_print(struct par *p)
{
	while (p->printed < p->nurls && p->res[p->printed].done) {
		struct par_result *r = &p->res[p->printed++];

		par_clear_line(p);
		if (r->out_len > 0)
			fwrite(r->out, 1, r->out_len, stdout);
		fflush(stdout);
		if (r->err_len > 0)
			fwrite(r->err, 1, r->err_len, stderr);
		fflush(stderr);
		if (r->status != FETCH_OK && p->result == FETCH_OK)
			p->result = r->status;
		free(r->out);
		free(r->err);
		r->out = r->err = NULL;
	}
}

/* URL i writes the file a URL under way writes: it must wait, so that the
 * file ends as -j 1 leaves it (the later URL's), whatever finishes first. */
static int par_collides(const struct par *p, size_t i)
{
	for (unsigned j = 0; p->paths[i] && j < p->nw; j++) {
		size_t u = p->w[j].url;
		if (u != PAR_IDLE && p->paths[u] && strcmp(p->paths[u], p->paths[i]) == 0)
			return 1;
	}
	return 0;
}

/* The next URL to worker j, the end of its work, or nothing yet (the next
 * URL waits for an earlier one of the same file). */
static void par_assign(struct par *p, struct par_worker *w, unsigned j)
{
	size_t len;

	w->url = PAR_IDLE;
	if (p->next == p->nurls) {
		if (!w->ended)
			shutdown(w->sock, SHUT_WR); /* the worker's recv sees the end */
		w->ended = 1;
		return;
	}
	if (par_collides(p, p->next))
		return;
	__atomic_store_n(&p->slots[j].progress.have, 0, __ATOMIC_RELAXED);
	len = strlen(p->urls[p->next]);
	if (len > PAR_URL_MAX)
		len = PAR_URL_MAX; /* url_parse refuses it anyway: too long */
	if (send(w->sock, p->urls[p->next], len, MSG_NOSIGNAL) == (ssize_t)len)
		w->url = p->next++;
}

/* Worker j answered (or ended): its URL's result, then its next URL. */
static void par_collect(struct par *p, unsigned j)
{
	struct par_worker *w = &p->w[j];
	struct par_result *r;
	int st;
	ssize_t n = recv(w->sock, &st, sizeof(st), 0);
	int died = n != (ssize_t)sizeof(st); /* killed, or crashed */

	if (w->url == PAR_IDLE) { /* the end it was told of (a waiting worker sends nothing) */
		close(w->sock);
		w->sock = -1;
		return;
	}
	r = &p->res[w->url];
	if (died) { /* its URL fails: a line after what it printed */
		char shown[151];

		fetch_resp_mask(p->urls[w->url], strlen(p->urls[w->url]), shown, sizeof(shown));
		if (lseek(w->err, 0, SEEK_END) >= 0)
			dprintf(w->err, "fetch: %s: the worker process ended\n", shown);
	}
	r->out = par_slurp(w->out, &r->out_len);
	r->err = par_slurp(w->err, &r->err_len);
	r->bytes = __atomic_load_n(&p->slots[j].progress.have, __ATOMIC_RELAXED);
	r->status = died ? FETCH_FAIL : (enum fetch_status)st;
	r->done = 1;
	p->finished++;
	if (died) {
		/* Its temporary file goes, and no other URL goes to it. */
		fetch_out_live_remove(&p->slots[j].live);
		w->url = PAR_IDLE;
		close(w->sock);
		w->sock = -1;
		return;
	}
	par_assign(p, w, j);
}

/* Closes what the parent holds of every worker and waits for it to end. */
static void par_teardown(struct par *p)
{
	for (unsigned j = 0; j < p->nw; j++) {
		struct par_worker *w = &p->w[j];
		if (w->sock >= 0)
			close(w->sock);
		if (w->child >= 0)
			close(w->child);
		if (w->out >= 0)
			close(w->out);
		if (w->err >= 0)
			close(w->err);
		if (w->pid > 0)
			while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
				;
	}
}

/* A signal for fetch: the workers get it too (and remove their temporary
 * files), then the parent dies of it as if it had no handler. */
static void par_die(struct par *p)
{
	struct signalfd_siginfo si;
	int sig = SIGTERM;

	if (read(p->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		sig = (int)si.ssi_signo;
	for (unsigned j = 0; j < p->nw; j++)
		if (p->w[j].pid > 0)
			kill(p->w[j].pid, sig);
	par_teardown(p);
	par_clear_line(p);
	signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &p->old_mask, NULL);
	raise(sig);
	_exit(128 + sig); /* a signal that does not kill when default */
}

static void par_loop(struct par *p)
{
	struct pollfd *pfd = calloc(p->nw + 1, sizeof(*pfd));

	if (!pfd) {
		fprintf(stderr, "fetch: out of memory\n");
		p->result = FETCH_FAIL;
		return;
	}
	for (;;) {
		unsigned open_socks = 0;

		pfd[0] = (struct pollfd){.fd = p->sfd, .events = POLLIN};
		for (unsigned j = 0; j < p->nw; j++) {
			pfd[j + 1] = (struct pollfd){.fd = p->w[j].sock, .events = POLLIN};
			open_socks += p->w[j].sock >= 0;
		}
		if (open_socks == 0)
			break;
		if (poll(pfd, p->nw + 1, p->opts->progress ? FETCH_PROGRESS_MS : -1) < 0 &&
		    errno != EINTR)
			break;
		if (pfd[0].revents)
			par_die(p);
		for (unsigned j = 0; j < p->nw; j++)
			if (p->w[j].sock >= 0 && pfd[j + 1].revents)
				par_collect(p, j);
		for (unsigned j = 0; j < p->nw; j++)
			if (p->w[j].sock >= 0 && p->w[j].url == PAR_IDLE && !p->w[j].ended)
				par_assign(p, &p->w[j], j);
		par_print(p);
		par_draw(p, 0);
	}
	free(pfd);
	/* URLs no worker was left to take: reported, not silently skipped. */
	for (size_t i = p->next; i < p->nurls; i++) {
		fetch_resp_print_error(p->urls[i], "not fetched: no worker process left");
		p->res[i].done = 1;
		p->res[i].status = FETCH_FAIL;
	}
	par_print(p);
	par_draw(p, 1);
}

/* Sockets and capture files for every worker, before any fork. */
static int par_setup(struct par *p)
{
	int sv[2];

	for (unsigned j = 0; j < p->nw; j++) {
		struct par_worker *w = &p->w[j];
		*w = (struct par_worker){.sock = -1, .child = -1, .out = -1, .err = -1, .url = PAR_IDLE};
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
			return -1;
		w->sock = sv[0];
		w->child = sv[1];
		w->out = memfd_create("fetch-stdout", MFD_CLOEXEC);
		w->err = memfd_create("fetch-stderr", MFD_CLOEXEC);
		if (w->out < 0 || w->err < 0)
			return -1;
	}
	return 0;
}

static int par_start(struct par *p, fetch_one_fn one)
{
	if (par_setup(p) != 0)
		return -1;
	fflush(stdout); /* nothing buffered may be printed twice */
	fflush(stderr);
	for (unsigned j = 0; j < p->nw; j++) {
		p->w[j].pid = fork();
		if (p->w[j].pid < 0)
			return -1;
		if (p->w[j].pid == 0)
			par_worker_run(p, j, one);
		close(p->w[j].child);
		p->w[j].child = -1;
	}
	for (unsigned j = 0; j < p->nw; j++)
		par_assign(p, &p->w[j], j);
	return 0;
}

enum fetch_status fetch_parallel(const struct fetch_opts *opts, const char *const *urls, size_t n,
				 unsigned jobs, fetch_one_fn one, const sigset_t *caught)
{
	struct par p = {.opts = opts, .urls = urls, .nurls = n, .sfd = -1, .result = FETCH_OK};
	size_t slots_size;

	p.nw = jobs < n ? jobs : (unsigned)n;
	slots_size = p.nw * sizeof(*p.slots);
	p.res = calloc(n, sizeof(*p.res));
	p.paths = calloc(n, sizeof(*p.paths));
	for (size_t i = 0; p.paths && i < n; i++) {
		char path[PATH_MAX];
		if (fetch_url_path(opts, urls[i], path, sizeof(path)) == 0)
			p.paths[i] = strdup(path); /* NULL: never waits, as when unknown */
	}
	p.w = calloc(p.nw, sizeof(*p.w));
	p.slots = mmap(NULL, slots_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sigprocmask(SIG_BLOCK, caught, &p.old_mask);
	p.sfd = signalfd(-1, caught, SFD_CLOEXEC);
	fetch_progress_start(&p.bar, opts->progress, NULL, 0, -1);
	if (!p.res || !p.paths || !p.w || p.slots == MAP_FAILED || p.sfd < 0 ||
	    par_start(&p, one) != 0) {
		fprintf(stderr, "fetch: -j: cannot start the workers: %s\n", strerror(errno));
		p.result = FETCH_FAIL;
	} else {
		par_loop(&p);
	}
	if (p.w)
		par_teardown(&p);
	if (p.sfd >= 0)
		close(p.sfd);
	sigprocmask(SIG_SETMASK, &p.old_mask, NULL);
	if (p.slots != MAP_FAILED)
		munmap(p.slots, slots_size);
	for (size_t i = 0; p.res && i < n; i++) {
		free(p.res[i].out);
		free(p.res[i].err);
	}
	for (size_t i = 0; p.paths && i < n; i++)
		free(p.paths[i]);
	free(p.paths);
	free(p.res);
	free(p.w);
	return p.result;
}
