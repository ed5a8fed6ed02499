/*
 * The engine between apfw's driver and its workloads. A workload is one
 * file that fills a `struct workload` (name, options table, hooks) and one
 * line in guest/workloads/table.c; the driver never names a workload.
 *
 * Life of a run: options parsed into `params` -> setup() (unmeasured: build
 * trees, fill memory; may start helper threads such as co-runners) ->
 * counters read -> nthreads workers run worker() until run_stopping() ->
 * counters read -> result files written -> teardown().
 *
 * A worker times each operation and calls worker_record(); everything it
 * touches on the hot path is its own (hist, series, ilog), merged at the end.
 */
#ifndef APF_RUN_H
#define APF_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "clock.h"
#include "counters.h"
#include "hist.h"
#include "ilog.h"
#include "json.h"
#include "opts.h"
#include "series.h"
#include "xorshift.h"

enum {
	APF_EXIT_OK = 0,
	APF_EXIT_FAILED = 1,	/* the work failed */
	APF_EXIT_USAGE = 2,	/* bad usage or input */
};

struct run;

struct worker {
	struct run *run;
	unsigned int id;
	int cpu;		/* pinned CPU, -1 when not pinned */
	uint64_t rng;		/* per-thread xorshift state, never 0 */
	struct hist *hist;
	struct series series;
	struct ilog ilog;	/* per-slice histograms for latency.hlog */
	void *priv;		/* the workload's per-thread state */
};

struct workload {
	const char *name;
	const char *summary;			/* one line for `apfw list` */
	const struct opt *opts;			/* workload options, OPT_END-terminated */
	size_t params_size;
	/* Threads when --threads is not given; NULL means one per online CPU. */
	unsigned int (*default_threads)(const struct run *r);
	/* Unmeasured preparation; return APF_EXIT_* with run_fail/run_usage. */
	int (*setup)(struct run *r);
	/* Called just before workers start and right after they stop. */
	void (*measure_begin)(struct run *r);
	void (*measure_end)(struct run *r);
	void (*worker)(struct worker *w);
	/* After the results are written; must cope with a setup that failed. */
	void (*teardown)(struct run *r);
	/* Extra figures under "params" (the option table is written already). */
	void (*json_params)(const struct run *r, struct json *j);
	/* The workload's own block, written under the key `block`. */
	const char *block;
	void (*json_block)(const struct run *r, struct json *j);
	/* One human line for the summary without --out. */
	void (*summary_line)(const struct run *r, FILE *f);
};

struct common_opts {
	double duration_s;
	int64_t threads;	/* 0: the workload's default */
	const char *out;
	int64_t numa_node;	/* -1: none */
	int interleave;
	const char *cpus;
	double slice_s;
	const char *with;	/* companion workload run beside this one */
	int64_t seed;
};

struct run {
	const struct workload *wl;
	struct common_opts common;
	void *params;
	void *priv;			/* the workload's run-wide state */
	unsigned int nthreads;
	struct worker *workers;
	int *cpu_list;			/* from --cpus, or NULL */
	unsigned int ncpu_list;
	atomic_int *stop;		/* shared with a companion run */
	uint64_t t0_ns, t_end_ns;
	uint64_t slice_ns, span_ns;
	atomic_int failed;
	bool out_created;		/* --out did not exist before this run */
	char reason[256];
	struct hist merged;		/* filled after the workers end */
	struct series merged_series;
};

static inline bool run_stopping(const struct run *r)
{
	return atomic_load_explicit(r->stop, memory_order_relaxed) != 0;
}

/*
 * Close the interval-log slices that ended before now_ns. worker_record()
 * does it; a worker that fills w->hist otherwise (kctx adds whole passes)
 * calls it first with the time the samples finished.
 */
static inline void worker_slice_sync(struct worker *w, uint64_t now_ns)
{
	if (now_ns >= w->ilog.cur_end_ns)
		ilog_close(&w->ilog, w->hist, &w->series, now_ns);
}

static inline void worker_record(struct worker *w, uint64_t now_ns, uint64_t lat_ns)
{
	worker_slice_sync(w, now_ns);
	hist_record(w->hist, lat_ns);
	series_record(&w->series, now_ns, lat_ns);
}

/* Record the failure (first one wins), stop the run; returns APF_EXIT_FAILED. */
int run_fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bad input found during setup: one line on stderr, returns APF_EXIT_USAGE. */
int run_usage(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Pin the calling thread to w->cpu if set and apply the NUMA policy. */
void worker_bind(struct worker *w);
unsigned int online_cpus(void);

/* Driver side (guest/apfw.c). */
struct run_outcome {
	const char *status;	/* ok | failed | incomplete */
	char reason[300];
	bool measured;		/* before/after hold real readings */
	struct guest_counters before, after;
};

/* Options into r; 0, or an exit code after printing the problem. */
int run_configure(struct run *r, const struct workload *wl, atomic_int *stop, int argc,
		  char **argv);
/* Set-up and the measured phase; fills out; returns APF_EXIT_*. */
int run_execute(struct run *r, struct run *companion, struct run_outcome *out);
void run_free(struct run *r);
/* Bad input after --out was made: remove it again, so nothing is left. */
void run_forget_out(const struct run *r);
const struct opt *run_common_opts(void);

/* Registry (guest/workloads/table.c). */
extern const struct workload *const apf_workloads[];
const struct workload *workload_find(const char *name);

#endif
