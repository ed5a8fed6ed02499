// SPDX-License-Identifier: GPL-2.0-only
/* Per-slice ops/max-latency series (see series.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "series.h"

/* One spare slot past the span absorbs operations that finish late. */
static uint64_t slots_for(uint64_t slice_ns, uint64_t span_ns)
{
	uint64_t n = slice_ns ? span_ns / slice_ns : UINT64_MAX;

	return n > UINT64_MAX - 2 ? UINT64_MAX : n + 2;
}

unsigned int series_slots(uint64_t slice_ns, uint64_t span_ns)
{
	uint64_t n = slots_for(slice_ns, span_ns);

	return n > UINT_MAX ? UINT_MAX : (unsigned int)n;
}

uint64_t series_bytes(uint64_t slice_ns, uint64_t span_ns)
{
	uint64_t n = slots_for(slice_ns, span_ns);

	return n > UINT64_MAX / sizeof(struct series_slot) ? UINT64_MAX
							    : n * sizeof(struct series_slot);
}

int series_init(struct series *s, uint64_t slice_ns, uint64_t span_ns)
{
	uint64_t n = slots_for(slice_ns, span_ns);

	memset(s, 0, sizeof(*s));
	if (n > UINT_MAX)
		return -1;
	s->slots = calloc(n, sizeof(*s->slots));
	if (!s->slots)
		return -1;
	s->slice_ns = slice_ns;
	s->nslots = (unsigned int)n;
	s->nfull = span_ns >= slice_ns ? (unsigned int)(span_ns / slice_ns) : 1;
	return 0;
}

void series_start(struct series *s, uint64_t t0_ns)
{
	s->t0_ns = t0_ns;
	s->cur = 0;
	s->cur_end_ns = t0_ns + s->slice_ns;
}

void series_free(struct series *s)
{
	free(s->slots);
	s->slots = NULL;
	s->nslots = s->nfull = 0;
}

void series_advance(struct series *s, uint64_t now_ns)
{
	uint64_t idx = now_ns < s->t0_ns ? 0 : (now_ns - s->t0_ns) / s->slice_ns;

	if (idx >= s->nslots)
		idx = s->nslots - 1;
	s->cur = (unsigned int)idx;
	s->cur_end_ns = idx == s->nslots - 1 ? UINT64_MAX : s->t0_ns + (idx + 1) * s->slice_ns;
}

void series_merge(struct series *dst, const struct series *src)
{
	unsigned int n = dst->nslots < src->nslots ? dst->nslots : src->nslots;

	for (unsigned int i = 0; i < n; i++) {
		dst->slots[i].ops += src->slots[i].ops;
		if (src->slots[i].max_ns > dst->slots[i].max_ns)
			dst->slots[i].max_ns = src->slots[i].max_ns;
	}
}

void series_fold_tail(struct series *s)
{
	struct series_slot *last;

	if (!s->slots)
		return;
	last = &s->slots[s->nfull - 1];
	for (unsigned int i = s->nfull; i < s->nslots; i++) {
		last->ops += s->slots[i].ops;
		if (s->slots[i].max_ns > last->max_ns)
			last->max_ns = s->slots[i].max_ns;
		s->slots[i] = (struct series_slot){ 0, 0 };
	}
}

int series_write_tsv(const struct series *s, FILE *f)
{
	fprintf(f, "t_s\tops\tmax_ns\n");
	for (unsigned int i = 0; i < s->nfull; i++)
		fprintf(f, "%.3f\t%llu\t%llu\n", (double)i * (double)s->slice_ns / 1e9,
			(unsigned long long)s->slots[i].ops,
			(unsigned long long)s->slots[i].max_ns);
	return ferror(f) ? -1 : 0;
}
