#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# apf-report on 1000 cells (5 kernels x 4 modes x 5 pressures x 2 workloads
# x 5 reps) with full-size histograms and 30 s series: the report is
# complete and right in shape. Its wall time is printed as a comment for
# the record (the target is <= 10 s), not asserted.
. "$(dirname "$0")/../lib.sh"
if ! command -v gnuplot >/dev/null; then skip_rest "1000-cell report" "gnuplot missing"; fi
plan 9
R=$TMP_T/big
"$TOP/tests/report/gen-result" --out "$TMP_T/tpl" --workload fault-storm --seed 7 >/dev/null
# Template: 600 histogram buckets, 300 series and co-runner slices.
jq -c '.latency_ns.hist = [range(0; 600) | [1000 + . * 37, 5 + (. % 7)]]
	| .series.rows = [range(1; 301) | [. / 10, 1000 + (. % 13), 5000 + . * 3]]
	| .corunner.per_slice = [range(1; 301) | [. / 10, 5000000 + (. % 11) * 1000]]' \
	"$TMP_T/tpl/result.json" >"$TMP_T/tpl.json"
# The cell list, then one awk writes all 1000 result.json files; ops_per_s
# varies with the kernel so the comparison has something to chew on.
awk -v root="$R/cells" 'BEGIN {
	for (k = 1; k <= 5; k++) for (m = 1; m <= 4; m++) for (p = 1; p <= 5; p++)
	for (w = 1; w <= 2; w++) for (r = 1; r <= 5; r++)
		printf "%s/kernel-%d/mode-%d/pressure-%d/%s/rep-%d\n", root, k, m, p, (w == 1 ? "fault-storm" : "exec-storm"), r
}' >"$TMP_T/list"
xargs mkdir -p <"$TMP_T/list"
awk -v tplfile="$TMP_T/tpl.json" 'BEGIN { getline tpl < tplfile; srand(3) } {
	s = tpl
	k = $0; sub(/.*\/kernel-/, "", k); k = substr(k, 1, 1)
	sub(/"ops_per_s":[0-9.e+]+/, sprintf("\"ops_per_s\":%.3f", 1000 * k + 100 * rand()), s)
	f = $0 "/result.json"; print s > f; close(f) }' "$TMP_T/list"
expect_eq "1000 synthetic cells" 1000 "$(find "$R/cells" -name result.json | wc -l)"

t0=$(date +%s.%N)
rc=0
"$TOP/scripts/apf-report" "$R" >"$TMP_T/out" 2>"$TMP_T/err" || rc=$?
t1=$(date +%s.%N)
expect_eq "apf-report on 1000 cells exits 0" 0 "$rc"
echo "# 1000 cells reported in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s (target <= 10 s; not asserted)"
expect_eq "summary.tsv: 1000 x 18 rows" 18000 "$(($(wc -l <"$R/summary.tsv") - 1))"
for a in kernel mode pressure; do
	check "compare-$a.tsv written" test -s "$R/report/compare-$a.tsv"
done
# along kernel: 2 workloads x 4 modes x 5 pressures x 7 metrics (every cell is
# the fault-storm template, co-runner included) x 5 columns
expect_eq "compare-kernel rows" $((2 * 4 * 5 * 7 * 5)) "$(($(wc -l <"$R/report/compare-kernel.tsv") - 1))"
check "index.html written" test -s "$R/report/index.html"
check "every workload has its spectrum" test -s "$R/report/exec-storm-spectrum.png"
