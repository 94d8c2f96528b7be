/* idle.c: scenario (g) of the benchmark, many idle keep-alive connections.
 *
 * Usage: idle HOST PORT N PATH PID...
 * Opens N connections to HOST:PORT, makes one keep-alive GET of PATH on each
 * (so each sits in the server's "idle between requests" state, the common
 * one), waits a second, and compares the summed VmRSS of the server's PIDs
 * before and after. While the N connections are held it times requests on
 * fresh connections and on one of the idle ones. Prints one line:
 *   conns=N failed=F rss_before_kb=A rss_after_kb=B bytes_per_conn=X
 *   new_p50_us=.. new_max_us=.. idle_p50_us=.. idle_max_us=..
 * Loopback only; every socket operation is bounded by a 5 s timeout. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define IDLE_PROBES 21
#define IDLE_RESP_MAX 65536

static struct sockaddr_in idle_addr;
static char idle_req[512];
static size_t idle_req_len;

static double idle_now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static long idle_rss_kb(int npids, char **pids)
{
	long sum = 0;
	for (int i = 0; i < npids; i++) {
		char path[64], line[256];
		if (snprintf(path, sizeof path, "/proc/%s/status", pids[i]) >= (int)sizeof path)
			return -1;
		FILE *f = fopen(path, "r");
		if (f == NULL)
			return -1;
		while (fgets(line, sizeof line, f) != NULL) {
			if (strncmp(line, "VmRSS:", 6) == 0)
				sum += strtol(line + 6, NULL, 10);
		}
		fclose(f);
	}
	return sum;
}

static int idle_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&idle_addr, sizeof idle_addr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request on fd, reading the whole response (head + Content-Length
 * body). Returns 0 when a complete 200 response arrived. */
static int idle_request(int fd)
{
	char buf[IDLE_RESP_MAX];
	size_t have = 0;
	if (write(fd, idle_req, idle_req_len) != (ssize_t)idle_req_len)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (end == NULL) {
			if (have == sizeof buf - 1)
				return -1;
			continue;
		}
		char *cl = strcasestr(buf, "\r\ncontent-length:");
		if (cl == NULL || cl > end)
			return -1;
		char *e;
		unsigned long len = strtoul(cl + 17, &e, 10);
		if (e == cl + 17)
			return -1;
		size_t want = (size_t)(end + 4 - buf) + len;
		if (want >= sizeof buf)
			return -1;
		if (have >= want)
			return strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 0 : -1;
	}
}

static int idle_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: idle HOST PORT N PATH PID...\n");
		return 2;
	}
	char *end;
	unsigned long port = strtoul(argv[2], &end, 10);
	unsigned long n = strtoul(argv[3], &end, 10);
	if (port == 0 || port > 65535 || n == 0 || *end != '\0')
		return 2;
	idle_addr.sin_family = AF_INET;
	idle_addr.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, argv[1], &idle_addr.sin_addr) != 1)
		return 2;
	int len = snprintf(idle_req, sizeof idle_req, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", argv[4],
			   argv[1]);
	if (len < 0 || (size_t)len >= sizeof idle_req)
		return 2;
	idle_req_len = (size_t)len;
	int npids = argc - 5;
	char **pids = argv + 5;

	int *fds = calloc(n, sizeof *fds);
	if (fds == NULL)
		return 1;
	long before = idle_rss_kb(npids, pids);
	unsigned long failed = 0;
	for (unsigned long i = 0; i < n; i++) {
		fds[i] = idle_connect();
		if (fds[i] >= 0 && idle_request(fds[i]) < 0) {
			close(fds[i]);
			fds[i] = -1;
		}
		failed += fds[i] < 0;
	}
	sleep(1); /* let the server finish whatever it does after a response */
	long after = idle_rss_kb(npids, pids);

	double fresh[IDLE_PROBES], idle[IDLE_PROBES];
	int idle_fd = -1;
	for (unsigned long i = 0; i < n && idle_fd < 0; i++)
		idle_fd = fds[i];
	for (int i = 0; i < IDLE_PROBES; i++) {
		double t0 = idle_now_us();
		int fd = idle_connect();
		int bad = fd < 0 || idle_request(fd) < 0;
		fresh[i] = bad ? 1e9 : idle_now_us() - t0;
		if (fd >= 0)
			close(fd);
		t0 = idle_now_us();
		bad = idle_fd < 0 || idle_request(idle_fd) < 0;
		idle[i] = bad ? 1e9 : idle_now_us() - t0;
	}
	qsort(fresh, IDLE_PROBES, sizeof fresh[0], idle_cmp);
	qsort(idle, IDLE_PROBES, sizeof idle[0], idle_cmp);
	double per = n > failed ? (double)(after - before) * 1024.0 / (double)(n - failed) : 0;
	printf("conns=%lu failed=%lu rss_before_kb=%ld rss_after_kb=%ld bytes_per_conn=%.0f "
	       "new_p50_us=%.0f new_max_us=%.0f idle_p50_us=%.0f idle_max_us=%.0f\n",
	       n, failed, before, after, per, fresh[IDLE_PROBES / 2], fresh[IDLE_PROBES - 1],
	       idle[IDLE_PROBES / 2], idle[IDLE_PROBES - 1]);
	for (unsigned long i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return failed == 0 ? 0 : 1;
}
