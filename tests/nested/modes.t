#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Real async page faults through a nested KVM host, one cell per mode under
# a cgroup limit in L1 with swap on its virtio disk, and one with zram.
# What must hold (ratios and structure, never times):
#   - env.host is the nested host (its kernel, tcg) and env.accel is kvm
#   - the guest's effective mode is the one asked for, and CPUID agrees
#   - apf-on: page-ready interrupts (HYP) and L1's kvm_async_pf_not_present
#     events > 0; apf-off and guest-off: no HYP interrupts
#   - zram in L1 (synchronous swap): no async PF at all
#   - nothing of a cell left on this machine (its swap disk file)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
need_nested

for m in apf-on apf-off guest-off; do
	nested_cell "$m" --mode "$m" --pressure limit40 --swap-disk hdd
	expect_eq "$m: env.host.name" nested-debian-6.12-cloud "$(rget "$m" .env.host.name)"
	expect_eq "$m: env.host.accel" tcg "$(rget "$m" .env.host.accel)"
	expect_eq "$m: env.host.kernel_release" "$(cat build/kernels/debian-6.12-cloud/release)" "$(rget "$m" .env.host.kernel_release)"
	expect_eq "$m: env.accel" kvm "$(rget "$m" .env.accel)"
	expect_eq "$m: effective mode" "$m" "$(rget "$m" .env.mode_effective)"
	expect_eq "$m: swap disk profile" hdd "$(rget "$m" .env.host.swap_disk.profile)"
	check "$m: L1 swapped guest RAM (host pswpout > 0)" jq -e '.host.pswpout > 0' "$TMP_T/$m/result.json"
	check "$m: phases in env.timings, none negative" \
		jq -e '.env.timings | (.l1_boot > 0) and (.boot > 0) and ([.[] | numbers | select(. < 0)] | length == 0)' \
		"$TMP_T/$m/result.json"
	check "$m: no swap disk left" test ! -e "$TMP_T/$m/.l1-swap.img"
done
expect_eq "apf-on: CPUID async_pf" true "$(rget apf-on .env.cpuid.async_pf)"
expect_eq "apf-on: CPUID async_pf_int" true "$(rget apf-on .env.cpuid.async_pf_int)"
expect_eq "apf-off: CPUID async_pf" false "$(rget apf-off .env.cpuid.async_pf)"
expect_eq "guest-off: CPUID as apf-on" true "$(rget guest-off .env.cpuid.async_pf_int)"
expect_eq "guest-off: no-kvmapf seen" true "$(rget guest-off .env.no_kvmapf)"
check "apf-on: HYP page-ready interrupts > 0" jq -e '.guest.hyp_irqs > 0' "$TMP_T/apf-on/result.json"
check "apf-on: L1 counted kvm_async_pf_not_present > 0" jq -e '.host.kvm_async_pf.not_present > 0' "$TMP_T/apf-on/result.json"
# Without async PF the guest registers no page-ready vector: its HYP line
# is absent (null) or stays at 0.
expect_eq "apf-off: no HYP interrupts" 0 "$(rget apf-off '.guest.hyp_irqs // 0')"
expect_eq "guest-off: no HYP interrupts" 0 "$(rget guest-off '.guest.hyp_irqs // 0')"

# The zram cell also asks for --notify (bench/apf-bench's overlap): L1
# relays the inner cell's end of measured phase, so the line comes while
# L1's apf-vm still runs (its "apf-vm exited" not yet on L1's console).
mkfifo "$TMP_T/zram.ev"
(
	exec {fd}<>"$TMP_T/zram.ev"
	if read -r -t 1800 -u "$fd" line; then
		echo "$line $(grep -c 'apf-vm exited' "$TMP_T/zram/host-console.log" 2>/dev/null)" >>"$TMP_T/zram.seen"
	fi
) &
rdr=$!
nested_cell zram --mode apf-on --pressure limit40 --swap zram --notify "$TMP_T/zram.ev"
sleep 0.2
kill "$rdr" 2>/dev/null || true
wait "$rdr" 2>/dev/null || true
expect_eq "zram: --notify's line came from L1 before its apf-vm exited" "measured 0" "$(tail -n 1 "$TMP_T/zram.seen" 2>/dev/null)"
expect_eq "zram: env.swap" zram "$(rget zram .env.swap)"
check "zram: L1 swapped guest RAM" jq -e '.host.pswpout > 0' "$TMP_T/zram/result.json"
expect_eq "zram: no async PF (not_present 0)" 0 "$(rget zram .host.kvm_async_pf.not_present)"
expect_eq "zram: no HYP interrupts" 0 "$(rget zram .guest.hyp_irqs)"
done_testing
