/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Numbers from text, one grammar for every tool of the suite: plain
 * decimal only. strtol/strtod alone would also take leading blanks, a '+'
 * or '-' where a count wraps, hex, "inf" and "nan"; a value that enters a
 * tool through any of these parsers cannot be one of those. Bounds are the
 * caller's (each option documents its own); these only refuse what is not
 * a number or does not fit the type.
 */
#ifndef APF_NUM_H
#define APF_NUM_H

#include <stdint.h>

/* [+-]?[0-9]+ into int64_t: 0, -1 not an integer, -ERANGE does not fit. */
int parse_int(const char *s, int64_t *out);
/* [0-9]+ into uint64_t: 0, -1 not a count, -ERANGE does not fit. */
int parse_uint(const char *s, uint64_t *out);
/*
 * A finite decimal: [+-]?(D+|D+.D*|.D+)([eE][+-]?D+)? with D a digit.
 * 0, or -1 (not such a number, or beyond a double's range).
 */
int parse_real(const char *s, double *out);
/* parse_real, and finite and > 0: 0 or -1. */
int parse_seconds(const char *s, double *out);

#endif
