// SPDX-License-Identifier: GPL-2.0-only
/* Streaming JSON writer (see json.h). */
#include <math.h>
#include "json.h"

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void newline_indent(struct json *j, int depth)
{
	if (j->compact)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < depth; i++)
		fputs("  ", j->f);
}

/* Comma, newline and indent before a member; then its key if any. */
static void sep(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth - 1])
			fputc(',', j->f);
		j->first[j->depth - 1] = false;
		newline_indent(j, j->depth);
	}
	if (key) {
		put_string(j->f, key);
		fputs(j->compact ? ":" : ": ", j->f);
	}
}

static void open_nest(struct json *j, const char *key, char open, char close)
{
	sep(j, key);
	fputc(open, j->f);
	if (j->depth >= JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	j->closer[j->depth] = close;
	j->first[j->depth++] = true;
}

void json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->overflow = false;
	j->compact = false;
	open_nest(j, NULL, '{', '}');
}

void json_begin_compact(struct json *j, FILE *f)
{
	json_begin(j, f);
	j->compact = true;
}

void json_obj(struct json *j, const char *key) { open_nest(j, key, '{', '}'); }
void json_arr(struct json *j, const char *key) { open_nest(j, key, '[', ']'); }

void json_end(struct json *j)
{
	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	j->depth--;
	newline_indent(j, j->depth);
	fputc(j->closer[j->depth], j->f);
}

void json_str(struct json *j, const char *key, const char *val)
{
	sep(j, key);
	if (val)
		put_string(j->f, val);
	else
		fputs("null", j->f);
}

void json_int(struct json *j, const char *key, int64_t v)
{
	sep(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	sep(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

static void put_num(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f);
	else
		fprintf(f, "%.15g", v);
}

void json_num(struct json *j, const char *key, double v)
{
	sep(j, key);
	put_num(j->f, v);
}

void json_null(struct json *j, const char *key)
{
	sep(j, key);
	fputs("null", j->f);
}

void json_bool(struct json *j, const char *key, bool v)
{
	sep(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_opt_int(struct json *j, const char *key, int64_t v)
{
	if (v < 0)
		json_null(j, key);
	else
		json_int(j, key, v);
}

void json_tuple(struct json *j, int n, const double *v)
{
	sep(j, NULL);
	fputc('[', j->f);
	for (int i = 0; i < n; i++) {
		if (i)
			fputs(j->compact ? "," : ", ", j->f);
		put_num(j->f, v[i]);
	}
	fputc(']', j->f);
}

int json_finish(struct json *j)
{
	bool bad = j->overflow || j->depth != 1;

	while (j->depth > 0)
		json_end(j);
	fputc('\n', j->f);
	return (bad || ferror(j->f)) ? -1 : 0;
}
