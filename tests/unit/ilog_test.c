// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interval-log unit tests: the V2 counts payload round-trips (zero runs,
 * counts up to 2^63-1 in nine bytes), per-slice histograms come back slice
 * by slice with the series' tail folded into its last row, and the memory
 * cap drops whole later slices, never part of one.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "hdr.h"
#include "ilog.h"
#include "tap.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void roundtrip(struct tap *t)
{
	static uint64_t a[HB_NBUCKETS], b[HB_NBUCKETS], back[HB_NBUCKETS];
	static uint8_t buf[HDR_PAYLOAD_MAX(HB_NBUCKETS)];
	size_t n;
	int bad = 0;

	for (int round = 0; round < 50; round++) {
		for (unsigned int i = 0; i < HB_NBUCKETS; i++) {
			uint64_t r = next();

			b[i] = r % 3 ? 0 : r >> 40;
			/* Sparse deltas, some of every size up to 2^63-1. */
			a[i] = b[i] + (r % 5 ? 0 : r >> (r % 64 | 1));
		}
		n = hdr_encode_counts(a, b, HB_NBUCKETS, buf);
		memset(back, 0, sizeof(back));
		if (hdr_decode_counts_add(buf, n, back, HB_NBUCKETS) != 0)
			bad++;
		for (unsigned int i = 0; i < HB_NBUCKETS; i++)
			bad += back[i] != a[i] - b[i];
	}
	tap_check(t, bad == 0, "V2 payload of random sparse deltas decodes back (%d mismatches)", bad);
	memset(a, 0, sizeof(a));
	n = hdr_encode_counts(a, NULL, HB_NBUCKETS, buf);
	tap_check(t, n == 1 && buf[0] == 0, "empty histogram encodes as one zero, as HdrHistogram's");
	a[3] = INT64_MAX;
	n = hdr_encode_counts(a, NULL, HB_NBUCKETS, buf);
	/* -3 zeros (one byte), then 2^63-1 zigzagged: 9 bytes. */
	tap_check(t, n == 10 && buf[0] == 5, "zero run then 2^63-1: %zu bytes (want 10)", n);
	buf[n - 1] |= 0x80;
	tap_check(t, hdr_decode_counts_add(buf, n - 1, back, HB_NBUCKETS) != 0,
		  "a truncated payload is refused");
}

struct fake_worker {
	struct hist h;
	struct series s;
	struct ilog l;
};

static void record(struct fake_worker *w, uint64_t now, uint64_t v)
{
	if (now >= w->l.cur_end_ns)
		ilog_close(&w->l, &w->h, &w->s, now);
	hist_record(&w->h, v);
}

static void slices(struct tap *t)
{
	static struct fake_worker w;
	static uint64_t counts[HB_NBUCKETS];
	struct ilog_cursor c = { 0 };
	uint64_t want[10] = { 0 }, total = 0;
	int bad = 0;

	hist_init(&w.h);
	/* t0 1000, slices of 100, a span of 1000: 10 rows, 12 slots. */
	series_init(&w.s, 100, 1000);
	series_start(&w.s, 1000);
	for (uint64_t now = 1000; now < 2250; now += 7) {
		uint64_t row = (now - 1000) / 100;

		if (row == 3)
			continue;	/* a slice without samples */
		record(&w, now, now);
		want[row > 9 ? 9 : row]++;
	}
	for (unsigned int s = 0; s < 10; s++) {
		uint64_t n = 0;

		memset(counts, 0, sizeof(counts));
		if (ilog_add_slice(&w.l, &c, &w.h, s, s == 9, counts) != 0)
			bad++;
		for (unsigned int i = 0; i < HB_NBUCKETS; i++)
			n += counts[i];
		/* Each sample's value is its time: it must be in its own slice. */
		for (unsigned int i = 0; i < HB_NBUCKETS; i++)
			if (counts[i] && (hb_upper(i) < 1000 + 100 * s ||
					  (s < 9 && hb_lower(i) >= 1100 + 100 * s)))
				bad++;
		bad += n != want[s];
		total += n;
	}
	tap_check(t, bad == 0 && total == w.h.count,
		  "per-slice histograms: each sample in its slice, tail folded into row 9 "
		  "(%d wrong, %llu of %llu)", bad, (unsigned long long)total,
		  (unsigned long long)w.h.count);
	tap_check(t, ilog_complete_until(&w.l, &w.h) == w.s.nslots, "nothing lost under the cap");
	ilog_free(&w.l);
	series_free(&w.s);
}

static void cap(struct tap *t)
{
	static struct fake_worker w;
	static uint64_t counts[HB_NBUCKETS];
	struct ilog_cursor c = { 0 };
	const unsigned int nslices = 2500;
	unsigned int until;
	int bad = 0;

	hist_init(&w.h);
	series_init(&w.s, 10, 10ULL * nslices);
	series_start(&w.s, 0);
	/* Every bucket in every slice: about 4.9 KB a slice, past 8 MiB in all. */
	for (unsigned int s = 0; s < nslices; s++)
		for (unsigned int i = 0; i < HB_NBUCKETS; i++)
			record(&w, 10ULL * s, hb_lower(i));
	until = ilog_complete_until(&w.l, &w.h);
	tap_check(t, until > 1000 && until < nslices,
		  "cap reached: slices from %u of %u are lost", until, nslices);
	tap_check(t, w.l.cap <= ILOG_MAX_BYTES, "buffer stayed within ILOG_MAX_BYTES (%zu)", w.l.cap);
	for (unsigned int s = 0; s < until; s++) {
		memset(counts, 0, sizeof(counts));
		bad += ilog_add_slice(&w.l, &c, &w.h, s, false, counts) != 0;
		for (unsigned int i = 0; i < HB_NBUCKETS; i++)
			bad += counts[i] != 1;
	}
	tap_check(t, bad == 0, "every slice before the loss is whole (%d wrong buckets)", bad);
	ilog_free(&w.l);
	series_free(&w.s);
}

int main(void)
{
	struct tap t = { 0 };

	tap_plan(9);
	roundtrip(&t);
	slices(&t);
	cap(&t);
	return t.failed ? 1 : 0;
}
