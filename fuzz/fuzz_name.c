/* fuzz_name: the names fetch gives files, from a URL path and from a
 * Content-Disposition value (--content-disposition).
 *
 * Input: the bytes are both a request target and a header value. Properties:
 * a name is never empty, "." or "..", never hidden, never holds '/', '\' or
 * a control byte (it stays in the chosen folder), and fits FETCH_NAME_MAX. */
#include <string.h>

#include "fuzz.h"
#include "name.h"

static void check_name(const char *name)
{
	size_t n = strnlen(name, FETCH_NAME_MAX + 1);

	FUZZ_ASSERT(n > 0 && n <= FETCH_NAME_MAX);
	FUZZ_ASSERT(name[0] != '.');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		FUZZ_ASSERT(c >= 0x20 && c != 0x7f && c != '/' && c != '\\');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	char out[FETCH_NAME_MAX + 1];

	/* A target as struct url holds it: starting with '/', no NUL inside. */
	if (size > 0 && data[0] == '/' && strlen(s) == size) {
		fetch_name_from_target(s, out, sizeof(out));
		check_name(out);
	}
	if (fetch_name_from_disposition(s, size, out, sizeof(out)) == 0)
		check_name(out);
	free(s);
	return 0;
}
