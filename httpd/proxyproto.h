/* proxyproto: the PROXY protocol header (HAProxy's, versions 1 and 2) that a
 * load balancer sends first on each connection, naming the real client.
 *
 * Strict: a header is recognised from its first bytes, so anything else
 * ("GET / ...", TLS) is refused at once instead of being waited for. v1 is
 * one line, "PROXY TCP4|TCP6 src dst sport dport\r\n" or "PROXY UNKNOWN
 * ...\r\n" (the rest of an UNKNOWN line is ignored), at most 107 bytes. v2
 * is binary: the 12-byte signature, version 2 with command LOCAL (the
 * balancer's own connection, e.g. a health check: the socket's address
 * stays, and the block after the head is skipped unread, as the spec says)
 * or PROXY over TCP/IPv4 or TCP/IPv6 (UNSPEC also keeps the socket's
 * address), then addresses and TLVs, whose framing must fill the declared
 * length exactly; their contents are not used. */
#ifndef PROXYPROTO_H
#define PROXYPROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROXY_V1_MAX 107  /* the protocol's own bound on the v1 line */
#define PROXY_MAX    1024 /* a v2 header with its TLVs, at most (more is refused) */

enum { PROXY_MORE = 0, PROXY_BAD = -1 };

/* The client the header names; family 0: none (LOCAL, UNKNOWN, UNSPEC). */
struct proxy_addr {
	int family;       /* AF_INET, AF_INET6 or 0 */
	uint8_t addr[16]; /* network order; 4 bytes for AF_INET */
	uint16_t port;
};

/* Reads a header at the start of p[0..n): its length when complete (the
 * bytes after it are the client's), PROXY_MORE when what is there can still
 * become one, PROXY_BAD when it cannot (or would exceed PROXY_MAX). */
ssize_t proxy_parse(const uint8_t *p, size_t n, struct proxy_addr *a);

#endif
