// SPDX-License-Identifier: GPL-2.0-only
/* Temp + rename writes (see replace.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "replace.h"

int replace_open(struct replace *r, const char *prog, const char *path)
{
	r->f = NULL;
	r->path = path;
	r->prog = prog;
	if ((size_t)snprintf(r->tmp, sizeof(r->tmp), "%s.tmp", path) >= sizeof(r->tmp)) {
		fprintf(stderr, "%s: cannot write %s: path too long\n", prog, path);
		return -1;
	}
	r->f = fopen(r->tmp, "we");
	if (!r->f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, r->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

int replace_commit(struct replace *r)
{
	/* ferror: a short write that fclose's own flush would not report */
	int bad = ferror(r->f);

	if (fclose(r->f) != 0 || bad || rename(r->tmp, r->path) != 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", r->prog, r->path,
			bad ? "write error" : strerror(errno));
		unlink(r->tmp);
		r->f = NULL;
		return -1;
	}
	r->f = NULL;
	return 0;
}
