/* check_respond: the planner against a real temporary root. Requests go
 * through lib/http's parser, as in the server; responses are checked byte
 * for byte where it matters (status line, headers, body, file ranges). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filecache.h"
#include "httpd.h"

/* Fixture files get this mtime, never "now": Wed, 01 Jan 2025 03:25:45 GMT.
 * The planner's clock (ctx.now) is set by the tests, a month later. */
#define MTIME ((time_t)1735701945)
#define DAY ((time_t)86400)

static char root[64];
static struct httpd_config cfg;
static struct httpd_ctx ctx;

/* What one request produced. */
struct result {
	int rc;
	struct response r;
	char *text;  /* head + inline body, NUL-terminated */
	size_t len;
	char *body;  /* inline body, or the file range read from r.fd */
	size_t body_len;
};

static void set_mtime(const char *name, time_t t)
{
	char path[256];
	struct timespec ts[2] = {{t, 0}, {t, 0}};

	snprintf(path, sizeof(path), "%s/%s", root, name);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void set_now(time_t t)
{
	ctx.now = t;
	date_format(t, ctx.date);
	ctx.mono_ns += 2 * FILECACHE_FRESH_NS; /* the cache looks at the files again */
}

static void put_file(const char *name, const char *content, size_t n)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, n), (ssize_t)n);
	close(fd);
	set_mtime(name, MTIME);
}

static void put_dir(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void setup(void)
{
	char path[256], *big;

	snprintf(root, sizeof(root), "/tmp/check_respond.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	put_file("index.html", "<h1>home</h1>\n", 14);
	put_file("hello.txt", "hello world\n", 12);
	put_file("style.css", "body{}\n", 7);
	put_file("style.css.gz", "GZDATA", 6);
	put_file(".secret", "s", 1);
	put_dir("dir");
	put_file("dir/x&y.txt", "xy", 2);
	put_dir("sub");
	put_file("sub/index.html", "sub index", 9);
	put_dir(".well-known");
	put_file(".well-known/acme.txt", "acme", 4);
	big = malloc(100000);
	ck_assert_ptr_nonnull(big);
	for (int i = 0; i < 100000; i++)
		big[i] = (char)('a' + i % 26);
	put_file("big.bin", big, 100000);
	free(big);
	snprintf(path, sizeof(path), "%s/link-out", root);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/link-in", root);
	ck_assert_int_eq(symlink("hello.txt", path), 0);
	snprintf(path, sizeof(path), "%s/fifo", root);
	ck_assert_int_eq(mkfifo(path, 0644), 0);

	memset(&cfg, 0, sizeof(cfg));
	cfg.root_dir = root;
	ck_assert_int_eq(path_root_open(&cfg.root, root), 0);
	cfg.index = "index.html";
	cfg.listing = 1;
	cfg.extra_headers = "X-Extra: 1\r\n";
	cfg.extra_headers_len = strlen(cfg.extra_headers);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	set_now(MTIME + 30 * DAY);
}

static void teardown(void)
{
	char cmd[128];

	filecache_free(ctx.cache);
	ctx.cache = NULL;
	path_root_close(&cfg.root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* Parses raw with lib/http and plans the answer into a fresh buffer. */
static struct result plan_limit(const char *raw, size_t limit)
{
	struct result res;
	struct http_msg m;
	struct buffer out;
	size_t used;
	enum http_feed f;
	char *hdr_end;

	memset(&res, 0, sizeof(res));
	http_msg_init(&m, HTTP_REQUEST);
	f = http_msg_feed(&m, raw, strlen(raw), &used);
	ck_assert_msg(f == HTTP_HEAD_DONE, "request did not parse: %s", raw);
	buffer_init(&out, limit);
	res.rc = respond(&ctx, &m.head, &out, &res.r);
	http_msg_free(&m);
	res.len = out.len;
	res.text = malloc(out.len + 1);
	ck_assert_ptr_nonnull(res.text);
	if (out.len)
		memcpy(res.text, out.data, out.len);
	res.text[out.len] = '\0';
	buffer_free(&out);
	hdr_end = strstr(res.text, "\r\n\r\n");
	if (res.r.fd >= 0) {
		res.body_len = (size_t)res.r.len;
		res.body = malloc(res.body_len + 1);
		ck_assert_ptr_nonnull(res.body);
		ck_assert_int_eq(pread(res.r.fd, res.body, res.body_len, res.r.off),
				 (ssize_t)res.body_len);
		respond_file_done(res.r.fd, res.r.fd_ref);
	} else if (hdr_end != NULL) {
		res.body_len = res.len - (size_t)(hdr_end + 4 - res.text);
		res.body = malloc(res.body_len + 1);
		ck_assert_ptr_nonnull(res.body);
		memcpy(res.body, hdr_end + 4, res.body_len);
	} else {
		res.body = malloc(1);
	}
	res.body[res.body_len] = '\0';
	return res;
}

static struct result plan(const char *raw)
{
	return plan_limit(raw, 1 << 20);
}

static void result_free(struct result *res)
{
	free(res->text);
	free(res->body);
}

/* Whether the head has this exact header line. */
static int has(const struct result *res, const char *line)
{
	char want[512];
	const char *end = strstr(res->text, "\r\n\r\n");
	const char *hit;

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	hit = strstr(res->text, want);
	return hit != NULL && end != NULL && hit <= end;
}

static int has_name(const struct result *res, const char *name)
{
	char want[128];
	const char *end = strstr(res->text, "\r\n\r\n");
	const char *hit;

	snprintf(want, sizeof(want), "\r\n%s:", name);
	hit = strstr(res->text, want);
	return hit != NULL && end != NULL && hit < end;
}

static int status_is(const struct result *res, int code)
{
	char line[32];

	snprintf(line, sizeof(line), "HTTP/1.1 %d ", code);
	return res->rc == 0 && res->r.status == code && strncmp(res->text, line, strlen(line)) == 0;
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: t\r\n\r\n"

START_TEST(test_get_file)
{
	struct result res = plan(GET("/hello.txt"));
	char date[64];

	ck_assert_msg(status_is(&res, 200), "%s", res.text);
	ck_assert(has(&res, "Content-Length: 12"));
	ck_assert(has(&res, "Server: httpd/" HTTPD_VERSION));
	snprintf(date, sizeof(date), "Date: %s", ctx.date);
	ck_assert(has(&res, date));
	ck_assert(has_name(&res, "Content-Type"));
	ck_assert(has_name(&res, "Last-Modified"));
	ck_assert(has_name(&res, "ETag"));
	ck_assert(has(&res, "Accept-Ranges: bytes"));
	ck_assert(has(&res, "X-Extra: 1"));
	ck_assert(!has_name(&res, "Connection"));
	ck_assert(!has_name(&res, "Vary"));
	ck_assert_str_eq(res.body, "hello world\n");
	ck_assert_int_eq(res.r.body_len, 12);
	ck_assert_int_eq(res.r.close, 0);
	result_free(&res);
	/* Again: now from the cache, the same answer. */
	res = plan(GET("/hello.txt"));
	ck_assert(status_is(&res, 200));
	ck_assert_str_eq(res.body, "hello world\n");
	ck_assert_int_eq(res.r.fd, -1);
	result_free(&res);
}
END_TEST

START_TEST(test_head)
{
	struct result get = plan(GET("/hello.txt"));
	struct result res = plan("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");

	ck_assert(status_is(&res, 200));
	ck_assert(has(&res, "Content-Length: 12"));
	ck_assert_uint_eq(res.body_len, 0);
	ck_assert_int_eq(res.r.fd, -1);
	ck_assert_int_eq(res.r.body_len, 0);
	/* The same head as GET's. */
	ck_assert_uint_eq(res.len, get.len - get.body_len);
	ck_assert_int_eq(memcmp(res.text, get.text, res.len), 0);
	result_free(&res);
	result_free(&get);
	res = plan("HEAD /big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert(has(&res, "Content-Length: 100000"));
	ck_assert_int_eq(res.r.fd, -1);
	result_free(&res);
	res = plan("HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert(status_is(&res, 404));
	ck_assert(has_name(&res, "Content-Length"));
	ck_assert_uint_eq(res.body_len, 0);
	result_free(&res);
}
END_TEST

START_TEST(test_big_file_by_fd)
{
	struct result res = plan(GET("/big.bin"));

	ck_assert(status_is(&res, 200));
	ck_assert(has(&res, "Content-Length: 100000"));
	ck_assert(has(&res, "Content-Type: application/octet-stream"));
	ck_assert_int_ge(res.r.fd, 0);
	ck_assert_int_eq(res.r.off, 0);
	ck_assert_int_eq(res.r.len, 100000);
	ck_assert_int_eq(res.body[99999], 'a' + 99999 % 26);
	result_free(&res);
	res = plan("GET /big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=-10\r\n\r\n");
	ck_assert(status_is(&res, 206));
	ck_assert(has(&res, "Content-Range: bytes 99990-99999/100000"));
	ck_assert(has(&res, "Content-Length: 10"));
	ck_assert_int_eq(res.r.off, 99990);
	ck_assert_int_eq(res.r.len, 10);
	result_free(&res);
}
END_TEST

START_TEST(test_index_and_redirect)
{
	struct result res = plan(GET("/"));

	ck_assert(status_is(&res, 200));
	ck_assert_str_eq(res.body, "<h1>home</h1>\n");
	ck_assert(has(&res, "Content-Type: text/html; charset=utf-8"));
	result_free(&res);
	res = plan(GET("/sub/"));
	ck_assert_str_eq(res.body, "sub index");
	result_free(&res);
	res = plan(GET("/sub"));
	ck_assert(status_is(&res, 301));
	ck_assert(has(&res, "Location: /sub/"));
	ck_assert(has(&res, "Content-Length: 0"));
	result_free(&res);
	res = plan(GET("/sub?a=1&b=%20"));
	ck_assert(has(&res, "Location: /sub/?a=1&b=%20"));
	result_free(&res);
	res = plan(GET("/./dir/../sub"));
	ck_assert(has(&res, "Location: /sub/"));
	result_free(&res);
	/* The path ends at the first '?' or '#'; the query at a '#'. */
	static const struct {
		const char *raw, *location;
	} targets[] = {
		{GET("/sub#x"), "Location: /sub/"},
		{GET("/sub#x?y"), "Location: /sub/"},
		{GET("/sub?a#b?c"), "Location: /sub/?a"},
		{GET("/sub?#b"), "Location: /sub/?"},
		{GET("//sub"), "Location: /sub/"},
		{GET("/dir/.?q"), NULL}, /* "/dir/." is "/dir/": no redirect */
		{"GET http://t/sub?q#f HTTP/1.1\r\nHost: t\r\n\r\n", "Location: /sub/?q"},
		{"GET https://t/#f HTTP/1.1\r\nHost: t\r\n\r\n", NULL},
	};
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		res = plan(targets[i].raw);
		if (targets[i].location != NULL)
			ck_assert_msg(has(&res, targets[i].location), "%s -> %s", targets[i].raw, res.text);
		else
			ck_assert_msg(status_is(&res, 200), "%s -> %s", targets[i].raw, res.text);
		result_free(&res);
	}
	res = plan(GET("/hello.txt?x#y"));
	ck_assert_str_eq(res.body, "hello world\n");
	result_free(&res);
	/* index served twice (second from the cache) */
	res = plan(GET("/"));
	ck_assert_str_eq(res.body, "<h1>home</h1>\n");
	result_free(&res);
}
END_TEST

START_TEST(test_listing)
{
	struct result res = plan(GET("/dir/"));

	ck_assert(status_is(&res, 200));
	ck_assert(has(&res, "Content-Type: text/html; charset=utf-8"));
	ck_assert_ptr_nonnull(strstr(res.body, "href=\"x%26y.txt\">x&amp;y.txt</a>"));
	ck_assert_int_eq(res.r.body_len, (off_t)res.body_len);
	result_free(&res);
	res = plan(GET("/"));
	ck_assert_str_eq(res.body, "<h1>home</h1>\n");
	result_free(&res);
	cfg.listing = 0;
	res = plan(GET("/dir/"));
	ck_assert(status_is(&res, 404));
	result_free(&res);
}
END_TEST

START_TEST(test_listing_sorted_and_json)
{
	struct result res;

	put_file("dir/big.txt", "0123456789", 10);
	res = plan(GET("/dir/?sort=size&order=desc"));
	ck_assert(status_is(&res, 200));
	ck_assert(has(&res, "Vary: Accept"));
	ck_assert(strstr(res.body, ">big.txt<") < strstr(res.body, ">x&amp;y.txt<"));
	result_free(&res);
	res = plan("GET /dir/ HTTP/1.1\r\nHost: t\r\nAccept: text/html, application/json\r\n\r\n");
	ck_assert(status_is(&res, 200));
	ck_assert(has(&res, "Content-Type: application/json"));
	ck_assert(has(&res, "Vary: Accept"));
	ck_assert_msg(strncmp(res.body, "[\n{\"name\":\"big.txt\",", 20) == 0, "%s", res.body);
	ck_assert_int_eq(res.r.body_len, (off_t)res.body_len);
	result_free(&res);
	/* Refused with q=0, and not implied by wildcards: HTML. */
	static const char *const html[] = {"application/json;q=0", "application/json; q=0.0",
					   "*/*", "application/*", "application/jsonx"};
	for (size_t i = 0; i < sizeof(html) / sizeof(html[0]); i++) {
		char raw[256];
		snprintf(raw, sizeof(raw), "GET /dir/ HTTP/1.1\r\nHost: t\r\nAccept: %s\r\n\r\n",
			 html[i]);
		res = plan(raw);
		ck_assert_msg(has(&res, "Content-Type: text/html; charset=utf-8"), "%s", html[i]);
		result_free(&res);
	}
	res = plan("GET /dir/ HTTP/1.1\r\nHost: t\r\nAccept: application/json;q=0.5\r\n\r\n");
	ck_assert(has(&res, "Content-Type: application/json"));
	result_free(&res);
}
END_TEST

START_TEST(test_fallback)
{
	struct result res;

	cfg.fallback = "/index.html";
	static const char *const to_fallback[] = {GET("/app/route"), GET("/nope"), GET("/x/y/"),
						  GET("/hello.txt/more")};
	for (size_t i = 0; i < sizeof(to_fallback) / sizeof(to_fallback[0]); i++) {
		res = plan(to_fallback[i]);
		ck_assert_msg(status_is(&res, 200), "%s", to_fallback[i]);
		ck_assert_str_eq(res.body, "<h1>home</h1>\n");
		ck_assert(has(&res, "Content-Type: text/html; charset=utf-8"));
		result_free(&res);
	}
	res = plan("HEAD /app/route HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert(status_is(&res, 200));
	ck_assert(has(&res, "Content-Length: 14"));
	ck_assert_uint_eq(res.body_len, 0);
	result_free(&res);
	/* Files that exist, hidden paths and other methods are not touched. */
	res = plan(GET("/hello.txt"));
	ck_assert_str_eq(res.body, "hello world\n");
	result_free(&res);
	res = plan(GET("/.secret"));
	ck_assert(status_is(&res, 404));
	result_free(&res);
	res = plan("POST /nope HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
	ck_assert(status_is(&res, 405));
	result_free(&res);
	/* A fallback that is gone itself: 404. */
	cfg.fallback = "/gone.html";
	res = plan(GET("/app/route"));
	ck_assert(status_is(&res, 404));
	result_free(&res);
	cfg.fallback = NULL;
}
END_TEST

START_TEST(test_error_page)
{
	static char body[] = "<p>not here</p>\n";
	struct result res;
	struct response r;
	struct buffer out;

	cfg.error_pages[0] = (struct httpd_error_page){404, "text/html", body, strlen(body)};
	cfg.error_pages[1] = (struct httpd_error_page){400, "text/plain", body, 3};
	cfg.nerror_pages = 2;
	res = plan(GET("/nope"));
	ck_assert(status_is(&res, 404));
	ck_assert(has(&res, "Content-Type: text/html"));
	ck_assert(has(&res, "Content-Length: 16"));
	ck_assert_str_eq(res.body, body);
	ck_assert_int_eq(res.r.body_len, 16);
	result_free(&res);
	res = plan("HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert(has(&res, "Content-Length: 16"));
	ck_assert_uint_eq(res.body_len, 0);
	result_free(&res);
	/* Errors found before any request was parsed use them too. */
	buffer_init(&out, 4096);
	ck_assert_int_eq(respond_error(&ctx, 400, &out, &r), 0);
	ck_assert_ptr_nonnull(memmem(out.data, out.len, "Content-Type: text/plain\r\n", 26));
	ck_assert(out.len > 7 && memcmp(out.data + out.len - 7, "\r\n\r\n<p>", 7) == 0);
	buffer_clear(&out);
	/* Other codes keep the built-in page. */
	ck_assert_int_eq(respond_error(&ctx, 408, &out, &r), 0);
	ck_assert_ptr_nonnull(memmem(out.data, out.len, "<h1>408 Request Timeout</h1>", 28));
	buffer_free(&out);
	cfg.nerror_pages = 0;
}
END_TEST

START_TEST(test_not_found_and_bad_paths)
{
	static const struct {
		const char *raw;
		int status;
	} cases[] = {
		{GET("/nope"), 404},
		{GET("/hello.txt/"), 404},
		{GET("/a%00b"), 400},
		{GET("/%zz"), 400},
		{GET("/%"), 400},
		{GET("/%2e%2e/%2e%2e/etc/passwd"), 404},
		{GET("/..%2f..%2f..%2fetc%2fpasswd"), 404},
		{GET("/../../../etc/passwd"), 404},
		{GET("/.secret"), 404},
		{GET("/dir/../.secret"), 404},
		{GET("/%2esecret"), 404},
		{GET("/.well-known/acme.txt"), 200},
		{GET("/link-in"), 200},
		{GET("/fifo"), 403},
		{"GET * HTTP/1.1\r\nHost: t\r\n\r\n", 400},
		{"GET http://t/hello.txt HTTP/1.1\r\nHost: t\r\n\r\n", 200},
		{"GET http://t HTTP/1.1\r\nHost: t\r\n\r\n", 200},
		{"GET http://t?x HTTP/1.1\r\nHost: t\r\n\r\n", 200},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result res = plan(cases[i].raw);

		ck_assert_msg(status_is(&res, cases[i].status), "%s -> %s", cases[i].raw, res.text);
		if (cases[i].status != 200) {
			ck_assert(has(&res, "Content-Type: text/html; charset=utf-8"));
			ck_assert_ptr_nonnull(strstr(res.body, "<!DOCTYPE html>"));
		}
		result_free(&res);
	}
}
END_TEST

START_TEST(test_symlink_escape)
{
	struct result res = plan(GET("/link-out"));

	ck_assert_msg(res.r.status == 403 || res.r.status == 404, "%s", res.text);
	ck_assert_ptr_null(strstr(res.body, "root:"));
	result_free(&res);
}
END_TEST

START_TEST(test_dotfiles_on)
{
	struct result res;

	cfg.dotfiles = 1;
	res = plan(GET("/.secret"));
	ck_assert(status_is(&res, 200));
	ck_assert_str_eq(res.body, "s");
	result_free(&res);
}
END_TEST

START_TEST(test_methods)
{
	struct result res = plan("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");

	ck_assert(status_is(&res, 204));
	ck_assert(has(&res, "Allow: GET, HEAD, OPTIONS"));
	ck_assert(!has_name(&res, "Content-Length"));
	ck_assert_uint_eq(res.body_len, 0);
	result_free(&res);
	res = plan("OPTIONS /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert(status_is(&res, 204));
	result_free(&res);
	res = plan("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
	ck_assert(status_is(&res, 405));
	ck_assert(has(&res, "Allow: GET, HEAD, OPTIONS"));
	result_free(&res);
	res = plan("DELETE /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert(status_is(&res, 405));
	result_free(&res);
	res = plan("PROPFIND / HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert(status_is(&res, 501));
	result_free(&res);
}
END_TEST

/* The ETag the server gives hello.txt. */
static void etag_of(const char *path, char *etag, size_t cap, char *lastmod, size_t lcap)
{
	char raw[128];
	struct result res;
	const char *e, *end;

	snprintf(raw, sizeof(raw), GET("%s"), path);
	res = plan(raw);
	e = strstr(res.text, "\r\nETag: ") + 8;
	end = strstr(e, "\r\n");
	ck_assert_uint_lt((size_t)(end - e), cap);
	memcpy(etag, e, (size_t)(end - e));
	etag[end - e] = '\0';
	e = strstr(res.text, "\r\nLast-Modified: ") + 17;
	end = strstr(e, "\r\n");
	ck_assert_uint_lt((size_t)(end - e), lcap);
	memcpy(lastmod, e, (size_t)(end - e));
	lastmod[end - e] = '\0';
	result_free(&res);
}

START_TEST(test_conditional)
{
	char etag[64], lm[64], raw[256];
	struct result res;

	etag_of("/hello.txt", etag, sizeof(etag), lm, sizeof(lm));
	snprintf(raw, sizeof(raw), "GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: %s\r\n\r\n",
		 etag);
	res = plan(raw);
	ck_assert_msg(status_is(&res, 304), "%s", res.text);
	ck_assert(!has_name(&res, "Content-Length"));
	ck_assert_uint_eq(res.body_len, 0);
	ck_assert_int_eq(res.r.fd, -1);
	ck_assert(has_name(&res, "ETag"));
	ck_assert(has_name(&res, "Last-Modified"));
	result_free(&res);
	snprintf(raw, sizeof(raw),
		 "GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"zz\", W/%s\r\n\r\n", etag);
	res = plan(raw);
	ck_assert(status_is(&res, 304));
	result_free(&res);
	snprintf(raw, sizeof(raw),
		 "HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: %s\r\n\r\n", lm);
	res = plan(raw);
	ck_assert(status_is(&res, 304));
	result_free(&res);
	snprintf(raw, sizeof(raw),
		 "GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"zz\"\r\n"
		 "If-Modified-Since: %s\r\n\r\n", lm);
	res = plan(raw);
	ck_assert(status_is(&res, 200)); /* If-None-Match wins */
	ck_assert_str_eq(res.body, "hello world\n");
	result_free(&res);
	/* The big file (served by fd): the fd is closed, nothing to send. */
	etag_of("/big.bin", etag, sizeof(etag), lm, sizeof(lm));
	snprintf(raw, sizeof(raw), "GET /big.bin HTTP/1.1\r\nHost: t\r\nIf-None-Match: *\r\n\r\n");
	res = plan(raw);
	ck_assert(status_is(&res, 304));
	ck_assert_int_eq(res.r.fd, -1);
	result_free(&res);
}
END_TEST

START_TEST(test_ranges)
{
	char etag[64], lm[64], raw[256];
	struct result res;

	res = plan("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-4\r\n\r\n");
	ck_assert(status_is(&res, 206));
	ck_assert(has(&res, "Content-Range: bytes 0-4/12"));
	ck_assert(has(&res, "Content-Length: 5"));
	ck_assert_str_eq(res.body, "hello");
	ck_assert_int_eq(res.r.body_len, 5);
	result_free(&res);
	res = plan("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=6- \t \r\n\r\n");
	ck_assert(status_is(&res, 206));
	ck_assert_str_eq(res.body, "world\n");
	result_free(&res);
	res = plan("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=100-\r\n\r\n");
	ck_assert(status_is(&res, 416));
	ck_assert(has(&res, "Content-Range: bytes */12"));
	result_free(&res);
	res = plan("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1,3-4\r\n\r\n");
	ck_assert(status_is(&res, 200));
	ck_assert_str_eq(res.body, "hello world\n");
	result_free(&res);
	res = plan("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: pages=1\r\n\r\n");
	ck_assert(status_is(&res, 200));
	result_free(&res);
	res = plan("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-4\r\n\r\n");
	ck_assert(status_is(&res, 206)); /* the head GET would get */
	ck_assert(has(&res, "Content-Length: 5"));
	ck_assert_uint_eq(res.body_len, 0);
	result_free(&res);
	etag_of("/hello.txt", etag, sizeof(etag), lm, sizeof(lm));
	snprintf(raw, sizeof(raw),
		 "GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-0\r\nIf-Range: %s\r\n\r\n", etag);
	res = plan(raw);
	ck_assert(status_is(&res, 206));
	ck_assert_str_eq(res.body, "h");
	result_free(&res);
	snprintf(raw, sizeof(raw),
		 "GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-0\r\nIf-Range: %s\r\n\r\n", lm);
	res = plan(raw);
	ck_assert(status_is(&res, 206));
	result_free(&res);
	res = plan("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-0\r\n"
		   "If-Range: \"old\"\r\n\r\n");
	ck_assert(status_is(&res, 200));
	ck_assert_str_eq(res.body, "hello world\n");
	result_free(&res);
}
END_TEST

START_TEST(test_gzip_twin)
{
	static const struct {
		const char *ae;
		int gz;
	} cases[] = {
		{NULL, 0},
		{"gzip", 1},
		{"gzip, deflate, br", 1},
		{"deflate, GZIP;q=0.5", 1},
		{"x-gzip", 1},
		{"*", 1},
		{"gzip;q=0", 0},
		{"gzip; q=0.000", 0},
		{"gzip;q=0.001", 1},
		{"gzip;q=0, *", 0},
		{"br", 0},
		{"identity", 0},
		{"*;q=0", 0},
	};

	for (int pass = 0; pass < 2; pass++) /* the second pass meets the cache */
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			char raw[256];
			struct result res;

			if (cases[i].ae)
				snprintf(raw, sizeof(raw),
					 "GET /style.css HTTP/1.1\r\nHost: t\r\nAccept-Encoding: %s\r\n\r\n",
					 cases[i].ae);
			else
				snprintf(raw, sizeof(raw), GET("/style.css"));
			res = plan(raw);
			ck_assert(status_is(&res, 200));
			ck_assert_msg(has(&res, "Vary: Accept-Encoding"), "%s", res.text);
			ck_assert(has(&res, "Content-Type: text/css; charset=utf-8") ||
				  has(&res, "Content-Type: text/css"));
			if (cases[i].gz) {
				ck_assert_msg(has(&res, "Content-Encoding: gzip"), "AE %s", cases[i].ae);
				ck_assert_str_eq(res.body, "GZDATA");
			} else {
				ck_assert_msg(!has_name(&res, "Content-Encoding"), "AE %s", cases[i].ae);
				ck_assert_str_eq(res.body, "body{}\n");
			}
			result_free(&res);
		}
}
END_TEST

START_TEST(test_connection)
{
	struct result res = plan("GET /hello.txt HTTP/1.0\r\n\r\n");

	ck_assert(status_is(&res, 200));
	ck_assert(has(&res, "Connection: close"));
	ck_assert_int_eq(res.r.close, 1);
	result_free(&res);
	res = plan("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	ck_assert(has(&res, "Connection: keep-alive"));
	ck_assert_int_eq(res.r.close, 0);
	result_free(&res);
	res = plan("GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
	ck_assert(has(&res, "Connection: close"));
	ck_assert_int_eq(res.r.close, 1);
	result_free(&res);
}
END_TEST

/* The cached 200 is kept preformatted: its Date must follow the clock. */
START_TEST(test_cached_date_follows_clock)
{
	struct result res = plan(GET("/hello.txt"));
	char date[64];

	result_free(&res);
	ctx.now += 5;
	date_format(ctx.now, ctx.date);
	res = plan(GET("/hello.txt"));
	snprintf(date, sizeof(date), "Date: %s", ctx.date);
	ck_assert_msg(has(&res, date), "%s", res.text);
	ck_assert_str_eq(res.body, "hello world\n");
	result_free(&res);
	res = plan("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	ck_assert(has(&res, date));
	ck_assert(has(&res, "Connection: keep-alive"));
	ck_assert(has(&res, "Content-Length: 12"));
	ck_assert(has(&res, "X-Extra: 1"));
	ck_assert_str_eq(res.body, "hello world\n");
	result_free(&res);
}
END_TEST

START_TEST(test_respond_error)
{
	static const int codes[] = {400, 403, 404, 405, 408, 413, 414, 416, 431, 500, 501, 503, 505};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct buffer out;
		struct response r;
		char line[32], cl[64];
		const char *body;

		buffer_init(&out, 1 << 16);
		ck_assert_int_eq(respond_error(&ctx, codes[i], &out, &r), 0);
		ck_assert_int_eq(buffer_append(&out, "", 1), 0);
		snprintf(line, sizeof(line), "HTTP/1.1 %d ", codes[i]);
		ck_assert_int_eq(strncmp(out.data, line, strlen(line)), 0);
		ck_assert_ptr_nonnull(strstr(out.data, "\r\nConnection: close\r\n"));
		body = strstr(out.data, "\r\n\r\n") + 4;
		snprintf(cl, sizeof(cl), "\r\nContent-Length: %zu\r\n", strlen(body));
		ck_assert_ptr_nonnull(strstr(out.data, cl));
		ck_assert_int_eq(r.close, 1);
		ck_assert_int_eq(r.status, codes[i]);
		ck_assert_int_eq(r.fd, -1);
		buffer_free(&out);
	}
}
END_TEST

START_TEST(test_out_limit)
{
	struct result res = plan_limit(GET("/hello.txt"), 64);

	ck_assert_int_eq(res.rc, -1);
	ck_assert_uint_eq(res.len, 0);
	result_free(&res);
	res = plan_limit(GET("/big.bin"), 64);
	ck_assert_int_eq(res.rc, -1);
	ck_assert_int_eq(res.r.fd, -1); /* closed, not leaked */
	result_free(&res);
	/* A cached small file that does not fit inline goes by descriptor. */
	res = plan(GET("/hello.txt"));
	ck_assert_int_eq(res.r.fd, -1);
	result_free(&res);
	res = plan_limit(GET("/hello.txt"), 1000);
	ck_assert_int_eq(res.rc, 0);
	ck_assert_int_ge(res.r.fd, 0);
	ck_assert_str_eq(res.body, "hello world\n");
	result_free(&res);
}
END_TEST

/* Pipelined answers go into the same buffer, one after the other. */
START_TEST(test_pipelined_append)
{
	struct http_msg m;
	struct buffer out;
	struct response r;
	size_t used;
	const char *raw = GET("/hello.txt");
	const char *second;

	buffer_init(&out, 1 << 20);
	for (int i = 0; i < 2; i++) {
		http_msg_init(&m, HTTP_REQUEST);
		ck_assert_int_eq(http_msg_feed(&m, raw, strlen(raw), &used), HTTP_HEAD_DONE);
		ck_assert_int_eq(respond(&ctx, &m.head, &out, &r), 0);
		http_msg_free(&m);
	}
	ck_assert_int_eq(buffer_append(&out, "", 1), 0);
	second = strstr(out.data + 1, "HTTP/1.1 200 OK");
	ck_assert_ptr_nonnull(second);
	ck_assert_uint_eq((size_t)(second - out.data) * 2, out.len - 1);
	buffer_free(&out);
}
END_TEST

/* Past the cache's fstat window (FILECACHE_FRESH_NS): not a speed
 * assertion, the window is what is being tested. */
static void wait_fresh(void)
{
	struct timespec ts = {0, 2 * FILECACHE_FRESH_NS};

	nanosleep(&ts, NULL);
	ctx.mono_ns += 2 * FILECACHE_FRESH_NS; /* the loop's clock, read per wakeup */
}

/* A file written in place shows within the fstat window; one replaced by
 * rename (which an open descriptor cannot see) once the clock moves on. */
START_TEST(test_cache_revalidation)
{
	struct result res = plan(GET("/hello.txt"));
	char path[256], tmp[256];

	result_free(&res);
	put_file("hello.txt", "changed content!", 16);
	wait_fresh();
	res = plan(GET("/hello.txt"));
	ck_assert_str_eq(res.body, "changed content!");
	ck_assert(has(&res, "Content-Length: 16"));
	result_free(&res);
	put_file("hello.tmp", "renamed over it!", 16);
	snprintf(path, sizeof(path), "%s/hello.txt", root);
	snprintf(tmp, sizeof(tmp), "%s/hello.tmp", root);
	ck_assert_int_eq(rename(tmp, path), 0);
	ctx.now++;
	res = plan(GET("/hello.txt"));
	ck_assert_str_eq(res.body, "renamed over it!");
	result_free(&res);
	ck_assert_int_eq(unlink(path), 0);
	wait_fresh();
	res = plan(GET("/hello.txt"));
	ck_assert(status_is(&res, 404)); /* unlinked: seen within the fstat window */
	result_free(&res);
	snprintf(path, sizeof(path), "%s/style.css.gz", root);
	ck_assert_int_eq(unlink(path), 0);
	res = plan(GET("/style.css"));
	ctx.now++;
	result_free(&res);
	res = plan(GET("/style.css"));
	ck_assert(!has_name(&res, "Vary"));
	result_free(&res);
}
END_TEST

/* A header's value in a result (first occurrence), into out. */
static void value_of(const struct result *res, const char *name, char *out, size_t cap)
{
	char want[64];
	const char *v, *end;

	snprintf(want, sizeof(want), "\r\n%s: ", name);
	v = strstr(res->text, want);
	ck_assert_msg(v != NULL, "no %s in %s", name, res->text);
	v += strlen(want);
	end = strstr(v, "\r\n");
	ck_assert_uint_lt((size_t)(end - v), cap);
	memcpy(out, v, (size_t)(end - v));
	out[end - v] = '\0';
}

/* If-Range with the Last-Modified date, the file changed on each of the
 * seven weekdays (a "Wed, ..." date once read as a weak tag); a date one
 * second off, or a Last-Modified not a second older than Date, sends all. */
START_TEST(test_if_range_every_weekday)
{
	for (int day = 0; day < 7; day++) {
		time_t mtime = MTIME + day * DAY;
		char lm[64], raw[256], off[DATE_LEN + 1];
		struct result res;

		set_mtime("hello.txt", mtime);
		set_now(mtime + DAY);
		date_format(mtime, off);
		res = plan(GET("/hello.txt"));
		value_of(&res, "Last-Modified", lm, sizeof(lm));
		ck_assert_str_eq(lm, off);
		result_free(&res);
		snprintf(raw, sizeof(raw),
			 "GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-4\r\nIf-Range: %s\r\n\r\n", lm);
		res = plan(raw);
		ck_assert_msg(status_is(&res, 206), "%s: %s", lm, res.text);
		ck_assert_str_eq(res.body, "hello");
		result_free(&res);
		for (int delta = -1; delta <= 1; delta += 2) {
			date_format(mtime + delta, off);
			snprintf(raw, sizeof(raw),
				 "GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-4\r\nIf-Range: %s\r\n\r\n",
				 off);
			res = plan(raw);
			ck_assert_msg(status_is(&res, 200), "%s", off);
			ck_assert_str_eq(res.body, "hello world\n");
			result_free(&res);
		}
		set_now(mtime); /* Last-Modified == Date: weak, no date matches */
		snprintf(raw, sizeof(raw),
			 "GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-4\r\nIf-Range: %s\r\n\r\n", lm);
		res = plan(raw);
		ck_assert_msg(status_is(&res, 200), "%s", res.text);
		result_free(&res);
	}
}
END_TEST

/* RFC 9110 13.2.2 through the planner: If-Match and If-Unmodified-Since
 * answer 412 before anything else; a resumed download never gets new bytes
 * spliced onto old ones. */
START_TEST(test_preconditions_412)
{
	char etag[64], lm[64], before[DATE_LEN + 1], raw[512];
	struct result res;

	etag_of("/big.bin", etag, sizeof(etag), lm, sizeof(lm));
	date_format(MTIME - 1, before);
	snprintf(raw, sizeof(raw), "GET /big.bin HTTP/1.1\r\nHost: t\r\nIf-Match: \"old\"\r\n"
		 "Range: bytes=10-\r\n\r\n");
	res = plan(raw);
	ck_assert_msg(status_is(&res, 412), "%s", res.text);
	ck_assert_int_eq(res.r.fd, -1);
	ck_assert(has_name(&res, "Content-Length"));
	result_free(&res);
	snprintf(raw, sizeof(raw), "GET /big.bin HTTP/1.1\r\nHost: t\r\nIf-Match: %s\r\n"
		 "Range: bytes=99990-\r\n\r\n", etag);
	res = plan(raw);
	ck_assert(status_is(&res, 206));
	ck_assert_int_eq(res.r.off, 99990);
	result_free(&res);
	snprintf(raw, sizeof(raw), "GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Unmodified-Since: %s\r\n"
		 "If-None-Match: *\r\n\r\n", before);
	res = plan(raw);
	ck_assert(status_is(&res, 412)); /* before If-None-Match's 304 */
	result_free(&res);
	snprintf(raw, sizeof(raw), "HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Unmodified-Since: %s\r\n\r\n",
		 lm);
	res = plan(raw);
	ck_assert(status_is(&res, 200));
	result_free(&res);
	snprintf(raw, sizeof(raw), "GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Match: W/%s\r\n\r\n", etag);
	res = plan(raw);
	ck_assert(status_is(&res, 412)); /* a weak tag never matches strongly */
	result_free(&res);
}
END_TEST

/* A file whose mtime is ahead of the clock: Last-Modified is the Date, from
 * the cache too; once the clock passes the mtime, the mtime. */
START_TEST(test_future_mtime)
{
	char date[64], lm[DATE_LEN + 1];
	struct result res;

	set_mtime("hello.txt", ctx.now + 3600);
	for (int pass = 0; pass < 2; pass++) {
		res = plan(GET("/hello.txt"));
		ck_assert(status_is(&res, 200));
		snprintf(date, sizeof(date), "Last-Modified: %s", ctx.date);
		ck_assert_msg(has(&res, date), "%s", res.text);
		result_free(&res);
	}
	date_format(ctx.now + 3600, lm);
	set_now(ctx.now + 7200);
	res = plan(GET("/hello.txt"));
	snprintf(date, sizeof(date), "Last-Modified: %s", lm);
	ck_assert_msg(has(&res, date), "%s", res.text);
	result_free(&res);
}
END_TEST

/* The .gz twin and the file it stands for have the same size and mtime
 * here, yet different strong ETags: a resume against one never gets the
 * other's bytes. */
START_TEST(test_twin_etag_differs)
{
	char plain[64], gz[64], raw[256];
	struct result res;

	put_file("same.txt", "1234567", 7);
	put_file("same.txt.gz", "GZGZGZG", 7);
	for (int pass = 0; pass < 2; pass++) { /* the second meets the cache */
		res = plan(GET("/same.txt"));
		value_of(&res, "ETag", plain, sizeof(plain));
		result_free(&res);
		res = plan("GET /same.txt HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n");
		ck_assert(has(&res, "Content-Encoding: gzip"));
		value_of(&res, "ETag", gz, sizeof(gz));
		result_free(&res);
		ck_assert_str_ne(plain, gz);
		snprintf(raw, sizeof(raw), "GET /same.txt HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n"
			 "Range: bytes=3-\r\nIf-Range: %s\r\n\r\n", plain);
		res = plan(raw);
		ck_assert(status_is(&res, 200));
		ck_assert_str_eq(res.body, "GZGZGZG");
		result_free(&res);
		snprintf(raw, sizeof(raw), "GET /same.txt HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n"
			 "If-None-Match: %s\r\n\r\n", plain);
		res = plan(raw);
		ck_assert(status_is(&res, 200));
		result_free(&res);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("respond");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_get_file);
	tcase_add_test(tc, test_head);
	tcase_add_test(tc, test_big_file_by_fd);
	tcase_add_test(tc, test_index_and_redirect);
	tcase_add_test(tc, test_listing);
	tcase_add_test(tc, test_not_found_and_bad_paths);
	tcase_add_test(tc, test_symlink_escape);
	tcase_add_test(tc, test_dotfiles_on);
	tcase_add_test(tc, test_methods);
	tcase_add_test(tc, test_conditional);
	tcase_add_test(tc, test_ranges);
	tcase_add_test(tc, test_gzip_twin);
	tcase_add_test(tc, test_connection);
	tcase_add_test(tc, test_cached_date_follows_clock);
	tcase_add_test(tc, test_respond_error);
	tcase_add_test(tc, test_out_limit);
	tcase_add_test(tc, test_pipelined_append);
	tcase_add_test(tc, test_cache_revalidation);
	tcase_add_test(tc, test_listing_sorted_and_json);
	tcase_add_test(tc, test_fallback);
	tcase_add_test(tc, test_error_page);
	tcase_add_test(tc, test_if_range_every_weekday);
	tcase_add_test(tc, test_preconditions_412);
	tcase_add_test(tc, test_future_mtime);
	tcase_add_test(tc, test_twin_etag_differs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
