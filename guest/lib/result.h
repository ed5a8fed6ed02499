/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Result files of one run: result.json (schema apfbench/1, see
 * docs/DESIGN.md and results/schema/result.schema.json), latency.hgrm
 * and latency.hlog (HdrHistogram's formats, hdr.h), series.tsv, and for a
 * companion probe <name>.hgrm. Each is written to a temporary name and renamed, and
 * result.json goes last, so a directory holding result.json is complete.
 * Without --out, a short human summary goes to stdout instead.
 */
#ifndef APF_RESULT_H
#define APF_RESULT_H

#include "run.h"

/* 0, or -1 with a message on stderr. */
int result_write(const struct run *r, const struct run *companion, const struct run_outcome *o);
/* The latency block shared by every workload (and the companion). */
void result_latency_json(struct json *j, const char *key, const struct hist *h);

#endif
