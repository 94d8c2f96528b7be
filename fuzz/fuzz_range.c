/* fuzz_range: range_parse on any header value and representation size.
 *
 * Input: 8 bytes of size (little-endian, bounded to 0..2^50) then the value.
 * Properties: RANGE_PARTIAL names a non-empty range inside the representation;
 * only the three documented results come back; the value is never read past n. */
#include <string.h>
#include <sys/types.h>

#include "fuzz.h"
#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	uint64_t raw = 0;
	for (int i = 7; i >= 0; i--)
		raw = raw << 8 | data[i];
	off_t fsize = (off_t)(raw & ((UINT64_C(1) << 50) - 1));
	if (data[0] & 1)
		fsize = (off_t)(raw % 4096); /* small files too, where edges matter */
	size_t n = size - 8;
	char *v = fuzz_memdup(data + 8, n);
	off_t off = -1, len = -1;
	enum range_result r = range_parse(v, n, fsize, &off, &len);
	FUZZ_ASSERT(r == RANGE_FULL || r == RANGE_PARTIAL || r == RANGE_UNSATISFIABLE);
	if (r == RANGE_PARTIAL) {
		FUZZ_ASSERT(off >= 0 && len > 0);
		FUZZ_ASSERT(off < fsize && len <= fsize - off);
	}
	free(v);
	return 0;
}
