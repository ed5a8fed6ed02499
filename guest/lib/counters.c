// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest counters and environment (see counters.h). Everything is read from
 * /proc and CPUID, which exist in the smallest initramfs.
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "counters.h"
#include "machine.h"

#define KVM_CPUID_SIGNATURE 0x40000000u
#define KVM_CPUID_FEATURES  0x40000001u
#define KVM_FEATURE_ASYNC_PF     4
#define KVM_FEATURE_ASYNC_PF_INT 14

static int64_t vmstat_value(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	return -1;
}

static int64_t steal_ms(void)
{
	char line[512];
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK);
	int got;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	got = sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		     &v[3], &v[4], &v[5], &v[6], &v[7]);
	if (got < 8 || hz <= 0)
		return -1;
	return (int64_t)(v[7] * 1000ULL / (unsigned long long)hz);
}

/* Sum of the per-CPU columns of the "HYP:" line; -1 when the line is absent. */
static int64_t hyp_irqs(void)
{
	char line[4096];
	FILE *f = fopen("/proc/interrupts", "r");
	int64_t total = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		while (*p == ' ')
			p++;
		if (strncmp(p, "HYP:", 4) != 0)
			continue;
		total = 0;
		for (p += 4;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			total += v;
		}
		break;
	}
	fclose(f);
	return total;
}

static int64_t tv_us(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* RUSAGE_CHILDREN counts children once they are waited for. */
static void cpu_usage(struct guest_counters *c)
{
	struct rusage self, kids;

	c->usr_us = c->sys_us = c->nvcsw = c->nivcsw = -1;
	if (getrusage(RUSAGE_SELF, &self) != 0 || getrusage(RUSAGE_CHILDREN, &kids) != 0)
		return;
	c->usr_us = tv_us(self.ru_utime) + tv_us(kids.ru_utime);
	c->sys_us = tv_us(self.ru_stime) + tv_us(kids.ru_stime);
	c->nvcsw = self.ru_nvcsw + kids.ru_nvcsw;
	c->nivcsw = self.ru_nivcsw + kids.ru_nivcsw;
}

void counters_read(struct guest_counters *c)
{
	static const size_t len = 64 * 1024;
	char *buf = malloc(len);

	c->pgmajfault = c->pswpin = c->pswpout = -1;
	if (buf && read_small_file("/proc/vmstat", buf, len) == 0) {
		c->pgmajfault = vmstat_value(buf, "pgmajfault");
		c->pswpin = vmstat_value(buf, "pswpin");
		c->pswpout = vmstat_value(buf, "pswpout");
	}
	free(buf);
	c->steal_ms = steal_ms();
	c->hyp_irqs = hyp_irqs();
	cpu_usage(c);
}

static int64_t sub(int64_t a, int64_t b)
{
	return (a < 0 || b < 0) ? -1 : a - b;
}

void counters_delta(struct guest_counters *d, const struct guest_counters *b,
		    const struct guest_counters *a)
{
	d->pgmajfault = sub(a->pgmajfault, b->pgmajfault);
	d->pswpin = sub(a->pswpin, b->pswpin);
	d->pswpout = sub(a->pswpout, b->pswpout);
	d->steal_ms = sub(a->steal_ms, b->steal_ms);
	d->hyp_irqs = sub(a->hyp_irqs, b->hyp_irqs);
	d->usr_us = sub(a->usr_us, b->usr_us);
	d->sys_us = sub(a->sys_us, b->sys_us);
	d->nvcsw = sub(a->nvcsw, b->nvcsw);
	d->nivcsw = sub(a->nivcsw, b->nivcsw);
}

const char *apf_mode_effective(bool kvm, bool apf, bool apf_int, bool no_kvmapf)
{
	if (!kvm)
		return "none";
	if (!apf)
		return "apf-off";
	if (no_kvmapf)
		return "guest-off";
	/* Guests since 5.9 enable async PF only with interrupt delivery. */
	return apf_int ? "apf-on" : "no-int";
}

uint64_t mem_total_bytes(void)
{
	return meminfo_bytes("MemTotal");
}

static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = strstr(s, w); p; p = strstr(p + 1, w))
		if ((p == s || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

void env_probe(struct guest_env *e)
{
	struct utsname u;
	unsigned int eax, ebx, ecx, edx;
	char *nl;

	memset(e, 0, sizeof(*e));
	if (uname(&u) == 0)
		snprintf(e->kernel_release, sizeof(e->kernel_release), "%s", u.release);
	if (read_small_file("/proc/cmdline", e->cmdline, sizeof(e->cmdline)) == 0 &&
	    (nl = strchr(e->cmdline, '\n')))
		*nl = '\0';
	e->vcpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	e->memory_bytes = mem_total_bytes();
	__cpuid(1, eax, ebx, ecx, edx);
	if (ecx & (1u << 31)) {		/* hypervisor present */
		char sig[13];

		__cpuid(KVM_CPUID_SIGNATURE, eax, ebx, ecx, edx);
		memcpy(sig, &ebx, 4);
		memcpy(sig + 4, &ecx, 4);
		memcpy(sig + 8, &edx, 4);
		sig[12] = '\0';
		e->kvm = strcmp(sig, "KVMKVMKVM") == 0 && eax >= KVM_CPUID_FEATURES;
	}
	if (e->kvm) {
		__cpuid(KVM_CPUID_FEATURES, eax, ebx, ecx, edx);
		e->apf = eax & (1u << KVM_FEATURE_ASYNC_PF);
		e->apf_int = eax & (1u << KVM_FEATURE_ASYNC_PF_INT);
	}
	e->no_kvmapf = has_word(e->cmdline, "no-kvmapf");
	e->mode_effective = apf_mode_effective(e->kvm, e->apf, e->apf_int, e->no_kvmapf);
}
