/* progress: the bar's text and when to redraw it. */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static double prog_elapsed(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/* "12.3 MiB" */
static void prog_size(char *out, size_t outlen, double n)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;

	while (n >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		n /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outlen, "%.0f B", n);
	else
		snprintf(out, outlen, "%.1f %s", n, units[u]);
}

void fetch_progress_format(char *out, size_t outlen, off_t have, off_t total, double secs,
			   double rate)
{
	char h[32], r[32];

	prog_size(h, sizeof(h), (double)have);
	prog_size(r, sizeof(r), rate);
	if (total > 0) {
		double pct = 100.0 * (double)have / (double)total;
		double left = rate > 0 ? (double)(total - have) / rate : -1;
		if (left >= 0)
			snprintf(out, outlen, "%6.2f%%  %s  %s/s  ETA %02d:%02d", pct, h, r,
				 (int)(left / 60), (int)left % 60);
		else
			snprintf(out, outlen, "%6.2f%%  %s  %s/s  ETA --:--", pct, h, r);
		return;
	}
	snprintf(out, outlen, "%s  %s/s  %.0f s", h, r, secs);
}

static void prog_draw(struct fetch_progress *p, const struct timespec *now)
{
	char line[128], buf[200];
	double secs = prog_elapsed(&p->start, now);
	double rate = secs > 0 ? (double)p->done / secs : 0;
	int n;

	fetch_progress_format(line, sizeof(line), p->base + p->done, p->total, secs, rate);
	/* \r then erase to the end of the line: one write, redrawn in place. */
	n = snprintf(buf, sizeof(buf), "\r%s%s\033[K", p->prefix, line);
	if (n > 0 && write(STDERR_FILENO, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) > 0)
		p->drawn = 1;
	p->last = *now;
}

void fetch_progress_start(struct fetch_progress *p, int on, struct fetch_progress_slot *slot,
			  off_t base, off_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = on;
	p->slot = slot;
	if (slot) {
		__atomic_store_n(&slot->total, total, __ATOMIC_RELAXED);
		__atomic_store_n(&slot->have, base, __ATOMIC_RELAXED);
	}
	p->base = base;
	p->total = total;
	if (on)
		clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

void fetch_progress_add(struct fetch_progress *p, size_t n)
{
	struct timespec now;

	p->done += (off_t)n;
	if (p->slot)
		__atomic_store_n(&p->slot->have, p->base + p->done, __ATOMIC_RELAXED);
	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (prog_elapsed(&p->last, &now) * 1000 >= FETCH_PROGRESS_MS)
		prog_draw(p, &now);
}

void fetch_progress_draw(struct fetch_progress *p)
{
	struct timespec now;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	prog_draw(p, &now);
}

void fetch_progress_end(struct fetch_progress *p)
{
	if (!p->on)
		return;
	fetch_progress_draw(p);
	if (p->drawn && write(STDERR_FILENO, "\n", 1) < 0)
		p->drawn = 0;
	p->on = 0; /* ended: a second call draws nothing */
}
