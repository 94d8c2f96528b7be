/* mime: extension to Content-Type.
 *
 * Two sorted tables searched with bsearch: the built-in one below (kept in
 * strcmp order of the lower-case extension; the unit test checks every row
 * is found, which it would not be if the order slipped) and, after
 * mime_load(), one built from a mime.types file. Lookups copy the extension,
 * lower-cased, into a small stack buffer: no allocation, no locale. */
#include "mime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIME_DEFAULT "application/octet-stream"
#define MIME_EXT_MAX 32 /* longer "extensions" are not extensions */
#define MIME_TYPE_MAX 128
#define MIME_UTF8 "; charset=utf-8"

struct mime_entry {
	const char *ext;
	const char *type;
};

/* Sorted by ext (strcmp). */
static const struct mime_entry mime_builtin[] = {
    {"7z", "application/x-7z-compressed"},
    {"aac", "audio/aac"},
    {"apng", "image/apng"},
    {"atom", "application/atom+xml" MIME_UTF8},
    {"avi", "video/x-msvideo"},
    {"avif", "image/avif"},
    {"bmp", "image/bmp"},
    {"bz2", "application/x-bzip2"},
    {"cjs", "text/javascript" MIME_UTF8},
    {"css", "text/css" MIME_UTF8},
    {"csv", "text/csv" MIME_UTF8},
    {"doc", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"eot", "application/vnd.ms-fontobject"},
    {"epub", "application/epub+zip"},
    {"flac", "audio/flac"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"htm", "text/html" MIME_UTF8},
    {"html", "text/html" MIME_UTF8},
    {"ico", "image/x-icon"},
    {"ics", "text/calendar" MIME_UTF8},
    {"jar", "application/java-archive"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript" MIME_UTF8},
    {"json", "application/json" MIME_UTF8},
    {"jsonld", "application/ld+json" MIME_UTF8},
    {"jxl", "image/jxl"},
    {"m4a", "audio/mp4"},
    {"m4v", "video/mp4"},
    {"map", "application/json" MIME_UTF8},
    {"md", "text/markdown" MIME_UTF8},
    {"mid", "audio/midi"},
    {"midi", "audio/midi"},
    {"mjs", "text/javascript" MIME_UTF8},
    {"mkv", "video/x-matroska"},
    {"mov", "video/quicktime"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"mpeg", "video/mpeg"},
    {"mpg", "video/mpeg"},
    {"odp", "application/vnd.oasis.opendocument.presentation"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"ogv", "video/ogg"},
    {"opus", "audio/ogg"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"rar", "application/vnd.rar"},
    {"rss", "application/rss+xml" MIME_UTF8},
    {"rtf", "application/rtf"},
    {"svg", "image/svg+xml" MIME_UTF8},
    {"tar", "application/x-tar"},
    {"tgz", "application/gzip"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"toml", "application/toml" MIME_UTF8},
    {"ttf", "font/ttf"},
    {"txt", "text/plain" MIME_UTF8},
    {"vtt", "text/vtt" MIME_UTF8},
    {"wasm", "application/wasm"},
    {"wav", "audio/wav"},
    {"weba", "audio/webm"},
    {"webm", "video/webm"},
    {"webmanifest", "application/manifest+json" MIME_UTF8},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xhtml", "application/xhtml+xml" MIME_UTF8},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"xml", "application/xml" MIME_UTF8},
    {"xz", "application/x-xz"},
    {"yaml", "application/yaml" MIME_UTF8},
    {"yml", "application/yaml" MIME_UTF8},
    {"zip", "application/zip"},
    {"zst", "application/zstd"},
};

/* What mime_load() added: each entry one allocation, "ext\0type\0". */
static struct mime_entry *mime_loaded;
static size_t mime_nloaded;

static int mime_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct mime_entry *)elem)->ext);
}

static const char *mime_find(const struct mime_entry *tab, size_t n, const char *ext)
{
	const struct mime_entry *e = n ? bsearch(ext, tab, n, sizeof *tab, mime_cmp) : NULL;
	return e ? e->type : NULL;
}

static char mime_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The lower-cased extension of the last path segment into buf; 0 or -1 when
 * there is none. A leading dot (".profile") starts a name, not an extension. */
static int mime_ext(const char *name, char *buf, size_t len)
{
	const char *base = strrchr(name, '/');
	const char *dot;
	size_t n;

	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		return -1;
	n = strlen(dot + 1);
	if (n == 0 || n >= len)
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = mime_lower(dot[1 + i]);
	buf[n] = '\0';
	return 0;
}

const char *mime_type(const char *name)
{
	char ext[MIME_EXT_MAX];
	const char *t;

	if (name == NULL || mime_ext(name, ext, sizeof ext) < 0)
		return MIME_DEFAULT;
	t = mime_find(mime_builtin, sizeof mime_builtin / sizeof mime_builtin[0], ext);
	if (t == NULL)
		t = mime_find(mime_loaded, mime_nloaded, ext);
	return t ? t : MIME_DEFAULT;
}

/* ---- loading a mime.types file ---- */

/* Text we serve is UTF-8: text types, JSON, XML and JavaScript get the charset. */
static int mime_is_text(const char *type, size_t n)
{
	static const char *const suffixes[] = {"+xml", "+json", "/json", "/xml", "/javascript"};

	if (n >= 5 && memcmp(type, "text/", 5) == 0)
		return 1;
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t sl = strlen(suffixes[i]);
		if (n > sl && memcmp(type + n - sl, suffixes[i], sl) == 0)
			return 1;
	}
	return 0;
}

static int mime_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* A media type is "type/subtype" of visible ASCII with no ';' (parameters
 * have no place in a mime.types file). */
static int mime_type_ok(const char *t, size_t n)
{
	const char *slash = memchr(t, '/', n);

	if (slash == NULL || slash == t || slash == t + n - 1 || n >= MIME_TYPE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] <= ' ' || t[i] >= 0x7f || t[i] == ';' || t[i] == ',' || t[i] == '"')
			return 0;
	return 1;
}

static int mime_ext_ok(const char *e, size_t n)
{
	if (n == 0 || n >= MIME_EXT_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (e[i] <= ' ' || e[i] >= 0x7f || e[i] == '/' || e[i] == '.')
			return 0;
	return 1;
}

/* While loading: entries with their arrival order, since qsort is not stable
 * and the first line naming an extension is the one that counts. */
struct mime_staged {
	struct mime_entry e;
	size_t seq;
};

struct mime_staging {
	struct mime_staged *tab;
	size_t n, cap;
};

/* Appends one entry, lower-cased, with the charset when text; -1 on ENOMEM. */
static int mime_add(struct mime_staging *st, const char *ext, size_t elen, const char *type,
                    size_t tlen)
{
	int text = mime_is_text(type, tlen) && memchr(type, ';', tlen) == NULL;
	size_t size = elen + 1 + tlen + (text ? sizeof MIME_UTF8 - 1 : 0) + 1;
	char *p;

	if (st->n == st->cap) {
		size_t ncap = st->cap ? st->cap * 2 : 256;
		struct mime_staged *t = realloc(st->tab, ncap * sizeof *t);
		if (t == NULL)
			return -1;
		st->tab = t;
		st->cap = ncap;
	}
	p = malloc(size);
	if (p == NULL)
		return -1;
	for (size_t i = 0; i < elen; i++)
		p[i] = mime_lower(ext[i]);
	p[elen] = '\0';
	for (size_t i = 0; i < tlen; i++)
		p[elen + 1 + i] = mime_lower(type[i]);
	if (text)
		memcpy(p + elen + 1 + tlen, MIME_UTF8, sizeof MIME_UTF8 - 1);
	p[size - 1] = '\0';
	st->tab[st->n].e.ext = p;
	st->tab[st->n].e.type = p + elen + 1;
	st->tab[st->n].seq = st->n;
	st->n++;
	return 0;
}

/* One line: "type ext ext ...", '#' starts a comment. Malformed lines and
 * extensions are skipped, as every reader of this format does. */
static int mime_parse_line(char *line, struct mime_staging *st)
{
	char *hash = strchr(line, '#');
	char *p = line, *type;
	size_t tlen;

	if (hash)
		*hash = '\0';
	while (mime_is_space(*p))
		p++;
	type = p;
	while (*p && !mime_is_space(*p))
		p++;
	tlen = (size_t)(p - type);
	if (tlen == 0 || !mime_type_ok(type, tlen))
		return 0;
	for (;;) {
		while (mime_is_space(*p))
			p++;
		if (*p == '\0')
			return 0;
		char *ext = p;
		while (*p && !mime_is_space(*p))
			p++;
		size_t elen = (size_t)(p - ext);
		if (mime_ext_ok(ext, elen) && mime_add(st, ext, elen, type, tlen) < 0)
			return -1;
	}
}

/* Sort by ext, and among equal exts by arrival, so the first one stays. */
static int mime_sort_cmp(const void *a, const void *b)
{
	const struct mime_staged *x = a, *y = b;
	int c = strcmp(x->e.ext, y->e.ext);
	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Each entry is one allocation starting at its ext. */
static void mime_free_str(const char *p)
{
	free((char *)(uintptr_t)p);
}

/* Sorts the staged entries into a lookup table: one per ext (the first), and
 * none that the built-in table has. Frees what it drops, and st->tab. */
static struct mime_entry *mime_build(struct mime_staging *st, size_t *count)
{
	struct mime_entry *tab = malloc((st->n ? st->n : 1) * sizeof *tab);
	size_t kept = 0;

	if (tab == NULL)
		return NULL;
	if (st->n > 0) /* qsort(NULL, 0) is undefined */
		qsort(st->tab, st->n, sizeof *st->tab, mime_sort_cmp);
	for (size_t i = 0; i < st->n; i++) {
		const struct mime_entry *e = &st->tab[i].e;
		int dup = kept > 0 && strcmp(tab[kept - 1].ext, e->ext) == 0;
		if (dup || mime_find(mime_builtin, sizeof mime_builtin / sizeof mime_builtin[0],
		                     e->ext) != NULL)
			mime_free_str(e->ext);
		else
			tab[kept++] = *e;
	}
	free(st->tab);
	st->tab = NULL;
	st->n = st->cap = 0;
	*count = kept;
	return tab;
}

static void mime_staging_free(struct mime_staging *st)
{
	for (size_t i = 0; i < st->n; i++)
		mime_free_str(st->tab[i].e.ext);
	free(st->tab);
}

int mime_load(const char *file)
{
	FILE *f = fopen(file ? file : "/etc/mime.types", "re");
	struct mime_staging st = {0};
	struct mime_entry *tab;
	char *line = NULL;
	size_t linecap = 0, count;

	if (f == NULL)
		return -1;
	/* Earlier loads come first, so their entries win over this file's. */
	for (size_t i = 0; i < mime_nloaded; i++)
		if (mime_add(&st, mime_loaded[i].ext, strlen(mime_loaded[i].ext),
		             mime_loaded[i].type, strlen(mime_loaded[i].type)) < 0)
			goto fail;
	while (getline(&line, &linecap, f) >= 0)
		if (mime_parse_line(line, &st) < 0)
			goto fail;
	if (ferror(f))
		goto fail;
	tab = mime_build(&st, &count);
	if (tab == NULL)
		goto fail;
	free(line);
	fclose(f);
	mime_free();
	mime_loaded = tab;
	mime_nloaded = count;
	return 0;
fail:
	free(line);
	fclose(f);
	mime_staging_free(&st);
	return -1;
}

void mime_free(void)
{
	for (size_t i = 0; i < mime_nloaded; i++)
		mime_free_str(mime_loaded[i].ext);
	free(mime_loaded);
	mime_loaded = NULL;
	mime_nloaded = 0;
}
