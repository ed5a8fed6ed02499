#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The issue's done-when, scaled down to keep the suite short: fault-storm
# under TCG (no async PF here) with a buffer of 80% of guest RAM, as-is
# (`none`), under a 50% cgroup limit with a swap file, and with pageout50
# on zram. Under pressure the host swaps guest RAM out (pswpout > 0, the
# memfd mapping's Swap: > 0) and the touch p99 rises well above `none`
# (ratios, not absolute times). Swap, cgroups and mounts as before.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
need_pressure_root "pressure under a VM"
cd "$TOP"
if [ ! -x host/apf-vm ] || ! command -v qemu-system-x86_64 >/dev/null; then
	skip_rest "pressure under a VM" "host/apf-vm or QEMU missing"
fi
if ! host/kernels dir debian-6.1-cloud >/dev/null 2>"$TMP_T/k.err"; then
	skip_rest "pressure under a VM" "no guest kernel: $(tail -n 1 "$TMP_T/k.err")"
fi
export APF_ACCEL_CACHE=$TMP_T/accel
before=$(sys_snapshot)

cell() { # NAME PRESSURE SWAP
	local rc=0
	host/apf-vm --kernel debian-6.1-cloud --accel tcg --vcpus 1 --mem 512M --duration 3 \
		--pressure "$2" --swap "$3" --workload fault-storm --out "$TMP_T/$1" \
		-- --bytes 80% --threads 1 >"$TMP_T/$1.log" 2>&1 || rc=$?
	expect_eq "$1: apf-vm exit 0" 0 "$rc"
	[ "$rc" = 0 ] || tail -n 5 "$TMP_T/$1.log" | sed 's/^/#   /'
	expect_eq "$1: status ok" ok "$(jget "$TMP_T/$1/result.json" .status 2>/dev/null)"
}
val() { jq -r "$2" "$TMP_T/$1/result.json" 2>/dev/null || echo null; }

cell none none auto
cell limit50 limit50 file
zswap=zram
[ -r /sys/class/zram-control/hot_add ] || zswap="file"
cell pageout50 pageout50 "$zswap"

expect_eq "none: no guest RAM in swap" 0 "$(val none .host.qemu_guest_swap_peak_bytes)"
p99_none=$(val none '.latency_ns.p99')
for c in limit50 pageout50; do
	if jq -e '.host.pswpout > 0 and .host.qemu_guest_swap_peak_bytes > 0' "$TMP_T/$c/result.json" >/dev/null 2>&1; then
		ok "$c: host pswpout > 0 and guest RAM swap > 0"
	else
		not_ok "$c: host pswpout > 0 and guest RAM swap > 0" "$(val "$c" '.host | {pswpout, qemu_guest_swap_peak_bytes}' | tr -d '\n ')"
	fi
	expect_eq "$c: swap backend recorded" "$(val "$c" .env.swap)" "$(val "$c" .host.swap)"
	expect_eq "$c: host.tsv beside the result" yes "$([ -s "$TMP_T/$c/host.tsv" ] && echo yes || echo no)"
done
expect_eq "pageout50: the pager says what it swapped" true "$(val pageout50 '.host.pageout.swapped_pages > 0')"
# far above: x4 under the limit, x2 for the pager (TCG on a busy host is noisy)
for c in limit50:4 pageout50:2; do
	n=${c%%:*} f=${c##*:} p=$(val "${c%%:*}" '.latency_ns.p99')
	if awk -v a="$p" -v b="$p99_none" -v f="$f" 'BEGIN {exit !(a + 0 > f * b && b + 0 > 0)}'; then
		ok "$n: touch p99 more than ${f}x none's ($p vs $p99_none ns)"
	else
		not_ok "$n: touch p99 more than ${f}x none's" "$p vs $p99_none ns"
	fi
done
assert_as_before "after three VM cells" "$before"
done_testing
