#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The real guest/apfw in a TCG guest, one short run per default kernel:
# the result comes back complete (schema and files by tests/check-result,
# latency.hlog included) with the host's env merged in (accel, kernel,
# release from the guest, effective mode).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

command -v qemu-system-x86_64 >/dev/null || { skip "apfw in a VM" "qemu-system-x86_64 not installed"; done_testing; exit 0; }
[ -x guest/apfw ] || { skip "apfw in a VM" "guest/apfw not built"; done_testing; exit 0; }
export APF_ACCEL_CACHE=$TMP_T/accel

# run KERNEL WORKLOAD [apfw options]
run() {
	local k=$1 w=$2 o=$TMP_T/$1-$2 rc=0 d
	shift 2
	if ! d=$(host/kernels dir "$k" 2>"$TMP_T/err"); then
		skip "$w on $k" "no kernel: $(tail -n 1 "$TMP_T/err")"
		return 0
	fi
	host/apf-vm --kernel "$k" --workload "$w" --duration 1 --vcpus 2 --mem 512M \
		--out "$o" -- "$@" >"$TMP_T/log" 2>&1 || rc=$?
	expect_eq "$w on $k: exit 0" 0 "$rc"
	[ "$rc" = 0 ] || sed 's/^/#   /' "$TMP_T/log"
	expect_eq "$w on $k: status ok" ok "$(jq -r .status "$o/result.json")"
	check "$w on $k: result files valid (schema, sums, hgrm, hlog, series)" tests/check-result "$o"
	expect_eq "$w on $k: guest release" "$(cat "$d/release")" "$(jq -r .env.kernel_release "$o/result.json")"
	expect_eq "$w on $k: kernel name" "$k" "$(jq -r .env.kernel "$o/result.json")"
	if [ "$(jq -r .env.accel "$o/result.json")" = tcg ]; then
		expect_eq "$w on $k: TCG, effective mode none" none "$(jq -r .env.mode_effective "$o/result.json")"
	fi
	check "$w on $k: ops counted" jq -e '.ops > 0 and .latency_ns.count > 0' "$o/result.json"
	check "$w on $k: latency.hgrm arrived" test -s "$o/latency.hgrm"
	expect_eq "$w on $k: series.tsv header" "$(printf 't_s\tops\tmax_ns')" "$(head -n 1 "$o/series.tsv")"
}

run debian-6.1-cloud fault-storm --bytes 64M
run debian-6.12-cloud wakeup
done_testing
