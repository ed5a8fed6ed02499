/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarative options, fio-style: one table per workload (and one for the
 * options every workload shares) gives parsing, bounds checking, defaults
 * and --help from the same rows. Values land in a params struct at the
 * row's offset.
 *
 * Sizes take lib/size.h's grammar (256M, 2MiB, 1G: powers of 1024) and,
 * for OPT_SIZE_PCT, "NN%" of a memory size the caller names (the guest's
 * MemTotal, or `apfw check --mem`). Durations are seconds, fractions allowed.
 *
 * Every number has bounds in its row, and a row's `why` says where the
 * upper one comes from; opts_defaults refuses a numeric row without them,
 * so no value can enter unbounded (huge, negative, NaN, inf, overflowing).
 */
#ifndef APF_OPTS_H
#define APF_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "num.h"	/* parse_int, parse_seconds: the workloads use them too */
#include "size.h"	/* parse_size, fmt_bytes */

enum opt_type {
	OPT_INT,	/* int64_t, bounded by min/max */
	OPT_SIZE,	/* uint64_t bytes, bounded by min/max */
	OPT_SIZE_PCT,	/* uint64_t bytes, or NN% of MemTotal */
	OPT_SECONDS,	/* double seconds; min/max in nanoseconds */
	OPT_ENUM,	/* int index into choices */
	OPT_FLAG,	/* int, 1 when given */
	OPT_STR,	/* const char * (points into argv) */
};

struct opt {
	const char *name;		/* long option, without "--" */
	enum opt_type type;
	size_t off;			/* offsetof(params, field) */
	const char *def;		/* default as text; NULL: zero/NULL */
	const char *help;
	int64_t min, max;		/* inclusive bounds of every numeric type */
	const char *why;		/* where the upper bound comes from, for --help */
	const char *const *choices;	/* OPT_ENUM, NULL-terminated */
};

/* A row: OPT_ROW("threads", OPT_INT, offsetof(...), "0", "help", .min = 0, .max = 64) */
#define OPT_ROW(n, t, o, d, h, ...) \
	{ .name = (n), .type = (t), .off = (o), .def = (d), .help = (h), __VA_ARGS__ }
#define OPT_END { .name = NULL }

struct opt_set {
	const struct opt *table;
	void *base;
};

/*
 * What "NN%" is a percentage of: bytes (0: unknown, NN% is refused) and
 * the name the error messages give it.
 */
struct opt_pct {
	uint64_t bytes;
	const char *of;
};

/* Apply every default of the tables. Returns 0, or -1 with err set. */
int opts_defaults(const struct opt_set *sets, int nsets, const struct opt_pct *pct,
		  char *err, size_t errlen);
/*
 * Parse argv (after the workload name) against the tables; "--name value"
 * and "--name=value" both work. Returns 0, or -1 with err set to one line
 * naming the option and the problem.
 */
int opts_parse(const struct opt_set *sets, int nsets, const struct opt_pct *pct,
	       int argc, char **argv, char *err, size_t errlen);
void opts_help(const struct opt *table, FILE *f);
/* Every option of a table as "key": value (key: '-' -> '_'). */
struct json;
void opts_json(struct json *j, const struct opt *table, const void *base);

#endif
