/* fetch: download each URL given; see --help and fetch.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fetch.h"
#include "net.h"
#include "transfer.h"

int main(int argc, char **argv)
{
	struct fetch_opts opts;
	char err[1024] = "";
	int first = 0;
	enum fetch_status st, result = FETCH_OK;

	switch (fetch_cli_parse(argc, argv, &opts, &first, err, sizeof(err))) {
	case FETCH_CLI_HELP:
		fetch_cli_help(stdout);
		return FETCH_OK;
	case FETCH_CLI_VERSION:
		printf("fetch " FETCH_VERSION "\n");
		return FETCH_OK;
	case FETCH_CLI_USAGE:
		fprintf(stderr, "fetch: %s\n", err);
		return FETCH_USAGE;
	case FETCH_CLI_RUN:
		break;
	}
	net_ignore_sigpipe();
	opts.progress = !opts.quiet && isatty(STDERR_FILENO);
	for (int i = first; i < argc; i++) {
		err[0] = '\0';
		st = fetch_url(&opts, argv[i], err, sizeof(err));
		fflush(stdout);
		if (st == FETCH_OK)
			continue;
		fprintf(stderr, "fetch: %s: %s\n", argv[i], err[0] ? err : "failed");
		if (result == FETCH_OK)
			result = st;
	}
	return result;
}
