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
	struct labelled ss = { .elem = sizeof(struct series) };
	size_t lineno = 0;
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0) {
		struct series *s;
		char *label, *save = NULL;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		label = strtok_r(line, "\t", &save);
		if (!label)
			continue;
		s = labelled_get(&ss, label);
		if (read_buckets(&save, &s->bs, "spectrum", lineno) != 0)
			return 2;
	}
	free(line);
	for (size_t i = 0; i < ss.n; i++)
		spectrum_print((struct series *)ss.v + i);
	return 0;
}
