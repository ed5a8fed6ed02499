/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replace a file whole: write "<path>.tmp", then rename it over <path>, so
 * a reader (host/monitor, host/pressure, jq) sees the old or the new
 * content, never half of one, even while the writer keeps rewriting it.
 */
#ifndef APF_REPLACE_H
#define APF_REPLACE_H

#include <stdio.h>

struct replace {
	FILE *f;		/* write the new content here */
	const char *path;
	char tmp[4096];
	const char *prog;	/* prefix of the error messages */
};

/* Open the temp file: 0, or -1 with one line on stderr. */
int replace_open(struct replace *r, const char *prog, const char *path);
/* Close and rename into place: 0, or -1 (temp removed, one line on stderr). */
int replace_commit(struct replace *r);

#endif
