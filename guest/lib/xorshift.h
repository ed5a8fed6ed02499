/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xorshift64 (Marsaglia): the suite's one pseudo-random generator, shared
 * by apfw and the guest kernel module. From a non-zero state it never
 * yields 0, which is what filling memory with non-zero data needs.
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

#endif
