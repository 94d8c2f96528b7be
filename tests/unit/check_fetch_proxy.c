/* check_fetch_proxy: proxy URLs, no_proxy matching, what a proxy is sent. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "request.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *in, *host, *port, *auth;
} parse_good[] = {
    {"http://proxy:3128", "proxy", "3128", ""},
    {"http://proxy:3128/", "proxy", "3128", ""},
    {"proxy", "proxy", "1080", ""},
    {"HTTP://Proxy.Example", "proxy.example", "1080", ""},
    {"http://[::1]:8888", "::1", "8888", ""},
    {"[::1]", "::1", "1080", ""},
    {"http://user:pass@p:1", "p", "1", "Basic dXNlcjpwYXNz"},
    {"http://user@p:1", "p", "1", "Basic dXNlcjo="},
    {"http://us%3Aer:p%40ss@p:1", "p", "1", "Basic dXM6ZXI6cEBzcw=="},
    {"http://a:b@[::1]:2", "::1", "2", "Basic YTpi"},
};

START_TEST(parse_vectors)
{
	struct fetch_proxy p;
	char err[128];

	for (size_t i = 0; i < ARRAY_LEN(parse_good); i++) {
		ck_assert_msg(fetch_proxy_parse(parse_good[i].in, &p, err, sizeof(err)) == 0,
		              "%s: %s", parse_good[i].in, err);
		ck_assert_str_eq(p.url.host, parse_good[i].host);
		ck_assert_str_eq(p.url.port, parse_good[i].port);
		ck_assert_str_eq(p.auth, parse_good[i].auth);
	}
	ck_assert_int_eq(fetch_proxy_parse("https://p:1", &p, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "only http:// proxies"));
	ck_assert_int_eq(fetch_proxy_parse("socks5://p:1", &p, err, sizeof(err)), -1);
	ck_assert_int_eq(fetch_proxy_parse("http://p:99999", &p, err, sizeof(err)), -1);
	ck_assert_int_eq(fetch_proxy_parse("http://", &p, err, sizeof(err)), -1);
	ck_assert_int_eq(fetch_proxy_parse("http://u:%zz@p", &p, err, sizeof(err)), -1);
}
END_TEST

static const struct {
	const char *no_proxy, *url;
	int bypass;
} bypass_cases[] = {
    {NULL, "http://a.example/", 0},
    {"", "http://a.example/", 0},
    {"*", "http://a.example/", 1},
    {"example", "http://a.example/", 1},
    {"a.example", "http://a.example/", 1},
    {".example", "http://a.example/", 1},
    {"EXAMPLE.", "http://a.example/", 1},
    {"example", "http://a.example./", 1},
    {"xample", "http://a.example/", 0},
    {"b.a.example", "http://a.example/", 0},
    {"other, a.example", "http://a.example/", 1},
    {"other,,\ta.example ", "http://a.example/", 1},
    {"a.example:8080", "http://a.example:8080/", 1},
    {"a.example:8080", "http://a.example/", 0},
    {"a.example:80", "http://a.example/", 1},
    {"a.example:443", "https://a.example/", 1},
    {"127.0.0.1", "http://127.0.0.1:9/", 1},
    {"127.0.0.1:9", "http://127.0.0.1:9/", 1},
    {"127.0.0.1:8", "http://127.0.0.1:9/", 0},
    {"0.0.1", "http://127.0.0.1/", 1}, /* suffix rules are textual, as curl's */
    {"::1", "http://[::1]:9/", 1},
    {"[::1]", "http://[::1]:9/", 1},
    {"[::1]:9", "http://[::1]:9/", 1},
    {"[::1]:8", "http://[::1]:9/", 0},
};

START_TEST(bypass_vectors)
{
	struct url u;

	for (size_t i = 0; i < ARRAY_LEN(bypass_cases); i++) {
		ck_assert_int_eq(url_parse(bypass_cases[i].url, &u), URL_OK);
		ck_assert_msg(fetch_proxy_bypass(bypass_cases[i].no_proxy, &u) ==
		                  bypass_cases[i].bypass,
		              "no_proxy '%s' for %s: want %d", bypass_cases[i].no_proxy,
		              bypass_cases[i].url, bypass_cases[i].bypass);
	}
}
END_TEST

/* The buffer holds exactly want (its bytes are not NUL-terminated). */
static void check_bytes(const struct buffer *b, const char *want)
{
	ck_assert_msg(b->len == strlen(want) && memcmp(b->data, want, b->len) == 0, "got '%.*s'",
	              (int)b->len, b->data);
}

START_TEST(connect_and_absolute_requests)
{
	struct fetch_proxy p;
	struct url u;
	struct buffer b;
	char err[64];
	struct fetch_request rq = {
	    .url = &u, .range_from = -1, .if_modified_since = -1, .absolute = 1};

	buffer_init(&b, 4096);
	ck_assert_int_eq(fetch_proxy_parse("http://a:b@proxy:3128", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(url_parse("https://[::1]/x", &u), URL_OK);
	ck_assert_int_eq(fetch_proxy_connect_request(&b, &u, &p), 0);
	check_bytes(&b, "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n"
	                "Proxy-Authorization: Basic YTpi\r\n\r\n");
	ck_assert_int_eq(fetch_proxy_parse("proxy", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(url_parse("https://h:8443/x", &u), URL_OK);
	ck_assert_int_eq(fetch_proxy_connect_request(&b, &u, &p), 0);
	check_bytes(&b, "CONNECT h:8443 HTTP/1.1\r\nHost: h:8443\r\n\r\n");
	/* Plain HTTP to a proxy: absolute-form, its credentials in the head. */
	ck_assert_int_eq(url_parse("http://h/p?q", &u), URL_OK);
	rq.user_agent = "t";
	rq.proxy_auth = "Basic YTpi";
	ck_assert_int_eq(fetch_request_build(&b, &rq), 0);
	check_bytes(&b, "GET http://h/p?q HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\n"
	                "Accept: */*\r\nProxy-Authorization: Basic YTpi\r\n\r\n");
	buffer_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fetch_proxy");
	TCase *t = tcase_create("core");
	tcase_add_test(t, parse_vectors);
	tcase_add_test(t, bypass_vectors);
	tcase_add_test(t, connect_and_absolute_requests);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
