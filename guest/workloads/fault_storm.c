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
#include "counters.h"
#include "run.h"

enum { PATTERN_RANDOM, PATTERN_SEQ };
static const char *const patterns[] = { "random", "seq", NULL };

/* One unit of co-runner work is this many xorshift steps. */
#define WORK_UNIT 1024

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
		.min = 4096, .max = INT64_MAX),
	OPT_ROW("pattern", OPT_ENUM, P(pattern), "random", "page touch order", .choices = patterns),
	OPT_ROW("corunners", OPT_INT, P(corunners), "-1",
		"CPU-bound co-runner threads, -1: one per online CPU, 0: none", .min = -1, .max = 4096),
	OPT_END
};

static void fill_random(unsigned char *buf, size_t len, uint64_t seed)
{
	uint64_t s = seed | 1, *p = (uint64_t *)buf;

	for (size_t i = 0; i < len / sizeof(uint64_t); i++)
		p[i] = xorshift64(&s) | 0x0101010101010101ULL;	/* no zero byte */
}

static int fault_setup(struct run *r)
{
	struct fault_params *p = r->params;
	struct fault_state *s = calloc(1, sizeof(*s));
	uint64_t total = mem_total_bytes(), t0;

	if (!s)
		return run_fail(r, "out of memory");
	r->priv = s;
	s->page = (size_t)sysconf(_SC_PAGESIZE);
	if (total && p->bytes > total)
		return run_usage(r, "--bytes %llu is more than MemTotal (%llu bytes)",
				 (unsigned long long)p->bytes, (unsigned long long)total);
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
	fill_random(s->buf, s->len, (uint64_t)r->common.seed);
	s->fill_s = (double)(now_ns() - t0) / 1e9;
	s->ncorunners = p->corunners < 0 ? online_cpus() : (unsigned int)p->corunners;
	s->co = calloc(s->ncorunners ? s->ncorunners : 1, sizeof(*s->co));
	if (!s->co)
		return run_fail(r, "out of memory");
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

	for (unsigned int i = 0; i < s->ncorunners; i++) {
		struct corunner *c = &s->co[i];

		c->run = r;
		c->rng = (uint64_t)r->common.seed * 31 + i + 1;
		if (series_init(&c->series, r->t0_ns, r->slice_ns, r->span_ns) != 0) {
			run_fail(r, "out of memory for co-runner series");
			return;
		}
		if (pthread_create(&c->tid, NULL, corunner_main, c) != 0) {
			run_fail(r, "cannot start co-runner %u", i);
			return;
		}
		c->started = 1;
	}
}

static void fault_measure_end(struct run *r)
{
	struct fault_state *s = r->priv;

	if (series_init(&s->co_merged, r->t0_ns, r->slice_ns, r->span_ns) != 0)
		run_fail(r, "out of memory for co-runner series");
	for (unsigned int i = 0; i < s->ncorunners; i++) {
		struct corunner *c = &s->co[i];

		if (!c->started)
			continue;
		pthread_join(c->tid, NULL);
		s->co_units += c->units;
		if (s->co_merged.slots)
			series_merge(&s->co_merged, &c->series);
	}
	if (s->co_merged.slots)
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
