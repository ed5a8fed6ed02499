/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The suite's version, for every C tool's --version and result.json's
 * `tool` block: `git describe --always --dirty` of the tree built, baked
 * in by lib/lib.mk (APF_VERSION), "unknown" when built outside git.
 */
#ifndef APF_VERSION_H
#define APF_VERSION_H

#include <stdio.h>

const char *apf_version(void);

/*
 * apf_help_or_version: a tool whose first argument is -h, --help or
 * --version gets its usage on stdout or "PROG VERSION" and should exit
 * with the returned code (0); -1 when the first argument is neither.
 */
int apf_help_or_version(int argc, char **argv, const char *prog, void (*usage)(FILE *));

#endif
