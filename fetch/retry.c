/* retry: which failures are worth another try, and the wait. */
#include "retry.h"

#include "date.h"

int fetch_retry_status(int status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 ||
	       status == 503 || status == 504;
}

/* Retry-After in seconds from now, or -1 when unusable. */
static long retry_after_s(const char *v, size_t n, time_t now)
{
	long s = 0;
	time_t when;
	size_t i = 0;

	if (n > 0 && v[0] >= '0' && v[0] <= '9') {
		for (; i < n && v[i] >= '0' && v[i] <= '9'; i++)
			s = s > 100000000L ? s : s * 10 + (v[i] - '0');
		return i == n ? s : -1;
	}
	if (date_parse(v, n, &when) != 0)
		return -1;
	return when <= now ? 0 : (long)(when - now);
}

long fetch_retry_delay_ms(unsigned retry, const char *retry_after, size_t n, time_t now,
			  long cap_ms, int *from_server)
{
	unsigned doublings = retry > 1 ? retry - 1 : 0;
	long ms = 1000L << (doublings > 6 ? 6 : doublings), cap = FETCH_RETRY_CAP_S * 1000L;
	long after = retry_after ? retry_after_s(retry_after, n, now) : -1;

	*from_server = after >= 0;
	if (after >= 0) {
		ms = after * 1000;
		cap = FETCH_RETRY_AFTER_CAP_S * 1000L;
	}
	if (ms > cap)
		ms = cap;
	if (cap_ms >= 0 && ms > cap_ms)
		ms = cap_ms;
	return ms;
}
