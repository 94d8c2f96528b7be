/* transfer: one URL from request to file, redirects included.
 *
 * fetch_url() connects (every address, -T each) or takes a kept connection
 * to the same origin from the pool (pool.h), sends the request, reads
 * the response with a 256 KiB buffer, prints heads (stdout, or stderr when
 * the body goes to stdout; nothing with -q), follows redirects, and hands the
 * body to output.c. The rest of a Content-Length body to a regular file
 * takes a faster way: from 16 MiB, O_DIRECT writes from a 2 MiB buffer, a
 * huge page where allowed (no page-cache pages to allocate and dirty); from
 * 256 KiB, or where direct I/O is refused (appending, some file systems),
 * splice(2) socket -> pipe -> file (one copy, not two); the figures are in
 * bench/PROFILE.md, "fetch: the body's way to the file". The
 * environment can turn them off for comparison: FETCH_DIRECT=0,
 * FETCH_SPLICE=0. It prints nothing else: on failure it returns the exit
 * status (fetch.h) and a one-line reason in err, which main prints after the
 * URL. */
#ifndef FETCH_TRANSFER_H
#define FETCH_TRANSFER_H

#include <stddef.h>

#include "fetch.h"
#include "pool.h"
#include "tunables.h"

/* pool: connections kept from earlier URLs, and where this one's go. */
enum fetch_status fetch_url(const struct fetch_opts *opts, struct fetch_pool *pool,
			    const char *url, char *err, size_t errlen);
/* The file fetch_url() writes url's body to, as far as it is known before
 * the answer (--content-disposition may name another): 0, or -1 (a URL that
 * does not parse, -o -, a name too long). */
int fetch_url_path(const struct fetch_opts *opts, const char *url, char *out, size_t size);

#endif
