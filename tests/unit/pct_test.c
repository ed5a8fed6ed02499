// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for lib/pct.h (the one percentile rank, which hist.c and
 * apf-stats pctci share) and lib/xorshift.h (same seed, same sequence:
 * pageout's --seed and pctci's bootstrap depend on it).
 */
#include <stdint.h>
#include "hist.h"
#include "pct.h"
#include "tap.h"
#include "xorshift.h"

int main(void)
{
	struct tap t = { 0 };
	static struct hist h;
	uint64_t s = 88172645463325252ULL, a, b;

	tap_plan(8);
	tap_check(&t, pct_rank(50, 10) == 5 && pct_rank(90, 10) == 9, "p50, p90 of 10: ranks 5, 9");
	tap_check(&t, pct_rank(99.9, 1000) == 999, "p99.9 of 1000: rank 999, not 1000 (binary rounding)");
	tap_check(&t, pct_rank(99.99, 10000) == 9999, "p99.99 of 10000: rank 9999");
	tap_check(&t, pct_rank(0, 10) == 1 && pct_rank(1, 10) == 1, "the rank is at least 1");

	hist_init(&h);
	for (uint64_t v = 1; v <= 1000; v++)
		hist_record(&h, v * 1000);
	tap_check(&t, hist_percentile(&h, 99.9) < 1000000 && hist_percentile(&h, 99.9) >= 995000,
		  "hist p99.9 of 1000 values is the 999th (%llu), not the max",
		  (unsigned long long)hist_percentile(&h, 99.9));

	a = xorshift64star(&s);
	b = xorshift64star(&s);
	tap_check(&t, a != b && a != 0, "xorshift64star moves");
	s = 88172645463325252ULL;
	tap_check(&t, xorshift64star(&s) == a && xorshift64star(&s) == b, "xorshift64star: same seed, same sequence");
	s = 1;
	for (int i = 0; i < 100000; i++)
		if (xorshift64(&s) == 0)
			s = 0;
	tap_check(&t, s != 0, "xorshift64 from a non-zero state never yields 0");
	return t.failed ? 1 : 0;
}
