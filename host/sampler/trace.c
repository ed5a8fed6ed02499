// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sampler's live trace-event counts (see sampler.h): a non-blocking
 * trace_pipe drained into per-event totals and per-row counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sampler.h"

int trace_index(const struct trace *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->name[i]) == len && !memcmp(t->name[i], name, len))
			return (int)i;
	return -1;
}

/* trace_line: count one trace_pipe line. The event's name is the word
 * after the timestamp ("  comm-pid  [cpu] flags  12.345678: name: ...");
 * the task name before it may hold spaces, the timestamp cannot. */
static void trace_line(struct trace *t, char *line)
{
	char *lost = strstr(line, "[LOST ");
	if (lost) {
		t->lost += strtoull(lost + strlen("[LOST "), NULL, 10);
		return;
	}
	for (char *w = line; *w;) {
		w += strspn(w, " \t");
		size_t wl = strcspn(w, " \t");
		size_t d = strspn(w, "0123456789");
		if (d > 0 && wl > d + 2 && w[d] == '.' && w[wl - 1] == ':' &&
		    strspn(w + d + 1, "0123456789") == wl - d - 2) {
			char *name = w + wl;
			name += strspn(name, " \t");
			size_t nl = strcspn(name, ": \t");
			if (name[nl] != ':')
				return;
			int i = trace_index(t, name, nl);
			if (i >= 0)
				t->total[i]++, t->row[i]++;
			return;
		}
		w += wl;
	}
}

/* trace_drain: read what the pipe holds now (never waits) and count it */
void trace_drain(struct trace *t)
{
	if (t->fd < 0)
		return;
	for (;;) {
		if (t->len == sizeof(t->buf) - 1)
			t->len = 0; /* a line longer than the buffer: drop it */
		ssize_t r = read(t->fd, t->buf + t->len, sizeof(t->buf) - 1 - t->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0 && errno != EAGAIN)
				sampler_warn("reading the trace pipe: %s", strerror(errno));
			return;
		}
		t->len += (size_t)r;
		t->buf[t->len] = '\0';
		char *p = t->buf, *nl;
		while ((nl = strchr(p, '\n'))) {
			*nl = '\0';
			trace_line(t, p);
			p = nl + 1;
		}
		t->len -= (size_t)(p - t->buf);
		memmove(t->buf, p, t->len);
	}
}

bool trace_open(struct trace *t, const char *pipe, const char *events)
{
	t->fd = -1;
	if (!pipe)
		return true;
	for (const char *e = events; e && *e;) {
		e += strspn(e, " ,");
		size_t l = strcspn(e, " ,");
		if (!l)
			break;
		if (l >= NAME_LEN || t->n == MAX_EVENTS) {
			sampler_warn("--events: more than %d names or one longer than %d", MAX_EVENTS, NAME_LEN - 1);
			return false;
		}
		memcpy(t->name[t->n], e, l);
		t->name[t->n++][l] = '\0';
		e += l;
	}
	t->fd = open(pipe, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		sampler_warn("cannot open %s: %s; event columns will be '-'", pipe, strerror(errno));
		t->n = 0;
	}
	return true;
}
