// SPDX-License-Identifier: GPL-2.0-only
/*
 * memfd-hold: a stand-in for QEMU's guest RAM in the pressure tests.
 *
 * Creates a memfd named like QEMU's memory-backend-memfd (so it shows in
 * /proc/PID/maps as `/memfd:memory-backend-memfd (deleted)`), maps it
 * shared, fills it with non-zero pseudo-random bytes (zero pages would be
 * dropped rather than swapped, and zram would compress a pattern to
 * nothing), prints "ready" and holds the mapping until SIGTERM/SIGINT.
 * With --touch it keeps reading one byte per page in random order, so
 * paged-out memory comes back in (major faults), like a guest would.
 *
 * usage: memfd-hold SIZE_MIB [--touch]
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--touch"))) {
		fprintf(stderr, "usage: memfd-hold SIZE_MIB [--touch]\n");
		return 2;
	}
	size_t mib = strtoul(argv[1], NULL, 10);
	if (mib == 0) {
		fprintf(stderr, "memfd-hold: bad size '%s'\n", argv[1]);
		return 2;
	}
	size_t len = mib << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	int fd = memfd_create("memory-backend-memfd", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)len)) {
		fprintf(stderr, "memfd-hold: memfd of %zu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	uint64_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "memfd-hold: mmap: %s\n", strerror(errno));
		return 1;
	}
	uint64_t s = 0x853c49e6748fea9bULL ^ (uint64_t)getpid();
	for (size_t i = 0; i < len / sizeof(*p); i++)
		p[i] = next(&s) | 1;

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("ready\n");
	fflush(stdout);

	volatile uint64_t sink = 0;
	size_t pages = len / page;
	while (!stop_requested) {
		if (argc == 3)
			sink += ((volatile uint8_t *)p)[(next(&s) % pages) * page];
		else
			pause();
	}
	(void)sink;
	return 0;
}
