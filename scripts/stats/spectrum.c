// SPDX-License-Identifier: GPL-2.0-only
/*
 * apf-stats spectrum (see scripts/apf-stats.c): histogram buckets merged
 * per label into a percentile spectrum, one gnuplot data block a label.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

struct series {
	char *label;
	struct buckets bs;
};

static void spectrum_print(const struct series *ser)
{
	const struct buckets *s = &ser->bs;
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
		printf("%s\t%.0f\t%.9f\t%.6g\n", ser->label, s->b[i].upper, p * 100.0,
		       1.0 / (1.0 - p));
	}
	printf("\n\n");
}

int cmd_spectrum(void)
{
	struct series *ss = NULL;
	size_t nss = 0, lineno = 0;
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0) {
		struct series *s = NULL;
		char *label, *save = NULL;

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
		if (read_buckets(&save, &s->bs, "spectrum", lineno) != 0)
			return 2;
	}
	free(line);
	for (size_t i = 0; i < nss; i++)
		spectrum_print(&ss[i]);
	return 0;
}
