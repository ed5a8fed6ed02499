/*
 * apf-stats: the numbers behind scripts/apf-report, kept in C so that the
 * statistics are exact, testable against published reference values and
 * fast for thousands of cells. It never parses JSON: apf-report extracts
 * plain tab-separated rows with jq and pipes them here.
 *
 *   apf-stats compare K COL...   rows "key1..keyK<TAB>column<TAB>value" on
 *       stdin; per key group and column (in the order given, the first is the
 *       baseline): n, mean, sd, 95% CI half-width (Student t), the relative
 *       change against the baseline, Welch's two-sided p and a '*' at p<0.05.
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

static int cmd_compare(int argc, char **argv)
{
	struct groups gs = { 0 };
	char *line = NULL, *f[MAX_COLS + 8];
	size_t cap = 0, lineno = 0;
	int nkey, ncols = argc - 1;

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

	for (size_t i = 0; i < gs.n; i++) {
		struct moments base = moments_of(&gs.g[i].col[0]);

		for (int c = 0; c < ncols; c++) {
			struct moments m = moments_of(&gs.g[i].col[c]);
			double sd = sqrt(m.var), ci = NAN, rel = NAN;
			struct welch w = { NAN, NAN, NAN };

			if (m.n >= 2)
				ci = t_quantile(0.975, (double)(m.n - 1)) * sd / sqrt((double)m.n);
			if (c > 0) {
				if (base.n && m.n && base.mean != 0.0)
					rel = (m.mean - base.mean) / fabs(base.mean);
				w = welch_test(m, base);
			}
			printf("%s\t%s\t%zu\t", gs.g[i].key, argv[c], m.n);
			print_num(m.mean);
			putchar('\t');
			print_num(sd);
			putchar('\t');
			print_num(ci);
			putchar('\t');
			print_num(rel);
			putchar('\t');
			print_num(w.p);
			printf("\t%s\n", !isnan(w.p) && w.p < 0.05 ? "*" : "");
		}
	}
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
	fputs("usage: apf-stats compare K COLUMN...  < key1..keyK TAB column TAB value\n"
	      "       apf-stats spectrum            < label (TAB upper_ns TAB count)...\n"
	      "       apf-stats welch               < two lines of numbers -> t df p\n"
	      "       apf-stats qt P DF             Student t quantile\n"
	      "       apf-stats pt T DF             Student t CDF\n"
	      "compare prints: keys, column, n, mean, sd, ci95, rel_change, p_welch, sig\n"
	      "(the first COLUMN is the baseline; NA where a figure is undefined).\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die_usage("missing command");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 2, argv + 2);
	if (!strcmp(argv[1], "spectrum") && argc == 2)
		return cmd_spectrum();
	if (!strcmp(argv[1], "welch") && argc == 2)
		return cmd_welch();
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
