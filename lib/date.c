/* date: HTTP dates. Formatting writes digits by hand (no strftime, so no
 * locale can leak in); parsing is strict and exact-length per format, since a
 * date that is "almost" valid is better ignored (treated as absent) than
 * guessed at, and converts with calendar arithmetic, never the local zone. */
#include "date.h"

#include <string.h>

static const char date_wkdays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const date_wkdays_long[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                "Thursday", "Friday", "Saturday"};
static const char date_months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

#define DATE_SECS_PER_DAY 86400LL
/* IMF-fixdate has a four-digit year: times outside 0001..9999 are clamped. */
#define DATE_MIN_DAYS (-719162LL) /* 0001-01-01 */
#define DATE_MAX_DAYS 2932896LL   /* 9999-12-31 */

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12); the
 * well-known era-based method, exact for every year, no tables or loops. */
static long long date_days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse: year, month (1..12), day from days since the epoch. */
static void date_civil_from_days(long long z, long long *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int date_is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int date_days_in_month(long long y, int m)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

static char *date_put2(char *p, long long v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

void date_format(time_t t, char *out)
{
	long long secs = (long long)t;
	long long days = secs / DATE_SECS_PER_DAY;
	long long rem = secs % DATE_SECS_PER_DAY;
	long long y;
	int m, d;
	char *p = out;

	if (rem < 0) {
		rem += DATE_SECS_PER_DAY;
		days--;
	}
	if (days < DATE_MIN_DAYS) {
		days = DATE_MIN_DAYS;
		rem = 0;
	} else if (days > DATE_MAX_DAYS) {
		days = DATE_MAX_DAYS;
		rem = DATE_SECS_PER_DAY - 1;
	}
	date_civil_from_days(days, &y, &m, &d);

	/* 1970-01-01 was a Thursday (index 4). */
	long long wd = (days % 7 + 7 + 4) % 7;
	memcpy(p, date_wkdays[wd], 3);
	p += 3;
	*p++ = ',';
	*p++ = ' ';
	p = date_put2(p, d);
	*p++ = ' ';
	memcpy(p, date_months[m - 1], 3);
	p += 3;
	*p++ = ' ';
	p = date_put2(p, y / 100);
	p = date_put2(p, y % 100);
	*p++ = ' ';
	p = date_put2(p, rem / 3600);
	*p++ = ':';
	p = date_put2(p, rem / 60 % 60);
	*p++ = ':';
	p = date_put2(p, rem % 60);
	memcpy(p, " GMT", 5); /* with the NUL */
}

/* n decimal digits, nothing else; -1 otherwise. */
static int date_digits(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Month 1..12 from its case-sensitive three-letter name, or -1. */
static int date_month(const char *p)
{
	for (int i = 0; i < 12; i++)
		if (memcmp(p, date_months[i], 3) == 0)
			return i + 1;
	return -1;
}

static int date_wkday(const char *p)
{
	for (int i = 0; i < 7; i++)
		if (memcmp(p, date_wkdays[i], 3) == 0)
			return i;
	return -1;
}

struct date_fields {
	long long year;
	int month, day, hour, min, sec;
};

/* "HH:MM:SS" (8 bytes). */
static int date_time_of_day(const char *p, struct date_fields *f)
{
	if (p[2] != ':' || p[5] != ':')
		return -1;
	f->hour = date_digits(p, 2);
	f->min = date_digits(p + 3, 2);
	f->sec = date_digits(p + 6, 2);
	return f->hour < 0 || f->min < 0 || f->sec < 0 ? -1 : 0;
}

/* Range checks, then seconds since the epoch. The weekday name is checked
 * for spelling only: like other servers we do not reject a date whose
 * weekday disagrees with its day (the day is what carries the meaning).
 * Second 60 is a leap second (RFC 5322) and counts as the next minute's 0. */
static int date_make(const struct date_fields *f, time_t *out)
{
	if (f->month < 1 || f->month > 12 || f->year < 0 || f->year > 9999)
		return -1;
	if (f->day < 1 || f->day > date_days_in_month(f->year, f->month))
		return -1;
	if (f->hour > 23 || f->min > 59 || f->sec > 60)
		return -1;
	long long days = date_days_from_civil(f->year, f->month, f->day);
	long long t = days * DATE_SECS_PER_DAY + f->hour * 3600LL + f->min * 60LL + f->sec;
	if ((long long)(time_t)t != t)
		return -1;
	*out = (time_t)t;
	return 0;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static int date_parse_imf(const char *s, size_t n, struct date_fields *f)
{
	if (n != DATE_LEN || date_wkday(s) < 0 || memcmp(s + 3, ", ", 2) != 0)
		return -1;
	if (s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || memcmp(s + 25, " GMT", 4) != 0)
		return -1;
	f->day = date_digits(s + 5, 2);
	f->month = date_month(s + 8);
	f->year = date_digits(s + 12, 4);
	if (f->day < 0 || f->year < 0)
		return -1;
	return date_time_of_day(s + 17, f);
}

/* RFC 9110: a two-digit year that would be more than 50 years in the future
 * is the most recent past year with those digits. Symmetrically, one more
 * than 50 years in the past (near the end of a century) is the next one. */
static long long date_expand_year(int yy, time_t now)
{
	long long days = (long long)now / DATE_SECS_PER_DAY, cur;
	int m, d;

	date_civil_from_days(days, &cur, &m, &d);
	long long y = cur - cur % 100 + yy;
	if (y > cur + 50)
		y -= 100;
	else if (y < cur - 50)
		y += 100;
	return y;
}

/* "Sunday, 06-Nov-94 08:49:37 GMT" */
static int date_parse_rfc850(const char *s, size_t n, time_t now, struct date_fields *f)
{
	const char *comma = memchr(s, ',', n);
	size_t name = comma ? (size_t)(comma - s) : 0;
	int wd;

	if (name == 0 || n != name + 24)
		return -1;
	for (wd = 0; wd < 7; wd++)
		if (strlen(date_wkdays_long[wd]) == name &&
		    memcmp(s, date_wkdays_long[wd], name) == 0)
			break;
	if (wd == 7)
		return -1;
	s += name;
	if (s[1] != ' ' || s[4] != '-' || s[8] != '-' || s[11] != ' ' ||
	    memcmp(s + 20, " GMT", 4) != 0)
		return -1;
	f->day = date_digits(s + 2, 2);
	f->month = date_month(s + 5);
	int yy = date_digits(s + 9, 2);
	if (f->day < 0 || yy < 0)
		return -1;
	f->year = date_expand_year(yy, now);
	return date_time_of_day(s + 12, f);
}

/* "Sun Nov  6 08:49:37 1994" (the day may also be two digits, "06"). */
static int date_parse_asctime(const char *s, size_t n, struct date_fields *f)
{
	if (n != 24 || date_wkday(s) < 0 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' ||
	    s[19] != ' ')
		return -1;
	f->month = date_month(s + 4);
	f->day = s[8] == ' ' ? date_digits(s + 9, 1) : date_digits(s + 8, 2);
	f->year = date_digits(s + 20, 4);
	if (f->day < 0 || f->year < 0)
		return -1;
	return date_time_of_day(s + 11, f);
}

int date_parse(const char *s, size_t n, time_t *out)
{
	return date_parse_at(s, n, time(NULL), out);
}

int date_parse_at(const char *s, size_t n, time_t now, time_t *out)
{
	struct date_fields f = {0};
	int r;

	if (s == NULL || out == NULL)
		return -1;
	if (n < 24) /* the shortest format, asctime and RFC 850 for "Monday" */
		return -1;
	if (s[3] == ',')
		r = date_parse_imf(s, n, &f);
	else if (s[3] == ' ')
		r = date_parse_asctime(s, n, &f);
	else
		r = date_parse_rfc850(s, n, now, &f);
	if (r < 0)
		return -1;
	return date_make(&f, out);
}
