/* check_mime: lib/mime.c, table-driven, plus mime_load() on temp files. */
#include "mime.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OCTET "application/octet-stream"
#define U8 "; charset=utf-8"

static const struct {
	const char *name;
	const char *want;
} rows[] = {
    /* the issue's list, one row per extension */
    {"index.html", "text/html" U8},
    {"a.htm", "text/html" U8},
    {"style.css", "text/css" U8},
    {"app.js", "text/javascript" U8},
    {"mod.mjs", "text/javascript" U8},
    {"mod.cjs", "text/javascript" U8},
    {"data.json", "application/json" U8},
    {"app.js.map", "application/json" U8},
    {"feed.xml", "application/xml" U8},
    {"notes.txt", "text/plain" U8},
    {"README.md", "text/markdown" U8},
    {"t.csv", "text/csv" U8},
    {"logo.svg", "image/svg+xml" U8},
    {"a.png", "image/png"},
    {"a.jpg", "image/jpeg"},
    {"a.jpeg", "image/jpeg"},
    {"a.gif", "image/gif"},
    {"a.webp", "image/webp"},
    {"a.avif", "image/avif"},
    {"favicon.ico", "image/x-icon"},
    {"a.bmp", "image/bmp"},
    {"a.apng", "image/apng"},
    {"a.jxl", "image/jxl"},
    {"a.tif", "image/tiff"},
    {"a.tiff", "image/tiff"},
    {"m.wasm", "application/wasm"},
    {"f.woff", "font/woff"},
    {"f.woff2", "font/woff2"},
    {"f.ttf", "font/ttf"},
    {"f.otf", "font/otf"},
    {"f.eot", "application/vnd.ms-fontobject"},
    {"v.mp4", "video/mp4"},
    {"v.m4v", "video/mp4"},
    {"v.webm", "video/webm"},
    {"v.ogv", "video/ogg"},
    {"v.mov", "video/quicktime"},
    {"v.mkv", "video/x-matroska"},
    {"v.avi", "video/x-msvideo"},
    {"v.mpeg", "video/mpeg"},
    {"v.mpg", "video/mpeg"},
    {"s.ogg", "audio/ogg"},
    {"s.oga", "audio/ogg"},
    {"s.opus", "audio/ogg"},
    {"s.mp3", "audio/mpeg"},
    {"s.wav", "audio/wav"},
    {"s.flac", "audio/flac"},
    {"s.m4a", "audio/mp4"},
    {"s.aac", "audio/aac"},
    {"s.mid", "audio/midi"},
    {"s.midi", "audio/midi"},
    {"s.weba", "audio/webm"},
    {"d.pdf", "application/pdf"},
    {"d.zip", "application/zip"},
    {"d.gz", "application/gzip"},
    {"d.tgz", "application/gzip"},
    {"d.tar", "application/x-tar"},
    {"d.xz", "application/x-xz"},
    {"d.bz2", "application/x-bzip2"},
    {"d.7z", "application/x-7z-compressed"},
    {"d.rar", "application/vnd.rar"},
    {"d.zst", "application/zstd"},
    {"d.jar", "application/java-archive"},
    {"d.epub", "application/epub+zip"},
    {"d.rtf", "application/rtf"},
    {"d.doc", "application/msword"},
    {"d.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"d.xls", "application/vnd.ms-excel"},
    {"d.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"d.ppt", "application/vnd.ms-powerpoint"},
    {"d.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"d.odt", "application/vnd.oasis.opendocument.text"},
    {"d.ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"d.odp", "application/vnd.oasis.opendocument.presentation"},
    {"cal.ics", "text/calendar" U8},
    {"subs.vtt", "text/vtt" U8},
    {"site.webmanifest", "application/manifest+json" U8},
    {"page.xhtml", "application/xhtml+xml" U8},
    {"feed.rss", "application/rss+xml" U8},
    {"feed.atom", "application/atom+xml" U8},
    {"ld.jsonld", "application/ld+json" U8},
    {"c.yaml", "application/yaml" U8},
    {"c.yml", "application/yaml" U8},
    {"c.toml", "application/toml" U8},
    /* case-insensitive extension */
    {"INDEX.HTML", "text/html" U8},
    {"Photo.JpG", "image/jpeg"},
    {"font.WOFF2", "font/woff2"},
    /* paths: only the last segment's last extension counts */
    {"/var/www/index.html", "text/html" U8},
    {"dir.html/readme", OCTET},
    {"dir.d/file.css", "text/css" U8},
    {"archive.tar.gz", "application/gzip"},
    {"a/b.c/d.e/f.png", "image/png"},
    {"a.b/.hidden", OCTET},
    /* no extension, dotfiles, trailing dot, empty */
    {"Makefile", OCTET},
    {".htaccess", OCTET},
    {".html", OCTET},
    {"/www/.env", OCTET},
    {"file.", OCTET},
    {"file..", OCTET},
    {"", OCTET},
    {"/", OCTET},
    {"dir/", OCTET},
    {".", OCTET},
    {"..", OCTET},
    /* unknown, near misses, over-long */
    {"x.unknownext", OCTET},
    {"x.htmlx", OCTET},
    {"x.htm ", OCTET},
    {"x.ht", OCTET},
    {"x.html\xc3\xa9", OCTET},
    {"x.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", OCTET},
};

START_TEST(builtin_table)
{
	ck_assert_str_eq(mime_type(rows[_i].name), rows[_i].want);
}
END_TEST

START_TEST(null_name)
{
	ck_assert_str_eq(mime_type(NULL), OCTET);
}
END_TEST

/* Writes text to a fresh temp file; the caller unlinks path. */
static void temp_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static const char types_file[] = "# a comment line\n"
                                 "\n"
                                 "   \t  \n"
                                 "application/x-foo\t\tfoo fooz   # trailing comment\n"
                                 "text/x-bar bar\n"
                                 "application/vnd.thing+json thingjson\n"
                                 "application/vnd.thing+xml thingxml\n"
                                 "application/x-first dup\n"
                                 "application/x-second dup\n"
                                 "image/x-wins html png\n" /* built-in entries win */
                                 "Application/X-Upper UPPER\n"
                                 "no-slash-here nsl\n"
                                 "/nothing before\n"
                                 "bad;type/x semi\n"
                                 "application/x-noexts\n"
                                 "application/x-weird ok bad/ext bad.ext\n"
                                 "application/x-crlf crlf\r\n"
                                 "application/x-last last"; /* no final newline */

START_TEST(load_file)
{
	char path[] = "/tmp/check_mime_XXXXXX";
	temp_file(path, types_file);
	ck_assert_str_eq(mime_type("a.foo"), OCTET);
	ck_assert_int_eq(mime_load(path), 0);
	unlink(path);

	ck_assert_str_eq(mime_type("a.foo"), "application/x-foo");
	ck_assert_str_eq(mime_type("a.FOOZ"), "application/x-foo");
	ck_assert_str_eq(mime_type("a.bar"), "text/x-bar" U8);
	ck_assert_str_eq(mime_type("a.thingjson"), "application/vnd.thing+json" U8);
	ck_assert_str_eq(mime_type("a.thingxml"), "application/vnd.thing+xml" U8);
	ck_assert_str_eq(mime_type("a.dup"), "application/x-first");
	ck_assert_str_eq(mime_type("a.html"), "text/html" U8);
	ck_assert_str_eq(mime_type("a.png"), "image/png");
	ck_assert_str_eq(mime_type("a.upper"), "application/x-upper");
	ck_assert_str_eq(mime_type("a.nsl"), OCTET);
	ck_assert_str_eq(mime_type("a.before"), OCTET);
	ck_assert_str_eq(mime_type("a.semi"), OCTET);
	ck_assert_str_eq(mime_type("a.ok"), "application/x-weird");
	ck_assert_str_eq(mime_type("a.crlf"), "application/x-crlf");
	ck_assert_str_eq(mime_type("a.last"), "application/x-last");
	ck_assert_str_eq(mime_type("a.comment"), OCTET);
	ck_assert_str_eq(mime_type("a.#"), OCTET);

	/* a second file adds; what was loaded first keeps its meaning */
	char path2[] = "/tmp/check_mime_XXXXXX";
	temp_file(path2, "application/x-other foo\napplication/x-new new\n");
	ck_assert_int_eq(mime_load(path2), 0);
	unlink(path2);
	ck_assert_str_eq(mime_type("a.foo"), "application/x-foo");
	ck_assert_str_eq(mime_type("a.new"), "application/x-new");
	ck_assert_str_eq(mime_type("a.bar"), "text/x-bar" U8);

	/* mime_free drops what was loaded, keeps the built-in table */
	mime_free();
	ck_assert_str_eq(mime_type("a.foo"), OCTET);
	ck_assert_str_eq(mime_type("a.new"), OCTET);
	ck_assert_str_eq(mime_type("a.css"), "text/css" U8);
	mime_free(); /* twice is harmless */
}
END_TEST

START_TEST(load_missing_and_empty)
{
	ck_assert_int_eq(mime_load("/nonexistent/dir/mime.types"), -1);
	ck_assert_str_eq(mime_type("a.html"), "text/html" U8);
	/* a directory cannot be read as a file */
	ck_assert_int_eq(mime_load("/tmp"), -1);

	char path[] = "/tmp/check_mime_XXXXXX";
	temp_file(path, "");
	ck_assert_int_eq(mime_load(path), 0);
	unlink(path);
	ck_assert_str_eq(mime_type("a.foo"), OCTET);
	mime_free();
}
END_TEST

/* A long line and many entries (as in a real mime.types). */
START_TEST(load_many)
{
	char path[] = "/tmp/check_mime_XXXXXX";
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, cap - len, "application/x-long");
	for (int i = 0; i < 5000; i++)
		len += (size_t)snprintf(text + len, cap - len, " l%d", i);
	len += (size_t)snprintf(text + len, cap - len, "\n");
	for (int i = 0; i < 3000; i++)
		len += (size_t)snprintf(text + len, cap - len, "application/x-t%d e%d\n", i, i);
	temp_file(path, text);
	free(text);
	ck_assert_int_eq(mime_load(path), 0);
	unlink(path);
	ck_assert_str_eq(mime_type("x.l0"), "application/x-long");
	ck_assert_str_eq(mime_type("x.l4999"), "application/x-long");
	for (int i = 0; i < 3000; i += 7) {
		char name[32], want[48];
		snprintf(name, sizeof name, "f.E%d", i);
		snprintf(want, sizeof want, "application/x-t%d", i);
		ck_assert_str_eq(mime_type(name), want);
	}
	ck_assert_str_eq(mime_type("x.e3000"), OCTET);
	mime_free();
}
END_TEST

/* The system file, when there is one, loads and leaves the built-ins alone. */
START_TEST(load_system_default)
{
	if (access("/etc/mime.types", R_OK) != 0) {
		ck_assert_int_eq(mime_load(NULL), -1);
		return;
	}
	ck_assert_int_eq(mime_load(NULL), 0);
	ck_assert_str_eq(mime_type("a.html"), "text/html" U8);
	ck_assert_str_eq(mime_type("a.ico"), "image/x-icon");
	ck_assert_str_eq(mime_type("a.zzzzzz"), OCTET);
	mime_free();
}
END_TEST

static Suite *mime_suite(void)
{
	Suite *s = suite_create("mime");
	TCase *tc = tcase_create("type");
	tcase_add_loop_test(tc, builtin_table, 0, (int)(sizeof rows / sizeof rows[0]));
	tcase_add_test(tc, null_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("load");
	tcase_add_test(tc, load_file);
	tcase_add_test(tc, load_missing_and_empty);
	tcase_add_test(tc, load_many);
	tcase_add_test(tc, load_system_default);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mime_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
