// SPDX-License-Identifier: GPL-2.0-only
/* Result files and the human summary (see result.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "hdr.h"
#include "result.h"
#include "version.h"

static const double pct_levels[] = { 50, 90, 99, 99.9, 99.99 };
static const char *const pct_keys[] = { "p50", "p90", "p99", "p99.9", "p99.99" };

void result_latency_json(struct json *j, const char *key, const struct hist *h)
{
	bool any = h->count > 0;

	json_obj(j, key);
	json_uint(j, "count", h->count);
	if (any)
		json_uint(j, "min", h->min);
	else
		json_null(j, "min");
	json_num(j, "mean", hist_mean(h));
	json_num(j, "stddev", hist_stddev(h));
	for (size_t i = 0; i < sizeof(pct_levels) / sizeof(pct_levels[0]); i++) {
		if (any)
			json_uint(j, pct_keys[i], hist_percentile(h, pct_levels[i]));
		else
			json_null(j, pct_keys[i]);
	}
	if (any)
		json_uint(j, "max", h->max);
	else
		json_null(j, "max");
	json_arr(j, "hist");
	for (unsigned int i = 0; i < HB_NBUCKETS; i++)
		if (h->counts[i]) {
			double row[2] = { (double)hb_upper(i), (double)h->counts[i] };

			json_tuple(j, 2, row);
		}
	json_end(j);
	json_end(j);
}

/*
 * Every option of a table, by its type, under the current object. Keys use
 * '_' where the option has '-' (argv-bytes -> argv_bytes), for jq's sake.
 */
static double duration_s(const struct run *r)
{
	return r->t_end_ns > r->t0_ns ? (double)(r->t_end_ns - r->t0_ns) / 1e9 : 0.0;
}

static void write_params(struct json *j, const struct run *r)
{
	json_obj(j, "params");
	run_params_json(j, r);
	if (r->wl->json_params)
		r->wl->json_params(r, j);
	json_end(j);
}

static void write_env(struct json *j)
{
	struct guest_env e;

	env_probe(&e);
	json_obj(j, "env");
	json_str(j, "kernel_release", e.kernel_release);
	json_str(j, "cmdline", e.cmdline);
	json_uint(j, "vcpus", e.vcpus);
	json_uint(j, "memory_bytes", e.memory_bytes);
	json_str(j, "mode_effective", e.mode_effective);
	json_obj(j, "cpuid");
	json_bool(j, "kvm_signature", e.kvm);
	json_bool(j, "async_pf", e.apf);
	json_bool(j, "async_pf_int", e.apf_int);
	json_end(j);
	json_bool(j, "no_kvmapf", e.no_kvmapf);
	json_end(j);
}

static void write_series(struct json *j, const struct run *r, const struct run_outcome *o)
{
	unsigned int n = o->measured ? r->merged_series.nfull : 0;

	json_obj(j, "series");
	json_num(j, "slice_s", r->common.slice_s);
	json_arr(j, "rows");
	for (unsigned int i = 0; i < n; i++) {
		double row[3] = { (double)i * r->common.slice_s,
				  (double)r->merged_series.slots[i].ops,
				  (double)r->merged_series.slots[i].max_ns };

		json_tuple(j, 3, row);
	}
	json_end(j);
	json_end(j);
}

/* Deltas over the measured phase; every field -1 (null) when it did not run. */
static struct guest_counters phase_delta(const struct run_outcome *o)
{
	struct guest_counters d;

	memset(&d, 0xff, sizeof(d));
	if (o->measured)
		counters_delta(&d, &o->before, &o->after);
	return d;
}

static void write_guest(struct json *j, const struct run_outcome *o)
{
	struct guest_counters d = phase_delta(o);

	json_obj(j, "guest");
	json_opt_int(j, "pgmajfault", d.pgmajfault);
	json_opt_int(j, "pswpin", d.pswpin);
	json_opt_int(j, "pswpout", d.pswpout);
	json_opt_int(j, "steal_ms", d.steal_ms);
	json_opt_int(j, "hyp_irqs", d.hyp_irqs);
	json_end(j);
}

static double us_to_s(int64_t us)
{
	return us < 0 ? NAN : (double)us / 1e6;
}

/* The workload's CPU over the measured phase (counters.h says whose). */
static void write_cpu(struct json *j, const struct run_outcome *o)
{
	struct guest_counters d = phase_delta(o);

	json_obj(j, "cpu");
	json_num(j, "usr_s", us_to_s(d.usr_us));
	json_num(j, "sys_s", us_to_s(d.sys_us));
	json_opt_int(j, "voluntary_ctxsw", d.nvcsw);
	json_opt_int(j, "involuntary_ctxsw", d.nivcsw);
	json_end(j);
}

static void write_companion(struct json *j, const struct run *c)
{
	json_obj(j, c->wl->name);
	json_uint(j, "threads", c->nthreads);
	opts_json(j, c->wl->opts, c->params);
	result_latency_json(j, "latency_ns", &c->merged);
	json_end(j);
}

static int write_result_json(FILE *f, const struct run *r, const struct run *c,
			     const struct run_outcome *o)
{
	struct json j;
	double d = duration_s(r);
	bool corunner = r->wl->block && strcmp(r->wl->block, "corunner") == 0;

	json_begin(&j, f);
	json_str(&j, "schema", "apfbench/1");
	json_obj(&j, "tool");
	json_str(&j, "name", "apfbench");
	json_str(&j, "version", apf_version());
	json_end(&j);
	json_str(&j, "workload", r->wl->name);
	write_params(&j, r);
	write_env(&j);
	json_str(&j, "status", o->status);
	json_str(&j, "reason", strcmp(o->status, "ok") == 0 ? NULL : o->reason);
	json_num(&j, "duration_s", d);
	json_uint(&j, "ops", r->merged.count);
	json_num(&j, "ops_per_s", d > 0 ? (double)r->merged.count / d : NAN);
	result_latency_json(&j, "latency_ns", &r->merged);
	if (r->wl->json_block && o->measured) {
		json_obj(&j, r->wl->block);
		r->wl->json_block(r, &j);
		json_end(&j);
	}
	if (!corunner || !o->measured)
		json_null(&j, "corunner");
	if (c && o->measured)
		write_companion(&j, c);
	write_series(&j, r, o);
	write_guest(&j, o);
	write_cpu(&j, o);
	json_null(&j, "host");
	return json_finish(&j);
}

/* Write via "<dir>/.<name>.tmp" and rename into place. */
static int write_atomically(const char *dir, const char *name,
			    int (*fn)(FILE *, const void *), const void *arg)
{
	char tmp[4096], dst[4096];
	FILE *f;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "apfw: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	rc = fn(f, arg);
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "apfw: writing %s failed\n", dst);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, dst) != 0) {
		fprintf(stderr, "apfw: cannot rename %s to %s: %s\n", tmp, dst, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct result_args {
	const struct run *r, *c;
	const struct run_outcome *o;
};

static int hgrm_main(FILE *f, const void *arg)
{
	return hdr_write_hgrm(&((const struct result_args *)arg)->r->merged, f);
}

static int hgrm_companion(FILE *f, const void *arg)
{
	return hdr_write_hgrm(&((const struct result_args *)arg)->c->merged, f);
}

/* Where the runs' interval logs stop being complete (slice index). */
static unsigned int hlog_until(const struct run *const *runs)
{
	unsigned int until = UINT_MAX;

	for (int k = 0; k < 2 && runs[k]; k++)
		for (unsigned int i = 0; i < runs[k]->nthreads; i++) {
			const struct worker *w = &runs[k]->workers[i];
			unsigned int u = ilog_complete_until(&w->ilog, w->hist);

			if (u < until)
				until = u;
		}
	return until;
}

/*
 * Series slices per latency.hlog interval: intervals of at least a second,
 * the granularity HdrHistogram's log tools work in. One interval per 0.1 s
 * slice made the log three times the rest of a result, and a nested
 * host's guest sends its files over an emulated UART at a few KiB/s.
 */
static unsigned int hlog_per(const struct run *r)
{
	double per = ceil(1.0 / r->common.slice_s - 1e-9);

	return per < 1 ? 1 : per > RUN_MAX_SLICES ? RUN_MAX_SLICES : (unsigned int)per;
}

/* Slices [first, last) of run x, all its workers added up, as one log line. */
static int hlog_interval(FILE *f, const struct run *x, struct ilog_cursor *cur, uint64_t *counts,
			 unsigned int first, unsigned int last, const char *tag, double dur)
{
	unsigned int nfull = x->merged_series.nfull;
	double start = first * x->common.slice_s, len = (last - first) * x->common.slice_s;

	memset(counts, 0, HB_NBUCKETS * sizeof(*counts));
	for (unsigned int slot = first; slot < last; slot++)
		for (unsigned int i = 0; i < x->nthreads; i++)
			if (ilog_add_slice(&x->workers[i].ilog, &cur[i], x->workers[i].hist, slot,
					   slot == nfull - 1, counts) != 0) {
				fprintf(stderr, "apfw: latency.hlog: a slice record of worker %u is corrupt\n", i);
				return -1;
			}
	/* The last row holds the folded tail (series.h): up to the real end. */
	if (last == nfull && dur - start > len)
		len = dur - start;
	return hdr_log_interval(f, tag, start, len, counts);
}

/*
 * latency.hlog: one interval per hlog_per() series rows (the last one may
 * hold fewer), the workload's untagged and a companion probe's tagged with
 * its name. BaseTime is the measured phase's start on the wall clock;
 * timestamps count from it.
 */
static int hlog(FILE *f, const void *arg)
{
	const struct result_args *a = arg;
	const struct run *runs[3] = { a->r, a->o->measured ? a->c : NULL, NULL };
	struct ilog_cursor *cur[2] = { NULL, NULL };
	struct timespec wall;
	char comment[160];
	unsigned int until, per, nfull = a->r->merged_series.nfull;
	uint64_t *counts = NULL;
	double epoch;
	int rc = -1;

	clock_gettime(CLOCK_REALTIME, &wall);
	epoch = (double)wall.tv_sec + wall.tv_nsec / 1e9 - (double)(now_ns() - a->r->t0_ns) / 1e9;
	snprintf(comment, sizeof(comment),
		 "[Logged with apfbench %s: %s, values in ns, Interval_Max in ms]", apf_version(),
		 a->r->wl->name);
	if (hdr_log_header(f, epoch, comment) != 0)
		return -1;
	if (!a->o->measured || !a->r->merged_series.slots)
		return 0;
	until = hlog_until(runs);
	per = hlog_per(a->r);
	counts = malloc(HB_NBUCKETS * sizeof(*counts));
	for (int k = 0; k < 2 && runs[k]; k++)
		cur[k] = calloc(runs[k]->nthreads, sizeof(*cur[k]));
	if (!counts || !cur[0] || (runs[1] && !cur[1])) {
		fprintf(stderr, "apfw: latency.hlog: out of memory\n");
		goto out;
	}
	for (unsigned int s = 0; s < nfull; s += per) {
		unsigned int last = nfull - s > per ? s + per : nfull;

		if (last > until) {
			fprintf(f, "#[apfbench: intervals from %.3f s on are missing: the interval "
				   "histograms reached their memory cap]\n",
				s * a->r->common.slice_s);
			break;
		}
		for (int k = 0; k < 2 && runs[k]; k++)
			if (hlog_interval(f, runs[k], cur[k], counts, s, last,
					  k ? runs[k]->wl->name : NULL, duration_s(a->r)) != 0)
				goto out;
	}
	rc = ferror(f) ? -1 : 0;
out:
	free(counts);
	free(cur[0]);
	free(cur[1]);
	return rc;
}

static int series_tsv(FILE *f, const void *arg)
{
	const struct result_args *a = arg;

	if (!a->o->measured)
		return fputs("t_s\tops\tmax_ns\n", f) < 0 ? -1 : 0;
	return series_write_tsv(&a->r->merged_series, f);
}

static int result_json(FILE *f, const void *arg)
{
	const struct result_args *a = arg;

	return write_result_json(f, a->r, a->c, a->o);
}

static void fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 10 * NSEC_PER_USEC)
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	else if (ns < 10 * NSEC_PER_MSEC)
		snprintf(buf, len, "%.1f us", (double)ns / 1e3);
	else
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
}

static void summary(const struct run *r, const struct run *c, const struct run_outcome *o)
{
	double d = duration_s(r);
	const struct hist *h = &r->merged;

	printf("%s: %s%s%s\n", r->wl->name, o->status, strcmp(o->status, "ok") ? ": " : "",
	       strcmp(o->status, "ok") ? o->reason : "");
	printf("  threads %u, %.2f s, %llu ops, %.1f ops/s\n", r->nthreads, d,
	       (unsigned long long)h->count, d > 0 ? (double)h->count / d : 0.0);
	for (const struct run *x = r; x; x = x == r ? c : NULL) {
		char v[5][32];

		if (x->merged.count == 0)
			continue;
		fmt_ns(v[0], sizeof(v[0]), hist_percentile(&x->merged, 50));
		fmt_ns(v[1], sizeof(v[1]), hist_percentile(&x->merged, 99));
		fmt_ns(v[2], sizeof(v[2]), hist_percentile(&x->merged, 99.9));
		fmt_ns(v[3], sizeof(v[3]), x->merged.max);
		printf("  %s latency: p50 %s, p99 %s, p99.9 %s, max %s\n",
		       x == r ? "op" : x->wl->name, v[0], v[1], v[2], v[3]);
	}
	if (r->wl->summary_line && o->measured)
		r->wl->summary_line(r, stdout);
}

int result_write(const struct run *r, const struct run *c, const struct run_outcome *o)
{
	struct result_args a = { r, c, o };
	const char *dir = r->common.out;
	char name[128];

	if (!dir) {
		summary(r, c, o);
		return 0;
	}
	if (write_atomically(dir, "latency.hgrm", hgrm_main, &a) != 0 ||
	    write_atomically(dir, "latency.hlog", hlog, &a) != 0 ||
	    write_atomically(dir, "series.tsv", series_tsv, &a) != 0)
		return -1;
	if (c && o->measured) {
		snprintf(name, sizeof(name), "%s.hgrm", c->wl->name);
		if (write_atomically(dir, name, hgrm_companion, &a) != 0)
			return -1;
	}
	return write_atomically(dir, "result.json", result_json, &a);
}
