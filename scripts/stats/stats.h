/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * apf-stats' parts (the program is described in scripts/apf-stats.c):
 * io.c reads rows and prints figures, tdist.c is Student's t and Welch's
 * test, adjust.c the multiple-comparison corrections, and one file per
 * command that needs more than a few lines (compare, spectrum, pctci).
 */
#ifndef APF_STATS_H
#define APF_STATS_H

#include <stddef.h>

#define MAX_COLS 64

/* io.c: a failure here ends the program (exit 2 usage, 1 no memory) */
void die_usage(const char *msg) __attribute__((noreturn));
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

struct sample {
	double *v;
	size_t n, cap;
};
void sample_add(struct sample *s, double v);

/* Split line in place on tabs; returns the field count (<= max). */
int split_tabs(char *line, char **f, int max);
int parse_value(const char *s, double *out);
void print_num(double v);	/* NA for NAN */

struct bucket {
	double upper, count;
};
struct buckets {
	struct bucket *b;
	size_t n, cap;
};
int read_buckets(char **save, struct buckets *bs, const char *cmd, size_t lineno);
int bucket_cmp(const void *a, const void *b);	/* by upper bound */

/*
 * Entries keyed by a label, in input order; each (elem bytes) starts with
 * its char *label. labelled_get finds one, or appends it zeroed with the
 * label copied; the pointer holds until the next call. It searches from
 * the end: input arrives grouped, so hits are recent.
 */
struct labelled {
	void *v;
	size_t n, cap, elem;
};
void *labelled_get(struct labelled *l, const char *label);

/* tdist.c */
double t_cdf(double t, double df);
double t_quantile(double p, double df);

struct moments {
	size_t n;
	double mean, var;	/* var: unbiased sample variance, NAN for n < 2 */
};
struct moments moments_of(const struct sample *s);

struct welch {
	double t, df, p;	/* NAN when undefined */
};
struct welch welch_test(struct moments a, struct moments b);

/* adjust.c */
enum adjust { ADJ_NONE, ADJ_HOLM, ADJ_BH };
void p_adjust(double *p, size_t n, enum adjust how);
enum adjust adjust_of(const char *s);	/* or die_usage */

/* the commands: each returns the exit code */
int cmd_adjust(const char *method);
int cmd_compare(int argc, char **argv);
int cmd_spectrum(void);
int cmd_pctci(void);

#endif
