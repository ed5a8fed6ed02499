// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multiple-comparison adjustment (see stats.h): Holm's step-down
 * Bonferroni (family-wise error) and Benjamini-Hochberg (false discovery
 * rate), for compare's table and `apf-stats adjust`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

struct pv {
	double p;
	size_t i;	/* position in the caller's array */
};

static int pv_cmp(const void *a, const void *b)
{
	const struct pv *x = a, *y = b;

	if (x->p != y->p)
		return (x->p > y->p) - (x->p < y->p);
	return (x->i > y->i) - (x->i < y->i);
}

/*
 * Adjust p[0..n) in place; NAN entries are not tests and stay NAN, the
 * others form the family (m of them). Holm: sorted ascending, the k-th
 * (1-based) becomes max over j <= k of min(1, (m - j + 1) p_(j)).
 * Benjamini-Hochberg: min over j >= k of min(1, m p_(j) / j).
 */
void p_adjust(double *p, size_t n, enum adjust how)
{
	struct pv *v;
	size_t m = 0;

	if (how == ADJ_NONE)
		return;
	v = xrealloc(NULL, (n ? n : 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		if (!isnan(p[i]))
			v[m++] = (struct pv){ p[i], i };
	qsort(v, m, sizeof(*v), pv_cmp);
	if (how == ADJ_HOLM) {
		double run = 0.0;

		for (size_t k = 0; k < m; k++) {
			double a = fmin(1.0, (double)(m - k) * v[k].p);

			run = fmax(run, a);
			p[v[k].i] = run;
		}
	} else {
		double run = 1.0;

		for (size_t k = m; k-- > 0;) {
			double a = fmin(1.0, (double)m * v[k].p / (double)(k + 1));

			run = fmin(run, a);
			p[v[k].i] = run;
		}
	}
	free(v);
}

enum adjust adjust_of(const char *s)
{
	if (!strcmp(s, "holm"))
		return ADJ_HOLM;
	if (!strcmp(s, "bh"))
		return ADJ_BH;
	if (!strcmp(s, "none"))
		return ADJ_NONE;
	die_usage("adjust: method must be holm, bh or none");
	return ADJ_NONE;
}

int cmd_adjust(const char *method)
{
	enum adjust how = adjust_of(method);
	struct sample s = { 0 };
	char *line = NULL;
	size_t cap = 0, lineno = 0;

	while (getline(&line, &cap, stdin) > 0) {
		double v;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (parse_value(line, &v)) {
			if (v < 0.0 || v > 1.0) {
				fprintf(stderr, "apf-stats: adjust: stdin:%zu: p %s is not in [0, 1]\n",
					lineno, line);
				return 2;
			}
		} else if (!strcmp(line, "NA") || !*line) {
			v = NAN;
		} else {
			fprintf(stderr, "apf-stats: adjust: stdin:%zu: '%s' is not a p-value\n",
				lineno, line);
			return 2;
		}
		sample_add(&s, v);
	}
	free(line);
	p_adjust(s.v, s.n, how);
	for (size_t i = 0; i < s.n; i++) {
		if (isnan(s.v[i]))
			fputs("NA", stdout);
		else
			printf("%.9g", s.v[i]);
		putchar('\n');
	}
	free(s.v);
	return 0;
}
