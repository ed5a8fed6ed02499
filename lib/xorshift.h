/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The suite's pseudo-random generators (Marsaglia's xorshift), shared by
 * apfw, the guest kernel module, host/pageout and apf-stats.
 * xorshift64: from a non-zero state it never yields 0, which is what
 * filling memory with non-zero data needs. xorshift64star (Vigna's
 * xorshift64*): the multiply scrambles the low bits, which `% n` picks
 * (chunks to page out, reps to resample); same seed, same sequence.
 * Freestanding: no libc, usable from kernel code.
 */
#ifndef APF_XORSHIFT_H
#define APF_XORSHIFT_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u64 xs_u64;
#else
#include <stdint.h>
typedef uint64_t xs_u64;
#endif

static inline xs_u64 xorshift64(xs_u64 *s)
{
	xs_u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static inline xs_u64 xorshift64star(xs_u64 *s)
{
	xs_u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
