// SPDX-License-Identifier: GPL-2.0-only
/*
 * rcu-readers: threads doing path lookups (stat, or openat+close) of random
 * entries in a large directory tree. Lookups of cached dentries run in the
 * kernel's RCU-walk mode, under rcu_read_lock, touching dentries and inodes
 * at CPL0: a host fault there cannot be an async PF on modern guests. An
 * optional renamer thread renames entries in a loop, forcing seqlock
 * retries (ref-walk fallbacks) and grace periods.
 *
 * The tree lives in a fresh directory (under --dir, else $TMPDIR or /tmp)
 * that is built before and removed after the measured phase.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "run.h"

enum { OP_STAT, OP_OPEN };
static const char *const ops[] = { "stat", "open", NULL };

/* Two directory levels: FANOUT1 x FANOUT2 leaf directories hold the files. */
#define FANOUT1 64
#define FANOUT2 32
#define PATH_LEN 96
/* Kernel memory per entry: dentry, inode and, on tmpfs, its page-cache side. */
#define ENTRY_KERNEL 1024
/* Tree building looks for SIGTERM every this many files. */
#define POLL_FILES 64

struct rcu_params {
	int64_t files;
	const char *dir;
	int op;
	int renamer;
};

struct rcu_state {
	char root[PATH_LEN];
	char *paths;			/* files x PATH_LEN */
	size_t nfiles;
	double build_s;
	pthread_t renamer;
	int renamer_started;
	uint64_t renames;
	atomic_ullong misses;
};

#define P(f) offsetof(struct rcu_params, f)
static const struct opt rcu_opts[] = {
	OPT_ROW("files", OPT_INT, P(files), "200000", "entries in the tree", .min = 1, .max = 2000000,
		.why = "each costs ~1 KiB in the kernel and ~40 us to build and remove"),
	OPT_ROW("dir", OPT_STR, P(dir), NULL, "make the tree under this directory (default $TMPDIR or /tmp)"),
	OPT_ROW("op", OPT_ENUM, P(op), "stat", "lookup operation", .choices = ops),
	OPT_ROW("renamer", OPT_FLAG, P(renamer), NULL, "rename entries in a loop beside the readers"),
	OPT_END
};

static char *path_of(const struct rcu_state *s, size_t i)
{
	return s->paths + i * PATH_LEN;
}

static int build_tree(struct run *r, struct rcu_state *s)
{
	char dir1[PATH_LEN], dir2[PATH_LEN];

	for (size_t i = 0; i < s->nfiles; i++) {
		unsigned int leaf = (unsigned int)(i % (FANOUT1 * FANOUT2));
		bool first = i < FANOUT1 * FANOUT2;
		int fd;

		if (snprintf(dir1, sizeof(dir1), "%s/d%02x", s->root, leaf / FANOUT2) >= PATH_LEN ||
		    snprintf(dir2, sizeof(dir2), "%s/d%02x", dir1, leaf % FANOUT2) >= PATH_LEN ||
		    snprintf(path_of(s, i), PATH_LEN, "%s/f%07zu", dir2, i) >= PATH_LEN)
			return run_fail(r, "path under %s too long", s->root);
		if (first && leaf % FANOUT2 == 0 && mkdir(dir1, 0755) != 0 && errno != EEXIST)
			return run_fail(r, "mkdir %s: %s", dir1, strerror(errno));
		if (first && mkdir(dir2, 0755) != 0 && errno != EEXIST)
			return run_fail(r, "mkdir %s: %s", dir2, strerror(errno));
		if (i % POLL_FILES == 0 && run_poll_stop(r))
			return APF_EXIT_FAILED;
		fd = open(path_of(s, i), O_CREAT | O_WRONLY | O_EXCL, 0644);
		if (fd < 0)
			return run_fail(r, "create %s: %s", path_of(s, i), strerror(errno));
		close(fd);
	}
	return 0;
}

static const char *tree_base(const struct rcu_params *p)
{
	return p->dir ? p->dir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
}

static int rcu_check(struct run *r)
{
	const struct rcu_params *p = r->params;

	/* A described guest has its own /tmp; only an explicit --dir is checked. */
	if (strlen(r->m->described ? (p->dir ? p->dir : "") : tree_base(p)) > PATH_LEN - 40)
		return run_usage(r, "--dir %.64s...: path too long (max %d)", tree_base(p),
				 PATH_LEN - 40);
	return 0;
}

static void rcu_budget(const struct run *r, struct budget *b)
{
	const struct rcu_params *p = r->params;

	budget_add(b, "paths", BUDGET_USER, (uint64_t)p->files, PATH_LEN);
	budget_add(b, "directory tree", BUDGET_KERNEL, (uint64_t)p->files, ENTRY_KERNEL);
	if (p->renamer) {
		budget_add(b, "thread stacks", BUDGET_VIRT, 1, RUN_THREAD_STACK);
		budget_add(b, "threads", BUDGET_KERNEL, 1, RUN_THREAD_RESIDENT);
	}
}

static int rcu_setup(struct run *r)
{
	struct rcu_params *p = r->params;
	struct rcu_state *s = calloc(1, sizeof(*s));
	const char *base = tree_base(p);
	uint64_t t0;

	if (!s)
		return run_fail(r, "out of memory");
	r->priv = s;
	snprintf(s->root, sizeof(s->root), "%s/apfw-tree.XXXXXX", base);
	if (!mkdtemp(s->root)) {
		int e = errno;

		s->root[0] = '\0';
		return run_usage(r, "--dir %s: cannot make a directory there: %s", base, strerror(e));
	}
	s->nfiles = (size_t)p->files;
	s->paths = malloc(s->nfiles * PATH_LEN);
	if (!s->paths)
		return run_fail(r, "out of memory for %zu paths", s->nfiles);
	t0 = now_ns();
	if (build_tree(r, s) != 0)
		return APF_EXIT_FAILED;
	s->build_s = (double)(now_ns() - t0) / 1e9;
	return 0;
}

static void *renamer_main(void *arg)
{
	struct run *r = arg;
	struct rcu_state *s = r->priv;
	uint64_t rng = (uint64_t)r->common.seed * 7 + 3;
	char tmp[PATH_LEN + 8];

	while (!run_stopping(r)) {
		const char *path = path_of(s, xorshift64(&rng) % s->nfiles);

		snprintf(tmp, sizeof(tmp), "%s.mv", path);
		if (rename(path, tmp) != 0 || rename(tmp, path) != 0) {
			run_fail(r, "renamer: rename %s: %s", path, strerror(errno));
			break;
		}
		s->renames++;
	}
	return NULL;
}

static void rcu_measure_begin(struct run *r)
{
	const struct rcu_params *p = r->params;
	struct rcu_state *s = r->priv;

	if (!p->renamer)
		return;
	if (run_thread_start(&s->renamer, renamer_main, r) != 0)
		run_fail(r, "cannot start the renamer thread");
	else
		s->renamer_started = 1;
}

static void rcu_measure_end(struct run *r)
{
	struct rcu_state *s = r->priv;

	if (s->renamer_started)
		pthread_join(s->renamer, NULL);
	s->renamer_started = 0;
}

static void rcu_worker(struct worker *w)
{
	const struct rcu_params *p = w->run->params;
	struct rcu_state *s = w->run->priv;
	uint64_t misses = 0;

	while (!run_stopping(w->run)) {
		const char *path = path_of(s, xorshift64(&w->rng) % s->nfiles);
		struct stat st;
		uint64_t t0 = now_ns(), t1;
		int rc;

		if (p->op == OP_STAT) {
			rc = stat(path, &st);
		} else {
			rc = open(path, O_RDONLY);
			if (rc >= 0)
				rc = close(rc);
		}
		t1 = now_ns();
		/* A lookup racing the renamer may miss; that is a lookup too. */
		if (rc != 0 && errno == ENOENT && p->renamer) {
			misses++;
		} else if (rc != 0) {
			run_fail(w->run, "%s %s: %s", ops[p->op], path, strerror(errno));
			break;
		}
		worker_record(w, t1, t1 - t0);
	}
	atomic_fetch_add(&s->misses, misses);
}

static void rcu_params_json(const struct run *r, struct json *j)
{
	const struct rcu_state *s = r->priv;

	if (!s)
		return;
	json_uint(j, "leaf_dirs", FANOUT1 * FANOUT2);
	json_num(j, "build_s", s->build_s);
	json_uint(j, "renames", s->renames);
	json_uint(j, "misses", atomic_load(&s->misses));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path) == 0 ? 0 : 0;	/* keep going; report below */
}

static void rcu_teardown(struct run *r)
{
	struct rcu_state *s = r->priv;

	if (!s)
		return;
	if (s->root[0] && (nftw(s->root, remove_entry, 32, FTW_DEPTH | FTW_PHYS) != 0 ||
			   access(s->root, F_OK) == 0))
		fprintf(stderr, "apfw: rcu-readers: could not remove %s\n", s->root);
	free(s->paths);
	free(s);
	r->priv = NULL;
}

const struct workload workload_rcu_readers = {
	.name = "rcu-readers",
	.summary = "threads doing RCU-walk path lookups in a large tree, optional renamer",
	.opts = rcu_opts,
	.params_size = sizeof(struct rcu_params),
	.check = rcu_check,
	.budget = rcu_budget,
	.setup = rcu_setup,
	.measure_begin = rcu_measure_begin,
	.measure_end = rcu_measure_end,
	.worker = rcu_worker,
	.teardown = rcu_teardown,
	.json_params = rcu_params_json,
};
