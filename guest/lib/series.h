/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Time series: operations and max latency per slice (default 100 ms) of the
 * measured phase. One per thread; merged by adding ops and taking the max.
 * Recording compares against the current slice's end instead of dividing,
 * so the hot path is a compare and two stores.
 *
 * Memory is one 16-byte slot per slice of the span, allocated by
 * series_init before the measured phase (the caller bounds span/slice, see
 * run.c) and given its start time by series_start when the phase begins.
 */
#ifndef APF_SERIES_H
#define APF_SERIES_H

#include <stdint.h>
#include <stdio.h>

struct series_slot {
	uint64_t ops;
	uint64_t max_ns;
};

struct series {
	uint64_t t0_ns, slice_ns, cur_end_ns;
	unsigned int cur, nslots;
	unsigned int nfull;		/* whole slices in the measured span, >= 1 */
	struct series_slot *slots;
};

/* Slots for span/slice slices plus a spare; 0, or -1 (nothing held, nfull 0). */
int series_init(struct series *s, uint64_t slice_ns, uint64_t span_ns);
/* Bytes series_init will allocate for this span and slice. */
uint64_t series_bytes(uint64_t slice_ns, uint64_t span_ns);
/* Slots series_init() makes for this span (UINT_MAX when too many). */
unsigned int series_slots(uint64_t slice_ns, uint64_t span_ns);
void series_start(struct series *s, uint64_t t0_ns);
void series_free(struct series *s);
void series_advance(struct series *s, uint64_t now_ns);

static inline void series_record(struct series *s, uint64_t now_ns, uint64_t lat_ns)
{
	struct series_slot *sl;

	if (now_ns >= s->cur_end_ns)
		series_advance(s, now_ns);
	sl = &s->slots[s->cur];
	sl->ops++;
	if (lat_ns > sl->max_ns)
		sl->max_ns = lat_ns;
}
/* Add n units (e.g. co-runner work) to the slice holding now_ns. */
static inline void series_add(struct series *s, uint64_t now_ns, uint64_t n)
{
	if (now_ns >= s->cur_end_ns)
		series_advance(s, now_ns);
	s->slots[s->cur].ops += n;
}
/* dst and src must share t0, slice and span. */
void series_merge(struct series *dst, const struct series *src);
/*
 * Fold everything past the last whole slice of the span into that slice:
 * operations finishing just after the stop (or in a partial last slice)
 * belong to the end of the phase, and a short last slice would plot as a
 * bogus drop in the rate. Totals are unchanged. Then nfull rows remain.
 */
void series_fold_tail(struct series *s);
int series_write_tsv(const struct series *s, FILE *f);

#endif
