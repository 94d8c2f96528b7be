/* cli: getopt_long over fetch's options (FreeBSD fetch's letters where they exist). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "tunables.h"

enum {
	OPT_USER_AGENT = 256, OPT_MAX_TIME, OPT_NO_REDIRECT, OPT_HELP, OPT_VERSION, OPT_CHECKSUM,
	OPT_CONTENT_DISPOSITION, OPT_COMPRESSED, OPT_CA_FILE, OPT_NO_VERIFY, OPT_PROXY, OPT_NO_PROXY
};

static const struct option cli_long[] = {
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"head", no_argument, NULL, 'I'},
	{"header", required_argument, NULL, 'H'},
	{"user-agent", required_argument, NULL, OPT_USER_AGENT},
	{"resume", no_argument, NULL, 'r'},
	{"timeout", required_argument, NULL, 'T'},
	{"max-time", required_argument, NULL, OPT_MAX_TIME},
	{"no-redirect", no_argument, NULL, OPT_NO_REDIRECT},
	{"ipv4", no_argument, NULL, '4'},
	{"ipv6", no_argument, NULL, '6'},
	{"checksum", required_argument, NULL, OPT_CHECKSUM},
	{"content-disposition", no_argument, NULL, OPT_CONTENT_DISPOSITION},
	{"timestamping", no_argument, NULL, 'N'},
	{"input-file", required_argument, NULL, 'i'},
	{"compressed", no_argument, NULL, OPT_COMPRESSED},
	{"tries", required_argument, NULL, 't'},
	{"parallel", required_argument, NULL, 'j'},
	{"ca-certificate", required_argument, NULL, OPT_CA_FILE},
	{"no-check-certificate", no_argument, NULL, OPT_NO_VERIFY},
	{"proxy", required_argument, NULL, OPT_PROXY},
	{"no-proxy", no_argument, NULL, OPT_NO_PROXY},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

int fetch_cli_header_ok(const char *h, char *err, size_t errlen)
{
	struct http_field_line f;
	const char *why;

	if (http_field_split(h, &f, &why) != 0) {
		snprintf(err, errlen, "bad header '%s': %s", h, why);
		return -1;
	}
	if ((f.name_len == 14 && strncasecmp(h, "Content-Length", 14) == 0) ||
	    (f.name_len == 17 && strncasecmp(h, "Transfer-Encoding", 17) == 0)) {
		snprintf(err, errlen, "header '%s': fetch sends no request body", h);
		return -1;
	}
	return 0;
}

/* The one way an option is refused: a reason in err. */
static enum fetch_cli cli_usage(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum fetch_cli cli_usage(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return FETCH_CLI_USAGE;
}

/* A whole number from 1 to max. */
static int cli_number(const char *s, int max, int *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > (unsigned long)max)
		return -1;
	*out = (int)v;
	return 0;
}

static int cli_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void cli_defaults(struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_s = FETCH_TIMEOUT_S;
	o->tries = FETCH_TRIES;
	o->parallel = FETCH_PARALLEL;
	o->redirects = 1;
	o->family = AF_UNSPEC;
}

/* One option; 0 or FETCH_CLI_USAGE with err set. */
static enum fetch_cli cli_option(int c, const char *arg, struct fetch_opts *o, char *err,
				 size_t errlen)
{
	int n;

	switch (c) {
	case 'o': o->output = arg; break;
	case 'q': o->quiet = 1; break;
	case 'v': o->verbose = 1; break;
	case 'I': o->head_only = 1; break;
	case 'r': o->resume = 1; break;
	case 'A': case OPT_NO_REDIRECT: o->redirects = 0; break;
	case '4': o->family = AF_INET; break;
	case '6': o->family = AF_INET6; break;
	case 'N': o->timestamping = 1; break;
	case 'i': o->input = arg; break;
	case OPT_CONTENT_DISPOSITION: o->content_disposition = 1; break;
	case OPT_COMPRESSED: o->compressed = 1; break;
	case 't':
		if (cli_number(arg, FETCH_TRIES_MAX, &n))
			return cli_usage(err, errlen, "-t '%s': expected 1 to %d attempts", arg,
					 FETCH_TRIES_MAX);
		o->tries = (unsigned)n;
		break;
	case 'j':
		if (cli_number(arg, FETCH_PARALLEL_MAX, &n))
			return cli_usage(err, errlen, "-j '%s': expected 1 to %d transfers", arg,
					 FETCH_PARALLEL_MAX);
		o->parallel = (unsigned)n;
		break;
	case OPT_CHECKSUM:
		if (fetch_digest_parse(arg, &o->checksum, err, errlen))
			return FETCH_CLI_USAGE;
		break;
	case OPT_CA_FILE:
		if (access(arg, R_OK) != 0)
			return cli_usage(err, errlen, "--ca-certificate %s: %s", arg, strerror(errno));
		o->ca_file = arg;
		break;
	case OPT_NO_VERIFY: o->no_verify = 1; break;
	case OPT_PROXY: o->proxy = arg; break;
	case OPT_NO_PROXY: o->no_proxy_at_all = 1; break;
	case OPT_USER_AGENT:
		if (strpbrk(arg, "\r\n"))
			return cli_usage(err, errlen, "--user-agent: CR or LF not allowed");
		o->user_agent = arg;
		break;
	case 'H':
		if (fetch_cli_header_ok(arg, err, errlen))
			return FETCH_CLI_USAGE;
		if (o->nheaders == FETCH_HEADERS_MAX)
			return cli_usage(err, errlen, "too many -H options (at most %d)", FETCH_HEADERS_MAX);
		o->headers[o->nheaders++] = arg;
		break;
	case 'T':
		if (cli_number(arg, CLI_SECONDS_MAX, &o->timeout_s))
			return cli_usage(err, errlen, "-T '%s': expected whole seconds, 1 or more", arg);
		break;
	case OPT_MAX_TIME:
		if (cli_number(arg, CLI_SECONDS_MAX, &o->max_time_s))
			return cli_usage(err, errlen, "--max-time '%s': expected whole seconds, 1 or more",
					 arg);
		break;
	case OPT_HELP: return FETCH_CLI_HELP;
	case OPT_VERSION: return FETCH_CLI_VERSION;
	default:
		return cli_usage(err, errlen, "unknown option or missing argument (see --help)");
	}
	return FETCH_CLI_RUN;
}

/* Options that cannot go together; nurls on the command line. */
static enum fetch_cli cli_combination(const struct fetch_opts *o, int nurls, char *err,
				      size_t errlen)
{
	int several = nurls > 1 || (o->input && nurls > 0);
	const char *why = NULL;

	if (nurls == 0 && !o->input)
		why = "no URL given (see --help)";
	else if (o->output && (several || o->input) && !o->to_stdout && !cli_is_dir(o->output))
		why = "-o FILE takes one URL (several need -o DIRECTORY or -o -)";
	else if (o->resume && o->to_stdout)
		why = "-r needs an output file, not stdout";
	else if (o->timestamping && o->to_stdout)
		why = "-N needs an output file, not stdout";
	else if (o->checksum.algo[0] && o->to_stdout)
		why = "--checksum needs an output file, not stdout";
	else if (o->checksum.algo[0] && (several || o->input))
		why = "--checksum takes one URL";
	else if (o->resume && (o->compressed || o->content_disposition || o->timestamping))
		why = "-r goes with neither --compressed, --content-disposition nor -N";
	return why ? cli_usage(err, errlen, "%s", why) : FETCH_CLI_RUN;
}

enum fetch_cli fetch_cli_parse(int argc, char **argv, struct fetch_opts *opts, int *first_url,
			       char *err, size_t errlen)
{
	enum fetch_cli r;
	int c;

	cli_defaults(opts);
	optind = 0; /* glibc: a full re-initialisation, so tests may parse twice */
	opterr = 0; /* main prints the one usage line */
	/* A leading ':' tells a missing argument (':') from an unknown option ('?'). */
	while ((c = getopt_long(argc, argv, ":o:qvIH:rT:A46Ni:t:j:", cli_long, NULL)) != -1) {
		if (c == ':' || c == '?')
			return cli_usage(err, errlen, "%s: %s (see --help)", argv[optind - 1],
					 c == ':' ? "needs an argument" : "unknown option");
		r = cli_option(c, optarg, opts, err, errlen);
		if (r != FETCH_CLI_RUN)
			return r;
	}
	*first_url = optind;
	opts->to_stdout = opts->output && strcmp(opts->output, "-") == 0;
	return cli_combination(opts, argc - optind, err, errlen);
}

void fetch_cli_help(FILE *f)
{
	fputs("usage: fetch [options] URL...\n"
	      "Downloads each http:// or https:// URL in turn. The body goes to a temporary\n"
	      "file beside the target, renamed over it only when complete: a failed download\n"
	      "never leaves a partial or corrupt file and never destroys an existing one.\n"
	      "\n"
	      "  -o, --output FILE     write to FILE ('-': stdout, head then on stderr; a\n"
	      "                        directory: the URL's name inside it); default: the URL\n"
	      "                        path's last segment, or index.html, in the current directory\n"
	      "  -q, --quiet           print nothing but errors\n"
	      "  -v, --verbose         also print the request sent\n"
	      "  -I, --head            send HEAD, print the head only\n"
	      "  -H, --header 'N: V'   add a request header (replaces a default of that name;\n"
	      "                        'N:' alone removes it). Authorization, Cookie,\n"
	      "                        Proxy-Authorization and Host go to the first origin only\n"
	      "      --user-agent STR  User-Agent (default fetch/" FETCH_VERSION ")\n"
	      "  -r, --resume          continue a partial file (NAME.part) with a Range request;\n"
	      "                        a failed resumed download keeps its partial data for the\n"
	      "                        next -r, also when the server sends the whole file again\n"
	      "  -T, --timeout SECS    timeout for connecting (name resolution and every\n"
	      "                        address tried, together), the TLS handshake and each\n"
	      "                        read (default 30)\n"
	      "      --max-time SECS   limit for the whole transfer\n"
	      "  -A, --no-redirect     do not follow redirects (a 3xx answer is then a failure)\n"
	      "  -4, --ipv4 / -6, --ipv6  use only IPv4 / IPv6 addresses (else both, IPv6\n"
	      "                        first, the next address 250 ms later or at once on a\n"
	      "                        failure: Happy Eyeballs)\n"
	      "  -i, --input-file FILE read URLs from FILE ('-': stdin), one a line; blank lines\n"
	      "                        and lines starting with # are skipped\n"
	      "  -N, --timestamping    ask with If-Modified-Since (the file's time): a 304 then\n"
	      "                        leaves the file as it is and is success\n"
	      "      --content-disposition  name the file as the server's Content-Disposition\n"
	      "                        says (filename* first), under the URL-name rules\n"
	      "      --compressed      ask for gzip and decode it; the file is kept only when\n"
	      "                        the gzip trailer checks out\n"
	      "  -t, --tries N         attempts in all (default 1: no retry); retries follow\n"
	      "                        network failures, bodies cut short and 408, 429, 500,\n"
	      "                        502, 503, 504, after 1 s, 2 s, 4 s ... (at most 30 s) or\n"
	      "                        the server's Retry-After (at most 300 s); a retry continues\n"
	      "                        the bytes received when the server's validator allows\n"
	      "  -j, --parallel N      up to N transfers at once (default 1; at most 64); each\n"
	      "                        URL's head and messages are printed whole, in the\n"
	      "                        order given; one progress line for all. With -o - or\n"
	      "                        -r, one at a time\n"
	      "      --checksum ALGO=HEX  sha256 or sha512: the file is kept only when its\n"
	      "                        digest matches (exit 9, no file, when not)\n"
	      "      --ca-certificate FILE  also trust the CA certificates in FILE (PEM)\n"
	      "      --no-check-certificate  do not verify the server's certificate (insecure)\n"
	      "      --proxy URL       use this HTTP proxy for every URL (user:pass@ allowed)\n"
	      "      --no-proxy        ignore http_proxy, https_proxy and HTTPS_PROXY\n"
	      "      --help, --version\n"
	      "\n",
	      f);
	/* Two strings: C99 compilers need take only 4095 bytes in one. */
	fputs("Redirects (300, 301, 302, 303, 307, 308 with a Location) are followed, at most\n"
	      "20 hops. Any other 3xx, a 304 not asked for and a status of 400 or more are\n"
	      "failures: the head is shown, no file is written.\n"
	      "https: the certificate is verified against the system's CAs (SSL_CERT_FILE\n"
	      "and SSL_CERT_DIR honoured) and the host name; TLS 1.2 at least; a body\n"
	      "that ends without close_notify is incomplete.\n"
	      "Proxies: http_proxy for http://, https_proxy or HTTPS_PROXY for https://\n"
	      "(through a CONNECT tunnel, the origin's certificate verified as without a\n"
	      "proxy); no_proxy or NO_PROXY lists hosts to reach directly ('*', names with\n"
	      "their subdomains, IPs, :PORT).\n"
	      "\n"
	      "Exit status (as wget's):\n"
	      "  0  success\n"
	      "  1  other failure\n"
	      "  2  usage: bad option or URL, unreadable --ca-certificate file\n"
	      "  3  local file error (create, write, rename; a target you may not write;\n"
	      "     an unreadable -i list)\n"
	      "  4  network failure: DNS, refused, reset, unreachable, timed out, TLS handshake\n"
	      "  5  TLS: the server's certificate failed verification\n"
	      "  7  protocol error: malformed or incomplete response, redirect loop or too many\n"
	      "  8  the server answered with an error status, a 3xx not followed (-A, no\n"
	      "     Location) or a 304 not asked for\n"
	      "  9  the download's digest differs from --checksum (no file is left)\n"
	      " 10  the proxy could not be reached, refused the request or failed\n"
	      "Several URLs: each is fetched; the status is the first failure's (in the\n"
	      "order given, also with -j). A connection to the same origin (and proxy) is\n"
	      "kept open for the next URL and for redirects (HTTP/1.1 keep-alive).\n",
	      f);
}
