// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-self: what the measurement itself costs. Prints the bare clock
 * read, the recorder (clock + histogram + series) per sample, the
 * histogram's memory, and, given the exec helper, the rate of a bare
 * posix_spawn+waitpid loop for exec-storm to be compared against.
 * A benchmark, not a test: it prints figures and asserts nothing.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "clock.h"
#include "hist.h"
#include "series.h"

#define LOOPS 20000000ULL

static double ns_per(uint64_t t0, uint64_t t1, uint64_t n)
{
	return (double)(t1 - t0) / (double)n;
}

static void recorder(void)
{
	struct hist *h = malloc(sizeof(*h));
	struct series s;
	uint64_t t0, t1, sink = 0, prev;
	double clock_ns, rec_ns, hist_ns;

	hist_init(h);
	t0 = now_ns();
	for (uint64_t i = 0; i < LOOPS; i++)
		sink += now_ns();
	t1 = now_ns();
	clock_ns = ns_per(t0, t1, LOOPS);

	t0 = now_ns();
	for (uint64_t i = 0; i < LOOPS; i++)
		hist_record(h, (i * 2654435761ULL) & 0xfffff);
	t1 = now_ns();
	hist_ns = ns_per(t0, t1, LOOPS);

	hist_init(h);
	if (series_init(&s, 100 * NSEC_PER_MSEC, 3600 * NSEC_PER_SEC) != 0) {
		fputs("bench-self: out of memory for the time series\n", stderr);
		exit(1);
	}
	series_start(&s, now_ns());
	prev = now_ns();
	t0 = prev;
	for (uint64_t i = 0; i < LOOPS; i++) {
		uint64_t now = now_ns();

		hist_record(h, now - prev);
		series_record(&s, now, now - prev);
		prev = now;
	}
	t1 = now_ns();
	rec_ns = ns_per(t0, t1, LOOPS);
	printf("clock read (clock_gettime MONOTONIC)   %8.1f ns\n", clock_ns);
	printf("hist_record alone                      %8.1f ns\n", hist_ns);
	printf("clock + hist_record + series_record    %8.1f ns per sample\n", rec_ns);
	printf("recorder cost beyond the clock read    %8.1f ns per sample\n", rec_ns - clock_ns);
	printf("histogram memory                       %8zu bytes (fixed, %u buckets)\n",
	       sizeof(*h), HB_NBUCKETS);
	if (sink == 42)
		puts("");
	series_free(&s);
	free(h);
}

/* Bare posix_spawn+waitpid loop of the exec helper for `secs` seconds. */
static int spawn_loop(const char *helper, double secs)
{
	char *argv[] = { (char *)helper, NULL };
	char *envp[] = { NULL };
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)(secs * 1e9), n = 0, t1;

	do {
		pid_t pid;
		int status;

		if (posix_spawn(&pid, helper, NULL, NULL, argv, envp) != 0 ||
		    waitpid(pid, &status, 0) < 0) {
			perror("bench-self: spawn");
			return 1;
		}
		n++;
	} while ((t1 = now_ns()) < end);
	printf("%.1f\n", (double)n / ((double)(t1 - t0) / 1e9));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "spawn-loop") == 0)
		return spawn_loop(argv[2], atof(argv[3]));
	if (argc != 1) {
		fputs("usage: bench-self | bench-self spawn-loop HELPER SECONDS\n", stderr);
		return 2;
	}
	recorder();
	return 0;
}
