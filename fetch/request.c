/* request: request head serialisation. */
#include "request.h"

#include <string.h>
#include <strings.h>

#include "date.h"
#include "fetch.h"
#include "http.h"

static int request_named(const char *h, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(h, name, n) == 0 && h[n] == ':';
}

/* A -H header meant for the first origin only. */
static int request_is_credential(const char *h)
{
	return request_named(h, "Authorization") || request_named(h, "Cookie") ||
	       request_named(h, "Proxy-Authorization") || request_named(h, "Host");
}

/* Is -H header i sent on this hop? */
static int request_sends(const struct fetch_request *rq, unsigned i)
{
	return !(rq->other_origin && request_is_credential(rq->headers[i]));
}

/* Does a -H header replace (or remove) the default field `name`? */
static int request_overridden(const struct fetch_request *rq, const char *name)
{
	for (unsigned i = 0; i < rq->nheaders; i++)
		if (request_named(rq->headers[i], name) && request_sends(rq, i))
			return 1;
	return 0;
}

/* "Name: value" with the optional whitespace around the value trimmed;
 * nothing for "Name:" without a value (it only removes a default). */
static int request_user_header(struct buffer *out, const char *h)
{
	struct http_field_line f;
	const char *why;

	if (http_field_split(h, &f, &why) != 0 || f.value_len == 0)
		return 0; /* validated by fetch_cli_header_ok: only the removals */
	if (buffer_append(out, h, f.name_len) || buffer_append(out, ": ", 2) ||
	    buffer_append(out, f.value, f.value_len) || buffer_append(out, "\r\n", 2))
		return -1;
	return 0;
}

int fetch_request_build(struct buffer *out, const struct fetch_request *rq)
{
	char host[URL_HOST_MAX + 16];
	const char *ua = rq->user_agent ? rq->user_agent : "fetch/" FETCH_VERSION;

	buffer_clear(out);
	if (url_host_header(rq->url, host, sizeof(host)) < 0)
		return -1;
	if (buffer_printf(out, "%s %s%s%s HTTP/1.1\r\n", rq->head ? "HEAD" : "GET",
			  rq->absolute ? "http://" : "", rq->absolute ? host : "", rq->url->target))
		return -1;
	if (!request_overridden(rq, "Host") && buffer_printf(out, "Host: %s\r\n", host))
		return -1;
	if (!request_overridden(rq, "User-Agent") && buffer_printf(out, "User-Agent: %s\r\n", ua))
		return -1;
	if (!request_overridden(rq, "Accept") && buffer_append_str(out, "Accept: */*\r\n"))
		return -1;
	if (rq->range_from >= 0 && !request_overridden(rq, "Range") &&
	    buffer_printf(out, "Range: bytes=%lld-\r\n", (long long)rq->range_from))
		return -1;
	if (rq->range_from >= 0 && rq->if_range && !request_overridden(rq, "Range") &&
	    buffer_printf(out, "If-Range: %s\r\n", rq->if_range))
		return -1;
	if (rq->if_modified_since >= 0 && !request_overridden(rq, "If-Modified-Since")) {
		char date[DATE_LEN + 1];
		date_format(rq->if_modified_since, date);
		if (buffer_printf(out, "If-Modified-Since: %s\r\n", date))
			return -1;
	}
	if (rq->accept_gzip && !request_overridden(rq, "Accept-Encoding") &&
	    buffer_append_str(out, "Accept-Encoding: gzip\r\n"))
		return -1;
	if (rq->proxy_auth && buffer_printf(out, "Proxy-Authorization: %s\r\n", rq->proxy_auth))
		return -1;
	for (unsigned i = 0; i < rq->nheaders; i++)
		if (request_sends(rq, i) && request_user_header(out, rq->headers[i]))
			return -1;
	return buffer_append(out, "\r\n", 2);
}
