/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The suite's percentile convention, HdrHistogram's: the p-th percentile
 * of `total` samples is the sample of rank ceil(p/100 * total), at least
 * 1. apfw's histograms (result.json, guest/lib/hist.c) and apf-stats
 * pctci both read it so, so their figures agree.
 *
 * The 1e-9 absorbs binary rounding: 99.9/100 * 1000 is 999.0000000000001
 * in doubles, and a plain ceil would give rank 1000, the maximum.
 */
#ifndef APF_PCT_H
#define APF_PCT_H

#include <math.h>

static inline double pct_rank(double p, double total)
{
	double r = ceil(p / 100.0 * total - 1e-9);

	return r < 1.0 ? 1.0 : r;
}

#endif
