/* activation: see activation.h. */
#include "activation.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A decimal in [0, max], all digits; -1 otherwise. */
static long activation_number(const char *s, long max)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	return errno || *end || v > max ? -1 : v;
}

/* A listening TCP socket (IPv4 or IPv6): what the workers can accept on. */
static int activation_usable(int fd, char *err, size_t errlen)
{
	int type = 0, listening = 0;
	socklen_t len = sizeof type;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
		snprintf(err, errlen, "inherited descriptor %d: not a socket (%s)", fd, strerror(errno));
		return -1;
	}
	len = sizeof listening;
	if (type != SOCK_STREAM || getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 ||
	    !listening || getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
		snprintf(err, errlen, "inherited descriptor %d: not a listening TCP socket", fd);
		return -1;
	}
	return 0;
}

int activation_listeners(int *fds, int max, char *err, size_t errlen)
{
	long pid = activation_number(getenv("LISTEN_PID"), 0x7fffffff);
	const char *count = getenv("LISTEN_FDS");
	long n = activation_number(count, ACTIVATION_FDS_MAX);

	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (!count || pid != (long)getpid())
		return 0;
	if (n < 1 || n > max) {
		snprintf(err, errlen, "LISTEN_FDS '%s': expected 1 to %d sockets", count, max);
		return -1;
	}
	for (int i = 0; i < (int)n; i++) {
		int fd = ACTIVATION_FDS_START + i;
		if (activation_usable(fd, err, errlen) < 0)
			return -1;
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
		    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			snprintf(err, errlen, "inherited descriptor %d: %s", fd, strerror(errno));
			return -1;
		}
		fds[i] = fd;
	}
	return (int)n;
}
