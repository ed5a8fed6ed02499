// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for lib/json.c (what pageout's summary and result.json are
 * written with) and lib/replace.c (temp + rename): escaping, null for
 * non-finite numbers, compact lines, and a replace that leaves no temp.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "replace.h"
#include "tap.h"

/* The whole of what fn writes through a json writer, in a buffer. */
static char *render(void (*fn)(struct json *))
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct json j;

	if (!f)
		return NULL;
	json_begin_compact(&j, f);
	fn(&j);
	json_finish(&j);
	fclose(f);
	return buf;
}

static void flat(struct json *j)
{
	json_int(j, "a", -3);
	json_uint(j, "b", 18446744073709551615ULL);
	json_str(j, "s", "q\"\\\n\t\x01");
	json_num(j, "nan", NAN);
	json_num(j, "inf", INFINITY);
	json_bool(j, "t", true);
	json_str(j, "z", NULL);
}

static void nested(struct json *j)
{
	double v[2] = { 1, 2.5 };

	json_arr(j, "rows");
	json_tuple(j, 2, v);
	json_end(j);
	json_obj(j, "o");
	json_opt_int(j, "x", -1);
	json_end(j);
}

int main(void)
{
	struct tap t = { 0 };
	char dir[] = "/tmp/apf-json-test.XXXXXX", path[256], tmp[300], got[64] = "";
	struct replace r;
	const char *s;
	FILE *f;

	tap_plan(6);
	s = render(flat);
	tap_check(&t, s && !strcmp(s, "{\"a\":-3,\"b\":18446744073709551615,\"s\":\"q\\\"\\\\\\n\\t\\u0001\","
				       "\"nan\":null,\"inf\":null,\"t\":true,\"z\":null}\n"),
		  "compact object: escapes, full uint64, null for NaN/inf/NULL: %s", s);
	s = render(nested);
	tap_check(&t, s && !strcmp(s, "{\"rows\":[[1,2.5]],\"o\":{\"x\":null}}\n"),
		  "arrays, tuples and optional counters: %s", s);

	if (!mkdtemp(dir)) {
		tap_check(&t, 0, "mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	tap_check(&t, replace_open(&r, "json_test", path) == 0 && access(tmp, F_OK) == 0 &&
		     access(path, F_OK) != 0, "replace_open writes the temp, not the file");
	fputs("new\n", r.f);
	tap_check(&t, replace_commit(&r) == 0 && access(tmp, F_OK) != 0, "replace_commit: no temp left");
	f = fopen(path, "r");
	tap_check(&t, f && fgets(got, sizeof(got), f) && !strcmp(got, "new\n"), "the file has the new content");
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/no-such-dir/x", dir);
	tap_check(&t, replace_open(&r, "json_test", path) != 0, "an unwritable path fails (message on stderr)");
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	unlink(path);
	rmdir(dir);
	return t.failed ? 1 : 0;
}
