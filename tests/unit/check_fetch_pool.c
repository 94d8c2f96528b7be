/* check_fetch_pool: fetch/pool.c, kept connections by key, over socketpairs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pool.h"

/* A plain stream on one end of a socketpair; *peer is the other end. */
static void pair(struct fetch_stream *s, int *peer)
{
	int fds[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	ck_assert_int_eq(fetch_stream_open(s, fds[0]), 0);
	*peer = fds[1];
}

START_TEST(keys_name_origin_and_proxy)
{
	static const struct {
		const char *url, *proxy, *want;
	} cases[] = {
		{"http://h/a", NULL, "http://h:80"},
		{"https://H.example:8443/", NULL, "https://h.example:8443"},
		{"http://[::1]:81/", NULL, "http://::1:81"},
		/* Plain HTTP through a proxy: one connection for every origin. */
		{"http://a/", "http://p:3128", "proxy p:3128 "},
		{"http://b:81/x", "http://p:3128", "proxy p:3128 "},
		{"http://a/", "http://u:pw@p:3128", "proxy p:3128 Basic dTpwdw=="},
		/* A CONNECT tunnel leads to one origin. */
		{"https://a/", "http://p:3128", "https://a:443 via p:3128 "},
	};
	char key[FETCH_POOL_KEY_MAX], err[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct url u;
		struct fetch_proxy px;
		ck_assert_int_eq(url_parse(cases[i].url, &u), URL_OK);
		if (cases[i].proxy)
			ck_assert_int_eq(fetch_proxy_parse(cases[i].proxy, &px, err, sizeof(err)), 0);
		ck_assert_int_eq(fetch_pool_key(key, sizeof(key), &u, cases[i].proxy ? &px : NULL), 0);
		ck_assert_str_eq(key, cases[i].want);
	}
	ck_assert_int_eq(fetch_pool_key(key, 8, &(struct url){.host = "long.example", .port = "80"},
	                                NULL),
	                 -1);
}
END_TEST

START_TEST(take_what_was_put_for_the_key)
{
	struct fetch_pool p;
	struct fetch_stream s, got;
	int peer, fd;

	fetch_pool_init(&p);
	pair(&s, &peer);
	fd = s.fd;
	fetch_pool_put(&p, "http://a:80", &s);
	ck_assert_int_eq(s.fd, -1); /* the pool owns it now */
	ck_assert_int_eq(fetch_pool_take(&p, "http://b:80", &got), 0);
	ck_assert_int_eq(fetch_pool_take(&p, "http://a:80", &got), 1);
	ck_assert_int_eq(got.fd, fd);
	ck_assert_int_eq(fetch_pool_take(&p, "http://a:80", &got), 0); /* taken once */
	fetch_stream_close(&got);
	close(peer);
	fetch_pool_free(&p);
}
END_TEST

/* An idle connection that became readable is closed, not handed out. */
START_TEST(closed_or_chatty_connections_are_dropped)
{
	struct fetch_pool p;
	struct fetch_stream s, got;
	int peer1, peer2;

	fetch_pool_init(&p);
	pair(&s, &peer1);
	fetch_pool_put(&p, "k", &s);
	pair(&s, &peer2);
	fetch_pool_put(&p, "k", &s);
	close(peer2);                                    /* the newer one: closed */
	ck_assert_int_eq(write(peer1, "x", 1), 1);       /* the older one: bytes nobody asked for */
	ck_assert_int_eq(fetch_pool_take(&p, "k", &got), 0);
	ck_assert_uint_eq(p.n, 0);
	close(peer1);
	fetch_pool_free(&p);
}
END_TEST

START_TEST(the_oldest_goes_when_full)
{
	struct fetch_pool p;
	struct fetch_stream s, got;
	int peers[FETCH_POOL_MAX + 1];
	char key[16];

	fetch_pool_init(&p);
	for (int i = 0; i <= FETCH_POOL_MAX; i++) {
		pair(&s, &peers[i]);
		snprintf(key, sizeof(key), "k%d", i);
		fetch_pool_put(&p, key, &s);
	}
	ck_assert_uint_eq(p.n, FETCH_POOL_MAX);
	ck_assert_int_eq(fetch_pool_take(&p, "k0", &got), 0);
	ck_assert_int_eq(fetch_pool_take(&p, "k1", &got), 1);
	fetch_stream_close(&got);
	/* The evicted connection was closed: its peer reads the end. */
	char c;
	ck_assert_int_eq(read(peers[0], &c, 1), 0);
	fetch_pool_free(&p);
	ck_assert_int_eq(read(peers[FETCH_POOL_MAX], &c, 1), 0);
	for (int i = 0; i <= FETCH_POOL_MAX; i++)
		close(peers[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fetch_pool");
	TCase *t = tcase_create("core");
	tcase_add_test(t, keys_name_origin_and_proxy);
	tcase_add_test(t, take_what_was_put_for_the_key);
	tcase_add_test(t, closed_or_chatty_connections_are_dropped);
	tcase_add_test(t, the_oldest_goes_when_full);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
