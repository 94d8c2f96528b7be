/* floor.c: the "floor" reference server of the benchmark.
 *
 * A trivial single-threaded epoll server that answers every request with the
 * same fixed bytes: no parsing beyond finding the end of each request head,
 * no file system, no headers computed. What it costs per request is roughly
 * the cost of the syscalls alone (epoll_wait, read, write), which is the
 * least any real server can spend. Pipelining-aware: every complete request
 * head in one read gets its answer, and all the answers of one read leave in
 * one write.
 *
 * Usage: floor PORT [BODY_BYTES [close]]   (listens on 127.0.0.1)
 * With "close", every answer says Connection: close and the connection is
 * closed after it: the floor of a connection-per-request workload. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define FLOOR_MAX_EVENTS 256
#define FLOOR_READ_MAX 16384
#define FLOOR_BATCH_MAX 64 /* answers per write; more wait for the next round */

struct floor_conn {
	int fd;
	int tail; /* bytes of a possible "\r\n\r\n" seen at the end of the last read */
};

static char floor_resp[4096];
static size_t floor_resp_len;
static int floor_close_mode;

static int floor_listen(const char *port)
{
	char *end;
	unsigned long p = strtoul(port, &end, 10);
	if (*port == '\0' || *end != '\0' || p > 65535)
		return -1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)p) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Accepted sockets inherit both options: no setsockopt per connection. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	int defer = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4096) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Counts request heads ending in this chunk; c->tail carries a partial
 * terminator across reads so a head split anywhere is still counted once. */
static int floor_count(struct floor_conn *c, const char *b, ssize_t n)
{
	static const char term[] = "\r\n\r\n";
	int count = 0, t = c->tail;
	for (ssize_t i = 0; i < n; i++) {
		if (b[i] == term[t])
			t++;
		else
			t = (b[i] == '\r') ? 1 : 0;
		if (t == 4) {
			count++;
			t = 0;
		}
	}
	c->tail = t;
	return count;
}

/* close() alone takes the fd out of the epoll set: no EPOLL_CTL_DEL. */
static void floor_drop(struct floor_conn *c)
{
	close(c->fd);
	free(c);
}

/* Reads until EAGAIN; answers every complete head with one write per read.
 * Returns 1 when the connection is gone. */
static int floor_serve(struct floor_conn *c)
{
	char buf[FLOOR_READ_MAX];
	char out[FLOOR_BATCH_MAX * sizeof floor_resp];
	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof buf);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			floor_drop(c);
			return 1;
		}
		if (n < 0)
			return 0;
		int k = floor_count(c, buf, n);
		int answered = k > 0;
		if (floor_close_mode && k > 0)
			k = 1;
		while (k > 0) {
			int batch = k > FLOOR_BATCH_MAX ? FLOOR_BATCH_MAX : k;
			for (int i = 0; i < batch; i++)
				memcpy(out + (size_t)i * floor_resp_len, floor_resp, floor_resp_len);
			/* Loopback sockets take these few KiB at once; a short write
			 * would only drop answers of a misbehaving client. */
			if (write(c->fd, out, (size_t)batch * floor_resp_len) < 0) {
				floor_drop(c);
				return 1;
			}
			k -= batch;
		}
		if (floor_close_mode && answered) {
			floor_drop(c);
			return 1;
		}
		if ((size_t)n < sizeof buf)
			return 0; /* drained: epoll (edge-triggered) will tell us of more */
	}
}

static void floor_accept(int ep, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct floor_conn *c = calloc(1, sizeof *c);
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		/* TCP_DEFER_ACCEPT: the request is usually there already, and a
		 * connection answered and closed at once never enters epoll. */
		if (floor_serve(c))
			continue;
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = c };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: floor PORT [BODY_BYTES]\n");
		return 2;
	}
	unsigned long body = 600;
	if (argc > 2) {
		char *end;
		body = strtoul(argv[2], &end, 10);
		if (*end != '\0' || body > 2048)
			return 2;
	}
	floor_close_mode = argc > 3 && strcmp(argv[3], "close") == 0;
	int h = snprintf(floor_resp, sizeof floor_resp,
			 "HTTP/1.1 200 OK\r\nServer: floor\r\nContent-Type: text/html\r\n"
			 "Content-Length: %lu\r\n%s\r\n", body,
			 floor_close_mode ? "Connection: close\r\n" : "");
	if (h < 0 || (size_t)h + body > sizeof floor_resp)
		return 2;
	memset(floor_resp + h, 'x', body);
	floor_resp_len = (size_t)h + body;

	int lfd = floor_listen(argv[1]);
	if (lfd < 0) {
		perror("floor: listen");
		return 1;
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) {
		perror("floor: epoll");
		return 1;
	}
	struct epoll_event evs[FLOOR_MAX_EVENTS];
	for (;;) {
		int n = epoll_wait(ep, evs, FLOOR_MAX_EVENTS, -1);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				floor_accept(ep, lfd);
			else
				floor_serve(evs[i].data.ptr);
		}
	}
}
