// SPDX-License-Identifier: GPL-2.0-only
/*
 * fault-storm: worker threads touch pages of a large anonymous buffer in
 * random (or sequential) order, timing each touch, while one CPU-bound
 * co-runner per CPU counts units of pure compute per slice. Under host
 * memory pressure a touch may hit a page the host swapped out: with async
 * PF the vCPU keeps running the co-runner while the toucher waits; without
 * it the vCPU stalls and the co-runner's work per slice drops. That work
 * is the headline figure (the `corunner` block).
 *
 * The buffer is filled once, unmeasured, with non-zero pseudo-random data:
 * a host drops zero pages instead of swapping them and zram compresses
 * repetitive data, so a zero fill would hide the very pressure measured.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "run.h"

enum { PATTERN_RANDOM, PATTERN_SEQ };
static const char *const patterns[] = { "random", "seq", NULL };

/* One unit of co-runner work is this many xorshift steps. */
#define WORK_UNIT 1024
/* The fill's threads at most (one per CPU up to this; see fill_random). */
#define FILL_THREADS_MAX 8
/* The fill looks for SIGTERM this often, so a big buffer never delays a stop. */
#define FILL_CHUNK (64ULL << 20)

struct fault_params {
	uint64_t bytes;
	int pattern;
	int64_t corunners;
};

struct corunner {
	pthread_t tid;
	struct run *run;
	uint64_t rng;
	uint64_t units;
	uint64_t sink;
	struct series series;
	int started;
};

struct fault_state {
	unsigned char *buf;
	size_t len, page, npages;
	double fill_s;
	unsigned int ncorunners;
	struct corunner *co;
	struct series co_merged;
	uint64_t co_units;
};

#define P(f) offsetof(struct fault_params, f)
static const struct opt fault_opts[] = {
	OPT_ROW("bytes", OPT_SIZE_PCT, P(bytes), "256M", "buffer size, or NN% of MemTotal",
		.min = 4096, .max = 1LL << 46,
		.why = "MemTotal, and the memory check wants it in MemAvailable"),
	OPT_ROW("pattern", OPT_ENUM, P(pattern), "random", "page touch order", .choices = patterns),
	OPT_ROW("corunners", OPT_INT, P(corunners), "-1",
		"CPU-bound co-runner threads, -1: one per online CPU, 0: none", .min = -1,
		.max = RUN_MAX_THREADS, .why = "apfw's thread limit"),
	OPT_END
};

static unsigned int corunner_count(const struct run *r)
{
	const struct fault_params *p = r->params;

	return p->corunners < 0 ? r->m->cpus : (unsigned int)p->corunners;
}

/* The fill's threads, the main one included (see fill_random). */
static unsigned int fill_threads(const struct run *r)
{
	unsigned int n = r->m->cpus;

	return n < 1 ? 1 : n > FILL_THREADS_MAX ? FILL_THREADS_MAX : n;
}

static int fault_check(struct run *r)
{
	const struct fault_params *p = r->params;
	char b[32], t[32];

	if (p->bytes > r->m->mem_total)
		return run_usage(r, "--bytes %s is more than %s (%s)", fmt_bytes(p->bytes, b, sizeof(b)),
				 r->m->described ? "the guest's --mem" : "MemTotal",
				 fmt_bytes(r->m->mem_total, t, sizeof(t)));
	return 0;
}

static void fault_budget(const struct run *r, struct budget *b)
{
	const struct fault_params *p = r->params;
	uint64_t n = corunner_count(r);

	budget_add(b, "buffer", BUDGET_USER, 1, p->bytes);
	budget_add(b, "time series", BUDGET_USER, n + 1, series_bytes(r->slice_ns, r->span_ns));
	budget_add(b, "worker state", BUDGET_USER, n, sizeof(struct corunner));
	budget_add(b, "thread stacks", BUDGET_VIRT, n, RUN_THREAD_STACK);
	budget_add(b, "threads", BUDGET_KERNEL, n, RUN_THREAD_RESIDENT);
	/* set-up only, gone before the phase; counted as if they overlapped */
	budget_add(b, "fill threads", BUDGET_VIRT, fill_threads(r) - 1, RUN_THREAD_STACK);
}

/*
 * The fill runs on every CPU: under TCG a guest's first touch of a page
 * costs a fault and a page clear in emulated code, and one thread took
 * ~1.6 s for 300 MB, the largest part of a cell's set-up. Each part has its
 * own seed, so the data stays non-zero and pseudo-random.
 */

struct fill_part {
	pthread_t tid;
	struct run *run;
	uint64_t *words;
	size_t nwords;
	uint64_t seed;
	int main_thread, stopped;
};

/* Non-zero pseudo-random words, in chunks between looks at the stop flag. */
static void *fill_part(void *arg)
{
	struct fill_part *f = arg;
	uint64_t s = f->seed | 1;
	size_t chunk = FILL_CHUNK / sizeof(uint64_t);

	for (size_t i = 0; i < f->nwords; i += chunk) {
		size_t end = f->nwords - i < chunk ? f->nwords : i + chunk;

		/* Only the main thread may take the pending signal. */
		if (f->main_thread ? run_poll_stop(f->run) : run_stopping(f->run)) {
			f->stopped = 1;
			return NULL;
		}
		for (size_t k = i; k < end; k++)
			f->words[k] = xorshift64(&s) | 0x0101010101010101ULL;	/* no zero byte */
	}
	return NULL;
}

static int fill_random(struct run *r, unsigned char *buf, size_t len)
{
	struct fill_part parts[FILL_THREADS_MAX];
	size_t words = len / sizeof(uint64_t), per;
	unsigned int n = fill_threads(r), started = 1;
	int stopped = 0;

	per = words / n;
	for (unsigned int i = 0; i < n; i++) {
		parts[i] = (struct fill_part){
			.run = r, .words = (uint64_t *)buf + i * per,
			.nwords = i + 1 == n ? words - i * per : per,
			.seed = (uint64_t)r->common.seed * 0x9E3779B97F4A7C15ULL + i, .main_thread = i == 0,
		};
	}
	/* A part whose thread cannot start is filled by the main thread. */
	for (unsigned int i = 1; i < n; i++) {
		if (run_thread_start(&parts[i].tid, fill_part, &parts[i]) != 0)
			break;
		started++;
	}
	for (unsigned int i = started; i < n; i++) {
		parts[i].main_thread = 1;
		fill_part(&parts[i]);
	}
	fill_part(&parts[0]);
	for (unsigned int i = 1; i < started; i++)
		pthread_join(parts[i].tid, NULL);
	for (unsigned int i = 0; i < n; i++)
		stopped |= parts[i].stopped;
	return stopped ? -1 : 0;
}

static int fault_setup(struct run *r)
{
	struct fault_params *p = r->params;
	struct fault_state *s = calloc(1, sizeof(*s));
	uint64_t t0;

	if (!s)
		return run_fail(r, "out of memory");
	r->priv = s;
	s->page = (size_t)sysconf(_SC_PAGESIZE);
	s->len = p->bytes / s->page * s->page;
	s->npages = s->len / s->page;
	s->buf = mmap(NULL, s->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->buf == MAP_FAILED) {
		s->buf = NULL;
		return run_fail(r, "mmap of %zu bytes failed: %s", s->len, strerror(errno));
	}
	/* Per-page faults, as the host pages: no transparent huge pages. */
	madvise(s->buf, s->len, MADV_NOHUGEPAGE);
	t0 = now_ns();
	if (fill_random(r, s->buf, s->len) != 0)
		return APF_EXIT_FAILED;
	s->fill_s = (double)(now_ns() - t0) / 1e9;
	s->ncorunners = corunner_count(r);
	s->co = calloc(s->ncorunners ? s->ncorunners : 1, sizeof(*s->co));
	if (!s->co)
		return run_fail(r, "out of memory");
	/* Every series now: nothing is allocated once the phase runs. */
	for (unsigned int i = 0; i < s->ncorunners; i++)
		if (series_init(&s->co[i].series, r->slice_ns, r->span_ns) != 0)
			return run_fail(r, "out of memory for co-runner series");
	if (series_init(&s->co_merged, r->slice_ns, r->span_ns) != 0)
		return run_fail(r, "out of memory for co-runner series");
	return 0;
}

static void *corunner_main(void *arg)
{
	struct corunner *c = arg;

	while (!run_stopping(c->run)) {
		uint64_t x = c->rng;

		for (int i = 0; i < WORK_UNIT; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		c->rng = x;
		c->sink += x;
		c->units++;
		series_add(&c->series, now_ns(), 1);
	}
	return NULL;
}

static void fault_measure_begin(struct run *r)
{
	struct fault_state *s = r->priv;
	int rc;

	series_start(&s->co_merged, r->t0_ns);
	for (unsigned int i = 0; i < s->ncorunners; i++) {
		struct corunner *c = &s->co[i];

		c->run = r;
		c->rng = (uint64_t)r->common.seed * 31 + i + 1;
		series_start(&c->series, r->t0_ns);
		rc = run_thread_start(&c->tid, corunner_main, c);
		if (rc != 0) {
			run_fail(r, "cannot start co-runner %u of %u: %s", i, s->ncorunners,
				 strerror(rc));
			return;
		}
		c->started = 1;
	}
}

static void fault_measure_end(struct run *r)
{
	struct fault_state *s = r->priv;

	for (unsigned int i = 0; i < s->ncorunners; i++) {
		struct corunner *c = &s->co[i];

		if (!c->started)
			continue;
		pthread_join(c->tid, NULL);
		s->co_units += c->units;
		series_merge(&s->co_merged, &c->series);
	}
	series_fold_tail(&s->co_merged);
}

static void fault_worker(struct worker *w)
{
	const struct fault_params *p = w->run->params;
	struct fault_state *s = w->run->priv;
	size_t idx = w->id % s->npages;

	while (!run_stopping(w->run)) {
		volatile unsigned char *b;
		uint64_t t0, t1;

		if (p->pattern == PATTERN_RANDOM)
			idx = xorshift64(&w->rng) % s->npages;
		else if ((idx += w->run->nthreads) >= s->npages)
			idx %= s->npages;
		/* A different byte each time, so no cache line is a constant hit. */
		b = s->buf + idx * s->page + (w->rng & (s->page - 1));
		t0 = now_ns();
		*b = (unsigned char)(*b + 1) | 1;
		t1 = now_ns();
		worker_record(w, t1, t1 - t0);
	}
}

static void fault_params_json(const struct run *r, struct json *j)
{
	const struct fault_state *s = r->priv;

	if (!s)
		return;
	json_uint(j, "page_bytes", s->page);
	json_uint(j, "pages", s->npages);
	json_num(j, "fill_s", s->fill_s);
}

static void fault_corunner_json(const struct run *r, struct json *j)
{
	const struct fault_state *s = r->priv;
	double d = (double)(r->t_end_ns - r->t0_ns) / 1e9;
	unsigned int n = s->co_merged.slots ? s->co_merged.nfull : 0;

	json_uint(j, "threads", s->ncorunners);
	json_uint(j, "work_unit_steps", WORK_UNIT);
	json_uint(j, "work", s->co_units);
	json_num(j, "work_per_s", d > 0 ? (double)s->co_units / d : 0);
	json_arr(j, "per_slice");
	for (unsigned int i = 0; i < n; i++) {
		double row[2] = { (double)i * r->common.slice_s, (double)s->co_merged.slots[i].ops };

		json_tuple(j, 2, row);
	}
	json_end(j);
}

static void fault_summary(const struct run *r, FILE *f)
{
	const struct fault_state *s = r->priv;
	double d = (double)(r->t_end_ns - r->t0_ns) / 1e9;

	fprintf(f, "  co-runners: %u threads, %.3g work units/s\n", s->ncorunners,
		d > 0 ? (double)s->co_units / d : 0.0);
}

static void fault_teardown(struct run *r)
{
	struct fault_state *s = r->priv;

	if (!s)
		return;
	for (unsigned int i = 0; s->co && i < s->ncorunners; i++)
		series_free(&s->co[i].series);
	series_free(&s->co_merged);
	free(s->co);
	if (s->buf)
		munmap(s->buf, s->len);
	free(s);
	r->priv = NULL;
}

const struct workload workload_fault_storm = {
	.name = "fault-storm",
	.summary = "threads touching a large random-filled buffer, plus CPU-bound co-runners counting work",
	.opts = fault_opts,
	.params_size = sizeof(struct fault_params),
	.check = fault_check,
	.budget = fault_budget,
	.setup = fault_setup,
	.measure_begin = fault_measure_begin,
	.measure_end = fault_measure_end,
	.worker = fault_worker,
	.teardown = fault_teardown,
	.json_params = fault_params_json,
	.block = "corunner",
	.json_block = fault_corunner_json,
	.summary_line = fault_summary,
};
