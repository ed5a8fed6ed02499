// SPDX-License-Identifier: GPL-2.0-only
/*
 * apf-size: lib/size.h's size grammar for the shell. host/lib.sh's
 * parse_size calls it, so host/apf-vm, host/pressure, bench/apf-bench and
 * the C tools (host/pageout, apfw) judge "2MiB" or "512M" alike: one
 * parser, not a bash copy that drifts.
 *
 *   apf-size SIZE...    each SIZE's bytes, one line each, in order
 *
 * Exit: 0 ok, 1 stdout failed, 2 a SIZE is not a size or exceeds the
 * bound (one line on stderr naming it; nothing on stdout then).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "exitcodes.h"
#include "size.h"
#include "version.h"

#define PROG "apf-size"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " SIZE...\n"
		"Print each SIZE in bytes, one per line. SIZE: digits, then optionally\n"
		"K, M, G or T (powers of 1024, either case), an 'i' after it, a 'B':\n"
		"4096, 4096B, 512M, 512MB, 2MiB, 1g. At most %" PRIu64 " bytes (2^63-1).\n"
		"  --version   print the suite's version\n"
		"Exit: 0 ok, 1 the work failed, 2 bad usage or input (a SIZE is not a size),\n"
		"3 a missing capability (README \"Exit codes\").\n",
		SIZE_MAX_BYTES);
}

int main(int argc, char **argv)
{
	uint64_t v[64];
	int first = 1;

	int hv = apf_help_or_version(argc, argv, PROG, usage);

	if (hv >= 0)
		return hv;
	if (argc > 1 && !strcmp(argv[1], "--"))
		first = 2;
	if (argc <= first || argc - first > (int)(sizeof(v) / sizeof(v[0]))) {
		fprintf(stderr, PROG ": give 1 to %zu sizes (try --help)\n", sizeof(v) / sizeof(v[0]));
		return APF_EXIT_USAGE;
	}
	/* all or nothing: a caller reading the lines never gets a partial list */
	for (int i = first; i < argc; i++) {
		int rc = parse_size(argv[i], &v[i - first]);

		if (first == 1 && argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, PROG ": unknown option '%s' (try --help)\n", argv[i]);
			return APF_EXIT_USAGE;
		}

		if (rc == -ERANGE) {
			fprintf(stderr, PROG ": '%s' is more than %" PRIu64 " bytes\n", argv[i],
				SIZE_MAX_BYTES);
			return APF_EXIT_USAGE;
		}
		if (rc != 0) {
			fprintf(stderr, PROG ": '%s' is not a size (e.g. 4096, 512M, 2MiB, 1G)\n", argv[i]);
			return APF_EXIT_USAGE;
		}
	}
	for (int i = first; i < argc; i++)
		printf("%" PRIu64 "\n", v[i - first]);
	return fflush(stdout) == 0 ? APF_EXIT_OK : APF_EXIT_FAILED;
}
