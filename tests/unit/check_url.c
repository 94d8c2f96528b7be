/* Check suite for lib/url: table-driven parse, resolve, Host header,
 * percent-decoding and -encoding. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "url.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- url_parse ---------------------------------------------------------- */

struct parse_case {
	const char *in;
	enum url_error err;
	const char *host, *port, *target;
	int ipv6;
};

static const struct parse_case parse_good[] = {
    {"http://example.com", URL_OK, "example.com", "80", "/", 0},
    {"http://example.com/", URL_OK, "example.com", "80", "/", 0},
    {"HTTP://Example.COM/Path/File.html", URL_OK, "example.com", "80", "/Path/File.html", 0},
    {"hTtP://h/", URL_OK, "h", "80", "/", 0},
    {"https://h/", URL_OK, "h", "443", "/", 0},
    {"HTTPS://h:8443/x", URL_OK, "h", "8443", "/x", 0},
    {"https://h:/", URL_OK, "h", "443", "/", 0},
    {"example.com/a/b?c=d", URL_OK, "example.com", "80", "/a/b?c=d", 0},
    {"example.com", URL_OK, "example.com", "80", "/", 0},
    {"example.com:8080", URL_OK, "example.com", "8080", "/", 0},
    {"localhost:8080/x", URL_OK, "localhost", "8080", "/x", 0},
    {"//host/x", URL_OK, "host", "80", "/x", 0},
    {"http://127.0.0.1/", URL_OK, "127.0.0.1", "80", "/", 0},
    {"http://127.0.0.1:8080/index.html", URL_OK, "127.0.0.1", "8080", "/index.html", 0},
    {"http://h:1/", URL_OK, "h", "1", "/", 0},
    {"http://h:65535/", URL_OK, "h", "65535", "/", 0},
    {"http://h:080/", URL_OK, "h", "80", "/", 0},
    {"http://h:/", URL_OK, "h", "80", "/", 0},
    {"http://h:8080?q", URL_OK, "h", "8080", "/?q", 0},
    {"http://a-b_c.example.com./", URL_OK, "a-b_c.example.com.", "80", "/", 0},
    /* IPv6 literals: brackets dropped from host. */
    {"http://[::1]:8080/x", URL_OK, "::1", "8080", "/x", 1},
    {"http://[::1]", URL_OK, "::1", "80", "/", 1},
    {"http://[::1]:/", URL_OK, "::1", "80", "/", 1},
    {"[::1]:9/", URL_OK, "::1", "9", "/", 1},
    {"http://[2001:DB8::1]/a", URL_OK, "2001:DB8::1", "80", "/a", 1},
    {"http://[::ffff:127.0.0.1]/", URL_OK, "::ffff:127.0.0.1", "80", "/", 1},
    /* Target: fragment dropped, query kept, empty path is "/". */
    {"http://h/a?q=1#frag", URL_OK, "h", "80", "/a?q=1", 0},
    {"http://h#frag", URL_OK, "h", "80", "/", 0},
    {"http://h?x", URL_OK, "h", "80", "/?x", 0},
    {"http://h?x#y?z", URL_OK, "h", "80", "/?x", 0},
    {"http://h/a?b?c/d", URL_OK, "h", "80", "/a?b?c/d", 0},
    {"http://h/a@b", URL_OK, "h", "80", "/a@b", 0},
    {"http://h?a@b", URL_OK, "h", "80", "/?a@b", 0},
    {"http://h/[x]:y;z=1&w+v!$'()*,", URL_OK, "h", "80", "/[x]:y;z=1&w+v!$'()*,", 0},
    /* Target: existing escapes kept, unsafe bytes encoded. */
    {"http://h/a%20b", URL_OK, "h", "80", "/a%20b", 0},
    {"http://h/a%2fb%2F", URL_OK, "h", "80", "/a%2fb%2F", 0},
    {"http://h/a b", URL_OK, "h", "80", "/a%20b", 0},
    {"http://h/?a b", URL_OK, "h", "80", "/?a%20b", 0},
    {"http://h/\xc3\xa9t\xc3\xa9", URL_OK, "h", "80", "/%C3%A9t%C3%A9", 0},
    {"http://h/\"<>\\^`{|}", URL_OK, "h", "80", "/%22%3C%3E%5C%5E%60%7B%7C%7D", 0},
    {"http://h/\t\x01\x1f\x7f\xff", URL_OK, "h", "80", "/%09%01%1F%7F%FF", 0},
    /* A '%' that starts no valid escape is itself encoded. */
    {"http://h/%zz", URL_OK, "h", "80", "/%25zz", 0},
    {"http://h/100%", URL_OK, "h", "80", "/100%25", 0},
    {"http://h/%4", URL_OK, "h", "80", "/%254", 0},
    {"http://h/%4g%41", URL_OK, "h", "80", "/%254g%41", 0},
    {"http://h/?%#x", URL_OK, "h", "80", "/?%25", 0},
    /* The user's path is sent as written: no dot-segment removal. */
    {"http://h/a/../../etc/passwd", URL_OK, "h", "80", "/a/../../etc/passwd", 0},
    {"http://h/./x", URL_OK, "h", "80", "/./x", 0},
};

static const struct parse_case parse_bad[] = {
    {"", URL_EMPTY, NULL, NULL, NULL, 0},
    {"httpx://h/", URL_UNSUPPORTED_SCHEME, NULL, NULL, NULL, 0},
    {"ftp://h/", URL_UNSUPPORTED_SCHEME, NULL, NULL, NULL, 0},
    {"file:///etc/passwd", URL_UNSUPPORTED_SCHEME, NULL, NULL, NULL, 0},
    {"urn:isbn:123", URL_UNSUPPORTED_SCHEME, NULL, NULL, NULL, 0},
    {"https:x", URL_UNSUPPORTED_SCHEME, NULL, NULL, NULL, 0},
    {"git+ssh://h/", URL_UNSUPPORTED_SCHEME, NULL, NULL, NULL, 0},
    {"http:example.com", URL_BAD_HOST, NULL, NULL, NULL, 0},
    /* Userinfo. */
    {"http://user@h/", URL_USERINFO, NULL, NULL, NULL, 0},
    {"http://user:pass@h:80/", URL_USERINFO, NULL, NULL, NULL, 0},
    {"http://@h/", URL_USERINFO, NULL, NULL, NULL, 0},
    {"user:pass@h/x", URL_USERINFO, NULL, NULL, NULL, 0},
    {"u@h", URL_USERINFO, NULL, NULL, NULL, 0},
    /* Ports. */
    {"http://h:0/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://h:00000/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://h:65536/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://h:99999999999999999999999/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://h:8o/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://h:-1/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://h:+80/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://h: 80/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://h:80:90/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://[::1]:0/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://[::1]:x/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    /* Hosts. */
    {"http://", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http:///x", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://:80/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://h o/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://h%41/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://h\xc3\xa9/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://a..b/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://.a/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://./", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://h\\x/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://a:b:c/", URL_BAD_PORT, NULL, NULL, NULL, 0},
    {"http://::1/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://[::1/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://[::1]x/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://[]/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://[zz::1]/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://[127.0.0.1]/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://[fe80::1%25eth0]/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://[v1.x]/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    {"http://[1:2:3:4:5:6:7:8:9]/", URL_BAD_HOST, NULL, NULL, NULL, 0},
    /* CR and LF anywhere: header injection, never encoded away. */
    {"http://h/a\r\nX-Evil: 1", URL_BAD_CHAR, NULL, NULL, NULL, 0},
    {"http://h\n/", URL_BAD_CHAR, NULL, NULL, NULL, 0},
    {"http://h/?q=\r", URL_BAD_CHAR, NULL, NULL, NULL, 0},
};

START_TEST(parse_good_urls)
{
	const struct parse_case *c = &parse_good[_i];
	struct url u;

	memset(&u, 0x5a, sizeof u);
	ck_assert_msg(url_parse(c->in, &u) == URL_OK, "url_parse(\"%s\") failed", c->in);
	ck_assert_str_eq(u.host, c->host);
	ck_assert_str_eq(u.port, c->port);
	ck_assert_str_eq(u.target, c->target);
	ck_assert_int_eq(u.ipv6, c->ipv6);
}
END_TEST

START_TEST(parse_bad_urls)
{
	const struct parse_case *c = &parse_bad[_i];
	struct url u;
	enum url_error e = url_parse(c->in, &u);

	ck_assert_msg(e == c->err, "url_parse(\"%s\") = %d, want %d", c->in, e, c->err);
	ck_assert_ptr_nonnull(url_strerror(e));
}
END_TEST

START_TEST(parse_null_and_lengths)
{
	struct url u;
	char host[URL_HOST_MAX + 32], url[URL_TARGET_MAX + 64];
	size_t i;

	ck_assert_int_eq(url_parse(NULL, &u), URL_EMPTY);

	/* A label of 63 is fine, 64 is not. */
	memset(host, 'a', 64);
	host[64] = '\0';
	ck_assert_int_eq(url_parse(host, &u), URL_BAD_HOST);
	host[63] = '\0';
	ck_assert_int_eq(url_parse(host, &u), URL_OK);

	/* A host of exactly URL_HOST_MAX bytes fits, one more does not. */
	for (i = 0; i < URL_HOST_MAX; i++)
		host[i] = (i % 10 == 9) ? '.' : 'b';
	host[URL_HOST_MAX] = '\0';
	ck_assert_int_eq(url_parse(host, &u), URL_OK);
	ck_assert_uint_eq(strlen(u.host), URL_HOST_MAX);
	host[URL_HOST_MAX] = 'c';
	host[URL_HOST_MAX + 1] = '\0';
	ck_assert_int_eq(url_parse(host, &u), URL_TOO_LONG);

	/* A target of exactly URL_TARGET_MAX bytes fits, one more does not. */
	memcpy(url, "http://h", 8);
	memset(url + 8, '/', URL_TARGET_MAX);
	url[8 + URL_TARGET_MAX] = '\0';
	ck_assert_int_eq(url_parse(url, &u), URL_OK);
	ck_assert_uint_eq(strlen(u.target), URL_TARGET_MAX);
	url[8 + URL_TARGET_MAX] = 'x';
	url[9 + URL_TARGET_MAX] = '\0';
	ck_assert_int_eq(url_parse(url, &u), URL_TOO_LONG);

	/* Encoding counts: 3000 spaces become 9000 bytes. */
	memset(url + 8, ' ', 3000);
	url[8] = '/';
	url[8 + 3000] = '\0';
	ck_assert_int_eq(url_parse(url, &u), URL_TOO_LONG);
}
END_TEST

START_TEST(strerror_texts)
{
	struct url u;
	enum url_error e;

	for (e = URL_OK; e <= URL_BAD_CHAR; e++) {
		ck_assert_ptr_nonnull(url_strerror(e));
		ck_assert_uint_gt(strlen(url_strerror(e)), 0);
	}
	ck_assert_ptr_nonnull(url_strerror((enum url_error)999));
	ck_assert_int_eq(url_parse("gopher://example.com/", &u), URL_UNSUPPORTED_SCHEME);
	ck_assert_str_eq(url_strerror(URL_UNSUPPORTED_SCHEME), "gopher is not supported");
	ck_assert_int_eq(url_parse("FTP://example.com/", &u), URL_UNSUPPORTED_SCHEME);
	ck_assert_str_eq(url_strerror(URL_UNSUPPORTED_SCHEME), "ftp is not supported");
	ck_assert_int_eq(url_parse("urn:x", &u), URL_UNSUPPORTED_SCHEME);
	ck_assert_str_eq(url_strerror(URL_UNSUPPORTED_SCHEME), "urn is not supported");
	/* A long scheme is cut, never overflows. */
	ck_assert_int_eq(url_parse("abcdefghijklmnopqrstuvwxyz://x/", &u), URL_UNSUPPORTED_SCHEME);
	ck_assert_str_eq(url_strerror(URL_UNSUPPORTED_SCHEME), "abcdefghijklmno is not supported");
	ck_assert_ptr_nonnull(strstr(url_strerror(URL_USERINFO), "user"));
}
END_TEST

/* An input string ending right before an unreadable page: any read past
 * its NUL (or past n) crashes the test. */
static char *guarded_copy(const char *s, size_t n, void **map, size_t *maplen)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	char *base;

	*maplen = 2 * page;
	base = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(base, MAP_FAILED);
	ck_assert_int_eq(mprotect(base + page, page, PROT_NONE), 0);
	*map = base;
	memcpy(base + page - n, s, n);
	return base + page - n;
}

START_TEST(no_over_read)
{
	static const char *const tails[] = {"http://h/%", "http://h/%4", "http://[::1",
	                                    "http://h:",  "h",           "http://h/a?"};
	void *map;
	size_t maplen, i;
	struct url u;
	char out[16];

	for (i = 0; i < ARRAY_LEN(tails); i++) {
		char *s = guarded_copy(tails[i], strlen(tails[i]) + 1, &map, &maplen);
		(void)url_parse(s, &u);
		(void)url_resolve(&u, s, &u);
		munmap(map, maplen);
	}
	/* url_decode reads n bytes, not up to a NUL. */
	char *s = guarded_copy("a%4", 3, &map, &maplen);
	ck_assert_int_eq(url_decode(s, 3, out), -1);
	ck_assert_int_eq(url_decode(s, 2, out), -1);
	ck_assert_int_eq(url_decode(s, 1, out), 1);
	munmap(map, maplen);
}
END_TEST

/* ---- url_resolve -------------------------------------------------------- */

struct resolve_case {
	const char *ref;
	enum url_error err;
	const char *host, *port, *target;
};

/* RFC 3986 5.4.1 and 5.4.2 against base "http://a/b/c/d;p?q" ("g:h" is
 * another scheme, so unsupported here), then http specifics. */
static const struct resolve_case resolve_cases[] = {
    {"g:h", URL_UNSUPPORTED_SCHEME, NULL, NULL, NULL},
    {"g", URL_OK, "a", "80", "/b/c/g"},
    {"./g", URL_OK, "a", "80", "/b/c/g"},
    {"g/", URL_OK, "a", "80", "/b/c/g/"},
    {"/g", URL_OK, "a", "80", "/g"},
    {"//g", URL_OK, "g", "80", "/"},
    {"?y", URL_OK, "a", "80", "/b/c/d;p?y"},
    {"g?y", URL_OK, "a", "80", "/b/c/g?y"},
    {"#s", URL_OK, "a", "80", "/b/c/d;p?q"},
    {"g#s", URL_OK, "a", "80", "/b/c/g"},
    {"g?y#s", URL_OK, "a", "80", "/b/c/g?y"},
    {";x", URL_OK, "a", "80", "/b/c/;x"},
    {"g;x", URL_OK, "a", "80", "/b/c/g;x"},
    {"g;x?y#s", URL_OK, "a", "80", "/b/c/g;x?y"},
    {"", URL_OK, "a", "80", "/b/c/d;p?q"},
    {".", URL_OK, "a", "80", "/b/c/"},
    {"./", URL_OK, "a", "80", "/b/c/"},
    {"..", URL_OK, "a", "80", "/b/"},
    {"../", URL_OK, "a", "80", "/b/"},
    {"../g", URL_OK, "a", "80", "/b/g"},
    {"../..", URL_OK, "a", "80", "/"},
    {"../../", URL_OK, "a", "80", "/"},
    {"../../g", URL_OK, "a", "80", "/g"},
    /* 5.4.2 abnormal examples. */
    {"../../../g", URL_OK, "a", "80", "/g"},
    {"../../../../g", URL_OK, "a", "80", "/g"},
    {"/./g", URL_OK, "a", "80", "/g"},
    {"/../g", URL_OK, "a", "80", "/g"},
    {"g.", URL_OK, "a", "80", "/b/c/g."},
    {".g", URL_OK, "a", "80", "/b/c/.g"},
    {"g..", URL_OK, "a", "80", "/b/c/g.."},
    {"..g", URL_OK, "a", "80", "/b/c/..g"},
    {"./../g", URL_OK, "a", "80", "/b/g"},
    {"./g/.", URL_OK, "a", "80", "/b/c/g/"},
    {"g/./h", URL_OK, "a", "80", "/b/c/g/h"},
    {"g/../h", URL_OK, "a", "80", "/b/c/h"},
    {"g;x=1/./y", URL_OK, "a", "80", "/b/c/g;x=1/y"},
    {"g;x=1/../y", URL_OK, "a", "80", "/b/c/y"},
    {"g?y/./x", URL_OK, "a", "80", "/b/c/g?y/./x"},
    {"g?y/../x", URL_OK, "a", "80", "/b/c/g?y/../x"},
    {"g#s/./x", URL_OK, "a", "80", "/b/c/g"},
    {"g#s/../x", URL_OK, "a", "80", "/b/c/g"},
    {"http:g", URL_OK, "a", "80", "/b/c/g"}, /* the backward-compatible reading */
    /* Absolute and scheme-relative references. */
    {"http://other:8080/x/../y?z#f", URL_OK, "other", "8080", "/y?z"},
    {"HTTP://Other.Example/", URL_OK, "other.example", "80", "/"},
    {"http://[::1]:81/p", URL_OK, "::1", "81", "/p"},
    {"//[::1]/p/./q", URL_OK, "::1", "80", "/p/q"},
    {"//g/..", URL_OK, "g", "80", "/"},
    {"//g?x", URL_OK, "g", "80", "/?x"},
    {"https://a/", URL_OK, "a", "443", "/"},
    {"https://a:80/x", URL_OK, "a", "80", "/x"},
    {"https:g", URL_BAD_HOST, NULL, NULL, NULL}, /* another scheme, no host */
    {"ftp://a/", URL_UNSUPPORTED_SCHEME, NULL, NULL, NULL},
    {"javascript:alert(1)", URL_UNSUPPORTED_SCHEME, NULL, NULL, NULL},
    {"//user@g/", URL_USERINFO, NULL, NULL, NULL},
    {"http://u:p@g/", URL_USERINFO, NULL, NULL, NULL},
    {"//g:0/", URL_BAD_PORT, NULL, NULL, NULL},
    {"//", URL_BAD_HOST, NULL, NULL, NULL},
    /* Encoding of the reference; escapes (even of dots) kept as they are. */
    {"a b", URL_OK, "a", "80", "/b/c/a%20b"},
    {"/x?a b", URL_OK, "a", "80", "/x?a%20b"},
    {"?a b", URL_OK, "a", "80", "/b/c/d;p?a%20b"},
    {"/%zz", URL_OK, "a", "80", "/%25zz"},
    {"/caf\xc3\xa9", URL_OK, "a", "80", "/caf%C3%A9"},
    {"/a/%2e%2e/b", URL_OK, "a", "80", "/a/%2e%2e/b"},
    {"/x\r\nSet-Cookie: a", URL_BAD_CHAR, NULL, NULL, NULL},
};

START_TEST(resolve_vectors)
{
	const struct resolve_case *c = &resolve_cases[_i];
	struct url base, out;
	enum url_error e;

	ck_assert_int_eq(url_parse("http://a/b/c/d;p?q", &base), URL_OK);
	memset(&out, 0x5a, sizeof out);
	e = url_resolve(&base, c->ref, &out);
	ck_assert_msg(e == c->err, "url_resolve(\"%s\") = %d, want %d", c->ref, e, c->err);
	if (e != URL_OK)
		return;
	ck_assert_str_eq(out.host, c->host);
	ck_assert_str_eq(out.port, c->port);
	ck_assert_str_eq(out.target, c->target);
}
END_TEST

START_TEST(resolve_keeps_base_authority)
{
	struct url base, out;
	char big[URL_TARGET_MAX + 16];

	ck_assert_int_eq(url_parse("http://[::1]:8080/dir/page?x", &base), URL_OK);
	ck_assert_int_eq(url_resolve(&base, "other", &out), URL_OK);
	ck_assert_str_eq(out.host, "::1");
	ck_assert_str_eq(out.port, "8080");
	ck_assert_int_eq(out.ipv6, 1);
	ck_assert_str_eq(out.target, "/dir/other");
	/* An absolute reference replaces all of it. */
	ck_assert_int_eq(url_resolve(&base, "http://h/", &out), URL_OK);
	ck_assert_int_eq(out.ipv6, 0);
	ck_assert_str_eq(out.port, "80");
	/* out may be the base itself, as a redirect loop does. */
	ck_assert_int_eq(url_resolve(&base, "../up?y", &base), URL_OK);
	ck_assert_str_eq(base.host, "::1");
	ck_assert_str_eq(base.port, "8080");
	ck_assert_str_eq(base.target, "/up?y");
	ck_assert_int_eq(url_resolve(&base, "//g:81/z", &base), URL_OK);
	ck_assert_str_eq(base.host, "g");
	ck_assert_str_eq(base.target, "/z");
	/* A failed resolve leaves out untouched. */
	ck_assert_int_eq(url_resolve(&base, "ftp://x/", &base), URL_UNSUPPORTED_SCHEME);
	ck_assert_int_eq(url_resolve(&base, "//u@x/", &base), URL_USERINFO);
	ck_assert_str_eq(base.host, "g");
	ck_assert_int_eq(url_resolve(&base, NULL, &out), URL_EMPTY);
	/* Too long after merging. */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_assert_int_eq(url_resolve(&base, big, &out), URL_TOO_LONG);
	ck_assert_str_eq(base.target, "/z");
}
END_TEST

START_TEST(resolve_carries_the_scheme)
{
	struct url base, out;
	char host[64];

	ck_assert_int_eq(url_parse("https://a/b", &base), URL_OK);
	ck_assert_int_eq(base.https, 1);
	ck_assert_int_eq(url_resolve(&base, "c", &out), URL_OK);
	ck_assert_int_eq(out.https, 1);
	ck_assert_str_eq(out.port, "443");
	ck_assert_int_eq(url_resolve(&base, "//g/x", &out), URL_OK);
	ck_assert_int_eq(out.https, 1);
	ck_assert_str_eq(out.port, "443");
	ck_assert_int_eq(url_resolve(&base, "https:rel", &out), URL_OK); /* same scheme: relative */
	ck_assert_str_eq(out.target, "/rel");
	ck_assert_int_eq(url_resolve(&base, "http://a/", &out), URL_OK);
	ck_assert_int_eq(out.https, 0);
	ck_assert_str_eq(out.port, "80");
	ck_assert_int_eq(url_resolve(&out, "HTTPS://a:8443/", &out), URL_OK);
	ck_assert_int_eq(out.https, 1);
	/* The Host header leaves out the scheme's own default port only. */
	ck_assert_int_eq(url_host_header(&base, host, sizeof host), 0);
	ck_assert_str_eq(host, "a");
	ck_assert_int_eq(url_host_header(&out, host, sizeof host), 0);
	ck_assert_str_eq(host, "a:8443");
	ck_assert_int_eq(url_parse("https://a:80/", &out), URL_OK);
	ck_assert_int_eq(url_host_header(&out, host, sizeof host), 0);
	ck_assert_str_eq(host, "a:80");
}
END_TEST

/* ---- url_host_header ---------------------------------------------------- */

static const struct {
	const char *url, *host;
} host_cases[] = {
    {"http://h/", "h"},
    {"http://Example.com:80/", "example.com"},
    {"http://h:080/", "h"},
    {"http://h:8080/", "h:8080"},
    {"http://127.0.0.1:1/", "127.0.0.1:1"},
    {"http://[::1]/", "[::1]"},
    {"http://[::1]:8080/", "[::1]:8080"},
    {"http://[2001:db8::7]:80/", "[2001:db8::7]"},
};

START_TEST(host_header_forms)
{
	struct url u;
	char out[URL_HOST_MAX + 16];

	ck_assert_int_eq(url_parse(host_cases[_i].url, &u), URL_OK);
	ck_assert_int_eq(url_host_header(&u, out, sizeof out), 0);
	ck_assert_str_eq(out, host_cases[_i].host);
}
END_TEST

START_TEST(host_header_small_buffer)
{
	struct url u;
	char out[8];

	ck_assert_int_eq(url_parse("http://h:8080/", &u), URL_OK);
	ck_assert_int_eq(url_host_header(&u, out, 7), 0); /* "h:8080" + NUL */
	ck_assert_str_eq(out, "h:8080");
	ck_assert_int_eq(url_host_header(&u, out, 6), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(url_host_header(&u, out, 0), -1);
	ck_assert_int_eq(url_parse("http://[::1]:8080/", &u), URL_OK);
	ck_assert_int_eq(url_host_header(&u, out, sizeof out), -1);
}
END_TEST

/* ---- url_decode / url_encode -------------------------------------------- */

static const struct {
	const char *in;
	ssize_t len; /* -1: malformed */
	const char *out;
} decode_cases[] = {
    {"", 0, ""},
    {"abc", 3, "abc"},
    {"a%20b", 3, "a b"},
    {"%41%42%43", 3, "ABC"},
    {"%4a%4A", 2, "JJ"},
    {"%e2%82%AC", 3, "\xe2\x82\xac"},
    {"%2F%2e%2E", 3, "/.."},
    {"a+b", 3, "a+b"}, /* '+' is only a space in forms */
    {"%00x", 2, "\0x"},
    {"%25", 1, "%"},
    {"%2525", 3, "%25"}, /* decoded once, not twice */
    {"%", -1, NULL},
    {"%4", -1, NULL},
    {"a%", -1, NULL},
    {"%G1", -1, NULL},
    {"%4g", -1, NULL},
    {"%%41", -1, NULL},
    {"ok%20then%zz", -1, NULL},
    {"% 1", -1, NULL},
};

START_TEST(decode_vectors)
{
	char out[64], inplace[64];
	size_t n = strlen(decode_cases[_i].in);
	ssize_t len = url_decode(decode_cases[_i].in, n, out);

	ck_assert_int_eq(len, decode_cases[_i].len);
	if (len < 0)
		return;
	ck_assert_int_eq(memcmp(out, decode_cases[_i].out, (size_t)len), 0);
	/* In place gives the same bytes. */
	memcpy(inplace, decode_cases[_i].in, n);
	ck_assert_int_eq(url_decode(inplace, n, inplace), len);
	ck_assert_int_eq(memcmp(inplace, decode_cases[_i].out, (size_t)len), 0);
}
END_TEST

static const struct {
	const char *in;
	const char *keep;
	const char *out;
} encode_cases[] = {
    {"", NULL, ""},
    {"AZaz09-._~", NULL, "AZaz09-._~"},
    {"a b", NULL, "a%20b"},
    {"/a b/", "/", "/a%20b/"},
    {"/a b/", NULL, "%2Fa%20b%2F"},
    {"/a b/", "", "%2Fa%20b%2F"},
    {"100%", NULL, "100%25"},
    {"a?b=c&d", "/", "a%3Fb%3Dc%26d"},
    {"a?b=c&d", "?=&", "a?b=c&d"},
    {"caf\xc3\xa9", NULL, "caf%C3%A9"},
    {"\x7f\x01\"<>", NULL, "%7F%01%22%3C%3E"},
};

START_TEST(encode_vectors)
{
	struct buffer b;

	buffer_init(&b, 1024);
	ck_assert_int_eq(buffer_append_str(&b, "pre:"), 0);
	ck_assert_int_eq(
	    url_encode(&b, encode_cases[_i].in, strlen(encode_cases[_i].in), encode_cases[_i].keep),
	    0);
	ck_assert_uint_eq(b.len, 4 + strlen(encode_cases[_i].out));
	ck_assert_int_eq(memcmp(b.data, "pre:", 4), 0);
	ck_assert_int_eq(memcmp(b.data + 4, encode_cases[_i].out, b.len - 4), 0);
	buffer_free(&b);
}
END_TEST

START_TEST(encode_binary_and_limit)
{
	struct buffer b;

	buffer_init(&b, 8);
	/* NUL is data, and never matches `keep`'s terminator. */
	ck_assert_int_eq(url_encode(&b, "\0a", 2, "/"), 0);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_int_eq(memcmp(b.data, "%00a", 4), 0);
	/* Past the limit: nothing at all is appended. */
	ck_assert_int_eq(url_encode(&b, "  ", 2, NULL), -1);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_int_eq(url_encode(&b, " a", 2, NULL), 0);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_int_eq(url_encode(&b, "", 0, NULL), 0);
	ck_assert_int_eq(url_encode(&b, "a", 1, NULL), -1);
	buffer_free(&b);
}
END_TEST

START_TEST(encode_decode_round_trip)
{
	struct buffer b;
	char in[512], out[512];
	unsigned seed = 12345;
	ssize_t len;
	int round;

	buffer_init(&b, 4096);
	/* Every byte value, then pseudo-random strings. */
	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	for (round = 0; round < 200; round++) {
		size_t n = round == 0 ? 256 : (size_t)(rand_r(&seed) % (int)sizeof in);

		if (round > 0)
			for (size_t i = 0; i < n; i++)
				in[i] = (char)(rand_r(&seed) & 0xff);
		buffer_clear(&b);
		ck_assert_int_eq(url_encode(&b, in, n, round % 2 ? "/" : NULL), 0);
		/* The encoded form is plain unreserved ASCII or escapes. */
		for (size_t i = 0; i < b.len; i++)
			ck_assert(b.data[i] > 0x20 && b.data[i] < 0x7f);
		len = url_decode(b.data, b.len, out);
		ck_assert_int_eq(len, (ssize_t)n);
		ck_assert_int_eq(memcmp(in, out, n), 0);
	}
	buffer_free(&b);
}
END_TEST

/* ---- properties over random input -------------------------------------- */

static int hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* What every accepted URL must satisfy, whatever the input was. */
static void check_invariants(const struct url *u, const char *in)
{
	char hh[URL_HOST_MAX + 16], again[URL_TARGET_MAX + URL_HOST_MAX + 32];
	unsigned long port;
	char *end;
	struct url v;

	ck_assert_msg(u->host[0] != '\0', "%s: empty host", in);
	port = strtoul(u->port, &end, 10);
	ck_assert_msg(*end == '\0' && port >= 1 && port <= 65535, "%s: port %s", in, u->port);
	ck_assert_msg(u->target[0] == '/', "%s: target %s", in, u->target);
	for (const char *t = u->target; *t; t++) {
		unsigned char c = (unsigned char)*t;

		ck_assert_msg(c > 0x20 && c < 0x7f && !strchr("\"<>\\^`{|}#", c), "%s: raw 0x%02x",
		              in, c);
		if (c == '%')
			ck_assert_msg(hexdigit(t[1]) && hexdigit(t[2]), "%s: bad escape in %s", in,
			              u->target);
	}
	/* Parsing what we would send gives the same thing back. */
	ck_assert_int_eq(url_host_header(u, hh, sizeof hh), 0);
	ck_assert_int_lt(snprintf(again, sizeof again, "%s://%s%s", u->https ? "https" : "http", hh,
	                          u->target),
	                 (int)sizeof again);
	ck_assert_msg(url_parse(again, &v) == URL_OK, "%s: reparse of %s failed", in, again);
	ck_assert_str_eq(v.host, u->host);
	ck_assert_str_eq(v.port, u->port);
	ck_assert_str_eq(v.target, u->target);
	ck_assert_int_eq(v.ipv6, u->ipv6);
	ck_assert_int_eq(v.https, u->https);
}

START_TEST(random_urls_keep_invariants)
{
	static const char *const heads[] = {"http://", "HTTP://", "", "//", "https://", "http:"};
	static const char *const hosts[] = {"h", "Example.COM", "[::1]", "127.0.0.1", "a.b.", ""};
	static const char alphabet[] = "/./..?#%%4a %zG@:[]\"<>\\^`{|}~+\t\x01\x7f\x80\xff"
	                               "aZ09";
	unsigned seed = 777;
	char in[256], ref[64];
	struct url u, base, out;
	int accepted = 0;

	ck_assert_int_eq(url_parse("http://a:8080/b/c/d;p?q", &base), URL_OK);
	for (int round = 0; round < 20000; round++) {
		int n = snprintf(in, 64, "%s%s", heads[rand_r(&seed) % (int)ARRAY_LEN(heads)],
		                 hosts[rand_r(&seed) % (int)ARRAY_LEN(hosts)]);
		size_t len = (size_t)n, extra = (size_t)(rand_r(&seed) % 40);

		if (rand_r(&seed) % 3 == 0)
			len += (size_t)snprintf(in + len, 16, ":%d", rand_r(&seed) % 70000);
		for (size_t i = 0; i < extra; i++)
			in[len++] = alphabet[rand_r(&seed) % (int)(sizeof alphabet - 1)];
		in[len] = '\0';
		if (url_parse(in, &u) == URL_OK) {
			check_invariants(&u, in);
			accepted++;
		}
		/* The same bytes as a Location against a fixed base. */
		memcpy(ref, in + len - (extra < len ? extra : len),
		       (extra < len ? extra : len) + 1);
		if (url_resolve(&base, ref, &out) == URL_OK)
			check_invariants(&out, ref);
		if (url_resolve(&base, in, &out) == URL_OK)
			check_invariants(&out, in);
	}
	/* The generator must reach the interesting part. */
	ck_assert_int_gt(accepted, 1000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("url");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, parse_good_urls, 0, (int)ARRAY_LEN(parse_good));
	tcase_add_loop_test(tc, parse_bad_urls, 0, (int)ARRAY_LEN(parse_bad));
	tcase_add_test(tc, parse_null_and_lengths);
	tcase_add_test(tc, strerror_texts);
	tcase_add_test(tc, no_over_read);
	suite_add_tcase(s, tc);

	tc = tcase_create("resolve");
	tcase_add_loop_test(tc, resolve_vectors, 0, (int)ARRAY_LEN(resolve_cases));
	tcase_add_test(tc, resolve_keeps_base_authority);
	tcase_add_test(tc, resolve_carries_the_scheme);
	suite_add_tcase(s, tc);

	tc = tcase_create("host_header");
	tcase_add_loop_test(tc, host_header_forms, 0, (int)ARRAY_LEN(host_cases));
	tcase_add_test(tc, host_header_small_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("codec");
	tcase_add_loop_test(tc, decode_vectors, 0, (int)ARRAY_LEN(decode_cases));
	tcase_add_loop_test(tc, encode_vectors, 0, (int)ARRAY_LEN(encode_cases));
	tcase_add_test(tc, encode_binary_and_limit);
	tcase_add_test(tc, encode_decode_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("properties");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, random_urls_keep_invariants);
	suite_add_tcase(s, tc);

	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
