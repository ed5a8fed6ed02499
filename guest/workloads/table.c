// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workload table: a new workload is one file in guest/workloads/ plus
 * one line here. `apfw list` prints them in this order.
 */
#include <stddef.h>
#include "run.h"

extern const struct workload workload_fault_storm;
extern const struct workload workload_exec_storm;
extern const struct workload workload_rcu_readers;
extern const struct workload workload_wakeup;
extern const struct workload workload_kctx;

const struct workload *const apf_workloads[] = {
	&workload_fault_storm,
	&workload_exec_storm,
	&workload_rcu_readers,
	&workload_wakeup,
	&workload_kctx,
	NULL
};
