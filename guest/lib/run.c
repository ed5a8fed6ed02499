/*
 * The run engine (see run.h): options, validation, set-up, the measured
 * phase with its workers, and hand-off to the result writer. Signals
 * (SIGINT/SIGTERM) are blocked in every thread and taken synchronously by
 * the main thread while it waits out the duration, so an interrupted run
 * ends cleanly as "incomplete" instead of dying half-written.
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

static const struct opt common_table[] = {
	OPT_ROW("duration", OPT_SECONDS, CO(duration_s), "10", "measured phase, seconds"),
	OPT_ROW("threads", OPT_INT, CO(threads), "0", "worker threads, 0: the workload's default",
		.min = 0, .max = 4096),
	OPT_ROW("out", OPT_STR, CO(out), NULL, "write result.json, latency.hgrm, series.tsv here"),
	OPT_ROW("cpus", OPT_STR, CO(cpus), NULL, "pin workers round-robin to these CPUs, e.g. 0-3,6"),
	OPT_ROW("numa-node", OPT_INT, CO(numa_node), "-1", "run on and allocate from this NUMA node",
		.min = -1, .max = 4095),
	OPT_ROW("interleave", OPT_FLAG, CO(interleave), NULL, "interleave memory over all NUMA nodes"),
	OPT_ROW("slice", OPT_SECONDS, CO(slice_s), "0.1", "time-series slice, seconds"),
	OPT_ROW("with", OPT_STR, CO(with), NULL, "run this workload beside as a probe (e.g. wakeup)"),
	OPT_ROW("seed", OPT_INT, CO(seed), "1", "random seed", .min = 1, .max = INT64_MAX),
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
	atomic_store(r->stop, 1);
	return APF_EXIT_FAILED;
}

int run_usage(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "apfw run %s: ", r->wl->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return APF_EXIT_USAGE;
}

unsigned int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
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

/* "0-3,6" -> list of CPUs; each must be in our affinity mask. */
static int parse_cpus(struct run *r, const char *s)
{
	cpu_set_t allowed;
	char *copy = strdup(s), *save = NULL;
	unsigned int n = 0;

	if (!copy)
		return run_usage(r, "out of memory");
	r->cpu_list = calloc(CPU_SETSIZE, sizeof(int));
	if (!r->cpu_list || sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
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
			return run_usage(r, "--cpus: '%s' is not a CPU list like 0-3,6", s);
		}
		for (int64_t c = lo; c <= hi; c++) {
			if (!CPU_ISSET(c, &allowed)) {
				free(copy);
				return run_usage(r, "--cpus: CPU %lld is not online/allowed here",
						 (long long)c);
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

static int check_numa(struct run *r)
{
	const struct common_opts *c = &r->common;

	if (c->numa_node < 0 && !c->interleave)
		return 0;
	if (c->numa_node >= 0 && c->interleave)
		return run_usage(r, "--numa-node and --interleave exclude each other");
	if (numa_available() < 0)
		return run_usage(r, "NUMA is not available on this system (--numa-node/--interleave)");
	if (c->numa_node >= 0 &&
	    (c->numa_node > numa_max_node() || !numa_bitmask_isbitset(numa_all_nodes_ptr,
								      (unsigned int)c->numa_node)))
		return run_usage(r, "--numa-node %lld: no such node (nodes 0..%d)",
				 (long long)c->numa_node, numa_max_node());
	return 0;
}

static int check_out(struct run *r)
{
	const char *out = r->common.out;
	char probe[4096];
	FILE *f;

	if (!out)
		return 0;
	if (mkdir(out, 0755) == 0)
		r->out_created = true;
	else if (errno != EEXIST)
		return run_usage(r, "--out %s: %s", out, strerror(errno));
	snprintf(probe, sizeof(probe), "%s/.apfw-write-probe", out);
	f = fopen(probe, "w");
	if (!f)
		return run_usage(r, "--out %s: not writable: %s", out, strerror(errno));
	fclose(f);
	unlink(probe);
	return 0;
}

/* Options into r; returns 0, or an exit code after printing the problem. */
int run_configure(struct run *r, const struct workload *wl, atomic_int *stop, int argc,
		  char **argv)
{
	char err[256];
	struct opt_set sets[2];
	int rc;

	memset(r, 0, sizeof(*r));
	r->wl = wl;
	r->stop = stop;
	r->params = calloc(1, wl->params_size ? wl->params_size : 1);
	if (!r->params)
		return run_usage(r, "out of memory");
	sets[0] = (struct opt_set){ common_table, &r->common };
	sets[1] = (struct opt_set){ wl->opts, r->params };
	if (opts_defaults(sets, 2, err, sizeof(err)) != 0 ||
	    opts_parse(sets, 2, argc, argv, err, sizeof(err)) != 0)
		return run_usage(r, "%s", err);
	r->nthreads = r->common.threads > 0 ? (unsigned int)r->common.threads
		      : wl->default_threads ? wl->default_threads(r) : online_cpus();
	if (r->nthreads == 0)
		r->nthreads = 1;
	r->slice_ns = (uint64_t)(r->common.slice_s * 1e9);
	if (r->slice_ns < NSEC_PER_MSEC)
		return run_usage(r, "--slice must be at least 0.001 s");
	if (r->common.cpus) {
		rc = parse_cpus(r, r->common.cpus);

		if (rc)
			return rc;
	}
	rc = check_numa(r);
	return rc ? rc : check_out(r);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	worker_bind(w);
	if (!run_stopping(w->run))
		w->run->wl->worker(w);
	return NULL;
}

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
	}
	return 0;
}

static int workers_start(struct run *r, pthread_t *tids)
{
	for (unsigned int i = 0; i < r->nthreads; i++) {
		struct worker *w = &r->workers[i];
		int rc;

		if (series_init(&w->series, r->t0_ns, r->slice_ns, r->span_ns) != 0)
			return run_fail(r, "out of memory for the time series");
		rc = pthread_create(&tids[i], NULL, worker_main, w);
		if (rc != 0) {
			r->nthreads = i;	/* join only what started */
			return run_fail(r, "cannot start worker %u: %s", i, strerror(rc));
		}
	}
	return 0;
}

static void workers_join_merge(struct run *r, pthread_t *tids)
{
	hist_init(&r->merged);
	for (unsigned int i = 0; i < r->nthreads; i++)
		pthread_join(tids[i], NULL);
	r->t_end_ns = now_ns();
	if (series_init(&r->merged_series, r->t0_ns, r->slice_ns, r->span_ns) != 0)
		run_fail(r, "out of memory for the time series");
	for (unsigned int i = 0; i < r->nthreads; i++) {
		struct worker *w = &r->workers[i];

		hist_merge(&r->merged, w->hist);
		if (r->merged_series.slots)
			series_merge(&r->merged_series, &w->series);
	}
	if (r->merged_series.slots)
		series_fold_tail(&r->merged_series);
}

void run_free(struct run *r)
{
	/* Teardown comes after the results are written: they may read priv. */
	if (r->wl && r->wl->teardown)
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
 * Wait out the measured phase; a worker failure ends it early. Returns the
 * signal that interrupted it, or 0.
 */
static int wait_phase(struct run *r, const sigset_t *sigs)
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
		sig = sigtimedwait(sigs, NULL, &ts);
		if (sig > 0)
			return sig;
	}
	return 0;
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
	fd = strtol(env, &end, 10);
	if (*end || fd < 0 || fd > 1024)
		return;
	n = snprintf(line, sizeof(line), "PHASE %s\n", what);
	if (write((int)fd, line, (size_t)n) < 0)
		return;
}

int run_execute(struct run *r, struct run *companion, struct run_outcome *out)
{
	pthread_t *tids = NULL, *ctids = NULL;
	sigset_t sigs;
	int rc, sig = 0;

	memset(out, 0, sizeof(*out));
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	rc = r->wl->setup ? r->wl->setup(r) : 0;
	if (rc == 0 && companion && companion->wl->setup)
		rc = companion->wl->setup(companion);
	if (rc == APF_EXIT_USAGE)
		return rc;
	r->span_ns = (uint64_t)(r->common.duration_s * 1e9);
	tids = calloc(r->nthreads, sizeof(*tids));
	if (!tids)
		run_fail(r, "out of memory");
	if (rc == 0 && !atomic_load(&r->failed)) {
		workers_alloc(r);
		if (companion)
			workers_alloc(companion);
		if (companion && !(ctids = calloc(companion->nthreads, sizeof(*ctids))))
			run_fail(r, "out of memory");
	}
	if (!atomic_load(&r->failed)) {
		phase_mark("start");
		counters_read(&out->before);
		r->t0_ns = now_ns();
		if (companion) {
			companion->t0_ns = r->t0_ns;
			companion->span_ns = r->span_ns;
		}
		if (r->wl->measure_begin)
			r->wl->measure_begin(r);
		workers_start(r, tids);
		if (companion)
			workers_start(companion, ctids);
		sig = wait_phase(r, &sigs);
		atomic_store(r->stop, 1);
		workers_join_merge(r, tids);
		if (companion)
			workers_join_merge(companion, ctids);
		if (r->wl->measure_end)
			r->wl->measure_end(r);
		counters_read(&out->after);
		phase_mark("stop");
		out->measured = true;
	}
	if (companion && atomic_load(&companion->failed) && !atomic_load(&r->failed))
		run_fail(r, "%s: %s", companion->wl->name, companion->reason);
	free(tids);
	free(ctids);
	if (sig) {
		out->status = "incomplete";
		snprintf(out->reason, sizeof(out->reason), "interrupted by %s", strsignal(sig));
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
