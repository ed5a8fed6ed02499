#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# apf-report on a synthetic two-kernel x two-pressure run (stand-in VM
# launcher, tests/report/gen-result): summary.tsv shape, the comparison
# numbers checked against values computed here from the result files with
# jq and awk (t quantile from a printed table), the significance marks, a
# failed cell left out, the text table, valid PNG/SVG plots.
. "$(dirname "$0")/../lib.sh"
B=$TOP/bench/apf-bench
REP=$TOP/scripts/apf-report
if ! command -v gnuplot >/dev/null; then skip_rest "apf-report" "gnuplot missing (host/need-packages test)"; fi
plan 47
export APF_VM=$TOP/tests/bench/fake-apf-vm FAKE_ACCEL=tcg APF_BENCH_NO_ROOT_CHECK=1

cat >"$TMP_T/c.conf" <<'CONF'
kernels   = debian-6.1-cloud debian-6.12-cloud
modes     = apf-on apf-off
pressure  = none limit50
workloads = fault-storm exec-storm
reps      = 3
duration  = 2
CONF
R=$TMP_T/run
"$B" "$TMP_T/c.conf" --out "$R" >/dev/null 2>&1 || { not_ok "synthetic run" "apf-bench failed"; exit 0; }
# One cell fails: it must be listed but left out of every comparison.
F=$R/cells/local/debian-6.12-cloud/none/limit50/exec-storm/rep-3/result.json
jq '.status = "failed" | .reason = "synthetic"' "$F" >"$F.tmp" && mv "$F.tmp" "$F"

rc=0
"$REP" "$R" >"$TMP_T/out" 2>"$TMP_T/err" || rc=$?
expect_eq "apf-report exits 0" 0 "$rc"
[ ! -s "$TMP_T/err" ] || not_ok "apf-report is quiet on stderr" "$(head -n 3 "$TMP_T/err")"

# ---- summary.tsv: one row per cell x rep x metric
S=$R/summary.tsv
expect_eq "summary header" "host	kernel	mode	pressure	workload	rep	status	metric	value	machine	run" "$(head -n 1 "$S")"
# fault-storm: 10 base + co-runner + 7 counters; exec-storm: 17 (no co-runner).
expect_eq "summary rows: 12 x 18 + 12 x 17" $((12 * 18 + 12 * 17)) "$(($(wc -l <"$S") - 1))"
expect_eq "summary: each cell x rep x metric once" 0 "$(cut -f1-6,8 "$S" | sort | uniq -d | wc -l)"
expect_eq "summary: the failed cell is there, marked" 17 "$(awk -F'\t' '$2 == "debian-6.12-cloud" && $4 == "limit50" && $5 == "exec-storm" && $6 == 3 && $7 == "failed"' "$S" | wc -l)"
v=$(jq -r .ops_per_s "$R/cells/local/debian-6.1-cloud/none/none/fault-storm/rep-2/result.json")
expect_eq "summary value equals result.json" "$v" \
	"$(awk -F'\t' '$2 == "debian-6.1-cloud" && $4 == "none" && $5 == "fault-storm" && $6 == 2 && $8 == "ops_per_s" { print $9 }' "$S")"

# ---- comparison along kernel, recomputed from the result files
C=$R/report/compare-kernel.tsv
check "compare-kernel.tsv written" test -s "$C"
check "compare-pressure.tsv written (both axes vary)" test -s "$R/report/compare-pressure.tsv"
# independent: values of one metric for (kernel, pressure, workload) from result.json
vals() { # kernel pressure workload jq-path
	for f in "$R"/cells/local/"$1"/none/"$2"/"$3"/rep-*/result.json; do
		jq -r "select(.status == \"ok\") | $4" "$f"
	done
}
# mean, ci95 with t(0.975, n-1) from a printed table (NIST): n = 2, 3.
stats() { awk 'BEGIN { t[1] = 12.706205; t[2] = 4.302653 }
	{ x[++n] = $1; s += $1 } END { m = s / n; for (i = 1; i <= n; i++) ss += (x[i] - m) ^ 2
	  sd = sqrt(ss / (n - 1)); printf "%.10g %.10g %d\n", m, t[n - 1] * sd / sqrt(n), n }'; }
row() { # kernel pressure workload metric -> n mean ci95 rel sig test
	awk -F'\t' -v k="$1" -v p="$2" -v w="$3" -v m="$4" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["kernel"] == k && $c["pressure"] == p && $c["workload"] == w && $c["metric"] == m {
			print $c["n"], $c["mean"], $c["ci95"], $c["rel_change"], ($c["sig"] == "" ? "-" : $c["sig"]), $c["test"] }' "$C"
}
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; r = (b < 0 ? -b : b); exit !(d <= 1e-5 * r + 1e-9) }'; }
for case in "none fault-storm ops_per_s .ops_per_s" "limit50 fault-storm lat_p99_ns .latency_ns.p99" \
	"none exec-storm lat_max_ns .latency_ns.max" "none fault-storm corunner_work_per_s .corunner.work_per_s" \
	"limit50 exec-storm ops_per_s .ops_per_s"; do
	read -r p w m path <<<"$case"
	read -r bm bci _ < <(vals debian-6.1-cloud "$p" "$w" "$path" | stats)
	read -r em eci en < <(vals debian-6.12-cloud "$p" "$w" "$path" | stats)
	read -r n mean ci rel _ < <(row debian-6.12-cloud "$p" "$w" "$m")
	erel=$(awk -v a="$em" -v b="$bm" 'BEGIN { printf "%.10g", (a - b) / (b < 0 ? -b : b) }')
	if [ "$n" = "$en" ] && close "$mean" "$em" && close "$ci" "$eci" && close "$rel" "$erel"; then
		ok "compare $w $m ($p): n $n, mean, CI, change match the result files"
	else not_ok "compare $w $m ($p)" "table: $n $mean $ci $rel; computed: $en $em $eci $erel"; fi
	read -r n mean ci _ < <(row debian-6.1-cloud "$p" "$w" "$m")
	if close "$mean" "$bm" && close "$ci" "$bci"; then ok "baseline $w $m ($p) matches"; else not_ok "baseline $w $m ($p)" "$mean $ci vs $bm $bci"; fi
done
expect_eq "failed cell left out: n = 2" 2 "$(row debian-6.12-cloud limit50 exec-storm ops_per_s | cut -d' ' -f1)"
expect_eq "n = 2 against 3: underpowered, not tested, not marked" "- n<3" "$(row debian-6.12-cloud limit50 exec-storm ops_per_s | cut -d' ' -f5,6)"
expect_eq "max latency is never tested" "- untested" "$(row debian-6.12-cloud none fault-storm lat_max_ns | cut -d' ' -f5,6)"
# The synthetic 6.12 is ~20% slower with ~3% noise: Welch must see it.
expect_eq "a 20% slowdown is marked significant" "*" "$(row debian-6.12-cloud none fault-storm ops_per_s | cut -d' ' -f5)"
expect_eq "co-runner work (no kernel effect) is not marked" "-" "$(row debian-6.12-cloud none fault-storm corunner_work_per_s | cut -d' ' -f5)"
expect_eq "pressure is held equal: 2 x (7 + 6) x 2 rows" 52 "$(($(wc -l <"$C") - 1))"

# ---- text table
if grep -q 'debian-6.1-cloud  *debian-6.12-cloud' "$TMP_T/out"; then ok "text table has both kernels as columns"; else not_ok "text table columns" "$(head -n 5 "$TMP_T/out")"; fi
if grep -qE '^fault-storm +pressure=none +ops/s +[0-9.]+k ± [0-9.]+k +[0-9.]+k ± [0-9.]+k +-[0-9.]+% \*$' "$TMP_T/out"; then
	ok "text row: mean ± CI, change and mark"
else not_ok "text row format" "$(grep 'ops/s' "$TMP_T/out" | head -n 2)"; fi
expect_eq "prints the report path last" "report: $R/report/index.html" "$(tail -n 1 "$TMP_T/out")"

# ---- plots: PNG signature and a non-empty IHDR; SVG closed
png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	[ "$(od -An -j16 -N8 -tu1 "$1" | awk '{ print ($1 + $2 + $3 + $4 > 0 && $5 + $6 + $7 + $8 > 0) }')" = 1 ]; }
for w in fault-storm exec-storm; do
	for k in spectrum throughput series hostswap; do
		if png_ok "$R/report/$w-$k.png" && grep -q '</svg>' "$R/report/$w-$k.svg"; then ok "$w-$k: valid PNG and SVG"
		else not_ok "$w-$k plot" "$(ls -l "$R/report/$w-$k".* 2>&1)"; fi
	done
done
if png_ok "$R/report/fault-storm-corunner.png"; then ok "fault-storm co-runner plot"; else not_ok "fault-storm co-runner plot"; fi
check "no co-runner plot for exec-storm" test ! -e "$R/report/exec-storm-corunner.png"
check "spectrum data has one block per kernel/pressure" \
	test "$(awk -F'\t' 'NF { print $1 }' "$R/report/data/fault-storm-spectrum.dat" | sort -u | wc -l)" = 4

# ---- --axis, --summary-only, bad input
out=$("$REP" "$R" --axis mode 2>&1) || true
if grep -q 'Comparison along mode' <<<"$out" && test -s "$R/report/compare-mode.tsv"; then ok "--axis mode with one (collapsed) value"; else not_ok "--axis mode" "$out"; fi
expect_exit "--axis bogus: exit 2" 2 "$REP" "$R" --axis bogus
expect_exit "not a run: exit 2" 2 "$REP" "$TMP_T"
rm "$S"
check "--summary-only writes summary.tsv" "$REP" "$R" --summary-only
check "make report RUN=..." make -s -C "$TOP" report RUN="$R"

# ---- two runs: compared along the run axis, the second named by its directory
"$B" "$TMP_T/c.conf" --out "$TMP_T/run2" >/dev/null 2>&1
rc=0
"$REP" "$R" "$TMP_T/run2" --out "$TMP_T/cmp" >"$TMP_T/out2" 2>&1 || rc=$?
expect_eq "two runs: exit 0" 0 "$rc"
H=$TMP_T/cmp/compare-run.tsv
expect_eq "two runs: columns run and run2" "run run2" "$(awk -F'\t' 'NR > 1 { print $2 }' "$H" | awk '!s[$0]++' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "two runs: 3 reps per column" 3 "$(awk -F'\t' 'NR > 1 && $11 == "ops_per_s" && $8 == "debian-6.1-cloud" && $10 == "none" && $4 == "fault-storm" { print $12 }' "$H" | sort -u)"
expect_eq "two runs: every run2 ops/s change is a number" 0 "$(awk -F'\t' 'NR > 1 && $2 == "run2" && $11 == "ops_per_s" && $16 == "NA"' "$H" | wc -l)"
