/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The engine between apfw's driver and its workloads. A workload is one
 * file that fills a `struct workload` (name, options table, hooks) and one
 * line in guest/workloads/table.c; the driver never names a workload.
 *
 * Life of a run: options parsed into `params` and checked (bounds, check(),
 * the memory budget against the machine: nothing is touched yet, which is
 * all `apfw check` does) -> setup() (unmeasured: build trees, fill memory)
 * -> every per-thread buffer allocated -> counters read -> nthreads
 * workers run worker() until run_stopping() -> counters read -> result
 * files written -> teardown(). Nothing is allocated after the measured
 * phase starts, so a run that fits at the start cannot run out later.
 *
 * SIGINT/SIGTERM are blocked in every thread; the main thread takes them
 * while it waits out the phase (every 50 ms) and, through run_poll_stop(),
 * inside long set-up loops, so a signal ends a run promptly at any stage.
 *
 * A worker times each operation and calls worker_record(); everything it
 * touches on the hot path is its own (hist, series, ilog), merged at the end.
 */
#ifndef APF_RUN_H
#define APF_RUN_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "clock.h"
#include "counters.h"
#include "hist.h"
#include "budget.h"
#include "ilog.h"
#include "json.h"
#include "machine.h"
#include "exitcodes.h"
#include "opts.h"
#include "series.h"
#include "xorshift.h"

/* Upper bounds of the common options (see run.c's table and the README). */
#define RUN_MAX_DURATION_S 86400	/* a day: longer cells belong in reps */
#define RUN_MAX_SLICE_S 3600
#define RUN_MAX_SLICES 1000000		/* rows of series.tsv and result.json's series */
#define RUN_MAX_THREADS 4096
/* Stack of every thread apfw starts: workers keep little on it. */
#define RUN_THREAD_STACK (1ULL << 20)
/* Resident cost of a thread beyond its buffers: touched stack, kernel stack, task. */
#define RUN_THREAD_RESIDENT (64ULL << 10)

/* Shared by a run and its companion: the stop flag and what set it. */
struct run_ctl {
	atomic_int stop;
	atomic_int signal;	/* the SIGINT/SIGTERM that ended the run, or 0 */
	sigset_t sigs;
	const char *cmd;	/* "run" or "check", for messages */
};

struct run;

struct worker {
	struct run *run;
	unsigned int id;
	pthread_t tid;
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
	/*
	 * Validation needing the options and r->m but touching nothing (no
	 * files, devices or big allocations): `apfw run` and `apfw check` both
	 * call it. Returns 0 or run_usage().
	 */
	int (*check)(struct run *r);
	/* What setup and the workload's own threads will hold (see budget.h). */
	void (*budget)(const struct run *r, struct budget *b);
	/*
	 * Unmeasured preparation; return APF_EXIT_* with run_fail/run_usage.
	 * Long loops call run_poll_stop() and return APF_EXIT_FAILED when it
	 * says so (the outcome then says "interrupted").
	 */
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
	const struct machine *m;	/* what bounds and defaults are checked against */
	struct common_opts common;
	void *params;
	void *priv;			/* the workload's run-wide state */
	unsigned int nthreads;
	struct worker *workers;
	int *cpu_list;			/* from --cpus, or NULL */
	unsigned int ncpu_list;
	struct run_ctl *ctl;		/* shared with a companion run */
	uint64_t t0_ns, t_end_ns;
	uint64_t slice_ns, span_ns;
	atomic_int failed;
	bool out_created;		/* --out did not exist before this run */
	char reason[256];
	unsigned int nstarted;		/* workers whose thread is running */
	struct hist merged;		/* filled after the workers end */
	struct series merged_series;
};

static inline bool run_stopping(const struct run *r)
{
	return atomic_load_explicit(&r->ctl->stop, memory_order_relaxed) != 0;
}
/*
 * From set-up loops in the main thread: take a pending SIGINT/SIGTERM
 * (which stops the run) and say whether the run is stopping.
 */
bool run_poll_stop(struct run *r);
/* pthread_create with apfw's fixed stack size; 0 or an errno value. */
int run_thread_start(pthread_t *tid, void *(*fn)(void *), void *arg);

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
int run_usage(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A missing capability found during setup (no module, no permission): as
 * run_usage, but returns APF_EXIT_MISSING. */
int run_missing(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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

/* Block SIGINT/SIGTERM (before any thread exists) and clear the flags. */
void run_ctl_init(struct run_ctl *ctl, const char *cmd);
/*
 * Options into r, checked against m (bounds, --cpus, NUMA, the workload's
 * check()); touches nothing. 0, or an exit code after printing the problem.
 */
int run_configure(struct run *r, const struct workload *wl, const struct machine *m,
		  struct run_ctl *ctl, int argc, char **argv);
/* The memory r and its companion will need, against r->m; 0 or APF_EXIT_USAGE. */
int run_check_memory(const struct run *r, const struct run *companion, struct budget *b);
/* Make --out (if given) and check it is writable; 0 or APF_EXIT_USAGE. */
int run_prepare_out(struct run *r);
/* Set-up and the measured phase; fills out; returns APF_EXIT_*. */
int run_execute(struct run *r, struct run *companion, struct run_outcome *out);
void run_free(struct run *r);
/* Bad input after --out was made: remove it again, so nothing is left. */
void run_forget_out(const struct run *r);
const struct opt *run_common_opts(void);
/* The common parameters, resolved, then the workload's table (result.json's params). */
void run_params_json(struct json *j, const struct run *r);

/* Registry (guest/workloads/table.c). */
extern const struct workload *const apf_workloads[];
const struct workload *workload_find(const char *name);

#endif
