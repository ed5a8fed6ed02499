/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Latency histogram: HdrHistogram-style log-linear buckets (see
 * hist_buckets.h), fixed memory (~38 KiB) whatever the run length, one per
 * thread (nothing shared on the hot path), exact merge.
 *
 * Percentiles report the midpoint of the bucket holding the rank, clamped
 * to the recorded min/max: within 0.4% of the exact order statistic.
 * Sum and sum of squares are kept as 128-bit integers so mean and stddev
 * are exact and merging is plain addition. HdrHistogram's file formats
 * for it are in hdr.h.
 */
#ifndef APF_HIST_H
#define APF_HIST_H

#include <stdint.h>
#include <stdio.h>
#include "hist_buckets.h"

struct hist {
	uint64_t count;
	uint64_t min, max;
	unsigned __int128 sum, sumsq;
	uint64_t counts[HB_NBUCKETS];
};

void hist_init(struct hist *h);
static inline void hist_record(struct hist *h, uint64_t v)
{
	if (v > HB_MAX_VALUE)
		v = HB_MAX_VALUE;
	h->counts[hb_index(v)]++;
	h->count++;
	h->sum += v;
	h->sumsq += (unsigned __int128)v * v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}
/*
 * Coordinated-omission back-fill for a loop that expected one operation
 * every interval_ns: a value of k intervals also records v - I, v - 2I, ...
 * (HdrHistogram's record_corrected_value). Paced loops that time from the
 * intended start (pacer.h) do not need it; it is for loops that cannot.
 */
void hist_record_corrected(struct hist *h, uint64_t v, uint64_t interval_ns);
/* Add bucket i with n samples whose values are unknown beyond the bucket. */
void hist_add_bucket(struct hist *h, unsigned int i, uint64_t n);
void hist_merge(struct hist *dst, const struct hist *src);
/* p in [0, 100]. 0 when empty. */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);
double hist_stddev(const struct hist *h);

#endif
