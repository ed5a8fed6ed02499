#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# apf-bench with a stand-in VM launcher (tests/bench/fake-apf-vm): dry run,
# the cell tree, interleaved repetitions, the workload table's arguments,
# run.json, and modes collapsed under TCG but kept apart under KVM.
. "$(dirname "$0")/../lib.sh"
plan 28
B=$TOP/bench/apf-bench
export APF_VM=$TOP/tests/bench/fake-apf-vm FAKE_LOG=$TMP_T/calls

cat >"$TMP_T/m.conf" <<'CONF'
kernels   = debian-6.1-cloud debian-6.12-cloud
modes     = apf-on apf-off
pressure  = none
workloads = fault-storm-wakeup exec-storm
reps      = 2
duration  = 1
CONF

# ---- dry run
out=$(FAKE_ACCEL=tcg "$B" "$TMP_T/m.conf" --out "$TMP_T/dry" --dry-run 2>&1)
expect_eq "dry run (tcg): 8 cells listed" 8 "$(grep -c '^[0-9]' <<<"$out")"
if grep -q 'estimated' <<<"$out" && grep -q '8 cells, 8 to run' <<<"$out"; then ok "dry run prints the estimate"; else not_ok "dry run prints the estimate" "$out"; fi
if grep -q "run once as mode 'none'" <<<"$out"; then ok "dry run says the modes collapse under tcg"; else not_ok "dry run says the modes collapse" "$out"; fi
if [ ! -e "$TMP_T/dry" ] && [ ! -e "$FAKE_LOG" ]; then ok "dry run creates and runs nothing"; else not_ok "dry run creates and runs nothing"; fi
order=$(grep '^[0-9]' <<<"$out" | awk '{ print $3 }' | sed 's/.*rep-//' | tr -d '\n')
expect_eq "dry run: reps interleaved (all rep-1 first)" 11112222 "$order"
out=$(FAKE_ACCEL=kvm "$B" "$TMP_T/m.conf" --dry-run 2>&1)
expect_eq "dry run (kvm): every mode runs, 16 cells" 16 "$(grep -c '^[0-9]' <<<"$out")"

# ---- a TCG run
rc=0
stdout=$(FAKE_ACCEL=tcg "$B" "$TMP_T/m.conf" --out "$TMP_T/run" 2>"$TMP_T/err") || rc=$?
expect_eq "run exits 0" 0 "$rc"
expect_eq "stdout is the run directory" "$TMP_T/run" "$stdout"
R=$TMP_T/run
n=$(find "$R/cells" -name result.json | wc -l)
expect_eq "8 cells with result.json" 8 "$n"
check "cell tree is cells/<host>/<kernel>/<mode>/<pressure>/<workload>/rep-<n>" \
	test -f "$R/cells/local/debian-6.12-cloud/none/none/fault-storm-wakeup/rep-2/result.json"
expect_eq "launcher called once per cell" 8 "$(wc -l <"$FAKE_LOG")"
expect_eq "collapsed cells run as the first requested mode" "apf-on" "$(cut -f2 "$FAKE_LOG" | sort -u)"
expect_eq "calls interleave reps (rep-1 x4, then rep-2 x4)" "11112222" "$(cut -f5 "$FAKE_LOG" | sed 's/.*rep-//' | tr -d '\n')"
if grep -q "^debian-6.1-cloud	apf-on	none	fault-storm	.*	--	--bytes 50% --with wakeup$" "$FAKE_LOG"; then
	ok "fault-storm-wakeup runs apfw fault-storm --bytes 50% --with wakeup"
else not_ok "fault-storm-wakeup args from bench/workloads.tsv" "$(head -n 2 "$FAKE_LOG")"; fi
if grep -q "	exec-storm	.*	--	--argv-bytes 1M$" "$FAKE_LOG"; then ok "exec-storm gets --argv-bytes 1M"; else not_ok "exec-storm args" "$(cat "$FAKE_LOG")"; fi
check "run.json is valid JSON with schema apfbench-run/1" jq -e '.schema == "apfbench-run/1"' "$R/run.json"
check "run.json: modes requested and run, collapsed" \
	jq -e '.modes.requested == ["apf-on","apf-off"] and .modes.run == ["none"] and .modes.collapsed and (.modes.note | test("effective mode is none"))' "$R/run.json"
check "run.json: config as given and resolved, host facts, revision" \
	jq -e '(.config.text | test("fault-storm-wakeup")) and .config.resolved.reps == 2 and (.config.resolved.workload_table["exec-storm"].args == ["--argv-bytes","1M"]) and (.host.cores > 0) and (.host.kernel | length > 0) and (.suite | has("git_revision")) and .status == "complete" and (.end != null)' "$R/run.json"
if grep -q "run once as mode 'none'" "$TMP_T/err"; then ok "the collapse is said on screen"; else not_ok "the collapse is said on screen" "$(head -n 3 "$TMP_T/err")"; fi
if grep -q '^apf-bench: \[8/8\] .*ETA' "$TMP_T/err" && ! grep -q $'\r' "$TMP_T/err"; then
	ok "not a terminal: plain progress lines with ETA"
else not_ok "plain progress lines" "$(tail -n 3 "$TMP_T/err")"; fi
check "summary.tsv written" test -s "$R/summary.tsv"
check "summary.tsv rows carry mode none" awk -F'\t' 'NR > 1 && $3 != "none" { exit 1 }' "$R/summary.tsv"

# ---- KVM: modes are different runs
: >"$FAKE_LOG"
rc=0
FAKE_ACCEL=kvm "$B" "$TMP_T/m.conf" --out "$TMP_T/kvm" >/dev/null 2>&1 || rc=$?
expect_eq "kvm run exits 0" 0 "$rc"
expect_eq "kvm: 16 cells" 16 "$(find "$TMP_T/kvm/cells" -name result.json | wc -l)"
expect_eq "kvm: both modes requested from the launcher" "apf-off apf-on" "$(cut -f2 "$FAKE_LOG" | sort -u | tr '\n' ' ' | sed 's/ $//')"
check "kvm: run.json not collapsed" jq -e '.modes.collapsed == false and .modes.run == ["apf-on","apf-off"]' "$TMP_T/kvm/run.json"

# ---- a failing cell: exit 1, the rest still runs
expect_exit "--out onto an existing run is refused" 2 "$B" "$TMP_T/m.conf" --out "$TMP_T/run"

# ---- on a terminal: one status line, redrawn, with elapsed and ETA
if command -v script >/dev/null; then
	: >"$FAKE_LOG"
	FAKE_ACCEL=tcg FAKE_SLEEP=1.3 script -qec "'$B' '$TMP_T/m.conf' --out '$TMP_T/tty'" /dev/null >"$TMP_T/tty.out" 2>&1 </dev/null || true
	if grep -q $'\r\033\[K\[1/8\] local/debian-6.1-cloud/none/none/fault-storm-wakeup/rep-1  elapsed 0:0[0-9]  ETA ' "$TMP_T/tty.out"; then
		ok "terminal: redrawn status line with cell i/N, elapsed, ETA"
	else not_ok "terminal status line" "$(head -c 300 "$TMP_T/tty.out" | cat -v)"; fi
else
	skip "terminal status line" "no script(1)"
fi
