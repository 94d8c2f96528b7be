/* rusage.c: runs a command and reports what it cost, for the client side
 * of the benchmark (fetch vs curl vs wget).
 *
 * Usage: rusage OUTFILE CMD [ARGS...]
 * Writes one line to OUTFILE:
 *   status=N user_s=U sys_s=S wall_s=W maxrss_kb=K
 * measured with wait4(2) on the child (user+sys CPU and peak RSS of the child
 * alone, not of this wrapper) and CLOCK_MONOTONIC around fork..wait. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double rusage_tv(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rusage OUTFILE CMD [ARGS...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("rusage: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("rusage: exec");
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("rusage: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	FILE *f = fopen(argv[1], "w");
	if (f == NULL) {
		perror("rusage: output");
		return 1;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(f, "status=%d user_s=%.6f sys_s=%.6f wall_s=%.6f maxrss_kb=%ld\n", code,
		rusage_tv(ru.ru_utime), rusage_tv(ru.ru_stime), wall, ru.ru_maxrss);
	if (fclose(f) != 0)
		return 1;
	return code;
}
