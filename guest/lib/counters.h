/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest-side facts: counters read before and after the measured phase
 * (reported as deltas), and the environment, including the async-PF mode
 * the guest actually got (CPUID 0x40000001 under a KVM signature, plus
 * `no-kvmapf` on the command line), and the workload's own CPU use. A counter that cannot be read is -1
 * and ends up as null in result.json, never 0.
 */
#ifndef APF_COUNTERS_H
#define APF_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

struct guest_counters {
	int64_t pgmajfault, pswpin, pswpout;
	int64_t steal_ms;
	int64_t hyp_irqs;	/* "HYP" line of /proc/interrupts, -1 if absent */
	/*
	 * CPU of the workload: getrusage of this process (all its threads)
	 * plus its reaped children (exec-storm's), -1 if unreadable.
	 */
	int64_t usr_us, sys_us;
	int64_t nvcsw, nivcsw;	/* voluntary, involuntary context switches */
};

struct guest_env {
	char kernel_release[128];
	char cmdline[1024];
	unsigned int vcpus;
	uint64_t memory_bytes;
	bool kvm;		/* KVMKVMKVM signature at CPUID 0x40000000 */
	bool apf, apf_int;	/* KVM_FEATURE_ASYNC_PF (bit 4), _INT (bit 14) */
	bool no_kvmapf;		/* on /proc/cmdline */
	const char *mode_effective;	/* none | apf-on | apf-off | no-int | guest-off */
};

void counters_read(struct guest_counters *c);
/* after - before, field by field; -1 where either side is -1. */
void counters_delta(struct guest_counters *d, const struct guest_counters *before,
		    const struct guest_counters *after);
void env_probe(struct guest_env *e);
/* Pure decision from the probed bits, exposed for tests. */
const char *apf_mode_effective(bool kvm, bool apf, bool apf_int, bool no_kvmapf);
uint64_t mem_total_bytes(void);

#endif
