/* retry: when fetch tries again (-t) and how long it waits first.
 *
 * Worth a retry: network failures (refused, reset, timed out), a body cut
 * short, and the statuses that say "later" (408, 429, 500, 502, 503, 504).
 * The wait doubles from 1 s (1, 2, 4 ...) up to FETCH_RETRY_CAP_S; a
 * Retry-After (delay-seconds or an HTTP date) replaces it, up to
 * FETCH_RETRY_AFTER_CAP_S. The environment may lower both caps,
 * FETCH_RETRY_CAP_MS=N (tests: no test waits for a real back-off). */
#ifndef FETCH_RETRY_H
#define FETCH_RETRY_H

#include <stddef.h>
#include <time.h>

#include "tunables.h"

/* Does this status say "try again later"? */
int fetch_retry_status(int status);
/* Milliseconds to wait before retry number `retry` (1 for the first), given
 * the failed answer's Retry-After value (NULL: none; as lib/http stores
 * it, without surrounding blanks) and the time now;
 * cap_ms >= 0 lowers the caps. *from_server says whether Retry-After set it. */
long fetch_retry_delay_ms(unsigned retry, const char *retry_after, size_t n, time_t now,
			  long cap_ms, int *from_server);

#endif
