#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Each workload runs natively (the `local` target) for 2 s and writes valid
# result files; fault-storm also with the wakeup probe beside it.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
plan 26
make -s guest/apfw guest/apfw-exec-helper >/dev/null

run_one() {
	local name=$1 out=$TMP_T/$1 rc=0 problems
	shift
	guest/apfw run "$@" --duration 2 --out "$out" >"$TMP_T/$name.log" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		not_ok "$name: runs for 2 s" "exit $rc: $(cat "$TMP_T/$name.log")"
		return
	fi
	if problems=$(tests/check-result "$out"); then
		ok "$name: valid result.json, latency.hgrm, series.tsv"
	else
		not_ok "$name: valid result files" "$problems"
	fi
}

run_one fault-storm fault-storm --bytes 64M --threads 2 --corunners 1
run_one exec-storm exec-storm --threads 1 --argv-bytes 256K
run_one exec-storm-fork exec-storm --threads 1 --method fork
run_one exec-storm-vfork exec-storm --threads 1 --method vfork
run_one rcu-readers rcu-readers --files 20000 --renamer --op open
run_one wakeup wakeup --interval-us 500
run_one fault-storm-with-wakeup fault-storm --bytes 32M --with wakeup
run_one wakeup-pinned-numa0 wakeup --cpus 0 --threads 2 --numa-node 0
run_one fault-storm-interleave fault-storm --bytes 16M --interleave --threads 1 --corunners 0

r=$TMP_T/fault-storm/result.json
if [ -s "$r" ]; then
	expect_eq "fault-storm: co-runner block has one thread" 1 "$(jq .corunner.threads "$r")"
	check "fault-storm: co-runner did work, per-slice rows add up to its total" \
		jq -e '.corunner.work > 0 and ([.corunner.per_slice[][1]] | add) == .corunner.work' "$r"
	check "fault-storm: buffer size and page count recorded" \
		jq -e '.params.bytes == 67108864 and .params.pages == 16384' "$r"
fi
r=$TMP_T/fault-storm/result.json
[ -s "$r" ] && check "cpu: measured, and no more than the CPUs here could give in the phase" \
	jq -e --argjson n "$(nproc)" '(.cpu.usr_s + .cpu.sys_s) as $c | $c > 0 and
		$c <= $n * .duration_s * 1.5 + 0.5 and .cpu.voluntary_ctxsw >= 0 and
		.cpu.involuntary_ctxsw >= 0' "$r"
[ -s "$r" ] && check "tool: apfbench, version = git describe of this tree" \
	jq -e --arg v "$(git describe --always --dirty 2>/dev/null || echo unknown)" \
		'.tool == { name: "apfbench", version: $v }' "$r"
r=$TMP_T/exec-storm/result.json
[ -s "$r" ] && check "exec-storm: cpu counts the reaped children's (spawns wait: voluntary switches)" \
	jq -e '.cpu.sys_s > 0 and .cpu.voluntary_ctxsw > 0' "$r"
[ -s "$r" ] && check "exec-storm: 256K of argv+envp split into strings both sides" \
	jq -e '.params.argv_bytes == 262144 and .params.argv_strings > 1 and .params.envp_strings > 0' "$r"
r=$TMP_T/rcu-readers/result.json
[ -s "$r" ] && check "rcu-readers: renamer ran and the tree is gone" \
	bash -c "jq -e '.params.renames > 0' '$r' >/dev/null && ! ls -d /tmp/apfw-tree.* 2>/dev/null | grep -q ."
r=$TMP_T/wakeup/result.json
[ -s "$r" ] && check "wakeup: one timer thread per CPU, about duration/interval samples each" \
	jq -e --argjson n "$(nproc)" '.params.threads == $n and
		(.ops / $n) > 0.5 * (.duration_s / 0.0005) and (.ops / $n) < 1.5 * (.duration_s / 0.0005)' "$r"
[ -s "$r" ] && check "series: one row per whole 0.1 s slice of 2 s, the tail folded in" \
	jq -e '(.series.rows | length) == 20 and .series.rows[-1][0] == 1.9' "$r"
r=$TMP_T/fault-storm-with-wakeup/result.json
[ -s "$r" ] && check "fault-storm --with wakeup: wakeup block and wakeup.hgrm" \
	bash -c "jq -e '.wakeup.latency_ns.count > 0 and .params.with == \"wakeup\"' '$r' >/dev/null &&
		test -s '$TMP_T/fault-storm-with-wakeup/wakeup.hgrm'"

r=$TMP_T/wakeup-pinned-numa0/result.json
[ -s "$r" ] && check "--cpus 0 --numa-node 0: recorded in params" \
	jq -e '.params.cpus == "0" and .params.numa_node == 0 and .params.threads == 2' "$r"
r=$TMP_T/fault-storm-interleave/result.json
[ -s "$r" ] && check "--corunners 0: no co-runner work, block still present" \
	jq -e '.params.interleave == true and .corunner.threads == 0 and .corunner.work == 0' "$r"

check "apfw list names the four workloads" \
	bash -c 'guest/apfw list | grep -c -E "^(fault-storm|exec-storm|rcu-readers|wakeup) " | grep -qx 4'
check "apfw run W --help lists common and workload options" \
	bash -c 'guest/apfw run fault-storm --help | grep -q -- "--duration" &&
		guest/apfw run fault-storm --help | grep -q -- "--corunners"'

# Every number a workload takes shows its bounds and where the upper one
# comes from (the table refuses a numeric row without bounds at run time).
unbounded=$(for w in $(guest/apfw list | awk '{ print $1 }'); do
	guest/apfw run "$w" --help | grep -E '^  --[a-z-]+ (N|SIZE|SIZE\|NN%|SEC) ' | grep -v '\[.*\.\..*\] max: ' | sed "s/^/$w:/"
done)
expect_eq "--help: every numeric option of every workload has bounds and a reason" "" "$unbounded"
check "apfw check prints the resolved parameters as one JSON line" \
	bash -c 'guest/apfw check wakeup --mem 512M --vcpus 2 | jq -e ".params.threads == 2 and .memory.available_bytes == 536870912" >/dev/null'
