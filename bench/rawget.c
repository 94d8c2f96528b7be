/* rawget.c: the least a download client can do, as a reference line in the
 * client table of the benchmark: one GET over HTTP/1.1 (Connection: close),
 * then a plain recv/write loop into the output file, no parsing beyond the
 * end of the head.
 *
 * Usage: rawget HOST PORT PATH OUTFILE [BUFFER_BYTES]   (default 65536) */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int rawget_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: rawget HOST PORT PATH OUTFILE [BUFFER_BYTES]\n");
		return 2;
	}
	char *end;
	unsigned long port = strtoul(argv[2], &end, 10);
	unsigned long size = argc > 5 ? strtoul(argv[5], &end, 10) : 65536;
	if (port == 0 || port > 65535 || size < 1024 || *end != '\0')
		return 2;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	char req[1024];
	int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
			   argv[3], argv[1]);
	char *buf = malloc(size + 1);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (len < 0 || (size_t)len >= sizeof req || buf == NULL || s < 0 || out < 0 ||
	    connect(s, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    rawget_write_all(s, req, (size_t)len) < 0) {
		perror("rawget");
		return 1;
	}
	size_t have = 0;
	int in_body = 0;
	for (;;) {
		ssize_t n = recv(s, buf + have, size - have, 0);
		if (n < 0) {
			perror("rawget: recv");
			return 1;
		}
		if (n == 0)
			break;
		if (in_body) {
			if (rawget_write_all(out, buf, (size_t)n) < 0)
				return 1;
			continue;
		}
		have += (size_t)n;
		buf[have] = '\0';
		char *body = strstr(buf, "\r\n\r\n");
		if (body == NULL) {
			if (have == size)
				return 1;
			continue;
		}
		body += 4;
		if (strncmp(buf, "HTTP/1.1 200", 12) != 0)
			return 1;
		in_body = 1;
		if (rawget_write_all(out, body, have - (size_t)(body - buf)) < 0)
			return 1;
		have = 0;
	}
	return close(out) == 0 && in_body ? 0 : 1;
}
