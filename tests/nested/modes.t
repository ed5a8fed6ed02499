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
#   - L1 starts from a snapshot (host/vm-lib/snapshot.sh): the first cell
#     of a configuration saves it (its RAM's data beside its device state),
#     the next ones restore it, with L1's RAM in an unlinked /dev/shm file;
#     so every check above holds for a restored nested host
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
need_nested
export APF_SNAPSHOT_DIR=$TMP_T/snaps
snaps() { find "$TMP_T/snaps" -maxdepth 1 -name '*.mig' 2>/dev/null | wc -l; }

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
expect_eq "mode cells: L1 started from a snapshot in each" "snapshot snapshot snapshot" \
	"$(rget apf-on .env.host.boot_from) $(rget apf-off .env.host.boot_from) $(rget guest-off .env.host.boot_from)"
# (A retried first cell restores the snapshot its failed start saved.)
check "mode cells: at most one saved it (l1_snapshot > 0)" jq -se '[.[].env.timings.l1_snapshot | numbers | select(. > 0)] | length <= 1' \
	"$TMP_T/apf-on/result.json" "$TMP_T/apf-off/result.json" "$TMP_T/guest-off/result.json"
expect_eq "mode cells: one snapshot for their configuration" 1 "$(snaps)"
check "mode cells: its RAM's data beside it" test -s "$(find "$TMP_T/snaps" -name '*.mig' | sed 's/\.mig$/.ram/')"
check "guest-off: L1 loaded it, RAM in a file (host-qemu.cmdline)" \
	grep -q -- 'memory-backend-file,id=l1ram,.*-incoming defer' "$TMP_T/guest-off/host-qemu.cmdline"
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
expect_eq "zram: L1 without a swap disk is a snapshot of its own" 2 "$(snaps)"
left=$(find /dev/shm -maxdepth 1 -name 'apf-vm.*.ram' 2>/dev/null)
expect_eq "no nested host's RAM file left in /dev/shm" "" "$left"
done_testing
