// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for option parsing (bounds on every number: huge, negative,
 * NaN, inf, overflowing) and the effective async-PF mode decision.
 */
#include <stddef.h>
#include <string.h>
#include "counters.h"
#include "opts.h"
#include "tap.h"

struct p {
	int64_t n;
	uint64_t size;
	int choice;
	int flag;
	double secs;
};

static const char *const colours[] = { "red", "green", NULL };
static const struct opt table[] = {
	OPT_ROW("n", OPT_INT, offsetof(struct p, n), "5", "a number", .min = 1, .max = 10),
	OPT_ROW("size", OPT_SIZE_PCT, offsetof(struct p, size), "1M", "a size", .min = 1, .max = 1LL << 40),
	OPT_ROW("colour", OPT_ENUM, offsetof(struct p, choice), "green", "a colour", .choices = colours),
	OPT_ROW("flag", OPT_FLAG, offsetof(struct p, flag), NULL, "a flag"),
	OPT_ROW("secs", OPT_SECONDS, offsetof(struct p, secs), "2.5", "seconds",
		.min = 1000000, .max = 3600000000000LL, .why = "an hour"),
	OPT_END
};

static int parse(struct p *v, int argc, char **argv, char *err, size_t len)
{
	struct opt_set set = { table, v };

	struct opt_pct pct = { 1ULL << 30, "a 1 GiB test machine" };

	return opts_defaults(&set, 1, &pct, err, len) ||
	       opts_parse(&set, 1, &pct, argc, argv, err, len);
}

int main(void)
{
	struct tap t = { 0 };
	uint64_t s;
	struct p v;
	char err[256];
	char *good[] = { "--n", "7", "--size=256K", "--colour", "red", "--flag" };
	char *bad_range[] = { "--n", "11" };
	char *bad_num[] = { "--n", "7x" };
	char *unknown[] = { "--nope", "1" };
	char *bad_choice[] = { "--colour", "blue" };
	char *missing[] = { "--n" };
	char *neg_size[] = { "--size", "-1" };
	char *zero_secs[] = { "--secs", "0" };
	char *huge_secs[] = { "--secs", "1e10" };
	char *nan_secs[] = { "--secs", "nan" };
	char *inf_secs[] = { "--secs", "inf" };
	char *hex_secs[] = { "--secs", "0x10" };
	char *tiny_secs[] = { "--secs", "0.0001" };
	char *ok_secs[] = { "--secs=.5" };
	char *overflow_n[] = { "--n", "99999999999999999999" };
	char *space_n[] = { "--n", " 5" };
	char *space_size[] = { "--size", " -5" };
	char *big_size[] = { "--size", "2T" };
	char *pct_size[] = { "--size", "50%" };
	static const struct opt unbounded[] = {
		OPT_ROW("secs", OPT_SECONDS, 0, "1", "no bounds"),
		OPT_END
	};
	struct opt_set unbounded_set = { unbounded, &v };
	char buf[32];

	tap_plan(29);
	tap_check(&t, parse_size("4096", &s) == 0 && s == 4096, "size 4096");
	tap_check(&t, parse_size("256M", &s) == 0 && s == 256ULL << 20, "size 256M");
	tap_check(&t, parse_size("1GiB", &s) == 0 && s == 1ULL << 30, "size 1GiB");
	tap_check(&t, parse_size("1.5G", &s) != 0 && parse_size("", &s) != 0 &&
		     parse_size("-4K", &s) != 0 && parse_size("12Q", &s) != 0,
		  "garbage sizes refused");
	tap_check(&t, parse(&v, 0, NULL, err, sizeof(err)) == 0 && v.n == 5 && v.size == 1 << 20 &&
		     v.choice == 1 && v.flag == 0 && v.secs == 2.5,
		  "defaults applied from the table");
	tap_check(&t, parse(&v, 6, good, err, sizeof(err)) == 0 && v.n == 7 && v.size == 256 << 10 &&
		     v.choice == 0 && v.flag == 1,
		  "--name value, --name=value, enum and flag parsed");
	tap_check(&t, parse(&v, 2, bad_range, err, sizeof(err)) != 0 && strstr(err, "--n") &&
		     strstr(err, "out of range"), "out-of-range refused: %s", err);
	tap_check(&t, parse(&v, 2, bad_num, err, sizeof(err)) != 0 && strstr(err, "not an integer"),
		  "garbage number refused: %s", err);
	tap_check(&t, parse(&v, 2, unknown, err, sizeof(err)) != 0 && strstr(err, "unknown option"),
		  "unknown option refused: %s", err);
	tap_check(&t, parse(&v, 2, bad_choice, err, sizeof(err)) != 0, "bad choice refused: %s", err);
	tap_check(&t, parse(&v, 1, missing, err, sizeof(err)) != 0 && strstr(err, "needs a value"),
		  "missing value refused: %s", err);
	tap_check(&t, parse(&v, 2, neg_size, err, sizeof(err)) != 0, "negative size refused: %s", err);
	tap_check(&t, parse(&v, 2, zero_secs, err, sizeof(err)) != 0, "zero seconds refused: %s", err);

	tap_check(&t, parse(&v, 2, huge_secs, err, sizeof(err)) != 0 && strstr(err, "out of range") &&
		     strstr(err, "3600") && strstr(err, "an hour"),
		  "seconds above the bound refused, the bound and why named: %s", err);
	tap_check(&t, parse(&v, 2, nan_secs, err, sizeof(err)) != 0 &&
		     parse(&v, 2, inf_secs, err, sizeof(err)) != 0 &&
		     parse(&v, 2, hex_secs, err, sizeof(err)) != 0, "nan, inf and hex seconds refused");
	tap_check(&t, parse(&v, 2, tiny_secs, err, sizeof(err)) != 0 && strstr(err, "out of range"),
		  "seconds below the bound refused: %s", err);
	tap_check(&t, parse(&v, 1, ok_secs, err, sizeof(err)) == 0 && v.secs == 0.5,
		  "--secs=.5 parsed");
	tap_check(&t, parse(&v, 2, overflow_n, err, sizeof(err)) != 0 && strstr(err, "out of range"),
		  "overflowing integer refused as out of range: %s", err);
	tap_check(&t, parse(&v, 2, space_n, err, sizeof(err)) != 0 &&
		     parse(&v, 2, space_size, err, sizeof(err)) != 0,
		  "leading blanks refused (strtoull would wrap ' -5')");
	tap_check(&t, parse(&v, 2, big_size, err, sizeof(err)) != 0 && strstr(err, "out of range"),
		  "size above the bound refused: %s", err);
	tap_check(&t, parse(&v, 2, pct_size, err, sizeof(err)) == 0 && v.size == 512ULL << 20,
		  "50%% of the 1 GiB the caller names is exactly 512 MiB");
	tap_check(&t, opts_defaults(&unbounded_set, 1, NULL, err, sizeof(err)) != 0 &&
		     strstr(err, "no bounds"), "a numeric row without bounds is a table bug: %s", err);
	tap_check(&t, parse_size("18446744073709551616", &s) != 0 && parse_size("17179869184G", &s) != 0,
		  "sizes overflowing 64 bits refused");
	tap_check(&t, strcmp(fmt_bytes(1536ULL << 20, buf, sizeof(buf)), "1.5 GiB") == 0 &&
		     strcmp(fmt_bytes(100, buf, sizeof(buf)), "100 B") == 0, "fmt_bytes: %s", buf);

	tap_check(&t, strcmp(apf_mode_effective(false, true, true, false), "none") == 0,
		  "no KVM signature (TCG): mode none");
	tap_check(&t, strcmp(apf_mode_effective(true, true, true, false), "apf-on") == 0,
		  "async PF with interrupt delivery: apf-on");
	tap_check(&t, strcmp(apf_mode_effective(true, true, false, false), "no-int") == 0,
		  "async PF without interrupt delivery: no-int");
	tap_check(&t, strcmp(apf_mode_effective(true, false, false, false), "apf-off") == 0,
		  "no async PF in CPUID: apf-off");
	tap_check(&t, strcmp(apf_mode_effective(true, true, true, true), "guest-off") == 0,
		  "no-kvmapf on the command line: guest-off");
	return t.failed ? 1 : 0;
}
