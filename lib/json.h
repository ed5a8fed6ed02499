/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal streaming JSON writer: apfw's result.json (written once at the
 * end) and `apfw check`'s one-line answer, host/pageout's summary line;
 * a writer that tracks nesting and commas is all they need. Keys are NULL
 * inside arrays. Non-finite numbers are written as null (the schema's
 * "could not be measured").
 */
#ifndef APF_JSON_H
#define APF_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
	char closer[JSON_MAX_DEPTH];
	bool overflow;
	bool compact;		/* one line, for answers a script reads line by line */
};

void json_begin(struct json *j, FILE *f);	/* opens the top-level object */
void json_begin_compact(struct json *j, FILE *f);	/* the same, all on one line */
void json_obj(struct json *j, const char *key);
void json_arr(struct json *j, const char *key);
void json_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);	/* NULL -> null */
void json_int(struct json *j, const char *key, int64_t v);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_num(struct json *j, const char *key, double v);
void json_null(struct json *j, const char *key);
void json_bool(struct json *j, const char *key, bool v);
/* An inline array element [v0, v1, ...], e.g. a histogram bucket or a row. */
void json_tuple(struct json *j, int n, const double *v);
/* Optional counter: negative means unavailable and is written as null. */
void json_opt_int(struct json *j, const char *key, int64_t v);
/* Close everything still open; 0 when the stream is intact. */
int json_finish(struct json *j);

#endif
