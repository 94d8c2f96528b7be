/* fuzz_listing: directory listing pages for hostile file names.
 *
 * Input: byte 0 (bit 0: a directory rather than a file), then a name (any
 * bytes; '/' and NUL, which no name can hold, become '_'; at most 255).
 * The entry is created as "/<name>/<name>" beneath a scratch root and the
 * page of "/<name>/" rendered; then both are renamed "x" and the page of
 * "/x/" rendered again. Properties: both pages have the same number of '<', '>' and
 * '"' (nothing from the name or path escaped the escaping, so no markup or
 * attribute can be injected); every href is made only of unreserved
 * characters, "%XX", '/' and "../" (so a name like "javascript:x" cannot
 * become a scheme); one href decodes back to exactly the name. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buffer.h"
#include "fuzz.h"
#include "listing.h"
#include "url.h"

static char scratch[PATH_MAX];
static int dirfd_scratch = -1;
static struct path_root root;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char tmpl[] = "/tmp/fuzz_listing.XXXXXX";
	if (mkdtemp(tmpl) == NULL)
		abort();
	snprintf(scratch, sizeof scratch, "%s", tmpl);
	dirfd_scratch = open(scratch, O_RDONLY | O_DIRECTORY);
	if (dirfd_scratch < 0 || path_root_open(&root, scratch) != 0)
		abort();
	return 0;
}

static size_t count(const struct buffer *b, char c)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == c;
	return n;
}

static int render(struct buffer *out, const char *seg, size_t seg_len)
{
	char path[300];
	path[0] = '/';
	memcpy(path + 1, seg, seg_len);
	path[seg_len + 1] = '/';
	path[seg_len + 2] = '\0';
	int fd = openat(dirfd_scratch, path + 1, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		abort();
	struct listing_dir d = {&root, fd, path, seg_len + 2};
	struct listing_view view = {.show_dot = 1};
	int rc = listing_render(out, &d, &view);
	close(fd);
	return rc;
}

/* Checks every href; returns 1 when one decodes to name (+ '/' for a dir). */
static int check_hrefs(const struct buffer *b, const char *name, size_t n, int dir)
{
	int found = 0;
	const char *p = b->data, *end = b->data + b->len;
	while ((p = memmem(p, (size_t)(end - p), "href=\"", 6)) != NULL) {
		p += 6;
		const char *q = memchr(p, '"', (size_t)(end - p));
		FUZZ_ASSERT(q != NULL);
		size_t len = (size_t)(q - p);
		if (*p == '?') { /* a column's sort link: our own text, no name in it */
			FUZZ_ASSERT(strspn(p, "?=&;abcdefghijklmnopqrstuvwxyz") >= len);
			p = q + 1;
			continue;
		}
		FUZZ_ASSERT(strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789-._~%/") >= len);
		char dec[1024];
		FUZZ_ASSERT(len < sizeof dec);
		ssize_t d = url_decode(p, len, dec);
		FUZZ_ASSERT(d >= 0);
		if ((size_t)d == n + (size_t)dir && memcmp(dec, name, n) == 0 &&
		    (!dir || dec[n] == '/'))
			found = 1;
		p = q + 1;
	}
	return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int dir = data[0] & 1;
	char name[256];
	size_t n = size - 1 > 255 ? 255 : size - 1;
	for (size_t i = 0; i < n; i++)
		name[i] = data[i + 1] == '/' || data[i + 1] == '\0' ? '_' : (char)data[i + 1];
	name[n] = '\0';
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "x") == 0)
		return 0;
	if (mkdirat(dirfd_scratch, name, 0755) != 0)
		return 0; /* e.g. ENAMETOOLONG on this filesystem */
	int parent = openat(dirfd_scratch, name, O_RDONLY | O_DIRECTORY);
	if (parent < 0)
		abort();
	int made = dir ? mkdirat(parent, name, 0755)
		       : (close(openat(parent, name, O_CREAT | O_WRONLY, 0644)), 0);
	if (made != 0 || faccessat(parent, name, F_OK, 0) != 0)
		abort();

	struct buffer a, b;
	buffer_init(&a, 1 << 20);
	buffer_init(&b, 1 << 20);
	int ra = render(&a, name, n);
	if (renameat(parent, name, parent, "x") != 0 ||
	    renameat(dirfd_scratch, name, dirfd_scratch, "x") != 0)
		abort();
	int rb = render(&b, "x", 1);
	FUZZ_ASSERT(ra == 0 && rb == 0);
	FUZZ_ASSERT(count(&a, '<') == count(&b, '<'));
	FUZZ_ASSERT(count(&a, '>') == count(&b, '>'));
	FUZZ_ASSERT(count(&a, '"') == count(&b, '"'));
	FUZZ_ASSERT(check_hrefs(&a, name, n, dir));
	FUZZ_ASSERT(check_hrefs(&b, "x", 1, dir));
	unlinkat(parent, "x", dir ? AT_REMOVEDIR : 0);
	close(parent);
	unlinkat(dirfd_scratch, "x", AT_REMOVEDIR);
	buffer_free(&a);
	buffer_free(&b);
	return 0;
}
