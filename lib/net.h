/* net: sockets without surprises.
 *
 * Every write helper loops over partial writes and EINTR; the *_all variants
 * also wait (poll) through EAGAIN, bounded by a timeout, so they are safe on
 * non-blocking descriptors. Sends use MSG_NOSIGNAL and net_ignore_sigpipe()
 * makes sure a peer that goes away never kills the process. Functions return
 * -1 with errno set; those that take `err` also put a one-line reason there. */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <sys/types.h>

struct addrinfo;

#define NET_REUSEPORT 1 /* net_listen flag: SO_REUSEPORT, one listener per worker */

void net_ignore_sigpipe(void);

/* A non-blocking, close-on-exec listening socket with SO_REUSEADDR set before
 * bind. host NULL or "" means every address: IPv6 dual-stack ("::" with
 * IPV6_V6ONLY off) where available, else 0.0.0.0. port "0" picks a free one. */
int net_listen(const char *host, const char *port, int flags, char *err, size_t errlen);
/* The local port a socket is bound to, or -1. */
int net_local_port(int fd);

/* Connects to host:port by Happy Eyeballs (RFC 8305): the addresses
 * getaddrinfo returns, ordered by net_interleave, are tried one every 250 ms
 * (at once when an attempt fails), several in flight together; the first that
 * connects wins and the others are closed. timeout_ms (< 0: none) bounds the
 * whole of it, name resolution included. family: AF_UNSPEC, AF_INET or
 * AF_INET6. Returns a blocking, close-on-exec socket; on failure -1 and a
 * reason in err: the latest attempt's, unless that only says this host has no
 * route to a family (ENETUNREACH, EADDRNOTAVAIL) and another attempt told more
 * (errno: EHOSTUNREACH for DNS failures (a resolution that timed out too),
 * ETIMEDOUT, ECONNREFUSED, EINVAL for a port that is not 0..65535 or a
 * service name, ...). host may be an IPv6 literal with or without its URL
 * brackets. */
int net_connect(const char *host, const char *port, int family, int timeout_ms, char *err,
                size_t errlen);

/* RFC 8305 §4 order: IPv6 first, then the families alternate (v6, v4, v6,
 * v4...) while both last, each family keeping getaddrinfo's (RFC 6724) order.
 * Relinks the nodes of list, which stays freeable by freeaddrinfo; returns
 * the new head. */
struct addrinfo *net_interleave(struct addrinfo *list);

/* Waits for events (POLLIN/POLLOUT) on fd: 1 ready, 0 timed out, -1 error. */
int net_wait(int fd, short events, int timeout_ms);

/* Non-blocking progress: writes until done or the socket would block (a
 * short count from the kernel already means its buffer is full, so it stops
 * there without a further call just to get EAGAIN). Works on pipes and files
 * too (falling back to write() on ENOTSOCK). Returns bytes written (possibly
 * 0), or -1 on a real error; an error after some progress returns the
 * progress, and the next call reports the error. */
ssize_t net_send(int fd, const void *p, size_t n);

/* Write-all: every byte or -1 (ETIMEDOUT when no progress for timeout_ms;
 * timeout_ms < 0 waits forever). Works on sockets, pipes and files; the
 * timeout holds on blocking sockets too (sends use MSG_DONTWAIT), but not on
 * blocking pipes. */
int net_write_all(int fd, const void *p, size_t n, int timeout_ms);

#endif
