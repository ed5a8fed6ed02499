// SPDX-License-Identifier: GPL-2.0-only
/*
 * apf-stats: the numbers behind scripts/apf-report, kept in C so that the
 * statistics are exact, testable against published reference values and
 * fast for thousands of cells. It never parses JSON: apf-report extracts
 * plain tab-separated rows with jq and pipes them here.
 *
 *   apf-stats compare [OPTIONS] K COL...   rows "key1..keyK<TAB>column<TAB>
 *       value" on stdin; per key group and column (in the order given, the
 *       first is the baseline): n, mean, sd, 95% CI half-width (Student t),
 *       the relative change against the baseline, Welch's two-sided p, a '*'
 *       where significant, the change's 95% CI half-width (relative), the
 *       p adjusted for multiple comparisons over every test of the input
 *       (one table: --adjust holm|bh) and the test's state. Groups with a
 *       key field named by --untested (max latency: one sample per rep, no
 *       distribution to test) and sides with fewer than --min-n values are
 *       not tested, so they are also left out of the correction's family.
 *   apf-stats adjust holm|bh     one p per line (NA allowed) -> the adjusted
 *       p in input order: Holm's step-down Bonferroni (family-wise error)
 *       or Benjamini-Hochberg (false discovery rate).
 *   apf-stats pctci              rows "label<TAB>rep<TAB>upper_ns<TAB>count..."
 *       (one histogram per rep) -> per label and percentile (50 90 99 99.9
 *       99.99): the merged histogram's value and a 95% bootstrap interval
 *       over repetitions (resample whole reps with replacement, merge,
 *       read the percentile; exact enumeration of every resample up to 8
 *       reps, 2000 seeded draws above).
 *   apf-stats spectrum           rows "label<TAB>upper_ns<TAB>count[<TAB>upper_ns
 *       <TAB>count...]" (histogram buckets; one row per rep, say, several
 *       rows may share a label) -> per label the merged
 *       percentile spectrum: "label value_ns percentile 1/(1-p)", one
 *       gnuplot data block (two blank lines apart) per label, in input order.
 *   apf-stats welch              two lines of numbers -> "t df p"
 *   apf-stats qt P DF | pt T DF  Student t quantile / CDF
 *
 * The t CDF uses the regularized incomplete beta function,
 * I_x(a,b) by its continued fraction (modified Lentz), as in Numerical
 * Recipes 6.4 and Abramowitz & Stegun 26.5.8; quantiles invert it by
 * bisection, which is plenty at the sizes here.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "version.h"

#define MAX_COLS 64

static void die_usage(const char *msg)
{
	fprintf(stderr, "apf-stats: %s (try --help)\n", msg);
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "apf-stats: out of memory\n");
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

/* ---- special functions ---- */

/* Continued fraction for I_x(a,b) (NR betacf), valid for x < (a+1)/(a+b+2). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double qab = a + b, qap = a + 1.0, qam = a - 1.0;
	double c = 1.0, d = 1.0 - qab * x / qap, h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		int m2 = 2 * m;
		double aa = m * (b - m) * x / ((qam + m2) * (a + m2));

		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		double del = d * c;

		h *= del;
		if (fabs(del - 1.0) < eps)
			break;
	}
	return h;
}

/* Regularized incomplete beta I_x(a,b). */
static double betai(double a, double b, double x)
{
	double bt;

	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1.0) / (a + b + 2.0))
		return bt * betacf(a, b, x) / a;
	return 1.0 - bt * betacf(b, a, 1.0 - x) / b;
}

/* Student t CDF with df degrees of freedom (df may be fractional). */
static double t_cdf(double t, double df)
{
	double tail = 0.5 * betai(df / 2.0, 0.5, df / (df + t * t));

	return t > 0 ? 1.0 - tail : tail;
}

/* Student t quantile: the t with t_cdf(t, df) = p, 0 < p < 1. */
static double t_quantile(double p, double df)
{
	double lo, hi, sign = 1.0;

	if (p == 0.5)
		return 0.0;
	if (p < 0.5) {
		p = 1.0 - p;
		sign = -1.0;
	}
	lo = 0.0;
	hi = 1.0;
	while (t_cdf(hi, df) < p && hi < 1e12)
		hi *= 2.0;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = 0.5 * (lo + hi);

		if (t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return sign * 0.5 * (lo + hi);
}

/* ---- samples ---- */

struct sample {
	double *v;
	size_t n, cap;
};

static void sample_add(struct sample *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = v;
}

struct moments {
	size_t n;
	double mean, var;	/* var: unbiased sample variance, NAN for n < 2 */
};

static struct moments moments_of(const struct sample *s)
{
	struct moments m = { .n = s->n, .mean = NAN, .var = NAN };
	double sum = 0.0, ss = 0.0;

	if (!s->n)
		return m;
	for (size_t i = 0; i < s->n; i++)
		sum += s->v[i];
	m.mean = sum / (double)s->n;
	if (s->n < 2)
		return m;
	for (size_t i = 0; i < s->n; i++)
		ss += (s->v[i] - m.mean) * (s->v[i] - m.mean);
	m.var = ss / (double)(s->n - 1);
	return m;
}

struct welch {
	double t, df, p;	/* NAN when undefined */
};

/*
 * Welch's unequal-variance t-test, two-sided. Undefined (NAN) with fewer
 * than two values on a side or when both sides have zero variance.
 */
static struct welch welch_test(struct moments a, struct moments b)
{
	struct welch w = { NAN, NAN, NAN };
	double va, vb, se2;

	if (a.n < 2 || b.n < 2)
		return w;
	va = a.var / (double)a.n;
	vb = b.var / (double)b.n;
	se2 = va + vb;
	if (!(se2 > 0.0))
		return w;
	w.t = (a.mean - b.mean) / sqrt(se2);
	w.df = se2 * se2 / (va * va / (double)(a.n - 1) + vb * vb / (double)(b.n - 1));
	w.p = 2.0 * t_cdf(-fabs(w.t), w.df);
	return w;
}

/* ---- input ---- */

/* Split line in place on tabs; returns the field count (<= max). */
static int split_tabs(char *line, char **f, int max)
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

/* A measured value, or 0 for NA/null/empty/garbage (which are skipped). */
static int parse_value(const char *s, double *out)
{
	char *end;

	if (!*s || !strcmp(s, "NA") || !strcmp(s, "null"))
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && *end == '\0' && isfinite(*out);
}

static void print_num(double v)
{
	if (isnan(v))
		fputs("NA", stdout);
	else
		printf("%.6g", v);
}

/* ---- compare ---- */

struct group {
	char *key;
	struct sample col[MAX_COLS];
};

struct groups {
	struct group *g;
	size_t n, cap;
};

/* Linear search from the end: input arrives grouped, so hits are recent. */
static struct group *group_get(struct groups *gs, const char *key)
{
	for (size_t i = gs->n; i-- > 0;)
		if (!strcmp(gs->g[i].key, key))
			return &gs->g[i];
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? 2 * gs->cap : 64;
		gs->g = xrealloc(gs->g, gs->cap * sizeof(*gs->g));
	}
	memset(&gs->g[gs->n], 0, sizeof(gs->g[0]));
	gs->g[gs->n].key = xstrdup(key);
	return &gs->g[gs->n++];
}

/* ---- multiple comparisons ---- */

enum adjust { ADJ_NONE, ADJ_HOLM, ADJ_BH };

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
static void p_adjust(double *p, size_t n, enum adjust how)
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

static enum adjust adjust_of(const char *s)
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

static int cmd_adjust(const char *method)
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

static int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = { .adjust = ADJ_NONE, .min_n = 2 };
	struct groups gs = { 0 };
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
		struct group *g = group_get(&gs, f[0]);

		if (parse_value(f[nkey + 1], &v))
			sample_add(&g->col[c], v);
	}
	free(line);

	/* Every figure first, then the correction over the whole input. */
	size_t nrows = gs.n * (size_t)ncols;
	struct cell_stats *rows = xrealloc(NULL, (nrows ? nrows : 1) * sizeof(*rows));
	double *padj = xrealloc(NULL, (nrows ? nrows : 1) * sizeof(*padj));

	for (size_t i = 0; i < gs.n; i++) {
		struct moments base = moments_of(&gs.g[i].col[0]);
		int untested = key_untested(gs.g[i].key, &o);

		for (int c = 0; c < ncols; c++) {
			size_t r = i * (size_t)ncols + (size_t)c;

			rows[r] = cell_of(&gs.g[i].col[c], base, c == 0, untested, &o);
			padj[r] = rows[r].p;
		}
	}
	p_adjust(padj, nrows, o.adjust);
	for (size_t i = 0; i < gs.n; i++) {
		for (int c = 0; c < ncols; c++) {
			const struct cell_stats *x = &rows[i * (size_t)ncols + (size_t)c];
			double pa = padj[i * (size_t)ncols + (size_t)c];

			printf("%s\t%s\t%zu\t", gs.g[i].key, argv[c], x->m.n);
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

/* ---- spectrum ---- */

struct bucket {
	double upper, count;
};

static int bucket_cmp(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;

	return (x->upper > y->upper) - (x->upper < y->upper);
}

static int bucket_cmp_d(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

struct series {
	char *label;
	struct bucket *b;
	size_t n, cap;
};

static void spectrum_print(const struct series *s)
{
	double total = 0.0, cum = 0.0;
	size_t w = 0;

	if (!s->n)
		return;
	/* Merge buckets with the same upper bound (several reps). */
	qsort(s->b, s->n, sizeof(*s->b), bucket_cmp);
	for (size_t i = 0; i < s->n; i++) {
		if (w && s->b[w - 1].upper == s->b[i].upper)
			s->b[w - 1].count += s->b[i].count;
		else
			s->b[w++] = s->b[i];
	}
	for (size_t i = 0; i < w; i++)
		total += s->b[i].count;
	if (!(total > 0.0))
		return;
	for (size_t i = 0; i < w; i++) {
		double p;

		if (!(s->b[i].count > 0.0))
			continue;
		cum += s->b[i].count;
		/*
		 * The last bucket holds the maximum: its percentile is 1 and
		 * 1/(1-p) infinite; place it at 1 - 1/total, the resolution
		 * that this many samples give.
		 */
		p = cum >= total ? 1.0 - 1.0 / total : cum / total;
		if (total <= 1.0)
			p = 0.0;
		printf("%s\t%.0f\t%.9f\t%.6g\n", s->label, s->b[i].upper, p * 100.0,
		       1.0 / (1.0 - p));
	}
	printf("\n\n");
}

static int cmd_spectrum(void)
{
	struct series *ss = NULL;
	size_t nss = 0, lineno = 0;
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0) {
		struct series *s = NULL;
		char *label, *tok, *save = NULL;
		double v[2];
		int k = 0;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		label = strtok_r(line, "\t", &save);
		if (!label)
			continue;
		for (size_t i = nss; i-- > 0;)
			if (!strcmp(ss[i].label, label)) {
				s = &ss[i];
				break;
			}
		if (!s) {
			ss = xrealloc(ss, (nss + 1) * sizeof(*ss));
			s = &ss[nss++];
			memset(s, 0, sizeof(*s));
			s->label = xstrdup(label);
		}
		while ((tok = strtok_r(NULL, "\t", &save))) {
			if (!parse_value(tok, &v[k])) {
				fprintf(stderr, "apf-stats: stdin:%zu: '%s' is not a number\n", lineno, tok);
				return 2;
			}
			if (++k < 2)
				continue;
			k = 0;
			if (s->n == s->cap) {
				s->cap = s->cap ? 2 * s->cap : 256;
				s->b = xrealloc(s->b, s->cap * sizeof(*s->b));
			}
			s->b[s->n++] = (struct bucket){ v[0], v[1] };
		}
		if (k) {
			fprintf(stderr, "apf-stats: stdin:%zu: upper_ns without a count\n", lineno);
			return 2;
		}
	}
	free(line);
	for (size_t i = 0; i < nss; i++)
		spectrum_print(&ss[i]);
	return 0;
}

/* ---- percentile intervals ---- */

static const double PCT[] = { 50.0, 90.0, 99.0, 99.9, 99.99 };
#define N_PCT (sizeof(PCT) / sizeof(PCT[0]))
#define BOOT_EXACT_MAX 8	/* C(15, 8) = 6435 resamples: enumerate them */
#define BOOT_DRAWS 2000

/* One label's reps as dense count vectors over the union of bucket bounds. */
struct pct_label {
	char *label;
	struct bucket **rep;	/* per rep, its buckets */
	size_t *rep_n, n_rep;
};

/* Weighted draws of a statistic: the bootstrap distribution. */
struct draw {
	double v, w;
};

static int draw_cmp(const void *a, const void *b)
{
	const struct draw *x = a, *y = b;

	return (x->v > y->v) - (x->v < y->v);
}

/* The q-quantile (0..1) of weighted draws (sorted in place). */
static double draw_quantile(struct draw *d, size_t n, double q)
{
	double total = 0.0, cum = 0.0;

	qsort(d, n, sizeof(*d), draw_cmp);
	for (size_t i = 0; i < n; i++)
		total += d[i].w;
	for (size_t i = 0; i < n; i++) {
		cum += d[i].w;
		if (cum >= q * total * (1.0 - 1e-12))
			return d[i].v;
	}
	return n ? d[n - 1].v : NAN;
}

struct boot_ctx {
	size_t nb, nr;
	double *upper;		/* [nb] sorted union of bounds */
	double *cnt;		/* [nr * nb] counts */
	double *merged;		/* [nb] scratch */
	struct draw *d[N_PCT];
	size_t nd, capd;
	unsigned long long rng;	/* xorshift64* state for the sampled case */
};

/* Percentiles of the reps merged with weights w[] (times each is drawn). */
static void boot_eval(struct boot_ctx *b, const unsigned *w, double prob)
{
	double total = 0.0;

	for (size_t k = 0; k < b->nb; k++)
		b->merged[k] = 0.0;
	for (size_t r = 0; r < b->nr; r++)
		if (w[r])
			for (size_t k = 0; k < b->nb; k++)
				b->merged[k] += w[r] * b->cnt[r * b->nb + k];
	for (size_t k = 0; k < b->nb; k++)
		total += b->merged[k];
	if (b->nd == b->capd) {
		b->capd = b->capd ? 2 * b->capd : 64;
		for (size_t q = 0; q < N_PCT; q++)
			b->d[q] = xrealloc(b->d[q], b->capd * sizeof(*b->d[q]));
	}
	for (size_t q = 0; q < N_PCT; q++) {
		/* HdrHistogram's value at percentile: the first bucket whose
		 * cumulative count reaches ceil(p * total), at least 1. */
		double need = fmax(1.0, ceil(PCT[q] / 100.0 * total - 1e-9)), cum = 0.0;
		double v = NAN;

		for (size_t k = 0; k < b->nb; k++) {
			cum += b->merged[k];
			if (cum >= need) {
				v = b->upper[k];
				break;
			}
		}
		b->d[q][b->nd] = (struct draw){ v, prob };
	}
	b->nd++;
}

static double lfact(unsigned k)
{
	return lgamma((double)k + 1.0);
}

/* Every multiset of n reps drawn from n, with its multinomial probability. */
static void boot_enum(struct boot_ctx *b, unsigned *w, size_t r, unsigned left)
{
	if (r == b->nr - 1) {
		double lp = lfact((unsigned)b->nr) - (double)b->nr * log((double)b->nr);

		w[r] = left;
		for (size_t i = 0; i < b->nr; i++)
			lp -= lfact(w[i]);
		boot_eval(b, w, exp(lp));
		return;
	}
	for (unsigned k = 0; k <= left; k++) {
		w[r] = k;
		boot_enum(b, w, r + 1, left - k);
	}
}

static unsigned long long xorshift(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void pct_print(const struct pct_label *L)
{
	struct boot_ctx b = { .nr = L->n_rep, .rng = 88172645463325252ULL };
	size_t all = 0;
	unsigned *w;

	for (size_t r = 0; r < L->n_rep; r++)
		all += L->rep_n[r];
	b.upper = xrealloc(NULL, (all ? all : 1) * sizeof(*b.upper));
	for (size_t r = 0; r < L->n_rep; r++)
		for (size_t i = 0; i < L->rep_n[r]; i++)
			b.upper[b.nb++] = L->rep[r][i].upper;
	qsort(b.upper, b.nb, sizeof(*b.upper), bucket_cmp_d);
	size_t u = 0;

	for (size_t i = 0; i < b.nb; i++)
		if (!u || b.upper[u - 1] != b.upper[i])
			b.upper[u++] = b.upper[i];
	b.nb = u;
	b.cnt = xrealloc(NULL, (b.nr * b.nb + 1) * sizeof(*b.cnt));
	b.merged = xrealloc(NULL, (b.nb ? b.nb : 1) * sizeof(*b.merged));
	for (size_t i = 0; i < b.nr * b.nb; i++)
		b.cnt[i] = 0.0;
	for (size_t r = 0; r < b.nr; r++)
		for (size_t i = 0; i < L->rep_n[r]; i++) {
			double *hit = bsearch(&L->rep[r][i].upper, b.upper, b.nb, sizeof(double),
					      bucket_cmp_d);

			b.cnt[r * b.nb + (size_t)(hit - b.upper)] += L->rep[r][i].count;
		}
	w = xrealloc(NULL, b.nr * sizeof(*w));

	/* The point estimate: every rep once. */
	for (size_t r = 0; r < b.nr; r++)
		w[r] = 1;
	boot_eval(&b, w, 1.0);
	double point[N_PCT];

	for (size_t q = 0; q < N_PCT; q++)
		point[q] = b.d[q][0].v;
	b.nd = 0;
	if (b.nr >= 2 && b.nr <= BOOT_EXACT_MAX) {
		boot_enum(&b, w, 0, (unsigned)b.nr);
	} else if (b.nr > BOOT_EXACT_MAX) {
		for (int i = 0; i < BOOT_DRAWS; i++) {
			for (size_t r = 0; r < b.nr; r++)
				w[r] = 0;
			for (size_t r = 0; r < b.nr; r++)
				w[xorshift(&b.rng) % b.nr]++;
			boot_eval(&b, w, 1.0);
		}
	}
	for (size_t q = 0; q < N_PCT; q++) {
		printf("%s\t%g\t", L->label, PCT[q]);
		print_num(point[q]);
		putchar('\t');
		print_num(b.nd ? draw_quantile(b.d[q], b.nd, 0.025) : NAN);
		putchar('\t');
		print_num(b.nd ? draw_quantile(b.d[q], b.nd, 0.975) : NAN);
		printf("\t%zu\n", b.nr);
		free(b.d[q]);
	}
	free(w);
	free(b.upper);
	free(b.cnt);
	free(b.merged);
}

static int cmd_pctci(void)
{
	struct pct_label *ls = NULL;
	size_t nl = 0, lineno = 0, cap = 0;
	char *line = NULL;

	while (getline(&line, &cap, stdin) > 0) {
		struct pct_label *L = NULL;
		char *label, *rep, *tok, *save = NULL;
		struct bucket *bs = NULL;
		size_t nb = 0, capb = 0;
		double v[2];
		int k = 0;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		label = strtok_r(line, "\t", &save);
		rep = label ? strtok_r(NULL, "\t", &save) : NULL;
		if (!label)
			continue;
		if (!rep) {
			fprintf(stderr, "apf-stats: pctci: stdin:%zu: no rep field\n", lineno);
			return 2;
		}
		for (size_t i = nl; i-- > 0;)
			if (!strcmp(ls[i].label, label)) {
				L = &ls[i];
				break;
			}
		if (!L) {
			ls = xrealloc(ls, (nl + 1) * sizeof(*ls));
			L = &ls[nl++];
			memset(L, 0, sizeof(*L));
			L->label = xstrdup(label);
		}
		while ((tok = strtok_r(NULL, "\t", &save))) {
			if (!parse_value(tok, &v[k])) {
				fprintf(stderr, "apf-stats: pctci: stdin:%zu: '%s' is not a number\n",
					lineno, tok);
				return 2;
			}
			if (++k < 2)
				continue;
			k = 0;
			if (nb == capb) {
				capb = capb ? 2 * capb : 256;
				bs = xrealloc(bs, capb * sizeof(*bs));
			}
			bs[nb++] = (struct bucket){ v[0], v[1] };
		}
		if (k) {
			fprintf(stderr, "apf-stats: pctci: stdin:%zu: upper_ns without a count\n", lineno);
			return 2;
		}
		L->rep = xrealloc(L->rep, (L->n_rep + 1) * sizeof(*L->rep));
		L->rep_n = xrealloc(L->rep_n, (L->n_rep + 1) * sizeof(*L->rep_n));
		L->rep[L->n_rep] = bs;
		L->rep_n[L->n_rep++] = nb;
	}
	free(line);
	for (size_t i = 0; i < nl; i++) {
		pct_print(&ls[i]);
		for (size_t r = 0; r < ls[i].n_rep; r++)
			free(ls[i].rep[r]);
		free(ls[i].rep);
		free(ls[i].rep_n);
		free(ls[i].label);
	}
	free(ls);
	return 0;
}

/* ---- small commands ---- */

static void read_sample_line(struct sample *s, const char *what)
{
	char *line = NULL, *tok, *save = NULL;
	size_t cap = 0;
	double v;

	if (getline(&line, &cap, stdin) <= 0) {
		fprintf(stderr, "apf-stats: welch: missing %s line\n", what);
		exit(2);
	}
	for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		if (!parse_value(tok, &v)) {
			fprintf(stderr, "apf-stats: welch: '%s' in %s line is not a number\n",
				tok, what);
			exit(2);
		}
		sample_add(s, v);
	}
	free(line);
}

static int cmd_welch(void)
{
	struct sample a = { 0 }, b = { 0 };
	struct welch w;

	read_sample_line(&a, "first");
	read_sample_line(&b, "second");
	w = welch_test(moments_of(&a), moments_of(&b));
	print_num(w.t);
	putchar(' ');
	print_num(w.df);
	putchar(' ');
	print_num(w.p);
	putchar('\n');
	return 0;
}

static double arg_num(const char *s, const char *what)
{
	double v;

	if (!parse_value(s, &v)) {
		fprintf(stderr, "apf-stats: %s '%s' is not a number (try --help)\n", what, s);
		exit(2);
	}
	return v;
}

static void usage(FILE *f)
{
	fputs("usage: apf-stats compare [--adjust holm|bh|none] [--min-n N] [--untested NAME]...\n"
	      "                       K COLUMN...   < key1..keyK TAB column TAB value\n"
	      "       apf-stats adjust holm|bh      < one p per line (NA allowed)\n"
	      "       apf-stats pctci               < label TAB rep (TAB upper_ns TAB count)...\n"
	      "       apf-stats spectrum            < label (TAB upper_ns TAB count)...\n"
	      "       apf-stats welch               < two lines of numbers -> t df p\n"
	      "       apf-stats qt P DF             Student t quantile\n"
	      "       apf-stats pt T DF             Student t CDF\n"
	      "compare prints: keys, column, n, mean, sd, ci95, rel_change, p_welch, sig,\n"
	      "rel_ci95, p_adj, test (base|ok|n<N|untested|NA); the first COLUMN is the\n"
	      "baseline; NA where a figure is undefined; sig is '*' at p_adj < 0.05.\n"
	      "Defaults: --adjust none --min-n 2.\n"
	      "pctci prints: label, percentile, value, lo95, hi95, reps (bootstrap over reps).\n"
	      "apf-stats --version prints the suite's version.\n"
	      "Exit: 0 ok, 1 the work failed, 2 bad usage or input, 3 a missing capability\n"
	      "(README \"Exit codes\").\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die_usage("missing command");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("apf-stats %s\n", apf_version());
		return 0;
	}
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 2, argv + 2);
	if (!strcmp(argv[1], "spectrum") && argc == 2)
		return cmd_spectrum();
	if (!strcmp(argv[1], "welch") && argc == 2)
		return cmd_welch();
	if (!strcmp(argv[1], "adjust") && argc == 3)
		return cmd_adjust(argv[2]);
	if (!strcmp(argv[1], "pctci") && argc == 2)
		return cmd_pctci();
	if (!strcmp(argv[1], "qt") && argc == 4) {
		double p = arg_num(argv[2], "P"), df = arg_num(argv[3], "DF");

		if (!(p > 0 && p < 1) || !(df > 0))
			die_usage("qt: need 0 < P < 1 and DF > 0");
		printf("%.9g\n", t_quantile(p, df));
		return 0;
	}
	if (!strcmp(argv[1], "pt") && argc == 4) {
		double t = arg_num(argv[2], "T"), df = arg_num(argv[3], "DF");

		if (!(df > 0))
			die_usage("pt: need DF > 0");
		printf("%.9g\n", t_cdf(t, df));
		return 0;
	}
	die_usage("unknown command or wrong arguments");
}
