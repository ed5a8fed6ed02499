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
#include <fcntl.h>
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
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include "version.h"

#define PROG "monitor-sampler"
#define GUEST_MAP "/memfd:memory-backend-memfd"
#define SMAPS_BUDGET 0.005        /* of one core, for smaps alone */
#define DRAIN_NS 100000000LL      /* read the trace pipe at least this often */
#define REG_EVERY_NS 5000000000LL /* registry files refreshed this often */
#define MAX_EVENTS 16
#define NAME_LEN 64
#define LINE_BUF 65536
#define NS 1000000000LL

/* the four host.tsv event columns, in column order */
static const char *const apf_col_event[] = {
	"kvm_try_async_get_page", "kvm_async_pf_not_present",
	"kvm_async_pf_ready", "kvm_async_pf_completed",
};
#define APF_COLS (sizeof(apf_col_event) / sizeof(apf_col_event[0]))

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

static void warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* read_all: the whole file into s->buf (NUL-terminated); length or -1 */
static ssize_t read_all(struct sampler *s, struct pfile *f)
{
	if (f->fd < 0 && (f->fd = open(f->path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		if (s->cap - len < 4096) {
			size_t cap = s->cap ? s->cap * 2 : 65536;
			char *b = realloc(s->buf, cap);
			if (!b) {
				errno = ENOMEM;
				return -1;
			}
			s->buf = b, s->cap = cap;
		}
		ssize_t r = pread(f->fd, s->buf + len, s->cap - len - 1, (off_t)len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(f->fd);
			f->fd = -1;
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	s->buf[len] = '\0';
	return (ssize_t)len;
}

static void pfile_init(struct pfile *f, const char *root, long pid, const char *name)
{
	if (pid)
		snprintf(f->path, sizeof(f->path), "%s/%ld/%s", root, pid, name);
	else
		snprintf(f->path, sizeof(f->path), "%s/%s", root, name);
	f->fd = -1;
}

/* qemu_stat: majflt and starttime from /proc/PID/stat; false when the
 * process is gone, a zombie, or another process under the same pid */
static bool qemu_stat(struct sampler *s, uint64_t *majflt, unsigned long long *start)
{
	if (read_all(s, &s->stat) <= 0)
		return false;
	char *p = strrchr(s->buf, ')');
	if (!p)
		return false;
	/* fields from 3 (state) on; majflt is 12, starttime 22 */
	char *save, *tok = strtok_r(p + 1, " \n", &save);
	unsigned long long mf = 0, st = 0;
	for (int f = 3; tok && f <= 22; f++, tok = strtok_r(NULL, " \n", &save)) {
		if (f == 3 && (tok[0] == 'Z' || tok[0] == 'X'))
			return false;
		if (f == 12)
			mf = strtoull(tok, NULL, 10);
		if (f == 22) {
			st = strtoull(tok, NULL, 10);
			*majflt = mf;
			*start = st;
			return true;
		}
	}
	return false;
}

static bool qemu_alive_stat(struct sampler *s, uint64_t *majflt)
{
	unsigned long long st;
	return qemu_stat(s, majflt, &st) && st == s->qemu_start;
}

static bool qemu_rss(struct sampler *s, uint64_t *rss)
{
	unsigned long long size, res;
	if (read_all(s, &s->statm) <= 0 || sscanf(s->buf, "%llu %llu", &size, &res) != 2)
		return false;
	*rss = res * (uint64_t)s->page;
	return true;
}

/*
 * anon_big: a mapping header without a path (anonymous) at least `min`
 * bytes long. QEMU's anonymous guest RAM (no memory backend, the KVM
 * default: a memfd's swap-in never goes async) is one such mapping of
 * the RAM's size plus alignment; nothing else in QEMU is that big.
 */
static bool anon_big(const char *line, uint64_t min)
{
	unsigned long long a, b, ino;
	int end = 0;
	if (min == 0 || sscanf(line, "%llx-%llx %*s %*s %*s %llu%n", &a, &b, &ino, &end) != 3 || ino)
		return false;
	line += end;
	line += strspn(line, " ");
	return *line == '\0' && b > a && b - a >= min;
}

/*
 * guest_mem: Rss and Swap of the guest RAM in smaps, bytes: the memfd
 * backend's mapping(s), else (with --guest-bytes) the anonymous mapping
 * of at least that size.
 */
static bool guest_mem(struct sampler *s, uint64_t *rss, uint64_t *swap)
{
	if (read_all(s, &s->smaps) < 0)
		return false;
	int in = 0; /* 1 memfd, 2 anonymous RAM */
	uint64_t r[3] = {0}, w[3] = {0};
	char *save, *line;
	for (line = strtok_r(s->buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* a mapping's header starts "start-end perms"; its fields "Name:" */
		size_t hex = strspn(line, "0123456789abcdef");
		if (hex > 0 && line[hex] == '-') {
			in = strstr(line, GUEST_MAP) ? 1 : anon_big(line, s->o.guest_bytes) ? 2 : 0;
			continue;
		}
		if (!in)
			continue;
		if (!strncmp(line, "Rss:", 4))
			r[in] += strtoull(line + 4, NULL, 10) << 10;
		else if (!strncmp(line, "Swap:", 5))
			w[in] += strtoull(line + 5, NULL, 10) << 10;
	}
	int use = r[1] || w[1] || !(r[2] || w[2]) ? 1 : 2;
	*rss = r[use], *swap = w[use];
	return true;
}

/* key_value: the number after "KEY " at the start of a line of buf */
static bool key_value(const char *buf, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	for (const char *p = buf; (p = strstr(p, key)); p += kl) {
		if ((p == buf || p[-1] == '\n') && p[kl] == ' ') {
			*v = strtoull(p + kl + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

/* (strstr, not a sscanf per line: /proc/vmstat has ~180 lines, and a
 * sscanf each cost more than all the other reads of a row together) */
static bool vmstat_read(struct sampler *s, struct vmstat *v)
{
	return read_all(s, &s->vmstat) > 0 && key_value(s->buf, "pswpin", &v->pswpin) &&
	       key_value(s->buf, "pswpout", &v->pswpout) && key_value(s->buf, "pgmajfault", &v->pgmajfault);
}

static bool psi_read(struct sampler *s, double *some, double *full)
{
	if (read_all(s, &s->psi) <= 0)
		return false;
	char *p = strstr(s->buf, "some avg10="), *q = strstr(s->buf, "full avg10=");
	if (!p || !q)
		return false;
	*some = strtod(p + strlen("some avg10="), NULL);
	*full = strtod(q + strlen("full avg10="), NULL);
	return true;
}

/* ---- trace events -------------------------------------------------- */

static int trace_index(const struct trace *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->name[i]) == len && !memcmp(t->name[i], name, len))
			return (int)i;
	return -1;
}

/* trace_line: count one trace_pipe line. The event's name is the word
 * after the timestamp ("  comm-pid  [cpu] flags  12.345678: name: ...");
 * the task name before it may hold spaces, the timestamp cannot. */
static void trace_line(struct trace *t, char *line)
{
	char *lost = strstr(line, "[LOST ");
	if (lost) {
		t->lost += strtoull(lost + strlen("[LOST "), NULL, 10);
		return;
	}
	for (char *w = line; *w;) {
		w += strspn(w, " \t");
		size_t wl = strcspn(w, " \t");
		size_t d = strspn(w, "0123456789");
		if (d > 0 && wl > d + 2 && w[d] == '.' && w[wl - 1] == ':' &&
		    strspn(w + d + 1, "0123456789") == wl - d - 2) {
			char *name = w + wl;
			name += strspn(name, " \t");
			size_t nl = strcspn(name, ": \t");
			if (name[nl] != ':')
				return;
			int i = trace_index(t, name, nl);
			if (i >= 0)
				t->total[i]++, t->row[i]++;
			return;
		}
		w += wl;
	}
}

/* trace_drain: read what the pipe holds now (never waits) and count it */
static void trace_drain(struct trace *t)
{
	if (t->fd < 0)
		return;
	for (;;) {
		if (t->len == sizeof(t->buf) - 1)
			t->len = 0; /* a line longer than the buffer: drop it */
		ssize_t r = read(t->fd, t->buf + t->len, sizeof(t->buf) - 1 - t->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0 && errno != EAGAIN)
				warnx("reading the trace pipe: %s", strerror(errno));
			return;
		}
		t->len += (size_t)r;
		t->buf[t->len] = '\0';
		char *p = t->buf, *nl;
		while ((nl = strchr(p, '\n'))) {
			*nl = '\0';
			trace_line(t, p);
			p = nl + 1;
		}
		t->len -= (size_t)(p - t->buf);
		memmove(t->buf, p, t->len);
	}
}

static bool trace_open(struct trace *t, const char *pipe, const char *events)
{
	t->fd = -1;
	if (!pipe)
		return true;
	for (const char *e = events; e && *e;) {
		e += strspn(e, " ,");
		size_t l = strcspn(e, " ,");
		if (!l)
			break;
		if (l >= NAME_LEN || t->n == MAX_EVENTS) {
			warnx("--events: more than %d names or one longer than %d", MAX_EVENTS, NAME_LEN - 1);
			return false;
		}
		memcpy(t->name[t->n], e, l);
		t->name[t->n++][l] = '\0';
		e += l;
	}
	t->fd = open(pipe, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		warnx("cannot open %s: %s; event columns will be '-'", pipe, strerror(errno));
		t->n = 0;
	}
	return true;
}

/* ---- registry files -------------------------------------------------- */

static bool reg_write(const struct sampler *s, const char *key, const char *fmt, ...)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s", s->o.reg, key);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		warnx("cannot write %s: %s", tmp, strerror(errno));
		return false;
	}
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		warnx("cannot write %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

static bool reg_flush(struct sampler *s, bool final)
{
	bool ok = reg_write(s, "peak.rss", "%" PRIu64 "\n", s->peak_rss) &&
		  reg_write(s, "peak.gswap", "%" PRIu64 "\n", s->peak_gswap) &&
		  reg_write(s, "last.gswap", "%" PRIu64 "\n", s->last_gswap) &&
		  reg_write(s, "last.majflt", "%" PRIu64 "\n", s->last_majflt) &&
		  reg_write(s, "samples", "%lu\n", s->samples) &&
		  reg_write(s, "smaps.reads", "%lu\n", s->smaps_reads);
	if (ok && s->psi_ok)
		ok = reg_write(s, "peak.psi_some", "%.6g\n", s->peak_psi_some) &&
		     reg_write(s, "peak.psi_full", "%.6g\n", s->peak_psi_full);
	if (ok && s->tr.fd >= 0) {
		char counts[MAX_EVENTS * (NAME_LEN + 24)];
		size_t off = 0;
		counts[0] = '\0';
		for (size_t i = 0; i < s->tr.n; i++)
			off += (size_t)snprintf(counts + off, sizeof(counts) - off, "%s %" PRIu64 "\n",
						s->tr.name[i], s->tr.total[i]);
		ok = reg_write(s, "trace.counts", "%s", counts) &&
		     reg_write(s, "trace.lost", "%" PRIu64 "\n", s->tr.lost);
	}
	if (ok && final) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			     (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		ok = reg_write(s, "sampler.cpu_s", "%.6f\n", cpu) &&
		     reg_write(s, "sampler.wall_s", "%.6f\n",
			       (double)(now_ns(CLOCK_MONOTONIC) - s->begun_ns) / NS);
	}
	return ok;
}

/* mark: the counters now, for host.json's "measured" (monitor mark) */
static void mark(struct sampler *s)
{
	char path[4096], name[16] = "";
	snprintf(path, sizeof(path), "%s/mark.req", s->o.reg);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(name, sizeof(name), f)) {
		warnx("mark: cannot read %s", path);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
	if (strcmp(name, "start") && strcmp(name, "stop")) {
		warnx("mark: bad name '%s' in %s", name, path);
		return;
	}
	int64_t t = now_ns(CLOCK_MONOTONIC) - s->origin_ns;
	trace_drain(&s->tr);
	struct vmstat v;
	uint64_t mf;
	bool vm_ok = vmstat_read(s, &v), mf_ok = qemu_alive_stat(s, &mf);
	char text[4096];
	/* boot: the clock of the monitor's buffered trace events, which
	 * host/monitor counts between the marks */
	size_t off = (size_t)snprintf(text, sizeof(text), "t_s %.3f\nepoch %.6f\nboot %.6f\n",
				      (double)t / NS, s->o.t0 + (double)t / NS,
				      (double)now_ns(CLOCK_BOOTTIME) / NS);
	if (vm_ok)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"pswpin %" PRIu64 "\npswpout %" PRIu64 "\npgmajfault %" PRIu64 "\n",
					v.pswpin, v.pswpout, v.pgmajfault);
	if (mf_ok)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "qemu_majflt %" PRIu64 "\n", mf);
	for (size_t i = 0; s->tr.fd >= 0 && i < s->tr.n; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s %" PRIu64 "\n",
					s->tr.name[i], s->tr.total[i]);
	snprintf(path, sizeof(path), "mark-%s", name);
	reg_write(s, path, "%s", text);
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
		warnx("writing %s: %s", s->o.tsv, strerror(errno));

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
		"                       [--guest-bytes N] [--trace-pipe FILE --events NAME,...]\n"
		"  --pid PID          the QEMU process (stops when it is gone)\n"
		"  --tsv FILE         host.tsv to write (header, then one row per interval)\n"
		"  --reg DIR          host/monitor's registry entry: peaks, counts, marks\n"
		"  --interval SEC     seconds between rows, 0.01..60 (default 0.1)\n"
		"  --t0 EPOCH         epoch seconds that t_s counts from (default: now)\n"
		"  --guest-bytes N    guest RAM size: without a memfd backend, the guest columns\n"
		"                     read QEMU's anonymous mapping of at least N bytes\n"
		"  --trace-pipe FILE  a tracefs instance's trace_pipe to count events from\n"
		"  --events NAMES     the event names enabled there (space or comma separated)\n"
		"SIGTERM/SIGINT: finish and exit 0. SIGUSR1: take the mark named in DIR/mark.req.\n"
		"  --version          print the suite's version\n"
		"APF_PROC_ROOT replaces /proc.\n"
		"Exit: 0 ok, 1 the work failed, 2 bad usage or input, 3 a missing capability.\n");
}

static bool parse_double(const char *a, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(a, &end);
	if (errno || end == a || *end || !(v >= lo && v <= hi))
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
		char *end;
		switch (c) {
		case 'p':
			errno = 0;
			o->pid = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o->pid <= 0) {
				warnx("bad --pid '%s' (try --help)", optarg);
				return 2;
			}
			break;
		case 'o': o->tsv = optarg; break;
		case 'r': o->reg = optarg; break;
		case 'T': o->trace_pipe = optarg; break;
		case 'g':
			errno = 0;
			o->guest_bytes = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || o->guest_bytes < (1u << 20)) {
				warnx("bad --guest-bytes '%s': bytes, at least 1 MiB (try --help)", optarg);
				return 2;
			}
			break;
		case 'e': o->events = optarg; break;
		case 'i':
			if (!parse_double(optarg, 0.01, 60, &o->interval_s)) {
				warnx("bad --interval '%s': seconds, 0.01..60 (try --help)", optarg);
				return 2;
			}
			break;
		case 't':
			if (!parse_double(optarg, 0, 1e11, &o->t0)) {
				warnx("bad --t0 '%s': epoch seconds (try --help)", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf(PROG " %s\n", apf_version()); exit(0);
		default: return 2;
		}
	}
	if (optind != argc || !o->pid || !o->tsv || !o->reg) {
		warnx("--pid, --tsv and --reg are required, nothing else (try --help)");
		return 2;
	}
	return 0;
}

static int finish(struct sampler *s)
{
	trace_drain(&s->tr);
	bool ok = reg_flush(s, true);
	if (fclose(s->tsv) != 0) {
		warnx("closing %s: %s", s->o.tsv, strerror(errno));
		ok = false;
	}
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sampler *s = calloc(1, sizeof(*s)); /* 64 KiB line buffer inside */
	if (!s) {
		warnx("out of memory");
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
		warnx("signalfd: %s", strerror(errno));
		return 1;
	}

	unsigned long long st;
	if (!qemu_stat(s, &s->majflt0, &st)) {
		warnx("no process %ld (%s)", s->o.pid, s->stat.path);
		return 1;
	}
	s->qemu_start = st;
	if (!vmstat_read(s, &s->vm0)) {
		warnx("cannot read pswpin/pswpout/pgmajfault from %s", s->vmstat.path);
		return 1;
	}
	if (!trace_open(&s->tr, s->o.trace_pipe, s->o.events))
		return 2;
	s->tsv = fopen(s->o.tsv, "w");
	if (!s->tsv) {
		warnx("cannot write %s: %s", s->o.tsv, strerror(errno));
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
				warnx("ppoll: %s", strerror(errno));
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
