// SPDX-License-Identifier: GPL-2.0-only
/* The machine a run is checked against (see machine.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "machine.h"

/* The kernel's _STK_LIM / 4: ARG_MAX of a process started with default limits. */
#define DEFAULT_ARG_MAX (2ULL << 20)

int read_small_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* "Field:   1234 kB" in a /proc status-style file, in bytes; 0 when absent. */
static uint64_t kb_field(const char *path, const char *field)
{
	char buf[8192], key[64];
	const char *p;

	snprintf(key, sizeof(key), "\n%s:", field);
	if (read_small_file(path, buf + 1, sizeof(buf) - 1) != 0)
		return 0;
	buf[0] = '\n';
	p = strstr(buf, key);
	return p ? strtoull(p + strlen(key), NULL, 10) * 1024ULL : 0;
}

uint64_t meminfo_bytes(const char *field)
{
	return kb_field("/proc/meminfo", field);
}

/* Room left under a limit, given what this process already holds. */
static uint64_t room(int resource, const char *status_field)
{
	struct rlimit rl;
	uint64_t used;

	if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return MACHINE_UNLIMITED;
	used = kb_field("/proc/self/status", status_field);
	return rl.rlim_cur > used ? rl.rlim_cur - used : 0;
}

int machine_probe(struct machine *m, char *err, size_t len)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), arg_max = sysconf(_SC_ARG_MAX);

	memset(m, 0, sizeof(*m));
	m->mem_total = meminfo_bytes("MemTotal");
	m->mem_avail = meminfo_bytes("MemAvailable");
	m->avail_name = "MemAvailable";
	/* Kernels before 3.14 have no MemAvailable: free plus page cache is close. */
	if (m->mem_avail == 0) {
		m->mem_avail = meminfo_bytes("MemFree") + meminfo_bytes("Buffers") +
			       meminfo_bytes("Cached");
		m->avail_name = "MemFree+Buffers+Cached";
	}
	m->cpus = cpus > 0 ? (unsigned int)cpus : 1;
	m->arg_max = arg_max > 0 ? (uint64_t)arg_max : DEFAULT_ARG_MAX;
	m->as_room = room(RLIMIT_AS, "VmSize");
	m->data_room = room(RLIMIT_DATA, "VmData");
	if (m->mem_total == 0 || m->mem_avail == 0) {
		snprintf(err, len, "cannot read MemTotal and free memory from /proc/meminfo");
		return -1;
	}
	return 0;
}

void machine_describe(struct machine *m, uint64_t mem, unsigned int vcpus)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(m, 0, sizeof(*m));
	m->described = true;
	m->mem_total = mem;
	m->mem_avail = mem;
	m->avail_name = "the guest's --mem";
	m->cpus = vcpus ? vcpus : cpus > 0 ? (unsigned int)cpus : 1;
	m->arg_max = DEFAULT_ARG_MAX;
	m->as_room = MACHINE_UNLIMITED;
	m->data_room = MACHINE_UNLIMITED;
}
