/*
 * apfw: the guest workload driver. It parses the command line, finds the
 * workload in the table, and hands it to the run engine (guest/lib/run.c);
 * results go out through guest/lib/result.c. It knows no workload by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "result.h"
#include "run.h"

static void usage(FILE *f)
{
	fputs("usage: apfw list\n"
	      "       apfw run WORKLOAD [options]     (apfw run WORKLOAD --help for its options)\n"
	      "Runs one guest workload, timing every operation; with --out DIR writes\n"
	      "result.json (schema apfbench/1), latency.hgrm and series.tsv there.\n"
	      "Exit: 0 ok, 1 the run failed (result.json says why), 2 bad usage.\n", f);
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

static void run_help(const struct workload *wl)
{
	printf("usage: apfw run %s [options]\n%s\n\ncommon options:\n", wl->name, wl->summary);
	opts_help(run_common_opts(), stdout);
	if (wl->opts && wl->opts->name) {
		printf("\n%s options:\n", wl->name);
		opts_help(wl->opts, stdout);
	}
}

static int cmd_run(int argc, char **argv)
{
	const struct workload *wl, *cwl = NULL;
	struct run r, c, *comp = NULL;
	struct run_outcome out;
	atomic_int stop = 0;
	int rc;

	if (argc < 1) {
		fputs("apfw run: missing WORKLOAD (see apfw list)\n", stderr);
		return APF_EXIT_USAGE;
	}
	wl = workload_find(argv[0]);
	if (!wl) {
		fprintf(stderr, "apfw run: unknown workload '%s' (see apfw list)\n", argv[0]);
		return APF_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			run_help(wl);
			return 0;
		}
	rc = run_configure(&r, wl, &stop, argc - 1, argv + 1);
	if (rc) {
		run_forget_out(&r);
		return rc;
	}
	if (r.common.with) {
		char dur[32];
		char *cargv[] = { "--duration", dur };

		cwl = workload_find(r.common.with);
		if (!cwl || cwl == wl) {
			fprintf(stderr, "apfw run %s: --with %s: %s\n", wl->name, r.common.with,
				cwl ? "cannot run beside itself" : "unknown workload");
			run_forget_out(&r);
			return APF_EXIT_USAGE;
		}
		snprintf(dur, sizeof(dur), "%.9g", r.common.duration_s);
		rc = run_configure(&c, cwl, &stop, 2, cargv);
		if (rc) {
			run_forget_out(&r);
			return rc;
		}
		c.common.seed = r.common.seed + 1;
		comp = &c;
	}
	rc = run_execute(&r, comp, &out);
	if (rc == APF_EXIT_USAGE)
		run_forget_out(&r);
	else if (result_write(&r, comp, &out) != 0)
		rc = APF_EXIT_FAILED;
	if (rc == APF_EXIT_FAILED)
		fprintf(stderr, "apfw run %s: %s: %s\n", wl->name, out.status, out.reason);
	if (comp)
		run_free(comp);
	run_free(&r);
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
	if (strcmp(argv[1], "list") == 0)
		return cmd_list();
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	fprintf(stderr, "apfw: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return APF_EXIT_USAGE;
}
