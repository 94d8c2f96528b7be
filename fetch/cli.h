/* cli: the command line, parsed and validated, printing nothing.
 *
 * fetch_cli_parse() fills opts and says what main should do; on a usage
 * error err holds a one-line reason. URLs are argv[*first_url .. argc-1].
 * Several URLs with -o need "-o -" or -o naming a directory. */
#ifndef FETCH_CLI_H
#define FETCH_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "fetch.h"

enum fetch_cli {
	FETCH_CLI_RUN,      /* fetch the URLs */
	FETCH_CLI_HELP,     /* --help was asked for */
	FETCH_CLI_VERSION,  /* --version */
	FETCH_CLI_USAGE     /* bad option or argument: err says why */
};

enum fetch_cli fetch_cli_parse(int argc, char **argv, struct fetch_opts *opts, int *first_url,
			       char *err, size_t errlen);
/* 0 when h is "Name: value" with a token name and no CR, LF or NUL; else -1
 * and a reason in err. Framing headers (Content-Length, Transfer-Encoding)
 * are refused: a GET without a body must not announce one. */
int fetch_cli_header_ok(const char *h, char *err, size_t errlen);
/* The --help text, exit-status table included. */
void fetch_cli_help(FILE *f);

#endif
