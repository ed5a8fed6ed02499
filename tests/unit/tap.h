/* TAP-like output for C unit tests, read by tests/run. */
#ifndef APF_TAP_H
#define APF_TAP_H

#include <stdarg.h>
#include <stdio.h>

struct tap {
	int failed;
};

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
	if (!cond)
		t->failed++;
}

#endif
