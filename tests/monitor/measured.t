#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/monitor mark + stop: host.json's "measured" block holds the deltas
# over [mark start, mark stop] (or stop --mark stop) while the top level
# keeps the whole cell.
# Driven by a fake /proc (APF_PROC_ROOT) whose counters the test moves:
# swap that happens only before `mark start` is 0 in the measured phase.
. "$(dirname "$0")/../lib.sh"
M=$TOP/host/monitor
if [ ! -x "$TOP/host/monitor-sampler" ]; then
	skip_rest "monitor mark/measured" "not built (run make)"
fi
if ! command -v jq >/dev/null; then
	skip_rest "monitor mark/measured" "no jq (host/need-packages test)"
fi
export APF_RUN_DIR=$TMP_T/run
FP=$TMP_T/proc FPID=4242
export APF_PROC_ROOT=$FP
cleanup() {
	local reg
	for reg in "$APF_RUN_DIR"/monitor-*; do
		[ -d "$reg" ] || continue
		"$M" stop --state "$(cat "$reg/state")" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP_T"
}
trap cleanup EXIT

# fake_vmstat IN OUT MAJ / fake_majflt N [STARTTIME]: what the sampler reads.
# Written in place (the sampler keeps the files open and re-reads them),
# padded to one length and never truncated (1<>): a truncate before the
# write let the sampler read an empty stat now and then, which is a QEMU
# that is gone, and it stopped (seen once, on a busy machine).
in_place() { printf '%-160s\n' "$2" 1<>"$1"; }
fake_vmstat() { in_place "$FP/vmstat" "$(printf 'nr_free_pages 1000\npgmajfault %s\npswpin %s\npswpout %s\nswap_ra 0' "$3" "$1" "$2")"; }
fake_majflt() { in_place "$FP/$FPID/stat" "$(printf '%s (qemu fake) S 1 1 1 0 -1 0 0 0 %s 0 0 0 0 0 20 0 3 0 %s 0 0' "$FPID" "$1" "${2:-777}")"; }
mkdir -p "$FP/$FPID" "$FP/pressure"
fake_vmstat 100 200 300
fake_majflt 10
printf '2000 512 0 0 0 0 0\n' >"$FP/$FPID/statm"
printf 'Name:\tqemu fake\nVmRSS:\t2048 kB\n' >"$FP/$FPID/status"
printf '7f0000000000-7f0001000000 rw-s 00000000 00:01 99 /memfd:memory-backend-memfd (deleted)\nSize: 16384 kB\nRss: 1024 kB\nSwap: 512 kB\n' >"$FP/$FPID/smaps"
printf 'some avg10=1.50 avg60=0.00 avg300=0.00 total=100\nfull avg10=0.25 avg60=0.00 avg300=0.00 total=50\n' >"$FP/pressure/memory"

# until_row AWK-COND: wait (at most 10 s) for a host.tsv row matching it
until_row() {
	local i
	for ((i = 0; i < 100; i++)); do
		awk -F'\t' "NR > 1 && ($1) {f = 1} END {exit !f}" "$OUT/host.tsv" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# 1. swap before the measured phase only
S1=$TMP_T/s1 OUT=$TMP_T/c1
check "start on the fake process" "$M" start --pid "$FPID" --state "$S1" --out "$OUT" --interval 0.05
fake_vmstat 100 1200 300
fake_majflt 15
if until_row '$3 == 1000'; then ok "the sampler saw the swap-out (a row with pswpout 1000)"; else not_ok "the sampler saw the swap-out" "$(cat "$OUT/host.tsv")"; fi
check "mark start" "$M" mark --state "$S1" start
sleep 0.3
check "mark stop" "$M" mark --state "$S1" stop
check "stop" "$M" stop --state "$S1"
J=$OUT/host.json
expect_eq "whole cell: pswpout 1000" 1000 "$(jq .pswpout "$J")"
expect_eq "whole cell: qemu_majflt 5" 5 "$(jq .qemu_majflt "$J")"
expect_eq "measured: pswpout 0 (the swap came before mark start)" 0 "$(jq .measured.pswpout "$J")"
expect_eq "measured: pswpin, pgmajfault, qemu_majflt 0" "0 0 0" "$(jq -r '[.measured.pswpin, .measured.pgmajfault, .measured.qemu_majflt] | join(" ")' "$J")"
expect_eq "measured: duration_s > 0, start_s > 0, start + duration within the cell" true \
	"$(jq '.measured.duration_s > 0 and .measured.start_s > 0 and .measured.start_s + .measured.duration_s <= .duration_s' "$J")"
expect_eq "measured: kvm_async_pf keys" '["completed","not_present","ready","repeated_fault","try_async_get_page"]' \
	"$(jq -c '.measured.kvm_async_pf | keys' "$J")"
if [ "$(jq .trace_events "$J")" = null ]; then
	expect_eq "measured: no traced events, counts null" null "$(jq .measured.kvm_async_pf.not_present "$J")"
else
	expect_eq "measured: kvm events counted (0 without KVM guests)" 0 "$(jq .measured.kvm_async_pf.not_present "$J")"
fi
expect_eq "t0_epoch: a time near now" true "$(jq --arg now "$(date +%s)" '(.t0_epoch - ($now | tonumber)) | fabs < 600' "$J")"
expect_eq "sampler block" true "$(jq '.sampler.interval_s == 0.05 and (.sampler.cpu_pct | type) == "number"' "$J")"
expect_eq "host.tsv: guest swap from the fake smaps" 524288 "$(awk -F'\t' 'NR == 2 {print $7}' "$OUT/host.tsv")"
expect_eq "host.tsv: psi avg10 columns" "1.5 0.25" "$(awk -F'\t' 'NR == 2 {print $9, $10}' "$OUT/host.tsv")"

# in_phase LABEL STATE-NAME "IN OUT MAJ" ROW-COND: a cell started and its
# phase begun (mark start), then these counters, seen by the sampler.
in_phase() {
	ST=$TMP_T/$2 OUT=$TMP_T/c-$2
	fake_vmstat 100 1200 300
	check "$1: start" "$M" start --pid "$FPID" --state "$ST" --out "$OUT" --interval 0.05
	check "$1: mark start" "$M" mark --state "$ST" start
	# shellcheck disable=SC2086  # three numbers
	fake_vmstat $3
	until_row "$4" || true
}

# 2. swap inside the measured phase
in_phase "second cell" s2 "140 1700 310" '$3 == 500'
S2=$ST
check "second cell: mark stop" "$M" mark --state "$S2" stop
fake_vmstat 150 1800 310
check "second cell: stop" "$M" stop --state "$S2"
J=$OUT/host.json
expect_eq "measured: the phase's own swap (in 40, out 500, majfault 10)" "40 500 10" \
	"$(jq -r '[.measured.pswpin, .measured.pswpout, .measured.pgmajfault] | join(" ")' "$J")"
expect_eq "whole cell: everything (in 50, out 600)" "50 600" "$(jq -r '[.pswpin, .pswpout] | join(" ")' "$J")"

# 2b. the stop mark taken by stop itself (stop --mark stop, as apf-vm does)
in_phase "stop --mark" s6 "130 1500 305" '$3 == 300'
check "stop --mark stop" "$M" stop --state "$ST" --mark stop
J=$OUT/host.json
expect_eq "stop --mark: measured is the phase's swap (in 30, out 300, majfault 5)" "30 300 5" \
	"$(jq -r '[.measured.pswpin, .measured.pswpout, .measured.pgmajfault] | join(" ")' "$J")"
expect_eq "stop --mark: measured has duration_s > 0" true "$(jq '.measured.duration_s > 0' "$J")"
fake_vmstat 150 1800 310 # where the second cell left them, for the next

# 4. QEMU gone before the marks (the fake pid now names another process):
# the sampler has ended by itself, mark still records the host counters
# and the moment on the boot clock, so the buffered events are counted
S5=$TMP_T/s5 OUT=$TMP_T/c5
fake_majflt 15
check "gone: start" "$M" start --pid "$FPID" --state "$S5" --out "$OUT" --interval 0.05
fake_majflt 15 778
for ((i = 0; i < 100; i++)); do
	[ -s "$(find "$APF_RUN_DIR" -name sampler.wall_s | head -n 1)" ] && break
	sleep 0.1
done
if [ -n "$(find "$APF_RUN_DIR" -name sampler.wall_s)" ]; then ok "gone: the sampler finished by itself"; else not_ok "gone: the sampler finished by itself"; fi
check "gone: mark start" "$M" mark --state "$S5" start
fake_vmstat 150 1900 310
check "gone: mark stop" "$M" mark --state "$S5" stop
check "gone: stop" "$M" stop --state "$S5"
if [ "$(jq .trace_events "$OUT/host.json")" = null ]; then want="100 null"; else want="100 0"; fi
expect_eq "gone: measured host counters still there, events counted from the buffer" "$want" \
	"$(jq -r '[.measured.pswpout, .measured.kvm_async_pf.not_present] | map(tostring) | join(" ")' "$OUT/host.json")"

# 3. no marks: measured is null
S3=$TMP_T/s3 OUT=$TMP_T/c3
check "third cell: start" "$M" start --pid "$FPID" --state "$S3" --out "$OUT"
check "third cell: stop" "$M" stop --state "$S3"
expect_eq "no marks: measured is null" null "$(jq .measured "$OUT/host.json")"
expect_exit "mark without a monitor: bad usage" 2 "$M" mark --state "$S3" start
expect_exit "mark with a bad name: bad usage" 2 "$M" mark --state "$S3" middle
expect_exit "stop --mark start: bad usage" 2 "$M" stop --state "$S3" --mark start
expect_exit "start with --interval 0.001: bad usage" 2 "$M" start --pid "$FPID" --state "$TMP_T/s4" --out "$TMP_T/c4" --interval 0.001
expect_eq "registry empty afterwards" "" "$(find "$APF_RUN_DIR" -mindepth 1 -maxdepth 1 -type d)"
done_testing
