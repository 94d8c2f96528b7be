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

static void main_catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;
		/* Ignored on entry (a background job's SIGINT): keep it ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
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

/* One URL; the first failure's status is the run's. */
static void main_fetch(const struct fetch_opts *opts, struct fetch_pool *pool, const char *url,
		       enum fetch_status *result)
{
	char err[1024] = "";
	enum fetch_status st = fetch_url(opts, pool, url, err, sizeof(err));

	fflush(stdout);
	if (st == FETCH_OK)
		return;
	fprintf(stderr, "fetch: %s: %s\n", url, err[0] ? err : "failed");
	if (*result == FETCH_OK)
		*result = st;
}

/* -i: a URL a line, surrounding white space ignored, blank lines and
 * "#" comments skipped. 0, or -1 when the file cannot be read. */
static int main_input(const struct fetch_opts *opts, struct fetch_pool *pool,
		      enum fetch_status *result)
{
	FILE *f = strcmp(opts->input, "-") == 0 ? stdin : fopen(opts->input, "re");
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
			main_fetch(opts, pool, p, result);
	}
	n = ferror(f) ? -1 : 0;
	free(line);
	if (f != stdin)
		fclose(f);
	return (int)n;
}

int main(int argc, char **argv)
{
	struct fetch_opts opts;
	struct fetch_pool pool;
	char err[1024] = "";
	int first = 0;
	enum fetch_status result = FETCH_OK;

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
	main_catch_signals();
	opts.progress = !opts.quiet && isatty(STDERR_FILENO);
	main_proxy_env(&opts);
	if (opts.no_verify)
		fprintf(stderr, "fetch: warning: --no-check-certificate: server certificates are "
				"not verified; anyone on the path can read and change the data\n");
	fetch_pool_init(&pool);
	for (int i = first; i < argc; i++)
		main_fetch(&opts, &pool, argv[i], &result);
	if (opts.input && main_input(&opts, &pool, &result) != 0) {
		fprintf(stderr, "fetch: -i %s: %s\n", opts.input, strerror(errno));
		if (result == FETCH_OK)
			result = FETCH_FILE;
	}
	fetch_pool_free(&pool);
	return result;
}
