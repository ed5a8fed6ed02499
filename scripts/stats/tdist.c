// SPDX-License-Identifier: GPL-2.0-only
/*
 * Student's t distribution and Welch's test (see stats.h). The t CDF uses
 * the regularized incomplete beta function, I_x(a,b) by its continued
 * fraction (modified Lentz), as in Numerical Recipes 6.4 and Abramowitz &
 * Stegun 26.5.8; quantiles invert it by bisection, which is plenty at the
 * sizes here.
 */
#include <math.h>
#include "stats.h"

/* One term aa of a continued fraction by modified Lentz: the factor it
 * multiplies the fraction by (c and d carried between terms). */
static double lentz_step(double aa, double *c, double *d)
{
	const double tiny = 1e-300;

	*d = 1.0 + aa * *d;
	if (fabs(*d) < tiny)
		*d = tiny;
	*c = 1.0 + aa / *c;
	if (fabs(*c) < tiny)
		*c = tiny;
	*d = 1.0 / *d;
	return *d * *c;
}

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

		h *= lentz_step(aa, &c, &d);
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		double del = lentz_step(aa, &c, &d);

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
double t_cdf(double t, double df)
{
	double tail = 0.5 * betai(df / 2.0, 0.5, df / (df + t * t));

	return t > 0 ? 1.0 - tail : tail;
}

/* Student t quantile: the t with t_cdf(t, df) = p, 0 < p < 1. */
double t_quantile(double p, double df)
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

struct moments moments_of(const struct sample *s)
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

/*
 * Welch's unequal-variance t-test, two-sided. Undefined (NAN) with fewer
 * than two values on a side or when both sides have zero variance.
 */
struct welch welch_test(struct moments a, struct moments b)
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
