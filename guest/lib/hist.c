// SPDX-License-Identifier: GPL-2.0-only
/* Latency histogram (see hist.h for the error bound and memory). */
#include <math.h>
#include <string.h>
#include "hist.h"
#include "pct.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void hist_record_corrected(struct hist *h, uint64_t v, uint64_t interval_ns)
{
	hist_record(h, v);
	if (interval_ns == 0)
		return;
	for (uint64_t missed = v; missed > interval_ns;) {
		missed -= interval_ns;
		hist_record(h, missed);
	}
}

void hist_add_bucket(struct hist *h, unsigned int i, uint64_t n)
{
	uint64_t lo, hi, mid;

	if (n == 0 || i >= HB_NBUCKETS)
		return;
	lo = hb_lower(i);
	hi = hb_upper(i);
	mid = lo + (hi - lo) / 2;
	h->counts[i] += n;
	h->count += n;
	h->sum += (unsigned __int128)mid * n;
	h->sumsq += (unsigned __int128)mid * mid * n;
	if (lo < h->min)
		h->min = lo;
	if (hi > h->max)
		h->max = hi;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	for (unsigned int i = 0; i < HB_NBUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->count += src->count;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/* The value reported for bucket i: its midpoint, within the recorded range. */
static uint64_t bucket_value(const struct hist *h, unsigned int i)
{
	uint64_t lo = hb_lower(i), v = lo + (hb_width(i) - 1) / 2;

	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

/* Bucket holding the sample of rank pct_rank(p, count) (lib/pct.h). */
static unsigned int percentile_bucket(const struct hist *h, double p, uint64_t *cum_out)
{
	uint64_t rank, cum = 0;
	unsigned int i;

	if (p < 0)
		p = 0;
	if (p > 100)
		p = 100;
	rank = (uint64_t)pct_rank(p, (double)h->count);
	for (i = 0; i < HB_NBUCKETS; i++) {
		cum += h->counts[i];
		if (cum >= rank)
			break;
	}
	if (i == HB_NBUCKETS)
		i = HB_NBUCKETS - 1;
	if (cum_out)
		*cum_out = cum;
	return i;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	if (h->count == 0)
		return 0;
	if (p >= 100)
		return h->max;
	return bucket_value(h, percentile_bucket(h, p, NULL));
}

double hist_mean(const struct hist *h)
{
	if (h->count == 0)
		return NAN;
	return (double)h->sum / (double)h->count;
}

double hist_stddev(const struct hist *h)
{
	long double n = (long double)h->count, mean, var;

	if (h->count == 0)
		return NAN;
	mean = (long double)h->sum / n;
	var = (long double)h->sumsq / n - mean * mean;
	return var > 0 ? (double)sqrtl(var) : 0.0;
}
