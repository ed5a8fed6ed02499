/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log-linear bucket arithmetic shared by guest/lib/hist.c and the guest
 * kernel module (guest/kmod), so counts from either merge exactly.
 *
 * Values below 2^HB_SUB_BITS+1 (256) get one bucket each. Above, every
 * power of two [2^e, 2^(e+1)) is cut into 2^HB_SUB_BITS (128) equal
 * buckets, so a bucket is at most 1/128 of its lower bound wide: reporting
 * its midpoint is within 0.4% of any value in it. Values are clamped to
 * HB_MAX_VALUE (2^44-1 ns, about 4.9 hours). 4864 buckets in all.
 *
 * This is exactly HdrHistogram's layout for lowest discernible value 1,
 * 2 significant digits and highest trackable value HB_MAX_VALUE: its
 * sub-bucket count is 256 (bucket 0 covers 0..255 one by one, every later
 * bucket the upper half of a 256-wide range, 128 sub-buckets of width
 * 2^k), it needs 37 buckets, and its counts array has (37 + 1) * 128 =
 * 4864 entries, index for index ours. latency.hgrm and latency.hlog
 * describe our histograms in those terms (HB_HDR_*).
 *
 * Freestanding: no libc, usable from kernel code.
 */
#ifndef APF_HIST_BUCKETS_H
#define APF_HIST_BUCKETS_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u64 hb_u64;
#else
#include <stdint.h>
typedef uint64_t hb_u64;
#endif

#define HB_SUB_BITS   7
#define HB_SUB        (1u << HB_SUB_BITS)          /* 128 */
#define HB_LINEAR     (2u * HB_SUB)                /* 256 exact buckets */
#define HB_MAX_EXP    43                           /* top octave 2^43..2^44 */
#define HB_MAX_VALUE  ((((hb_u64)1) << (HB_MAX_EXP + 1)) - 1)
#define HB_NBUCKETS   (HB_LINEAR + (HB_MAX_EXP - HB_SUB_BITS) * HB_SUB)

#define HB_HDR_SIGFIGS     2                             /* significant digits */
#define HB_HDR_SUB_BUCKETS HB_LINEAR                     /* 256 */
#define HB_HDR_BUCKETS     (HB_MAX_EXP - HB_SUB_BITS + 1) /* 37 */

static inline unsigned int hb_index(hb_u64 v)
{
	unsigned int e, shift;

	if (v < HB_LINEAR)
		return (unsigned int)v;
	if (v > HB_MAX_VALUE)
		v = HB_MAX_VALUE;
	e = 63u - (unsigned int)__builtin_clzll(v);      /* >= 8 */
	shift = e - HB_SUB_BITS;
	return HB_LINEAR + (e - HB_SUB_BITS - 1) * HB_SUB +
	       (unsigned int)((v >> shift) - HB_SUB);
}

/* Smallest value that lands in bucket i. */
static inline hb_u64 hb_lower(unsigned int i)
{
	unsigned int k, shift;

	if (i < HB_LINEAR)
		return i;
	k = (i - HB_LINEAR) / HB_SUB;
	shift = k + 1;
	return ((hb_u64)((i - HB_LINEAR) % HB_SUB + HB_SUB)) << shift;
}

/* Width of bucket i: 1 in the linear range, 2^shift above. */
static inline hb_u64 hb_width(unsigned int i)
{
	if (i < HB_LINEAR)
		return 1;
	return ((hb_u64)1) << ((i - HB_LINEAR) / HB_SUB + 1);
}

/* Largest value that lands in bucket i. */
static inline hb_u64 hb_upper(unsigned int i)
{
	return hb_lower(i) + hb_width(i) - 1;
}

#endif
