/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine a run is checked against: this one, probed (apfw run, or
 * apfw check without --mem), or a guest described by the host before it
 * boots (apfw check --mem SIZE [--vcpus N]). Option bounds that depend on
 * the machine (NN% sizes, memory the run needs, thread defaults, ARG_MAX)
 * read it from here, so `check` on the host and `run` in the guest apply
 * the same rules to different facts.
 */
#ifndef APF_MACHINE_H
#define APF_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MACHINE_UNLIMITED UINT64_MAX

struct machine {
	bool described;		/* a guest described, not this machine probed */
	uint64_t mem_total;	/* MemTotal, or --mem */
	uint64_t mem_avail;	/* MemAvailable, or --mem; 0: unknown */
	const char *avail_name;	/* how messages name mem_avail */
	unsigned int cpus;	/* online CPUs, or --vcpus */
	uint64_t arg_max;	/* execve's argv+envp limit */
	/* Address space left under RLIMIT_AS / RLIMIT_DATA, or MACHINE_UNLIMITED. */
	uint64_t as_room, data_room;
};

/* This machine; 0, or -1 with err set (no /proc/meminfo). */
int machine_probe(struct machine *m, char *err, size_t len);
/*
 * A guest with mem bytes of RAM and vcpus CPUs (0: this machine's count).
 * Its init runs under the kernel's default 8 MiB stack limit, so its
 * ARG_MAX is the default 2 MiB whatever this shell's ulimit -s is.
 */
void machine_describe(struct machine *m, uint64_t mem, unsigned int vcpus);
/* A /proc/meminfo field ("MemTotal") in bytes; 0 when unreadable. */
/* A whole small file (/proc, /sys) into buf, NUL-terminated; 0, or -1 when unreadable or empty. */
int read_small_file(const char *path, char *buf, size_t len);
uint64_t meminfo_bytes(const char *field);

#endif
