#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Comparing runs (apf-report --baseline A B --out DIR): two synthetic runs
# of different guest kernels (cells/<host>/... as apf-bench writes them,
# made directly with gen-result) compare along the run axis with numbers
# recomputed here from the result files (jq, awk, a printed t table) and
# the Holm correction redone here over the table's p-values; runs that
# share no cell are refused with one line and exit 2; a fleet run's
# machine level becomes the machine axis.
. "$(dirname "$0")/../lib.sh"
if ! command -v gnuplot >/dev/null; then skip_rest "comparing runs" "gnuplot missing (host/need-packages test)"; fi
plan 35
G=$TOP/tests/report/gen-result
REP=$TOP/scripts/apf-report

# mkrun DIR KERNEL WORKLOAD REPS [PREFIX]: one run, pressures none and
# limit50, mode apf-on, under cells/[PREFIX/]local/.
mkrun() {
	local dir=$1 k=$2 w=$3 reps=$4 pre=${5:-} p r seed=0
	for p in none limit50; do
		for r in $(seq 1 "$reps"); do
			seed=$((seed + 1))
			"$G" --out "$dir/cells/${pre:+$pre/}local/$k/apf-on/$p/$w/rep-$r" --workload "$w" --kernel "$k" \
				--mode apf-on --effective apf-on --accel kvm --pressure "$p" --seed "$(cksum <<<"$(basename "$dir")$k$p$r$pre" | cut -d' ' -f1)"
		done
	done
}
A=$TMP_T/a B=$TMP_T/b
mkrun "$A" debian-6.1-cloud fault-storm 3
mkrun "$B" debian-6.12-cloud fault-storm 3
# one more rep on one side: n differs between the columns
"$G" --out "$B/cells/local/debian-6.12-cloud/apf-on/none/fault-storm/rep-4" --workload fault-storm \
	--kernel debian-6.12-cloud --mode apf-on --effective apf-on --accel kvm --pressure none --seed 99

O=$TMP_T/cmp
rc=0
"$REP" --baseline "$A" "$B" --label a=old --label "$B=new" --out "$O" >"$TMP_T/out" 2>"$TMP_T/err" || rc=$?
expect_eq "two runs compare: exit 0" 0 "$rc"
[ ! -s "$TMP_T/err" ] || not_ok "quiet on stderr" "$(head -n 3 "$TMP_T/err")"
C=$O/compare-run.tsv
check "compare-run.tsv in --out" test -s "$C"
check "index.html in --out" test -s "$O/index.html"
expect_eq "summary.tsv names both runs" "new old" "$(awk -F'\t' 'NR > 1 { print $11 }' "$O/summary.tsv" | sort -u | tr '\n' ' ' | sed 's/ $//')"
expect_eq "columns: old (baseline), new" "old new" "$(awk -F'\t' 'NR > 1 { print $2 }' "$C" | awk '!s[$0]++' | tr '\n' ' ' | sed 's/ $//')"
# (host swap-ins without pressure are 0 on both sides: no relative change)
expect_eq "no NA change (host swap-ins without pressure aside)" 0 \
	"$(awk -F'\t' 'NR > 1 && $2 == "new" && $16 == "NA" && !($11 == "host_pswpin" && $10 == "none")' "$C" | wc -l)"
# the run-level kernel: each column shows its own
expect_eq "the new column carries its kernel" debian-6.12-cloud "$(awk -F'\t' 'NR > 1 && $2 == "new" { print $8; exit }' "$C")"

# ---- the numbers, recomputed from the result files
vals() { # run-dir kernel pressure jq-path
	for f in "$1"/cells/local/"$2"/apf-on/"$3"/fault-storm/rep-*/result.json; do jq -r "$4" "$f"; done
}
# mean, ci95 with t(0.975, n-1) from a printed table (NIST): n = 3, 4.
stats() { awk 'BEGIN { t[2] = 4.302653; t[3] = 3.182446 }
	{ x[++n] = $1; s += $1 } END { m = s / n; for (i = 1; i <= n; i++) ss += (x[i] - m) ^ 2
	  printf "%.10g %.10g %d\n", m, t[n - 1] * sqrt(ss / (n - 1)) / sqrt(n), n }'; }
row() { # run pressure metric -> n mean ci95 rel
	awk -F'\t' -v r="$1" -v p="$2" -v m="$3" '$2 == r && $10 == p && $11 == m { print $12, $13, $15, $16 }' "$C"
}
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; r = (b < 0 ? -b : b); exit !(d <= 1e-5 * r + 1e-9) }'; }
for case in "none ops_per_s .ops_per_s" "limit50 ops_per_s .ops_per_s" "none lat_p99_ns .latency_ns.p99" \
	"limit50 corunner_work_per_s .corunner.work_per_s" "none lat_p50_ns .latency_ns.p50"; do
	read -r p m path <<<"$case"
	read -r bm bci bn < <(vals "$A" debian-6.1-cloud "$p" "$path" | stats)
	read -r em eci en < <(vals "$B" debian-6.12-cloud "$p" "$path" | stats)
	erel=$(awk -v a="$em" -v b="$bm" 'BEGIN { printf "%.10g", (a - b) / (b < 0 ? -b : b) }')
	read -r n mean ci rel < <(row new "$p" "$m")
	if [ "$n" = "$en" ] && close "$mean" "$em" && close "$ci" "$eci" && close "$rel" "$erel"; then
		ok "new vs old, $m ($p): n $n, mean, CI and change as recomputed"
	else not_ok "new vs old, $m ($p)" "table: $n $mean $ci $rel; recomputed: $en $em $eci $erel"; fi
	read -r n mean ci _ < <(row old "$p" "$m")
	if [ "$n" = "$bn" ] && close "$mean" "$bm" && close "$ci" "$bci"; then ok "old, $m ($p): as recomputed"
	else not_ok "old, $m ($p)" "table: $n $mean $ci; recomputed: $bn $bm $bci"; fi
done
expect_eq "n differs: 4 reps against 3" "4" "$(row new none ops_per_s | cut -d' ' -f1)"

# ---- Holm over the table, redone here from its own p_welch column
holm=$(awk -F'\t' 'NR > 1 && $21 == "ok" { print NR, $17, $20, $18 }' "$C" | sort -k2,2g |
	awk '{ r[NR] = $0; p[NR] = $2; m = NR } END {
		for (k = 1; k <= m; k++) { a = (m - k + 1) * p[k]; if (a > 1) a = 1; if (a > run) run = a
			split(r[k], f, " "); d = run - f[3]; if (d < 0) d = -d
			if (d > 1e-5 * run + 1e-12) { bad++; why = why " [" r[k] " want " run "]" }	# p is printed to 6 digits
			if ((f[4] == "*") != (f[3] < 0.05)) { bad++; why = why " [" r[k] " mark]" } }
		print m, bad + 0, why }')
read -r m bad why <<<"$holm"
if [ "$m" -gt 5 ] && [ "$bad" = 0 ]; then ok "Holm-adjusted p and marks over the table's $m tests match a recomputation"
else not_ok "Holm over the table" "tests $m, mismatches $bad:$why"; fi
expect_eq "max latency never marked" 0 "$(awk -F'\t' '$11 == "lat_max_ns" && $18 == "*"' "$C" | wc -l)"
expect_eq "the 20% slowdown is marked" "*" "$(awk -F'\t' '$2 == "new" && $10 == "none" && $11 == "ops_per_s" { print $18 }' "$C")"

# ---- headline (stdout, last before the path) and the page
if grep -q '^  fault-storm: run new vs old \[kernel debian-6.12-cloud vs debian-6.1-cloud\] (pressure=none):' "$TMP_T/out" &&
	grep -q 'ops/s -[0-9.]*% ± [0-9.]*% (worse)' "$TMP_T/out"; then
	ok "the headline says what changed between the runs, with its CI"
else not_ok "headline" "$(grep -A 3 'What changed' "$TMP_T/out" | head -n 5)"; fi
expect_eq "the path is printed last" "report: $O/index.html" "$(tail -n 1 "$TMP_T/out")"
check "the page's headline table" grep -q '<table class="headline">' "$O/index.html"
if grep -q 'kernel=debian-6.1-cloud' "$O/data/fault-storm-series.dat" && grep -q 'run=old' "$O/data/fault-storm-series.dat"; then
	ok "plot lines named run=... kernel=... pressure=..."
else not_ok "plot line names" "$(head -n 1 "$O/data/fault-storm-series.dat")"; fi
expect_eq "throughput bars: baseline run first, none before limit50" \
	"run=old kernel=debian-6.1-cloud pressure=none|run=old kernel=debian-6.1-cloud pressure=limit50|run=new kernel=debian-6.12-cloud pressure=none|run=new kernel=debian-6.12-cloud pressure=limit50" \
	"$(cut -f1 "$O/data/fault-storm-throughput.dat" | paste -sd '|')"

# ---- runs that share no cell: refused, one line, exit 2
D=$TMP_T/d
mkrun "$D" debian-6.1-cloud exec-storm 1
rc=0
"$REP" --baseline "$A" "$D" --out "$TMP_T/cmp2" >"$TMP_T/out2" 2>"$TMP_T/err2" || rc=$?
expect_eq "disjoint runs: exit 2" 2 "$rc"
expect_eq "disjoint runs: one line on stderr" 1 "$(wc -l <"$TMP_T/err2")"
check "disjoint runs: it says why" grep -q 'share no cell' "$TMP_T/err2"
check "disjoint runs: nothing compared" test ! -e "$TMP_T/cmp2/compare-run.tsv"
expect_exit "--label naming no run: exit 2" 2 "$REP" --baseline "$A" "$B" --label nosuch=x --out "$TMP_T/cmp3"
expect_exit "--baseline alone: exit 2" 2 "$REP" --baseline "$A"

# ---- a fleet run: cells/<machine>/<host>/..., the machine axis
F=$TMP_T/f
mkrun "$F" debian-6.1-cloud fault-storm 3 m1
mkrun "$F" debian-6.1-cloud fault-storm 3 m2
rc=0
"$REP" "$F" >"$TMP_T/out3" 2>&1 || rc=$?
expect_eq "fleet run: exit 0" 0 "$rc"
expect_eq "fleet run: compared along machine, m1 the baseline" "m1 m2" \
	"$(awk -F'\t' 'NR > 1 { print $2 }' "$F/report/compare-machine.tsv" 2>/dev/null | awk '!s[$0]++' | tr '\n' ' ' | sed 's/ $//')"

# ---- every file the comparison page links (cells of both runs, tables,
# plots) exists relative to it
mapfile -t hrefs < <(grep -o 'href="[^#"][^"]*"' "$O/index.html" | sed 's/^href="//; s/"$//' | sort -u)
missing=''
for h in "${hrefs[@]}"; do [ -e "$O/$h" ] || missing="$missing $h"; done
if [ "${#hrefs[@]}" -gt 20 ] && [ -z "$missing" ]; then ok "all ${#hrefs[@]} links of the comparison page resolve"
else not_ok "links of the comparison page" "${#hrefs[@]} links; missing:$(cut -c1-300 <<<"$missing")"; fi
