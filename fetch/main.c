/* fetch: download each URL given; see --help and fetch.h. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fetch.h"
#include "net.h"
#include "output.h"
#include "parallel.h"
#include "response.h"
#include "tls.h"
#include "transfer.h"

/* Interrupted: no temporary file may outlive the process. Then die of the
 * signal as if unhandled, so the parent sees what happened. */
static void main_on_signal(int sig)
{
	fetch_out_remove_on_signal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* caught: the signals handled (those not ignored on entry). */
static void main_catch_signals(sigset_t *caught)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;
	sigfillset(&sa.sa_mask);
	sigemptyset(caught);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;
		/* Ignored on entry (a background job's SIGINT): keep it ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
		sigaddset(caught, sigs[i]);
	}
}

/* curl's reading of the environment: http_proxy only in lower case (a CGI
 * program gets HTTP_PROXY from a request's Proxy header), the others in
 * either; lower case first. */
static void main_proxy_env(struct fetch_opts *o)
{
	o->no_proxy = getenv("no_proxy") ? getenv("no_proxy") : getenv("NO_PROXY");
	if (o->no_proxy_at_all)
		return;
	o->http_proxy = getenv("http_proxy");
	o->https_proxy = getenv("https_proxy") ? getenv("https_proxy") : getenv("HTTPS_PROXY");
}

/* One URL and its error line; its status. */
static enum fetch_status main_fetch(const struct fetch_opts *opts, struct fetch_pool *pool,
				    const char *url)
{
	char err[1024] = "";
	enum fetch_status st = fetch_url(opts, pool, url, err, sizeof(err));

	fflush(stdout);
	if (st != FETCH_OK)
		fetch_resp_print_error(url, err[0] ? err : "failed");
	return st;
}

/* The URLs to fetch: one at a time as they come (serial), or gathered for
 * -j. The first failure's status is the run's. */
struct main_run {
	const struct fetch_opts *opts;
	struct fetch_pool pool;
	int gather;
	char **urls;
	size_t n, cap;
	enum fetch_status result;
};

static void main_url(struct main_run *r, const char *url)
{
	enum fetch_status st;
	char **grown;

	if (!r->gather) {
		st = main_fetch(r->opts, &r->pool, url);
		if (st != FETCH_OK && r->result == FETCH_OK)
			r->result = st;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		grown = realloc(r->urls, r->cap * sizeof(*r->urls));
		if (!grown) {
			fprintf(stderr, "fetch: out of memory\n");
			exit(FETCH_FAIL);
		}
		r->urls = grown;
	}
	r->urls[r->n] = strdup(url);
	if (!r->urls[r->n]) {
		fprintf(stderr, "fetch: out of memory\n");
		exit(FETCH_FAIL);
	}
	r->n++;
}

/* -i: a URL a line, surrounding white space ignored, blank lines and
 * "#" comments skipped. 0, or -1 when the file cannot be read. */
static int main_input(struct main_run *r)
{
	const char *name = r->opts->input;
	FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "re");
	char *line = NULL, *p;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return -1;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (*p && *p != '#')
			main_url(r, p);
	}
	n = ferror(f) ? -1 : 0;
	free(line);
	if (f != stdin)
		fclose(f);
	return (int)n;
}

/* -j N: at once only where files cannot collide: not to stdout (one stream),
 * not with -r (NAME.part is a fixed name). */
static int main_gather(const struct fetch_opts *o)
{
	return o->parallel > 1 && !o->resume && !o->to_stdout;
}

int main(int argc, char **argv)
{
	struct fetch_opts opts;
	struct main_run run = {.result = FETCH_OK};
	sigset_t caught;
	char err[1024] = "";
	int first = 0, input_errno;

	switch (fetch_cli_parse(argc, argv, &opts, &first, err, sizeof(err))) {
	case FETCH_CLI_HELP:
		fetch_cli_help(stdout);
		return FETCH_OK;
	case FETCH_CLI_VERSION:
		printf("fetch " FETCH_VERSION "\nTLS: %s\n", tls_library());
		return FETCH_OK;
	case FETCH_CLI_USAGE:
		fprintf(stderr, "fetch: %s\n", err);
		return FETCH_USAGE;
	case FETCH_CLI_RUN:
		break;
	}
	net_ignore_sigpipe();
	main_catch_signals(&caught);
	opts.progress = !opts.quiet && isatty(STDERR_FILENO);
	main_proxy_env(&opts);
	if (opts.no_verify)
		fprintf(stderr, "fetch: warning: --no-check-certificate: server certificates are "
				"not verified; anyone on the path can read and change the data\n");
	run.opts = &opts;
	run.gather = main_gather(&opts);
	fetch_pool_init(&run.pool);
	for (int i = first; i < argc; i++)
		main_url(&run, argv[i]);
	input_errno = opts.input && main_input(&run) != 0 ? (errno ? errno : EIO) : 0;
	if (run.n > 0) {
		/* One URL needs no worker. */
		enum fetch_status st = run.n == 1 ? main_fetch(&opts, &run.pool, run.urls[0])
			: fetch_parallel(&opts, (const char *const *)run.urls, run.n, opts.parallel,
					 main_fetch, &caught);
		if (run.result == FETCH_OK)
			run.result = st;
	}
	/* After the list's URLs, as when they are fetched while it is read. */
	if (input_errno) {
		fprintf(stderr, "fetch: -i %s: %s\n", opts.input, strerror(input_errno));
		if (run.result == FETCH_OK)
			run.result = FETCH_FILE;
	}
	for (size_t i = 0; i < run.n; i++)
		free(run.urls[i]);
	free(run.urls);
	fetch_pool_free(&run.pool);
	return run.result;
}
