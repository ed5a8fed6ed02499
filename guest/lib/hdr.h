/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HdrHistogram's file formats for our histograms, whose layout is
 * HdrHistogram's own for 2 significant digits (hist_buckets.h, HB_HDR_*):
 *
 * - the percentile distribution text (latency.hgrm), as
 *   outputPercentileDistribution(5 ticks per half distance, value scaling
 *   1000: ns recorded, microseconds printed) writes it;
 * - the interval log (latency.hlog, log format 1.3): header lines, then
 *   one line per interval holding a V2 compressed histogram (zlib deflate
 *   of the ZigZag LEB128 run-length encoded counts, base64).
 *
 * As HdrHistogram computes them, Max is the highest value equivalent to
 * the largest recorded one (its Java and C versions; the JavaScript port
 * prints the exact one for a histogram it recorded itself), Mean and
 * StdDeviation come from bucket midpoints (result.json's are exact), and
 * numbers are rounded as Java and JavaScript print them: the shortest
 * decimal of the double, rounded half up. tests/guest/hdr.t compares both
 * files with hdr-histogram-js.
 */
#ifndef APF_HDR_H
#define APF_HDR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hist.h"

/* Most bytes the counts payload of n buckets can take (9 per count). */
#define HDR_PAYLOAD_MAX(n) ((size_t)(n) * 9)

/* latency.hgrm text for h; 0, or -1 when the stream failed. */
int hdr_write_hgrm(const struct hist *h, FILE *f);

/*
 * V2 counts payload of cur[i] - prev[i] (prev may be NULL) for i below
 * the last non-zero one, into out (HDR_PAYLOAD_MAX(n) bytes); returns its
 * length. All-zero input encodes as one zero, as HdrHistogram does.
 */
size_t hdr_encode_counts(const uint64_t *cur, const uint64_t *prev, unsigned int n,
			 uint8_t *out);
/* Add a payload's counts into counts[n]; 0, or -1 when it is malformed. */
int hdr_decode_counts_add(const uint8_t *p, size_t len, uint64_t *counts, unsigned int n);

/* Log-format, StartTime/BaseTime (epoch seconds) and legend lines. */
int hdr_log_header(FILE *f, double epoch_s, const char *comment);
/*
 * One interval: start (seconds after BaseTime), length, the histogram of
 * counts[HB_NBUCKETS]; tag NULL for none. 0, or -1 with a message.
 */
int hdr_log_interval(FILE *f, const char *tag, double start_s, double len_s,
		     const uint64_t *counts);

#endif
