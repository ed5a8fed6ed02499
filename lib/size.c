// SPDX-License-Identifier: GPL-2.0-only
/* Sizes in bytes: the grammar is in size.h. */
#include <errno.h>
#include <stdio.h>
#include "num.h"
#include "size.h"

/* The suffix at s: its power of two into *shift; -1 when s is no suffix. */
static int suffix_shift(const char *s, unsigned int *shift)
{
	static const char units[] = "KMGT";

	*shift = 0;
	for (unsigned int i = 0; units[i]; i++)
		if ((*s & ~0x20) == units[i]) {
			*shift = 10 * (i + 1);
			s++;
			if (*s == 'i' || *s == 'I')
				s++;
			break;
		}
	if (*s == 'b' || *s == 'B')
		s++;
	return *s == '\0' ? 0 : -1;
}

int parse_size(const char *s, uint64_t *out)
{
	char num[24];	/* UINT64_MAX has 20 digits; more is -ERANGE anyway */
	uint64_t v;
	unsigned int shift;
	size_t n = 0;
	int rc;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0 || suffix_shift(s + n, &shift) != 0)
		return -1;
	while (n > 1 && *s == '0')	/* leading zeros do not make it longer */
		s++, n--;
	if (n >= sizeof(num))
		return -ERANGE;
	snprintf(num, sizeof(num), "%.*s", (int)n, s);
	rc = parse_uint(num, &v);
	if (rc != 0)
		return rc;
	if (v > (SIZE_MAX_BYTES >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

const char *fmt_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)n;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, len, "%.3g %s", v, units[u]);
	return buf;
}
