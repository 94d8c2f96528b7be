/* name: the last path segment, decoded and made safe. */
#include "name.h"

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "url.h"

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
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
			out[i] = '_';
	}
	if (n > 0 && out[0] == '.')
		out[0] = '_';
	out[n] = '\0';
	if (n == 0)
		snprintf(out, outlen, "index.html");
}
