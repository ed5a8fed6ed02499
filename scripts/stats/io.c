// SPDX-License-Identifier: GPL-2.0-only
/*
 * apf-stats' input and output (see stats.h): messages and allocation that
 * exit on failure, tab-separated rows, values (NA allowed), histogram
 * bucket pairs, and numbers printed as NA when undefined.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "num.h"
#include "stats.h"

void die_usage(const char *msg)
{
	fprintf(stderr, "apf-stats: %s (try --help)\n", msg);
	exit(2);
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "apf-stats: out of memory\n");
		exit(1);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

void sample_add(struct sample *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = v;
}


/* Split line in place on tabs; returns the field count (<= max). */
int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

/*
 * A measured value (lib/num.h's finite decimal), or 0 for NA/null/empty/
 * garbage (which are skipped).
 */
int parse_value(const char *s, double *out)
{
	if (!*s || !strcmp(s, "NA") || !strcmp(s, "null"))
		return 0;
	return parse_real(s, out) == 0;
}

void print_num(double v)
{
	if (isnan(v))
		fputs("NA", stdout);
	else
		printf("%.6g", v);
}

/*
 * The "upper_ns<TAB>count" pairs left in a line being cut by strtok_r
 * (save), appended to bs: 0, or 2 with one line naming the command and
 * the input line.
 */
int read_buckets(char **save, struct buckets *bs, const char *cmd, size_t lineno)
{
	double v[2];
	char *tok;
	int k = 0;

	while ((tok = strtok_r(NULL, "\t", save))) {
		if (!parse_value(tok, &v[k])) {
			fprintf(stderr, "apf-stats: %s: stdin:%zu: '%s' is not a number\n", cmd, lineno, tok);
			return 2;
		}
		if (++k < 2)
			continue;
		k = 0;
		if (bs->n == bs->cap) {
			bs->cap = bs->cap ? 2 * bs->cap : 256;
			bs->b = xrealloc(bs->b, bs->cap * sizeof(*bs->b));
		}
		bs->b[bs->n++] = (struct bucket){ v[0], v[1] };
	}
	if (k) {
		fprintf(stderr, "apf-stats: %s: stdin:%zu: upper_ns without a count\n", cmd, lineno);
		return 2;
	}
	return 0;
}

int bucket_cmp(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;

	return (x->upper > y->upper) - (x->upper < y->upper);
}


void *labelled_get(struct labelled *l, const char *label)
{
	char *e;

	for (size_t i = l->n; i-- > 0;) {
		e = (char *)l->v + i * l->elem;
		if (!strcmp(*(char **)e, label))
			return e;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * l->elem);
	}
	e = (char *)l->v + l->n++ * l->elem;
	memset(e, 0, l->elem);
	*(char **)e = xstrdup(label);
	return e;
}
