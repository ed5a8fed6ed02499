// SPDX-License-Identifier: GPL-2.0-only
/* HdrHistogram's percentile text and interval log (see hdr.h). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include "hdr.h"

_Static_assert((HB_HDR_BUCKETS + 1) * (HB_HDR_SUB_BUCKETS / 2) == HB_NBUCKETS,
	       "HdrHistogram's counts array must be ours, index for index");

#define VALUE_SCALE  1000.0	/* ns recorded, microseconds in latency.hgrm */
#define MAX_RATIO    1e6	/* hlog Interval_Max: ns -> ms, HdrHistogram's default */
#define TICKS_PER_HALF 5
#define V2_COOKIE            0x1c849313u	/* V2 encoding, word size 9 (LEB128) */
#define V2_COMPRESSED_COOKIE 0x1c849314u
#define V2_HEADER 40

/*
 * x with `digits` decimals in `width`, rounded as HdrHistogram's Java and
 * JavaScript versions round: take the shortest decimal that reads back as
 * x (Java's Double.toString, JavaScript's Number#toString), then round
 * that half up. printf rounds the exact binary value instead, so 0.125
 * would print 0.12 and 798863917.055 (a double just below it) .05, where
 * HdrHistogram prints .13 and .06.
 */
static void fmt_fixed(char *buf, size_t len, int width, int digits, double x)
{
	char e[40], d[20], v[340], out[400];
	int nd = 0, exp10, top, n, o = 0, carry;

	if (!isfinite(x) || fabs(x) >= 1e300 || digits > 20) {
		snprintf(buf, len, "%*.*f", width, digits, x);
		return;
	}
	if (x < 0) {
		out[o++] = '-';
		x = -x;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(e, sizeof(e), "%.*e", p - 1, x);
		if (strtod(e, NULL) == x)
			break;
	}
	/* e is D[.DDD]e[+-]XX: its digits, and the power of ten of the first. */
	for (const char *c = e; *c && *c != 'e'; c++)
		if (*c != '.')
			d[nd++] = (char)(*c - '0');
	exp10 = atoi(strchr(e, 'e') + 1);
	/* v: the digits of weight 10^top down to 10^-digits. */
	top = exp10 > 0 ? exp10 : 0;
	n = top + 1 + digits;
	for (int i = 0; i < n; i++) {
		int k = i - (top - exp10);

		v[i] = (char)(k >= 0 && k < nd ? d[k] : 0);
	}
	/* Half up: the first dropped digit decides. */
	carry = exp10 + digits + 1 >= 0 && exp10 + digits + 1 < nd && d[exp10 + digits + 1] >= 5;
	for (int i = n - 1; i >= 0 && carry; i--) {
		v[i] = (char)(v[i] + 1);
		carry = v[i] == 10;
		if (carry)
			v[i] = 0;
	}
	if (carry)
		out[o++] = '1';
	for (int i = 0; i < n; i++) {
		if (i == top + 1)
			out[o++] = '.';
		out[o++] = (char)('0' + v[i]);
	}
	out[o] = '\0';
	snprintf(buf, len, "%*s", width, out);
}

/* HdrHistogram's medianEquivalentValue of bucket i. */
static double bucket_median(unsigned int i)
{
	return (double)(hb_lower(i) + hb_width(i) / 2);
}

static void hgrm_line(FILE *f, unsigned int i, double level, uint64_t cum, bool last)
{
	char v[64], p[64], inv[64];

	fmt_fixed(v, sizeof(v), 12, HB_HDR_SIGFIGS, (double)hb_upper(i) / VALUE_SCALE);
	fmt_fixed(p, sizeof(p), 2, 12, level / 100.0);
	if (last) {
		fprintf(f, "%s %s %10llu\n", v, p, (unsigned long long)cum);
		return;
	}
	fmt_fixed(inv, sizeof(inv), 14, 2, 1.0 / (1.0 - level / 100.0));
	fprintf(f, "%s %s %10llu %s\n", v, p, (unsigned long long)cum, inv);
}

/*
 * HdrHistogram's percentile iterator: a line each time the cumulative
 * count reaches the next level, levels stepping 100/10 % up to 50 %, then
 * half that up to 75 %, and so on (5 ticks per halving of the distance to
 * 100 %); the bucket that completes the count gives one line more at 100 %.
 * The double arithmetic is theirs, step for step, so the levels match.
 */
static void hgrm_lines(const struct hist *h, FILE *f)
{
	double total = (double)h->count, level = 0;
	uint64_t cum = 0;

	for (unsigned int i = 0; i < HB_NBUCKETS; i++) {
		if (h->counts[i] == 0)
			continue;
		cum += h->counts[i];
		while (100.0 * (double)cum / total >= level) {
			double ticks;

			hgrm_line(f, i, level, cum, false);
			ticks = TICKS_PER_HALF * pow(2, floor(log2(100.0 / (100.0 - level))) + 1);
			level += 100.0 / ticks;
			if (cum >= h->count) {
				hgrm_line(f, i, 100.0, cum, true);
				return;
			}
		}
	}
}

int hdr_write_hgrm(const struct hist *h, FILE *f)
{
	double mean = 0, dev = 0, max = 0;
	char m[64], s[64], x[64];

	fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
		"1/(1-Percentile)");
	if (h->count > 0) {
		hgrm_lines(h, f);
		/* HdrHistogram's mean and deviation: bucket midpoints, not our exact sums. */
		for (unsigned int i = 0; i < HB_NBUCKETS; i++)
			if (h->counts[i])
				mean += bucket_median(i) * (double)h->counts[i];
		mean /= (double)h->count;
		for (unsigned int i = 0; i < HB_NBUCKETS; i++)
			if (h->counts[i]) {
				double d = bucket_median(i) - mean;

				dev += d * d * (double)h->counts[i];
			}
		dev = sqrt(dev / (double)h->count);
		max = (double)hb_upper(hb_index(h->max));
	}
	fmt_fixed(m, sizeof(m), 12, HB_HDR_SIGFIGS, mean / VALUE_SCALE);
	fmt_fixed(s, sizeof(s), 12, HB_HDR_SIGFIGS, dev / VALUE_SCALE);
	fmt_fixed(x, sizeof(x), 12, HB_HDR_SIGFIGS, max / VALUE_SCALE);
	fprintf(f, "#[Mean    = %s, StdDeviation   = %s]\n", m, s);
	fprintf(f, "#[Max     = %s, Total count    = %12llu]\n", x, (unsigned long long)h->count);
	fprintf(f, "#[Buckets = %12u, SubBuckets     = %12u]\n", HB_HDR_BUCKETS, HB_HDR_SUB_BUCKETS);
	return ferror(f) ? -1 : 0;
}

/*
 * ZigZag LEB128-64b9B: zigzag, then 7 bits a byte with a continuation bit,
 * the ninth byte carrying the last 8 bits whole.
 */
static size_t put_zigzag(uint8_t *out, int64_t v)
{
	uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	size_t n = 0;

	for (int i = 0; i < 8; i++) {
		if (z >> 7 == 0) {
			out[n++] = (uint8_t)z;
			return n;
		}
		out[n++] = (uint8_t)((z & 0x7f) | 0x80);
		z >>= 7;
	}
	out[n++] = (uint8_t)z;
	return n;
}

static int get_zigzag(const uint8_t **p, const uint8_t *end, int64_t *v)
{
	uint64_t z = 0;

	for (int i = 0; i < 9; i++) {
		uint8_t b;

		if (*p >= end)
			return -1;
		b = *(*p)++;
		if (i == 8) {
			z |= (uint64_t)b << 56;
			break;
		}
		z |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			break;
	}
	*v = (int64_t)((z >> 1) ^ (0 - (z & 1)));
	return 0;
}

static uint64_t delta(const uint64_t *cur, const uint64_t *prev, unsigned int i)
{
	return prev ? cur[i] - prev[i] : cur[i];
}

/* Counts, a run of two or more zeros as its negated length (HdrHistogram's V2 payload). */
size_t hdr_encode_counts(const uint64_t *cur, const uint64_t *prev, unsigned int n, uint8_t *out)
{
	unsigned int limit = 1, i = 0;
	size_t len = 0;

	for (unsigned int k = n; k > 0; k--)
		if (delta(cur, prev, k - 1)) {
			limit = k;
			break;
		}
	while (i < limit) {
		uint64_t c = delta(cur, prev, i++);
		int64_t zeros = 0;

		if (c == 0) {
			zeros = 1;
			while (i < limit && delta(cur, prev, i) == 0) {
				zeros++;
				i++;
			}
		}
		len += put_zigzag(out + len, zeros > 1 ? -zeros : (int64_t)c);
	}
	return len;
}

int hdr_decode_counts_add(const uint8_t *p, size_t len, uint64_t *counts, unsigned int n)
{
	const uint8_t *end = p + len;
	uint64_t i = 0;

	while (p < end) {
		int64_t v;

		if (get_zigzag(&p, end, &v) != 0)
			return -1;
		if (v < 0) {
			i += (uint64_t)-v;
			continue;
		}
		if (i >= n)
			return -1;
		counts[i++] += (uint64_t)v;
	}
	return 0;
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int k = bytes - 1; k >= 0; k--, v >>= 8)
		p[k] = (uint8_t)v;
}

static size_t base64(const uint8_t *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			w |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			w |= in[i + 2];
		out[o++] = tab[(w >> 18) & 63];
		out[o++] = tab[(w >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(w >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[w & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

int hdr_log_header(FILE *f, double epoch_s, const char *comment)
{
	time_t t = (time_t)epoch_s;
	struct tm tm;
	char date[64] = "";

	if (gmtime_r(&t, &tm))
		strftime(date, sizeof(date), "%a %b %d %H:%M:%S UTC %Y", &tm);
	if (comment)
		fprintf(f, "#%s\n", comment);
	fprintf(f, "#[Histogram log format version 1.3]\n");
	fprintf(f, "#[StartTime: %.3f (seconds since epoch), %s]\n", epoch_s, date);
	fprintf(f, "#[BaseTime: %.3f (seconds since epoch)]\n", epoch_s);
	fprintf(f, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
		   "\"Interval_Compressed_Histogram\"\n");
	return ferror(f) ? -1 : 0;
}

/* V2 encoding of counts: 40-byte big-endian header, then the payload. */
static size_t encode_v2(const uint64_t *counts, uint8_t *out)
{
	union { double d; uint64_t u; } one = { .d = 1.0 };
	size_t payload = hdr_encode_counts(counts, NULL, HB_NBUCKETS, out + V2_HEADER);

	put_be(out, V2_COOKIE, 4);
	put_be(out + 4, payload, 4);
	put_be(out + 8, 0, 4);			/* normalizing index offset */
	put_be(out + 12, HB_HDR_SIGFIGS, 4);
	put_be(out + 16, 1, 8);			/* lowest discernible value */
	put_be(out + 24, HB_MAX_VALUE, 8);	/* highest trackable value */
	put_be(out + 32, one.u, 8);		/* integer to double ratio */
	return V2_HEADER + payload;
}

int hdr_log_interval(FILE *f, const char *tag, double start_s, double len_s,
		     const uint64_t *counts)
{
	size_t raw_cap = V2_HEADER + HDR_PAYLOAD_MAX(HB_NBUCKETS), raw_len;
	uLongf z_len = compressBound((uLong)raw_cap);
	uint8_t *raw = malloc(raw_cap), *z = malloc(8 + z_len);
	char *b64 = malloc(4 * ((8 + z_len + 2) / 3) + 1), a[64], l[64], m[64];
	uint64_t max = 0;
	int rc = -1;

	if (!raw || !z || !b64) {
		fprintf(stderr, "apfw: latency.hlog: out of memory\n");
		goto out;
	}
	raw_len = encode_v2(counts, raw);
	if (compress2(z + 8, &z_len, raw, (uLong)raw_len, Z_DEFAULT_COMPRESSION) != Z_OK) {
		fprintf(stderr, "apfw: latency.hlog: zlib failed to compress an interval\n");
		goto out;
	}
	put_be(z, V2_COMPRESSED_COOKIE, 4);
	put_be(z + 4, z_len, 4);
	base64(z, 8 + z_len, b64);
	for (unsigned int i = HB_NBUCKETS; i > 0; i--)
		if (counts[i - 1]) {
			max = hb_upper(i - 1);
			break;
		}
	fmt_fixed(a, sizeof(a), 0, 3, start_s);
	fmt_fixed(l, sizeof(l), 0, 3, len_s);
	fmt_fixed(m, sizeof(m), 0, 3, (double)max / MAX_RATIO);
	if (tag)
		fprintf(f, "Tag=%s,", tag);
	fprintf(f, "%s,%s,%s,%s\n", a, l, m, b64);
	rc = ferror(f) ? -1 : 0;
out:
	free(raw);
	free(z);
	free(b64);
	return rc;
}
