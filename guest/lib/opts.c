// SPDX-License-Identifier: GPL-2.0-only
/*
 * Table-driven option parsing (see opts.h): one loop serves every
 * workload, and --help is printed from the same rows, so documentation
 * and behaviour cannot drift apart.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "num.h"
#include "opts.h"
#include "size.h"

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int is_numeric(const struct opt *o)
{
	return o->type == OPT_INT || o->type == OPT_SIZE || o->type == OPT_SIZE_PCT ||
	       o->type == OPT_SECONDS;
}

/* " (why)" for a message, or "" when the row has no reason. */
static const char *why_of(const struct opt *o, char *buf, size_t len)
{
	if (!o->why)
		return "";
	snprintf(buf, len, " (%s)", o->why);
	return buf;
}

static int out_of_range(const struct opt *o, const char *val, char *err, size_t len)
{
	char why[160];

	if (o->type == OPT_SECONDS)
		set_err(err, len, "--%s: %s is out of range [%g, %g] seconds%s", o->name, val,
			(double)o->min / 1e9, (double)o->max / 1e9, why_of(o, why, sizeof(why)));
	else
		set_err(err, len, "--%s: %s is out of range [%" PRId64 ", %" PRId64 "]%s%s", o->name,
			val, o->min, o->max, o->type == OPT_INT ? "" : " bytes",
			why_of(o, why, sizeof(why)));
	return -1;
}

/* "NN%" of pct->bytes into *v; -1 with err. */
static int set_pct(const struct opt *o, const char *val, size_t n, const struct opt_pct *pct,
		   uint64_t *v, char *err, size_t len)
{
	char num[32];
	int64_t p;

	if (n - 1 >= sizeof(num) || snprintf(num, sizeof(num), "%.*s", (int)(n - 1), val) < 0 ||
	    parse_int(num, &p) != 0 || p <= 0 || p > 100) {
		set_err(err, len, "--%s: '%s' is not a percentage in 1..100%%", o->name, val);
		return -1;
	}
	if (!pct || pct->bytes == 0) {
		set_err(err, len, "--%s: cannot resolve '%s': the size of %s is unknown", o->name, val,
			pct && pct->of ? pct->of : "memory");
		return -1;
	}
	*v = (uint64_t)((unsigned __int128)pct->bytes * (uint64_t)p / 100);
	return 0;
}

/* Parse one value into its slot; -1 with err naming the option. */
static int set_value(const struct opt *o, void *base, const char *val, const struct opt_pct *pct,
		     char *err, size_t len)
{
	void *slot = (char *)base + o->off;

	switch (o->type) {
	case OPT_INT: {
		int64_t v;
		int rc = parse_int(val, &v);

		if (rc == -ERANGE)
			return out_of_range(o, val, err, len);
		if (rc != 0) {
			set_err(err, len, "--%s: '%s' is not an integer", o->name, val);
			return -1;
		}
		if (v < o->min || v > o->max)
			return out_of_range(o, val, err, len);
		*(int64_t *)slot = v;
		return 0;
	}
	case OPT_SIZE_PCT:
	case OPT_SIZE: {
		uint64_t v;
		size_t n = strlen(val);

		if (o->type == OPT_SIZE_PCT && n > 1 && val[n - 1] == '%') {
			if (set_pct(o, val, n, pct, &v, err, len) != 0)
				return -1;
		} else {
			int rc = parse_size(val, &v);

			if (rc == -ERANGE)
				return out_of_range(o, val, err, len);
			if (rc != 0) {
				set_err(err, len, "--%s: '%s' is not a size (e.g. 4096, 256M, 1GiB%s)",
					o->name, val, o->type == OPT_SIZE_PCT ? ", 80%" : "");
				return -1;
			}
		}
		if (v > (uint64_t)INT64_MAX || (int64_t)v < o->min || (int64_t)v > o->max)
			return out_of_range(o, val, err, len);
		*(uint64_t *)slot = v;
		return 0;
	}
	case OPT_SECONDS: {
		double v;

		if (parse_seconds(val, &v) != 0) {
			set_err(err, len, "--%s: '%s' is not a positive, finite number of seconds",
				o->name, val);
			return -1;
		}
		if (v * 1e9 < (double)o->min || v * 1e9 > (double)o->max)
			return out_of_range(o, val, err, len);
		*(double *)slot = v;
		return 0;
	}
	case OPT_ENUM:
		for (int i = 0; o->choices[i]; i++)
			if (strcmp(o->choices[i], val) == 0) {
				*(int *)slot = i;
				return 0;
			}
		set_err(err, len, "--%s: '%s' is not one of the choices (see --help)", o->name, val);
		return -1;
	case OPT_FLAG:
		*(int *)slot = 1;
		return 0;
	case OPT_STR:
		*(const char **)slot = val;
		return 0;
	}
	set_err(err, len, "--%s: unknown option type", o->name);
	return -1;
}

static void set_zero(const struct opt *o, void *base)
{
	void *slot = (char *)base + o->off;

	switch (o->type) {
	case OPT_INT: *(int64_t *)slot = 0; break;
	case OPT_SIZE: case OPT_SIZE_PCT: *(uint64_t *)slot = 0; break;
	case OPT_SECONDS: *(double *)slot = 0; break;
	case OPT_ENUM: case OPT_FLAG: *(int *)slot = 0; break;
	case OPT_STR: *(const char **)slot = NULL; break;
	}
}

int opts_defaults(const struct opt_set *sets, int nsets, const struct opt_pct *pct, char *err,
		  size_t len)
{
	for (int s = 0; s < nsets; s++)
		for (const struct opt *o = sets[s].table; o && o->name; o++) {
			/* A table bug, caught on the first run of any workload. */
			if (is_numeric(o) && o->max <= o->min) {
				set_err(err, len, "--%s: the option table gives it no bounds", o->name);
				return -1;
			}
			if (!o->def) {
				set_zero(o, sets[s].base);
				continue;
			}
			if (set_value(o, sets[s].base, o->def, pct, err, len) != 0)
				return -1;
		}
	return 0;
}

static const struct opt *find(const struct opt_set *sets, int nsets, const char *name,
			      size_t n, void **base)
{
	for (int s = 0; s < nsets; s++)
		for (const struct opt *o = sets[s].table; o && o->name; o++)
			if (strlen(o->name) == n && strncmp(o->name, name, n) == 0) {
				*base = sets[s].base;
				return o;
			}
	return NULL;
}

int opts_parse(const struct opt_set *sets, int nsets, const struct opt_pct *pct, int argc,
	       char **argv, char *err, size_t len)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const struct opt *o;
		void *base;
		size_t n;

		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			set_err(err, len, "unexpected argument '%.64s'", a);
			return -1;
		}
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		o = find(sets, nsets, a, n, &base);
		if (!o) {
			set_err(err, len, "unknown option '--%.*s'", (int)(n > 64 ? 64 : n), a);
			return -1;
		}
		if (o->type == OPT_FLAG) {
			if (eq) {
				set_err(err, len, "--%s takes no value", o->name);
				return -1;
			}
			val = "1";
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			set_err(err, len, "--%s needs a value", o->name);
			return -1;
		}
		if (set_value(o, base, val, pct, err, len) != 0)
			return -1;
	}
	return 0;
}

static const char *type_hint(const struct opt *o)
{
	switch (o->type) {
	case OPT_INT: return "N";
	case OPT_SIZE: return "SIZE";
	case OPT_SIZE_PCT: return "SIZE|NN%";
	case OPT_SECONDS: return "SEC";
	case OPT_ENUM: return "CHOICE";
	case OPT_FLAG: return "";
	case OPT_STR: return "STR";
	}
	return "";
}

static void print_bounds(const struct opt *o, FILE *f)
{
	char lo[32], hi[32];

	switch (o->type) {
	case OPT_INT:
		fprintf(f, " [%" PRId64 "..%" PRId64 "]", o->min, o->max);
		break;
	case OPT_SIZE:
	case OPT_SIZE_PCT:
		fprintf(f, " [%s..%s]", fmt_bytes((uint64_t)o->min, lo, sizeof(lo)),
			fmt_bytes((uint64_t)o->max, hi, sizeof(hi)));
		break;
	case OPT_SECONDS:
		fprintf(f, " [%g..%g s]", (double)o->min / 1e9, (double)o->max / 1e9);
		break;
	default:
		return;
	}
	if (o->why)
		fprintf(f, " max: %s", o->why);
}

void opts_help(const struct opt *table, FILE *f)
{
	for (const struct opt *o = table; o && o->name; o++) {
		char lhs[64];

		snprintf(lhs, sizeof(lhs), "--%s %s", o->name, type_hint(o));
		fprintf(f, "  %-26s %s", lhs, o->help);
		if (o->type == OPT_ENUM) {
			fputs(" (", f);
			for (int i = 0; o->choices[i]; i++)
				fprintf(f, "%s%s", i ? "|" : "", o->choices[i]);
			fputc(')', f);
		}
		if (o->def && o->type != OPT_FLAG)
			fprintf(f, " (default %s)", o->def);
		print_bounds(o, f);
		fputc('\n', f);
	}
}

void opts_json(struct json *j, const struct opt *table, const void *base)
{
	for (const struct opt *o = table; o && o->name; o++) {
		const void *slot = (const char *)base + o->off;
		char key[64];

		snprintf(key, sizeof(key), "%s", o->name);
		for (char *c = key; *c; c++)
			if (*c == '-')
				*c = '_';
		switch (o->type) {
		case OPT_INT: json_int(j, key, *(const int64_t *)slot); break;
		case OPT_SIZE:
		case OPT_SIZE_PCT: json_uint(j, key, *(const uint64_t *)slot); break;
		case OPT_SECONDS: json_num(j, key, *(const double *)slot); break;
		case OPT_ENUM: json_str(j, key, o->choices[*(const int *)slot]); break;
		case OPT_FLAG: json_bool(j, key, *(const int *)slot != 0); break;
		case OPT_STR: json_str(j, key, *(const char *const *)slot); break;
		}
	}
}
