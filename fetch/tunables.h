/* tunables: every tunable limit, size and timeout of fetch, in one place.
 * The parser's own limits (chunk extensions, the default field count) are
 * lib/http.h's, shared with httpd; connecting (Happy Eyeballs' 250 ms) is
 * lib/net.c's, the TLS read buffer lib/tls.c's. Why a figure was chosen by
 * measurement: bench/PROFILE.md. */
#ifndef FETCH_TUNABLES_H
#define FETCH_TUNABLES_H

/* ---- command-line defaults and bounds (cli.c) ---- */
#define FETCH_HEADERS_MAX  64  /* -H options */
#define FETCH_REDIRECT_MAX 20  /* hops, as wget and browsers */
#define FETCH_TIMEOUT_S    30  /* default idle timeout (-T) */
#define FETCH_TRIES        1   /* default -t: scripts expect one answer */
#define FETCH_TRIES_MAX    100
#define FETCH_PARALLEL     1   /* default -j: one at a time, as curl and wget */
#define FETCH_PARALLEL_MAX 64
#define CLI_SECONDS_MAX    8640000 /* -T, --max-time: 100 days, no overflow in milliseconds */

/* ---- responses (response.c) ---- */
#define FETCH_STATUS_LINE_MAX 1024 /* bytes of a status line */
/* Bytes of a response head as stored (curl allows 300 KiB): many Set-Cookie
 * lines are common. */
#define FETCH_HEAD_MAX        (256 * 1024)
#define FETCH_FIELDS_MAX      1000 /* fields of a response head */
#define FETCH_INTERIM_MAX     16   /* 1xx responses before the final one */

/* ---- requests, bodies and files (transfer.c, output.c, name.c) ---- */
#define FETCH_READ_BUF      (256 * 1024)
#define XFER_REQUEST_MAX    (64 * 1024)
#define XFER_PROXY_HEAD_MAX (16 * 1024)        /* a proxy's answer to CONNECT */
#define XFER_SPLICE_MIN     (256 * 1024)       /* smaller bodies: plain reads are as good */
#define XFER_PIPE_SIZE      (1024 * 1024)
#define XFER_DIRECT_MIN     (16 * 1024 * 1024) /* smaller: the buffer's set-up is not repaid */
#define XFER_DIRECT_BUF     (2 * 1024 * 1024)  /* one huge page; 1 and 4 MiB measured worse */
/* The body of an answer fetch does not keep (an error, a redirect) is read
 * and dropped up to this size to keep the connection; past it, closing and
 * connecting again is cheaper. */
#define XFER_DRAIN_MAX      (64 * 1024)
#define FETCH_NAME_MAX      200  /* bytes of a file name taken from a URL or a server */
#define NAME_VALUE_MAX      1024 /* bytes of a disposition parameter kept */
#define OUT_TMP_BASE_MAX    200  /* bytes of the target's name kept in the temporary name */
#define GUNZIP_OUT          (64 * 1024) /* inflated bytes per zlib call (--compressed) */

/* ---- retries (retry.c) ---- */
#define FETCH_RETRY_CAP_S       30  /* the longest exponential wait */
#define FETCH_RETRY_AFTER_CAP_S 300 /* the longest Retry-After honoured */

/* ---- several URLs (pool.c, parallel.c, progress.c) ---- */
#define FETCH_POOL_MAX       4           /* idle connections kept for later URLs */
#define FETCH_PROXY_AUTH_MAX 1024        /* bytes of a proxy's credentials */
#define PAR_URL_MAX          (64 * 1024) /* a URL handed to a worker (-i lines may be long) */
#define FETCH_PROGRESS_MS    200         /* between two progress lines */

#endif
