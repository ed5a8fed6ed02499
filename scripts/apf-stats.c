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
 * This file is the command line and the small commands; the parts are in
 * scripts/stats/ (stats.h says which file does what).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"
#include "version.h"

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
	int hv = apf_help_or_version(argc, argv, "apf-stats", usage);

	if (hv >= 0)
		return hv;
	if (argc < 2)
		die_usage("missing command");
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
