/* proxyproto: see proxyproto.h and HAProxy's doc/proxy-protocol.txt. */
#include "proxyproto.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t proxy_v2_sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
					 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* A port: 1 to 5 digits, at most 65535, no leading zero. -1 otherwise. */
static long proxy_port(const char *s)
{
	long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? v : -1;
}

/* The v1 line without its CRLF, NUL-terminated in line. */
static int proxy_v1_fields(char *line, struct proxy_addr *a)
{
	char *field[6];
	int nf = 0;

	/* UNKNOWN: the spec has the receiver ignore the rest of the line, whatever it holds. */
	if (strcmp(line, "PROXY UNKNOWN") == 0 || strncmp(line, "PROXY UNKNOWN ", 14) == 0) {
		a->family = 0;
		return 0;
	}
	/* Single spaces between fields: split in place. */
	for (char *p = line;; p++) {
		if (nf == 6)
			return -1;
		field[nf++] = p;
		p = strchr(p, ' ');
		if (!p)
			break;
		*p = '\0';
	}
	if (nf != 6 || strcmp(field[0], "PROXY") != 0)
		return -1;
	if (strcmp(field[1], "TCP4") == 0)
		a->family = AF_INET;
	else if (strcmp(field[1], "TCP6") == 0)
		a->family = AF_INET6;
	else
		return -1;
	uint8_t dst[16];
	long sport = proxy_port(field[4]), dport = proxy_port(field[5]);
	if (inet_pton(a->family, field[2], a->addr) != 1 || inet_pton(a->family, field[3], dst) != 1 ||
	    sport < 0 || dport < 0)
		return -1;
	a->port = (uint16_t)sport;
	return 0;
}

static ssize_t proxy_v1(const uint8_t *p, size_t n, struct proxy_addr *a)
{
	char line[PROXY_V1_MAX];
	size_t lim = PROXY_V1_MAX - 1; /* where the CR may be, at the latest */
	const uint8_t *cr = memchr(p, '\r', n < lim ? n : lim);

	const uint8_t *lf = memchr(p, '\n', n < lim ? n : lim);

	if (lf && (!cr || lf < cr))
		return PROXY_BAD; /* a bare LF */
	if (!cr)
		return n < lim ? PROXY_MORE : PROXY_BAD;
	size_t len = (size_t)(cr - p);
	if (len + 1 == n)
		return PROXY_MORE; /* the LF may follow */
	if (cr[1] != '\n' || memchr(p, '\0', len) || memchr(p, '\n', len))
		return PROXY_BAD;
	memcpy(line, p, len);
	line[len] = '\0';
	return proxy_v1_fields(line, a) == 0 ? (ssize_t)(len + 2) : PROXY_BAD;
}

/* The TLVs after the addresses: each type, 2-byte length, value, exactly to the end. */
static int proxy_tlvs(const uint8_t *p, size_t n)
{
	while (n > 0) {
		if (n < 3)
			return -1;
		size_t len = (size_t)p[1] << 8 | p[2];
		if (len > n - 3)
			return -1;
		p += 3 + len;
		n -= 3 + len;
	}
	return 0;
}

static ssize_t proxy_v2(const uint8_t *p, size_t n, struct proxy_addr *a)
{
	if (n < 16)
		return PROXY_MORE;
	size_t len = (size_t)p[14] << 8 | p[15];
	uint8_t cmd = p[12] & 0x0f, fam = p[13];

	if ((p[12] & 0xf0) != 0x20 || cmd > 1 || 16 + len > PROXY_MAX)
		return PROXY_BAD;
	/* LOCAL: the spec has the receiver accept it and discard the block,
	 * family included, unread (HAProxy and nginx do). */
	if (cmd == 0)
		return n < 16 + len ? PROXY_MORE : (ssize_t)(16 + len);
	/* PROXY: only what a TCP listener can carry: UNSPEC (no address),
	 * TCP over IPv4 or IPv6, whose addresses come first in the block. */
	if (fam != 0x00 && fam != 0x11 && fam != 0x21)
		return PROXY_BAD;
	size_t need = fam == 0x11 ? 12 : fam == 0x21 ? 36 : 0;
	if (len < need)
		return PROXY_BAD;
	if (n < 16 + len)
		return PROXY_MORE;
	if (proxy_tlvs(p + 16 + need, len - need) != 0)
		return PROXY_BAD;
	if (fam == 0x11) {
		a->family = AF_INET;
		memcpy(a->addr, p + 16, 4);
		a->port = (uint16_t)(p[24] << 8 | p[25]);
	} else if (fam == 0x21) {
		a->family = AF_INET6;
		memcpy(a->addr, p + 16, 16);
		a->port = (uint16_t)(p[48] << 8 | p[49]);
	}
	return (ssize_t)(16 + len);
}

ssize_t proxy_parse(const uint8_t *p, size_t n, struct proxy_addr *a)
{
	memset(a, 0, sizeof *a);
	if (n == 0)
		return PROXY_MORE;
	if (p[0] == 'P') {
		if (memcmp(p, "PROXY ", n < 6 ? n : 6) != 0)
			return PROXY_BAD;
		return n < 6 ? PROXY_MORE : proxy_v1(p, n, a);
	}
	if (memcmp(p, proxy_v2_sig, n < 12 ? n : 12) != 0)
		return PROXY_BAD;
	return n < 12 ? PROXY_MORE : proxy_v2(p, n, a);
}
