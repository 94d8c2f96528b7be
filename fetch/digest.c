/* digest: parse --checksum, digest a file with EVP. */
#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "url.h"

int fetch_digest_parse(const char *spec, struct fetch_digest *d, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	const char *hex = eq ? eq + 1 : "";
	size_t alen = eq ? (size_t)(eq - spec) : 0;

	memset(d, 0, sizeof(*d));
	if (alen == 6 && strncasecmp(spec, "sha256", 6) == 0)
		d->len = 32;
	else if (alen == 6 && strncasecmp(spec, "sha512", 6) == 0)
		d->len = 64;
	if (d->len == 0) {
		snprintf(err, errlen, "--checksum '%s': expected sha256=HEX or sha512=HEX", spec);
		return -1;
	}
	if (strlen(hex) != 2 * d->len) {
		snprintf(err, errlen, "--checksum: a %.6s digest is %zu hex digits", spec, 2 * d->len);
		return -1;
	}
	for (size_t i = 0; i < d->len; i++) {
		int hi = url_hex((unsigned char)hex[2 * i]), lo = url_hex((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			snprintf(err, errlen, "--checksum: '%s' is not hexadecimal", hex);
			return -1;
		}
		d->want[i] = (unsigned char)(hi << 4 | lo);
	}
	for (size_t i = 0; i < 6; i++)
		d->algo[i] = (char)(spec[i] | 0x20); /* "SHA256" works too */
	return 0;
}

/* The file's digest into md (EVP_MAX_MD_SIZE bytes); 0 or -1 with errno. */
static int digest_compute(const char *algo, int fd, unsigned char *md, unsigned *mdlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[64 * 1024];
	ssize_t n = 0;
	int ok;

	if (!ctx) {
		errno = ENOMEM;
		return -1;
	}
	ok = EVP_DigestInit_ex(ctx, strcmp(algo, "sha256") == 0 ? EVP_sha256() : EVP_sha512(), NULL);
	while (ok && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		ok = EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (ok && n == 0)
		ok = EVP_DigestFinal_ex(ctx, md, mdlen);
	else if (ok)
		ok = 0; /* a read error: errno says which */
	else
		errno = EIO;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int fetch_digest_file(const struct fetch_digest *d, const char *path, char *got)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	got[0] = '\0';
	if (fd < 0)
		return -1;
	r = digest_compute(d->algo, fd, md, &mdlen);
	close(fd);
	if (r != 0)
		return -1;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(got + 2 * i, 3, "%02x", md[i]);
	return mdlen == d->len && memcmp(md, d->want, d->len) == 0 ? 0 : 1;
}
