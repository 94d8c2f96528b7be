/* check_tls: lib/tls over a socketpair, with certificates from tests/tls-certs.sh. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls.h"

static char certs[64]; /* made once by main, before the tests fork */

static const char *cert_path(const char *name)
{
	static char path[2][128]; /* two paths live at once: cert and key */
	static int which;
	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", certs, name);
	return path[which];
}

struct pair {
	int cfd, sfd;
	struct tls_ctx *cctx, *sctx;
	struct tls *c, *s;
	int cr, sr; /* handshake results */
};

static int pair_open(struct pair *p, const char *name, const char *host, const char *ca,
                     int no_verify)
{
	char cert[160], key[160], err[256];
	struct tls_server_opts so = {.cert_file = cert, .key_file = key};
	struct tls_client_opts co = {.ca_file = ca ? cert_path(ca) : NULL, .no_verify = no_verify};
	int fds[2];

	snprintf(cert, sizeof(cert), "%s/%s.pem", certs, name);
	snprintf(key, sizeof(key), "%s/%s.key", certs, name);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
	p->cfd = fds[0];
	p->sfd = fds[1];
	p->sctx = tls_server_ctx(&so, err, sizeof(err));
	ck_assert_msg(p->sctx != NULL, "%s", err);
	p->cctx = tls_client_ctx(&co, err, sizeof(err));
	ck_assert_msg(p->cctx != NULL, "%s", err);
	p->c = tls_client(p->cctx, p->cfd, host, err, sizeof(err));
	ck_assert_msg(p->c != NULL, "%s", err);
	p->s = tls_server(p->sctx, p->sfd, err, sizeof(err));
	ck_assert_msg(p->s != NULL, "%s", err);
	/* Contexts may go while sessions live: each holds its own reference. */
	tls_ctx_free(p->cctx);
	tls_ctx_free(p->sctx);
	p->cr = p->sr = TLS_WANT_READ;
	for (int i = 0; i < 100; i++) {
		if (p->cr != 0 && p->cr != TLS_ERROR)
			p->cr = tls_handshake(p->c);
		if (p->sr != 0 && p->sr != TLS_ERROR)
			p->sr = tls_handshake(p->s);
		if ((p->cr == 0 || p->cr == TLS_ERROR) && (p->sr == 0 || p->sr == TLS_ERROR))
			break;
	}
	return p->cr;
}

static void pair_close(struct pair *p)
{
	tls_free(p->c);
	tls_free(p->s);
	close(p->cfd);
	close(p->sfd);
}

START_TEST(server_context_refusals)
{
	static const struct {
		const char *cert, *key, *want;
	} rows[] = {
	    {"missing.pem", "server.key", "No such file"},
	    {"server.pem", "missing.key", "No such file"},
	    {"server.pem", "other.key", "does not match"},
	    {"server.pem", "rsa.key", "does not match"},
	    {"expired.pem", "expired.key", "has expired"},
	    {"server.key", "server.key", "no usable PEM certificate"},
	    {"server.pem", "server.pem", "no usable PEM private key"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char cert[160], key[160], err[256] = "";
		struct tls_server_opts so = {.cert_file = cert, .key_file = key};
		snprintf(cert, sizeof(cert), "%s/%s", certs, rows[i].cert);
		snprintf(key, sizeof(key), "%s/%s", certs, rows[i].key);
		ck_assert_ptr_null(tls_server_ctx(&so, err, sizeof(err)));
		ck_assert_msg(strstr(err, rows[i].want) && strchr(err, '\n') == NULL,
		              "%s + %s: '%s'", rows[i].cert, rows[i].key, err);
	}
}
END_TEST

START_TEST(client_context_bad_ca_file)
{
	char err[256] = "";
	struct tls_client_opts co = {.ca_file = cert_path("ca.key")};
	ck_assert_ptr_null(tls_client_ctx(&co, err, sizeof(err)));
	ck_assert_msg(strstr(err, "ca.key: cannot load CA certificates"), "%s", err);
	co.ca_file = cert_path("nothing.pem");
	ck_assert_ptr_null(tls_client_ctx(&co, err, sizeof(err)));
	ck_assert_msg(strstr(err, "nothing.pem"), "%s", err);
}
END_TEST

/* Both ways, whatever the socket buffers do: the pair is pumped by hand. */
static void exchange(struct tls *from, struct tls *to, const char *msg)
{
	char buf[64];
	ssize_t n = tls_write(from, msg, strlen(msg));
	ck_assert_int_eq(n, (ssize_t)strlen(msg));
	n = tls_read(to, buf, sizeof(buf));
	ck_assert_int_eq(n, (ssize_t)strlen(msg));
	ck_assert_int_eq(memcmp(buf, msg, (size_t)n), 0);
}

START_TEST(good_chain_ecdsa_and_rsa)
{
	static const char *const names[] = {"server", "rsa"};
	struct pair p;
	char d[128], buf[16];

	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(pair_open(&p, names[i], "localhost", "ca.pem", 0), 0);
		ck_assert_int_eq(p.sr, 0);
		tls_describe(p.c, d, sizeof(d));
		ck_assert_msg(strstr(d, "TLSv1.3") && strstr(d, "ALPN http/1.1"), "%s", d);
		ck_assert_int_eq(tls_read(p.c, buf, sizeof(buf)), TLS_WANT_READ);
		exchange(p.c, p.s, "GET / HTTP/1.1\r\n\r\n");
		exchange(p.s, p.c, "HTTP/1.1 200 OK\r\n\r\n");
		ck_assert_int_eq(tls_ktls_send(p.s), 0); /* not asked for */
		/* A clean close: close_notify, then the reader sees TLS_CLOSED. */
		ck_assert_int_eq(tls_shutdown(p.s), 0);
		ck_assert_int_eq(tls_read(p.c, buf, sizeof(buf)), TLS_CLOSED);
		pair_close(&p);
	}
}
END_TEST

START_TEST(verification_failures_are_named)
{
	static const struct {
		const char *name, *host, *ca, *want;
	} rows[] = {
	    {"wrongname", "localhost", "ca.pem",
	     "name mismatch (the certificate is not for localhost)"},
	    /* expired: tls_server_ctx refuses to serve one; tests/integration/fetch_tls.sh */
	    {"self", "localhost", "ca.pem", "self-signed certificate"},
	    {"server", "localhost", "unknown-ca.pem", "unknown issuer"},
	    {"server", "localhost", NULL, "unknown issuer"},
	    {"server", "127.0.0.2", "ca.pem",
	     "name mismatch (the certificate is not for 127.0.0.2)"},
	    {"server", "example.com", "ca.pem", "name mismatch"},
	};
	struct pair p;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ck_assert_int_eq(pair_open(&p, rows[i].name, rows[i].host, rows[i].ca, 0),
		                 TLS_ERROR);
		ck_assert_msg(tls_verify_failed(p.c), "%s: not a verify failure: %s", rows[i].name,
		              tls_error(p.c));
		ck_assert_msg(strstr(tls_error(p.c), rows[i].want), "%s: '%s'", rows[i].name,
		              tls_error(p.c));
		ck_assert_int_eq(tls_shutdown(p.c), TLS_ERROR); /* nothing clean after a failure */
		pair_close(&p);
	}
}
END_TEST

START_TEST(ip_literals_match_ip_sans)
{
	static const char *const hosts[] = {"127.0.0.1", "::1"};
	struct pair p;

	for (size_t i = 0; i < 2; i++) {
		ck_assert_msg(pair_open(&p, "server", hosts[i], "ca.pem", 0) == 0, "%s: %s",
		              hosts[i], tls_error(p.c));
		pair_close(&p);
	}
}
END_TEST

START_TEST(no_verify_accepts_anything)
{
	struct pair p;
	ck_assert_int_eq(pair_open(&p, "self", "wrong.example", NULL, 1), 0);
	exchange(p.c, p.s, "x");
	pair_close(&p);
}
END_TEST

START_TEST(eof_without_close_notify)
{
	struct pair p;
	char buf[16];

	ck_assert_int_eq(pair_open(&p, "server", "localhost", "ca.pem", 0), 0);
	ck_assert_int_eq(tls_write(p.s, "abc", 3), 3);
	shutdown(p.sfd, SHUT_WR);
	/* The bytes first, then the missing close_notify, told apart from TLS_CLOSED. */
	ck_assert_int_eq(tls_read(p.c, buf, sizeof(buf)), 3);
	ck_assert_int_eq(tls_read(p.c, buf, sizeof(buf)), TLS_EOF);
	ck_assert_str_eq(tls_error(p.c), "connection closed without TLS close_notify");
	ck_assert_int_eq(tls_verify_failed(p.c), 0);
	pair_close(&p);
}
END_TEST

START_TEST(server_sees_the_end_behind_a_request)
{
	struct pair p;
	char buf[16];

	/* close_notify right behind the bytes: read with them, reported next. */
	ck_assert_int_eq(pair_open(&p, "server", "localhost", "ca.pem", 0), 0);
	ck_assert_int_eq(tls_write(p.c, "abc", 3), 3);
	ck_assert_int_eq(tls_shutdown(p.c), 0);
	ck_assert_int_eq(tls_read(p.s, buf, sizeof(buf)), 3);
	ck_assert_int_eq(tls_end_pending(p.s), 1);
	ck_assert_int_eq(tls_read(p.s, buf, sizeof(buf)), TLS_CLOSED);
	ck_assert_int_eq(tls_end_pending(p.s), 0);
	pair_close(&p);
	/* A TCP close without close_notify: a server takes it as the end, and
	 * sends no alert to the half-closed client (OpenSSL's decode_error). */
	ck_assert_int_eq(pair_open(&p, "server", "localhost", "ca.pem", 0), 0);
	ck_assert_int_eq(tls_write(p.c, "abc", 3), 3);
	shutdown(p.cfd, SHUT_WR);
	ck_assert_int_eq(tls_read(p.s, buf, sizeof(buf)), 3);
	ck_assert_int_eq(tls_read(p.s, buf, sizeof(buf)), TLS_CLOSED);
	ck_assert_int_eq(tls_write(p.s, "ok", 2), 2);
	ck_assert_int_eq(tls_read(p.c, buf, sizeof(buf)), 2);
	ck_assert_int_eq(tls_read(p.c, buf, sizeof(buf)), TLS_WANT_READ);
	pair_close(&p);
}
END_TEST

START_TEST(handshake_eof_is_an_error)
{
	struct pair p;
	char err[256];
	struct tls_client_opts co = {.ca_file = NULL};
	struct tls_ctx *c = tls_client_ctx(&co, err, sizeof(err));
	int fds[2];
	struct tls *t;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	close(fds[1]);
	t = tls_client(c, fds[0], "localhost", err, sizeof(err));
	ck_assert_int_eq(tls_handshake(t), TLS_ERROR);
	ck_assert_msg(strlen(tls_error(t)) > 0, "no reason");
	tls_free(t);
	tls_ctx_free(c);
	close(fds[0]);
	(void)p;
}
END_TEST

START_TEST(sendfile_without_ktls)
{
	struct pair p;
	char path[] = "/tmp/check_tls.XXXXXX", got[70000], want[70000];
	int fd = mkstemp(path);
	size_t have = 0;
	off_t off = 0;

	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (char)(i * 7 + i / 251);
	ck_assert_int_eq(write(fd, want, sizeof(want)), (ssize_t)sizeof(want));
	unlink(path);
	ck_assert_int_eq(pair_open(&p, "server", "localhost", "ca.pem", 0), 0);
	while (have < sizeof(want)) {
		ssize_t n;
		if ((size_t)off < sizeof(want)) {
			n = tls_sendfile(p.s, fd, off, sizeof(want) - (size_t)off);
			ck_assert_msg(n > 0 || n == TLS_WANT_WRITE, "sendfile %zd", n);
			if (n > 0)
				off += n;
		}
		n = tls_read(p.c, got + have, sizeof(got) - have);
		ck_assert_msg(n > 0 || n == TLS_WANT_READ, "read %zd", n);
		if (n > 0)
			have += (size_t)n;
	}
	ck_assert_int_eq(memcmp(got, want, sizeof(want)), 0);
	/* Past the end of the file: an error that says so, not a hang. */
	ck_assert_int_eq(tls_sendfile(p.s, fd, off, 10), TLS_ERROR);
	ck_assert_str_eq(tls_error(p.s), "reading the file: file ended early");
	close(fd);
	pair_close(&p);
}
END_TEST

/* Records gathered into writes of many: the bytes arrive whole and in order
 * through a socket that fills, the limit on gathering sessions holds, and a
 * session that goes frees its place. */
START_TEST(gathered_records)
{
	struct pair p, q;
	static char want[300000], got[300000];
	size_t have = 0, off = 0;
	int progress = 0, flushed = TLS_WANT_WRITE;

	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (char)(i * 13 + i / 509);
	ck_assert_int_eq(pair_open(&p, "server", "localhost", "ca.pem", 0), 0);
	ck_assert_int_eq(pair_open(&q, "server", "localhost", "ca.pem", 0), 0);
	ck_assert_int_eq(tls_gather_begin(p.s, 65536, 1), 0);
	ck_assert_int_eq(tls_gather_begin(p.s, 65536, 1), -1); /* already */
	while (have < sizeof(want)) {
		ssize_t n;
		if (off < sizeof(want)) {
			n = tls_write(p.s, want + off, sizeof(want) - off);
			ck_assert_msg(n > 0 || n == TLS_WANT_WRITE, "write %zd", n);
			off += n > 0 ? (size_t)n : 0;
		} else if (flushed != 0) {
			flushed = tls_flush(p.s, &progress);
			ck_assert_msg(flushed == 0 || flushed == TLS_WANT_WRITE, "flush %d", flushed);
		}
		n = tls_read(p.c, got + have, sizeof(got) - have);
		ck_assert_msg(n > 0 || n == TLS_WANT_READ, "read %zd", n);
		have += n > 0 ? (size_t)n : 0;
	}
	ck_assert_int_eq(memcmp(got, want, sizeof(want)), 0);
	ck_assert_int_eq(progress, 1);
	ck_assert_int_eq(tls_flush(p.s, &progress), 0);
	ck_assert_int_eq(tls_gather_begin(q.s, 65536, 0), -1); /* the limit */
	tls_gather_end(p.s);
	ck_assert_int_eq(tls_gather_begin(p.s, 65536, 1), 0); /* its place came free */
	ck_assert_int_eq(tls_write(p.s, "x", 1), 1);
	pair_close(&p); /* gathering, one byte unsent: freed all the same (ASan) */
	pair_close(&q);
}
END_TEST

START_TEST(library_named)
{
	ck_assert_msg(strncmp(tls_library(), "OpenSSL 3", 9) == 0, "%s", tls_library());
}
END_TEST

int main(void)
{
	char dir[] = "/tmp/check_tls_certs.XXXXXX", cmd[256];

	signal(SIGPIPE, SIG_IGN); /* the caller's job, as with every socket */
	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	snprintf(certs, sizeof(certs), "%s", dir);
	snprintf(cmd, sizeof(cmd), "sh tests/tls-certs.sh %s", dir);
	if (system(cmd) != 0) {
		fprintf(stderr,
		        "check_tls: tests/tls-certs.sh failed (run from the repository root)\n");
		return EXIT_FAILURE;
	}
	Suite *s = suite_create("tls");
	TCase *t = tcase_create("core");
	tcase_set_timeout(t, 20);
	tcase_add_test(t, server_context_refusals);
	tcase_add_test(t, client_context_bad_ca_file);
	tcase_add_test(t, good_chain_ecdsa_and_rsa);
	tcase_add_test(t, verification_failures_are_named);
	tcase_add_test(t, ip_literals_match_ip_sans);
	tcase_add_test(t, no_verify_accepts_anything);
	tcase_add_test(t, eof_without_close_notify);
	tcase_add_test(t, server_sees_the_end_behind_a_request);
	tcase_add_test(t, handshake_eof_is_an_error);
	tcase_add_test(t, sendfile_without_ktls);
	tcase_add_test(t, gathered_records);
	tcase_add_test(t, library_named);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "check_tls: could not remove %s\n", dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
