/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory a run will need, added up item by item before anything is
 * allocated (series slices, histograms, buffers, thread stacks, what the
 * kernel holds for the workload) and checked against the machine, so a
 * request too large for it ends with exit 2 and one line instead of an
 * OOM kill or a segfault half-way through. Arithmetic saturates: a
 * product that overflows is "more than any machine has", never small.
 */
#ifndef APF_BUDGET_H
#define APF_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include "machine.h"

enum budget_kind {
	BUDGET_USER,	/* this process's memory: resident and address space */
	BUDGET_KERNEL,	/* held by the kernel for the run: resident only */
	BUDGET_VIRT,	/* reserved address space that stays mostly untouched */
};

#define BUDGET_ITEMS 16

struct budget_item {
	const char *what;
	uint64_t bytes;
	enum budget_kind kind;
};

struct budget {
	struct budget_item item[BUDGET_ITEMS];
	unsigned int n;
	uint64_t resident, virt;
};

/* Items of one name are summed (per-thread state of a run and its probe). */
void budget_add(struct budget *b, const char *what, enum budget_kind kind, uint64_t count,
		uint64_t each);
/* 0 when it fits; else -1 and one line naming the limit and the biggest items. */
int budget_check(const struct budget *b, const struct machine *m, char *err, size_t len);

#endif
