// SPDX-License-Identifier: GPL-2.0-only
/*
 * Histogram unit tests: bucket arithmetic, percentile accuracy against an
 * exact sort of 10^6 samples from several distributions, exact merge, and
 * the coordinated-omission back-fill.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "tap.h"

#define N 1000000

static uint64_t rng_state = 0x1234567887654321ULL;

static double uniform01(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Exact order statistic of rank ceil(p/100 * n), as hist_percentile defines it. */
static uint64_t exact(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static void accuracy(struct tap *t, const char *name, uint64_t *v)
{
	static const double ps[] = { 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100 };
	struct hist *h = malloc(sizeof(*h));
	double worst = 0;
	double worst_p = 0;
	long double sum = 0, sumsq = 0;

	hist_init(h);
	for (size_t i = 0; i < N; i++) {
		hist_record(h, v[i]);
		sum += v[i];
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		double e = (double)exact(v, N, ps[i]), got = (double)hist_percentile(h, ps[i]);
		double err = fabs(got - e) / e;

		if (err > worst) {
			worst = err;
			worst_p = ps[i];
		}
	}
	tap_check(t, worst <= 0.01, "%s: percentiles within 1%% of an exact sort (worst %.4f%% at p%g)",
		  name, worst * 100, worst_p);
	for (size_t i = 0; i < N; i++) {
		long double d = v[i] - sum / N;

		sumsq += d * d;
	}
	tap_check(t, fabs(hist_mean(h) - (double)(sum / N)) / (double)(sum / N) < 1e-9 &&
		     fabs(hist_stddev(h) - (double)sqrtl(sumsq / N)) / (double)sqrtl(sumsq / N) < 1e-6,
		  "%s: mean and stddev exact (mean %.3f, stddev %.3f)", name, hist_mean(h),
		  hist_stddev(h));
	tap_check(t, h->count == N && h->min == v[0] && h->max == v[N - 1],
		  "%s: count, min, max exact", name);
	free(h);
}

static void buckets(struct tap *t)
{
	int bad = 0;

	for (unsigned int i = 0; i < HB_NBUCKETS; i++) {
		if (hb_index(hb_lower(i)) != i || hb_index(hb_upper(i)) != i)
			bad++;
		if (i > 0 && hb_lower(i) != hb_upper(i - 1) + 1)
			bad++;
		if (i >= HB_LINEAR && (double)hb_width(i) / (double)hb_lower(i) > 1.0 / HB_SUB + 1e-12)
			bad++;
	}
	tap_check(t, bad == 0, "buckets tile [0, 2^44) contiguously, width <= 1/%u of value", HB_SUB);
	tap_check(t, hb_upper(HB_NBUCKETS - 1) >= 3600ULL * 1000000000ULL,
		  "range reaches at least one hour (%.2f h)", (double)hb_upper(HB_NBUCKETS - 1) / 3.6e12);
	tap_check(t, sizeof(struct hist) <= 64 * 1024, "histogram is fixed at %zu bytes (<= 64 KiB)",
		  sizeof(struct hist));
}

static void merge(struct tap *t, const uint64_t *v)
{
	struct hist *all = malloc(sizeof(*all)), *part = malloc(4 * sizeof(*part));
	struct hist *merged = malloc(sizeof(*merged));

	hist_init(all);
	hist_init(merged);
	for (int k = 0; k < 4; k++)
		hist_init(&part[k]);
	for (size_t i = 0; i < N; i++) {
		hist_record(all, v[i]);
		hist_record(&part[i % 4], v[i]);
	}
	for (int k = 0; k < 4; k++)
		hist_merge(merged, &part[k]);
	tap_check(t, memcmp(all->counts, merged->counts, sizeof(all->counts)) == 0 &&
		     all->count == merged->count && all->sum == merged->sum &&
		     all->sumsq == merged->sumsq && all->min == merged->min && all->max == merged->max,
		  "merge of 4 per-thread histograms equals one histogram of all samples");
	free(all);
	free(part);
	free(merged);
}

static void corrected(struct tap *t)
{
	struct hist *h = malloc(sizeof(*h));

	hist_init(h);
	hist_record_corrected(h, 10500, 1000);	/* 10.5 intervals late */
	tap_check(t, h->count == 11 && h->max == 10500 && h->min == 500,
		  "CO correction back-fills 10500 with interval 1000 as 11 samples 10500..500 "
		  "(count %llu, min %llu)", (unsigned long long)h->count, (unsigned long long)h->min);
	hist_init(h);
	hist_record_corrected(h, 900, 1000);
	tap_check(t, h->count == 1, "no back-fill below one interval");
	free(h);
}

int main(void)
{
	struct tap t = { 0 };
	uint64_t *v = malloc(N * sizeof(*v)), *copy = malloc(N * sizeof(*v));

	tap_plan(18);
	buckets(&t);
	for (size_t i = 0; i < N; i++)
		v[i] = 100 + (uint64_t)(uniform01() * 1e6);
	memcpy(copy, v, N * sizeof(*v));
	merge(&t, copy);
	accuracy(&t, "uniform 100ns..1ms", v);
	for (size_t i = 0; i < N; i++)
		v[i] = 1 + (uint64_t)exp(9.0 + 1.5 * normal());	/* median ~8 us, long tail */
	accuracy(&t, "log-normal", v);
	for (size_t i = 0; i < N; i++)	/* 95% near 2 us, 5% near 2 ms: a 1000x tail */
		v[i] = (uniform01() < 0.95 ? 2000 : 2000000) + (uint64_t)(uniform01() * 500);
	accuracy(&t, "bimodal with a 1000x tail", v);
	for (size_t i = 0; i < N; i++)	/* tiny values: the exact linear range */
		v[i] = 1 + (uint64_t)(uniform01() * 200);
	accuracy(&t, "small values 1..200ns", v);
	corrected(&t);
	free(v);
	free(copy);
	return t.failed ? 1 : 0;
}
