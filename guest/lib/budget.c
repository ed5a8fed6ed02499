// SPDX-License-Identifier: GPL-2.0-only
/* Memory budget of a run (see budget.h). */
#include <stdio.h>
#include <string.h>
#include "budget.h"
#include "opts.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

void budget_add(struct budget *b, const char *what, enum budget_kind kind, uint64_t count,
		uint64_t each)
{
	uint64_t n = sat_mul(count, each);
	struct budget_item *it = NULL;

	for (unsigned int i = 0; i < b->n; i++)
		if (strcmp(b->item[i].what, what) == 0 && b->item[i].kind == kind)
			it = &b->item[i];
	if (!it && b->n < BUDGET_ITEMS) {
		it = &b->item[b->n++];
		*it = (struct budget_item){ what, 0, kind };
	}
	if (it)
		it->bytes = sat_add(it->bytes, n);
	if (kind != BUDGET_KERNEL)
		b->virt = sat_add(b->virt, n);
	if (kind != BUDGET_VIRT)
		b->resident = sat_add(b->resident, n);
}

/* The two biggest items counted by `want` (resident or address space). */
static void biggest(const struct budget *b, int resident, char *buf, size_t len)
{
	const struct budget_item *top[2] = { NULL, NULL };
	size_t used = 0;

	for (unsigned int i = 0; i < b->n; i++) {
		const struct budget_item *it = &b->item[i];

		if (resident ? it->kind == BUDGET_VIRT : it->kind == BUDGET_KERNEL)
			continue;
		if (!top[0] || it->bytes > top[0]->bytes) {
			top[1] = top[0];
			top[0] = it;
		} else if (!top[1] || it->bytes > top[1]->bytes) {
			top[1] = it;
		}
	}
	buf[0] = '\0';
	for (int i = 0; i < 2 && top[i] && used < len; i++) {
		char sz[32];

		used += (size_t)snprintf(buf + used, len - used, "%s%s %s", i ? ", " : "",
					 top[i]->what, fmt_bytes(top[i]->bytes, sz, sizeof(sz)));
	}
}

static int refuse(const struct budget *b, int resident, uint64_t need, uint64_t have,
		  const char *limit, char *err, size_t len)
{
	char items[160], n[32], h[32];

	biggest(b, resident, items, sizeof(items));
	snprintf(err, len, "the run needs about %s of %s (%s) but %s leaves %s",
		 fmt_bytes(need, n, sizeof(n)), resident ? "memory" : "address space", items, limit,
		 fmt_bytes(have, h, sizeof(h)));
	return -1;
}

int budget_check(const struct budget *b, const struct machine *m, char *err, size_t len)
{
	if (m->mem_avail && b->resident > m->mem_avail)
		return refuse(b, 1, b->resident, m->mem_avail, m->avail_name, err, len);
	if (b->virt > m->as_room)
		return refuse(b, 0, b->virt, m->as_room, "RLIMIT_AS (ulimit -v)", err, len);
	if (b->virt > m->data_room)
		return refuse(b, 0, b->virt, m->data_room, "RLIMIT_DATA (ulimit -d)", err, len);
	return 0;
}
