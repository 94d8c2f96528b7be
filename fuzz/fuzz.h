/* fuzz: helpers shared by the libFuzzer harnesses.
 *
 * A failed property calls FUZZ_ASSERT, which prints the broken invariant and
 * aborts, so libFuzzer saves the input as a crash (crash-<sha1>) that then
 * becomes a regression test. assert() is not used: it vanishes under NDEBUG. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(cond)                                                         \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, \
			        __LINE__, #cond);                                  \
			abort();                                                  \
		}                                                                 \
	} while (0)

/* A NUL-terminated heap copy of the input (the parsers under test take C strings
 * or must not read past n; a heap copy lets ASan catch any over-read). */
static inline char *fuzz_strndup(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* An exact-size heap copy with no terminator: reading s[n] is an ASan error. */
static inline char *fuzz_memdup(const uint8_t *data, size_t n)
{
	char *s = malloc(n ? n : 1);
	if (s == NULL)
		abort();
	if (n)
		memcpy(s, data, n);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
