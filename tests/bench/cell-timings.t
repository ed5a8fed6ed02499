#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/cell-timings on a synthetic run: phase medians, the overhead per
# cell (each cell's own wall minus its measured phase), the duty cycle,
# with shares of the run (overlapped cells) their overhead and duty too,
# failed cells left out, nested cells grouped by how their host (L1)
# started, its snapshot's one-time save left out, bad usage refused.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
plan 10
run=$TMP_T/run
mkcell() { # NAME STATUS WALL BOOT MEASURED
	mkdir -p "$run/cells/$1"
	jq -n --arg s "$2" --argjson b "$4" --argjson m "$5" \
		'{status: $s, env: {timings: {boot: $b, measured: $m, release: null}}}' >"$run/cells/$1/result.json"
	printf 'cells/%s\t%s\t0\t%s\t%s\n' "$1" "$2" "$3" "$3" >>"$run/cells.tsv"
}
mkdir -p "$run"
: >"$run/cells.tsv"
mkcell a ok 10 2 3
mkcell b ok 14 4 3
mkcell c ok 30 3 10
mkcell d failed 99 50 1
out=$(scripts/cell-timings "$run")
expect_eq "3 ok cells counted (the failed one left out)" "3 ok cells; median seconds per cell:" "$(head -n 1 <<<"$out")"
expect_eq "boot and measured medians (of 2, 4, 3 and 3, 3, 10)" "3.00 3.00" "$(awk '$1 == "boot" || $1 == "measured" {printf "%s%.2f", (n++ ? " " : ""), $2}' <<<"$out")"
expect_eq "overhead: median of 7, 11, 20" "11.00" "$(sed -n 's/^overhead per cell.*median: \([0-9.]*\) s$/\1/p' <<<"$out")"
expect_eq "duty: 16 of 54 s" "29.6%" "$(sed -n 's/^duty cycle (measured \/ wall): //p' <<<"$out")"
if grep -q 'share' <<<"$out"; then not_ok "no shares recorded: no share lines" "$out"; else ok "no shares recorded: no share lines"; fi

# Overlapped cells: cells.tsv's sixth column, each cell's share of the run.
run2=$TMP_T/run2
mkdir -p "$run2/cells/a" "$run2/cells/b" "$run2/cells/c"
for c in a:2:8:6 b:2:9:4 c:10:20:13; do
	IFS=: read -r n m w sh <<<"$c"
	jq -n --argjson m "$m" '{status: "ok", env: {timings: {measured: $m}}}' >"$run2/cells/$n/result.json"
	printf 'cells/%s\tok\t0\t%s\t%s\t%s\n' "$n" "$w" "$w" "$sh" >>"$run2/cells.tsv"
done
out=$(scripts/cell-timings "$run2")
expect_eq "overhead of the run: median of share - measured (4, 2, 3)" "3.00" "$(sed -n 's/^overhead per cell of the run.*median: \([0-9.]*\) s$/\1/p' <<<"$out")"
expect_eq "duty of the run: 14 of 23 s of shares" "60.9%" "$(sed -n 's/^duty cycle of the run (measured \/ shares): //p' <<<"$out")"
# Nested cells: their guest always boots; their host (L1) started from a
# snapshot (saved once: l1_snapshot) or booted.
run3=$TMP_T/run3
for c in n1:snapshot:10:40 n2:snapshot:null:28 n3:snapshot:null:32 n4:boot:null:45; do
	IFS=: read -r n from snap w <<<"$c"
	mkdir -p "$run3/cells/$n"
	jq -n --arg f "$from" --argjson s "$snap" \
		'{status: "ok", env: {boot_from: "boot", host: {boot_from: $f}, timings: {l1_snapshot: $s, measured: 3}}}' >"$run3/cells/$n/result.json"
	printf 'cells/%s\tok\t0\t%s\t%s\n' "$n" "$w" "$w" >>"$run3/cells.tsv"
done
expect_eq "nested: by L1's start, its save left out (27, 25, 29; 42)" \
	"without the one-time snapshot saves: 27.00 s from a snapshot (3 cells), 42.00 s booted (1 cells)" \
	"$(scripts/cell-timings "$run3" | sed -n 's/^  without/without/p' | head -n 1)"
expect_exit "no run directory: bad usage" 2 scripts/cell-timings "$TMP_T/nothing"
expect_exit "no argument: bad usage" 2 scripts/cell-timings
