/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The suite's exit codes, the same in every tool, C or shell (host/lib.sh
 * has the shell's copy; README "Exit codes" is the table users read).
 */
#ifndef APF_EXITCODES_H
#define APF_EXITCODES_H

enum {
	APF_EXIT_OK = 0,
	APF_EXIT_FAILED = 1,	/* the work failed */
	APF_EXIT_USAGE = 2,	/* bad usage or input */
	APF_EXIT_MISSING = 3,	/* a capability this machine lacks: root, a module, a syscall */
};

#endif
