/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TAP-like output for C unit tests, read by tests/unit/unit.t: a plan line
 * "1..N" first (tap_plan), then one line per check, so a binary that dies
 * half-way shows fewer lines than it planned.
 */
#ifndef APF_TAP_H
#define APF_TAP_H

#include <stdarg.h>
#include <stdio.h>

struct tap {
	int failed;
};

static inline void tap_plan(int n)
{
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void tap_check(struct tap *t, int cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void tap_check(struct tap *t, int cond, const char *fmt, ...)
{
	va_list ap;

	fputs(cond ? "ok - " : "not ok - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);	/* a crash must not swallow the lines before it */
	if (!cond)
		t->failed++;
}

#endif
