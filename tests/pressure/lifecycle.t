#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# prepare/attach/monitor/release on a stand-in "QEMU" (a memfd named like
# QEMU's guest RAM, filled with random bytes and re-read at random), for a
# file and a zram swap: the cgroup gets the limit and the pid, the hog runs
# inside it, the pager pages out, host.json/host.tsv have the figures, and
# afterwards swap, cgroups and mounts are exactly as before.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
need_pressure_root "pressure lifecycle"
P=$TOP/host/pressure M=$TOP/host/monitor

run_cell() { # SWAP LEVEL
	local swap=$1 level=$2 s=$TMP_T/$1-$2 out=$TMP_T/$1-$2/cell before cg dev hog i
	before=$(sys_snapshot)
	start_standin 256 --touch || { not_ok "$swap $level: stand-in"; return; }
	check "$swap $level: prepare" "$P" prepare --level "$level" --swap "$swap" --mem 256M --state "$s/p"
	expect_exit "$swap $level: a second prepare on the same state is refused" 2 \
		"$P" prepare --level "$level" --swap "$swap" --mem 256M --state "$s/p"
	dev=$(jget "$s/p/pressure.json" .swap_device)
	if swapon --show=NAME --noheadings | grep -qxF "$dev"; then ok "$swap $level: swap $dev is on"; else not_ok "$swap $level: swap $dev is on" "$(swapon --show)"; fi
	check "$swap $level: attach" "$P" attach --state "$s/p" --pid "$SPID"
	check "$swap $level: monitor start" "$M" start --pid "$SPID" --state "$s/m" --out "$out" --interval 0.5
	# Give the levels time to act: at least 2.5 s, and until the monitor has
	# seen the stand-in's memory in swap (at most 15 s; asserted below).
	sleep 2.5
	for ((i = 0; i < 25; i++)); do
		awk -F'\t' 'NR > 1 && $7 > 0 { found = 1 } END { exit !found }' "$out/host.tsv" 2>/dev/null && break
		sleep 0.5
	done
	cg=$(jget "$s/p/pressure.json" .cgroup.path)
	if [ "$cg" != null ]; then
		expect_eq "$swap $level: limit is 50% of guest RAM" 134217728 "$(cat "$cg/memory.limit_in_bytes" 2>/dev/null || cat "$cg/memory.max")"
		if grep -qxF "$SPID" "$cg/cgroup.procs"; then ok "$swap $level: guest in the cgroup"; else not_ok "$swap $level: guest in the cgroup"; fi
	fi
	if [[ $level == *hog* ]]; then
		hog=$(cat "$APF_RUN_DIR"/pressure-*/hog.pid)
		if [ "$(wc -l <"$cg/cgroup.procs")" -ge 2 ] && grep -qxF "$hog" "$cg/cgroup.procs"; then
			ok "$swap $level: hog runs in the guest's cgroup"
		else
			not_ok "$swap $level: hog runs in the guest's cgroup" "hog $hog, procs $(tr '\n' ' ' <"$cg/cgroup.procs")"
		fi
	fi
	check "$swap $level: monitor stop" "$M" stop --state "$s/m"
	local j=$out/host.json
	if jq -e '.pswpin and .pswpout and .qemu_majflt != null and .qemu_rss_peak_bytes and (.kvm_async_pf | has("ready")) and (.kvm_stats | has("pf_taken"))' "$j" >/dev/null; then
		ok "$swap $level: host.json has the host block keys"
	else
		not_ok "$swap $level: host.json has the host block keys" "$(head -c 600 "$j")"
	fi
	expect_eq "$swap $level: host.json names the swap backend" "$swap" "$(jget "$j" .swap)"
	if [[ $level == *limit* ]]; then
		expect_eq "$swap $level: the cgroup's OOM kills counted (none here)" 0 "$(jget "$j" .cgroup_oom_kills)"
	fi
	if jq -e '.pswpout > 0 and .qemu_guest_swap_peak_bytes > 0' "$j" >/dev/null; then
		ok "$swap $level: pswpout > 0 and guest RAM swap > 0"
	else
		not_ok "$swap $level: pswpout > 0 and guest RAM swap > 0" "$(jq -c '{pswpout, qemu_guest_swap_peak_bytes}' "$j")"
	fi
	if [[ $level == *pageout* ]]; then
		if jq -e '.pageout.passes > 0 and .pageout.requested_pages > 0 and .pageout.swapped_pages > 0 and .pageout.advised_pages <= .pageout.requested_pages' "$j" >/dev/null; then
			ok "$swap $level: pager reports requested vs swapped pages"
		else
			not_ok "$swap $level: pager reports requested vs swapped pages" "$(jq -c .pageout "$j")"
		fi
	fi
	expect_eq "$swap $level: host.tsv has its header and rows" yes \
		"$(awk -F'\t' 'NR == 1 && $1 == "t_s" && $7 == "guest_swap_bytes" && $12 == "apf_not_present" {h = 1} NR > 2 && NF == 14 {r = 1} END {print (h && r) ? "yes" : "no"}' "$out/host.tsv")"
	check "$swap $level: release" "$P" release --state "$s/p"
	check "$swap $level: release again is a no-op" "$P" release --state "$s/p"
	stop_standins
	expect_eq "$swap $level: registry empty" "" "$(find "$APF_RUN_DIR" -mindepth 1 -maxdepth 1 -type d)"
	assert_as_before "$swap $level" "$before"
}

# On a swap file the kernel keeps paged-out pages in the swap cache while
# the host has free memory, so they never show as the mapping's Swap: (the
# stand-in's RAM was charged before attach, so the limit does not push it
# out either): evict them, where the kernel can, for a deterministic check.
if [ -e /sys/devices/system/node/node0/reclaim ]; then
	APF_PAGEOUT_EVICT=node run_cell file limit50+pageout30+hog
else
	run_cell file limit50+pageout30+hog
fi
if [ -r /sys/class/zram-control/hot_add ]; then
	run_cell zram pageout50
else
	skip "zram cell" "no /sys/class/zram-control"
fi

# none makes nothing and still monitors; the trace counting is checked on
# two events that fire without KVM: the stand-in's context switches, and
# other processes' execs (this test's own, the sampler forks none): the
# count is host-wide, as kvm_async_pf_completed (fired in a kworker) needs
before=$(sys_snapshot)
start_standin 64 --touch
check "none: prepare" "$P" prepare --level none --mem 64M --state "$TMP_T/n/p"
APF_MONITOR_EXTRA_EVENTS="sched/sched_switch sched/sched_process_exec" \
	check "none: monitor start" "$M" start --pid "$SPID" --state "$TMP_T/n/m" --out "$TMP_T/n/cell" --interval 0.3
for i in 1 2 3; do /bin/true; done
sleep 1.5
check "none: monitor stop" "$M" stop --state "$TMP_T/n/m"
j=$TMP_T/n/cell/host.json
expect_eq "none: no cgroup in the summary" null "$(jget "$j" .pressure)"
expect_eq "none: no cgroup, no OOM-kill count" null "$(jget "$j" .cgroup_oom_kills)"
if [ "$(jget "$j" .trace_events)" = null ]; then
	skip "trace event counting" "tracefs not available here"
else
	expect_eq "trace: kvm events countable (0 without KVM guests)" true "$(jget "$j" '.kvm_async_pf.ready != null')"
	expect_eq "trace: the stand-in's context switches counted" true "$(jget "$j" '.trace_events.sched_switch > 0')"
	expect_eq "trace: counted host-wide (other processes' execs too)" true "$(jget "$j" '.trace_events.sched_process_exec > 0')"
	expect_eq "host.tsv: the event columns filled from the buffer, summing to host.json's count" \
		"$(jget "$j" .kvm_async_pf.not_present)" \
		"$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["apf_not_present"] !~ /^[0-9]+$/ { bad = 1 } { s += $c["apf_not_present"] } END { print bad ? "not filled" : s }' "$TMP_T/n/cell/host.tsv")"
fi
stop_standins
assert_as_before "none" "$before"

# host swap on: auto reuses it, release leaves it exactly as it was
before=$(sys_snapshot)
hs=/var/tmp/apft-hostswap-$$
if fallocate -l 64M "$hs" 2>/dev/null && chmod 600 "$hs" && mkswap -q "$hs" >/dev/null && swapon -p 7 "$hs" 2>/dev/null; then
	start_standin 32
	check "host swap: prepare auto" "$P" prepare --level pageout10 --swap auto --mem 32M --state "$TMP_T/h/p"
	expect_eq "host swap: backend is host" host "$(jget "$TMP_T/h/p/pressure.json" .swap)"
	expect_eq "host swap: nothing made" null "$(jget "$TMP_T/h/p/pressure.json" .swap_device)"
	check "host swap: attach" "$P" attach --state "$TMP_T/h/p" --pid "$SPID"
	sleep 0.5
	check "host swap: release" "$P" release --state "$TMP_T/h/p"
	expect_eq "host swap: still on, same priority" "$hs 7" "$(swapon --show=NAME,PRIO --noheadings | awk -v d="$hs" '$1 == d {print $1, $2}')"
	stop_standins
	swapoff "$hs"
else
	skip "host swap reuse" "cannot make a stand-in host swap file in /var/tmp"
fi
rm -f "$hs"
assert_as_before "host swap" "$before"
done_testing
