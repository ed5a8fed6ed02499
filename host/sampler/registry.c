// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sampler's registry files (see sampler.h): one value per file,
 * replaced whole (lib/replace.h) as host/pressure-lib/state.sh writes
 * them, and the marks SIGUSR1 asks for.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include "replace.h"
#include "sampler.h"

static bool reg_write(const struct sampler *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool reg_write(const struct sampler *s, const char *key, const char *fmt, ...)
{
	char path[4096];
	struct replace r;
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", s->o.reg, key);
	if (replace_open(&r, PROG, path) != 0)
		return false;
	va_start(ap, fmt);
	vfprintf(r.f, fmt, ap);
	va_end(ap);
	return replace_commit(&r) == 0;
}

bool reg_flush(struct sampler *s, bool final)
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
void mark(struct sampler *s)
{
	char path[4096], name[16] = "";
	snprintf(path, sizeof(path), "%s/mark.req", s->o.reg);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(name, sizeof(name), f)) {
		sampler_warn("mark: cannot read %s", path);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
	if (strcmp(name, "start") && strcmp(name, "stop")) {
		sampler_warn("mark: bad name '%s' in %s", name, path);
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
