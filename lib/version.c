// SPDX-License-Identifier: GPL-2.0-only
/* See version.h; only this file sees APF_VERSION, so only it rebuilds. */
#include "version.h"

#include <string.h>

#ifndef APF_VERSION
#define APF_VERSION "unknown"
#endif

const char *apf_version(void)
{
	return APF_VERSION;
}

int apf_help_or_version(int argc, char **argv, const char *prog, void (*usage)(FILE *))
{
	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("%s %s\n", prog, apf_version());
		return 0;
	}
	return -1;
}
