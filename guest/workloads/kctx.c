// SPDX-License-Identifier: GPL-2.0-only
/*
 * kctx: drive the apf_kctx guest module (guest/kmod), which touches every
 * page of a kernel buffer with IRQs off, with preemption off, inside an
 * RCU read-side section, or in plain process context: the kernel-mode
 * contexts where a host fault is handled differently by each guest
 * kernel's async-PF code, and which no user-space workload can reach.
 *
 * One worker issues passes back to back (the module takes one request at a
 * time). Each pass returns its per-page touch times as bucket counts in
 * hist_buckets.h's scheme, added to the worker's histogram bucket by bucket
 * (exact merge), so latency_ns is per page and ops are pages touched. The
 * pass itself (total time, longest stretch inside the context, slowest
 * page) goes to the `kctx` block. The buffer lives in the kernel and is
 * filled there, unmeasured, with non-zero pseudo-random words.
 *
 * apfw loads nothing: without the module, the run stops with exit 2 and a
 * line saying so. --check first runs apf-kctx-check (the module's ABI
 * checks, next to apfw) and fails the run when it finds a problem.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../kmod/apf_kctx_abi.h"
#include "run.h"

/* Index = enum apf_kctx_context. */
static const char *const contexts[] = { "plain", "irqoff", "preemptoff", "rcu", NULL };

#define KCTX_CHECKER "apf-kctx-check"
#define KCTX_KO "/lib/apf/apf_kctx.ko"	/* where the initramfs carries it */

struct kctx_params {
	uint64_t bytes;
	int context;
	int64_t chunk_pages;
	int write;
	int check;
};

struct kctx_state {
	int fd;
	struct apf_kctx_info info;
	uint64_t pages;			/* per pass */
	double fill_s;
	/* Figures across passes (one worker, so no locking). */
	uint64_t passes;
	uint64_t min_ns, max_ns;	/* exact per-page extremes */
	uint64_t max_chunk_ns;
	uint64_t slowest_page;
	struct hist pass_hist;		/* whole-pass times */
	uint64_t buckets[HB_NBUCKETS];
};

#define P(f) offsetof(struct kctx_params, f)
static const struct opt kctx_opts[] = {
	OPT_ROW("context", OPT_ENUM, P(context), "plain",
		"kernel context of the touches", .choices = contexts),
	OPT_ROW("bytes", OPT_SIZE_PCT, P(bytes), "256M",
		"kernel buffer touched per pass, or NN% of MemTotal",
		.min = APF_KCTX_MIN_BYTES, .max = APF_KCTX_MAX_BYTES,
		.why = "the module's limit, and MemTotal"),
	OPT_ROW("chunk-pages", OPT_INT, P(chunk_pages), "64",
		"pages per stay in the context (IRQs off at most this long)",
		.min = 1, .max = APF_KCTX_MAX_CHUNK_PAGES,
		.why = "the module's limit on one stay in the context"),
	OPT_ROW("write", OPT_FLAG, P(write), NULL, "write each touched word back (dirty the page)"),
	OPT_ROW("check", OPT_FLAG, P(check), NULL,
		"run apf-kctx-check (module ABI checks, reloads the module) before measuring"),
	OPT_END
};

static unsigned int kctx_default_threads(const struct run *r)
{
	(void)r;
	return 1;
}

/* Run apf-kctx-check from apfw's directory; its lines go to our stdout. */
static int kctx_run_checker(struct run *r)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status;
	pid_t pid;
	char *slash;

	if (n <= 0)
		return run_fail(r, "--check: cannot read /proc/self/exe: %s", strerror(errno));
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/%s", slash ? self : ".", KCTX_CHECKER);
	if (access(path, X_OK) != 0)
		return run_usage(r, "--check: %s not found next to apfw", path);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return run_fail(r, "--check: fork: %s", strerror(errno));
	if (pid == 0) {
		if (access(KCTX_KO, R_OK) == 0)
			execl(path, KCTX_CHECKER, "--ko", KCTX_KO, (char *)NULL);
		else
			execl(path, KCTX_CHECKER, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return run_fail(r, "--check: waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return run_fail(r, "--check: %s found problems (status %d; its lines are on stdout)",
				KCTX_CHECKER, status);
	return 0;
}

static int kctx_check(struct run *r)
{
	const struct kctx_params *p = r->params;
	char b[32], t[32];

	if (r->nthreads != 1)
		return run_usage(r, "--threads %u: kctx runs one worker (the module takes one "
				 "request at a time)", r->nthreads);
	if (p->bytes > r->m->mem_total)
		return run_usage(r, "--bytes %s is more than %s (%s)", fmt_bytes(p->bytes, b, sizeof(b)),
				 r->m->described ? "the guest's --mem" : "MemTotal",
				 fmt_bytes(r->m->mem_total, t, sizeof(t)));
	return 0;
}

static void kctx_budget(const struct run *r, struct budget *b)
{
	const struct kctx_params *p = r->params;

	budget_add(b, "kernel buffer", BUDGET_KERNEL, 1, p->bytes);
	budget_add(b, "kctx state", BUDGET_USER, 1, sizeof(struct kctx_state));
}

static int kctx_setup(struct run *r)
{
	struct kctx_params *p = r->params;
	struct kctx_state *s;
	struct apf_kctx_alloc a = { .bytes = p->bytes, .seed = (uint64_t)r->common.seed };
	uint64_t t0;
	int rc;

	s = calloc(1, sizeof(*s));
	if (!s)
		return run_fail(r, "out of memory");
	s->fd = -1;
	s->min_ns = UINT64_MAX;
	hist_init(&s->pass_hist);
	r->priv = s;
	if (p->check && (rc = kctx_run_checker(r)) != 0)
		return rc;

	s->fd = open(APF_KCTX_DEV, O_RDWR | O_CLOEXEC);
	if (s->fd < 0 && errno == ENOENT)
		return run_missing(r, "the apf_kctx module is not loaded (no %s); load apf_kctx.ko "
				 "built for this kernel (guest/kmod/build-for)", APF_KCTX_DEV);
	if (s->fd < 0)
		return run_missing(r, "%s: %s (the module's device is root only)", APF_KCTX_DEV,
				 strerror(errno));
	if (ioctl(s->fd, APF_KCTX_IOC_INFO, &s->info) != 0)
		return run_usage(r, "%s: info ioctl: %s (module and apfw from different builds?)",
				 APF_KCTX_DEV, strerror(errno));
	if (s->info.abi_version != APF_KCTX_ABI_VERSION || s->info.nbuckets != HB_NBUCKETS)
		return run_usage(r, "apf_kctx speaks ABI %u with %u buckets, apfw expects %u with %u",
				 s->info.abi_version, s->info.nbuckets, APF_KCTX_ABI_VERSION,
				 HB_NBUCKETS);
	if (p->bytes > s->info.max_bytes)
		return run_usage(r, "--bytes %llu is more than the module allows here (%llu)",
				 (unsigned long long)p->bytes,
				 (unsigned long long)s->info.max_bytes);
	t0 = now_ns();
	if (ioctl(s->fd, APF_KCTX_IOC_ALLOC, &a) != 0)
		return run_fail(r, "apf_kctx: allocating %llu bytes: %s",
				(unsigned long long)p->bytes, strerror(errno));
	s->fill_s = (double)(now_ns() - t0) / 1e9;
	s->pages = (p->bytes + s->info.page_size - 1) / s->info.page_size;
	return 0;
}

/*
 * The module times pages, not instants: spread a pass's pages evenly over
 * the slices it spanned, and put its slowest page in the slice where that
 * page's share of the pass falls.
 */
static void kctx_series(struct series *sr, uint64_t t0, uint64_t t1,
			const struct apf_kctx_pass *p)
{
	uint64_t span = t1 > t0 ? t1 - t0 : 1, done = 0, t = t0, t_slow;

	while (t < t1) {
		uint64_t rel = t < sr->t0_ns ? 0 : t - sr->t0_ns;
		uint64_t e = sr->t0_ns + (rel / sr->slice_ns + 1) * sr->slice_ns, part;

		if (e > t1)
			e = t1;
		part = (uint64_t)((unsigned __int128)p->pages * (e - t0) / span) - done;
		series_add(sr, t, part);
		done += part;
		t = e;
	}
	series_add(sr, t1, p->pages - done);
	t_slow = t0 + (uint64_t)((unsigned __int128)span * p->slowest_page / (p->pages ? p->pages : 1));
	series_add(sr, t_slow, 0);
	if (p->slowest_ns > sr->slots[sr->cur].max_ns)
		sr->slots[sr->cur].max_ns = p->slowest_ns;
}

static void kctx_worker(struct worker *w)
{
	const struct kctx_params *prm = w->run->params;
	struct kctx_state *s = w->run->priv;
	struct hist *h = w->hist;

	while (!run_stopping(w->run)) {
		struct apf_kctx_pass p = {
			.context = (uint32_t)prm->context,
			.chunk_pages = (uint32_t)prm->chunk_pages,
			.flags = prm->write ? APF_KCTX_F_WRITE : 0,
			.nbuckets = HB_NBUCKETS,
			.buckets = (uintptr_t)s->buckets,
		};
		unsigned __int128 sum_before = h->sum;
		uint64_t t0 = now_ns(), t1;

		if (ioctl(s->fd, APF_KCTX_IOC_PASS, &p) != 0) {
			run_fail(w->run, "apf_kctx: pass in %s: %s", contexts[prm->context],
				 strerror(errno));
			return;
		}
		t1 = now_ns();
		/* latency.hlog puts a whole pass in the slice where it ended. */
		worker_slice_sync(w, t1);
		for (unsigned int i = 0; i < HB_NBUCKETS; i++)
			if (s->buckets[i])
				hist_add_bucket(h, i, s->buckets[i]);
		/* The module knows the exact extremes and sum; keep them exact. */
		if (p.min_ns < s->min_ns)
			s->min_ns = p.min_ns;
		if (p.slowest_ns > s->max_ns || s->passes == 0) {
			s->max_ns = p.slowest_ns;
			s->slowest_page = p.slowest_page;
		}
		h->min = s->min_ns;
		h->max = s->max_ns;
		h->sum = sum_before + p.sum_ns;
		if (p.max_chunk_ns > s->max_chunk_ns)
			s->max_chunk_ns = p.max_chunk_ns;
		hist_record(&s->pass_hist, p.total_ns);
		s->passes++;
		kctx_series(&w->series, t0, t1, &p);
	}
}

static void kctx_params_json(const struct run *r, struct json *j)
{
	const struct kctx_state *s = r->priv;

	if (!s || s->fd < 0)
		return;
	json_uint(j, "page_bytes", s->info.page_size);
	json_uint(j, "pages", s->pages);
	json_num(j, "fill_s", s->fill_s);
	json_uint(j, "module_abi", s->info.abi_version);
}

static void kctx_block_json(const struct run *r, struct json *j)
{
	const struct kctx_params *p = r->params;
	const struct kctx_state *s = r->priv;
	const struct hist *ph = &s->pass_hist;
	double d = (double)(r->t_end_ns - r->t0_ns) / 1e9;
	uint64_t pages;

	if (!s)
		return;
	pages = s->passes * s->pages;
	json_str(j, "context", contexts[p->context]);
	json_uint(j, "chunk_pages", (uint64_t)p->chunk_pages);
	json_bool(j, "write", p->write != 0);
	json_uint(j, "passes", s->passes);
	json_uint(j, "pages_per_pass", s->pages);
	json_uint(j, "pages", pages);
	json_num(j, "pages_per_s", d > 0 ? (double)pages / d : NAN);
	json_obj(j, "pass_ns");
	json_uint(j, "count", ph->count);
	if (ph->count) {
		json_uint(j, "min", ph->min);
		json_num(j, "mean", hist_mean(ph));
		json_uint(j, "p50", hist_percentile(ph, 50));
		json_uint(j, "p90", hist_percentile(ph, 90));
		json_uint(j, "p99", hist_percentile(ph, 99));
		json_uint(j, "max", ph->max);
	} else {
		json_null(j, "min");
		json_null(j, "mean");
		json_null(j, "p50");
		json_null(j, "p90");
		json_null(j, "p99");
		json_null(j, "max");
	}
	json_end(j);
	/* Longest single stay in the context: how long IRQs were off for irqoff. */
	if (s->passes) {
		json_uint(j, "max_chunk_ns", s->max_chunk_ns);
		json_uint(j, "slowest_page_ns", s->max_ns);
		json_uint(j, "slowest_page", s->slowest_page);
	} else {
		json_null(j, "max_chunk_ns");
		json_null(j, "slowest_page_ns");
		json_null(j, "slowest_page");
	}
}

static void kctx_summary(const struct run *r, FILE *f)
{
	const struct kctx_params *p = r->params;
	const struct kctx_state *s = r->priv;
	double d = (double)(r->t_end_ns - r->t0_ns) / 1e9;

	if (!s)
		return;
	fprintf(f, "  kctx %s: %llu passes of %llu pages, %.4g pages/s, longest stay in context %.3g ms\n",
		contexts[p->context], (unsigned long long)s->passes, (unsigned long long)s->pages,
		d > 0 ? (double)(s->passes * s->pages) / d : 0.0, (double)s->max_chunk_ns / 1e6);
}

static void kctx_teardown(struct run *r)
{
	struct kctx_state *s = r->priv;

	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);	/* the module frees the buffer */
	free(s);
	r->priv = NULL;
}

const struct workload workload_kctx = {
	.name = "kctx",
	.summary = "the apf_kctx module touches a kernel buffer with IRQs off, preemption off, "
		   "under RCU or plainly",
	.opts = kctx_opts,
	.params_size = sizeof(struct kctx_params),
	.default_threads = kctx_default_threads,
	.check = kctx_check,
	.budget = kctx_budget,
	.setup = kctx_setup,
	.worker = kctx_worker,
	.teardown = kctx_teardown,
	.json_params = kctx_params_json,
	.block = "kctx",
	.json_block = kctx_block_json,
	.summary_line = kctx_summary,
};
