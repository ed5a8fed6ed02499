/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sizes in bytes, the suite's one grammar for them (C tools directly, the
 * shell through host/apf-size, so a size one tool takes no other refuses):
 *
 *	SIZE := DIGITS [ UNIT [ "i" ] ] [ "B" ]	(letters in either case)
 *	UNIT := K | M | G | T			(powers of 1024)
 *
 * so 4096, 4096B, 512M, 512MB, 2MiB, 1g, 1GiB. No sign, blanks, fraction
 * or exponent ("1.5G" is 1536M); "i" only after a unit. The value is
 * bounded by SIZE_MAX_BYTES (2^63 - 1, so it fits the int64 options and
 * the shell's arithmetic); anything larger, or overflowing on the way,
 * is -ERANGE, never a wrapped number.
 */
#ifndef APF_SIZE_H
#define APF_SIZE_H

#include <stddef.h>
#include <stdint.h>

#define SIZE_MAX_BYTES ((uint64_t)INT64_MAX)

/* 0, -1 not a size, -ERANGE more than SIZE_MAX_BYTES. */
int parse_size(const char *s, uint64_t *out);
/* "1.5 GiB": n bytes for a human, into buf. */
const char *fmt_bytes(uint64_t n, char *buf, size_t len);

#endif
