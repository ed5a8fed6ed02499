/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A paced loop that never skips missed periods: each operation is due at
 * start + k * interval, and its latency is measured from that due time.
 * After a stall of S the loop runs the overdue operations back to back,
 * each late by what it was really late, so the stall yields about S/I late
 * samples (wrk2's coordinated-omission fix), not one as in cyclictest.
 */
#ifndef APF_PACER_H
#define APF_PACER_H

#include <errno.h>
#include <stdint.h>
#include "clock.h"

struct pacer {
	uint64_t next_ns;
	uint64_t interval_ns;
};

static inline void pacer_init(struct pacer *p, uint64_t start_ns, uint64_t interval_ns)
{
	p->next_ns = start_ns + interval_ns;
	p->interval_ns = interval_ns;
}

/* Sleep until the next due time; return that due time and advance. */
static inline uint64_t pacer_wait(struct pacer *p)
{
	uint64_t due = p->next_ns;
	struct timespec ts = ns_to_timespec(due);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	p->next_ns += p->interval_ns;
	return due;
}

#endif
