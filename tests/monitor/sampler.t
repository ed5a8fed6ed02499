#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/monitor-sampler on its own: the host.tsv columns, the row rate asked
# for (rows against elapsed time, generous bounds), a clean stop on SIGTERM
# and when the sampled process is gone, and bad usage refused.
. "$(dirname "$0")/../lib.sh"
S=$TOP/host/monitor-sampler HOLD=$TOP/build/tests/memfd-hold
if [ ! -x "$S" ] || [ ! -x "$HOLD" ]; then
	skip_rest "monitor-sampler" "not built (run make)"
fi
HEADER="t_s pswpin pswpout pgmajfault qemu_rss_bytes guest_rss_bytes guest_swap_bytes qemu_majflt psi_some_avg10 psi_full_avg10 apf_try_async apf_not_present apf_ready apf_completed"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP_T"
}
trap cleanup EXIT

# hold MIB: a memfd stand-in for QEMU's guest RAM; sets HP
hold() {
	local out=$TMP_T/hold.$RANDOM i
	"$HOLD" "$1" >"$out" &
	HP=$!
	PIDS+=("$HP")
	for ((i = 0; i < 300; i++)); do
		grep -q ready "$out" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_gone PID: up to 10 s for PID to exit; its exit code in RC
wait_gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	RC=0
	wait "$1" || RC=$?
}

expect_exit "no --pid: bad usage" 2 "$S" --tsv "$TMP_T/x.tsv" --reg "$TMP_T"
expect_exit "--interval below 0.01: bad usage" 2 "$S" --pid $$ --tsv "$TMP_T/x.tsv" --reg "$TMP_T" --interval 0.001
expect_exit "--interval above 60: bad usage" 2 "$S" --pid $$ --tsv "$TMP_T/x.tsv" --reg "$TMP_T" --interval 61
expect_exit "--interval not a number: bad usage" 2 "$S" --pid $$ --tsv "$TMP_T/x.tsv" --reg "$TMP_T" --interval 1s
expect_exit "a pid that does not exist: failed" 1 "$S" --pid 999999999 --tsv "$TMP_T/x.tsv" --reg "$TMP_T"

hold 16 || { not_ok "stand-in ready"; exit 0; }
mkdir -p "$TMP_T/r1"
t0=$(date +%s.%N)
"$S" --pid "$HP" --tsv "$TMP_T/r1.tsv" --reg "$TMP_T/r1" --interval 0.05 --t0 "$t0" 2>"$TMP_T/r1.err" &
sp=$!
PIDS+=("$sp")
sleep 2
kill -TERM "$sp"
wait_gone "$sp"
t1=$(date +%s.%N)
expect_eq "SIGTERM: exit 0" 0 "$RC"
if kill -0 "$sp" 2>/dev/null; then not_ok "SIGTERM: the process is gone"; else ok "SIGTERM: the process is gone"; fi
expect_eq "header: the monitor's columns, then the event columns" "$HEADER" "$(head -n 1 "$TMP_T/r1.tsv" | tr '\t' ' ')"
expect_eq "every row complete (14 fields, the last row too)" yes \
	"$(awk -F'\t' 'NR > 1 && NF != 14 {bad = 1} END {print (NR > 1 && !bad) ? "yes" : "no"}' "$TMP_T/r1.tsv")"
# rows at 0.05 s over the run: generous bounds, a loaded host may skip rows
expect_eq "row rate: rows/(elapsed/interval) within [0.3, 1.1]" yes \
	"$(awk -F'\t' -v t0="$t0" -v t1="$t1" 'NR > 1 {n++} END {r = n / ((t1 - t0) / 0.05); print (r >= 0.3 && r <= 1.1) ? "yes" : "no (" r ")"}' "$TMP_T/r1.tsv")"
expect_eq "t_s rises, from --t0" yes \
	"$(awk -F'\t' 'NR > 1 && ($1 <= lt || $1 <= 0) {bad = 1} NR > 1 {lt = $1} END {print bad ? "no" : "yes"}' "$TMP_T/r1.tsv")"
expect_eq "guest RAM mapping found (guest_rss_bytes = 16 MiB)" 16777216 "$(awk -F'\t' 'END {print $6}' "$TMP_T/r1.tsv")"
expect_eq "no trace pipe: event columns are '-'" "- - - -" "$(awk -F'\t' 'END {print $11, $12, $13, $14}' "$TMP_T/r1.tsv")"
expect_eq "registry: samples = rows" "$(($(wc -l <"$TMP_T/r1.tsv") - 1))" "$(cat "$TMP_T/r1/samples" 2>/dev/null)"
for k in peak.rss peak.gswap last.gswap last.majflt sampler.cpu_s sampler.wall_s smaps.reads; do
	if [ -s "$TMP_T/r1/$k" ]; then ok "registry: $k written"; else not_ok "registry: $k written"; fi
done
expect_eq "registry: peak.rss is the stand-in's RSS (>= 16 MiB)" yes \
	"$(awk '{print ($1 >= 16777216) ? "yes" : "no"}' "$TMP_T/r1/peak.rss")"

# the sampled process goes away: the sampler finishes by itself, exit 0
mkdir -p "$TMP_T/r2"
"$S" --pid "$HP" --tsv "$TMP_T/r2.tsv" --reg "$TMP_T/r2" --interval 0.05 2>"$TMP_T/r2.err" &
sp=$!
PIDS+=("$sp")
sleep 0.5
kill "$HP"
wait "$HP" 2>/dev/null || true
wait_gone "$sp"
expect_eq "process gone: exit 0" 0 "$RC"
if kill -0 "$sp" 2>/dev/null; then not_ok "process gone: the sampler is gone"; else ok "process gone: the sampler is gone"; fi
expect_eq "process gone: rows complete" yes \
	"$(awk -F'\t' 'NR > 1 && NF != 14 {bad = 1} END {print (NR > 1 && !bad) ? "yes" : "no"}' "$TMP_T/r2.tsv")"

# events: a regular file stands in for the trace pipe (lines as the
# kernel formats them; the task name may hold spaces)
mkdir -p "$TMP_T/r3"
cat >"$TMP_T/pipe" <<'EOF'
 qemu-system-x86-1201    [001] d..1.  100.000001: kvm_try_async_get_page: gva = 0x7f00, gfn = 0x42
 qemu-system-x86-1201    [001] d..1.  100.000002: kvm_async_pf_not_present: token 0x1 gva 0x7f00
     kworker/0:1-33      [000] .....  100.000100: kvm_async_pf_completed: gva 0x7f00 address 0x7f00
 CPU 1/KVM-1202          [001] d..1.  100.000200: kvm_async_pf_ready: token 0x1 gva 0x7f00
 CPU 1/KVM-1202          [001] d..1.  100.000201: kvm_async_pf_ready: token 0x2 gva 0x7f01
CPU:1 [LOST 7 EVENTS]
     bash-77             [000] .....  100.000300: sched_switch: prev_comm=kvm_async_pf_ready: x
EOF
hold 4 || { not_ok "stand-in ready"; exit 0; }
"$S" --pid "$HP" --tsv "$TMP_T/r3.tsv" --reg "$TMP_T/r3" --interval 0.05 --trace-pipe "$TMP_T/pipe" \
	--events "kvm_try_async_get_page kvm_async_pf_not_present kvm_async_pf_ready kvm_async_pf_completed sched_switch" \
	2>"$TMP_T/r3.err" &
sp=$!
PIDS+=("$sp")
sleep 0.5
kill -TERM "$sp"
wait_gone "$sp"
expect_eq "events: exit 0" 0 "$RC"
expect_eq "events: counted per interval in host.tsv" "1 1 2 1" \
	"$(awk -F'\t' 'NR > 1 {a += $11; b += $12; c += $13; d += $14} END {print a, b, c, d}' "$TMP_T/r3.tsv")"
expect_eq "events: totals by name" "kvm_async_pf_completed 1|kvm_async_pf_not_present 1|kvm_async_pf_ready 2|kvm_try_async_get_page 1|sched_switch 1" \
	"$(sort "$TMP_T/r3/trace.counts" | paste -sd'|')"
expect_eq "events: lost events counted" 7 "$(cat "$TMP_T/r3/trace.lost")"
done_testing
