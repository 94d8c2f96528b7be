/* httpd: the command line, start-up (root, listeners, log, privileges) and
 * hand-over to server_start(). Exit status: 0 after a graceful stop, 1 for a
 * runtime failure (root missing, port in use...), 2 for bad usage. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "activation.h"
#include "buffer.h"
#include "httpd.h"
#include "tunables.h"
#include "log.h"
#include "mime.h"
#include "net.h"
#include "path.h"
#include "server.h"
#include "tls.h"

enum {
	OPT_NO_LISTING = 256, OPT_DOTFILES, OPT_TIMEOUT, OPT_HEADER_TIMEOUT, OPT_CHROOT,
	OPT_FALLBACK, OPT_ERROR_PAGE, OPT_PROXY_PROTOCOL, OPT_REUSEPORT,
	OPT_TLS_CERT, OPT_TLS_KEY, OPT_NO_KTLS, OPT_HTTP_REDIRECT
};

static const struct option main_options[] = {
	{"port", required_argument, NULL, 'p'},
	{"bind", required_argument, NULL, 'b'},
	{"workers", required_argument, NULL, 'w'},
	{"index", required_argument, NULL, 'i'},
	{"no-listing", no_argument, NULL, OPT_NO_LISTING},
	{"dotfiles", no_argument, NULL, OPT_DOTFILES},
	{"log", required_argument, NULL, 'l'},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"header-timeout", required_argument, NULL, OPT_HEADER_TIMEOUT},
	{"max-conns", required_argument, NULL, 'c'},
	{"header", required_argument, NULL, 'H'},
	{"user", required_argument, NULL, 'u'},
	{"chroot", no_argument, NULL, OPT_CHROOT},
	{"fallback", required_argument, NULL, OPT_FALLBACK},
	{"error-page", required_argument, NULL, OPT_ERROR_PAGE},
	{"proxy-protocol", no_argument, NULL, OPT_PROXY_PROTOCOL},
	{"reuseport", no_argument, NULL, OPT_REUSEPORT},
	{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
	{"tls-key", required_argument, NULL, OPT_TLS_KEY},
	{"no-ktls", no_argument, NULL, OPT_NO_KTLS},
	{"http-redirect", required_argument, NULL, OPT_HTTP_REDIRECT},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void main_usage(FILE *f)
{
	fputs("Usage: httpd [OPTIONS] [ROOT]\n"
	      "Serve the files under ROOT (default www/) over HTTP/1.1.\n"
	      "\n"
	      "  -p, --port PORT          port to listen on (default 8080; 0 picks a free one)\n"
	      "  -b, --bind ADDR          address to listen on (default: every address, IPv6 and IPv4)\n"
	      "  -w, --workers N          worker processes (default: one per CPU)\n"
	      "  -i, --index NAME         file served for a directory (default index.html)\n"
	      "      --no-listing         answer 404 instead of listing a directory without index\n"
	      "      --dotfiles           serve names starting with '.' (.well-known always is)\n"
	      "  -l, --log FILE           access log: a file, '-' for stderr (default), or 'off'\n"
	      "      --timeout SECONDS    keep-alive idle timeout (default 30)\n"
	      "      --header-timeout SECONDS\n"
	      "                           time allowed for a request head to arrive (default 15)\n"
	      "  -c, --max-conns N        connections per worker; more get 503 (default 10000)\n"
	      "  -H, --header 'Name: value'\n"
	      "                           add a header to every file response (repeatable)\n"
	      "  -u, --user NAME          when started as root: run as NAME after binding\n"
	      "      --chroot             when started as root: chroot into ROOT after binding\n"
	      "      --fallback PATH      answer GET/HEAD of a missing path with this file under\n"
	      "                           ROOT and 200 (single-page apps), e.g. /index.html\n"
	      "      --error-page CODE=FILE\n"
	      "                           body of error responses with status CODE (4xx, 5xx),\n"
	      "                           read from FILE at start-up (repeatable)\n"
	      "      --proxy-protocol     every connection starts with a PROXY header (v1 or v2,\n"
	      "                           from HAProxy...): its client address is logged; a\n"
	      "                           connection without one is closed\n"
	      "      --reuseport          share the port with other httpd started so (rolling\n"
	      "                           restart: start the new one, then TERM the old one)\n"
	      "      --tls-cert FILE      serve HTTPS with this PEM certificate (chain after it);\n"
	      "                           the default port becomes 8443\n"
	      "      --tls-key FILE       the certificate's PEM private key\n"
	      "      --no-ktls            encrypt in user space even where the kernel offers TLS\n"
	      "      --http-redirect PORT also answer plain HTTP on PORT with 308 to https://\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Signals: TERM/INT stop gracefully (answers in progress finish), HUP reopens the log\n"
	      "and reloads the TLS certificate and key.\n",
	      f);
}

/* Prints "httpd: message" and the usage hint; exit status 2. */
static void main_bad_usage(const char *fmt, const char *arg)
	__attribute__((noreturn, format(printf, 1, 0)));
static void main_bad_usage(const char *fmt, const char *arg)
{
	char msg[512];

	/* Only ever called with a literal holding one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (snprintf(msg, sizeof msg, fmt, arg) < 0)
		msg[0] = '\0';
#pragma GCC diagnostic pop
	fprintf(stderr, "httpd: %s (see httpd --help)\n", msg);
	exit(2);
}

static long main_number(const char *s, long min, long max, const char *what)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		main_bad_usage(what, s);
	return v;
}

/* Headers the server sets itself: a -H copy would frame the message wrongly
 * or contradict the server's own (two Content-Types, two ETags...). */
static int main_reserved_header(const char *name, size_t n)
{
	static const char *const reserved[] = {
		"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade",
		"Content-Range", "Date", "Server", "Content-Type", "Content-Encoding", "ETag",
		"Last-Modified", "Accept-Ranges", "Vary", "Location", "Allow", NULL};
	for (size_t i = 0; reserved[i]; i++)
		if (strlen(reserved[i]) == n && strncasecmp(reserved[i], name, n) == 0)
			return 1;
	return 0;
}

/* Validates -H 'Name: value' and appends "Name: value\r\n" to hb. */
static void main_add_header(struct buffer *hb, const char *arg)
{
	struct http_field_line f;
	const char *why;
	char msg[512];

	if (http_field_split(arg, &f, &why) != 0) {
		/* fetch -H says the same (one validator, lib/http) */
		if (snprintf(msg, sizeof msg, "bad header '%s': %s", arg, why) < 0)
			msg[0] = '\0';
		main_bad_usage("%s", msg);
	}
	if (main_reserved_header(arg, f.name_len))
		main_bad_usage("header '%s': the server sets this one itself", arg);
	if (buffer_append(hb, arg, f.name_len) < 0 || buffer_append(hb, ": ", 2) < 0 ||
	    buffer_append(hb, f.value, f.value_len) < 0 || buffer_append(hb, "\r\n", 2) < 0)
		main_bad_usage("too many header bytes at '%s'", arg);
}

static void main_die(const char *what, const char *arg, int err) __attribute__((noreturn));

/* --fallback PATH: a path under the root, normalised now ("index.html"
 * counts as "/index.html"); it may not be hidden or a directory. */
static const char *main_fallback(const char *arg)
{
	static char norm[HTTP_TARGET_MAX + 2]; /* config: written once, before the workers */
	char in[HTTP_TARGET_MAX + 2];
	size_t n = strlen(arg);

	if (n == 0 || n > HTTP_TARGET_MAX || snprintf(in, sizeof in, "/%s", arg) < 0)
		main_bad_usage("bad fallback '%s': a path under ROOT", arg);
	ssize_t nn = path_normalize(in, n + 1, norm, sizeof norm - 1);
	if (nn < 2 || norm[nn - 1] == '/' || strstr(norm, "/."))
		main_bad_usage("bad fallback '%s': a file under ROOT, not hidden", arg);
	norm[nn] = '\0';
	return norm;
}

/* --error-page CODE=FILE: FILE's bytes, read now (before any chroot). */
static void main_error_page(struct httpd_config *cfg, const char *arg)
{
	char *end;
	long code = strtol(arg, &end, 10);
	struct httpd_error_page *e = &cfg->error_pages[cfg->nerror_pages];

	if (end == arg || *end != '=' || code < 400 || code > 599 || !end[1])
		main_bad_usage("bad error page '%s': expected CODE=FILE, CODE 400 to 599", arg);
	if (cfg->nerror_pages == HTTPD_ERROR_PAGES_MAX)
		main_bad_usage("too many error pages at '%s'", arg);
	FILE *f = fopen(end + 1, "re");
	if (!f)
		main_die("cannot read error page", end + 1, errno);
	e->body = malloc(HTTPD_ERROR_PAGE_MAX + 1);
	if (!e->body)
		main_die("out of memory for", end + 1, ENOMEM);
	e->len = fread(e->body, 1, HTTPD_ERROR_PAGE_MAX + 1, f);
	int bad = ferror(f) ? errno : 0; /* fread's own reason, e.g. EISDIR */
	fclose(f);
	if (bad)
		main_die("cannot read error page", end + 1, bad);
	if (e->len > HTTPD_ERROR_PAGE_MAX)
		main_bad_usage("error page '%s' is over 64 KiB", end + 1);
	e->code = (int)code;
	e->ctype = end + 1; /* a file name until mime_load: main() looks its type up */
	cfg->nerror_pages++;
}

static int main_default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > MAIN_WORKERS_MAX ? MAIN_WORKERS_MAX : (int)n;
}

static void main_parse(int argc, char **argv, struct httpd_config *cfg, struct buffer *hb)
{
	int c;

	opterr = 0; /* getopt's own message would be a second line */
	while ((c = getopt_long(argc, argv, ":p:b:w:i:l:c:H:u:hV", main_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			main_number(optarg, 0, 65535, "bad port '%s'");
			cfg->port = optarg;
			break;
		case 'b':
			cfg->bind = optarg[0] ? optarg : NULL;
			break;
		case 'w':
			cfg->workers = (int)main_number(optarg, 1, MAIN_WORKERS_MAX, "bad worker count '%s'");
			break;
		case 'i':
			if (!optarg[0] || strchr(optarg, '/'))
				main_bad_usage("bad index name '%s': a file name, no '/'", optarg);
			cfg->index = optarg;
			break;
		case OPT_NO_LISTING:
			cfg->listing = 0;
			break;
		case OPT_DOTFILES:
			cfg->dotfiles = 1;
			break;
		case 'l':
			if (!optarg[0])
				main_bad_usage("bad log '%s': a file, '-' or 'off'", optarg);
			cfg->log_file = strcmp(optarg, "off") == 0 ? NULL : optarg;
			break;
		case OPT_TIMEOUT:
			cfg->timeout_s = (int)main_number(optarg, 1, MAIN_TIMEOUT_MAX, "bad timeout '%s'");
			break;
		case OPT_HEADER_TIMEOUT:
			cfg->header_timeout_s =
				(int)main_number(optarg, 1, MAIN_TIMEOUT_MAX, "bad header timeout '%s'");
			break;
		case 'c':
			cfg->max_conns =
				(int)main_number(optarg, 1, MAIN_CONNS_MAX, "bad connection cap '%s'");
			break;
		case 'H':
			main_add_header(hb, optarg);
			break;
		case 'u':
			cfg->user = optarg;
			break;
		case OPT_CHROOT:
			cfg->chroot = 1;
			break;
		case OPT_FALLBACK:
			cfg->fallback = main_fallback(optarg);
			break;
		case OPT_ERROR_PAGE:
			main_error_page(cfg, optarg);
			break;
		case OPT_PROXY_PROTOCOL:
			cfg->proxy_protocol = 1;
			break;
		case OPT_REUSEPORT:
			cfg->reuseport = 1;
			break;
		case OPT_TLS_CERT:
			cfg->tls.cert_file = optarg;
			break;
		case OPT_TLS_KEY:
			cfg->tls.key_file = optarg;
			break;
		case OPT_NO_KTLS:
			cfg->tls.ktls = 0;
			break;
		case OPT_HTTP_REDIRECT:
			main_number(optarg, 1, 65535, "bad redirect port '%s'");
			cfg->redirect_port = optarg;
			break;
		case 'h':
			main_usage(stdout);
			exit(0);
		case 'V':
			printf("httpd %s\n", HTTPD_VERSION);
			exit(0);
		case ':':
			main_bad_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			main_bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		main_bad_usage("one ROOT only, got another: '%s'", argv[optind + 1]);
	/* Root can leave a chroot: without a user to become it would be no jail. */
	if (cfg->chroot && !cfg->user)
		main_bad_usage("%s needs --user: uid 0 can leave a chroot", "--chroot");
	if (optind < argc)
		cfg->root_dir = argv[optind];
	if (!cfg->tls.cert_file != !cfg->tls.key_file)
		main_bad_usage("%s", "--tls-cert and --tls-key go together");
	if (cfg->redirect_port && !cfg->tls.cert_file)
		main_bad_usage("%s", "--http-redirect needs --tls-cert and --tls-key");
	if (cfg->tls.cert_file && !cfg->port)
		cfg->port = MAIN_DEFAULT_TLS_PORT;
	if (!cfg->port)
		cfg->port = MAIN_DEFAULT_PORT;
}

/* Runtime failure: one line, exit 1. */
static void main_die(const char *what, const char *arg, int err)
{
	if (err)
		fprintf(stderr, "httpd: %s '%s': %s\n", what, arg, strerror(err));
	else
		fprintf(stderr, "httpd: %s '%s'\n", what, arg);
	exit(1);
}

/* Options every listener gets; accepted sockets inherit them. */
static void main_tune_listener(int fd)
{
	int one = 1, zero = 0, defer = MAIN_DEFER_S;

	/* Responses leave in whole batches already; Nagle would only delay them. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* Wake us when the request is there, not at the handshake (nginx "deferred"). */
	setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
	/* Delayed ACKs from the start (accepted sockets inherit the mode): the
	 * answer carries the ACK of a request, where a new connection would
	 * first ACK it alone (8 packets per Connection: close exchange, not 9).
	 * Bulk input is still ACKed every second full segment. */
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
}

/* n listeners on *port (SO_REUSEPORT when several); port 0 resolves on the
 * first, and *port becomes the actual one. */
static void main_listen(const struct httpd_config *cfg, const char **port, int *lfds, int n,
			char *portbuf, size_t cap)
{
	char err[256];

	/* SO_REUSEPORT would let us join another server's group on a busy port
	 * (same user): a plain bind first proves the port is free, unless
	 * joining is what --reuseport asks for. */
	int reuse = n > 1 || cfg->reuseport;
	if (n > 1 && !cfg->reuseport && strcmp(*port, "0") != 0) {
		int probe = net_listen(cfg->bind, *port, 0, err, sizeof err);
		if (probe < 0) {
			fprintf(stderr, "httpd: %s\n", err);
			exit(1);
		}
		close(probe);
	}
	for (int i = 0; i < n; i++) {
		lfds[i] = net_listen(cfg->bind, *port, reuse ? NET_REUSEPORT : 0, err, sizeof err);
		if (lfds[i] < 0) {
			fprintf(stderr, "httpd: %s\n", err);
			exit(1);
		}
		main_tune_listener(lfds[i]);
		if (i == 0 && strcmp(*port, "0") == 0) {
			int got = net_local_port(lfds[0]);
			if (got < 0 || snprintf(portbuf, cap, "%d", got) >= (int)cap)
				main_die("cannot learn the port of", "0", errno);
			*port = portbuf;
		}
	}
}

/* Socket activation: worker i serves inherited socket i modulo their number
 * (each worker owns one listener, so there are at least as many workers as
 * sockets); a worker sharing a socket gets its own descriptor for it, which
 * it may close alone. cfg->port becomes the first socket's port. */
static void main_adopt(struct httpd_config *cfg, int *lfds, const int *fds, int nfds,
		       char *portbuf, size_t cap)
{
	for (int i = 0; i < cfg->workers; i++) {
		lfds[i] = i < nfds ? fds[i] : fcntl(fds[i % nfds], F_DUPFD_CLOEXEC, 0);
		if (lfds[i] < 0)
			main_die("cannot share the inherited socket", "LISTEN_FDS", errno);
		main_tune_listener(lfds[i]);
	}
	int port = net_local_port(fds[0]);
	if (port < 0 || snprintf(portbuf, cap, "%d", port) >= (int)cap)
		main_die("cannot learn the port of", "LISTEN_FDS", errno);
	cfg->port = portbuf;
}

#ifdef __SANITIZE_ADDRESS__
/* Registered after the sanitizer's own exit hook, so it runs first. */
static void main_exit_now(int status, void *arg)
{
	(void)arg;
	_exit(status);
}
#endif

/* Root only: chroot into the root and become cfg->user, after binding. */
static void main_drop_privileges(struct httpd_config *cfg)
{
	struct passwd *pw = NULL;

	if (geteuid() != 0) {
		if (cfg->chroot)
			main_die("--chroot needs root; started as uid", cfg->root_dir, 0);
		if (cfg->user)
			log_msg(LOG_WARN, "not started as root: --user %s ignored", cfg->user);
		return;
	}
	if (!cfg->user)
		log_msg(LOG_WARN, "WARNING: serving as root: every request is answered with root's "
				  "rights; start with --user NAME to drop them after binding");
	if (cfg->user) {
		errno = 0;
		pw = getpwnam(cfg->user);
		if (!pw)
			main_die("unknown user", cfg->user, errno);
	}
	if (cfg->chroot) {
		if (chroot(cfg->root.real) < 0 || chdir("/") < 0)
			main_die("cannot chroot into", cfg->root.real, errno);
#ifdef __SANITIZE_ADDRESS__
		/* LeakSanitizer's exit check needs /proc, gone after chroot: skip it
		 * (sanitizer builds only) rather than fail with a false report. */
		on_exit(main_exit_now, NULL);
#endif
		/* Paths are now relative to the new "/": the root is "/" itself. */
		path_root_close(&cfg->root);
		if (path_root_open(&cfg->root, "/") < 0)
			main_die("cannot open the root after chroot", "/", errno);
	}
	if (pw) {
		if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			main_die("cannot become user", cfg->user, errno);
		if (setuid(0) == 0)
			main_die("privileges could be regained after dropping to", cfg->user, 0);
#ifdef __SANITIZE_ADDRESS__
		/* setuid made us undumpable, and LeakSanitizer needs ptrace of itself
		 * at exit; only sanitizer builds (tests) turn it back on. */
		prctl(PR_SET_DUMPABLE, 1);
#endif
	}
}

/* Every descriptor the hard limit allows: each connection is one. */
static void main_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Whether this kernel offers TLS offload (the "tls" upper-layer protocol). */
static int main_kernel_tls(void)
{
	char ulp[256] = "";
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_ulp", "r");

	if (f) {
		if (!fgets(ulp, sizeof ulp, f))
			ulp[0] = '\0';
		fclose(f);
	}
	for (char *w = strtok(ulp, " \n"); w; w = strtok(NULL, " \n"))
		if (strcmp(w, "tls") == 0)
			return 1;
	return 0;
}

static void main_print_url(const struct httpd_config *cfg, const char *ktls)
{
	const char *host = cfg->bind ? cfg->bind : "localhost";
	int v6 = strchr(host, ':') != NULL;

	printf("httpd %s: serving %s at http%s://%s%s%s:%s/", HTTPD_VERSION, cfg->root.real,
	       cfg->tls.cert_file ? "s" : "", v6 ? "[" : "", host, v6 ? "]" : "", cfg->port);
	if (cfg->tls.cert_file)
		printf(" (%s; kernel TLS %s)", tls_library(), ktls);
	if (cfg->redirect_port)
		printf("; http://%s%s%s:%s/ redirects there", v6 ? "[" : "", host, v6 ? "]" : "",
		       cfg->redirect_port);
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct httpd_config cfg = {
		.root_dir = MAIN_DEFAULT_ROOT,
		.index = "index.html",
		.listing = 1,
		.tls.ktls = 1,
		.workers = main_default_workers(),
		.timeout_s = MAIN_DEFAULT_TIMEOUT,
		.header_timeout_s = MAIN_DEFAULT_HEAD_TIMEOUT,
		.write_timeout_s = MAIN_DEFAULT_WRITE_TIMEOUT,
		.max_conns = MAIN_DEFAULT_CONNS,
		.log_file = "-",
	};
	struct buffer headers;
	struct accesslog alog;
	char err[512], portbuf[16];

	log_init("httpd", LOG_INFO);
	buffer_init(&headers, MAIN_HEADERS_MAX);
	main_parse(argc, argv, &cfg, &headers);
	cfg.extra_headers = headers.data ? headers.data : "";
	cfg.extra_headers_len = headers.len;

	struct server_setup su = {.n = cfg.workers, .log = &alog};
	int kernel_tls = main_kernel_tls();
	const char *ktls = !cfg.tls.ktls ? "off (--no-ktls)"
			   : kernel_tls  ? "on where the kernel takes the session"
					 : "off (this kernel offers no tls ULP)";
	/* Asked for where the kernel lacks it, OpenSSL would try it on every
	 * connection: two failing setsockopt calls each. */
	cfg.tls.ktls = cfg.tls.ktls && kernel_tls;
	/* Before anything else: a certificate problem is a usage error. */
	if (cfg.tls.cert_file && !(su.tls = tls_server_ctx(&cfg.tls, err, sizeof err))) {
		fprintf(stderr, "httpd: %s\n", err);
		exit(2);
	}
	if (path_root_open(&cfg.root, cfg.root_dir) < 0)
		main_die("cannot serve", cfg.root_dir, errno);
	net_ignore_sigpipe();
	main_raise_nofile();
	/* Before any chroot: these read files under /etc. */
	tzset();
	mime_load(NULL);
	for (int i = 0; i < cfg.nerror_pages; i++)
		cfg.error_pages[i].ctype = mime_type(cfg.error_pages[i].ctype);
	if (accesslog_open(&alog, cfg.log_file, err, sizeof err) < 0) {
		fprintf(stderr, "httpd: %s\n", err);
		return 1;
	}
	int inherited[ACTIVATION_FDS_MAX];
	int ninherited = activation_listeners(inherited, ACTIVATION_FDS_MAX, err, sizeof err);
	if (ninherited < 0) {
		fprintf(stderr, "httpd: %s\n", err);
		return 1;
	}
	if (cfg.workers < ninherited)
		cfg.workers = ninherited;
	su.n = cfg.workers;
	int *lfds = calloc((size_t)cfg.workers * 2, sizeof *lfds);
	if (!lfds)
		main_die("out of memory for", "workers", ENOMEM);
	/* Inherited sockets are the workers' listeners, TLS ones with
	 * --tls-cert, exactly as sockets bound here would be. */
	su.lfds = lfds;
	if (ninherited > 0)
		main_adopt(&cfg, lfds, inherited, ninherited, portbuf, sizeof portbuf);
	else
		main_listen(&cfg, &cfg.port, lfds, cfg.workers, portbuf, sizeof portbuf);
	if (cfg.redirect_port) {
		su.rfds = lfds + cfg.workers;
		main_listen(&cfg, &cfg.redirect_port, lfds + cfg.workers, cfg.workers, NULL, 0);
	}
	main_drop_privileges(&cfg);
	main_print_url(&cfg, ktls);

	int rc = server_start(&cfg, &su);

	accesslog_close(&alog);
	free(lfds);
	buffer_free(&headers);
	for (int i = 0; i < cfg.nerror_pages; i++)
		free(cfg.error_pages[i].body);
	path_root_close(&cfg.root);
	mime_free();
	return rc;
}
