/* httpd.h: the two halves of the server and the contract between them.
 *
 * The event loop (loop/conn side: main.c, server.c, conn.c) reads bytes,
 * feeds them to lib/http, and moves response bytes to sockets. The planner
 * (respond.c and the modules it uses) decides, touching no socket: given a
 * parsed request it appends the whole response head (and any generated body:
 * error pages, listings, small cached files) to `out`, and names a file range
 * to send after it. Pipelined responses append to the same `out`, so one
 * read's worth of answers leaves in one write. */
#ifndef HTTPD_H
#define HTTPD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buffer.h"
#include "date.h"
#include "http.h"
#include "tunables.h"
#include "path.h"
#include "tls.h"

#define HTTPD_VERSION "0.1.0"

/* --error-page CODE=FILE: FILE read once at start-up (before any chroot). */
struct httpd_error_page {
	int code;
	const char *ctype;  /* from FILE's name */
	char *body;
	size_t len;
};

struct httpd_config {
	const char *root_dir;      /* as given on the command line */
	struct path_root root;     /* opened once at start */
	const char *index;         /* "index.html" */
	int listing;               /* directory listings (off with --no-listing) */
	int dotfiles;              /* serve segments starting with '.' */
	const char *extra_headers; /* "Name: value\r\n"... from -H, preformatted */
	size_t extra_headers_len;
	const char *port, *bind;   /* bind NULL: every address */
	int workers;
	int timeout_s;             /* keep-alive idle */
	int header_timeout_s;      /* a request head must arrive within this */
	int write_timeout_s;       /* a stalled write */
	int max_conns;             /* per worker */
	const char *log_file;      /* NULL: off; "-": stderr */
	const char *user;          /* drop privileges to this user after bind */
	int chroot;                /* chroot into the root before dropping */
	const char *fallback;      /* --fallback: normalised path under the root, or NULL */
	int proxy_protocol;        /* --proxy-protocol: a PROXY header opens each connection */
	int reuseport;             /* --reuseport: join the port's SO_REUSEPORT group */
	struct httpd_error_page error_pages[HTTPD_ERROR_PAGES_MAX];
	int nerror_pages;
	struct tls_server_opts tls; /* cert_file NULL: plaintext */
	const char *redirect_port; /* --http-redirect: plaintext port answering 308, or NULL */
};

/* What the planner shares with the loop of one worker. */
struct httpd_ctx {
	const struct httpd_config *cfg;
	time_t now;
	int64_t mono_ns;         /* CLOCK_MONOTONIC, read by the loop once per wakeup */
	char date[DATE_LEN + 1]; /* IMF-fixdate of now, refreshed once a second by the loop */
	void *cache;             /* the planner's own per-worker state (file cache), or NULL */
};

struct filecache_fd;

struct response {
	int status;      /* for the access log */
	int close;       /* close the connection after this response */
	int fd;          /* file whose bytes follow `out`, or -1; the loop gives it
			  * to respond_file_done() once sent (or never to be sent) */
	struct filecache_fd *fd_ref; /* NULL: fd is the loop's own; else lent by the cache */
	off_t off, len;  /* the file range to send */
	off_t body_len;  /* body bytes in all (for the access log) */
};

/* Plans the answer to a complete request head. Appends head (+ generated
 * body) to out and fills r. Returns 0, or -1 when out's limit was reached:
 * out is as it was and r names no file (the loop then closes the
 * connection). Return convention of the planner: 0 or -1 here; an HTTP
 * status (or 0) where a check decides an answer (reqcheck, cond_check). */
int respond(struct httpd_ctx *ctx, const struct http_head *req, struct buffer *out,
	    struct response *r);
/* Plans the answer of the --http-redirect port: 308 to the same path and
 * query at https://HOST:PORT (Host's name, cfg->port); 400 without a usable
 * Host or with a target that is not a path. Returns as respond(). */
int respond_to_https(struct httpd_ctx *ctx, const struct http_head *req, struct buffer *out,
		     struct response *r);
/* The one error answer (400, 408, 413, 414, 431, 501, 503, 505...): a page
 * with `Connection: close`, for requests that could not be parsed or
 * accepted. It never names a file (r->fd -1, nothing to give back). 0, or
 * -1 with out as it was (its limit reached). */
int respond_error(struct httpd_ctx *ctx, int status, struct buffer *out, struct response *r);
/* Frees the planner's per-worker state (ctx->cache). */
void respond_free(struct httpd_ctx *ctx);
/* The loop is done with a response's file (r->fd, r->fd_ref): closes an own
 * descriptor, gives a lent one back. fd -1 is ignored. */
void respond_file_done(int fd, struct filecache_fd *ref);

#endif
