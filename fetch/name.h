/* name: the output file name fetch picks when there is no -o.
 *
 * The URL path's last segment, percent-decoded and made safe: every '/',
 * control character (NUL included) and a leading '.' become '_', so the name
 * always stays inside the current directory and is never hidden, "." or "..".
 * An empty segment ("/", "/dir/") gives "index.html". Names longer than
 * FETCH_NAME_MAX bytes are cut there (room for the temporary file's suffix). */
#ifndef FETCH_NAME_H
#define FETCH_NAME_H

#include <stddef.h>

#include "tunables.h"

/* target: "/path?query" as in struct url. out needs FETCH_NAME_MAX + 1 bytes. */
void fetch_name_from_target(const char *target, char *out, size_t outlen);
/* --content-disposition: the name a Content-Disposition value gives, under the
 * same rules: filename* (RFC 8187, UTF-8 or ISO-8859-1, percent-decoded) is
 * preferred over filename (RFC 6266); only the part after the last '/' or
 * '\' is taken. 0 and the name in out, or -1 when the value names nothing
 * usable (malformed, no filename, an empty name). */
int fetch_name_from_disposition(const char *v, size_t n, char *out, size_t outlen);

#endif
