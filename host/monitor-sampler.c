// SPDX-License-Identifier: GPL-2.0-only
/*
 * monitor-sampler: host/monitor's sampler, one host.tsv row per interval
 * for the whole cell, from one process that never forks.
 *
 * The shell loop it replaces forked awk/cat about ten times per row; on a
 * 2-core host those forks competed with the guest's vCPU threads for the
 * very cores being measured. Here every figure is a read of a /proc file
 * the process opens itself. With --trace-pipe it also counts trace events
 * live; host/monitor does not ask for that (it reads the kvm events from
 * the ring buffer after the cell, see its trace_start): a live reader's
 * CPU hid the very effect a nested host measures.
 *
 * Columns (host/monitor --help): t_s (seconds since --t0, the monitor's
 * start), pswpin pswpout pgmajfault (per interval, /proc/vmstat),
 * qemu_rss_bytes (statm), guest_rss_bytes guest_swap_bytes (the
 * `/memfd:memory-backend-memfd` mapping's Rss:/Swap: in smaps: guest RAM
 * is shmem there, so its swap is not VmSwap; or, with --guest-bytes,
 * QEMU's anonymous RAM mapping when there is no memfd), qemu_majflt (per interval),
 * psi_some_avg10 psi_full_avg10 (/proc/pressure/memory, "-" without PSI),
 * then apf_try_async apf_not_present apf_ready apf_completed: the kvm
 * events read from the pipe during the interval, "-" when that event is
 * not being traced.
 *
 * smaps is the one costly read: the kernel walks every page table entry of
 * every mapping, so its cost grows with guest RAM (measured: ~5 ms of
 * CPU for a 1 GiB resident memfd, 5% of a core at 10 Hz). It is read at
 * the row rate as long as
 * that stays within SMAPS_BUDGET of a core, and otherwise less often
 * (each read's own CPU time sets the gap to the next), the guest columns
 * repeating the last reading in between; the registry's smaps.reads says
 * how often it happened.
 *
 * Into the registry directory (--reg; one value per file, temp + rename,
 * as host/pressure-lib/state.sh writes them) it keeps, every 5 s
 * and at exit, what `monitor stop` reads: peak.rss peak.gswap
 * last.gswap last.majflt samples peak.psi_some peak.psi_full, the event
 * totals (trace.counts, "name count" lines) and lost events (trace.lost),
 * and its own cost (sampler.cpu_s, sampler.wall_s, smaps.reads).
 * SIGUSR1 asks for a mark: the name (start|stop) is read from mark.req
 * and the counters at that moment go to mark-NAME ("key value" lines).
 *
 * It stops on SIGTERM/SIGINT (drains the pipe, writes the registry files,
 * exit 0) and when the QEMU process is gone (exit 0 too: the cell ended).
 * APF_PROC_ROOT replaces /proc for the files read about QEMU and the host
 * (tests drive it with a fake tree).
 *
 * Exit: 0 ok, 1 the work failed, 2 bad usage (README "Exit codes").
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include "num.h"
#include "sampler.h"
#include "size.h"
#include "version.h"

/* the four host.tsv event columns, in column order */
static const char *const apf_col_event[] = {
	"kvm_try_async_get_page", "kvm_async_pf_not_present",
	"kvm_async_pf_ready", "kvm_async_pf_completed",
};
#define APF_COLS (sizeof(apf_col_event) / sizeof(apf_col_event[0]))

void sampler_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- one row ----------------------------------------------------------- */

/* sample: one host.tsv row; false when QEMU is gone */
static bool sample(struct sampler *s, int64_t now)
{
	uint64_t mf, rss;
	if (!qemu_alive_stat(s, &mf) || !qemu_rss(s, &rss))
		return false;
	if (now >= s->smaps_next_ns) {
		int64_t c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		s->mem_ok = guest_mem(s, &s->grss, &s->gswap);
		int64_t cost = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
		s->smaps_reads++;
		int64_t gap = (int64_t)((double)cost / SMAPS_BUDGET);
		/* a little early is fine: the row clock, not this one, paces it */
		s->smaps_next_ns = now + (gap > s->interval_ns ? gap : s->interval_ns) - s->interval_ns / 4;
	}
	struct vmstat v;
	bool vm_ok = vmstat_read(s, &v);
	double some = 0, full = 0;
	s->psi_ok = psi_read(s, &some, &full);
	trace_drain(&s->tr);

	char row[512];
	size_t off = (size_t)snprintf(row, sizeof(row), "%.3f", (double)(now - s->origin_ns) / NS);
	if (vm_ok)
		off += (size_t)snprintf(row + off, sizeof(row) - off, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64,
					v.pswpin - s->vm0.pswpin, v.pswpout - s->vm0.pswpout,
					v.pgmajfault - s->vm0.pgmajfault);
	else
		off += (size_t)snprintf(row + off, sizeof(row) - off, "\t-\t-\t-");
	off += (size_t)snprintf(row + off, sizeof(row) - off, "\t%" PRIu64, rss);
	if (s->mem_ok)
		off += (size_t)snprintf(row + off, sizeof(row) - off, "\t%" PRIu64 "\t%" PRIu64, s->grss, s->gswap);
	else
		off += (size_t)snprintf(row + off, sizeof(row) - off, "\t-\t-");
	off += (size_t)snprintf(row + off, sizeof(row) - off, "\t%" PRIu64, mf - s->majflt0);
	if (s->psi_ok)
		off += (size_t)snprintf(row + off, sizeof(row) - off, "\t%.6g\t%.6g", some, full);
	else
		off += (size_t)snprintf(row + off, sizeof(row) - off, "\t-\t-");
	for (size_t c = 0; c < APF_COLS; c++) {
		int i = s->tr.fd < 0 ? -1 : trace_index(&s->tr, apf_col_event[c], strlen(apf_col_event[c]));
		if (i < 0)
			off += (size_t)snprintf(row + off, sizeof(row) - off, "\t-");
		else
			off += (size_t)snprintf(row + off, sizeof(row) - off, "\t%" PRIu64, s->tr.row[i]);
	}
	snprintf(row + off, sizeof(row) - off, "\n");
	/* one write per row, so a reader (or a kill) never sees half a row */
	if (fputs(row, s->tsv) == EOF || fflush(s->tsv) == EOF)
		sampler_warn("writing %s: %s", s->o.tsv, strerror(errno));

	for (size_t i = 0; i < s->tr.n; i++)
		s->tr.row[i] = 0;
	if (vm_ok)
		s->vm0 = v;
	s->majflt0 = mf;
	s->samples++;
	s->last_majflt = mf;
	if (rss > s->peak_rss)
		s->peak_rss = rss;
	if (s->mem_ok) {
		s->last_gswap = s->gswap;
		if (s->gswap > s->peak_gswap)
			s->peak_gswap = s->gswap;
	}
	if (s->psi_ok) {
		if (some > s->peak_psi_some)
			s->peak_psi_some = some;
		if (full > s->peak_psi_full)
			s->peak_psi_full = full;
	}
	return true;
}

/* ---- set-up and loop ---------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --pid PID --tsv FILE --reg DIR [--interval SEC] [--t0 EPOCH]\n"
		"                       [--guest-bytes SIZE] [--trace-pipe FILE --events NAME,...]\n"
		"  --pid PID          the QEMU process (stops when it is gone)\n"
		"  --tsv FILE         host.tsv to write (header, then one row per interval)\n"
		"  --reg DIR          host/monitor's registry entry: peaks, counts, marks\n"
		"  --interval SEC     seconds between rows, 0.01..60 (default 0.1)\n"
		"  --t0 EPOCH         epoch seconds that t_s counts from (default: now)\n"
		"  --guest-bytes SIZE guest RAM size (bytes, 512M, 2GiB): without a memfd backend,\n"
		"                     the guest columns read QEMU's anonymous mapping of at least that\n"
		"  --trace-pipe FILE  a tracefs instance's trace_pipe to count events from\n"
		"  --events NAMES     the event names enabled there (space or comma separated)\n"
		"SIGTERM/SIGINT: finish and exit 0. SIGUSR1: take the mark named in DIR/mark.req.\n"
		"  --version          print the suite's version\n"
		"APF_PROC_ROOT replaces /proc.\n"
		"Exit: 0 ok, 1 the work failed, 2 bad usage or input, 3 a missing capability.\n");
}

/* A finite decimal in [lo, hi] (lib/num.h: no hex, inf or nan). */
static bool parse_double(const char *a, double lo, double hi, double *out)
{
	double v;

	if (parse_real(a, &v) != 0 || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"pid", required_argument, NULL, 'p'},	      {"tsv", required_argument, NULL, 'o'},
		{"reg", required_argument, NULL, 'r'},	      {"interval", required_argument, NULL, 'i'},
		{"t0", required_argument, NULL, 't'},	      {"trace-pipe", required_argument, NULL, 'T'},
		{"events", required_argument, NULL, 'e'},     {"help", no_argument, NULL, 'h'},
		{"guest-bytes", required_argument, NULL, 'g'}, {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	*o = (struct opts){.interval_s = 0.1, .t0 = -1};
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		int64_t n;
		switch (c) {
		case 'p':
			if (parse_int(optarg, &n) != 0 || n <= 0 || n > INT32_MAX) {
				sampler_warn("bad --pid '%s' (try --help)", optarg);
				return 2;
			}
			o->pid = (long)n;
			break;
		case 'o': o->tsv = optarg; break;
		case 'r': o->reg = optarg; break;
		case 'T': o->trace_pipe = optarg; break;
		case 'g':
			if (parse_size(optarg, &o->guest_bytes) != 0 || o->guest_bytes < (1u << 20)) {
				sampler_warn("bad --guest-bytes '%s': a size (bytes, 512M, 2GiB), at least 1 MiB (try --help)",
					     optarg);
				return 2;
			}
			break;
		case 'e': o->events = optarg; break;
		case 'i':
			if (!parse_double(optarg, 0.01, 60, &o->interval_s)) {
				sampler_warn("bad --interval '%s': seconds, 0.01..60 (try --help)", optarg);
				return 2;
			}
			break;
		case 't':
			if (!parse_double(optarg, 0, 1e11, &o->t0)) {
				sampler_warn("bad --t0 '%s': epoch seconds (try --help)", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf(PROG " %s\n", apf_version()); exit(0);
		default: return 2;
		}
	}
	if (optind != argc || !o->pid || !o->tsv || !o->reg) {
		sampler_warn("--pid, --tsv and --reg are required, nothing else (try --help)");
		return 2;
	}
	return 0;
}

static int finish(struct sampler *s)
{
	trace_drain(&s->tr);
	bool ok = reg_flush(s, true);
	if (fclose(s->tsv) != 0) {
		sampler_warn("closing %s: %s", s->o.tsv, strerror(errno));
		ok = false;
	}
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sampler *s = calloc(1, sizeof(*s)); /* 64 KiB line buffer inside */
	if (!s) {
		sampler_warn("out of memory");
		return 1;
	}
	int rc = parse_args(argc, argv, &s->o);
	if (rc)
		return rc;
	const char *proc = getenv("APF_PROC_ROOT");
	if (!proc || !*proc)
		proc = "/proc";
	pfile_init(&s->stat, proc, s->o.pid, "stat");
	pfile_init(&s->statm, proc, s->o.pid, "statm");
	pfile_init(&s->smaps, proc, s->o.pid, "smaps");
	pfile_init(&s->vmstat, proc, 0, "vmstat");
	pfile_init(&s->psi, proc, 0, "pressure/memory");
	s->page = sysconf(_SC_PAGESIZE);
	s->interval_ns = (int64_t)(s->o.interval_s * NS);

	/* TERM, INT and USR1 arrive through a descriptor, so the loop waits on
	 * one poll and a signal never lands in the middle of a row */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	int sfd;
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 || (sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
		sampler_warn("signalfd: %s", strerror(errno));
		return 1;
	}

	unsigned long long st;
	if (!qemu_stat(s, &s->majflt0, &st)) {
		sampler_warn("no process %ld (%s)", s->o.pid, s->stat.path);
		return 1;
	}
	s->qemu_start = st;
	if (!vmstat_read(s, &s->vm0)) {
		sampler_warn("cannot read pswpin/pswpout/pgmajfault from %s", s->vmstat.path);
		return 1;
	}
	if (!trace_open(&s->tr, s->o.trace_pipe, s->o.events))
		return 2;
	s->tsv = fopen(s->o.tsv, "w");
	if (!s->tsv) {
		sampler_warn("cannot write %s: %s", s->o.tsv, strerror(errno));
		return 1;
	}
	fputs("t_s\tpswpin\tpswpout\tpgmajfault\tqemu_rss_bytes\tguest_rss_bytes\tguest_swap_bytes"
	      "\tqemu_majflt\tpsi_some_avg10\tpsi_full_avg10"
	      "\tapf_try_async\tapf_not_present\tapf_ready\tapf_completed\n", s->tsv);
	fflush(s->tsv);

	/* t_s counts from --t0 (the monitor's start, an epoch time) but runs on
	 * the monotonic clock, so a wall-clock step cannot bend the series */
	int64_t mono = now_ns(CLOCK_MONOTONIC), real = now_ns(CLOCK_REALTIME);
	if (s->o.t0 < 0)
		s->o.t0 = (double)real / NS;
	s->origin_ns = mono - (real - (int64_t)(s->o.t0 * NS));
	s->begun_ns = mono;
	s->last_majflt = s->majflt0;
	qemu_rss(s, &s->peak_rss);
	s->mem_ok = guest_mem(s, &s->grss, &s->gswap);
	if (s->mem_ok)
		s->peak_gswap = s->last_gswap = s->gswap;
	reg_flush(s, false);

	/* rows drain the trace pipe; separate drains only where rows are
	 * further apart than DRAIN_NS (they would add wake-ups otherwise) */
	bool drains = s->tr.fd >= 0 && s->interval_ns > DRAIN_NS;
	int64_t next_row = mono + s->interval_ns, next_reg = mono + REG_EVERY_NS;
	int64_t next_drain = drains ? mono + DRAIN_NS : INT64_MAX;
	for (;;) {
		int64_t now = now_ns(CLOCK_MONOTONIC);
		int64_t until = next_row < next_drain ? next_row : next_drain;
		if (until > now) {
			struct timespec ts = {(until - now) / NS, (until - now) % NS};
			struct pollfd pfd = {.fd = sfd, .events = POLLIN};
			int r = ppoll(&pfd, 1, &ts, NULL);
			if (r < 0 && errno != EINTR) {
				sampler_warn("ppoll: %s", strerror(errno));
				finish(s);
				return 1;
			}
			if (r > 0) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					if (si.ssi_signo == SIGUSR1)
						mark(s);
					else
						return finish(s);
				}
			}
			continue;
		}
		if (now >= next_row) {
			if (!sample(s, now))
				return finish(s);
			/* late (a stalled host): skip the missed rows, keep the phase */
			next_row += s->interval_ns;
			if (next_row <= now)
				next_row += ((now - next_row) / s->interval_ns + 1) * s->interval_ns;
		}
		if (now >= next_drain) {
			trace_drain(&s->tr);
			next_drain += DRAIN_NS;
			if (next_drain <= now)
				next_drain = now + DRAIN_NS;
		}
		if (now >= next_reg) {
			reg_flush(s, false);
			next_reg = now + REG_EVERY_NS;
		}
	}
}
