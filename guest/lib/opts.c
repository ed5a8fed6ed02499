/*
 * Table-driven option parsing (see opts.h): one loop serves every
 * workload, and --help is printed from the same rows, so documentation
 * and behaviour cannot drift apart.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "counters.h"
#include "opts.h"

int parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (*s == '-' || *s == '\0')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && (*end == 'i' || *end == 'I'))
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(v) || v <= 0)
		return -1;
	*out = v;
	return 0;
}

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int in_bounds(const struct opt *o, int64_t v)
{
	if (o->min == 0 && o->max == 0)
		return 1;
	return v >= o->min && v <= o->max;
}

/* Parse one value into its slot; -1 with err naming the option. */
static int set_value(const struct opt *o, void *base, const char *val, char *err, size_t len)
{
	void *slot = (char *)base + o->off;

	switch (o->type) {
	case OPT_INT: {
		int64_t v;

		if (parse_int(val, &v) != 0) {
			set_err(err, len, "--%s: '%s' is not an integer", o->name, val);
			return -1;
		}
		if (!in_bounds(o, v)) {
			set_err(err, len, "--%s: %" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]",
				o->name, v, o->min, o->max);
			return -1;
		}
		*(int64_t *)slot = v;
		return 0;
	}
	case OPT_SIZE_PCT:
	case OPT_SIZE: {
		uint64_t v;
		size_t n = strlen(val);

		if (o->type == OPT_SIZE_PCT && n > 1 && val[n - 1] == '%') {
			char num[32];
			int64_t pct;
			uint64_t total = mem_total_bytes();

			snprintf(num, sizeof(num), "%.*s", (int)(n - 1), val);
			if (parse_int(num, &pct) != 0 || pct <= 0 || pct > 100) {
				set_err(err, len, "--%s: '%s' is not a percentage in 1..100%%", o->name, val);
				return -1;
			}
			if (total == 0) {
				set_err(err, len, "--%s: cannot read MemTotal for '%s'", o->name, val);
				return -1;
			}
			v = total / 100 * (uint64_t)pct;
		} else if (parse_size(val, &v) != 0) {
			set_err(err, len, "--%s: '%s' is not a size (e.g. 4096, 256M, 1G%s)", o->name, val,
				o->type == OPT_SIZE_PCT ? ", 80%" : "");
			return -1;
		}
		if (!in_bounds(o, (int64_t)v) || (int64_t)v < 0) {
			set_err(err, len, "--%s: %s is out of range [%" PRId64 ", %" PRId64 "] bytes",
				o->name, val, o->min, o->max);
			return -1;
		}
		*(uint64_t *)slot = v;
		return 0;
	}
	case OPT_SECONDS:
		if (parse_seconds(val, (double *)slot) != 0) {
			set_err(err, len, "--%s: '%s' is not a positive number of seconds", o->name, val);
			return -1;
		}
		return 0;
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

int opts_defaults(const struct opt_set *sets, int nsets, char *err, size_t len)
{
	for (int s = 0; s < nsets; s++)
		for (const struct opt *o = sets[s].table; o && o->name; o++) {
			if (!o->def) {
				set_zero(o, sets[s].base);
				continue;
			}
			if (set_value(o, sets[s].base, o->def, err, len) != 0)
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

int opts_parse(const struct opt_set *sets, int nsets, int argc, char **argv, char *err,
	       size_t len)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const struct opt *o;
		void *base;
		size_t n;

		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			set_err(err, len, "unexpected argument '%s'", a);
			return -1;
		}
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		o = find(sets, nsets, a, n, &base);
		if (!o) {
			set_err(err, len, "unknown option '--%.*s'", (int)n, a);
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
		if (set_value(o, base, val, err, len) != 0)
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
		if ((o->type == OPT_INT || o->type == OPT_SIZE) && (o->min || o->max))
			fprintf(f, " [%" PRId64 "..%" PRId64 "]", o->min, o->max);
		if (o->def && o->type != OPT_FLAG)
			fprintf(f, " (default %s)", o->def);
		fputc('\n', f);
	}
}
