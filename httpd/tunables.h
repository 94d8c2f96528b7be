/* tunables: every tunable limit, size and timeout of httpd, in one place.
 * The parser's own limits (head 32 KiB, target 8 KiB, 100 fields, chunk
 * extensions) are lib/http.h's, shared with fetch. Why each figure was chosen
 * by measurement: bench/PROFILE.md. */
#ifndef TUNABLES_H
#define TUNABLES_H

#include "http.h"

/* ---- command-line defaults and bounds (main.c) ---- */
#define MAIN_DEFAULT_PORT          "8080"
#define MAIN_DEFAULT_TLS_PORT      "8443"
#define MAIN_DEFAULT_ROOT          "www/"
#define MAIN_DEFAULT_TIMEOUT       30    /* keep-alive idle, s */
#define MAIN_DEFAULT_HEAD_TIMEOUT  15    /* a request head (and a TLS handshake) must arrive, s */
#define MAIN_DEFAULT_WRITE_TIMEOUT 60    /* a stalled write, s */
#define MAIN_DEFAULT_CONNS         10000 /* per worker */
#define MAIN_WORKERS_MAX           256
#define MAIN_HEADERS_MAX           8192  /* bytes of all -H headers together */
#define MAIN_TIMEOUT_MAX           86400
#define MAIN_CONNS_MAX             1000000
/* TCP_DEFER_ACCEPT: accept once data came, or after about this long; short,
 * since a silent client's head timeout only starts when we accept. */
#define MAIN_DEFER_S               1

/* ---- requests (conn.c, respond.c) ---- */
#define HTTPD_BODY_DISCARD_MAX (1024 * 1024)          /* request body read and dropped (413 beyond) */
#define CONN_LINE_MAX          (HTTP_TARGET_MAX + 64) /* request line (414 beyond) */
#define RESPOND_LISTING_MAX    (4 * 1024 * 1024)      /* bytes of one listing page */
#define LISTING_ENTRIES_MAX    10000                  /* entries shown; more are cut */
#define HTTPD_ERROR_PAGES_MAX  16                     /* --error-page options */
#define HTTPD_ERROR_PAGE_MAX   (64 * 1024)            /* bytes of one error page file */

/* ---- connection buffers (conn.c) ---- */
#define CONN_READ_MIN   4096                           /* spare room offered to each read */
#define CONN_IN_MAX     (HTTP_HEAD_MAX + CONN_READ_MIN)
#define CONN_OUT_MAX    (16 * 1024 * 1024)             /* one batch of heads + generated bodies */
#define CONN_OUT_BATCH  (64 * 1024)                    /* stop answering pipelined requests past this */
#define CONN_LINGER_S   2                              /* reading after the last answer before close */
#define CONN_POOL_MAX   64                             /* spare buffers kept per worker */
#define CONN_SCRATCH    16384                          /* bytes read only to be dropped */

/* ---- file bodies (transport.c; PROFILE.md finding 5) ---- */
/* Plaintext bodies of at least this many bytes (left to send) are copied
 * from a mapped window instead of sendfile'd: on loopback this costs the
 * receiver ~3x less CPU per MB; on a real network sendfile is the cheaper
 * choice (build with -DTRANSPORT_COPY_MIN=4611686018427387904LL). */
#ifndef TRANSPORT_COPY_MIN
#define TRANSPORT_COPY_MIN   (1024 * 1024)
#endif
#define TRANSPORT_COPY_CHUNK (2L * 1024 * 1024) /* bytes per send from the window */
#define TRANSPORT_MAP_WINDOW (4L * 1024 * 1024) /* a power of two: mapped (and pre-faulted) at once */
#define TRANSPORT_TLS_CHUNK  (256L * 1024)      /* bytes encrypted from the window per call */
/* User-space TLS: bodies of at least GATHER_MIN bytes leave in writes of
 * GATHER bytes (many records each, not one write per 16 KB record), by at
 * most GATHER_MOST connections of a worker at once (a buffer each). */
#define TRANSPORT_TLS_GATHER_MIN  (256L * 1024)
#define TRANSPORT_TLS_GATHER      (256L * 1024)
#define TRANSPORT_TLS_GATHER_MOST 64

/* ---- the worker's loop (server.c) ---- */
#define SERVER_DRAIN_S      10   /* graceful shutdown: the most a response may still take */
#define SERVER_EVENTS       256  /* epoll events per wait */
#define SERVER_ACCEPT_BURST 1024 /* accepts per wakeup, so connections get a turn too */
#define SERVER_QUICK_DEATHS 10   /* workers dying right after start: give up past this */

/* ---- the file cache (filecache.c), per worker ---- */
#define FILECACHE_SLOTS    128
#define FILECACHE_FILE_MAX (32 * 1024)       /* bigger files are kept open, not in memory */
#define FILECACHE_BYTES    (2 * 1024 * 1024)
#define FILECACHE_FRESH_NS 1000000           /* trust an fstat this long (1 ms) */

/* ---- the access log (accesslog.c) ---- */
#define ACCESSLOG_BUF       (64 * 1024) /* buffered bytes before a forced flush */
#define ACCESSLOG_LINE_MAX  4096        /* one formatted line, at most */
#define ACCESSLOG_FIELD_MAX 1024        /* escaped bytes kept of one client field */

#endif
