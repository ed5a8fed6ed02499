#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The host axis: a run over this machine and a nested host (stand-ins for
# apf-vm, synthetic cells under cells/<host>/...) compares the two host
# columns with the others held equal, with numbers (not NA), the nested
# host's plot lines carry its name, and the async-PF plot is drawn from
# host.tsv's event counts.
. "$(dirname "$0")/../lib.sh"
if ! command -v gnuplot >/dev/null; then skip_rest "host axis" "gnuplot missing (host/need-packages test)"; fi
plan 13
export APF_VM=$TOP/tests/bench/fake-apf-vm FAKE_ACCEL=kvm
cat >"$TMP_T/h.conf" <<'CONF'
hosts     = local nested-debian-6.12-cloud
kernels   = debian-6.1-cloud
modes     = apf-on apf-off
pressure  = limit30
workloads = fault-storm
reps      = 3
duration  = 2
CONF
R=$TMP_T/run
rc=0
APF_BENCH_NO_ROOT_CHECK=1 "$TOP/bench/apf-bench" "$TMP_T/h.conf" --out "$R" >/dev/null 2>"$TMP_T/err" || rc=$?
expect_eq "synthetic run over two hosts" 0 "$rc"
[ "$rc" = 0 ] || { sed 's/^/#   /' "$TMP_T/err" | tail -n 3; exit 0; }
check "cells under cells/<host>/" test -f "$R/cells/nested-debian-6.12-cloud/debian-6.1-cloud/apf-off/limit30/fault-storm/rep-3/result.json"
check "the local host's cells too" test -f "$R/cells/local/debian-6.1-cloud/apf-on/limit30/fault-storm/rep-1/result.json"
rc=0
"$TOP/scripts/apf-report" "$R" >"$TMP_T/out" 2>"$TMP_T/err" || rc=$?
expect_eq "apf-report exits 0" 0 "$rc"
C=$R/report/compare-host.tsv
check "compare-host.tsv written" test -s "$C"
# the nested column, its baseline being this machine (host local)
n=$(awk -F'\t' '$2 == "nested-debian-6.12-cloud" && $11 == "ops_per_s" && $16 != "NA"' "$C" | wc -l)
expect_eq "nested column: ops/s change per mode (not NA)" 2 "$n"
expect_eq "baseline: this machine (local)" local "$(awk -F'\t' 'NR == 2 { print $3 }' "$C")"
# recompute one mean independently
want=$(for f in "$R"/cells/nested-debian-6.12-cloud/debian-6.1-cloud/apf-on/limit30/fault-storm/rep-*/result.json; do jq .ops_per_s "$f"; done |
	awk '{ s += $1; n++ } END { printf "%.0f", s / n }')
seen=$(awk -F'\t' '$2 == "nested-debian-6.12-cloud" && $9 == "apf-on" && $11 == "ops_per_s" { printf "%.0f", $13 }' "$C")
expect_eq "nested apf-on ops/s mean as recomputed" "$want" "$seen"
if grep -q 'host=nested-debian-6.12-cloud mode=apf-on' "$R/report/data/"*series*; then
	ok "plot lines of the nested host carry its name (host=... mode=...)"
else not_ok "plot lines of the nested host carry its name" "$(head -n 2 "$R"/report/data/*series* | tr '\n' ' ')"; fi
if [ "$(head -c 4 "$R/report/fault-storm-asyncpf.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e47 ]; then
	ok "async-PF plot drawn from host.tsv's event counts"
else not_ok "async-PF plot drawn" "$(ls "$R/report")"; fi
# env.timings of a nested host: its l1_boot is one of the stacked phases
if head -n 1 "$R/report/data/timings.dat" | grep -q 'l1_boot' && test -s "$R/report/timings.png"; then
	ok "where the time went: nested hosts' l1_boot among the phases"
else not_ok "timings plot with l1_boot" "$(head -n 2 "$R/report/data/timings.dat" 2>&1)"; fi
expect_eq "timings: one bar per host" "host=local host=nested-debian-6.12-cloud" \
	"$(awk -F'\t' 'NR > 1 { print $1 }' "$R/report/data/timings.dat" | tr '\n' ' ' | sed 's/ $//')"
# nested cells run on KVM: no "no async PF" headline
if grep -q 'no async PF here' "$TMP_T/out"; then not_ok "KVM cells: no 'no async PF here'"; else ok "KVM cells: the headline does not say 'no async PF here'"; fi
