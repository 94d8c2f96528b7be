/* check_net: lib/net.c over real loopback sockets (127.0.0.1, and ::1 when
 * the machine has IPv6). Every wait is bounded; big transfers go through a
 * deliberately small send buffer so partial writes and EAGAIN really happen. */
#include "net.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BIG (6u * 1024 * 1024)

static char errbuf[256];

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int has_ipv6(void)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = socket(AF_INET6, SOCK_STREAM, 0), ok;
	if (fd < 0)
		return 0;
	ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)((i * 7 + i / 251) & 0xff);
}

static int is_nonblock(int fd)
{
	return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
}

static int is_cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

static void portstr(int port, char *buf, size_t len)
{
	ck_assert_int_gt(snprintf(buf, len, "%d", port), 0);
}

/* A connected pair over loopback: *srv is the accepted (non-blocking) end,
 * *cli the net_connect (blocking) end. */
static void make_pair(const char *host, int *srv, int *cli)
{
	char port[16];
	int lfd = net_listen(host, "0", 0, errbuf, sizeof errbuf);
	ck_assert_msg(lfd >= 0, "listen: %s", errbuf);
	portstr(net_local_port(lfd), port, sizeof port);
	*cli = net_connect(host, port, AF_UNSPEC, 2000, errbuf, sizeof errbuf);
	ck_assert_msg(*cli >= 0, "connect: %s", errbuf);
	ck_assert_int_eq(net_wait(lfd, POLLIN, 2000), 1);
	*srv = accept(lfd, NULL, NULL);
	ck_assert_int_ge(*srv, 0);
	close(lfd);
}

static void small_sndbuf(int fd)
{
	int sz = 32768;
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz), 0);
}

/* Reads everything from fd until EOF (or want bytes), checking the pattern. */
struct reader {
	int fd;
	size_t want;
	size_t start; /* pattern index of the first byte */
	size_t got;
	int bad;
	int slow;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	char buf[7000];
	int rounds = 0;
	while (r->got < r->want) {
		ssize_t n = read(r->fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if ((unsigned char)buf[i] != pattern(r->start + r->got + (size_t)i))
				r->bad = 1;
		r->got += (size_t)n;
		/* Now and then a pause, so the sender really meets a full buffer. */
		if (r->slow && ++rounds % 64 == 0)
			usleep(2000);
	}
	return NULL;
}

static unsigned char *big_pattern(size_t n)
{
	unsigned char *p = malloc(n);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(i);
	return p;
}

/* ---- listen / accept / connect ---- */

START_TEST(listen_connect_ipv4)
{
	char port[16], buf[8];
	int lfd = net_listen("127.0.0.1", "0", 0, errbuf, sizeof errbuf);
	ck_assert_msg(lfd >= 0, "%s", errbuf);
	ck_assert(is_nonblock(lfd));
	ck_assert(is_cloexec(lfd));
	int p = net_local_port(lfd);
	ck_assert_int_gt(p, 0);
	ck_assert_int_lt(p, 65536);

	/* nothing pending: EAGAIN, not a block (the listener is non-blocking) */
	errno = 0;
	ck_assert_int_eq(accept(lfd, NULL, NULL), -1);
	ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);

	portstr(p, port, sizeof port);
	int c = net_connect("127.0.0.1", port, AF_INET, 2000, errbuf, sizeof errbuf);
	ck_assert_msg(c >= 0, "%s", errbuf);
	ck_assert(!is_nonblock(c));
	ck_assert(is_cloexec(c));
	ck_assert_int_eq(net_wait(lfd, POLLIN, 2000), 1);
	int s = accept(lfd, NULL, NULL);
	ck_assert_int_ge(s, 0);

	ck_assert_int_eq(net_write_all(c, "ping", 4, 2000), 0);
	ck_assert_int_eq(net_wait(s, POLLIN, 2000), 1);
	ck_assert_int_eq(read(s, buf, sizeof buf), 4);
	ck_assert_int_eq(memcmp(buf, "ping", 4), 0);
	ck_assert_int_eq(net_send(s, "pong", 4), 4);
	ck_assert_int_eq(read(c, buf, sizeof buf), 4);
	ck_assert_int_eq(memcmp(buf, "pong", 4), 0);
	close(s);
	close(c);
	close(lfd);
}
END_TEST

START_TEST(listen_connect_ipv6)
{
	char port[16];
	if (!has_ipv6())
		return; /* nothing to test on a machine without IPv6 */
	int lfd = net_listen("::1", "0", 0, errbuf, sizeof errbuf);
	ck_assert_msg(lfd >= 0, "%s", errbuf);
	portstr(net_local_port(lfd), port, sizeof port);
	int c = net_connect("::1", port, AF_INET6, 2000, errbuf, sizeof errbuf);
	ck_assert_msg(c >= 0, "%s", errbuf);
	close(c);
	/* the URL form with brackets is accepted too */
	c = net_connect("[::1]", port, AF_UNSPEC, 2000, errbuf, sizeof errbuf);
	ck_assert_msg(c >= 0, "%s", errbuf);
	close(c);
	/* an IPv6 listener on ::1 does not answer on 127.0.0.1 */
	ck_assert_int_eq(net_connect("127.0.0.1", port, AF_INET, 2000, errbuf, sizeof errbuf), -1);
	close(lfd);
}
END_TEST

/* NULL and "" listen on every address, both families when there is IPv6. */
START_TEST(listen_any_dual_stack)
{
	static const char *const hosts[] = {NULL, ""};
	for (int h = 0; h < 2; h++) {
		char port[16];
		int lfd = net_listen(hosts[h], "0", 0, errbuf, sizeof errbuf);
		ck_assert_msg(lfd >= 0, "%s", errbuf);
		portstr(net_local_port(lfd), port, sizeof port);
		int c = net_connect("127.0.0.1", port, AF_INET, 2000, errbuf, sizeof errbuf);
		ck_assert_msg(c >= 0, "v4: %s", errbuf);
		close(c);
		if (has_ipv6()) {
			c = net_connect("::1", port, AF_INET6, 2000, errbuf, sizeof errbuf);
			ck_assert_msg(c >= 0, "v6: %s", errbuf);
			close(c);
		}
		for (int i = 0; i < 2; i++) {
			ck_assert_int_eq(net_wait(lfd, POLLIN, 2000), 1);
			int s = accept(lfd, NULL, NULL);
			if (s < 0)
				break;
			close(s);
		}
		close(lfd);
	}
}
END_TEST

START_TEST(listen_port_in_use_and_reuseport)
{
	char port[16];
	int a = net_listen("127.0.0.1", "0", 0, errbuf, sizeof errbuf);
	ck_assert_int_ge(a, 0);
	portstr(net_local_port(a), port, sizeof port);
	errbuf[0] = '\0';
	errno = 0;
	ck_assert_int_eq(net_listen("127.0.0.1", port, 0, errbuf, sizeof errbuf), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_msg(strstr(errbuf, port) != NULL && strstr(errbuf, "in use") != NULL, "%s",
	              errbuf);
	close(a);

	/* with NET_REUSEPORT, two listeners share one port */
	a = net_listen("127.0.0.1", "0", NET_REUSEPORT, errbuf, sizeof errbuf);
	ck_assert_int_ge(a, 0);
	portstr(net_local_port(a), port, sizeof port);
	int b = net_listen("127.0.0.1", port, NET_REUSEPORT, errbuf, sizeof errbuf);
	ck_assert_msg(b >= 0, "%s", errbuf);
	ck_assert_int_eq(net_local_port(b), net_local_port(a));
	close(b);
	close(a);
}
END_TEST

START_TEST(listen_bad_input)
{
	errbuf[0] = '\0';
	ck_assert_int_eq(net_listen("127.0.0.1", "", 0, errbuf, sizeof errbuf), -1);
	ck_assert_int_ne(errbuf[0], '\0');
	ck_assert_int_eq(net_listen("127.0.0.1", NULL, 0, NULL, 0), -1);
	errbuf[0] = '\0';
	static const char *const bad_ports[] = {"99999", "65536", "-1", "80x", " 80", "8080 "};
	for (size_t i = 0; i < sizeof bad_ports / sizeof bad_ports[0]; i++) {
		errbuf[0] = '\0';
		errno = 0;
		ck_assert_int_eq(net_listen("127.0.0.1", bad_ports[i], 0, errbuf, sizeof errbuf),
		                 -1);
		ck_assert_msg(strstr(errbuf, "port") != NULL, "%s", errbuf);
		ck_assert_int_eq(
		    net_connect("127.0.0.1", bad_ports[i], AF_UNSPEC, 500, errbuf, sizeof errbuf),
		    -1);
		ck_assert_str_eq(errbuf + strlen(errbuf) - strlen(bad_ports[i]), bad_ports[i]);
	}
	errbuf[0] = '\0';
	ck_assert_int_eq(net_listen("127.0.0.1", "no-such-service-xyz", 0, errbuf, sizeof errbuf),
	                 -1);
	ck_assert_int_ne(errbuf[0], '\0');
	/* an address this machine does not have */
	errbuf[0] = '\0';
	ck_assert_int_eq(net_listen("192.0.2.1", "0", 0, errbuf, sizeof errbuf), -1);
	ck_assert_msg(strstr(errbuf, "192.0.2.1") != NULL, "%s", errbuf);
	/* a tiny err buffer is filled, truncated, never overrun */
	char tiny[8];
	memset(tiny, 'x', sizeof tiny);
	ck_assert_int_eq(net_listen("192.0.2.1", "0", 0, tiny, 4), -1);
	ck_assert_int_eq(tiny[3], '\0');
	ck_assert_int_eq(tiny[4], 'x');
}
END_TEST

START_TEST(local_port_not_a_socket)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(net_local_port(fds[0]), -1);
	ck_assert_int_eq(net_local_port(-1), -1);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* A port that is bound but not listening answers with a reset. */
START_TEST(connect_refused)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	char port[16];
	int hold = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(hold, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(getsockname(hold, (struct sockaddr *)&a, &len), 0);
	portstr(ntohs(a.sin_port), port, sizeof port);

	errno = 0;
	ck_assert_int_eq(net_connect("127.0.0.1", port, AF_UNSPEC, 2000, errbuf, sizeof errbuf),
	                 -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_str_eq(errbuf, "connection refused");
	close(hold);
}
END_TEST

START_TEST(connect_unresolvable)
{
	/* Where DNS packets are dropped, keep the resolver's wait short (glibc
	 * reads this when it first initialises, in this forked test process). */
	setenv("RES_OPTIONS", "timeout:1 attempts:1", 1);
	errno = 0;
	ck_assert_int_eq(
	    net_connect("no-such-host.invalid", "80", AF_UNSPEC, 2000, errbuf, sizeof errbuf), -1);
	ck_assert_int_eq(errno, EHOSTUNREACH);
	ck_assert_str_eq(errbuf, "could not resolve host: no-such-host.invalid");
	ck_assert_int_eq(
	    net_connect("127.0.0.1", "no-such-service-xyz", AF_UNSPEC, 2000, errbuf, sizeof errbuf),
	    -1);
	ck_assert_int_ne(errbuf[0], '\0');
	ck_assert_int_eq(net_connect(NULL, "80", AF_UNSPEC, 2000, NULL, 0), -1);
	ck_assert_int_eq(net_connect("", "80", AF_UNSPEC, 2000, errbuf, sizeof errbuf), -1);
	ck_assert_int_eq(net_connect("127.0.0.1", "", AF_UNSPEC, 2000, errbuf, sizeof errbuf), -1);
	/* an IPv4 literal asked for as IPv6 cannot resolve */
	ck_assert_int_eq(net_connect("127.0.0.1", "80", AF_INET6, 2000, errbuf, sizeof errbuf), -1);
	ck_assert_int_eq(errno, EHOSTUNREACH);
}
END_TEST

/* A listener whose accept queue is full drops new SYNs, so a connect to it
 * stays in progress: net_connect must give up after its timeout. */
START_TEST(connect_timeout)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	char port[16];
	int fillers[16], nfill = 0, stuck = 0;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(lfd, 0), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	portstr(ntohs(a.sin_port), port, sizeof port);

	/* Fill the queue until a connect no longer completes. */
	while (nfill < 16 && !stuck) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		fillers[nfill++] = fd;
		if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
			continue;
		ck_assert_int_eq(errno, EINPROGRESS);
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		stuck = poll(&p, 1, 300) == 0;
	}
	ck_assert_msg(stuck, "could not fill the accept queue");

	long long t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(net_connect("127.0.0.1", port, AF_INET, 300, errbuf, sizeof errbuf), -1);
	long long took = now_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_str_eq(errbuf, "connection timed out");
	ck_assert_msg(took >= 250 && took < 5000, "took %lld ms", took);
	for (int i = 0; i < nfill; i++)
		close(fillers[i]);
	close(lfd);
}
END_TEST

/* ---- Happy Eyeballs order ---- */

/* {families in getaddrinfo's order, the order net_interleave must give}:
 * 6 = IPv6, 4 = IPv4; the letters number the addresses of each family. */
static const struct {
	const char *in, *want;
} interleave_cases[] = {
    {"", ""},
    {"6a", "6a"},
    {"4a", "4a"},
    {"4a4b", "4a4b"},
    {"6a6b", "6a6b"},
    {"6a4a", "6a4a"},
    {"4a6a", "6a4a"},
    {"6a6b4a4b", "6a4a6b4b"},
    {"4a4b6a6b", "6a4a6b4b"},
    {"6a6b6c4a", "6a4a6b6c"},
    {"4a4b4c6a", "6a4a4b4c"},
    {"4a6a4b6b4c", "6a4a6b4b4c"},
};

START_TEST(interleave_order)
{
	struct addrinfo nodes[8], *head = NULL, **tail = &head;
	const char *in = interleave_cases[_i].in;
	char got[32] = "";
	size_t n = strlen(in) / 2, k;

	memset(nodes, 0, sizeof nodes);
	for (k = 0; k < n; k++) {
		nodes[k].ai_family = in[2 * k] == '6' ? AF_INET6 : AF_INET;
		nodes[k].ai_protocol = in[2 * k + 1]; /* the label rides along */
		*tail = &nodes[k];
		tail = &nodes[k].ai_next;
	}
	head = net_interleave(head);
	for (k = 0; head != NULL && k < n + 1; head = head->ai_next, k++) {
		got[2 * k] = head->ai_family == AF_INET6 ? '6' : '4';
		got[2 * k + 1] = (char)head->ai_protocol;
		got[2 * k + 2] = '\0';
	}
	ck_assert_str_eq(got, interleave_cases[_i].want);
}
END_TEST

/* A real getaddrinfo list (both loopbacks) reordered, then freed: under
 * `make asan` this proves freeaddrinfo still frees every node once. */
START_TEST(interleave_real_list)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
	int before = 0, after = 0, six = 0;

	ck_assert_int_eq(getaddrinfo(NULL, "80", &hints, &res), 0);
	for (ai = res; ai != NULL; ai = ai->ai_next, before++)
		six |= ai->ai_family == AF_INET6;
	res = net_interleave(res);
	ck_assert_ptr_nonnull(res);
	if (six)
		ck_assert_int_eq(res->ai_family, AF_INET6);
	for (ai = res; ai != NULL; ai = ai->ai_next)
		after++;
	ck_assert_int_eq(after, before);
	freeaddrinfo(res);
}
END_TEST

/* ---- wait ---- */

START_TEST(wait_events)
{
	int s, c;
	make_pair("127.0.0.1", &s, &c);
	long long t0 = now_ms();
	ck_assert_int_eq(net_wait(s, POLLIN, 100), 0);
	ck_assert_int_ge(now_ms() - t0, 80);
	ck_assert_int_eq(net_wait(s, POLLOUT, 1000), 1);
	ck_assert_int_eq(net_wait(s, POLLIN, 0), 0);
	ck_assert_int_eq(write(c, "x", 1), 1);
	ck_assert_int_eq(net_wait(s, POLLIN, 2000), 1);
	close(c);
	close(s);
	/* a closed descriptor is an error, not "ready" */
	errno = 0;
	ck_assert_int_eq(net_wait(s, POLLIN, 100), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

/* ---- send / writev / sendfile ---- */

/* Nobody reads: net_send fills the buffer, returns a short count, then 0. */
START_TEST(send_until_would_block)
{
	int s, c;
	make_pair("127.0.0.1", &s, &c);
	small_sndbuf(s);
	unsigned char *data = big_pattern(BIG);
	ssize_t first = net_send(s, data, BIG);
	ck_assert_int_gt(first, 0);
	ck_assert_int_lt(first, BIG);
	ssize_t more = 0, total = first;
	for (int i = 0; i < 100 && (more = net_send(s, data + total, BIG - (size_t)total)) > 0; i++)
		total += more;
	ck_assert_int_eq(more, 0);
	ck_assert_int_eq(net_send(s, data, 0), 0);

	/* the bytes that went out are the right ones, in order */
	struct reader r = {.fd = c, .want = (size_t)total};
	reader_main(&r);
	ck_assert_uint_eq(r.got, (size_t)total);
	ck_assert_int_eq(r.bad, 0);
	free(data);
	close(s);
	close(c);
}
END_TEST

START_TEST(send_errors)
{
	int s, c;
	make_pair("127.0.0.1", &s, &c);
	close(c);
	usleep(20000);
	/* the peer is gone: an error (EPIPE or ECONNRESET) soon, never a signal */
	signal(SIGPIPE, SIG_DFL);
	ssize_t r = 0;
	for (int i = 0; i < 50 && r >= 0; i++) {
		r = net_send(s, "xxxxxxxx", 8);
		usleep(2000);
	}
	ck_assert_int_eq(r, -1);
	ck_assert(errno == EPIPE || errno == ECONNRESET);
	close(s);
	ck_assert_int_eq(net_send(s, "x", 1), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(write_all_big_through_small_buffer)
{
	static const char *const hosts[] = {"127.0.0.1", "::1"};
	for (int h = 0; h < 2; h++) {
		if (h == 1 && !has_ipv6())
			break;
		int s, c;
		pthread_t th;
		make_pair(hosts[h], &s, &c);
		small_sndbuf(s);
		unsigned char *data = big_pattern(BIG);
		struct reader r = {.fd = c, .want = BIG, .slow = 1};
		ck_assert_int_eq(pthread_create(&th, NULL, reader_main, &r), 0);
		ck_assert_int_eq(net_write_all(s, data, BIG, 5000), 0);
		ck_assert_int_eq(pthread_join(th, NULL), 0);
		ck_assert_uint_eq(r.got, BIG);
		ck_assert_int_eq(r.bad, 0);
		free(data);
		close(s);
		close(c);
	}
}
END_TEST

static void small_rcvbuf(int fd)
{
	int sz = 32768;
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz), 0);
}

/* A peer that never reads: ETIMEDOUT, on the non-blocking accepted socket and
 * on the blocking one net_connect returns. */
START_TEST(write_all_timeout)
{
	int s, c;
	make_pair("127.0.0.1", &s, &c);
	small_sndbuf(s);
	small_sndbuf(c);
	small_rcvbuf(s);
	small_rcvbuf(c);
	unsigned char *data = big_pattern(BIG);
	int fds[2] = {s, c};
	for (int i = 0; i < 2; i++) {
		long long t0 = now_ms();
		errno = 0;
		ck_assert_int_eq(net_write_all(fds[i], data, BIG, 200), -1);
		ck_assert_int_eq(errno, ETIMEDOUT);
		long long took = now_ms() - t0;
		ck_assert_msg(took >= 150 && took < 5000, "took %lld ms", took);
	}
	ck_assert(!is_nonblock(c)); /* still blocking: nothing changed its flags */
	free(data);
	close(s);
	close(c);
}
END_TEST

/* On a pipe and a regular file, too; zero bytes is a no-op. */
START_TEST(write_all_pipe_and_file)
{
	char path[] = "/tmp/check_net_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	unsigned char *data = big_pattern(BIG);
	ck_assert_int_eq(net_write_all(fd, data, BIG, 1000), 0);
	ck_assert_int_eq(net_write_all(fd, data, 0, 1000), 0);
	struct stat st;
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, BIG);
	close(fd);

	int p[2];
	pthread_t th;
	ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
	struct reader r = {.fd = p[0], .want = BIG, .slow = 1};
	ck_assert_int_eq(fcntl(p[0], F_SETFL, 0), 0); /* the reader blocks */
	ck_assert_int_eq(pthread_create(&th, NULL, reader_main, &r), 0);
	ck_assert_int_eq(net_write_all(p[1], data, BIG, 5000), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_uint_eq(r.got, BIG);
	ck_assert_int_eq(r.bad, 0);
	close(p[0]);
	close(p[1]);
	free(data);
}
END_TEST

/* SIGPIPE ignored: writing to a pipe nobody reads gives EPIPE, and the
 * process lives (checked in a child that starts with the default action). */
START_TEST(sigpipe_ignored)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int p[2];
		signal(SIGPIPE, SIG_DFL);
		net_ignore_sigpipe();
		if (pipe(p) < 0)
			_exit(2);
		close(p[0]);
		errno = 0;
		int r = net_write_all(p[1], "hello", 5, 1000);
		_exit(r == -1 && errno == EPIPE ? 0 : 3);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST


static Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("listen_connect");
	tcase_add_test(tc, listen_connect_ipv4);
	tcase_add_test(tc, listen_connect_ipv6);
	tcase_add_test(tc, listen_any_dual_stack);
	tcase_add_test(tc, listen_port_in_use_and_reuseport);
	tcase_add_test(tc, listen_bad_input);
	tcase_add_test(tc, local_port_not_a_socket);
	tcase_add_test(tc, connect_refused);
	tcase_add_test(tc, connect_timeout);
	tcase_add_test(tc, wait_events);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("interleave");
	tcase_add_loop_test(tc, interleave_order, 0,
	                    (int)(sizeof interleave_cases / sizeof interleave_cases[0]));
	tcase_add_test(tc, interleave_real_list);
	suite_add_tcase(s, tc);

	tc = tcase_create("resolve");
	tcase_add_test(tc, connect_unresolvable);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_test(tc, send_until_would_block);
	tcase_add_test(tc, send_errors);
	tcase_add_test(tc, write_all_big_through_small_buffer);
	tcase_add_test(tc, write_all_timeout);
	tcase_add_test(tc, write_all_pipe_and_file);
	tcase_add_test(tc, sigpipe_ignored);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
