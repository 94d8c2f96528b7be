/* Check suite for lib/path: table-driven normalisation, then real files and
 * symlinks in a temporary root, with openat2 and (under a seccomp filter that
 * makes openat2 fail) with the checked fallback. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "path.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- path_normalize ----------------------------------------------------- */

static const struct {
	const char *in, *out;
} norm_good[] = {
    {"/", "/"},
    {"/a", "/a"},
    {"/a/", "/a/"},
    {"/index.html", "/index.html"},
    {"/a/./b//c/../d", "/a/b/d"},
    {"/../../etc/passwd", "/etc/passwd"},
    {"/..", "/"},
    {"/../", "/"},
    {"/../..", "/"},
    {"/.", "/"},
    {"/./", "/"},
    {"//", "/"},
    {"///a///b///", "/a/b/"},
    {"/a/..", "/"},
    {"/a/../", "/"},
    {"/a/b/..", "/a/"},
    {"/a/.", "/a/"},
    {"/a/./", "/a/"},
    {"/a/b/../../..", "/"},
    {"/a/b/../../../c", "/c"},
    {"/a/b/c/../../d/./e/../f", "/a/d/f"},
    {"/dir/sub/", "/dir/sub/"},
    /* Names that only look like dot segments are names. */
    {"/...", "/..."},
    {"/..a", "/..a"},
    {"/a..", "/a.."},
    {"/.a/.b/", "/.a/.b/"},
    {"/.well-known/x", "/.well-known/x"},
    /* Already decoded: escapes and backslashes are plain bytes here. */
    {"/%2e%2e/x", "/%2e%2e/x"},
    {"/a\\..\\b", "/a\\..\\b"},
    {"/caf\xc3\xa9 menu.txt", "/caf\xc3\xa9 menu.txt"},
};

START_TEST(normalize_good)
{
	char out[256], inplace[256];
	const char *in = norm_good[_i].in;
	size_t n = strlen(in);
	ssize_t len = path_normalize(in, n, out, sizeof out);

	ck_assert_msg(len >= 0, "path_normalize(\"%s\") failed", in);
	ck_assert_uint_eq((size_t)len, strlen(norm_good[_i].out));
	ck_assert_str_eq(out, norm_good[_i].out); /* NUL-terminated too */
	/* In place, with exactly n + 1 bytes of room. */
	memcpy(inplace, in, n + 1);
	ck_assert_int_eq(path_normalize(inplace, n, inplace, n + 1), len);
	ck_assert_str_eq(inplace, norm_good[_i].out);
	/* Idempotent. */
	ck_assert_int_eq(path_normalize(out, (size_t)len, out, sizeof out), len);
	ck_assert_str_eq(out, norm_good[_i].out);
}
END_TEST

static const struct {
	const char *in;
	size_t n;
} norm_bad[] = {
    {"", 0},    {"a", 1},     {"a/b", 3}, {"./a", 3}, {"../a", 4},   {" /a", 3},
    {"\\a", 2}, {"/a\0b", 4}, {"\0", 1},  {"/\0", 2}, {"/a/\0/", 5}, {"/..\0/etc", 8},
};

START_TEST(normalize_bad)
{
	char out[64];

	memset(out, 'x', sizeof out);
	ck_assert_int_eq(path_normalize(norm_bad[_i].in, norm_bad[_i].n, out, sizeof out), -1);
}
END_TEST

START_TEST(normalize_outcap)
{
	char out[16];

	/* "/abc" needs 5 bytes with its NUL. */
	for (size_t cap = 0; cap < 5; cap++)
		ck_assert_int_eq(path_normalize("/abc", 4, out, cap), -1);
	ck_assert_int_eq(path_normalize("/abc", 4, out, 5), 4);
	ck_assert_str_eq(out, "/abc");
	ck_assert_int_eq(path_normalize("/", 1, out, 1), -1);
	ck_assert_int_eq(path_normalize("/", 1, out, 2), 1);
	/* n + 1 bytes always suffice, even when the result is shorter. */
	ck_assert_int_eq(path_normalize("/a/../b", 7, out, 8), 2);
	ck_assert_str_eq(out, "/b");
	ck_assert_int_eq(path_normalize("/a/b", 4, out, 4), -1);
	ck_assert_int_eq(path_normalize("/a/b/", 5, out, 5), -1);
	ck_assert_int_eq(path_normalize("/a/b/", 5, out, 6), 5);
	/* n bounds the input: bytes after it are not read. */
	ck_assert_int_eq(path_normalize("/abc/..", 4, out, sizeof out), 4);
	ck_assert_str_eq(out, "/abc");
}
END_TEST

START_TEST(normalize_no_over_read)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	char *base, *s, out[32];

	base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(base, MAP_FAILED);
	ck_assert_int_eq(mprotect(base + page, page, PROT_NONE), 0);
	s = base + page - 5;
	memcpy(s, "/a/..", 5); /* no NUL: the last byte is right before the guard */
	ck_assert_int_eq(path_normalize(s, 5, out, sizeof out), 1);
	memcpy(s + 3, "/.", 2);
	ck_assert_int_eq(path_normalize(s, 5, out, sizeof out), 3);
	ck_assert_str_eq(out, "/a/");
	munmap(base, 2 * page);
}
END_TEST

/* Random paths over {'/', '.', 'a'}: the output starts with '/', holds no
 * "." or ".." segment and no "//", never grows, and is a fixed point. */
START_TEST(normalize_properties)
{
	static const char alphabet[] = "/./a/../";
	unsigned seed = 4242;
	char in[64], out[64], again[64];

	for (int round = 0; round < 20000; round++) {
		size_t n = 1 + (size_t)(rand_r(&seed) % 40);
		ssize_t len;

		in[0] = '/';
		for (size_t i = 1; i < n; i++)
			in[i] = alphabet[rand_r(&seed) % (int)(sizeof alphabet - 1)];
		in[n] = '\0';
		len = path_normalize(in, n, out, sizeof out);
		ck_assert_int_ge(len, 1);
		ck_assert_uint_le((size_t)len, n);
		ck_assert_int_eq(out[0], '/');
		ck_assert_msg(strstr(out, "//") == NULL, "%s -> %s", in, out);
		ck_assert_msg(strstr(out, "/./") == NULL && strstr(out, "/../") == NULL, "%s -> %s",
		              in, out);
		ck_assert_msg(strcmp(out + len - (len >= 2 ? 2 : 0), "/.") != 0, "%s -> %s", in,
		              out);
		ck_assert_msg(len < 3 || strcmp(out + len - 3, "/..") != 0, "%s -> %s", in, out);
		ck_assert_int_eq(path_normalize(out, (size_t)len, again, sizeof again), len);
		ck_assert_str_eq(again, out);
	}
}
END_TEST

/* ---- path_errno_status -------------------------------------------------- */

static const struct {
	int err, status;
} status_cases[] = {
    {ENOENT, 404}, {ENOTDIR, 404}, {ENAMETOOLONG, 404}, {ELOOP, 404},  {EACCES, 403}, {EPERM, 403},
    {EXDEV, 403},  {EIO, 500},     {EMFILE, 500},       {ENOMEM, 500}, {0, 500},      {EINVAL, 500},
};

START_TEST(errno_status)
{
	ck_assert_int_eq(path_errno_status(status_cases[_i].err), status_cases[_i].status);
}
END_TEST

/* ---- a real tree -------------------------------------------------------- */

/* base/root is the root; base/outside and base/root2 (same name prefix)
 * hold what must stay unreachable; base/rootlink is a symlink to the root. */
static char g_base[PATH_MAX];

/* dir/rel into out, or abort: a cut path would test the wrong file. */
static void join_path(char *out, size_t cap, const char *dir, const char *rel)
{
	int n = snprintf(out, cap, "%s/%s", dir, rel);

	if (n < 0 || (size_t)n >= cap)
		abort();
}

static void base_path(char *out, size_t cap, const char *rel)
{
	join_path(out, cap, g_base, rel);
}

static void put_file(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	base_path(p, sizeof p, rel);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static void put_dir(const char *rel)
{
	char p[PATH_MAX];

	base_path(p, sizeof p, rel);
	if (mkdir(p, 0755) != 0)
		abort();
}

/* A symlink at rel; a target starting with '@' is made absolute under base. */
static void put_link(const char *target, const char *rel)
{
	char p[PATH_MAX], t[PATH_MAX];

	base_path(p, sizeof p, rel);
	if (target[0] == '@')
		base_path(t, sizeof t, target + 1);
	else
		snprintf(t, sizeof t, "%s", target);
	if (symlink(t, p) != 0)
		abort();
}

static void tree_setup(void)
{
	char fifo[PATH_MAX];

	snprintf(g_base, sizeof g_base, "%s/check_path.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(g_base))
		abort();
	put_dir("root");
	put_dir("root/dir");
	put_dir("root/dir/sub");
	put_dir("outside");
	put_dir("root2");
	put_file("root/file.txt", "hello");
	put_file("root/dir/inner.txt", "inner");
	put_file("root/dir/sub/deep.txt", "deep");
	put_file("outside/secret.txt", "secret");
	put_file("root2/x.txt", "sibling");
	base_path(fifo, sizeof fifo, "outside/fifo");
	if (mkfifo(fifo, 0644) != 0)
		abort();
	put_link("root", "rootlink");
	/* Inside the root. */
	put_link("file.txt", "root/link_in");
	put_link("../file.txt", "root/dir/link_up_in");
	put_link("../../dir/inner.txt", "root/dir/sub/link_up2_in");
	put_link("@root/file.txt", "root/link_in_abs");
	put_link("@rootlink/dir/inner.txt", "root/link_in_abs_via_rootlink");
	put_link("dir", "root/dirlink_in");
	put_link("@root/dir", "root/dirlink_in_abs");
	put_link("link_in", "root/link_chain");
	/* Leaving it. */
	put_link("../outside/secret.txt", "root/link_out_rel");
	put_link("@outside/secret.txt", "root/link_out_abs");
	put_link("../../outside/secret.txt", "root/dir/link_out_rel2");
	put_link("@outside", "root/dirlink_out");
	put_link("../outside", "root/dirlink_out_rel");
	put_link("@root2/x.txt", "root/link_prefix");
	put_link("../root2", "root/dirlink_prefix");
	put_link("/etc/passwd", "root/link_etc");
	put_link("/", "root/link_slash");
	put_link("..", "root/link_dotdot");
	put_link("/proc/self/root", "root/link_magic");
	put_link("../outside/fifo", "root/link_fifo_out");
	put_link("link_out_abs", "root/link_chain_out");
	/* Broken. */
	put_link("nothing-here", "root/dangling");
	put_link("loop2", "root/loop1");
	put_link("loop1", "root/loop2");
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

static void tree_teardown(void)
{
	if (g_base[0])
		nftw(g_base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	g_base[0] = '\0';
}

struct open_case {
	const char *path;
	int flags;
	int err;             /* 0: must open */
	const char *content; /* what a regular file holds, or NULL */
};

static const struct open_case open_cases[] = {
    {"/file.txt", O_RDONLY, 0, "hello"},
    {"/", O_RDONLY | O_DIRECTORY, 0, NULL},
    {"//", O_RDONLY, 0, NULL},
    {"/dir", O_RDONLY, 0, NULL},
    {"/dir/", O_RDONLY | O_DIRECTORY, 0, NULL},
    {"/dir/inner.txt", O_RDONLY, 0, "inner"},
    {"/dir/sub/deep.txt", O_RDONLY, 0, "deep"},
    {"/missing", O_RDONLY, ENOENT, NULL},
    {"/dir/missing/x", O_RDONLY, ENOENT, NULL},
    {"/file.txt/x", O_RDONLY, ENOTDIR, NULL},
    {"/file.txt", O_RDONLY | O_DIRECTORY, ENOTDIR, NULL},
    /* Symlinks that stay inside are followed. */
    {"/link_in", O_RDONLY, 0, "hello"},
    {"/link_chain", O_RDONLY, 0, "hello"},
    {"/dir/link_up_in", O_RDONLY, 0, "hello"},
    {"/dir/sub/link_up2_in", O_RDONLY, 0, "inner"},
    {"/link_in_abs", O_RDONLY, 0, "hello"},
    {"/link_in_abs_via_rootlink", O_RDONLY, 0, "inner"},
    {"/dirlink_in/inner.txt", O_RDONLY, 0, "inner"},
    {"/dirlink_in_abs/sub/deep.txt", O_RDONLY, 0, "deep"},
    {"/dirlink_in/", O_RDONLY | O_DIRECTORY, 0, NULL},
    /* Symlinks that leave are refused, whatever the route. */
    {"/link_out_rel", O_RDONLY, EXDEV, NULL},
    {"/link_out_abs", O_RDONLY, EXDEV, NULL},
    {"/dir/link_out_rel2", O_RDONLY, EXDEV, NULL},
    {"/dirlink_out/secret.txt", O_RDONLY, EXDEV, NULL},
    {"/dirlink_out_rel/secret.txt", O_RDONLY, EXDEV, NULL},
    {"/dirlink_out", O_RDONLY, EXDEV, NULL},
    {"/link_prefix", O_RDONLY, EXDEV, NULL}, /* root2 shares root's prefix */
    {"/dirlink_prefix/x.txt", O_RDONLY, EXDEV, NULL},
    {"/link_etc", O_RDONLY, EXDEV, NULL},
    {"/link_slash/etc/passwd", O_RDONLY, EXDEV, NULL},
    {"/link_dotdot/outside/secret.txt", O_RDONLY, EXDEV, NULL},
    {"/link_dotdot", O_RDONLY, EXDEV, NULL},
    {"/link_magic/etc/passwd", O_RDONLY, EXDEV, NULL},
    {"/link_chain_out", O_RDONLY, EXDEV, NULL},
    /* A FIFO outside: refused without blocking in open(). */
    {"/link_fifo_out", O_RDONLY, EXDEV, NULL},
    /* Broken links. */
    {"/dangling", O_RDONLY, ENOENT, NULL},
    {"/loop1", O_RDONLY, ELOOP, NULL},
    {"/link_in", O_RDONLY | O_NOFOLLOW, ELOOP, NULL},
};

/* Runs one case; returns NULL or what went wrong (in why). */
static const char *run_open_case(const struct path_root *r, const struct open_case *c, char *why,
                                 size_t whylen)
{
	char buf[64];
	ssize_t n;
	int fd, flags;

	errno = 0;
	fd = path_open(r, c->path, c->flags);
	if (c->err != 0) {
		if (fd >= 0) {
			close(fd);
			snprintf(why, whylen, "%s: opened, want errno %d", c->path, c->err);
			return why;
		}
		if (errno != c->err) {
			snprintf(why, whylen, "%s: errno %d, want %d", c->path, errno, c->err);
			return why;
		}
		return NULL;
	}
	if (fd < 0) {
		snprintf(why, whylen, "%s: errno %d, want success", c->path, errno);
		return why;
	}
	flags = fcntl(fd, F_GETFD);
	if (flags < 0 || !(flags & FD_CLOEXEC)) {
		close(fd);
		snprintf(why, whylen, "%s: no FD_CLOEXEC", c->path);
		return why;
	}
	if (c->content) {
		n = read(fd, buf, sizeof buf - 1);
		if (n < 0 || (size_t)n != strlen(c->content) ||
		    memcmp(buf, c->content, (size_t)n) != 0) {
			close(fd);
			snprintf(why, whylen, "%s: wrong content", c->path);
			return why;
		}
	}
	close(fd);
	return NULL;
}

/* Every case against a root given as `dir` (relative to base). */
static const char *run_all_cases(const char *dir, char *why, size_t whylen)
{
	struct path_root r;
	char p[PATH_MAX];
	const char *bad = NULL;

	base_path(p, sizeof p, dir);
	if (path_root_open(&r, p) != 0) {
		snprintf(why, whylen, "path_root_open(%s): errno %d", p, errno);
		return why;
	}
	for (size_t i = 0; i < ARRAY_LEN(open_cases) && !bad; i++)
		bad = run_open_case(&r, &open_cases[i], why, whylen);
	path_root_close(&r);
	return bad;
}

START_TEST(open_cases_openat2)
{
	char why[PATH_MAX + 64];
	const char *bad = run_all_cases("root", why, sizeof why);

	ck_assert_msg(bad == NULL, "%s", bad);
}
END_TEST

START_TEST(open_cases_root_through_symlink)
{
	char why[PATH_MAX + 64];
	const char *bad;

	bad = run_all_cases("rootlink", why, sizeof why);
	ck_assert_msg(bad == NULL, "rootlink: %s", bad);
	bad = run_all_cases("rootlink/", why, sizeof why);
	ck_assert_msg(bad == NULL, "rootlink/: %s", bad);
	bad = run_all_cases("root/dir/..", why, sizeof why);
	ck_assert_msg(bad == NULL, "root/dir/..: %s", bad);
}
END_TEST

/* The same cases in a child whose openat2 fails as on an old kernel
 * (ENOSYS) or under a seccomp profile that does not know it (EPERM): every
 * open then takes the checked fallback. */
static int run_without_openat2(int err)
{
	struct sock_filter code[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = (unsigned short)ARRAY_LEN(code), .filter = code};
	char why[PATH_MAX + 64];
	const char *bad;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
			_exit(2);
		/* The filter must really be in force, or this proves nothing. */
		if (syscall(SYS_openat2, AT_FDCWD, ".", NULL, 0) != -1 || errno != err)
			_exit(3);
		bad = run_all_cases("root", why, sizeof why);
		if (!bad)
			bad = run_all_cases("rootlink", why, sizeof why);
		if (bad)
			fprintf(stderr, "without openat2 (errno %d): %s\n", err, bad);
		_exit(bad ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

START_TEST(open_cases_fallback_enosys)
{
#if defined(__x86_64__)
	ck_assert_int_eq(run_without_openat2(ENOSYS), 0);
#endif
}
END_TEST

START_TEST(open_cases_fallback_eperm)
{
#if defined(__x86_64__)
	ck_assert_int_eq(run_without_openat2(EPERM), 0);
#endif
}
END_TEST

START_TEST(root_open_and_close)
{
	struct path_root r;
	char p[PATH_MAX], real[PATH_MAX];
	int fd;

	/* The real path is kept, without a trailing slash. */
	base_path(p, sizeof p, "rootlink/");
	ck_assert_int_eq(path_root_open(&r, p), 0);
	ck_assert_ptr_nonnull(realpath(g_base, real));
	ck_assert_uint_eq(r.real_len, strlen(r.real));
	ck_assert_int_eq(strncmp(r.real, real, strlen(real)), 0);
	ck_assert_str_eq(r.real + strlen(real), "/root");
	ck_assert_int_ge(r.fd, 0);
	ck_assert_int_ne(fcntl(r.fd, F_GETFD) & FD_CLOEXEC, 0);
	path_root_close(&r);
	ck_assert_int_eq(r.fd, -1);
	path_root_close(&r); /* twice is harmless */

	/* Missing, or not a directory. */
	base_path(p, sizeof p, "nope");
	errno = 0;
	ck_assert_int_eq(path_root_open(&r, p), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(r.fd, -1);
	base_path(p, sizeof p, "root/file.txt");
	errno = 0;
	ck_assert_int_eq(path_root_open(&r, p), -1);
	ck_assert_int_eq(errno, ENOTDIR);

	/* "/" as the root: the real path is "/" and everything is inside. */
	ck_assert_int_eq(path_root_open(&r, "/"), 0);
	ck_assert_str_eq(r.real, "/");
	ck_assert_uint_eq(r.real_len, 1);
	join_path(p, sizeof p, real, "outside/secret.txt");
	fd = path_open(&r, p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	close(fd);
	join_path(p, sizeof p, real, "root/link_out_abs");
	fd = path_open(&r, p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	close(fd);
	path_root_close(&r);
}
END_TEST

/* What httpd does: decode elsewhere, normalise, then open; a traversal
 * attempt normalises to a name inside the root, never outside. */
START_TEST(normalize_then_open)
{
	static const char *const attempts[] = {"/../outside/secret.txt", "/../../../../etc/passwd",
	                                       "/dir/../../outside/secret.txt",
	                                       "/./../root2/x.txt"};
	struct path_root r;
	char p[PATH_MAX], norm[PATH_MAX];

	base_path(p, sizeof p, "root");
	ck_assert_int_eq(path_root_open(&r, p), 0);
	for (size_t i = 0; i < ARRAY_LEN(attempts); i++) {
		ssize_t n = path_normalize(attempts[i], strlen(attempts[i]), norm, sizeof norm);

		ck_assert_int_gt(n, 0);
		errno = 0;
		ck_assert_int_eq(path_open(&r, norm, O_RDONLY), -1);
		ck_assert_int_eq(errno, ENOENT);
		ck_assert_int_eq(path_errno_status(errno), 404);
	}
	ck_assert_int_eq(path_normalize("/dir/../file.txt", 16, norm, sizeof norm), 9);
	int fd = path_open(&r, norm, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	close(fd);
	/* A name too long for the file system is 404 material, not 500. */
	memset(norm, 'n', 400);
	norm[0] = '/';
	norm[400] = '\0';
	errno = 0;
	ck_assert_int_eq(path_open(&r, norm, O_RDONLY), -1);
	ck_assert_int_eq(path_errno_status(errno), 404);
	path_root_close(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("path");
	TCase *tc = tcase_create("normalize");

	tcase_add_loop_test(tc, normalize_good, 0, (int)ARRAY_LEN(norm_good));
	tcase_add_loop_test(tc, normalize_bad, 0, (int)ARRAY_LEN(norm_bad));
	tcase_add_test(tc, normalize_outcap);
	tcase_add_test(tc, normalize_no_over_read);
	tcase_add_test(tc, normalize_properties);
	tcase_add_loop_test(tc, errno_status, 0, (int)ARRAY_LEN(status_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("open");
	/* Built once in the parent, so it is removed even when a test fails. */
	tcase_add_unchecked_fixture(tc, tree_setup, tree_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, open_cases_openat2);
	tcase_add_test(tc, open_cases_root_through_symlink);
	tcase_add_test(tc, open_cases_fallback_enosys);
	tcase_add_test(tc, open_cases_fallback_eperm);
	tcase_add_test(tc, root_open_and_close);
	tcase_add_test(tc, normalize_then_open);
	suite_add_tcase(s, tc);

	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
