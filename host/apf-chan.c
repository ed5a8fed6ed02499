// SPDX-License-Identifier: GPL-2.0-only
/*
 * apf-chan: host/apf-vm's reads from the guest's control port (the
 * protocol is host/init-channel.sh's), waiting in poll() instead of a
 * shell loop of sleeps. host/vm-lib/channel.sh runs it once per line and
 * once per file, with the channel FIFO on stdin.
 *
 *   apf-chan line --deadline-us T --pid P [--pid-start S] [--wedge-log F]
 *   apf-chan file --size N --out FILE --deadline-us T --pid P [--pid-start S]
 *   apf-chan files --dir D --deadline-us T --pid P [--pid-start S] [--wedge-log F]
 *
 * files is line and file in one process: every FILE/FILEZ line's bytes go
 * into D, up to the first other line. A cell's result files used to cost
 * three execs each (a line, a file, a sum); now its whole collection is
 * one, and one sha256sum for all files.
 *
 * apf-vm holds both ends of the FIFO, so the channel never ends when QEMU
 * does: QEMU's death is seen through a pidfd in the same poll() (or by
 * /proc every 100 ms where pidfd_open is missing), and whatever QEMU wrote
 * before it exited is read first. A line is read one byte at a time, so
 * what follows its newline stays in the FIFO for the next call; a file
 * reads exactly N bytes, never one past them.
 *
 * Times are the wall clock in microseconds (bash's EPOCHREALTIME, as
 * apf-vm keeps its deadlines).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "exitcodes.h"
#include "num.h"
#include "version.h"

#define PROG "apf-chan"
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* The give-ups, apart from the suite's 0-3 (README "Exit codes"). */
enum {
	CHAN_DEADLINE = 10,	/* --deadline-us passed first */
	CHAN_GONE = 11,		/* QEMU (--pid) exited, or the FIFO's writers all closed */
	CHAN_WEDGED = 12,	/* line: --wedge-log reports a CPU stuck >= 60 s */
	CHAN_SLOW = 13,		/* file: slower than 10 kB/s (after a minute's grace) */
	CHAN_BAD = 14,		/* files: a FILE line with a bad name or length */
};

#define LINE_MAX_BYTES 4096
/* files: the largest file a guest may send (result files are KBs) */
#define FILE_MAX_BYTES (UINT64_C(256) << 20)
#define WEDGE_MIN_S 60
/* A silent channel looks at the console after this, then every second. */
#define WEDGE_FIRST_US 500000
#define WEDGE_EVERY_US 1000000
/* Where there is no pidfd: how often /proc says whether QEMU lives. */
#define PROC_POLL_MS 100
/* The console's tail that is searched for a lock-up report. */
#define WEDGE_SCAN_BYTES (16 << 20)

struct chan {
	int fd;			/* the channel (stdin) */
	pid_t pid;		/* QEMU */
	bool have_start;	/* pid_start given: PID reuse is told apart */
	uint64_t pid_start;	/* /proc/PID/stat field 22, as apf-vm recorded it */
	int pidfd;		/* -1: none (gone at the start, or no pidfd_open) */
	bool gone;		/* QEMU is known to have exited */
	int64_t deadline_us;
	const char *wedge_log;
};

enum wait_result { WAIT_READABLE, WAIT_TIMEOUT, WAIT_GONE, WAIT_ERROR };

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " line --deadline-us T --pid P [--pid-start S] [--wedge-log FILE]\n"
		"       " PROG " file --size N --out FILE --deadline-us T --pid P [--pid-start S]\n"
		"       " PROG " files --dir D --deadline-us T --pid P [--pid-start S] [--wedge-log FILE]\n"
		"Read host/apf-vm's control channel (stdin, a FIFO) with poll(), giving up at\n"
		"the deadline or when QEMU exits (what it wrote before is read first).\n"
		"  line   one line, up to its newline (nothing after it is read), at most\n"
		"         %d bytes; printed without its \\r\\n (NUL bytes dropped)\n"
		"  file   exactly N bytes into FILE (created or truncated); prints the bytes\n"
		"         received, also when it gives up. A file slower than 10 kB/s (a\n"
		"         budget of 60 s + N/10000 s) is given up on\n"
		"  files  lines; each `FILE|FILEZ NAME BYTES SHA256` line's bytes (as file)\n"
		"         into D/NAME (D/NAME.gz for FILEZ), up to the first other line.\n"
		"         Prints `F WORD NAME BYTES SHA256 US` per file received (US: when\n"
		"         its line came), then `L LINE`; on a give-up within a file\n"
		"         `P NAME GOT BYTES`, on a bad FILE line `B WHAT`, wedged `W WHY`.\n"
		"         Sums are not checked: that is one sha256sum for all files.\n"
		"         NAME is [A-Za-z0-9._-]+, BYTES at most 256M\n"
		"  --deadline-us T  the wall clock (microseconds since 1970, as bash's\n"
		"                   EPOCHREALTIME) to give up at\n"
		"  --pid P          QEMU's PID; --pid-start S its start time (/proc/P/stat\n"
		"                   field 22), so a reused PID counts as gone\n"
		"  --wedge-log F    line: a console where a soft-lockup report of a CPU stuck\n"
		"                   for %d s or more ends the wait (looked at after 0.5 s of\n"
		"                   silence, then every second)\n"
		"  --version        print the suite's version\n"
		"Exit: 0 ok, 1 the work failed (a read or write error), 2 bad usage,\n"
		"10 the deadline passed, 11 QEMU exited (or the FIFO's writers closed),\n"
		"12 (line, files) the console shows a locked-up CPU: stdout says so instead\n"
		"of a line, 13 (file, files) slower than 10 kB/s, 14 (files) a bad FILE line.\n",
		LINE_MAX_BYTES, WEDGE_MIN_S);
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, PROG ": %s%s%s (try --help)\n", msg, arg ? " " : "", arg ? arg : "");
	return APF_EXIT_USAGE;
}

/* proc_alive: /proc/PID/stat shows a live process of the recorded start. */
static bool proc_alive(const struct chan *c)
{
	char path[64], buf[1024], *p, *tok, *save = NULL;
	uint64_t start = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* comm may hold blanks and parentheses: the fields follow the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return false;
	p += 2;
	if (*p == 'Z' || *p == 'X' || *p == 'x')
		return false;
	if (!c->have_start)
		return true;
	/* the state is field 3; the start time field 22 */
	for (field = 3, tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save), field++) {
		if (field == 22) {
			if (parse_uint(tok, &start) != 0)
				return false;
			return start == c->pid_start;
		}
	}
	return false;
}

/*
 * watch_pid: a pidfd for QEMU, opened before /proc is asked, so the pidfd
 * names the process /proc vouched for. Sets gone when it is not there.
 */
static void watch_pid(struct chan *c)
{
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (c->pidfd < 0 && errno == ESRCH)
		c->gone = true;
	if (!proc_alive(c))
		c->gone = true;
	if (c->gone && c->pidfd >= 0) {
		close(c->pidfd);
		c->pidfd = -1;
	}
}

/*
 * wait_readable: until the channel has bytes (or its writers closed), QEMU
 * is gone with nothing left in the FIFO, or UNTIL_US passes. Bytes QEMU
 * wrote before exiting count as readable.
 */
static enum wait_result wait_readable(struct chan *c, int64_t until_us)
{
	for (;;) {
		struct pollfd pf[2] = {
			{ .fd = c->fd, .events = POLLIN },
			{ .fd = c->pidfd, .events = POLLIN },
		};
		int64_t left = until_us - now_us();
		int timeout, n;

		if (c->gone || left < 0)
			left = 0;
		/* microseconds left, rounded up to poll()'s milliseconds */
		timeout = (left + 999) / 1000 > INT_MAX ? INT_MAX : (int)((left + 999) / 1000);
		if (!c->gone && c->pidfd < 0 && timeout > PROC_POLL_MS)
			timeout = PROC_POLL_MS;
		n = poll(pf, c->gone || c->pidfd < 0 ? 1 : 2, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, PROG ": poll on the channel: %s\n", strerror(errno));
			return WAIT_ERROR;
		}
		if (pf[0].revents & POLLNVAL) {
			fprintf(stderr, PROG ": stdin is not open (the channel)\n");
			return WAIT_ERROR;
		}
		if (pf[0].revents)
			return WAIT_READABLE;
		if (c->gone)
			return WAIT_GONE;
		if (c->pidfd >= 0 ? pf[1].revents != 0 : !proc_alive(c)) {
			/*
			 * The channel was looked at before the pidfd: QEMU may have
			 * written its last bytes in between. Look once more.
			 */
			c->gone = true;
			continue;
		}
		if (now_us() >= until_us)
			return WAIT_TIMEOUT;
	}
}

/*
 * wedged: the last soft-lockup report in the console's tail says a CPU
 * stuck for WEDGE_MIN_S s or more; its figure into *secs. A nested host
 * under TCG has hung that way for good (host/vm-lib/channel.sh read_line);
 * shorter stalls are a loaded machine, and a later short report means the
 * CPU moved again.
 */
static bool wedged(const char *log, uint64_t *secs)
{
	static const char pre[] = "soft lockup - CPU#", mid[] = " stuck for ";
	char *buf, *p, *end;
	struct stat st;
	bool found = false;
	off_t from = 0;
	ssize_t n;
	size_t len = 0;
	int fd;

	fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || st.st_size <= 0) {
		close(fd);
		return false;
	}
	if (st.st_size > WEDGE_SCAN_BYTES)
		from = st.st_size - WEDGE_SCAN_BYTES;
	buf = malloc((size_t)(st.st_size - from) + 1);
	if (!buf) {
		close(fd);
		return false;
	}
	while (len < (size_t)(st.st_size - from) &&
	       (n = pread(fd, buf + len, (size_t)(st.st_size - from) - len, from + (off_t)len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	end = buf + len;
	for (p = buf; (p = memmem(p, (size_t)(end - p), pre, sizeof(pre) - 1)); ) {
		char *q = p + sizeof(pre) - 1;
		uint64_t v = 0;

		p = q;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == p || (size_t)(end - q) < sizeof(mid) - 1 || memcmp(q, mid, sizeof(mid) - 1))
			continue;
		q += sizeof(mid) - 1;
		if (q >= end || *q < '0' || *q > '9')
			continue;
		for (; q < end && *q >= '0' && *q <= '9'; q++)
			if (v < UINT64_C(1000000000000)) /* beyond that, only ">= 60" matters */
				v = v * 10 + (uint64_t)(*q - '0');
		if (q >= end || *q != 's')
			continue;
		*secs = v;
		found = true;
	}
	free(buf);
	return found && *secs >= WEDGE_MIN_S;
}

/*
 * read_chan: up to WANT bytes of the channel into BUF. APF_EXIT_OK with
 * *n bytes (0: interrupted, try again), CHAN_GONE at EOF, APF_EXIT_FAILED
 * on an error (said on stderr).
 */
static int read_chan(struct chan *c, void *buf, size_t want, ssize_t *n)
{
	*n = read(c->fd, buf, want);
	if (*n < 0) {
		*n = 0;
		if (errno == EINTR || errno == EAGAIN)
			return APF_EXIT_OK;
		fprintf(stderr, PROG ": reading the channel: %s\n", strerror(errno));
		return APF_EXIT_FAILED;
	}
	return *n == 0 ? CHAN_GONE : APF_EXIT_OK;
}

/*
 * get_line: one line into LINE (at most LINE_MAX_BYTES, without its \r\n,
 * NUL-terminated), nothing past its newline read. CHAN_WEDGED puts the
 * stall's description into LINE instead.
 */
static int get_line(struct chan *c, char line[LINE_MAX_BYTES + 1])
{
	int64_t next_wedge = now_us() + WEDGE_FIRST_US;
	size_t len = 0;
	uint64_t secs = 0;

	for (;;) {
		int64_t until = c->deadline_us;
		enum wait_result w;
		char ch;
		ssize_t n;
		int rc;

		if (c->wedge_log && next_wedge < until)
			until = next_wedge;
		w = wait_readable(c, until);
		if (w == WAIT_ERROR)
			return APF_EXIT_FAILED;
		if (w == WAIT_GONE)
			return CHAN_GONE;
		if (w == WAIT_TIMEOUT) {
			if (now_us() >= c->deadline_us)
				return CHAN_DEADLINE;
			next_wedge = now_us() + WEDGE_EVERY_US;
			if (wedged(c->wedge_log, &secs)) {
				const char *base = strrchr(c->wedge_log, '/');

				snprintf(line, LINE_MAX_BYTES + 1, "a CPU stuck for %" PRIu64 "s (soft lockup) in %s",
					 secs, base ? base + 1 : c->wedge_log);
				return CHAN_WEDGED;
			}
			continue;
		}
		rc = read_chan(c, &ch, 1, &n);
		if (rc != APF_EXIT_OK)
			return rc;
		if (n == 0)
			continue;
		if (ch == '\n')
			break;
		if (ch != '\0')
			line[len++] = ch;
		if (len == LINE_MAX_BYTES)
			break;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	return APF_EXIT_OK;
}

static int put(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* put: a line of stdout; RC, or FAILED when stdout cannot take it. */
static int put(int rc, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	if (n < 0 || fflush(stdout) != 0) {
		fprintf(stderr, PROG ": writing stdout: %s\n", strerror(errno));
		return APF_EXIT_FAILED;
	}
	return rc;
}

static int do_line(struct chan *c)
{
	char line[LINE_MAX_BYTES + 1];
	int rc = get_line(c, line);

	if (rc == APF_EXIT_OK || rc == CHAN_WEDGED)
		return put(rc, "%s\n", line);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int receive(struct chan *c, int out, const char *path, uint64_t size, uint64_t *got)
{
	static char buf[65536];
	/* the UART under TCG does far more than 10 kB/s; a minute's grace */
	int64_t budget = now_us() + (int64_t)(60 + size / 10000) * 1000000;

	if (budget > c->deadline_us)
		budget = c->deadline_us;
	while (*got < size) {
		uint64_t want = size - *got < sizeof(buf) ? size - *got : sizeof(buf);
		enum wait_result w = wait_readable(c, budget);
		ssize_t n;
		int rc;

		if (w == WAIT_ERROR)
			return APF_EXIT_FAILED;
		if (w == WAIT_GONE)
			return CHAN_GONE;
		if (w == WAIT_TIMEOUT)
			return now_us() >= c->deadline_us ? CHAN_DEADLINE : CHAN_SLOW;
		rc = read_chan(c, buf, (size_t)want, &n);
		if (rc != APF_EXIT_OK)
			return rc;
		if (n == 0)
			continue;
		if (write_all(out, buf, (size_t)n) != 0) {
			fprintf(stderr, PROG ": writing %s: %s\n", path, strerror(errno));
			return APF_EXIT_FAILED;
		}
		*got += (uint64_t)n;
	}
	return APF_EXIT_OK;
}

/* receive_file: SIZE bytes into PATH (created or truncated); *got the count. */
static int receive_file(struct chan *c, const char *path, uint64_t size, uint64_t *got)
{
	int out, rc;

	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		fprintf(stderr, PROG ": cannot create %s: %s\n", path, strerror(errno));
		return APF_EXIT_FAILED;
	}
	rc = receive(c, out, path, size, got);
	if (close(out) != 0 && rc == APF_EXIT_OK) {
		fprintf(stderr, PROG ": writing %s: %s\n", path, strerror(errno));
		rc = APF_EXIT_FAILED;
	}
	return rc;
}

static int do_file(struct chan *c, uint64_t size, const char *path)
{
	uint64_t got = 0;
	int rc = receive_file(c, path, size, &got);

	printf("%" PRIu64 "\n", got);
	if (fflush(stdout) != 0 && rc == APF_EXIT_OK)
		rc = APF_EXIT_FAILED;
	return rc;
}

/* file_name_ok: the names the host takes, [A-Za-z0-9._-]+ (never "." or ".."). */
static bool file_name_ok(const char *n)
{
	if (!*n || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == strlen(n);
}

/* receive_into: SIZE bytes into DIR/NAME; a give-up prints what came (P). */
static int receive_into(struct chan *c, const char *dir, const char *name, uint64_t size)
{
	char path[PATH_MAX];
	uint64_t got = 0;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		fprintf(stderr, PROG ": %s/%s: path too long\n", dir, name);
		return APF_EXIT_FAILED;
	}
	rc = receive_file(c, path, size, &got);
	if (rc != APF_EXIT_OK && rc != APF_EXIT_FAILED)
		return put(rc, "P %s %" PRIu64 " %" PRIu64 "\n", name, got, size);
	return rc;
}

static int do_files(struct chan *c, const char *dir)
{
	char line[LINE_MAX_BYTES + 1], gzname[LINE_MAX_BYTES + 4];

	for (;;) {
		char *word, *name, *bytes, *sum, *extra, *save = NULL;
		uint64_t size;
		int64_t at;
		int rc = get_line(c, line);

		if (rc == CHAN_WEDGED)
			return put(rc, "W %s\n", line);
		if (rc != APF_EXIT_OK)
			return rc;
		at = now_us();
		if (strncmp(line, "FILE ", 5) && strncmp(line, "FILEZ ", 6))
			return put(APF_EXIT_OK, "L %s\n", line);
		word = strtok_r(line, " ", &save);
		name = strtok_r(NULL, " ", &save);
		bytes = strtok_r(NULL, " ", &save);
		sum = strtok_r(NULL, " ", &save);
		extra = strtok_r(NULL, " ", &save);
		if (!name || !file_name_ok(name))
			return put(CHAN_BAD, "B a bad file name '%s'\n", name ? name : "");
		if (!bytes || !sum || extra || parse_uint(bytes, &size) != 0 || size > FILE_MAX_BYTES)
			return put(CHAN_BAD, "B a bad length '%s' for %s\n", bytes ? bytes : "", name);
		snprintf(gzname, sizeof(gzname), "%s%s", name, word[4] == 'Z' ? ".gz" : "");
		rc = receive_into(c, dir, gzname, size);
		if (rc != APF_EXIT_OK)
			return rc;
		rc = put(APF_EXIT_OK, "F %s %s %" PRIu64 " %s %" PRId64 "\n", word, name, size, sum, at);
		if (rc != APF_EXIT_OK)
			return rc;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "deadline-us", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "pid-start", required_argument, NULL, 's' },
		{ "wedge-log", required_argument, NULL, 'w' },
		{ "size", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct chan c = { .fd = 0, .pidfd = -1, .deadline_us = -1 };
	/* the options follow the subcommand */
	char **av = argv + 1;
	int ac = argc - 1;
	const char *mode, *out = NULL, *dir = NULL;
	uint64_t size = 0;
	bool have_size = false;
	int64_t v;
	int o;

	int hv = apf_help_or_version(argc, argv, PROG, usage);

	if (hv >= 0)
		return hv;
	if (argc < 2 || (strcmp(argv[1], "line") && strcmp(argv[1], "file") && strcmp(argv[1], "files")))
		return usage_error("give line, file or files first", NULL);
	mode = argv[1];
	opterr = 0;
	while ((o = getopt_long(ac, av, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'h':
			usage(stdout);
			return APF_EXIT_OK;
		case 'd':
			if (parse_int(optarg, &v) != 0 || v <= 0)
				return usage_error("--deadline-us: not microseconds since 1970:", optarg);
			c.deadline_us = v;
			break;
		case 'p':
			if (parse_int(optarg, &v) != 0 || v <= 0 || v > INT_MAX)
				return usage_error("--pid: not a PID:", optarg);
			c.pid = (pid_t)v;
			break;
		case 's':
			if (parse_uint(optarg, &c.pid_start) != 0)
				return usage_error("--pid-start: not a start time:", optarg);
			c.have_start = true;
			break;
		case 'w':
			c.wedge_log = *optarg ? optarg : NULL;
			break;
		case 'n':
			if (parse_uint(optarg, &size) != 0 || size > (UINT64_C(1) << 40))
				return usage_error("--size: not a byte count up to 1T:", optarg);
			have_size = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'D':
			dir = optarg;
			break;
		default:
			return usage_error("unknown option or missing value:", av[optind - 1]);
		}
	}
	if (optind < ac)
		return usage_error("unexpected argument", av[optind]);
	if (c.deadline_us < 0 || c.pid <= 0)
		return usage_error("--deadline-us and --pid are required", NULL);
	if (!strcmp(mode, "file") && (!have_size || !out || !*out))
		return usage_error("file needs --size and --out", NULL);
	if (strcmp(mode, "file") && (have_size || out))
		return usage_error("--size and --out are file's", NULL);
	if (!strcmp(mode, "files") != (dir != NULL))
		return usage_error("files needs --dir, and only files takes it", NULL);
	if (dir && !*dir)
		return usage_error("--dir: empty", NULL);
	if (!strcmp(mode, "file") && c.wedge_log)
		return usage_error("--wedge-log is line's and files'", NULL);
	watch_pid(&c);
	if (!strcmp(mode, "files"))
		return do_files(&c, dir);
	return !strcmp(mode, "line") ? do_line(&c) : do_file(&c, size, out);
}
