// SPDX-License-Identifier: GPL-2.0-only
/*
 * wakeup: cyclictest-like timer threads, one per CPU, each sleeping to
 * absolute deadlines every --interval-us and recording how late it woke.
 * Missed periods are not skipped (pacer.h): a vCPU stalled for S by a host
 * fault yields about S/interval late samples, which is the honest tail.
 * Runs alone or beside another workload (apfw run W --with wakeup).
 */
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "pacer.h"
#include "run.h"

struct wakeup_params {
	int64_t interval_us;
	int64_t priority;
};

struct wakeup_state {
	atomic_int fifo_failed;
};

#define P(f) offsetof(struct wakeup_params, f)
static const struct opt wakeup_opts[] = {
	OPT_ROW("interval-us", OPT_INT, P(interval_us), "1000", "timer period, microseconds",
		.min = 10, .max = 1000000, .why = "a second: a stop waits out the current period"),
	OPT_ROW("priority", OPT_INT, P(priority), "0",
		"SCHED_FIFO priority of the timer threads, 0: SCHED_OTHER", .min = 0, .max = 99,
		.why = "SCHED_FIFO's range"),
	OPT_END
};

static int wakeup_setup(struct run *r)
{
	struct wakeup_state *s = calloc(1, sizeof(*s));

	if (!s)
		return run_fail(r, "out of memory");
	r->priv = s;
	return 0;
}

static void wakeup_worker(struct worker *w)
{
	const struct wakeup_params *p = w->run->params;
	struct wakeup_state *s = w->run->priv;
	struct pacer pc;

	/* Like cyclictest -a: without --cpus, thread i watches CPU i. */
	if (w->cpu < 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->id % online_cpus(), &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	if (p->priority > 0) {
		struct sched_param sp = { .sched_priority = (int)p->priority };

		if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0)
			atomic_store(&s->fifo_failed, 1);
	}
	pacer_init(&pc, now_ns(), (uint64_t)p->interval_us * NSEC_PER_USEC);
	while (!run_stopping(w->run)) {
		uint64_t due = pacer_wait(&pc);
		uint64_t now = now_ns();

		worker_record(w, now, now > due ? now - due : 0);
	}
}

static void wakeup_params_json(const struct run *r, struct json *j)
{
	const struct wakeup_params *p = r->params;
	const struct wakeup_state *s = r->priv;

	json_str(j, "policy", p->priority > 0 && !atomic_load(&s->fifo_failed) ? "fifo" : "other");
}

static void wakeup_teardown(struct run *r)
{
	free(r->priv);
	r->priv = NULL;
}

const struct workload workload_wakeup = {
	.name = "wakeup",
	.summary = "timer threads per CPU measuring wake-up lateness (cyclictest-like, no skipped periods)",
	.opts = wakeup_opts,
	.params_size = sizeof(struct wakeup_params),
	.setup = wakeup_setup,
	.worker = wakeup_worker,
	.teardown = wakeup_teardown,
	.json_params = wakeup_params_json,
};
