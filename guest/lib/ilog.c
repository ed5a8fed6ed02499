// SPDX-License-Identifier: GPL-2.0-only
/* Interval histograms per series slice (see ilog.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "hdr.h"
#include "ilog.h"

#define ENTRY_HEAD 8
#define ENTRY_MAX  (ENTRY_HEAD + HDR_PAYLOAD_MAX(HB_NBUCKETS))

static void enter_slot(struct ilog *l, uint64_t now_ns)
{
	uint64_t idx = now_ns < l->t0_ns ? 0 : (now_ns - l->t0_ns) / l->slice_ns;

	if (idx >= l->nslots)
		idx = l->nslots - 1;
	l->cur = (unsigned int)idx;
	l->cur_end_ns = idx == l->nslots - 1 ? UINT64_MAX : l->t0_ns + (idx + 1) * l->slice_ns;
}

/* Stop logging: slices from `slot` on are missing. */
static void give_up(struct ilog *l, unsigned int slot)
{
	l->lost_from = slot;
	l->cur_end_ns = UINT64_MAX;
}

static size_t fixed_cap(unsigned int nslots)
{
	uint64_t cap = (uint64_t)nslots * ILOG_SLICE_BYTES + ENTRY_MAX;

	return cap > ILOG_MAX_BYTES ? ILOG_MAX_BYTES : (size_t)cap;
}

uint64_t ilog_bytes(unsigned int nslots)
{
	return HB_NBUCKETS * sizeof(uint64_t) + fixed_cap(nslots);
}

int ilog_init(struct ilog *l, unsigned int nslots)
{
	memset(l, 0, sizeof(*l));
	l->cap = fixed_cap(nslots);
	l->snap = calloc(HB_NBUCKETS, sizeof(*l->snap));
	l->buf = malloc(l->cap);
	if (!l->snap || !l->buf) {
		ilog_free(l);
		return -1;
	}
	l->fixed = true;
	return 0;
}

/* Room for one more entry of any size, within ILOG_MAX_BYTES (or the fixed buffer). */
static int reserve(struct ilog *l)
{
	size_t want = l->len + ENTRY_MAX, cap = l->cap ? l->cap : 4096;
	uint8_t *p;

	if (want <= l->cap)
		return 0;
	if (l->fixed || want > ILOG_MAX_BYTES)
		return -1;
	while (cap < want)
		cap *= 2;
	if (cap > ILOG_MAX_BYTES)
		cap = ILOG_MAX_BYTES;
	p = realloc(l->buf, cap);
	if (!p)
		return -1;
	l->buf = p;
	l->cap = cap;
	return 0;
}

static bool first_sample(struct ilog *l, const struct series *s, uint64_t now_ns)
{
	l->t0_ns = s->t0_ns;
	l->slice_ns = s->slice_ns;
	l->nslots = s->nslots;
	l->lost_from = s->nslots;
	if (!l->snap)
		l->snap = calloc(HB_NBUCKETS, sizeof(*l->snap));
	if (!l->snap || l->nslots == 0 || l->slice_ns == 0) {
		give_up(l, 0);
		return false;
	}
	enter_slot(l, now_ns);
	return true;
}

void ilog_close(struct ilog *l, const struct hist *h, const struct series *s, uint64_t now_ns)
{
	uint32_t head[2];
	bool any = false;

	if (l->cur_end_ns == 0) {
		first_sample(l, s, now_ns);
		return;
	}
	for (unsigned int i = 0; i < HB_NBUCKETS && !any; i++)
		any = h->counts[i] != l->snap[i];
	if (any) {
		if (reserve(l) != 0) {
			give_up(l, l->cur);
			return;
		}
		head[0] = l->cur;
		head[1] = (uint32_t)hdr_encode_counts(h->counts, l->snap, HB_NBUCKETS,
						      l->buf + l->len + ENTRY_HEAD);
		memcpy(l->buf + l->len, head, sizeof(head));
		l->len += ENTRY_HEAD + head[1];
		memcpy(l->snap, h->counts, HB_NBUCKETS * sizeof(*l->snap));
	}
	enter_slot(l, now_ns);
}

void ilog_free(struct ilog *l)
{
	free(l->snap);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

int ilog_add_slice(const struct ilog *l, struct ilog_cursor *c, const struct hist *h,
		   unsigned int slot, bool fold, uint64_t *counts)
{
	while (c->off + ENTRY_HEAD <= l->len) {
		uint32_t head[2];

		memcpy(head, l->buf + c->off, sizeof(head));
		if (head[0] > slot && !fold)
			break;
		if (c->off + ENTRY_HEAD + head[1] > l->len ||
		    hdr_decode_counts_add(l->buf + c->off + ENTRY_HEAD, head[1], counts,
					  HB_NBUCKETS) != 0)
			return -1;
		c->off += ENTRY_HEAD + head[1];
	}
	if (l->cur_end_ns != 0 && l->lost_from == l->nslots && (l->cur == slot || (fold && l->cur > slot)))
		for (unsigned int i = 0; i < HB_NBUCKETS; i++)
			counts[i] += h->counts[i] - l->snap[i];
	return 0;
}

unsigned int ilog_complete_until(const struct ilog *l, const struct hist *h)
{
	if (l->cur_end_ns == 0)
		return h->count ? 0 : UINT_MAX;
	return l->lost_from;
}
