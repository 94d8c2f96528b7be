/* net: listening, connecting, and write loops that survive partial writes,
 * EINTR and EAGAIN.
 *
 * A short count from send on a non-blocking descriptor means
 * the kernel's buffer filled up (it marks the socket "no space" and will wake
 * a poller when room frees), so the loops stop there instead of spending one
 * more system call to be told EAGAIN; nginx's send paths do the same.
 *
 * Socket sends pass MSG_DONTWAIT, so that the write-all timeouts hold on a
 * blocking socket too (net_connect returns one). */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void net_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills err (when given); a truncated reason is still a useful reason. */
static void net_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(err, errlen, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
}

/* strerror() text with a lower-case first letter: "connection refused". */
static const char *net_reason(int e, char *buf, size_t len)
{
	const char *s = strerror_r(e, buf, len);
	if (s != buf && snprintf(buf, len, "%s", s) < 0)
		return "unknown error";
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* getaddrinfo() takes "99999" and silently wraps it: a numeric port must be
 * plain digits, 0..65535. Names ("http") are left to getaddrinfo. */
static int net_port_ok(const char *port)
{
	char *end;
	unsigned long v;

	if (port == NULL || port[0] == '\0')
		return 0;
	if ((port[0] >= 'a' && port[0] <= 'z') || (port[0] >= 'A' && port[0] <= 'Z'))
		return 1;
	if (port[0] < '0' || port[0] > '9') /* strtoul would take " 80", "+80" */
		return 0;
	errno = 0;
	v = strtoul(port, &end, 10);
	return errno == 0 && *end == '\0' && v <= 65535;
}

void net_ignore_sigpipe(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

static long long net_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int net_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	long long deadline = timeout_ms > 0 ? net_now_ms() + timeout_ms : 0;
	int left = timeout_ms;

	for (;;) {
		int r = poll(&pfd, 1, left);
		if (r > 0) {
			if (pfd.revents & POLLNVAL) {
				errno = EBADF;
				return -1;
			}
			/* POLLERR/POLLHUP count as ready: the next I/O call reports. */
			return 1;
		}
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
		if (timeout_ms > 0) {
			long long rem = deadline - net_now_ms();
			left = rem > 0 ? (int)rem : 0;
		}
	}
}

/* ---- listening ---- */

/* One socket bound to one address, or -1 with errno. */
static int net_listen_addr(const struct addrinfo *ai, int flags, int dual_stack)
{
	int one = 1, zero = 0;
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		goto fail;
	if ((flags & NET_REUSEPORT) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
		goto fail;
	/* Explicit, since the system default (net.ipv6.bindv6only) may be 1. */
	if (dual_stack && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0)
		goto fail;
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0)
		goto fail;
	return fd;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Tries every address of host:port in order; the first that listens wins. */
static int net_listen_host(const char *host, const char *port, int family, int flags, int *gai_err)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, e = EADDRNOTAVAIL;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	*gai_err = getaddrinfo(host, port, &hints, &res);
	if (*gai_err != 0)
		return -1;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = net_listen_addr(ai, flags, 0);
		if (fd < 0)
			e = errno;
	}
	freeaddrinfo(res);
	if (fd < 0)
		errno = e;
	return fd;
}

/* Every address: "::" dual-stack first, 0.0.0.0 when IPv6 is unavailable. */
static int net_listen_any(const char *port, int flags, int *gai_err)
{
	struct addrinfo hints, *res;
	int fd;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_INET6;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	*gai_err = getaddrinfo("::", port, &hints, &res);
	if (*gai_err == 0) {
		fd = net_listen_addr(res, flags, 1);
		freeaddrinfo(res);
		/* A port already taken is taken for IPv4 too: report, do not retry. */
		if (fd >= 0 || errno == EADDRINUSE || errno == EACCES)
			return fd;
	}
	return net_listen_host("0.0.0.0", port, AF_INET, flags, gai_err);
}

int net_listen(const char *host, const char *port, int flags, char *err, size_t errlen)
{
	char buf[128];
	int gai_err = 0, fd;
	int any = host == NULL || host[0] == '\0';

	if (!net_port_ok(port)) {
		errno = EINVAL;
		net_err(err, errlen, "bad port: %s", port ? port : "(none)");
		return -1;
	}
	fd = any ? net_listen_any(port, flags, &gai_err)
	         : net_listen_host(host, port, AF_UNSPEC, flags, &gai_err);
	if (fd >= 0)
		return fd;
	if (gai_err != 0) {
		errno = EADDRNOTAVAIL;
		net_err(err, errlen, "cannot listen on %s port %s: %s", any ? "*" : host, port,
		        gai_strerror(gai_err));
		return -1;
	}
	int e = errno;
	net_err(err, errlen, "cannot listen on %s port %s: %s", any ? "*" : host, port,
	        net_reason(e, buf, sizeof buf));
	errno = e;
	return -1;
}

int net_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	errno = EAFNOSUPPORT;
	return -1;
}

/* ---- connecting ---- */

/* RFC 8305 §5: how long one attempt runs alone before the next starts. */
#define NET_ATTEMPT_DELAY_MS 250
/* Attempts in flight at once (one poll); a further address waits for a slot. */
#define NET_ATTEMPTS_MAX 8

/* glibc's freeaddrinfo() frees node by node along ai_next, so relinking the
 * nodes of one list keeps it freeable. */
struct addrinfo *net_interleave(struct addrinfo *list)
{
	struct addrinfo *six = NULL, *other = NULL, *head = NULL, *next;
	struct addrinfo **tail6 = &six, **tailo = &other, **tail = &head;
	int turn6 = 1;

	for (; list != NULL; list = next) {
		next = list->ai_next;
		list->ai_next = NULL;
		if (list->ai_family == AF_INET6) {
			*tail6 = list;
			tail6 = &list->ai_next;
		} else {
			*tailo = list;
			tailo = &list->ai_next;
		}
	}
	for (; six != NULL || other != NULL; turn6 = !turn6) {
		struct addrinfo **from = turn6 ? &six : &other;
		if (*from == NULL)
			from = turn6 ? &other : &six;
		*tail = *from;
		*from = (*from)->ai_next;
		tail = &(*tail)->ai_next;
	}
	*tail = NULL;
	return head;
}

/* Starts a non-blocking connect to one address: the socket (*done set when it
 * connected at once), or -1 with errno. */
static int net_attempt(const struct addrinfo *ai, int *done)
{
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);

	*done = 0;
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		*done = 1;
		return fd;
	}
	if (errno == EINPROGRESS)
		return fd;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* The reason to report when every attempt fails: the latest, except that
 * "this host has no way to that family" (IPv6 on an IPv4-only machine) never
 * hides what an earlier attempt learnt from the peer. */
static void net_keep_reason(int *kept, int e)
{
	int local = e == ENETUNREACH || e == EADDRNOTAVAIL || e == EAFNOSUPPORT;
	if (*kept == 0 || !local)
		*kept = e;
}

/* The outcome of an attempt poll() found ready: 0 connected, else its error. */
static int net_attempt_error(int fd)
{
	int e = 0;
	socklen_t elen = sizeof e;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
		return errno;
	return e;
}

/* Happy Eyeballs (RFC 8305) over an ordered list: one attempt, the next
 * NET_ATTEMPT_DELAY_MS later or as soon as one fails, all pending ones in one
 * poll, until one connects (the others are closed), every one failed, or
 * deadline (monotonic ms, < 0: none) passes. Returns the non-blocking socket,
 * or -1 with the reason in *reason. */
static int net_race(const struct addrinfo *ai, long long deadline, int *reason)
{
	struct pollfd p[NET_ATTEMPTS_MAX];
	long long next = 0; /* when the next attempt may start */
	int n = 0, fd = -1;

	*reason = 0;
	for (;;) {
		long long now = net_now_ms(), wait = deadline < 0 ? -1 : deadline - now;
		int done, r;

		if (ai != NULL && n < NET_ATTEMPTS_MAX && now >= next) {
			int s = net_attempt(ai, &done);
			ai = ai->ai_next;
			if (s < 0) {
				net_keep_reason(reason, errno);
				continue;
			}
			if (done) {
				fd = s;
				break;
			}
			p[n++] = (struct pollfd){.fd = s, .events = POLLOUT};
			next = now + NET_ATTEMPT_DELAY_MS;
			continue;
		}
		if (n == 0 && ai == NULL)
			break;
		if (wait <= 0 && deadline >= 0) {
			*reason = ETIMEDOUT;
			break;
		}
		if (ai != NULL && n < NET_ATTEMPTS_MAX && (wait < 0 || next - now < wait))
			wait = next - now;
		r = poll(p, (nfds_t)n, wait > INT_MAX ? INT_MAX : (int)wait);
		if (r < 0 && errno != EINTR) {
			*reason = errno;
			break;
		}
		for (int i = 0; r > 0 && i < n;) {
			if (p[i].revents == 0) {
				i++;
				continue;
			}
			int e = net_attempt_error(p[i].fd);
			if (e == 0) {
				fd = p[i].fd;
				p[i] = p[--n];
				goto out;
			}
			close(p[i].fd);
			p[i] = p[--n];
			net_keep_reason(reason, e);
			next = 0; /* a failure starts the next attempt at once */
		}
	}
out:
	while (n > 0)
		close(p[--n].fd);
	if (fd < 0 && *reason == 0)
		*reason = EHOSTUNREACH;
	return fd;
}

/* A lookup handed to getaddrinfo_a() with everything it reads, in one
 * allocation: the lookup thread may outlive the call (see net_resolve). */
struct net_lookup {
	struct gaicb cb;
	struct addrinfo hints;
	char names[]; /* host, NUL, port, NUL */
};

/* getaddrinfo() within timeout_ms: it alone may block for as long as the
 * resolver's retries take (resolv.conf's timeout times attempts, per server
 * and family). A literal address is read at once; a name is looked up by
 * getaddrinfo_a(), which runs it in a helper thread. A lookup that timed out
 * and could not be cancelled goes on reading its names and writing its
 * result, so its net_lookup is left to it (a few hundred bytes, once per
 * timed-out lookup) rather than freed under it. Returns getaddrinfo's codes,
 * or EAI_AGAIN with errno ETIMEDOUT when the time ran out. */
static int net_resolve(const char *host, const char *port, const struct addrinfo *hints,
		       int timeout_ms, struct addrinfo **res)
{
	struct addrinfo numeric = *hints;
	struct gaicb *list[1];
	struct net_lookup *lk;
	struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
	size_t hl = strlen(host) + 1, pl = strlen(port) + 1;
	int r;

	numeric.ai_flags |= AI_NUMERICHOST;
	r = getaddrinfo(host, port, &numeric, res);
	if (r != EAI_NONAME)
		return r;
	lk = calloc(1, sizeof(*lk) + hl + pl);
	if (!lk)
		return EAI_MEMORY;
	memcpy(lk->names, host, hl);
	memcpy(lk->names + hl, port, pl);
	lk->hints = *hints;
	lk->cb.ar_name = lk->names;
	lk->cb.ar_service = lk->names + hl;
	lk->cb.ar_request = &lk->hints;
	list[0] = &lk->cb;
	r = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (r != 0) {
		free(lk);
		return r;
	}
	do
		r = gai_suspend((const struct gaicb *const *)list, 1, timeout_ms < 0 ? NULL : &ts);
	while (r == EAI_INTR);
	r = gai_error(&lk->cb);
	if (r == EAI_INPROGRESS) {
		int c = gai_cancel(&lk->cb);
		if (c == EAI_NOTCANCELED) {
			errno = ETIMEDOUT;
			return EAI_AGAIN; /* lk belongs to the lookup thread now */
		}
		r = c == EAI_ALLDONE ? gai_error(&lk->cb) : EAI_CANCELED; /* it ended meanwhile */
	}
	if (r == EAI_CANCELED) {
		free(lk);
		errno = ETIMEDOUT;
		return EAI_AGAIN;
	}
	*res = lk->cb.ar_result;
	free(lk);
	return r;
}

int net_connect(const char *host, const char *port, int family, int timeout_ms, char *err,
                size_t errlen)
{
	struct addrinfo hints, *res;
	char name[256], buf[128];
	long long deadline = timeout_ms < 0 ? -1 : net_now_ms() + timeout_ms;
	int fd = -1, e = 0, r;

	if (host == NULL || host[0] == '\0') {
		errno = EINVAL;
		net_err(err, errlen, "no host to connect to");
		return -1;
	}
	if (!net_port_ok(port)) {
		errno = EINVAL;
		net_err(err, errlen, "bad port: %s", port ? port : "(none)");
		return -1;
	}
	/* Accept an IPv6 literal still in its URL brackets. */
	size_t hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']' && hl - 2 < sizeof name) {
		memcpy(name, host + 1, hl - 2);
		name[hl - 2] = '\0';
		host = name;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	errno = 0;
	r = net_resolve(host, port, &hints, timeout_ms, &res);
	if (r != 0) {
		if (r == EAI_SERVICE)
			net_err(err, errlen, "bad port: %s", port);
		else if (r == EAI_AGAIN && errno == ETIMEDOUT)
			net_err(err, errlen, "timed out resolving host: %s", host);
		else
			net_err(err, errlen, "could not resolve host: %s", host);
		errno = EHOSTUNREACH;
		return -1;
	}
	res = net_interleave(res);
	if (deadline >= 0 && net_now_ms() >= deadline)
		e = ETIMEDOUT;
	else
		fd = net_race(res, deadline, &e);
	freeaddrinfo(res);
	/* Back to blocking; F_SETFL only touches the status flags, and the only
	 * one this fresh socket has is O_NONBLOCK, so no F_GETFL is needed. */
	if (fd >= 0 && fcntl(fd, F_SETFL, 0) == 0)
		return fd;
	if (fd >= 0) {
		e = errno;
		close(fd);
	}
	net_err(err, errlen, "%s", net_reason(e, buf, sizeof buf));
	errno = e;
	return -1;
}

/* ---- writing ---- */

ssize_t net_send(int fd, const void *p, size_t n)
{
	const char *c = p;
	size_t done = 0;
	int sock = 1;

	while (done < n) {
		size_t want = n - done;
		ssize_t w = sock ? send(fd, c + done, want, MSG_NOSIGNAL | MSG_DONTWAIT)
		                 : write(fd, c + done, want);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOTSOCK && sock) {
				sock = 0; /* a pipe or file: plain write() */
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK || done > 0)
				return (ssize_t)done;
			return -1;
		}
		done += (size_t)w;
		if ((size_t)w < want)
			break; /* buffer full (see top of file) */
	}
	return (ssize_t)done;
}

int net_write_all(int fd, const void *p, size_t n, int timeout_ms)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = net_send(fd, c, n);
		if (w < 0)
			return -1;
		c += w;
		n -= (size_t)w;
		if (n == 0)
			break;
		int r = net_wait(fd, POLLOUT, timeout_ms);
		if (r == 0)
			errno = ETIMEDOUT;
		if (r <= 0)
			return -1;
	}
	return 0;
}
