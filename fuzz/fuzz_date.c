/* fuzz_date: date_parse on any bytes (never reading past n), and the round
 * trip: a parsed time formats to an IMF-fixdate that parses back to itself. */
#include <time.h>

#include "date.h"
#include "fuzz.h"

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
		FUZZ_ASSERT(back == t);
	}
	free(s);
	return 0;
}
