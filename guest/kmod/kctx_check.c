// SPDX-License-Identifier: GPL-2.0-only
/*
 * apf-kctx-check: in-guest checks of the apf_kctx module's ABI, the part
 * of its contract that only shows from inside the guest: bounds give
 * -EINVAL, a concurrent request gets -EBUSY, every context gives an exact
 * per-page count, and the module unloads and reloads cleanly (refusing to
 * go while a file is open, even mid-pass).
 *
 * Static, libc only, carried by the initramfs (guest/kmod/initramfs.list).
 * Prints TAP-like lines ("ok - what", "not ok - what", "# note") that the
 * host-side tests (tests/kmod/) pick out of the guest console, and ends
 * with "apf-kctx-check: N failed". Exit 0 when nothing failed, 1 otherwise,
 * 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apf_kctx_abi.h"
#include "hist_buckets.h"

struct check {
	unsigned int failed;
	const char *ko;		/* module file for the reload checks, or NULL */
	uint64_t busy_bytes;	/* buffer of the long pass in the -EBUSY check */
};

static void report(struct check *c, bool good, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct check *c, bool good, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", good ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!good)
		c->failed++;
}

/* ioctl returning 0 or -errno. */
static int kioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) == 0 ? 0 : -errno;
}

static void expect_err(struct check *c, int got, int want, const char *what)
{
	if (got == -want)
		report(c, true, "%s gives %s", what, strerrorname_np(want));
	else
		report(c, false, "%s gives %s (saw %s)", what, strerrorname_np(want),
		       got ? strerrorname_np(-got) : "success");
}

static int kopen(void)
{
	return open(APF_KCTX_DEV, O_RDWR | O_CLOEXEC);
}

static int kalloc(int fd, uint64_t bytes, uint64_t seed)
{
	struct apf_kctx_alloc a = { .bytes = bytes, .seed = seed };

	return kioctl(fd, APF_KCTX_IOC_ALLOC, &a);
}

static void pass_init(struct apf_kctx_pass *p, uint64_t *buckets, uint32_t ctx, uint32_t chunk)
{
	memset(p, 0, sizeof(*p));
	p->context = ctx;
	p->chunk_pages = chunk;
	p->nbuckets = HB_NBUCKETS;
	p->buckets = (uintptr_t)buckets;
}

static uint64_t bucket_sum(const uint64_t *b)
{
	uint64_t s = 0;

	for (unsigned int i = 0; i < HB_NBUCKETS; i++)
		s += b[i];
	return s;
}

static int top_bucket(const uint64_t *b)
{
	for (int i = HB_NBUCKETS - 1; i >= 0; i--)
		if (b[i])
			return i;
	return -1;
}

static void check_device(struct check *c)
{
	struct stat st;

	if (stat(APF_KCTX_DEV, &st) != 0) {
		report(c, false, "%s exists (%s)", APF_KCTX_DEV, strerror(errno));
		return;
	}
	report(c, S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600 && st.st_uid == 0,
	       "%s is a root-only char device (mode %04o uid %u)", APF_KCTX_DEV,
	       (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid);
}

static void check_nonroot(struct check *c)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		_exit(kopen() < 0 && (errno == EACCES || errno == EPERM) ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		report(c, false, "non-root open refused (fork/wait: %s)", strerror(errno));
		return;
	}
	report(c, WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "non-root open refused (child status %d)", status);
}

static void check_bounds(struct check *c, int fd, const struct apf_kctx_info *info)
{
	static uint64_t buckets[HB_NBUCKETS];
	struct apf_kctx_pass p;

	pass_init(&p, buckets, APF_KCTX_PLAIN, 1);
	expect_err(c, kioctl(fd, APF_KCTX_IOC_PASS, &p), ENODATA, "pass before alloc");
	expect_err(c, kalloc(fd, 0, 1), EINVAL, "alloc of 0 bytes");
	expect_err(c, kalloc(fd, APF_KCTX_MIN_BYTES - 1, 1), EINVAL, "alloc below the minimum");
	expect_err(c, kalloc(fd, info->max_bytes + 1, 1), EINVAL, "alloc above max_bytes");
	expect_err(c, kalloc(fd, UINT64_MAX, 1), EINVAL, "alloc of 2^64-1 bytes");
	if (kalloc(fd, 1 << 20, 1) != 0) {
		report(c, false, "alloc of 1 MiB (%s)", strerror(errno));
		return;
	}
	report(c, true, "alloc of 1 MiB");

	pass_init(&p, buckets, APF_KCTX_NCONTEXTS, 1);
	expect_err(c, kioctl(fd, APF_KCTX_IOC_PASS, &p), EINVAL, "pass with context out of range");
	pass_init(&p, buckets, APF_KCTX_PLAIN, 0);
	expect_err(c, kioctl(fd, APF_KCTX_IOC_PASS, &p), EINVAL, "pass with chunk_pages 0");
	pass_init(&p, buckets, APF_KCTX_PLAIN, info->max_chunk_pages + 1);
	expect_err(c, kioctl(fd, APF_KCTX_IOC_PASS, &p), EINVAL, "pass with chunk_pages above max");
	pass_init(&p, buckets, APF_KCTX_PLAIN, 1);
	p.flags = ~APF_KCTX_F_ALL;
	expect_err(c, kioctl(fd, APF_KCTX_IOC_PASS, &p), EINVAL, "pass with unknown flags");
	pass_init(&p, buckets, APF_KCTX_PLAIN, 1);
	p.nbuckets = HB_NBUCKETS - 1;
	expect_err(c, kioctl(fd, APF_KCTX_IOC_PASS, &p), EINVAL, "pass with a wrong bucket count");
	pass_init(&p, NULL, APF_KCTX_PLAIN, 1);
	expect_err(c, kioctl(fd, APF_KCTX_IOC_PASS, &p), EINVAL, "pass without a bucket array");
	pass_init(&p, (uint64_t *)8, APF_KCTX_PLAIN, 1);
	expect_err(c, kioctl(fd, APF_KCTX_IOC_PASS, &p), EFAULT, "pass with a bad bucket pointer");
	expect_err(c, kioctl(fd, _IO(APF_KCTX_IOC_MAGIC, 0x7f), NULL), ENOTTY, "unknown ioctl");
}

/* A pass in every context on a 1 MiB buffer: exact counts and sane figures. */
static void check_contexts(struct check *c, int fd)
{
	static const char *const names[] = { "plain", "irqoff", "preemptoff", "rcu" };
	static uint64_t buckets[HB_NBUCKETS];
	const uint64_t pages = (1 << 20) / (uint64_t)sysconf(_SC_PAGESIZE);
	const uint32_t chunk = 7;
	uint64_t sum0 = 0;
	struct apf_kctx_pass p;

	for (uint32_t ctx = 0; ctx < APF_KCTX_NCONTEXTS; ctx++) {
		int err, top;

		pass_init(&p, buckets, ctx, chunk);
		memset(buckets, 0xff, sizeof(buckets));
		err = kioctl(fd, APF_KCTX_IOC_PASS, &p);
		if (err) {
			report(c, false, "pass in %s (%s)", names[ctx], strerror(-err));
			continue;
		}
		top = top_bucket(buckets);
		report(c, p.pages == pages && bucket_sum(buckets) == pages,
		       "pass in %s: %llu pages, buckets sum %llu", names[ctx],
		       (unsigned long long)p.pages, (unsigned long long)bucket_sum(buckets));
		report(c, p.chunks == (pages + chunk - 1) / chunk,
		       "pass in %s: %llu chunks of %u pages", names[ctx],
		       (unsigned long long)p.chunks, chunk);
		report(c, top >= 0 && (unsigned int)top == hb_index(p.slowest_ns) &&
			  p.min_ns <= p.slowest_ns && p.sum_ns <= p.total_ns &&
			  p.max_chunk_ns <= p.total_ns && p.slowest_page < pages,
		       "pass in %s: slowest page %llu ns (page %llu) in the top bucket, total %llu ns",
		       names[ctx], (unsigned long long)p.slowest_ns,
		       (unsigned long long)p.slowest_page, (unsigned long long)p.total_ns);
		if (ctx == 0)
			sum0 = p.checksum;
		else
			report(c, p.checksum == sum0, "pass in %s reads what plain read", names[ctx]);
	}
	/* A write pass rotates every word by one: the next read sees rol(sum). */
	pass_init(&p, buckets, APF_KCTX_IRQOFF, chunk);
	p.flags = APF_KCTX_F_WRITE;
	if (kioctl(fd, APF_KCTX_IOC_PASS, &p) == 0) {
		pass_init(&p, buckets, APF_KCTX_PLAIN, chunk);
		report(c, kioctl(fd, APF_KCTX_IOC_PASS, &p) == 0 &&
			  p.checksum == ((sum0 << 1) | (sum0 >> 63)),
		       "a write pass changes every page as documented");
	} else {
		report(c, false, "write pass (%s)", strerror(errno));
	}
}

struct long_pass {
	int fd;
	uint32_t context;
	atomic_bool running, done;
	int err;
	int busy_retries;
	struct apf_kctx_pass p;
	uint64_t buckets[HB_NBUCKETS];
};

/* Runs one pass, retrying while the other side holds the module busy. */
static void *long_pass_thread(void *arg)
{
	struct long_pass *lp = arg;

	do {
		pass_init(&lp->p, lp->buckets, lp->context, APF_KCTX_DEF_CHUNK_PAGES);
		atomic_store(&lp->running, true);
		lp->err = kioctl(lp->fd, APF_KCTX_IOC_PASS, &lp->p);
	} while (lp->err == -EBUSY && ++lp->busy_retries < 1000000);
	atomic_store(&lp->done, true);
	return NULL;
}

static int long_pass_start(struct long_pass *lp, pthread_t *t)
{
	atomic_store(&lp->running, false);
	atomic_store(&lp->done, false);
	lp->busy_retries = 0;
	return pthread_create(t, NULL, long_pass_thread, lp);
}

static void check_busy(struct check *c)
{
	static struct long_pass lp = { .context = APF_KCTX_PLAIN };
	static uint64_t buckets[HB_NBUCKETS];
	struct apf_kctx_pass p;
	int fd2 = -1, round, busy = 0, other = 0;
	pthread_t t;

	lp.fd = kopen();
	fd2 = kopen();
	if (lp.fd < 0 || fd2 < 0 || kalloc(lp.fd, c->busy_bytes, 2) || kalloc(fd2, 4096, 3)) {
		report(c, false, "-EBUSY setup: two files, two buffers (%s)", strerror(errno));
		goto out;
	}
	/* Tiny passes on the second file race one long pass on the first. */
	for (round = 0; round < 5 && !busy; round++) {
		if (long_pass_start(&lp, &t) != 0) {
			report(c, false, "-EBUSY: thread (%s)", strerror(errno));
			goto out;
		}
		while (!atomic_load(&lp.running))
			;
		while (!atomic_load(&lp.done)) {
			int err;

			pass_init(&p, buckets, APF_KCTX_PLAIN, 1);
			err = kioctl(fd2, APF_KCTX_IOC_PASS, &p);
			if (err == -EBUSY)
				busy++;
			else if (err)
				other = err;
		}
		pthread_join(t, NULL);
		if (lp.err)
			break;
	}
	report(c, busy > 0 && !other, "a request during another file's pass gives EBUSY (%d seen in %d round(s))",
	       busy, round);
	report(c, lp.err == 0 && lp.p.pages == c->busy_bytes / 4096 &&
		  bucket_sum(lp.buckets) == lp.p.pages,
	       "the long pass still completes with exact counts (%s)",
	       lp.err ? strerror(-lp.err) : "ok");
out:
	if (lp.fd >= 0)
		close(lp.fd);
	if (fd2 >= 0)
		close(fd2);
}

static bool wait_for_dev(bool present)
{
	for (int i = 0; i < 200; i++) {
		if ((access(APF_KCTX_DEV, F_OK) == 0) == present)
			return true;
		usleep(10000);
	}
	return false;
}

static int load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) == 0 ? 0 : -errno;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, APF_KCTX_NAME, O_NONBLOCK) == 0 ? 0 : -errno;
}

static void check_reload(struct check *c)
{
	static struct long_pass lp = { .context = APF_KCTX_IRQOFF };
	static uint64_t buckets[HB_NBUCKETS];
	struct apf_kctx_pass p;
	pthread_t t;
	int err, fd;

	lp.fd = kopen();
	if (lp.fd < 0 || kalloc(lp.fd, c->busy_bytes, 4)) {
		report(c, false, "reload setup (%s)", strerror(errno));
		return;
	}
	if (long_pass_start(&lp, &t) != 0) {
		report(c, false, "reload: thread (%s)", strerror(errno));
		close(lp.fd);
		return;
	}
	while (!atomic_load(&lp.running))
		;
	err = unload();
	report(c, err == -EWOULDBLOCK || err == -EBUSY,
	       "unload while a file is open (mid-pass: %s) is refused (%s)",
	       atomic_load(&lp.done) ? "no, pass over" : "yes",
	       err ? strerrorname_np(-err) : "it unloaded!");
	pthread_join(t, NULL);
	report(c, lp.err == 0 && bucket_sum(lp.buckets) == lp.p.pages,
	       "that pass completes normally");
	close(lp.fd);

	err = unload();
	report(c, err == 0, "unload once closed (%s)", err ? strerror(-err) : "ok");
	report(c, wait_for_dev(false), "%s goes away", APF_KCTX_DEV);
	err = load(c->ko);
	report(c, err == 0, "load again from %s (%s)", c->ko, err ? strerror(-err) : "ok");
	err = load(c->ko);
	report(c, err == -EEXIST, "loading it twice gives EEXIST (%s)",
	       err ? strerrorname_np(-err) : "success");
	report(c, wait_for_dev(true), "%s is back", APF_KCTX_DEV);
	fd = kopen();
	pass_init(&p, buckets, APF_KCTX_RCU, APF_KCTX_DEF_CHUNK_PAGES);
	report(c, fd >= 0 && kalloc(fd, 1 << 20, 5) == 0 &&
		  kioctl(fd, APF_KCTX_IOC_PASS, &p) == 0 && bucket_sum(buckets) == p.pages,
	       "the reloaded module runs a pass");
	if (fd >= 0)
		close(fd);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: apf-kctx-check [--ko PATH] [--busy-mib N]\n"
		   "  --ko PATH      the module file: also check unload and reload\n"
		   "  --busy-mib N   buffer of the long pass racing other requests (default 64)\n"
		   "Checks the loaded apf_kctx module from inside the guest; prints\n"
		   "ok/not ok lines. Exit 0 all passed, 1 some failed, 2 bad usage.\n");
}

int main(int argc, char **argv)
{
	struct check c = { .busy_bytes = 64ULL << 20 };
	struct apf_kctx_info info;
	int fd;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--ko") && i + 1 < argc) {
			c.ko = argv[++i];
		} else if (!strcmp(argv[i], "--busy-mib") && i + 1 < argc) {
			char *end;
			unsigned long mib = strtoul(argv[++i], &end, 10);

			if (*end || mib < 1 || mib > 4096) {
				fprintf(stderr, "apf-kctx-check: --busy-mib wants 1..4096, got '%s'\n", argv[i]);
				return 2;
			}
			c.busy_bytes = (uint64_t)mib << 20;
		} else {
			fprintf(stderr, "apf-kctx-check: unknown argument '%s' (try --help)\n", argv[i]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_device(&c);
	fd = kopen();
	if (fd < 0) {
		report(&c, false, "open %s (%s): is apf_kctx loaded?", APF_KCTX_DEV, strerror(errno));
		printf("apf-kctx-check: %u failed\n", c.failed);
		return 1;
	}
	if (kioctl(fd, APF_KCTX_IOC_INFO, &info) != 0) {
		report(&c, false, "info ioctl (%s)", strerror(errno));
		close(fd);
		printf("apf-kctx-check: %u failed\n", c.failed);
		return 1;
	}
	report(&c, info.abi_version == APF_KCTX_ABI_VERSION && info.nbuckets == HB_NBUCKETS &&
		   info.page_size == (uint32_t)sysconf(_SC_PAGESIZE),
	       "info: abi %u, %u buckets, page %u, max %llu bytes", info.abi_version,
	       info.nbuckets, info.page_size, (unsigned long long)info.max_bytes);
	check_nonroot(&c);
	check_bounds(&c, fd, &info);
	check_contexts(&c, fd);
	close(fd);
	check_busy(&c);
	if (c.ko)
		check_reload(&c);
	else
		printf("ok - unload and reload # SKIP no --ko given\n");
	printf("apf-kctx-check: %u failed\n", c.failed);
	return c.failed ? 1 : 0;
}
