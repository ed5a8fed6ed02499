// SPDX-License-Identifier: GPL-2.0-only
/*
 * apfw: the guest workload driver. It parses the command line, finds the
 * workload in the table, and hands it to the run engine (guest/lib/run.c);
 * results go out through guest/lib/result.c. It knows no workload by name.
 *
 * `apfw check` is the same parsing and checking without the run, so the
 * host can ask this binary, before any boot, whether a guest of a given
 * size would accept a workload's arguments: one owner for those rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "result.h"
#include "run.h"
#include "version.h"

static void usage(FILE *f)
{
	fputs("usage: apfw list\n"
	      "       apfw run WORKLOAD [options]     (apfw run WORKLOAD --help for its options)\n"
	      "       apfw check WORKLOAD [--mem SIZE] [--vcpus N] [options]\n"
	      "       apfw --version\n"
	      "run: runs one guest workload, timing every operation; with --out DIR writes\n"
	      "result.json (schema apfbench/1), latency.hgrm and series.tsv there. Every number\n"
	      "is bounded (see --help) and the memory the run needs is checked against\n"
	      "MemAvailable and the rlimits before anything starts.\n"
	      "check: validates the options as `run` would, without running or creating\n"
	      "anything; NN% and the memory check use --mem (the guest's RAM) and --vcpus\n"
	      "instead of this machine's. Prints the resolved parameters as one JSON line.\n"
	      "APF_PHASE_FD=N: `run` writes \"PHASE start\" and \"PHASE stop\" lines to fd N\n"
	      "around the measured phase.\n"
	      "Exit: 0 ok, 1 the run failed (result.json says why), 2 bad usage or input,\n"
	      "3 a missing capability (e.g. kctx without its module); 2 and 3 print one\n"
	      "line on stderr and write nothing.\n", f);
}

const struct workload *workload_find(const char *name)
{
	for (const struct workload *const *w = apf_workloads; *w; w++)
		if (strcmp((*w)->name, name) == 0)
			return *w;
	return NULL;
}

static int cmd_list(void)
{
	for (const struct workload *const *w = apf_workloads; *w; w++)
		printf("%-14s %s\n", (*w)->name, (*w)->summary);
	return 0;
}

/* Options of `apfw check` itself: the guest it checks for. */
struct check_opts {
	uint64_t mem;
	int64_t vcpus;
};

#define CK(f) offsetof(struct check_opts, f)
static const struct opt check_table[] = {
	OPT_ROW("mem", OPT_SIZE, CK(mem), NULL,
		"the guest's RAM: NN% and the memory check use it (default: this machine)",
		.min = 1LL << 20, .max = 1LL << 46, .why = "46-bit guest physical addresses"),
	OPT_ROW("vcpus", OPT_INT, CK(vcpus), NULL,
		"the guest's vCPUs: default thread counts and --cpus use it (default: this machine)",
		.min = 1, .max = RUN_MAX_THREADS, .why = "apfw's thread limit"),
	OPT_END
};

static void run_help(const char *cmd, const struct workload *wl)
{
	printf("usage: apfw %s %s [options]\n%s\n", cmd, wl->name, wl->summary);
	if (strcmp(cmd, "check") == 0) {
		printf("\ncheck options (first, before the others):\n");
		opts_help(check_table, stdout);
	}
	printf("\ncommon options:\n");
	opts_help(run_common_opts(), stdout);
	if (wl->opts && wl->opts->name) {
		printf("\n%s options:\n", wl->name);
		opts_help(wl->opts, stdout);
	}
}

static const struct workload *find_or_complain(const char *cmd, int argc, char **argv)
{
	const struct workload *wl;

	if (argc < 1) {
		fprintf(stderr, "apfw %s: missing WORKLOAD (see apfw list)\n", cmd);
		return NULL;
	}
	wl = workload_find(argv[0]);
	if (!wl)
		fprintf(stderr, "apfw %s: unknown workload '%.64s' (see apfw list)\n", cmd, argv[0]);
	return wl;
}

static int wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/*
 * The run and its --with companion, configured and checked (options,
 * machine, memory budget); nothing is created. 0, or an exit code after one
 * line on stderr. *comp is &c when there is a companion.
 */
static int configure_all(struct run *r, struct run *c, struct run **comp,
			 const struct workload *wl, const struct machine *m, struct run_ctl *ctl,
			 struct budget *b, int argc, char **argv)
{
	const struct workload *cwl;
	char dur[32];
	char *cargv[] = { "--duration", dur };
	int rc;

	*comp = NULL;
	rc = run_configure(r, wl, m, ctl, argc, argv);
	if (rc || !r->common.with)
		return rc ? rc : run_check_memory(r, NULL, b);
	cwl = workload_find(r->common.with);
	if (!cwl || cwl == wl)
		return run_usage(r, "--with %.64s: %s", r->common.with,
				 cwl ? "cannot run beside itself" : "unknown workload");
	snprintf(dur, sizeof(dur), "%.17g", r->common.duration_s);
	rc = run_configure(c, cwl, m, ctl, 2, cargv);
	*comp = c;
	if (rc)
		return rc;
	c->common.seed = r->common.seed + 1;
	return run_check_memory(r, c, b);
}

static void free_all(struct run *r, struct run *comp)
{
	if (comp)
		run_free(comp);
	run_free(r);
}

static int cmd_run(int argc, char **argv)
{
	const struct workload *wl = find_or_complain("run", argc, argv);
	struct run r, c, *comp = NULL;
	struct run_outcome out;
	struct run_ctl ctl;
	struct machine m;
	struct budget b;
	char err[256];
	int rc;

	if (!wl)
		return APF_EXIT_USAGE;
	if (wants_help(argc - 1, argv + 1)) {
		run_help("run", wl);
		return 0;
	}
	/* Before any thread exists, so every thread inherits the blocked signals. */
	run_ctl_init(&ctl, "run");
	if (machine_probe(&m, err, sizeof(err)) != 0) {
		fprintf(stderr, "apfw run %s: %s\n", wl->name, err);
		return APF_EXIT_USAGE;
	}
	rc = configure_all(&r, &c, &comp, wl, &m, &ctl, &b, argc - 1, argv + 1);
	if (rc == 0)
		rc = run_prepare_out(&r);
	if (rc) {
		free_all(&r, comp);
		return rc;
	}
	rc = run_execute(&r, comp, &out);
	if (rc == APF_EXIT_USAGE || rc == APF_EXIT_MISSING)
		run_forget_out(&r);
	else if (result_write(&r, comp, &out) != 0)
		rc = APF_EXIT_FAILED;
	if (rc == APF_EXIT_FAILED)
		fprintf(stderr, "apfw run %s: %s: %s\n", wl->name, out.status, out.reason);
	free_all(&r, comp);
	return rc;
}

/* Leading --mem/--vcpus (either form); returns how many arguments they took. */
static int check_own_opts(int argc, char **argv)
{
	int i = 0;

	while (i < argc) {
		const char *a = argv[i];
		size_t n = strcspn(a, "=");

		if (!((n == 5 && strncmp(a, "--mem", 5) == 0) || (n == 7 && strncmp(a, "--vcpus", 7) == 0)))
			break;
		i += a[n] == '=' || i + 1 >= argc ? 1 : 2;
	}
	return i;
}

static void check_json(const struct run *r, const struct run *comp, const struct machine *m,
		       const struct budget *b)
{
	struct json j;

	json_begin_compact(&j, stdout);
	json_str(&j, "workload", r->wl->name);
	json_obj(&j, "params");
	run_params_json(&j, r);
	json_end(&j);
	if (comp) {
		json_obj(&j, "with");
		json_str(&j, "workload", comp->wl->name);
		run_params_json(&j, comp);
		json_end(&j);
	} else {
		json_null(&j, "with");
	}
	json_obj(&j, "machine");
	json_bool(&j, "described", m->described);
	json_uint(&j, "memory_bytes", m->mem_total);
	json_uint(&j, "vcpus", m->cpus);
	json_end(&j);
	json_obj(&j, "memory");
	json_uint(&j, "need_bytes", b->resident);
	json_uint(&j, "address_space_bytes", b->virt);
	json_uint(&j, "available_bytes", m->mem_avail);
	json_end(&j);
	json_finish(&j);
}

static int cmd_check(int argc, char **argv)
{
	const struct workload *wl = find_or_complain("check", argc, argv);
	struct check_opts co = { 0, 0 };
	struct opt_set set = { check_table, &co };
	struct run r, c, *comp = NULL;
	struct run_ctl ctl = { .cmd = "check" };
	struct machine m;
	struct budget b;
	char err[256];
	int own, rc;

	if (!wl)
		return APF_EXIT_USAGE;
	if (wants_help(argc - 1, argv + 1)) {
		run_help("check", wl);
		return 0;
	}
	own = check_own_opts(argc - 1, argv + 1);
	if (opts_defaults(&set, 1, NULL, err, sizeof(err)) != 0 ||
	    opts_parse(&set, 1, NULL, own, argv + 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "apfw check %s: %s\n", wl->name, err);
		return APF_EXIT_USAGE;
	}
	if (co.mem) {
		machine_describe(&m, co.mem, (unsigned int)co.vcpus);
	} else if (machine_probe(&m, err, sizeof(err)) != 0) {
		fprintf(stderr, "apfw check %s: %s\n", wl->name, err);
		return APF_EXIT_USAGE;
	} else if (co.vcpus) {
		m.cpus = (unsigned int)co.vcpus;
	}
	rc = configure_all(&r, &c, &comp, wl, &m, &ctl, &b, argc - 1 - own, argv + 1 + own);
	if (rc == 0)
		check_json(&r, comp, &m, &b);
	free_all(&r, comp);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return APF_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("apfw %s\n", apf_version());
		return 0;
	}
	if (strcmp(argv[1], "list") == 0)
		return cmd_list();
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	fprintf(stderr, "apfw: unknown command '%.64s' (apfw --help)\n", argv[1]);
	return APF_EXIT_USAGE;
}
