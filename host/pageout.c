// SPDX-License-Identifier: GPL-2.0-only
/*
 * pageout: push a fraction of a running VM's guest RAM out to swap, the way
 * an overcommitted host's reclaim would, but targeted and repeatable.
 *
 * Every interval it picks NN% of the guest RAM mapping in fixed-size chunks
 * at random (without replacement within one pass) and hands them to the
 * kernel with process_madvise(MADV_PAGEOUT). The guest RAM mapping is found
 * by name in /proc/PID/maps: QEMU's memory-backend-memfd shows up as
 * `/memfd:memory-backend-memfd (deleted)`. The kernel may decline pages
 * (shared, locked, already out, no swap), so besides the pages requested it
 * reports what actually left: the global pswpout delta across the calls and
 * the mapping's own `Swap:` figure from /proc/PID/smaps.
 *
 * With a swap device that completes writes asynchronously (a swap file),
 * the kernel keeps paged-out pages in the swap cache until something
 * needs the memory, so on a host with free RAM the guest's next touch is a
 * minor fault. --evict FILE (a proactive-reclaim file such as
 * /sys/devices/system/node/node0/reclaim) then asks for that much anon-only
 * reclaim (`swappiness=max`) after each pass, once writeback is done, so
 * the pages really leave. It is opt-in: node reclaim is host-wide.
 *
 * The summary (JSON) is rewritten after every pass, via temp + rename, so a
 * reader gets the latest complete figures even while the pager runs. It stops
 * on SIGINT/SIGTERM, after --passes, or when the target process is gone.
 *
 * Exit: 0 ok, 1 the work failed, 2 bad usage, 3 a missing capability
 * (no pidfd_open, or no permission over PID: README "Exit codes").
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "exitcodes.h"
#include "json.h"
#include "num.h"
#include "replace.h"
#include "size.h"
#include "version.h"
#include "xorshift.h"

#define PROG "pageout"
#define DEFAULT_MAP "/memfd:memory-backend-memfd"
#define MAX_REGIONS 64
#define IOV_BATCH 1024 /* UIO_MAXIOV: process_madvise's per-call limit */
#define MAX_EVICT 16
/* Bounds of the numbers a caller can give (README "Bounds"): an interval
 * of an hour at most and 1 ms at least (0 would be a busy loop of passes),
 * a chunk of a page to 1 GiB (the largest huge page), at most a billion
 * passes. */
#define MAX_INTERVAL_MS 3600000u
#define MAX_CHUNK (1ull << 30)
#define MAX_PASSES 1000000000ul

struct region {
	uintptr_t start, end;
};

struct opts {
	pid_t pid;
	unsigned percent;
	unsigned interval_ms;
	size_t chunk;
	unsigned long passes; /* 0: until stopped */
	uint64_t seed;
	const char *map;
	const char *summary;
	const char *evict[MAX_EVICT];
	int nevict;
	bool quiet;
	bool check; /* --check: validate the options, do nothing */
};

struct stats {
	unsigned long passes;
	uint64_t requested_pages;
	uint64_t advised_pages;
	uint64_t swapped_pages; /* pswpout delta across our calls */
	uint64_t guest_swap_bytes;
	uint64_t guest_swap_peak_bytes;
	uint64_t evicted_bytes; /* SwapCached drop across our reclaim requests */
	unsigned long evict_errors;
	unsigned long errors;
	int last_errno;
};

struct pager {
	struct opts o;
	int pidfd;
	size_t page;
	struct region reg[MAX_REGIONS];
	int nreg;
	uint64_t map_bytes;
	size_t nchunks;
	uint32_t *idx; /* chunk indices, shuffled in place */
	struct iovec *iov;
	uint64_t rng;
	struct stats st;
};

/* The one global: the signal handler can only talk through it. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: host/pageout --pid PID --percent NN [options]\n"
		"       host/pageout --check [--percent NN] [options]\n"
		"Page out NN%% of a process's guest RAM mapping every interval with\n"
		"process_madvise(MADV_PAGEOUT), in randomly chosen chunks.\n"
		"  --pid PID           target process (QEMU)\n"
		"  --percent NN        share of the mapping per pass, 1..100\n"
		"  --interval-ms N     time between pass starts, ms, 1..3600000 (default 1000)\n"
		"  --chunk SIZE        chunk size: 4096, 2M, 2MiB, 1G... up to 1G (default 2M),\n"
		"                      a multiple of the page size\n"
		"  --passes N          stop after N passes, at most 1000000000\n"
		"                      (default 0: until stopped)\n"
		"  --seed N            random seed (default: from the clock)\n"
		"  --map NAME          mapping name prefix in /proc/PID/maps\n"
		"                      (default " DEFAULT_MAP ")\n"
		"  --summary FILE      write the JSON summary there after every pass\n"
		"                      (default: stdout, once at the end)\n"
		"  --evict FILE        after each pass, write '<bytes> swappiness=max' to\n"
		"                      this proactive-reclaim file (repeatable), so pages\n"
		"                      left in the swap cache really leave (host-wide!)\n"
		"  --quiet             no per-pass line on stderr\n"
		"  --check             check the options (no --pid needed), exit 0 or 2, and\n"
		"                      do nothing else: host/pressure prepare asks this\n"
		"  --version           print the suite's version\n"
		"Needs swap, CAP_SYS_NICE and ptrace access to PID (root).\n"
		"Exit: 0 ok, 1 the work failed, 2 bad usage or input, 3 a missing capability.\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .interval_ms = 1000, .chunk = 2u << 20, .map = DEFAULT_MAP };
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	o->seed = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 20) ^ (uint64_t)getpid();
	bool have_pid = false, have_pct = false;
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "--version")) {
			printf(PROG " %s\n", apf_version());
			exit(0);
		}
		if (!strcmp(a, "--quiet")) {
			o->quiet = true;
			continue;
		}
		if (!strcmp(a, "--check")) {
			o->check = true;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, PROG ": option '%s' needs a value or is unknown (try --help)\n", a);
			return -1;
		}
		const char *v = argv[++i];
		const char *want = NULL; /* what a good value is, for the message */
		uint64_t n;
		/* -ERANGE and -1 alike: the value is bad either way */
		if (!strcmp(a, "--pid")) {
			want = "a process ID";
			if (parse_uint(v, &n) || n < 1 || n > INT_MAX)
				goto bad;
			o->pid = (pid_t)n;
			have_pid = true;
		} else if (!strcmp(a, "--percent")) {
			want = "1..100";
			if (parse_uint(v, &n) || n < 1 || n > 100)
				goto bad;
			o->percent = (unsigned)n;
			have_pct = true;
		} else if (!strcmp(a, "--interval-ms")) {
			want = "1..3600000 ms";
			if (parse_uint(v, &n) || n < 1 || n > MAX_INTERVAL_MS)
				goto bad;
			o->interval_ms = (unsigned)n;
		} else if (!strcmp(a, "--chunk")) {
			want = "a multiple of the page size, up to 1G";
			if (parse_size(v, &n) || n == 0 || n > MAX_CHUNK || n % page)
				goto bad;
			o->chunk = (size_t)n;
		} else if (!strcmp(a, "--passes")) {
			want = "0..1000000000";
			if (parse_uint(v, &n) || n > MAX_PASSES)
				goto bad;
			o->passes = (unsigned long)n;
		} else if (!strcmp(a, "--seed")) {
			want = "an unsigned 64-bit integer";
			if (parse_uint(v, &o->seed))
				goto bad;
		} else if (!strcmp(a, "--map")) {
			o->map = v;
		} else if (!strcmp(a, "--summary")) {
			o->summary = v;
		} else if (!strcmp(a, "--evict")) {
			want = "at most 16 files";
			if (o->nevict == MAX_EVICT)
				goto bad;
			o->evict[o->nevict++] = v;
		} else {
			fprintf(stderr, PROG ": unknown option '%s' (try --help)\n", a);
			return -1;
		}
		continue;
bad:
		fprintf(stderr, PROG ": bad value '%s' for %s (%s; try --help)\n", v, a, want);
		return -1;
	}
	if (o->check)
		return 0;
	if (!have_pid || !have_pct) {
		fprintf(stderr, PROG ": --pid and --percent are required (try --help)\n");
		return -1;
	}
	return 0;
}

/* Find every VMA whose name starts with the map name. Returns the count,
 * 0 when none, -1 when the maps file cannot be read (process gone). */
static int find_regions(pid_t pid, const char *name, struct region *reg, int max)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int n = 0;
	size_t nlen = strlen(name);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		int off = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) < 2 || off == 0)
			continue;
		const char *p = line + off;
		if (strncmp(p, name, nlen) != 0)
			continue;
		if (n == max) {
			fprintf(stderr, PROG ": more than %d mappings named %s; using the first %d\n",
				max, name, max);
			break;
		}
		reg[n++] = (struct region){ lo, hi };
	}
	fclose(f);
	return n;
}

/* Sum of the Swap: lines of the named mappings in /proc/PID/smaps. */
static int mapping_swap(pid_t pid, const char *name, uint64_t *bytes)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t nlen = strlen(name);
	bool in = false;
	uint64_t kb_total = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, kb;
		int off = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) >= 2 && off > 0) {
			in = strncmp(line + off, name, nlen) == 0;
			continue;
		}
		if (in && sscanf(line, "Swap: %lu kB", &kb) == 1)
			kb_total += kb;
	}
	fclose(f);
	*bytes = kb_total << 10;
	return 0;
}

/* One "key value" counter from a /proc file (vmstat, or meminfo in kB). */
static int read_counter(const char *path, const char *key, uint64_t *v)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char k[64];
	unsigned long long n;
	int rc = -1;
	while (fscanf(f, "%63s %llu%*[^\n]", k, &n) == 2) {
		size_t kl = strlen(k);
		if (kl && k[kl - 1] == ':')
			k[kl - 1] = '\0';
		if (!strcmp(k, key)) {
			*v = n;
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

static int read_pswpout(uint64_t *v)
{
	return read_counter("/proc/vmstat", "pswpout", v);
}

/* After a pass: wait (briefly) for swap writeback, then ask each reclaim
 * file for as much anon-only reclaim as the swap cache grew. */
static void evict(struct pager *pg, uint64_t cached_before_kb)
{
	uint64_t wb = 0, cached = 0, after = 0;
	for (int i = 0; i < 50 && !stop_requested; i++) {
		if (read_counter("/proc/meminfo", "Writeback", &wb) || wb == 0)
			break;
		struct timespec ts = { 0, 10000000L };
		nanosleep(&ts, NULL);
	}
	if (read_counter("/proc/meminfo", "SwapCached", &cached) || cached <= cached_before_kb)
		return;
	char req[64];
	int n = snprintf(req, sizeof(req), "%" PRIu64 " swappiness=max", (cached - cached_before_kb) << 10);
	for (int i = 0; i < pg->o.nevict; i++) {
		FILE *f = fopen(pg->o.evict[i], "we");
		/* EAGAIN: reclaimed less than asked, which is fine */
		if (!f || fwrite(req, 1, (size_t)n, f) != (size_t)n || (fclose(f) && errno != EAGAIN)) {
			if (!pg->st.evict_errors++)
				fprintf(stderr, PROG ": reclaim via %s: %s\n", pg->o.evict[i], strerror(errno));
		}
	}
	if (read_counter("/proc/meminfo", "SwapCached", &after) == 0 && after < cached)
		pg->st.evicted_bytes += (cached - after) << 10;
}

static int pager_init(struct pager *pg)
{
	pg->page = (size_t)sysconf(_SC_PAGESIZE);
	pg->nreg = find_regions(pg->o.pid, pg->o.map, pg->reg, MAX_REGIONS);
	if (pg->nreg < 0) {
		fprintf(stderr, PROG ": cannot read /proc/%d/maps: %s\n", (int)pg->o.pid, strerror(errno));
		return 1;
	}
	if (pg->nreg == 0) {
		fprintf(stderr, PROG ": no mapping named %s in /proc/%d/maps\n", pg->o.map, (int)pg->o.pid);
		return 1;
	}
	pg->nchunks = 0;
	pg->map_bytes = 0;
	for (int i = 0; i < pg->nreg; i++) {
		uint64_t len = pg->reg[i].end - pg->reg[i].start;
		pg->map_bytes += len;
		pg->nchunks += (len + pg->o.chunk - 1) / pg->o.chunk;
	}
	if (pg->nchunks > UINT32_MAX) {
		fprintf(stderr, PROG ": %zu chunks is too many; use a larger --chunk\n", pg->nchunks);
		return 2;
	}
	pg->idx = calloc(pg->nchunks, sizeof(*pg->idx));
	pg->iov = calloc(IOV_BATCH, sizeof(*pg->iov));
	if (!pg->idx || !pg->iov) {
		fprintf(stderr, PROG ": out of memory for %zu chunks\n", pg->nchunks);
		return 1;
	}
	for (size_t i = 0; i < pg->nchunks; i++)
		pg->idx[i] = (uint32_t)i;
	pg->rng = pg->o.seed ? pg->o.seed : 0x9E3779B97F4A7C15ULL;
	pg->pidfd = (int)syscall(SYS_pidfd_open, pg->o.pid, 0);
	if (pg->pidfd < 0) {
		fprintf(stderr, PROG ": pidfd_open(%d): %s\n", (int)pg->o.pid, strerror(errno));
		return errno == ENOSYS || errno == EPERM ? APF_EXIT_MISSING : 1;
	}
	return 0;
}

/* Chunk number -> its address range, clipped to its region's end. */
static struct iovec chunk_iov(const struct pager *pg, uint32_t c)
{
	uint64_t k = c;
	for (int i = 0; i < pg->nreg; i++) {
		uint64_t len = pg->reg[i].end - pg->reg[i].start;
		uint64_t n = (len + pg->o.chunk - 1) / pg->o.chunk;
		if (k < n) {
			uintptr_t a = pg->reg[i].start + k * pg->o.chunk;
			uintptr_t e = a + pg->o.chunk;
			if (e > pg->reg[i].end)
				e = pg->reg[i].end;
			return (struct iovec){ (void *)a, e - a };
		}
		k -= n;
	}
	return (struct iovec){ NULL, 0 };
}

/* Returns 0 after a pass, 1 when the target is gone. */
static int pager_pass(struct pager *pg)
{
	size_t want = (pg->nchunks * pg->o.percent + 99) / 100;
	uint64_t before = 0, after = 0, cached_kb = 0;
	bool have_vm = read_pswpout(&before) == 0;
	if (pg->o.nevict)
		read_counter("/proc/meminfo", "SwapCached", &cached_kb);

	/* partial Fisher-Yates: the first `want` entries are the pick */
	for (size_t i = 0; i < want; i++) {
		size_t j = i + (size_t)(xorshift64star(&pg->rng) % (pg->nchunks - i));
		uint32_t t = pg->idx[i];
		pg->idx[i] = pg->idx[j];
		pg->idx[j] = t;
	}
	for (size_t i = 0; i < want; i += IOV_BATCH) {
		size_t n = want - i < IOV_BATCH ? want - i : IOV_BATCH;
		size_t total = 0;
		for (size_t k = 0; k < n; k++) {
			pg->iov[k] = chunk_iov(pg, pg->idx[i + k]);
			total += pg->iov[k].iov_len;
		}
		pg->st.requested_pages += total / pg->page;
		long r = syscall(SYS_process_madvise, pg->pidfd, pg->iov, n, MADV_PAGEOUT, 0u);
		if (r < 0) {
			if (errno == ESRCH)
				return 1;
			pg->st.errors++;
			if (pg->st.last_errno != errno)
				fprintf(stderr, PROG ": process_madvise(%d, MADV_PAGEOUT): %s\n",
					(int)pg->o.pid, strerror(errno));
			pg->st.last_errno = errno;
			continue;
		}
		pg->st.advised_pages += (uint64_t)r / pg->page;
	}
	if (have_vm && read_pswpout(&after) == 0 && after >= before)
		pg->st.swapped_pages += after - before;
	if (pg->o.nevict)
		evict(pg, cached_kb);
	if (mapping_swap(pg->o.pid, pg->o.map, &pg->st.guest_swap_bytes) < 0)
		return 1;
	if (pg->st.guest_swap_bytes > pg->st.guest_swap_peak_bytes)
		pg->st.guest_swap_peak_bytes = pg->st.guest_swap_bytes;
	pg->st.passes++;
	if (!pg->o.quiet)
		fprintf(stderr, PROG ": pass %lu: requested %zu chunks, pswpout +%" PRIu64
			", guest swap %" PRIu64 " MiB\n", pg->st.passes, want,
			have_vm ? after - before : 0, pg->st.guest_swap_bytes >> 20);
	return 0;
}

static void write_summary_to(FILE *f, const struct pager *pg)
{
	const struct stats *s = &pg->st;
	struct json j;

	json_begin_compact(&j, f);
	json_int(&j, "pid", pg->o.pid);
	json_uint(&j, "percent", pg->o.percent);
	json_uint(&j, "interval_ms", pg->o.interval_ms);
	json_uint(&j, "chunk_bytes", pg->o.chunk);
	json_uint(&j, "mapping_bytes", pg->map_bytes);
	json_uint(&j, "page_bytes", pg->page);
	json_uint(&j, "passes", s->passes);
	json_uint(&j, "requested_pages", s->requested_pages);
	json_uint(&j, "advised_pages", s->advised_pages);
	json_uint(&j, "swapped_pages", s->swapped_pages);
	json_uint(&j, "guest_swap_bytes", s->guest_swap_bytes);
	json_uint(&j, "guest_swap_peak_bytes", s->guest_swap_peak_bytes);
	json_bool(&j, "evict", pg->o.nevict > 0);
	json_uint(&j, "evicted_bytes", s->evicted_bytes);
	json_uint(&j, "errors", s->errors + s->evict_errors);
	json_finish(&j);
}

static int write_summary(const struct pager *pg)
{
	struct replace r;

	if (!pg->o.summary) {
		write_summary_to(stdout, pg);
		return fflush(stdout) ? -1 : 0;
	}
	if (replace_open(&r, PROG, pg->o.summary) != 0)
		return -1;
	write_summary_to(r.f, pg);
	return replace_commit(&r);
}

static void sleep_until(const struct timespec *t)
{
	while (!stop_requested && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct pager pg = { .pidfd = -1 };
	if (parse_opts(argc, argv, &pg.o))
		return 2;
	if (pg.o.check)
		return 0;
	int rc = pager_init(&pg);
	if (rc)
		return rc;

	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: wake the sleep */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	bool wrote = false;
	while (!stop_requested) {
		if (pager_pass(&pg))
			break; /* target gone: the cell is over */
		if (pg.o.summary) {
			if (write_summary(&pg))
				rc = 1;
			wrote = true;
		}
		if (pg.o.passes && pg.st.passes >= pg.o.passes)
			break;
		next.tv_sec += pg.o.interval_ms / 1000;
		next.tv_nsec += (long)(pg.o.interval_ms % 1000) * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		sleep_until(&next);
	}
	if ((!pg.o.summary || !wrote || stop_requested) && write_summary(&pg))
		rc = 1;
	close(pg.pidfd);
	free(pg.idx);
	free(pg.iov);
	return rc;
}
