// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for lib/size.c, the suite's one size grammar (host/apf-size
 * and so host/lib.sh's parse_size use it too): every suffix form, the
 * bound, overflow on the way, and the inputs strtoull would wrongly take.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "size.h"
#include "tap.h"

struct ok_case {
	const char *in;
	uint64_t want;
};

static const struct ok_case good[] = {
	{ "0", 0 },
	{ "4096", 4096 },
	{ "4096B", 4096 },
	{ "4096b", 4096 },
	{ "1K", 1024 },
	{ "1k", 1024 },
	{ "1KB", 1024 },
	{ "1KiB", 1024 },
	{ "512M", 512ULL << 20 },
	{ "512MB", 512ULL << 20 },
	{ "2MiB", 2ULL << 20 },
	{ "2mib", 2ULL << 20 },
	{ "2Mi", 2ULL << 20 },
	{ "1G", 1ULL << 30 },
	{ "1g", 1ULL << 30 },
	{ "1GiB", 1ULL << 30 },
	{ "3T", 3ULL << 40 },
	{ "007M", 7ULL << 20 },
	{ "00000000000000000000000000001K", 1024 },
	{ "9223372036854775807", 9223372036854775807ULL },
	{ "8388607T", 8388607ULL << 40 },
};

static const char *const bad[] = {
	"", "K", "MiB", "-4K", "+4K", " 4K", "4K ", "4 K", "1.5G", "1e9", "0x10",
	"nan", "NaN", "inf", "-inf", "5iB", "5i", "4KK", "4KiBB", "4Q", "4P", "4E",
	"12Q", "4MiBx",
};

static const char *const too_big[] = {
	"9223372036854775808", "18446744073709551615", "18446744073709551616",
	"99999999999999999999999999", "8388608T", "8589934592G", "17179869184G",
};

int main(void)
{
	struct tap t = { 0 };
	char buf[32];
	uint64_t v;
	size_t ngood = sizeof(good) / sizeof(good[0]), nbad = sizeof(bad) / sizeof(bad[0]);
	size_t nbig = sizeof(too_big) / sizeof(too_big[0]);

	tap_plan((int)(ngood + nbad + nbig + 2));
	for (size_t i = 0; i < ngood; i++) {
		int rc = parse_size(good[i].in, &v);

		tap_check(&t, rc == 0 && v == good[i].want, "size '%s' is %" PRIu64 " (rc %d, got %" PRIu64 ")",
			  good[i].in, good[i].want, rc, rc == 0 ? v : 0);
	}
	for (size_t i = 0; i < nbad; i++) {
		v = 42;
		tap_check(&t, parse_size(bad[i], &v) == -1 && v == 42, "'%s' is not a size, output untouched",
			  bad[i]);
	}
	for (size_t i = 0; i < nbig; i++)
		tap_check(&t, parse_size(too_big[i], &v) == -ERANGE, "'%s' exceeds 2^63-1: -ERANGE",
			  too_big[i]);
	tap_check(&t, SIZE_MAX_BYTES == (uint64_t)INT64_MAX, "the bound is 2^63-1 (fits int64 and bash)");
	tap_check(&t, strcmp(fmt_bytes(1536ULL << 20, buf, sizeof(buf)), "1.5 GiB") == 0 &&
		     strcmp(fmt_bytes(100, buf, sizeof(buf)), "100 B") == 0, "fmt_bytes: %s", buf);
	return t.failed ? 1 : 0;
}
