// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test driver for tests/guest/hdr.t: records the values on stdin (one
 * per line, ns) into one struct hist, then writes latency.hgrm's text
 * (default) or a one-interval latency.hlog (--hlog) to stdout, through
 * the same guest/lib code apfw uses.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "hdr.h"

int main(int argc, char **argv)
{
	static struct hist h;
	uint64_t v;

	hist_init(&h);
	while (scanf("%" SCNu64, &v) == 1)
		hist_record(&h, v);
	if (argc > 1 && strcmp(argv[1], "--hlog") == 0)
		return hdr_log_header(stdout, 1e9, NULL) != 0 ||
		       hdr_log_interval(stdout, NULL, 0, 1, h.counts) != 0;
	return hdr_write_hgrm(&h, stdout) != 0;
}
