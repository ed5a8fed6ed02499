#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# fleet_mode = shard over loopback machines, one of them down: each
# comparison group (a workload with all its columns and repetitions) runs
# whole on one machine that answered; the cells land in the usual
# cells/<host>/... tree; run.json says which machine ran which group and
# reports the down machine.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
fleet_require
fleet_init
fleet_machine m1 127.0.0.2
fleet_machine m2 127.0.0.3
fleet_unreachable 127.0.0.4 "$(fleet_free_port)"
fleet_conf "$TMP_T/s.conf" shard "fault-storm exec-storm" 2
printf '@m1/127.0.0.2\n@m2/127.0.0.3\n@m3/127.0.0.4\n' >"$TMP_T/machines"
R=$TMP_T/run
rc=0
"$TOP/bench/apf-bench" "$TMP_T/s.conf" --fleet "$TMP_T/machines" --out "$R" >"$TMP_T/out" 2>"$TMP_T/err" || rc=$?
expect_eq "every group done on the machines that answered: exit 0" 0 "$rc"
for w in fault-storm exec-storm; do
	for r in 1 2; do
		check "$w rep-$r ok in the usual tree" jq -e '.status == "ok"' "$R/cells/local/local/native/none/$w/rep-$r/result.json"
	done
	m=$(jq -r --arg w "$w" '.fleet.groups[$w].machine' "$R/run.json")
	case "$m" in m1 | m2) ok "group $w ran on $m" ;; *) not_ok "group $w: its machine" "'$m'" ;; esac
	# Both reps of the group came from that one job, on that one machine.
	expect_eq "group $w: all its cells in one job" 2 "$(grep -c "/$w/rep-" "$R/fleet/jobs/g-$w/run/cells.tsv")"
	check "group $w: its job says the same machine" \
		jq -e --arg w "$w" --arg m "$m" '.fleet.jobs[] | select(.group == $w) | .machine == $m and .state == "complete"' "$R/run.json"
done
expect_eq "no machine level in the tree" "local" "$(ls "$R/cells")"
check "run.json: m3 unreachable, complete, 4 cells" jq -e '
	.fleet.machines.m3.state == "unreachable" and .status == "complete" and .cells_total == 4
	and .config.resolved.workloads == ["fault-storm", "exec-storm"]' "$R/run.json"
check "run.json: facts of every machine that ran a group" jq -e '
	[.fleet.machines[] | select(.jobs | length > 0) | .host.accel == "native" and (.host.cpu_model | type) == "string"] | all and length >= 1' "$R/run.json"
if grep -q "machine m3 (127.0.0.4) is unreachable" "$TMP_T/err"; then ok "m3 reported unreachable"; else not_ok "m3 reported" "$(cat "$TMP_T/err")"; fi
run_id=$(jq -r .run_id "$R/run.json")
if [ ! -e "$FLEET_T/m1/home/apf-fleet/$run_id" ] && [ ! -e "$FLEET_T/m2/home/apf-fleet/$run_id" ]; then
	ok "a complete run leaves no work dir on the machines"
else
	not_ok "remote work dirs removed" "$(ls -d "$FLEET_T"/m*/home/apf-fleet/* 2>&1)"
fi
done_testing
