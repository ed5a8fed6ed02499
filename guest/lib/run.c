// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run engine (see run.h): options, validation against the machine and
 * the memory budget, set-up, the measured phase with its workers, and
 * hand-off to the result writer. Signals (SIGINT/SIGTERM) are blocked in
 * every thread and taken synchronously by the main thread while it waits
 * out the duration or polls in set-up, so an interrupted run ends cleanly
 * and promptly as "incomplete" instead of dying half-written.
 */
#include <errno.h>
#include <numa.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "clock.h"
#include "counters.h"
#include "run.h"

#define CO(f) offsetof(struct common_opts, f)
#define SEC_NS(s) ((int64_t)((s) * 1e9))

static const struct opt common_table[] = {
	OPT_ROW("duration", OPT_SECONDS, CO(duration_s), "10", "measured phase, seconds",
		.min = SEC_NS(0.001), .max = SEC_NS(RUN_MAX_DURATION_S),
		.why = "a day; repeat cells (reps) for longer"),
	OPT_ROW("threads", OPT_INT, CO(threads), "0", "worker threads, 0: the workload's default",
		.min = 0, .max = RUN_MAX_THREADS,
		.why = "each holds a histogram, a series and a stack; the memory check decides below it"),
	OPT_ROW("out", OPT_STR, CO(out), NULL, "write result.json, latency.hgrm, series.tsv here"),
	OPT_ROW("cpus", OPT_STR, CO(cpus), NULL, "pin workers round-robin to these CPUs, e.g. 0-3,6"),
	OPT_ROW("numa-node", OPT_INT, CO(numa_node), "-1", "run on and allocate from this NUMA node",
		.min = -1, .max = 4095, .why = "libnuma's node numbers"),
	OPT_ROW("interleave", OPT_FLAG, CO(interleave), NULL, "interleave memory over all NUMA nodes"),
	OPT_ROW("slice", OPT_SECONDS, CO(slice_s), "0.1", "time-series slice, seconds",
		.min = SEC_NS(0.001), .max = SEC_NS(RUN_MAX_SLICE_S),
		.why = "an hour; and --duration/--slice at most 1000000 slices"),
	OPT_ROW("with", OPT_STR, CO(with), NULL, "run this workload beside as a probe (e.g. wakeup)"),
	OPT_ROW("seed", OPT_INT, CO(seed), "1", "random seed", .min = 1, .max = INT64_MAX,
		.why = "a positive 64-bit integer"),
	OPT_END
};

const struct opt *run_common_opts(void)
{
	return common_table;
}

static void vset_reason(struct run *r, const char *fmt, va_list ap)
{
	int expected = 0;

	/* First failure wins; later ones are usually consequences. */
	if (atomic_compare_exchange_strong(&r->failed, &expected, 1))
		vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
}

int run_fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_reason(r, fmt, ap);
	va_end(ap);
	atomic_store(&r->ctl->stop, 1);
	return APF_EXIT_FAILED;
}

static void vsay(const struct run *r, const char *fmt, va_list ap)
{
	fprintf(stderr, "apfw %s %s: ", r->ctl->cmd, r->wl->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int run_usage(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(r, fmt, ap);
	va_end(ap);
	return APF_EXIT_USAGE;
}

int run_missing(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(r, fmt, ap);
	va_end(ap);
	return APF_EXIT_MISSING;
}

unsigned int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

void run_ctl_init(struct run_ctl *ctl, const char *cmd)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->cmd = cmd;
	sigemptyset(&ctl->sigs);
	sigaddset(&ctl->sigs, SIGINT);
	sigaddset(&ctl->sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &ctl->sigs, NULL);
}

static void take_signal(struct run_ctl *ctl, int sig)
{
	int none = 0;

	atomic_compare_exchange_strong(&ctl->signal, &none, sig);
	atomic_store(&ctl->stop, 1);
}

bool run_poll_stop(struct run *r)
{
	struct timespec zero = { 0, 0 };
	int sig;

	if (run_stopping(r))
		return true;
	sig = sigtimedwait(&r->ctl->sigs, NULL, &zero);
	if (sig > 0)
		take_signal(r->ctl, sig);
	return run_stopping(r);
}

int run_thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int rc = pthread_attr_init(&attr);

	if (rc)
		return rc;
	rc = pthread_attr_setstacksize(&attr, RUN_THREAD_STACK);
	if (!rc)
		rc = pthread_create(tid, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

void worker_bind(struct worker *w)
{
	const struct common_opts *c = &w->run->common;

	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
			run_fail(w->run, "cannot pin worker %u to CPU %d", w->id, w->cpu);
	}
	if (c->numa_node >= 0) {
		numa_run_on_node((int)c->numa_node);
		numa_set_preferred((int)c->numa_node);
	} else if (c->interleave) {
		numa_set_interleave_mask(numa_all_nodes_ptr);
	}
}

/*
 * "0-3,6" -> list of CPUs. On this machine each must be in our affinity
 * mask; for a described guest, below its vCPU count.
 */
static int parse_cpus(struct run *r, const char *s)
{
	cpu_set_t allowed;
	char *copy, *save = NULL;
	unsigned int n = 0;

	if (strlen(s) > 4096)
		return run_usage(r, "--cpus: list longer than 4096 characters");
	copy = strdup(s);
	r->cpu_list = calloc(CPU_SETSIZE, sizeof(int));
	if (!copy || !r->cpu_list) {
		free(copy);
		return run_usage(r, "out of memory");
	}
	CPU_ZERO(&allowed);
	if (r->m->described) {
		for (unsigned int c = 0; c < r->m->cpus && c < CPU_SETSIZE; c++)
			CPU_SET(c, &allowed);
	} else if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
		free(copy);
		return run_usage(r, "cannot read the CPU affinity mask");
	}
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		int64_t lo, hi;

		if (dash)
			*dash = '\0';
		if (parse_int(tok, &lo) != 0 || (dash ? parse_int(dash + 1, &hi) : (hi = lo, 0)) != 0 ||
		    lo < 0 || hi < lo || hi >= CPU_SETSIZE) {
			free(copy);
			return run_usage(r, "--cpus: '%.64s' is not a CPU list like 0-3,6 (CPUs 0..%d)",
					 s, CPU_SETSIZE - 1);
		}
		for (int64_t c = lo; c <= hi; c++) {
			if (!CPU_ISSET(c, &allowed)) {
				free(copy);
				return run_usage(r, "--cpus: CPU %lld is not %s", (long long)c,
						 r->m->described ? "one of the guest's vCPUs"
								 : "online/allowed here");
			}
			if (n < CPU_SETSIZE)
				r->cpu_list[n++] = (int)c;
		}
	}
	free(copy);
	if (n == 0)
		return run_usage(r, "--cpus: empty CPU list");
	r->ncpu_list = n;
	return 0;
}

/* A described guest's NUMA layout is unknown here: only the exclusion is checked. */
static int check_numa(struct run *r)
{
	const struct common_opts *c = &r->common;

	if (c->numa_node < 0 && !c->interleave)
		return 0;
	if (c->numa_node >= 0 && c->interleave)
		return run_usage(r, "--numa-node and --interleave exclude each other");
	if (r->m->described)
		return 0;
	if (numa_available() < 0)
		return run_usage(r, "NUMA is not available on this system (--numa-node/--interleave)");
	if (c->numa_node >= 0 &&
	    (c->numa_node > numa_max_node() || !numa_bitmask_isbitset(numa_all_nodes_ptr,
								      (unsigned int)c->numa_node)))
		return run_usage(r, "--numa-node %lld: no such node (nodes 0..%d)",
				 (long long)c->numa_node, numa_max_node());
	return 0;
}

int run_prepare_out(struct run *r)
{
	const char *out = r->common.out;
	char probe[4096];
	FILE *f;

	if (!out)
		return 0;
	if (strlen(out) > sizeof(probe) - 32)
		return run_usage(r, "--out: path longer than %zu characters", sizeof(probe) - 32);
	if (mkdir(out, 0755) == 0)
		r->out_created = true;
	else if (errno != EEXIST)
		return run_usage(r, "--out %s: %s", out, strerror(errno));
	snprintf(probe, sizeof(probe), "%s/.apfw-write-probe", out);
	f = fopen(probe, "w");
	if (!f) {
		int e = errno;

		run_forget_out(r);
		return run_usage(r, "--out %s: not writable: %s", out, strerror(e));
	}
	fclose(f);
	unlink(probe);
	return 0;
}

int run_configure(struct run *r, const struct workload *wl, const struct machine *m,
		  struct run_ctl *ctl, int argc, char **argv)
{
	struct opt_pct pct = { m->mem_total, m->described ? "the guest (--mem)" : "MemTotal" };
	struct opt_set sets[2];
	char err[512];
	double slices;
	int rc;

	memset(r, 0, sizeof(*r));
	r->wl = wl;
	r->m = m;
	r->ctl = ctl;
	r->params = calloc(1, wl->params_size ? wl->params_size : 1);
	if (!r->params)
		return run_usage(r, "out of memory");
	sets[0] = (struct opt_set){ common_table, &r->common };
	sets[1] = (struct opt_set){ wl->opts, r->params };
	if (opts_defaults(sets, 2, &pct, err, sizeof(err)) != 0 ||
	    opts_parse(sets, 2, &pct, argc, argv, err, sizeof(err)) != 0)
		return run_usage(r, "%s", err);
	r->nthreads = r->common.threads > 0 ? (unsigned int)r->common.threads
		      : wl->default_threads ? wl->default_threads(r) : m->cpus;
	if (r->nthreads == 0)
		r->nthreads = 1;
	r->slice_ns = (uint64_t)(r->common.slice_s * 1e9);
	r->span_ns = (uint64_t)(r->common.duration_s * 1e9);
	slices = r->common.duration_s / r->common.slice_s;
	if (slices > RUN_MAX_SLICES)
		return run_usage(r, "--duration %g with --slice %g makes %.0f slices, more than %d "
				 "(series rows): use a longer --slice", r->common.duration_s,
				 r->common.slice_s, slices, RUN_MAX_SLICES);
	if (r->common.cpus) {
		rc = parse_cpus(r, r->common.cpus);
		if (rc)
			return rc;
	}
	rc = check_numa(r);
	if (rc == 0 && wl->check)
		rc = wl->check(r);
	return rc;
}

/* The engine's own part of one run's budget: per-thread state and the merge. */
static void budget_engine(const struct run *r, struct budget *b)
{
	uint64_t n = r->nthreads;

	budget_add(b, "time series", BUDGET_USER, n + 1, series_bytes(r->slice_ns, r->span_ns));
	budget_add(b, "histograms", BUDGET_USER, n, sizeof(struct hist));
	budget_add(b, "interval log", BUDGET_USER, n,
		   ilog_bytes(series_slots(r->slice_ns, r->span_ns)));
	budget_add(b, "worker state", BUDGET_USER, n, sizeof(struct worker));
	budget_add(b, "thread stacks", BUDGET_VIRT, n, RUN_THREAD_STACK);
	budget_add(b, "threads", BUDGET_KERNEL, n, RUN_THREAD_RESIDENT);
	if (r->wl->budget)
		r->wl->budget(r, b);
}

int run_check_memory(const struct run *r, const struct run *companion, struct budget *b)
{
	char err[512];

	memset(b, 0, sizeof(*b));
	/* apfw itself: the static binary, its heap and the main stack in use. */
	budget_add(b, "apfw", BUDGET_USER, 1, 8ULL << 20);
	budget_engine(r, b);
	if (companion)
		budget_engine(companion, b);
	if (budget_check(b, r->m, err, sizeof(err)) != 0)
		return run_usage(r, "%s", err);
	return 0;
}

void run_params_json(struct json *j, const struct run *r)
{
	const struct common_opts *c = &r->common;

	json_uint(j, "threads", r->nthreads);
	json_num(j, "duration", c->duration_s);
	json_num(j, "slice", c->slice_s);
	json_int(j, "seed", c->seed);
	json_str(j, "cpus", c->cpus);
	if (c->numa_node >= 0)
		json_int(j, "numa_node", c->numa_node);
	else
		json_null(j, "numa_node");
	json_bool(j, "interleave", c->interleave);
	json_str(j, "with", c->with);
	opts_json(j, r->wl->opts, r->params);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	worker_bind(w);
	if (!run_stopping(w->run))
		w->run->wl->worker(w);
	return NULL;
}

/* Every buffer the phase needs, before it starts; the budget said they fit. */
static int workers_alloc(struct run *r)
{
	r->workers = calloc(r->nthreads, sizeof(*r->workers));
	if (!r->workers)
		return run_fail(r, "out of memory for %u workers", r->nthreads);
	for (unsigned int i = 0; i < r->nthreads; i++) {
		struct worker *w = &r->workers[i];

		w->run = r;
		w->id = i;
		w->cpu = r->ncpu_list ? r->cpu_list[i % r->ncpu_list] : -1;
		w->rng = (uint64_t)r->common.seed * 0x9E3779B97F4A7C15ULL + i + 1;
		w->hist = malloc(sizeof(*w->hist));
		if (!w->hist)
			return run_fail(r, "out of memory for histograms");
		hist_init(w->hist);
		if (series_init(&w->series, r->slice_ns, r->span_ns) != 0)
			return run_fail(r, "out of memory for the time series");
		if (ilog_init(&w->ilog, w->series.nslots) != 0)
			return run_fail(r, "out of memory for the interval log");
	}
	hist_init(&r->merged);
	if (series_init(&r->merged_series, r->slice_ns, r->span_ns) != 0)
		return run_fail(r, "out of memory for the time series");
	return 0;
}

static void workers_begin(struct run *r, uint64_t t0)
{
	r->t0_ns = t0;
	for (unsigned int i = 0; i < r->nthreads; i++)
		series_start(&r->workers[i].series, t0);
	series_start(&r->merged_series, t0);
}

/* Start the workers; a thread that cannot start fails the run, the rest stop. */
static void workers_start(struct run *r)
{
	for (unsigned int i = 0; i < r->nthreads; i++) {
		int rc = run_thread_start(&r->workers[i].tid, worker_main, &r->workers[i]);

		if (rc != 0) {
			run_fail(r, "cannot start worker %u of %u: %s", i, r->nthreads, strerror(rc));
			return;
		}
		r->nstarted = i + 1;
	}
}

static void workers_join_merge(struct run *r)
{
	for (unsigned int i = 0; i < r->nstarted; i++)
		pthread_join(r->workers[i].tid, NULL);
	r->t_end_ns = now_ns();
	for (unsigned int i = 0; i < r->nstarted; i++) {
		hist_merge(&r->merged, r->workers[i].hist);
		series_merge(&r->merged_series, &r->workers[i].series);
	}
	series_fold_tail(&r->merged_series);
}

void run_free(struct run *r)
{
	/*
	 * Teardown comes after the results are written: they may read priv.
	 * APF_SKIP_TEARDOWN=1 (the guest's /init: the guest powers off next)
	 * leaves the tree or buffer to the poweroff; under TCG removing
	 * rcu-readers' tree took half a second of the result's way back.
	 */
	const char *skip = getenv("APF_SKIP_TEARDOWN");

	if (r->wl && r->wl->teardown && !(skip && strcmp(skip, "1") == 0))
		r->wl->teardown(r);
	for (unsigned int i = 0; r->workers && i < r->nthreads; i++) {
		free(r->workers[i].hist);
		series_free(&r->workers[i].series);
		ilog_free(&r->workers[i].ilog);
	}
	free(r->workers);
	series_free(&r->merged_series);
	free(r->cpu_list);
	free(r->params);
}

void run_forget_out(const struct run *r)
{
	if (r->out_created)
		rmdir(r->common.out);
}

/*
 * Wait out the measured phase; a worker failure or a signal ends it early.
 * Signals are looked at every 50 ms at most, so SIGTERM ends a run within
 * that plus the time the workers take to see the stop flag.
 */
static void wait_phase(struct run *r)
{
	uint64_t end = r->t0_ns + r->span_ns;

	while (!run_stopping(r)) {
		uint64_t now = now_ns(), left;
		struct timespec ts;
		int sig;

		if (now >= end)
			break;
		left = end - now;
		ts = ns_to_timespec(left < 50 * NSEC_PER_MSEC ? left : 50 * NSEC_PER_MSEC);
		sig = sigtimedwait(&r->ctl->sigs, NULL, &ts);
		if (sig > 0)
			take_signal(r->ctl, sig);
	}
}

/*
 * Tell the host where the measured phase starts and stops: one line on the
 * file descriptor APF_PHASE_FD names (the guest's /init passes its control
 * port), written outside the phase itself. Best effort: no such fd, no
 * line, and a failed write changes nothing about the run.
 */
static void phase_mark(const char *what)
{
	const char *env = getenv("APF_PHASE_FD");
	char line[32], *end;
	long fd;
	int n;

	if (!env || !*env)
		return;
	errno = 0;
	fd = strtol(env, &end, 10);
	if (errno || *end || fd < 0 || fd > 1024)
		return;
	n = snprintf(line, sizeof(line), "PHASE %s\n", what);
	if (write((int)fd, line, (size_t)n) < 0)
		return;
}

static void measured_phase(struct run *r, struct run *companion, struct run_outcome *out)
{
	uint64_t t0;

	phase_mark("start");
	counters_read(&out->before);
	t0 = now_ns();
	workers_begin(r, t0);
	if (companion)
		workers_begin(companion, t0);
	if (r->wl->measure_begin)
		r->wl->measure_begin(r);
	if (!run_stopping(r))
		workers_start(r);
	if (companion && !run_stopping(r))
		workers_start(companion);
	wait_phase(r);
	atomic_store(&r->ctl->stop, 1);
	workers_join_merge(r);
	if (companion)
		workers_join_merge(companion);
	if (r->wl->measure_end)
		r->wl->measure_end(r);
	counters_read(&out->after);
	phase_mark("stop");
	out->measured = true;
}

int run_execute(struct run *r, struct run *companion, struct run_outcome *out)
{
	int rc, sig;

	memset(out, 0, sizeof(*out));
	rc = r->wl->setup ? r->wl->setup(r) : 0;
	if (rc == 0 && companion && companion->wl->setup)
		rc = companion->wl->setup(companion);
	if (rc == APF_EXIT_USAGE || rc == APF_EXIT_MISSING)
		return rc;
	if (rc == 0 && !run_poll_stop(r) && workers_alloc(r) == 0 &&
	    (!companion || workers_alloc(companion) == 0) && !run_poll_stop(r))
		measured_phase(r, companion, out);
	if (companion && atomic_load(&companion->failed) && !atomic_load(&r->failed))
		run_fail(r, "%s: %s", companion->wl->name, companion->reason);
	sig = atomic_load(&r->ctl->signal);
	if (sig) {
		out->status = "incomplete";
		snprintf(out->reason, sizeof(out->reason), "interrupted by %s%s", strsignal(sig),
			 out->measured ? "" : " before the measured phase");
		return APF_EXIT_FAILED;
	}
	if (atomic_load(&r->failed)) {
		out->status = "failed";
		snprintf(out->reason, sizeof(out->reason), "%s", r->reason);
		return APF_EXIT_FAILED;
	}
	out->status = "ok";
	return APF_EXIT_OK;
}
