// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for lib/num.c: plain decimals only (no blanks, hex, inf or
 * nan), overflow reported as such, never wrapped or clamped.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include "num.h"
#include "tap.h"

int main(void)
{
	struct tap t = { 0 };
	int64_t i = 0;
	uint64_t u = 0;
	double d = 0;

	tap_plan(22);
	tap_check(&t, parse_int("-42", &i) == 0 && i == -42, "int -42");
	tap_check(&t, parse_int("+7", &i) == 0 && i == 7, "int +7");
	tap_check(&t, parse_int("9223372036854775807", &i) == 0 && i == INT64_MAX, "int INT64_MAX");
	tap_check(&t, parse_int("9223372036854775808", &i) == -ERANGE, "int INT64_MAX+1: -ERANGE");
	tap_check(&t, parse_int("-9223372036854775809", &i) == -ERANGE, "int INT64_MIN-1: -ERANGE");
	tap_check(&t, parse_int("", &i) == -1 && parse_int("-", &i) == -1 && parse_int(" 5", &i) == -1 &&
		     parse_int("5 ", &i) == -1 && parse_int("0x10", &i) == -1 && parse_int("1e3", &i) == -1,
		  "int: empty, lone sign, blanks, hex, exponent refused");
	tap_check(&t, parse_uint("18446744073709551615", &u) == 0 && u == UINT64_MAX, "uint UINT64_MAX");
	tap_check(&t, parse_uint("18446744073709551616", &u) == -ERANGE, "uint UINT64_MAX+1: -ERANGE");
	tap_check(&t, parse_uint("-1", &u) == -1 && parse_uint("+1", &u) == -1,
		  "uint: no sign (strtoull would wrap -1)");
	tap_check(&t, parse_real("1.5", &d) == 0 && d == 1.5, "real 1.5");
	tap_check(&t, parse_real("-.5", &d) == 0 && d == -0.5, "real -.5");
	tap_check(&t, parse_real("5.", &d) == 0 && d == 5.0, "real 5.");
	tap_check(&t, parse_real("1e9", &d) == 0 && d == 1e9, "real 1e9");
	tap_check(&t, parse_real("2.5E-3", &d) == 0 && d == 2.5e-3, "real 2.5E-3");
	tap_check(&t, parse_real("1e300", &d) == 0 && d == 1e300, "real 1e300 (bounds are the caller's)");
	tap_check(&t, parse_real("1e400", &d) == -1 && parse_real("-1e400", &d) == -1,
		  "real beyond a double's range refused, not inf");
	tap_check(&t, parse_real("nan", &d) == -1 && parse_real("NaN", &d) == -1 &&
		     parse_real("inf", &d) == -1 && parse_real("-Infinity", &d) == -1,
		  "real: nan and inf refused");
	tap_check(&t, parse_real("0x1p3", &d) == -1 && parse_real(" 1", &d) == -1 &&
		     parse_real("1 ", &d) == -1 && parse_real("", &d) == -1 && parse_real(".", &d) == -1 &&
		     parse_real("1e", &d) == -1 && parse_real("e5", &d) == -1 && parse_real("1.2.3", &d) == -1,
		  "real: hex, blanks, empty, '.', '1e', 'e5', '1.2.3' refused");
	tap_check(&t, parse_seconds("0.25", &d) == 0 && d == 0.25, "seconds 0.25");
	tap_check(&t, parse_seconds("0", &d) == -1 && parse_seconds("-1", &d) == -1, "seconds: 0 and -1 refused");
	tap_check(&t, parse_seconds("1e-400", &d) == -1, "seconds: an underflow to 0 refused");
	d = 7;
	tap_check(&t, parse_real("abc", &d) == -1 && d == 7 && !isnan(d), "a refused value leaves the output alone");
	return t.failed ? 1 : 0;
}
