// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sampler's reads of /proc (see sampler.h): QEMU's stat, statm and
 * smaps, the host's vmstat and PSI. Every file stays open and is re-read
 * from offset 0 into one scratch buffer, so a row costs no open/close.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sampler.h"

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

void pfile_init(struct pfile *f, const char *root, long pid, const char *name)
{
	if (pid)
		snprintf(f->path, sizeof(f->path), "%s/%ld/%s", root, pid, name);
	else
		snprintf(f->path, sizeof(f->path), "%s/%s", root, name);
	f->fd = -1;
}

/* qemu_stat: majflt and starttime from /proc/PID/stat; false when the
 * process is gone, a zombie, or another process under the same pid */
bool qemu_stat(struct sampler *s, uint64_t *majflt, unsigned long long *start)
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

bool qemu_alive_stat(struct sampler *s, uint64_t *majflt)
{
	unsigned long long st;
	return qemu_stat(s, majflt, &st) && st == s->qemu_start;
}

bool qemu_rss(struct sampler *s, uint64_t *rss)
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
bool guest_mem(struct sampler *s, uint64_t *rss, uint64_t *swap)
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
bool vmstat_read(struct sampler *s, struct vmstat *v)
{
	return read_all(s, &s->vmstat) > 0 && key_value(s->buf, "pswpin", &v->pswpin) &&
	       key_value(s->buf, "pswpout", &v->pswpout) && key_value(s->buf, "pgmajfault", &v->pgmajfault);
}

bool psi_read(struct sampler *s, double *some, double *full)
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
