// SPDX-License-Identifier: GPL-2.0-only
/*
 * apf-stats compare (see scripts/apf-stats.c): per key group and column,
 * the figures against the first column, the baseline, and every test's p
 * adjusted over the whole input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

struct group {
	char *key;
	struct sample col[MAX_COLS];
};

/* compare's options and figures */

struct compare_opts {
	enum adjust adjust;
	size_t min_n;		/* a side with fewer values is not tested */
	char **untested;	/* key field values whose groups are not tested */
	int n_untested;
	char below[32];		/* the test state "n<min_n" */
};

/* One output row: a group's column with its figures. */
struct cell_stats {
	struct moments m;
	double ci, rel, rel_ci, p, p_adj;
	const char *test;	/* base | ok | n<N | untested | NA */
};

static int key_untested(const char *key, const struct compare_opts *o)
{
	const char *f = key;

	while (f) {
		const char *end = strchr(f, '\t');
		size_t len = end ? (size_t)(end - f) : strlen(f);

		for (int i = 0; i < o->n_untested; i++)
			if (strlen(o->untested[i]) == len && !strncmp(f, o->untested[i], len))
				return 1;
		f = end ? end + 1 : NULL;
	}
	return 0;
}

/*
 * A column against the baseline: relative change, the 95% CI of that
 * change (the Welch interval of the difference in means over the
 * baseline's mean, whose own uncertainty it leaves out) and the test.
 */
static struct cell_stats cell_of(const struct sample *col, struct moments base, int is_base,
				 int untested, const struct compare_opts *o)
{
	struct cell_stats c = { .m = moments_of(col), .ci = NAN, .rel = NAN, .rel_ci = NAN,
				.p = NAN, .p_adj = NAN, .test = "base" };

	if (c.m.n >= 2)
		c.ci = t_quantile(0.975, (double)(c.m.n - 1)) * sqrt(c.m.var) / sqrt((double)c.m.n);
	if (is_base)
		return c;
	if (base.n && c.m.n && base.mean != 0.0)
		c.rel = (c.m.mean - base.mean) / fabs(base.mean);
	if (base.n >= 2 && c.m.n >= 2 && base.mean != 0.0) {
		double se2 = base.var / (double)base.n + c.m.var / (double)c.m.n;
		struct welch w = welch_test(c.m, base);

		c.rel_ci = se2 > 0.0 ? t_quantile(0.975, w.df) * sqrt(se2) / fabs(base.mean) : 0.0;
	}
	if (untested) {
		c.test = "untested";
	} else if (base.n < o->min_n || c.m.n < o->min_n) {
		c.test = o->below;
	} else {
		c.p = welch_test(c.m, base).p;
		c.test = isnan(c.p) ? "NA" : "ok";
	}
	c.p_adj = c.p;
	return c;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = { .adjust = ADJ_NONE, .min_n = 2 };
	struct labelled gs = { .elem = sizeof(struct group) };
	struct group *gv;
	char *line = NULL, *f[MAX_COLS + 8];
	size_t cap = 0, lineno = 0;
	int nkey, ncols;

	o.untested = xrealloc(NULL, (size_t)(argc + 1) * sizeof(*o.untested));
	while (argc > 0 && !strncmp(argv[0], "--", 2)) {
		if (argc < 2)
			die_usage("compare: an option needs a value");
		if (!strcmp(argv[0], "--adjust")) {
			o.adjust = adjust_of(argv[1]);
		} else if (!strcmp(argv[0], "--min-n")) {
			int n = atoi(argv[1]);

			if (n < 2 || n > 1000)
				die_usage("compare: --min-n must be 2..1000");
			o.min_n = (size_t)n;
		} else if (!strcmp(argv[0], "--untested")) {
			o.untested[o.n_untested++] = argv[1];
		} else {
			die_usage("compare: unknown option");
		}
		argc -= 2;
		argv += 2;
	}
	snprintf(o.below, sizeof(o.below), "n<%zu", o.min_n);
	ncols = argc - 1;
	if (argc < 2)
		die_usage("compare: need K and at least one column");
	nkey = atoi(argv[0]);
	if (nkey < 1 || nkey > MAX_COLS)
		die_usage("compare: K must be 1..64");
	if (ncols > MAX_COLS)
		die_usage("compare: too many columns");
	argv++;

	while (getline(&line, &cap, stdin) > 0) {
		int nf = split_tabs(line, f, nkey + 2);
		double v;
		int c;

		lineno++;
		if (nf != nkey + 2) {
			fprintf(stderr, "apf-stats: stdin:%zu: expected %d fields, saw %d\n",
				lineno, nkey + 2, nf);
			return 2;
		}
		for (c = 0; c < ncols; c++)
			if (!strcmp(f[nkey], argv[c]))
				break;
		if (c == ncols)
			continue;	/* a column not asked for */
		/* Rejoin the key fields (split_tabs cut them apart). */
		for (int k = 1; k < nkey; k++)
			f[k][-1] = '\t';
		struct group *g = labelled_get(&gs, f[0]);

		if (parse_value(f[nkey + 1], &v))
			sample_add(&g->col[c], v);
	}
	free(line);

	/* Every figure first, then the correction over the whole input. */
	gv = gs.v;
	size_t nrows = gs.n * (size_t)ncols;
	struct cell_stats *rows = xrealloc(NULL, (nrows ? nrows : 1) * sizeof(*rows));
	double *padj = xrealloc(NULL, (nrows ? nrows : 1) * sizeof(*padj));

	for (size_t i = 0; i < gs.n; i++) {
		struct moments base = moments_of(&gv[i].col[0]);
		int untested = key_untested(gv[i].key, &o);

		for (int c = 0; c < ncols; c++) {
			size_t r = i * (size_t)ncols + (size_t)c;

			rows[r] = cell_of(&gv[i].col[c], base, c == 0, untested, &o);
			padj[r] = rows[r].p;
		}
	}
	p_adjust(padj, nrows, o.adjust);
	for (size_t i = 0; i < gs.n; i++) {
		for (int c = 0; c < ncols; c++) {
			const struct cell_stats *x = &rows[i * (size_t)ncols + (size_t)c];
			double pa = padj[i * (size_t)ncols + (size_t)c];

			printf("%s\t%s\t%zu\t", gv[i].key, argv[c], x->m.n);
			print_num(x->m.mean);
			putchar('\t');
			print_num(sqrt(x->m.var));
			putchar('\t');
			print_num(x->ci);
			putchar('\t');
			print_num(x->rel);
			putchar('\t');
			print_num(x->p);
			printf("\t%s\t", !isnan(pa) && pa < 0.05 ? "*" : "");
			print_num(x->rel_ci);
			putchar('\t');
			print_num(pa);
			printf("\t%s\n", x->test);
		}
	}
	free(rows);
	free(padj);
	free(o.untested);
	return 0;
}
