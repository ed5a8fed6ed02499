// SPDX-License-Identifier: GPL-2.0-only
/*
 * apf-stats pctci (see scripts/apf-stats.c): percentiles of the merged
 * histogram per label, with 95% bootstrap intervals over repetitions
 * (whole reps resampled with replacement; every resample enumerated up
 * to BOOT_EXACT_MAX reps, BOOT_DRAWS seeded draws above).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pct.h"
#include "stats.h"
#include "xorshift.h"

static int bucket_cmp_d(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

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
	uint64_t rng;		/* xorshift64star state for the sampled case */
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
		/* HdrHistogram's value at percentile, as result.json's */
		double need = pct_rank(PCT[q], total), cum = 0.0;
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
				w[xorshift64star(&b.rng) % b.nr]++;
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

int cmd_pctci(void)
{
	struct labelled labels = { .elem = sizeof(struct pct_label) };
	struct pct_label *ls;
	size_t lineno = 0, cap = 0;
	char *line = NULL;

	while (getline(&line, &cap, stdin) > 0) {
		struct pct_label *L;
		char *label, *rep, *save = NULL;
		struct buckets bs = { 0 };

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
		L = labelled_get(&labels, label);
		if (read_buckets(&save, &bs, "pctci", lineno) != 0)
			return 2;
		L->rep = xrealloc(L->rep, (L->n_rep + 1) * sizeof(*L->rep));
		L->rep_n = xrealloc(L->rep_n, (L->n_rep + 1) * sizeof(*L->rep_n));
		L->rep[L->n_rep] = bs.b;
		L->rep_n[L->n_rep++] = bs.n;
	}
	free(line);
	ls = labels.v;
	for (size_t i = 0; i < labels.n; i++) {
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
