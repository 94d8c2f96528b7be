/* name: the last path segment, or Content-Disposition's name, made safe. */
#include "name.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "http.h"
#include "tunables.h"
#include "url.h"

/* out[0..n) made safe as name.h says, NUL-terminated; 0, or -1 when empty. */
static int name_make_safe(char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
			out[i] = '_';
	}
	if (n > 0 && out[0] == '.')
		out[0] = '_';
	out[n] = '\0';
	return n == 0 ? -1 : 0;
}

void fetch_name_from_target(const char *target, char *out, size_t outlen)
{
	size_t path_len = strcspn(target, "?#");
	const char *seg = target;
	size_t n, cap;
	ssize_t dec;
	char raw[FETCH_NAME_MAX];

	if (outlen == 0)
		return;
	for (size_t i = 0; i < path_len; i++)
		if (target[i] == '/')
			seg = target + i + 1;
	n = path_len - (size_t)(seg - target);
	cap = outlen - 1 < FETCH_NAME_MAX ? outlen - 1 : FETCH_NAME_MAX;
	if (n > cap)
		n = cap; /* decoding never grows, so cutting the raw bytes is enough */
	/* A malformed escape (a lone '%') is kept as the bytes the URL had. */
	memcpy(raw, seg, n);
	dec = url_decode(raw, n, out);
	if (dec < 0)
		memcpy(out, raw, n);
	else
		n = (size_t)dec;
	if (name_make_safe(out, n) != 0)
		snprintf(out, outlen, "index.html");
}

static const char *name_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A token or quoted-string value at p into val (cut at NAME_VALUE_MAX - 1);
 * returns where it ends, or NULL when malformed. */
static const char *name_value(const char *p, const char *end, char *val, size_t *len)
{
	*len = 0;
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			if (*len < NAME_VALUE_MAX - 1)
				val[(*len)++] = *p;
		}
		return p < end ? p + 1 : NULL;
	}
	for (; p < end && http_tchar((unsigned char)*p); p++)
		if (*len < NAME_VALUE_MAX - 1)
			val[(*len)++] = *p;
	return *len ? p : NULL;
}

/* RFC 8187 ext-value "charset'lang'pct-encoded", decoded to UTF-8 in place.
 * UTF-8 and ISO-8859-1 (widened to UTF-8); -1 for anything else. */
static int name_ext_value(char *val, size_t *len)
{
	char *q1 = memchr(val, '\'', *len), *q2, *pct;
	char dec[NAME_VALUE_MAX];
	int latin1;
	ssize_t n;
	size_t o = 0;

	if (!q1 || !(q2 = memchr(q1 + 1, '\'', *len - (size_t)(q1 + 1 - val))))
		return -1;
	latin1 = q1 - val == 10 && strncasecmp(val, "iso-8859-1", 10) == 0;
	if (!latin1 && !(q1 - val == 5 && strncasecmp(val, "utf-8", 5) == 0))
		return -1;
	pct = q2 + 1;
	n = url_decode(pct, *len - (size_t)(pct - val), dec);
	if (n < 0)
		return -1;
	for (ssize_t i = 0; i < n && o + 2 < NAME_VALUE_MAX; i++) {
		unsigned char c = (unsigned char)dec[i];
		if (latin1 && c >= 0x80) {
			val[o++] = (char)(0xc0 | c >> 6);
			val[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			val[o++] = (char)c;
		}
	}
	*len = o;
	return 0;
}

/* The name after any '/' or '\' (a path is never taken), made safe into out. */
static int name_pick(const char *val, size_t len, char *out, size_t outlen)
{
	size_t start = 0, n, cap = outlen - 1 < FETCH_NAME_MAX ? outlen - 1 : FETCH_NAME_MAX;

	for (size_t i = 0; i < len; i++)
		if (val[i] == '/' || val[i] == '\\')
			start = i + 1;
	n = len - start < cap ? len - start : cap;
	memcpy(out, val + start, n);
	return name_make_safe(out, n);
}

int fetch_name_from_disposition(const char *v, size_t n, char *out, size_t outlen)
{
	const char *p = memchr(v, ';', n), *end = v + n;
	char val[NAME_VALUE_MAX], plain[NAME_VALUE_MAX];
	size_t len, plain_len = 0;
	int have_plain = 0;

	if (outlen == 0)
		return -1;
	while (p && p < end) {
		const char *name;
		size_t name_len;

		p = name_ows(p + 1, end); /* past the ';' */
		if (p == end)
			break; /* a trailing ';' */
		name = p;
		while (p < end && http_tchar((unsigned char)*p) && *p != '=')
			p++;
		name_len = (size_t)(p - name);
		p = name_ows(p, end);
		if (p == end || *p != '=')
			return -1;
		p = name_value(name_ows(p + 1, end), end, val, &len);
		if (!p)
			return -1;
		if (name_len == 9 && strncasecmp(name, "filename*", 9) == 0 &&
		    name_ext_value(val, &len) == 0 && name_pick(val, len, out, outlen) == 0)
			return 0; /* RFC 6266: filename* wins */
		if (name_len == 8 && strncasecmp(name, "filename", 8) == 0) {
			memcpy(plain, val, len);
			plain_len = len;
			have_plain = 1;
		}
		p = name_ows(p, end);
		if (p < end && *p != ';')
			return -1;
	}
	if (!have_plain)
		return -1;
	return name_pick(plain, plain_len, out, outlen);
}
