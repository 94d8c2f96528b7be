/* parallel: -j N, several transfers at once.
 *
 * fetch_parallel() forks up to `jobs` worker processes; each takes the next
 * URL from the parent over a socketpair when it is free, runs `one` on it
 * (fetch_url and its error line) with a connection pool of its own, kept
 * across its URLs, and reports the status. A worker's stdout and stderr are
 * two memory files (memfd): after each URL the parent takes what it printed
 * (heads, retry notes, the error line) and prints every URL's output whole,
 * in the order the URLs were given, so the output is that of one transfer at
 * a time whatever finishes first, and the status is the first failure's in
 * that order. Each transfer is atomic as always (a temporary file renamed
 * when complete); a URL whose output file (fetch_url_path) is that of a URL
 * under way waits for it, so the later URL's file is the one left, as with
 * -j 1. Progress: workers store their byte counts in shared memory
 * (fetch_progress_slot); the parent draws one line for all when
 * opts->progress says so.
 *
 * A worker that dies without reporting fails its URL; the parent removes
 * its temporary file (output.h, fetch_out_live_in).
 *
 * Signals: the parent takes those main handles (`caught`: SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT unless ignored on entry, as a background job's SIGINT,
 * which the workers then ignore too) through a signalfd, sends the same
 * signal to every worker (each removes its temporary file, as fetch always
 * does), waits for them and dies of it. */
#ifndef FETCH_PARALLEL_H
#define FETCH_PARALLEL_H

#include <signal.h>
#include <stddef.h>

#include "fetch.h"
#include "pool.h"

/* One URL: its transfer, and its error line on stderr; the status. */
typedef enum fetch_status (*fetch_one_fn)(const struct fetch_opts *opts, struct fetch_pool *pool,
					  const char *url);

/* urls[0..n), jobs >= 2 at once. The run's status, or FETCH_FAIL with a line
 * on stderr when the workers cannot be started. */
enum fetch_status fetch_parallel(const struct fetch_opts *opts, const char *const *urls, size_t n,
				 unsigned jobs, fetch_one_fn one, const sigset_t *caught);

#endif
