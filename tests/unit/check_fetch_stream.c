/* check_fetch_stream: fetch's connection layer, plain and TLS, over socketpairs. */
#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stream.h"
#include "tls.h"

static char certs[64]; /* made once by main, before the tests fork */

START_TEST(plain_reads_writes_and_ends)
{
	struct fetch_stream s;
	int fds[2];
	char buf[16];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	ck_assert_int_eq(fetch_stream_open(&s, fds[0]), 0);
	ck_assert(s.tls == NULL);
	ck_assert_int_eq(fetch_stream_handshake(&s), 0);
	/* Non-blocking from now on: nothing there is AGAIN with POLLIN wanted. */
	ck_assert_int_eq(fetch_stream_read(&s, buf, sizeof(buf)), FETCH_STREAM_AGAIN);
	ck_assert_int_eq(s.want, POLLIN);
	ck_assert_int_eq(fetch_stream_write(&s, "req", 3), 3);
	ck_assert_int_eq(read(fds[1], buf, sizeof(buf)), 3);
	ck_assert_int_eq(write(fds[1], "answer", 6), 6);
	close(fds[1]);
	ck_assert_int_eq(fetch_stream_read(&s, buf, sizeof(buf)), 6);
	ck_assert_int_eq(fetch_stream_read(&s, buf, sizeof(buf)), 0);
	ck_assert_int_eq(s.truncated, 0);
	ck_assert_int_eq(fetch_stream_write(&s, "x", 1), FETCH_STREAM_ERROR);
	ck_assert_uint_gt(strlen(s.error), 0);
	fetch_stream_close(&s);
	ck_assert_int_eq(s.fd, -1);
}
END_TEST

struct peer {
	struct fetch_stream s;
	struct tls *srv;
	int sfd;
};

/* A TLS server session on one end, the stream as its client on the other. */
static int peer_open(struct peer *p, const char *name, const char *host)
{
	char cert[128], key[128], ca[128], err[256];
	struct tls_server_opts so = {.cert_file = cert, .key_file = key};
	struct tls_client_opts co = {.ca_file = ca};
	struct tls_ctx *sc, *cc;
	int fds[2], cr = FETCH_STREAM_AGAIN, sr = TLS_WANT_READ;

	snprintf(cert, sizeof(cert), "%s/%s.pem", certs, name);
	snprintf(key, sizeof(key), "%s/%s.key", certs, name);
	snprintf(ca, sizeof(ca), "%s/ca.pem", certs);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
	p->sfd = fds[1];
	sc = tls_server_ctx(&so, err, sizeof(err));
	cc = tls_client_ctx(&co, err, sizeof(err));
	ck_assert_msg(sc && cc, "%s", err);
	ck_assert_int_eq(fetch_stream_open(&p->s, fds[0]), 0);
	ck_assert_int_eq(fetch_stream_start_tls(&p->s, cc, host), 0);
	ck_assert(p->s.tls != NULL);
	p->srv = tls_server(sc, p->sfd, err, sizeof(err));
	tls_ctx_free(sc);
	tls_ctx_free(cc);
	for (int i = 0; i < 100 && (cr == FETCH_STREAM_AGAIN || (sr != 0 && sr != TLS_ERROR));
	     i++) {
		if (cr == FETCH_STREAM_AGAIN)
			cr = fetch_stream_handshake(&p->s);
		if (sr != 0 && sr != TLS_ERROR)
			sr = tls_handshake(p->srv);
	}
	return cr;
}

static void peer_close(struct peer *p)
{
	fetch_stream_close(&p->s);
	tls_free(p->srv);
	close(p->sfd);
}

START_TEST(tls_clean_end_and_truncation)
{
	struct peer p;
	char buf[64];

	for (int cut = 0; cut < 2; cut++) {
		ck_assert_int_eq(peer_open(&p, "server", "localhost"), 0);
		ck_assert_int_eq(fetch_stream_write(&p.s, "GET", 3), 3);
		ck_assert_int_eq(tls_read(p.srv, buf, sizeof(buf)), 3);
		ck_assert_int_eq(tls_write(p.srv, "body", 4), 4);
		if (cut)
			shutdown(p.sfd, SHUT_WR); /* no close_notify */
		else
			ck_assert_int_eq(tls_shutdown(p.srv), 0);
		ck_assert_int_eq(fetch_stream_read(&p.s, buf, sizeof(buf)), 4);
		ck_assert_int_eq(fetch_stream_read(&p.s, buf, sizeof(buf)), 0);
		ck_assert_int_eq(p.s.truncated, cut);
		peer_close(&p);
	}
}
END_TEST

START_TEST(tls_verify_failure_is_flagged)
{
	struct peer p;

	ck_assert_int_eq(peer_open(&p, "wrongname", "localhost"), FETCH_STREAM_ERROR);
	ck_assert_int_eq(p.s.verify_failed, 1);
	ck_assert_msg(strstr(p.s.error, "name mismatch"), "%s", p.s.error);
	peer_close(&p);
}
END_TEST

int main(void)
{
	char dir[] = "/tmp/check_fetch_stream.XXXXXX", cmd[256];

	signal(SIGPIPE, SIG_IGN); /* main.c's net_ignore_sigpipe() in fetch */
	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	snprintf(certs, sizeof(certs), "%s", dir);
	snprintf(cmd, sizeof(cmd), "sh tests/tls-certs.sh %s", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "check_fetch_stream: tests/tls-certs.sh failed (run from the "
		                "repository root)\n");
		return EXIT_FAILURE;
	}
	Suite *s = suite_create("fetch_stream");
	TCase *t = tcase_create("core");
	tcase_set_timeout(t, 20);
	tcase_add_test(t, plain_reads_writes_and_ends);
	tcase_add_test(t, tls_clean_end_and_truncation);
	tcase_add_test(t, tls_verify_failure_is_flagged);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "check_fetch_stream: could not remove %s\n", dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
