/* digest: --checksum ALGO=HEX, a download checked before it is committed.
 *
 * sha256 and sha512 through OpenSSL's EVP. The digest is taken over the
 * finished file as it lies on disk (temporary or partial file), so that it
 * covers bytes from an earlier -r run, decoded --compressed bodies and the
 * bodies that go socket -> pipe -> file without passing through fetch. */
#ifndef FETCH_DIGEST_H
#define FETCH_DIGEST_H

#include <stddef.h>

#define FETCH_DIGEST_MAX 64 /* bytes of the longest digest (sha512) */

struct fetch_digest {
	char algo[8];                          /* "sha256", "sha512"; "" for none */
	unsigned char want[FETCH_DIGEST_MAX];
	size_t len;                            /* bytes of want */
};

/* "sha256=HEX" or "sha512=HEX" (algorithm in any case, hex in either case,
 * exactly the digest's length). 0, or -1 and a reason in err. */
int fetch_digest_parse(const char *spec, struct fetch_digest *d, char *err, size_t errlen);
/* Digests the file at path: 0 when it is d->want, 1 when not (got holds the
 * lower-case hex of what it is), -1 with errno when it cannot be read. got
 * needs 2 * FETCH_DIGEST_MAX + 1 bytes. */
int fetch_digest_file(const struct fetch_digest *d, const char *path, char *got);

#endif
