// SPDX-License-Identifier: GPL-2.0-only
/* Decimal numbers from text (see num.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "num.h"

static int all_digits(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == '\0';
}

int parse_int(const char *s, int64_t *out)
{
	long long v;

	if (!all_digits(s + (*s == '-' || *s == '+')))
		return -1;
	errno = 0;
	v = strtoll(s, NULL, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_uint(const char *s, uint64_t *out)
{
	unsigned long long v;

	if (!all_digits(s))
		return -1;
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

/* The length of a run of digits at s. */
static size_t digits(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

int parse_real(const char *s, double *out)
{
	const char *p = s + (*s == '-' || *s == '+');
	size_t whole = digits(p), frac = 0;
	double v;

	p += whole;
	if (*p == '.') {
		frac = digits(p + 1);
		p += 1 + frac;
	}
	if (whole + frac == 0)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '-' || *p == '+';
		if (!digits(p))
			return -1;
		p += digits(p);
	}
	if (*p != '\0')
		return -1;
	errno = 0;
	v = strtod(s, NULL);
	/* Overflow is ERANGE with HUGE_VAL; underflow to 0 is a fine value. */
	if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
		return -1;
	*out = v;
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	double v;

	if (parse_real(s, &v) != 0 || !(v > 0))
		return -1;
	*out = v;
	return 0;
}
