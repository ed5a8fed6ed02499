// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the memory budget and the time series' allocation: a
 * request too big for the machine is refused by name before anything is
 * allocated, products that overflow count as huge, never as small.
 */
#include <stdint.h>
#include <string.h>
#include "budget.h"
#include "machine.h"
#include "series.h"
#include "tap.h"

int main(void)
{
	struct tap t = { 0 };
	struct machine m;
	struct budget b;
	struct series s;
	char err[512];

	tap_plan(10);
	machine_describe(&m, 1ULL << 30, 2);
	tap_check(&t, m.described && m.mem_total == 1ULL << 30 && m.cpus == 2 &&
		     m.arg_max == 2ULL << 20, "a described guest: its RAM, vCPUs, default ARG_MAX");

	memset(&b, 0, sizeof(b));
	budget_add(&b, "buffer", BUDGET_USER, 1, 512ULL << 20);
	budget_add(&b, "tree", BUDGET_KERNEL, 1000, 1024);
	budget_add(&b, "stacks", BUDGET_VIRT, 4, 1ULL << 20);
	tap_check(&t, b.resident == (512ULL << 20) + 1024000 && b.virt == (512ULL << 20) + (4ULL << 20),
		  "kernel memory is resident only, stacks address space only");
	tap_check(&t, budget_check(&b, &m, err, sizeof(err)) == 0, "512 MiB fits a 1 GiB guest");

	budget_add(&b, "buffer", BUDGET_USER, 1, 1ULL << 30);
	tap_check(&t, budget_check(&b, &m, err, sizeof(err)) != 0 && strstr(err, "buffer 1.5 GiB") &&
		     strstr(err, "--mem"), "1.5 GiB does not, and the message names the biggest item: %s",
		  err);

	memset(&b, 0, sizeof(b));
	budget_add(&b, "time series", BUDGET_USER, UINT64_MAX / 2, 16);
	tap_check(&t, b.resident == UINT64_MAX && budget_check(&b, &m, err, sizeof(err)) != 0,
		  "an overflowing product saturates and is refused");

	memset(&b, 0, sizeof(b));
	m.as_room = 100ULL << 20;
	budget_add(&b, "stacks", BUDGET_VIRT, 200, 1ULL << 20);
	tap_check(&t, budget_check(&b, &m, err, sizeof(err)) != 0 && strstr(err, "RLIMIT_AS"),
		  "address space over RLIMIT_AS refused: %s", err);

	tap_check(&t, series_bytes(100000000, 10000000000ULL) == 102 * 16,
		  "series: 16 bytes per slice of the span, plus two");
	tap_check(&t, series_bytes(0, 1) == UINT64_MAX && series_bytes(1, UINT64_MAX) > (1ULL << 60),
		  "series: a zero slice or a huge span costs 'too much', not little");
	tap_check(&t, series_init(&s, 1, UINT64_MAX) != 0 && s.slots == NULL && s.nfull == 0,
		  "series_init refuses more than 2^32 slots and holds nothing");
	tap_check(&t, series_init(&s, 100, 1000) == 0 && s.nfull == 10 && s.nslots == 12,
		  "series_init: 10 whole slices and 2 spare");
	series_free(&s);
	return t.failed ? 1 : 0;
}
