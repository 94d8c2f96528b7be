/* date: HTTP dates (RFC 9110 section 5.6.7). */
#ifndef DATE_H
#define DATE_H

#include <stddef.h>
#include <time.h>

#define DATE_LEN 29 /* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* IMF-fixdate of t, NUL-terminated (out has DATE_LEN + 1 bytes). */
void date_format(time_t t, char *out);
/* Parses IMF-fixdate, obsolete RFC 850 and asctime formats; 0 or -1 (and
 * *out untouched). Strict: exact layout, case-sensitive names, fields in
 * range (Feb 29 only in leap years), nothing around it (lib/http stores
 * field values trimmed). The weekday name must be valid but is not checked
 * against the date. RFC 850's two-digit year follows RFC 9110's 50-year
 * rule, counted from `now` (the caller's clock). */
int date_parse_at(const char *s, size_t n, time_t now, time_t *out);
/* The same at the system's time (fetch's only). */
int date_parse(const char *s, size_t n, time_t *out);

#endif
