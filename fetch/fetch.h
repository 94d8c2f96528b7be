/* fetch.h: what the parts of the download client share.
 *
 * main.c parses the command line (cli.c) into a fetch_opts and hands each URL
 * (from argv, then -i) to fetch_url() (transfer.c), in turn or, with -j, in
 * worker processes (parallel.c). fetch_url() connects (directly or through a
 * proxy, proxy.c) or reuses a kept connection (pool.c), sends the request
 * (request.c) over a plain or TLS connection (stream.c), reads the response
 * (response.c), decodes gzip
 * (gunzip.c), writes the body through a temporary file (output.c) named as
 * name.c says, checks --checksum (digest.c), shows progress (progress.c) and
 * tries again when retry.c says so. Exit statuses follow wget's table so that
 * scripts written for wget keep working, plus 9 for a digest mismatch and 10
 * for a proxy failure. */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>

#include "digest.h"
#include "progress.h"
#include "tunables.h"

#define FETCH_VERSION      "0.1.0"

enum fetch_status {
	FETCH_OK = 0,
	FETCH_FAIL = 1,     /* anything else */
	FETCH_USAGE = 2,    /* bad option or URL */
	FETCH_FILE = 3,     /* local file error: create, write, rename */
	FETCH_NET = 4,      /* DNS, refused, reset, unreachable, timed out, TLS handshake */
	FETCH_TLS = 5,      /* the server's certificate failed verification */
	FETCH_PROTO = 7,    /* malformed or incomplete response, too many redirects */
	FETCH_HTTP = 8,     /* the server answered with an error status */
	FETCH_CHECKSUM = 9, /* the download's digest is not --checksum's */
	FETCH_PROXY = 10    /* the proxy could not be reached, refused or failed */
};

struct fetch_opts {
	const char *output;      /* -o; NULL: from the URL; "-": stdout */
	int to_stdout;           /* -o - */
	int quiet;               /* -q */
	int verbose;             /* -v */
	int head_only;           /* -I */
	const char *headers[FETCH_HEADERS_MAX]; /* -H "Name: value", validated */
	unsigned nheaders;
	const char *user_agent;  /* NULL: "fetch/" FETCH_VERSION */
	int resume;              /* -r */
	int timeout_s;           /* -T: connect and each read */
	int max_time_s;          /* --max-time; 0: none */
	int redirects;           /* follow 3xx (default on; -A / --no-redirect off) */
	int family;              /* AF_UNSPEC, AF_INET (-4), AF_INET6 (-6) */
	int progress;            /* draw the progress bar (decided by main: a terminal, not -q) */
	const char *ca_file;     /* --ca-certificate: trusted besides the system store */
	int no_verify;           /* --no-check-certificate */
	const char *proxy;       /* --proxy URL: for every scheme */
	int no_proxy_at_all;     /* --no-proxy: ignore the environment's proxies */
	const char *http_proxy;  /* from the environment (main): http_proxy */
	const char *https_proxy; /* https_proxy or HTTPS_PROXY */
	const char *no_proxy;    /* no_proxy or NO_PROXY */
	struct fetch_digest checksum; /* --checksum; algo "" when not given */
	int content_disposition; /* --content-disposition: the file name from the server */
	int timestamping;        /* -N: If-Modified-Since from the local file */
	int compressed;          /* --compressed: ask for gzip, decode it */
	const char *input;       /* -i: a file of URLs ("-": stdin), NULL: none */
	unsigned tries;          /* -t: attempts in all (1: no retry) */
	unsigned parallel;       /* -j: transfers at once */
	struct fetch_progress_slot *progress_slot; /* a -j worker's, else NULL */
};

#endif
