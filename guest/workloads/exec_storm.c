// SPDX-License-Identifier: GPL-2.0-only
/*
 * exec-storm: each thread loops spawn -> execve -> exit -> reap of a tiny
 * static helper (guest/exec_helper.c), timing each spawn-to-reap. With
 * --argv-bytes N the argv+envp strings handed to execve total N bytes, so
 * the kernel copies N bytes of user memory at CPL0 per exec: exactly the
 * kernel-mode access that older guests could take an async PF on.
 */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "run.h"

enum { METHOD_FORK, METHOD_VFORK, METHOD_SPAWN };
static const char *const methods[] = { "fork", "vfork", "spawn", NULL };

/* The kernel refuses a single string longer than MAX_ARG_STRLEN (32 pages). */
#define ARG_CHUNK (64 * 1024)
/* What a child holds in the kernel beyond its argv copy: mm, page tables, task. */
#define CHILD_RESIDENT (256ULL << 10)

struct exec_params {
	int method;
	uint64_t argv_bytes;
	const char *helper;
};

struct exec_state {
	char helper[PATH_MAX];
	char **argv, **envp;
	char *strings;
	size_t nargv, nenvp;
};

#define P(f) offsetof(struct exec_params, f)
static const struct opt exec_opts[] = {
	OPT_ROW("method", OPT_ENUM, P(method), "spawn", "how to start the helper", .choices = methods),
	OPT_ROW("argv-bytes", OPT_SIZE, P(argv_bytes), "0",
		"total bytes of argv+envp strings per execve", .min = 0, .max = 64LL << 20,
		.why = "and within ARG_MAX: 2 MiB in a guest (a quarter of the 8 MiB default stack)"),
	OPT_ROW("helper", OPT_STR, P(helper), NULL,
		"exec target (default: apfw-exec-helper next to apfw)"),
	OPT_END
};

static int find_helper(struct run *r, struct exec_state *s, const char *given)
{
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (given) {
		snprintf(s->helper, sizeof(s->helper), "%s", given);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			return run_fail(r, "cannot read /proc/self/exe: %s", strerror(errno));
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		if (snprintf(s->helper, sizeof(s->helper), "%s/apfw-exec-helper", self) >=
		    (int)sizeof(s->helper))
			return run_fail(r, "path of apfw too long: %s", self);
	}
	if (access(s->helper, X_OK) != 0)
		return run_usage(r, "exec helper %s: %s", s->helper, strerror(errno));
	return 0;
}

/*
 * Split N bytes (counting each string's NUL) into strings of at most
 * ARG_CHUNK: the first half into argv after argv[0], the rest into envp.
 */
static int build_args(struct run *r, struct exec_state *s, uint64_t bytes)
{
	size_t nchunks = (size_t)((bytes + ARG_CHUNK - 1) / ARG_CHUNK), k = 0;
	uint64_t left = bytes;
	char *p;

	s->strings = malloc(bytes ? bytes : 1);
	s->argv = calloc(nchunks + 2, sizeof(char *));
	s->envp = calloc(nchunks + 1, sizeof(char *));
	if (!s->strings || !s->argv || !s->envp)
		return run_fail(r, "out of memory for %llu argv bytes", (unsigned long long)bytes);
	s->argv[s->nargv++] = s->helper;
	for (p = s->strings; left > 0; k++) {
		size_t len = left > ARG_CHUNK ? ARG_CHUNK : (size_t)left;

		memset(p, 'a' + (int)(k % 26), len - 1);
		p[len - 1] = '\0';
		if (k < nchunks / 2 + nchunks % 2)
			s->argv[s->nargv++] = p;
		else
			s->envp[s->nenvp++] = p;
		p += len;
		left -= len;
	}
	return 0;
}

static int exec_check(struct run *r)
{
	const struct exec_params *p = r->params;
	uint64_t arg_max = r->m->arg_max;

	/* Pointers count against the limit too; keep a page of headroom per string. */
	if (p->argv_bytes + 4096 + p->argv_bytes / ARG_CHUNK * 64 > arg_max)
		return run_usage(r, "--argv-bytes %llu exceeds %s ARG_MAX (%llu)",
				 (unsigned long long)p->argv_bytes,
				 r->m->described ? "the guest's" : "this system's",
				 (unsigned long long)arg_max);
	if (p->helper && strlen(p->helper) >= PATH_MAX)
		return run_usage(r, "--helper: path longer than %d characters", PATH_MAX - 1);
	return 0;
}

/* The strings once here, and in the kernel once per child being exec'd. */
static void exec_budget(const struct run *r, struct budget *b)
{
	const struct exec_params *p = r->params;
	uint64_t nchunks = p->argv_bytes / ARG_CHUNK + 1;

	budget_add(b, "argv strings", BUDGET_USER, 1, p->argv_bytes + (2 * nchunks + 3) * sizeof(char *));
	budget_add(b, "children", BUDGET_KERNEL, r->nthreads, p->argv_bytes + CHILD_RESIDENT);
}

static int exec_setup(struct run *r)
{
	struct exec_params *p = r->params;
	struct exec_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return run_fail(r, "out of memory");
	r->priv = s;
	rc = find_helper(r, s, p->helper);
	return rc ? rc : build_args(r, s, p->argv_bytes);
}

static pid_t start_child(const struct exec_params *p, const struct exec_state *s, int *err)
{
	pid_t pid;

	switch (p->method) {
	case METHOD_SPAWN:
		*err = posix_spawn(&pid, s->helper, NULL, NULL, s->argv, s->envp);
		return *err ? -1 : pid;
	case METHOD_VFORK:
		pid = vfork();
		break;
	default:
		pid = fork();
		break;
	}
	if (pid == 0) {
		execve(s->helper, s->argv, s->envp);
		_exit(127);
	}
	*err = pid < 0 ? errno : 0;
	return pid;
}

static void exec_worker(struct worker *w)
{
	const struct exec_params *p = w->run->params;
	const struct exec_state *s = w->run->priv;

	while (!run_stopping(w->run)) {
		uint64_t t0 = now_ns(), t1;
		int err, status;
		pid_t pid = start_child(p, s, &err);

		if (pid < 0) {
			run_fail(w->run, "%s of %s failed: %s", methods[p->method], s->helper, strerror(err));
			return;
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				run_fail(w->run, "waitpid: %s", strerror(errno));
				return;
			}
		t1 = now_ns();
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			run_fail(w->run, "helper %s did not exit 0 (status 0x%x; 127: execve failed)",
				 s->helper, status);
			return;
		}
		worker_record(w, t1, t1 - t0);
	}
}

static void exec_params_json(const struct run *r, struct json *j)
{
	const struct exec_state *s = r->priv;

	if (!s)
		return;
	json_str(j, "helper_path", s->helper);
	json_uint(j, "argv_strings", s->nargv);
	json_uint(j, "envp_strings", s->nenvp);
}

static void exec_teardown(struct run *r)
{
	struct exec_state *s = r->priv;

	if (!s)
		return;
	free(s->strings);
	free(s->argv);
	free(s->envp);
	free(s);
	r->priv = NULL;
}

const struct workload workload_exec_storm = {
	.name = "exec-storm",
	.summary = "threads spawning and reaping a tiny static helper, optionally with a large argv",
	.opts = exec_opts,
	.params_size = sizeof(struct exec_params),
	.check = exec_check,
	.budget = exec_budget,
	.setup = exec_setup,
	.worker = exec_worker,
	.teardown = exec_teardown,
	.json_params = exec_params_json,
};
