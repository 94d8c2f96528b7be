/* progress: a one-line bar on stderr, redrawn in place.
 *
 * Bytes so far, and when the length is known the percentage and the time
 * left; always the rate. Redrawn at most every FETCH_PROGRESS_MS so that a
 * fast download does not spend its time drawing. main decides whether to show
 * it at all (stderr a terminal, no -q); when off every call returns at once.
 * A -j worker draws nothing: it keeps its numbers in a slot the parent shares
 * (parallel.c), which draws one line for every transfer with a progress of
 * its own. */
#ifndef FETCH_PROGRESS_H
#define FETCH_PROGRESS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "tunables.h"

/* Shared memory; plain stores, so a read costs no system call. */
struct fetch_progress_slot {
	off_t have;             /* bytes of the file so far */
	off_t total;            /* expected, -1 unknown */
};

struct fetch_progress {
	int on;
	struct fetch_progress_slot *slot; /* NULL: none */
	off_t total;            /* expected bytes in all, -1 unknown */
	off_t base;             /* bytes already there when resuming */
	off_t done;             /* bytes received in this run */
	struct timespec start, last;
	int drawn;
	char prefix[32];        /* before the numbers: the -j parent's "[3/10] " */
};

void fetch_progress_start(struct fetch_progress *p, int on, struct fetch_progress_slot *slot,
			  off_t base, off_t total);
void fetch_progress_add(struct fetch_progress *p, size_t n);
/* Redraws now (when on): the -j parent's line, whose owner sets done. */
void fetch_progress_draw(struct fetch_progress *p);
/* The last redraw and a newline (only if something was drawn). */
void fetch_progress_end(struct fetch_progress *p);
/* The line for these numbers, into out (for tests and the redraw). */
void fetch_progress_format(char *out, size_t outlen, off_t have, off_t total, double secs,
			   double rate);

#endif
