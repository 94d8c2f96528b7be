/* load.c: a minimal keep-alive load generator, cheaper per request than wrk.
 *
 * One thread, CONNS connections to 127.0.0.1:PORT, each with one GET of PATH
 * outstanding at a time (closed loop, no pipelining). Every socket is
 * registered with epoll once, level-triggered, for input only: a request is
 * one send, a response one recv (two syscalls), where wrk also spends two
 * epoll_ctl per request re-arming for output. With one client thread on one
 * CPU it can therefore drive a server harder than wrk before it becomes the
 * bottleneck itself, so the requests/s show the servers' own capacity.
 *
 * Every response must be "HTTP/1.x 200" with a Content-Length (the benchmark's
 * files are plain 200s); anything else counts as an error and ends the run.
 * Prints one line for bench.py:
 *   BENCH requests=N bytes=B duration_us=U errors=E
 *
 * Usage: load PORT PATH CONNS SECONDS */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LOAD_HEAD_MAX 4096
#define LOAD_EVENTS   256

struct load_conn {
	int fd;
	size_t head_len;   /* bytes of the response head gathered so far */
	long long body_left; /* -1 while the head is still coming */
	char head[LOAD_HEAD_MAX];
};

static char load_req[1024];
static size_t load_req_len;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load_send(struct load_conn *c)
{
	c->head_len = 0;
	c->body_left = -1;
	/* The previous request was read by the server before it answered, so
	 * the send buffer is empty: a short send would be a broken peer. */
	return send(c->fd, load_req, load_req_len, MSG_NOSIGNAL) == (ssize_t)load_req_len ? 0 : -1;
}

/* The head is complete in c->head[0..end): checks the status, takes the
 * Content-Length. 0 when fine. */
static int load_head(struct load_conn *c, size_t end)
{
	if (end < 12 || memcmp(c->head, "HTTP/1.", 7) != 0 || memcmp(c->head + 9, "200", 3) != 0)
		return -1;
	c->head[end - 1] = '\0';
	const char *p = strcasestr(c->head, "\r\ncontent-length:");
	if (!p)
		return -1;
	c->body_left = strtoll(p + 17, NULL, 10);
	return c->body_left < 0 ? -1 : 0;
}

/* Consumes n bytes of input; returns responses completed (0 or 1), -1 on error. */
static int load_input(struct load_conn *c, const char *buf, size_t n)
{
	while (n > 0) {
		if (c->body_left < 0) {
			size_t take = n < LOAD_HEAD_MAX - c->head_len ? n : LOAD_HEAD_MAX - c->head_len;
			size_t from = c->head_len >= 3 ? c->head_len - 3 : 0;
			memcpy(c->head + c->head_len, buf, take);
			c->head_len += take;
			char *e = memmem(c->head + from, c->head_len - from, "\r\n\r\n", 4);
			if (!e)
				return c->head_len == LOAD_HEAD_MAX ? -1 : 0;
			size_t end = (size_t)(e - c->head) + 4;
			size_t used = take - (c->head_len - end);
			if (load_head(c, end) < 0)
				return -1;
			buf += used;
			n -= used;
		}
		size_t eat = (long long)n < c->body_left ? n : (size_t)c->body_left;
		c->body_left -= (long long)eat;
		n -= eat;
		if (c->body_left == 0)
			return n == 0 ? 1 : -1; /* nothing may follow an answer not asked for */
	}
	return 0;
}

static int load_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: load PORT PATH CONNS SECONDS\n");
		return 2;
	}
	int port = atoi(argv[1]), nconn = atoi(argv[3]);
	double seconds = atof(argv[4]);
	load_req_len = (size_t)snprintf(load_req, sizeof load_req,
					"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", argv[2], port);
	struct load_conn *conns = calloc((size_t)nconn, sizeof *conns);
	int ep = epoll_create1(0);
	if (!conns || ep < 0 || nconn <= 0 || seconds <= 0)
		return 2;
	for (int i = 0; i < nconn; i++) {
		conns[i].fd = load_connect(port);
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &conns[i] };
		if (conns[i].fd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) < 0) {
			fprintf(stderr, "load: connect: %s\n", strerror(errno));
			return 1;
		}
	}
	long long done = 0, bytes = 0, errors = 0;
	static char buf[65536];
	double start = now(), stop = start + seconds, t = start;
	for (int i = 0; i < nconn; i++)
		if (load_send(&conns[i]) < 0)
			errors++;
	while (!errors && t < stop) {
		struct epoll_event evs[LOAD_EVENTS];
		int n = epoll_wait(ep, evs, LOAD_EVENTS, 100);
		for (int i = 0; i < n; i++) {
			struct load_conn *c = evs[i].data.ptr;
			ssize_t got = recv(c->fd, buf, sizeof buf, 0);
			int r = got > 0 ? load_input(c, buf, (size_t)got) : -1;
			if (r < 0 || (r == 1 && load_send(c) < 0)) {
				errors++;
				break;
			}
			done += r;
			bytes += got;
		}
		t = now();
	}
	printf("BENCH requests=%lld bytes=%lld duration_us=%.0f errors=%lld\n", done, bytes,
	       (t - start) * 1e6, errors);
	return errors ? 1 : 0;
}
