/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * host/monitor-sampler's parts (the program is described in
 * host/monitor-sampler.c): the sampler struct every part works on, and
 * what each part offers the row loop. proc.c reads the /proc files,
 * trace.c counts trace_pipe events, registry.c writes the registry files
 * and marks.
 */
#ifndef APF_SAMPLER_H
#define APF_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define PROG "monitor-sampler"
#define GUEST_MAP "/memfd:memory-backend-memfd"
#define SMAPS_BUDGET 0.005        /* of one core, for smaps alone */
#define DRAIN_NS 100000000LL      /* read the trace pipe at least this often */
#define REG_EVERY_NS 5000000000LL /* registry files refreshed this often */
#define MAX_EVENTS 16
#define NAME_LEN 64
#define LINE_BUF 65536
#define NS 1000000000LL

struct opts {
	long pid;
	const char *tsv, *reg, *trace_pipe, *events;
	double interval_s, t0;
	uint64_t guest_bytes; /* 0: guest RAM only as the memfd mapping */
};

struct trace {
	int fd; /* -1: no events traced */
	size_t n;
	char name[MAX_EVENTS][NAME_LEN];
	uint64_t total[MAX_EVENTS], row[MAX_EVENTS], lost;
	size_t len; /* bytes of an incomplete line kept in buf */
	char buf[LINE_BUF];
};

/* A /proc file kept open and re-read with pread from offset 0 (seq_file
 * files regenerate then): the open/close pair would double the syscalls
 * of a row. Once /proc/PID's task is gone its files fail with ESRCH. */
struct pfile {
	char path[256];
	int fd; /* -1: not open (yet, or it failed) */
};

struct vmstat {
	uint64_t pswpin, pswpout, pgmajfault;
};

struct sampler {
	struct opts o;
	struct pfile stat, statm, smaps, vmstat, psi;
	unsigned long long qemu_start; /* starttime: the pid names one process */
	long page;
	FILE *tsv;
	int64_t origin_ns; /* CLOCK_MONOTONIC at t_s = 0 */
	int64_t interval_ns, begun_ns;
	char *buf; /* scratch for whole-file reads */
	size_t cap;

	struct vmstat vm0;
	uint64_t majflt0;
	bool mem_ok;
	uint64_t grss, gswap;
	int64_t smaps_next_ns;
	unsigned long smaps_reads;

	uint64_t peak_rss, peak_gswap, last_gswap, last_majflt;
	bool psi_ok;
	double peak_psi_some, peak_psi_full;
	unsigned long samples;
	struct trace tr;
};

/* "monitor-sampler: " and the message, one line on stderr. */
void sampler_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline int64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* proc.c: the files about QEMU and the host, re-read with pread */
void pfile_init(struct pfile *f, const char *root, long pid, const char *name);
bool qemu_stat(struct sampler *s, uint64_t *majflt, unsigned long long *start);
bool qemu_alive_stat(struct sampler *s, uint64_t *majflt);
bool qemu_rss(struct sampler *s, uint64_t *rss);
bool guest_mem(struct sampler *s, uint64_t *rss, uint64_t *swap);
bool vmstat_read(struct sampler *s, struct vmstat *v);
bool psi_read(struct sampler *s, double *some, double *full);

/* trace.c: kvm events counted from a trace_pipe */
bool trace_open(struct trace *t, const char *pipe, const char *events);
void trace_drain(struct trace *t);
int trace_index(const struct trace *t, const char *name, size_t len);

/* registry.c: what `monitor stop` reads */
bool reg_flush(struct sampler *s, bool final);
void mark(struct sampler *s);

#endif
