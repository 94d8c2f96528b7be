/* fuzz_path: path_normalize and path_open.
 *
 * Properties: a normalised path starts with '/', has no "." or ".." segment,
 * no "//" and no NUL, is no longer than its input, and normalising it again
 * changes nothing. Whatever the input, a file path_open opens beneath the
 * fixture root (which holds symlinks pointing inside, to the root's parent,
 * to "/" and to /etc) is inside the root's real path. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "path.h"

static struct path_root fixture;
static int fixture_ok;

int LLVMFuzzerInitialize(int *argc, char ***argv);

static void touch(const char *root, const char *rel)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof p, "%s/%s", root, rel) >= (int)sizeof p)
		abort();
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

static void link_at(const char *root, const char *target, const char *rel)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof p, "%s/%s", root, rel) >= (int)sizeof p)
		abort();
	if (symlink(target, p) != 0)
		abort();
}

/* Builds <tmp>/outside (a file that must never be reachable) and <tmp>/root. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char tmpl[] = "/tmp/fuzz_path.XXXXXX";
	char root[PATH_MAX], sub[PATH_MAX], abs_in[PATH_MAX];
	const char *base = mkdtemp(tmpl);
	if (base == NULL)
		abort();
	touch(base, "outside");
	if (snprintf(root, sizeof root, "%s/root", base) >= (int)sizeof root ||
	    snprintf(sub, sizeof sub, "%s/root/a", base) >= (int)sizeof sub ||
	    snprintf(abs_in, sizeof abs_in, "%s/root/a/f", base) >= (int)sizeof abs_in)
		abort();
	if (mkdir(root, 0755) != 0 || mkdir(sub, 0755) != 0)
		abort();
	touch(root, "index.html");
	touch(root, "a/f");
	touch(root, "..x");
	link_at(root, "..", "up");
	link_at(root, "../outside", "out");
	link_at(root, "/", "slash");
	link_at(root, "/etc/passwd", "passwd");
	link_at(root, "a/f", "in");
	link_at(root, abs_in, "absin");
	link_at(root, "../root/a", "a/back");
	fixture_ok = path_root_open(&fixture, root) == 0;
	/* The directory stays for the process's life; /tmp is cleaned by the runner. */
	return 0;
}

static int has_bad_segment(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\0')
			return 1;
		if (p[i] != '/')
			continue;
		if (i + 1 < n && p[i + 1] == '/')
			return 1;
		size_t end = i + 1;
		while (end < n && p[end] != '/')
			end++;
		size_t seg = end - (i + 1);
		if ((seg == 1 && p[i + 1] == '.') || (seg == 2 && p[i + 1] == '.' && p[i + 2] == '.'))
			return 1;
	}
	return 0;
}

static void check_open(const char *norm)
{
	if (!fixture_ok)
		return;
	int fd = path_open(&fixture, norm, O_RDONLY);
	if (fd < 0)
		return;
	char proc[64], real[PATH_MAX];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, real, sizeof real - 1);
	close(fd);
	FUZZ_ASSERT(n > 0);
	real[n] = '\0';
	FUZZ_ASSERT(strncmp(real, fixture.real, fixture.real_len) == 0);
	FUZZ_ASSERT(real[fixture.real_len] == '\0' || real[fixture.real_len] == '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_memdup(data, size);
	size_t cap = size + 2;
	char *out = malloc(cap);
	char *again = malloc(cap);
	if (out == NULL || again == NULL)
		abort();
	ssize_t n = path_normalize(in, size, out, cap);
	if (n >= 0) {
		FUZZ_ASSERT((size_t)n <= size && (size_t)n < cap);
		FUZZ_ASSERT(n >= 1 && out[0] == '/');
		FUZZ_ASSERT(!has_bad_segment(out, (size_t)n));
		ssize_t m = path_normalize(out, (size_t)n, again, cap);
		FUZZ_ASSERT(m == n && memcmp(again, out, (size_t)n) == 0);
		char *z = fuzz_strndup((const uint8_t *)out, (size_t)n);
		check_open(z);
		free(z);
	}
	free(in);
	free(out);
	free(again);
	return 0;
}
