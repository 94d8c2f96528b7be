/* fuzz_date: date_parse on any bytes (never reading past n), and the round
 * trip: a parsed time formats to an IMF-fixdate that parses back to itself.
 * date_format clamps to years 0001..9999 (documented), so the round trip is
 * asserted inside that range only: "Fri, 31 Dec 9999 23:59:60 GMT" (a leap
 * second) parses to year 10000, which formats clamped. */
#include <time.h>

#include "date.h"
#include "fuzz.h"

#define FUZZ_DATE_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define FUZZ_DATE_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_memdup(data, size);
	time_t t;
	if (date_parse(s, size, &t) == 0) {
		char buf[DATE_LEN + 1];
		time_t back;
		date_format(t, buf);
		FUZZ_ASSERT(strlen(buf) == DATE_LEN);
		FUZZ_ASSERT(date_parse(buf, DATE_LEN, &back) == 0);
		if (t >= FUZZ_DATE_MIN && t <= FUZZ_DATE_MAX)
			FUZZ_ASSERT(back == t);
	}
	free(s);
	return 0;
}
