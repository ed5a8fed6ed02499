/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interval histograms for latency.hlog: one histogram per series slice,
 * recorded without touching the per-sample hot path. A worker's histogram
 * (hist.h) only grows; when a sample arrives in a later slice, ilog_close()
 * encodes what the histogram gained since the last boundary (counts now
 * minus a snapshot, in HdrHistogram's V2 payload, hdr.h) as the finished
 * slice's histogram and takes a new snapshot. worker_record() pays one
 * compare per sample; a boundary costs one pass over the 4864 buckets.
 *
 * Memory, per worker: the snapshot (38 KiB) plus the encoded slices, which
 * take about 1-3 bytes per non-empty bucket (at most 9) and nothing for a
 * slice without samples: a few hundred bytes a slice in practice, and at
 * most ILOG_MAX_BYTES in all. A slice that would pass the cap is not
 * logged, nor is any later one (ilog.lost_from); latency.hlog then ends
 * early and says so in a comment. The totals in latency.hgrm and
 * result.json never depend on this.
 *
 * A sample lands in the slice where it finished, as in series.tsv. The
 * engine calls ilog_init() before the measured phase so that nothing is
 * allocated while it runs (run.h): the snapshot and a fixed buffer of
 * ilog_bytes() for the slices, which the run's memory budget counts. A
 * zeroed struct is also valid (unit tests): it allocates at its first
 * sample and grows up to ILOG_MAX_BYTES.
 */
#ifndef APF_ILOG_H
#define APF_ILOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hist.h"
#include "series.h"

#define ILOG_MAX_BYTES (8u << 20)
/* Budget per slice of a preallocated log: encoded slices measured 100-600 B. */
#define ILOG_SLICE_BYTES 1024u

struct ilog {
	uint64_t cur_end_ns;		/* 0 before the first sample */
	uint64_t t0_ns, slice_ns;
	unsigned int cur, nslots;
	unsigned int lost_from;		/* first slice not logged; nslots when none */
	uint64_t *snap;			/* the worker's counts at the last boundary */
	uint8_t *buf;			/* entries: slice, length (4 bytes LE each), payload */
	size_t len, cap;
	bool fixed;			/* buffer preallocated: never grown */
};

/* Bytes ilog_init() allocates for a series of nslots slices. */
uint64_t ilog_bytes(unsigned int nslots);
/* Allocate the snapshot and the slice buffer up front; -1 when out of memory. */
int ilog_init(struct ilog *l, unsigned int nslots);

/* The sample at now_ns starts a later slice: close the current one. */
void ilog_close(struct ilog *l, const struct hist *h, const struct series *s, uint64_t now_ns);
void ilog_free(struct ilog *l);

/*
 * Reading back, slice by slice in order. ilog_add_slice() adds into
 * counts[HB_NBUCKETS] what slice `slot` gained (closed entries, and for the
 * slice still open, h minus the snapshot); `fold` also takes every later
 * slice (the series' tail folded into its last row). -1 when an entry is
 * malformed.
 */
struct ilog_cursor {
	size_t off;
};
int ilog_add_slice(const struct ilog *l, struct ilog_cursor *c, const struct hist *h,
		   unsigned int slot, bool fold, uint64_t *counts);
/* First slice that is missing (lost_from, or 0 when h has samples the ilog never saw). */
unsigned int ilog_complete_until(const struct ilog *l, const struct hist *h);

#endif
