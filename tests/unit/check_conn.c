/* check_conn: the connection state machine, driven by hand over a
 * socketpair with the real planner and a temporary root. Each test writes
 * client bytes, calls conn_event() and obeys what it asks as the loop would
 * (closing it on CONN_GONE), and reads exactly what
 * the server sent back: framing, pipelining order, limits, body draining,
 * the idle state owning no buffers, and deadlines. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn.h"

static char root[64];
static struct httpd_config cfg;
static struct accesslog alog;
static struct conn_env *srv;
static int peer;        /* the client's end */
static struct conn *cn; /* the server's end, NULL once closed */
static int cn_fd;
static enum conn_want asked; /* what cn asked for last */

/* Hands cn an event as the loop would; closes it when it asks to go. */
static void event(uint32_t events)
{
	asked = conn_event(srv, cn, events);
	if (asked == CONN_GONE) {
		conn_close(srv, cn);
		cn = NULL;
	}
}

/* The loop's once-a-second check and its shutdown, as server.c does them. */
static void tick(void)
{
	if (conn_expired(srv, cn)) {
		conn_close(srv, cn);
		cn = NULL;
	}
}

static void start_shutdown(void)
{
	srv->draining = 1;
	if (!conn_busy(cn)) {
		conn_close(srv, cn);
		cn = NULL;
	}
}

static void put_file(const char *name, const char *content, size_t n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", root, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, n), (ssize_t)n);
	close(fd);
}

static void setup(void)
{
	snprintf(root, sizeof root, "/tmp/check_conn.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	put_file("a.txt", "hello world\n", 12);
	char *big = malloc(200000);
	ck_assert_ptr_nonnull(big);
	for (int i = 0; i < 200000; i++)
		big[i] = (char)('a' + i % 26);
	put_file("big.bin", big, 200000);
	free(big);

	memset(&cfg, 0, sizeof cfg);
	cfg.root_dir = root;
	ck_assert_int_eq(path_root_open(&cfg.root, root), 0);
	cfg.index = "index.html";
	cfg.listing = 1;
	cfg.extra_headers = "";
	cfg.timeout_s = 5;
	cfg.header_timeout_s = 3;
	cfg.write_timeout_s = 5;
	cfg.max_conns = 100;
	char err[128];
	ck_assert_int_eq(accesslog_open(&alog, NULL, err, sizeof err), 0);

	srv = calloc(1, sizeof *srv);
	ck_assert_ptr_nonnull(srv);
	srv->ctx.cfg = &cfg;
	srv->ctx.now = 1700000000;
	date_format(srv->ctx.now, srv->ctx.date);
	srv->log = &alog;
	srv->clock = 1000;

	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	peer = sv[0];
	cn_fd = sv[1];
	struct sockaddr sa = {.sa_family = AF_UNIX};
	cn = conn_new(srv, cn_fd, &sa, CONN_PLAIN);
	ck_assert_ptr_nonnull(cn);
	event(EPOLLIN); /* the loop reads a new connection at once */
}

static void teardown(void)
{
	if (cn)
		conn_close(srv, cn);
	cn = NULL;
	conn_pool_free(srv);
	respond_free(&srv->ctx);
	free(srv);
	close(peer);
	path_root_close(&cfg.root);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* The conn on cn_fd, or NULL when the server closed it. */
static struct conn *live(void)
{
	return cn;
}

static void client_send(const char *s, size_t n)
{
	ck_assert_int_eq(send(peer, s, n, 0), (ssize_t)n);
}

/* Runs the server side until it waits: events as epoll would report them. */
static void serve(void)
{
	for (int i = 0; i < 1000 && live(); i++) {
		int out = asked == CONN_WANT_WRITE;
		struct pollfd p = {.fd = cn_fd, .events = out ? POLLOUT : POLLIN};
		if (poll(&p, 1, 0) <= 0)
			return;
		event(out ? EPOLLOUT : EPOLLIN);
	}
}

/* Everything the server sent so far (draining the socket while serving);
 * *closed tells whether it closed its end. Caller frees. */
static char *client_read(size_t *len, int *closed)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	ck_assert_ptr_nonnull(buf);
	*closed = 0;
	for (int idle = 0; idle < 3;) {
		serve();
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
		ssize_t r = recv(peer, buf + n, cap - n, 0);
		if (r > 0) {
			n += (size_t)r;
			idle = 0;
			continue;
		}
		if (r == 0) {
			*closed = 1;
			break;
		}
		ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
		idle++;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The status codes of every response in order, "200 404 ...". */
static void statuses(const char *buf, size_t n, char *out, size_t cap)
{
	out[0] = '\0';
	const char *p = buf, *end = buf + n;
	while (p < end) {
		const char *h = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		ck_assert_ptr_nonnull(h);
		ck_assert_int_eq(strncmp(p, "HTTP/1.1 ", 9), 0);
		size_t used = strlen(out);
		snprintf(out + used, cap - used, "%s%.3s", used ? " " : "", p + 9);
		const char *cl = memmem(p, (size_t)(h - p), "Content-Length: ", 16);
		long body = cl ? strtol(cl + 16, NULL, 10) : 0;
		if (strncmp(p + 9, "304", 3) == 0 || strncmp(p + 9, "204", 3) == 0)
			body = 0;
		p = h + 4 + body;
	}
	ck_assert_ptr_eq(p, end); /* framing adds up exactly */
}

START_TEST(simple_get_then_idle_without_buffers)
{
	const char *req = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	client_send(req, strlen(req));
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	ck_assert_int_eq(closed, 0);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 200 ", 13), 0);
	ck_assert_ptr_nonnull(strstr(got, "\r\n\r\nhello world\n"));
	ck_assert_ptr_nonnull(live());
	ck_assert_int_eq(live()->state, CONN_IDLE);
	ck_assert_ptr_null(live()->io); /* an idle connection owns no buffers */
	ck_assert_uint_le(sizeof(struct conn), 48);
	free(got);
}
END_TEST

START_TEST(pipelined_in_order_in_one_batch)
{
	char req[4096] = "";
	const char *names[] = {"/a.txt", "/big.bin", "/missing", "/a.txt", "/big.bin", "/a.txt"};
	for (size_t i = 0; i < 6; i++) {
		size_t used = strlen(req);
		snprintf(req + used, sizeof req - used, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", names[i]);
	}
	client_send(req, strlen(req));
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	char st[128];
	statuses(got, n, st, sizeof st);
	ck_assert_str_eq(st, "200 200 404 200 200 200");
	ck_assert_int_eq(closed, 0);
	free(got);
}
END_TEST

START_TEST(head_split_into_bytes)
{
	const char *req = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t len = strlen(req);
	for (size_t i = 0; i + 1 < len; i++) {
		client_send(req + i, 1);
		serve();
		char c;
		ck_assert_int_eq(recv(peer, &c, 1, 0), -1); /* nothing before the blank line */
		ck_assert_int_eq(live()->state, CONN_HEAD);
	}
	client_send(req + len - 1, 1);
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 200 ", 13), 0);
	free(got);
}
END_TEST

/* Empty lines before a request line are skipped (RFC 9112 2.2), also when
 * they trickle in a byte at a time between pipelined requests. */
START_TEST(empty_lines_before_request_skipped)
{
	const char *req = "\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
			  "\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	for (size_t i = 0; req[i] != '\0'; i++) {
		client_send(req + i, 1);
		serve();
	}
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	char st[64];
	statuses(got, n, st, sizeof st);
	ck_assert_str_eq(st, "200 200");
	ck_assert_int_eq(closed, 0);
	free(got);
}
END_TEST

/* A fault in a head arriving a byte at a time is answered once the head is
 * complete, as it would be were the head read at once. */
START_TEST(bad_head_in_bytes_400_at_its_end)
{
	const char *req = "GET /a.txt HTTP/1.1\r\nHost: x\r\nX: \x01\r\n\r\n";
	size_t len = strlen(req);
	for (size_t i = 0; i + 1 < len; i++) {
		client_send(req + i, 1);
		serve();
		ck_assert_int_eq(live()->state, CONN_HEAD);
	}
	client_send(req + len - 1, 1);
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 400 ", 13), 0);
	ck_assert_int_eq(closed, 1);
	free(got);
}
END_TEST

/* A body is dropped, never parsed as the next request. */
START_TEST(bodies_are_drained)
{
	const char *req = "POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n"
			  "GET /smuggled HTTP/1.1\r\nX: y\r\n"
			  "POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
			  "1e\r\nGET /smuggled HTTP/1.1\r\nX: y\r\n\r\n0\r\n\r\n"
			  "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	client_send(req, strlen(req));
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	char st[128];
	statuses(got, n, st, sizeof st);
	ck_assert_str_eq(st, "405 405 200");
	ck_assert_ptr_null(strstr(got, "smuggled"));
	free(got);
}
END_TEST

START_TEST(body_over_bound_413_and_close)
{
	char req[256];
	snprintf(req, sizeof req, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n",
		 HTTPD_BODY_DISCARD_MAX + 1);
	client_send(req, strlen(req));
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 413 ", 13), 0);
	ck_assert_ptr_nonnull(strstr(got, "Connection: close"));
	/* The write side is shut at once; the read side lingers for the client. */
	ck_assert_int_eq(closed, 1);
	free(got);
}
END_TEST

/* A chunked body has no length up front: refused once past the bound. */
START_TEST(chunked_over_bound_413)
{
	const char *head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
	client_send(head, strlen(head));
	static char chunk[8 + 65536 + 2];
	memcpy(chunk, "10000\r\n", 7);
	memset(chunk + 7, 'b', 65536);
	memcpy(chunk + 7 + 65536, "\r\n", 2);
	size_t total = 7 + 65536 + 2, sent = 0, want = total * 20; /* 1.3 MB of body */
	for (int spins = 0; sent < want && live() && spins < 100000; spins++) {
		ssize_t w = send(peer, chunk + sent % total, total - sent % total, 0);
		if (w > 0)
			sent += (size_t)w;
		serve();
	}
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 413 ", 13), 0);
	ck_assert_int_eq(closed, 1); /* our FIN; the read side lingers a moment */
	ck_assert(!live() || live()->state == CONN_LINGER);
	free(got);
}
END_TEST

START_TEST(limits_414_431)
{
	size_t big = HTTP_HEAD_MAX + 100;
	char *req = malloc(big + 64);
	ck_assert_ptr_nonnull(req);
	memcpy(req, "GET /", 5);
	memset(req + 5, 'a', HTTP_TARGET_MAX + 100);
	memcpy(req + 5 + HTTP_TARGET_MAX + 100, " HTTP/1.1\r\n\r\n", 13);
	client_send(req, 5 + HTTP_TARGET_MAX + 100 + 13);
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 414 ", 13), 0);
	ck_assert_int_eq(closed, 1);
	free(got);
	free(req);
}
END_TEST

START_TEST(head_too_big_431)
{
	/* A head that never ends: refused once it passes the limit. */
	char line[1024];
	memset(line, 'a', sizeof line);
	memcpy(line, "X-Pad: ", 7);
	line[sizeof line - 2] = '\r';
	line[sizeof line - 1] = '\n';
	client_send("GET / HTTP/1.1\r\n", 16);
	int closed = 0;
	char *got = NULL;
	size_t n = 0;
	for (int i = 0; i < 40 && !closed; i++) {
		if (send(peer, line, sizeof line, 0) < 0)
			break;
		free(got);
		got = client_read(&n, &closed);
		if (n)
			break;
	}
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 431 ", 13), 0);
	free(got);
}
END_TEST

START_TEST(bare_lf_400_and_close)
{
	client_send("GET /a.txt HTTP/1.1\nHost: x\n\n", 29);
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 400 ", 13), 0);
	ck_assert_int_eq(closed, 1);
	free(got);
}
END_TEST

START_TEST(expect_continue_answered_at_once)
{
	const char *req = "PUT /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
			  "Expect: 100-continue\r\n\r\n";
	client_send(req, strlen(req));
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 405 ", 13), 0);
	ck_assert_ptr_nonnull(strstr(got, "Connection: close"));
	ck_assert_ptr_null(strstr(got, "100 Continue"));
	free(got);
}
END_TEST

START_TEST(connection_close_honoured)
{
	const char *req = "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
			  "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	client_send(req, strlen(req));
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	char st[64];
	statuses(got, n, st, sizeof st);
	ck_assert_str_eq(st, "200"); /* nothing after the closing request */
	ck_assert_int_eq(closed, 1);
	free(got);
}
END_TEST

START_TEST(header_timeout_408)
{
	client_send("GET /a.txt HTTP/1.1\r\nHo", 23);
	serve();
	ck_assert_int_eq(live()->state, CONN_HEAD);
	srv->clock += (uint32_t)cfg.header_timeout_s;
	tick();
	ck_assert_ptr_nonnull(live()); /* not before the whole timeout passed */
	srv->clock += 1;
	tick();
	ck_assert_ptr_null(live());
	char buf[512];
	ssize_t r = recv(peer, buf, sizeof buf - 1, 0);
	ck_assert_int_gt(r, 12);
	ck_assert_int_eq(strncmp(buf, "HTTP/1.1 408 ", 13), 0);
}
END_TEST

START_TEST(idle_timeout_closes_quietly)
{
	client_send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 32);
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	free(got);
	ck_assert_int_eq(live()->state, CONN_IDLE);
	srv->clock += (uint32_t)cfg.timeout_s + 1;
	tick();
	ck_assert_ptr_null(live());
	char c;
	ck_assert_int_eq(recv(peer, &c, 1, 0), 0); /* EOF, no bytes */
}
END_TEST

START_TEST(shutdown_closes_idle_and_finishes_busy)
{
	client_send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 32);
	size_t n;
	int closed;
	char *got = client_read(&n, &closed);
	free(got);
	/* Shutdown while a head is half in: it is still answered, with close. */
	client_send("GET /a.txt HTTP/1.1\r\n", 21);
	serve();
	start_shutdown();
	ck_assert_ptr_nonnull(live());
	client_send("Host: x\r\n\r\n", 11);
	got = client_read(&n, &closed);
	ck_assert_int_eq(strncmp(got, "HTTP/1.1 200 ", 13), 0);
	ck_assert_ptr_nonnull(strstr(got, "Connection: close"));
	ck_assert_int_eq(closed, 1);
	free(got);
}
END_TEST

/* A client that stops reading: the write deadline closes it; progress renews it. */
START_TEST(stalled_write_times_out)
{
	int small = 4096;
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	setsockopt(cn_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	const char *req = "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n";
	client_send(req, strlen(req));
	serve();
	ck_assert_ptr_nonnull(live());
	ck_assert_int_eq(live()->state, CONN_WRITE);
	srv->clock += (uint32_t)cfg.write_timeout_s;
	tick();
	ck_assert_ptr_nonnull(live());
	/* Reading is progress: once the server could send more, its deadline moves on. */
	char buf[65536];
	uint32_t before = live()->deadline;
	for (int i = 0; i < 100 && live()->deadline == before; i++) {
		while (recv(peer, buf, sizeof buf, 0) > 0)
			;
		serve();
	}
	ck_assert_uint_gt(live()->deadline, before);
	ck_assert_int_eq(live()->state, CONN_WRITE);
	srv->clock += 1;
	tick();
	ck_assert_ptr_nonnull(live());
	srv->clock += (uint32_t)cfg.write_timeout_s + 1;
	tick();
	ck_assert_ptr_null(live());
}
END_TEST

START_TEST(peer_close_mid_head)
{
	client_send("GET /a.txt HTTP/1.1\r\n", 21);
	serve();
	ck_assert_ptr_nonnull(live());
	shutdown(peer, SHUT_WR);
	serve();
	ck_assert_ptr_null(live());
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conn");
	TCase *t = tcase_create("core");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 20);
	tcase_add_test(t, simple_get_then_idle_without_buffers);
	tcase_add_test(t, pipelined_in_order_in_one_batch);
	tcase_add_test(t, head_split_into_bytes);
	tcase_add_test(t, empty_lines_before_request_skipped);
	tcase_add_test(t, bad_head_in_bytes_400_at_its_end);
	tcase_add_test(t, bodies_are_drained);
	tcase_add_test(t, body_over_bound_413_and_close);
	tcase_add_test(t, chunked_over_bound_413);
	tcase_add_test(t, limits_414_431);
	tcase_add_test(t, head_too_big_431);
	tcase_add_test(t, bare_lf_400_and_close);
	tcase_add_test(t, expect_continue_answered_at_once);
	tcase_add_test(t, connection_close_honoured);
	tcase_add_test(t, header_timeout_408);
	tcase_add_test(t, idle_timeout_closes_quietly);
	tcase_add_test(t, shutdown_closes_idle_and_finishes_busy);
	tcase_add_test(t, stalled_write_times_out);
	tcase_add_test(t, peer_close_mid_head);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
