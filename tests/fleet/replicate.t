#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# fleet_mode = replicate over three loopback machines (sshd on 127.0.0.2,
# .3 and .4, each login in its own home), the third down at first: every
# reachable machine runs the whole target = local matrix from the pinned
# suite and its cells come back under cells/<machine>/; run.json has each
# machine's facts; the down machine is reported and its job fails; once it
# is up, --resume runs only its job and leaves the others' cells alone.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
fleet_require
fleet_init
fleet_machine m1 127.0.0.2
fleet_machine m2 127.0.0.3
port3=$(fleet_free_port)
fleet_unreachable 127.0.0.4 "$port3"
fleet_conf "$TMP_T/r.conf" replicate "fault-storm exec-storm"
cat >"$TMP_T/machines" <<'M'
# three loopback machines
@m1/127.0.0.2
@m2/127.0.0.3
@m3/127.0.0.4
M
R=$TMP_T/run
rc=0
"$TOP/bench/apf-bench" "$TMP_T/r.conf" --fleet "$TMP_T/machines" --out "$R" >"$TMP_T/out" 2>"$TMP_T/err" || rc=$?
expect_eq "a machine down: exit 1" 1 "$rc"
for m in m1 m2; do
	for w in fault-storm exec-storm; do
		check "$m: $w came back ok" jq -e '.status == "ok" and .env.accel == "native"' \
			"$R/cells/$m/local/local/native/none/$w/rep-1/result.json"
	done
done
if [ ! -e "$R/cells/m3" ]; then ok "m3: no cells"; else not_ok "m3: no cells" "$(find "$R/cells/m3" | head)"; fi
if grep -q "machine m3 (127.0.0.4) is unreachable" "$TMP_T/err"; then ok "m3 reported unreachable"; else not_ok "m3 reported unreachable" "$(cat "$TMP_T/err")"; fi
check "run.json: m3 unreachable with the ssh error" \
	jq -e '.fleet.machines.m3 | .state == "unreachable" and (.unreachable_reason | test("refused|ssh"))' "$R/run.json"
check "run.json: m1, m2 complete with their facts (CPU, kernel, accel, QEMU)" jq -e '
	[.fleet.machines.m1, .fleet.machines.m2][] | .state == "complete" and .cells_total == 2
	and (.host.cpu_model | type) == "string" and (.host.kernel | length) > 0 and .host.accel == "native"
	and (.host | has("qemu")) and .accel_per_kernel[0].accel == "native"' "$R/run.json"
check "run.json: status failed, the suite revision pinned" \
	jq -e --arg rev "$(git -C "$TOP" rev-parse HEAD)" '.status == "failed" and .fleet.suite.git_revision == $rev' "$R/run.json"
check "each machine built and ran in its own work dir" test -f "$FLEET_T/m1/home/apf-fleet/$(jq -r .run_id "$R/run.json")/setup.ok" -a \
	-f "$FLEET_T/m2/home/apf-fleet/$(jq -r .run_id "$R/run.json")/setup.ok"
if grep -Eq '^apf-fleet: m1 \[2/2\] .*fleet [0-9]+/6 cells, .*ETA' "$TMP_T/err"; then ok "progress: cells done/total per machine, fleet-wide, ETA"
else not_ok "progress lines" "$(grep '\[' "$TMP_T/err")"; fi
stamp=$(stat -c %Y "$R/cells/m1/local/local/native/none/fault-storm/rep-1/result.json")

# m3 comes up: the resume runs its job only.
fleet_machine m3 127.0.0.4 "$port3"
sleep 1
rc=0
"$TOP/bench/apf-bench" --resume "$R" >"$TMP_T/out2" 2>"$TMP_T/err2" || rc=$?
expect_eq "--resume once m3 is up: exit 0" 0 "$rc"
for w in fault-storm exec-storm; do
	check "m3: $w ok after the resume" jq -e '.status == "ok"' "$R/cells/m3/local/local/native/none/$w/rep-1/result.json"
done
expect_eq "the joblog ran m1's job once" 1 "$(awk -F'\t' '$1 == 1' "$R/fleet/joblog" | wc -l)"
expect_eq "m1's cells untouched" "$stamp" "$(stat -c %Y "$R/cells/m1/local/local/native/none/fault-storm/rep-1/result.json")"
check "run.json: complete, 6 cells, 3 machines complete, resumed once" jq -e '
	.status == "complete" and .cells_total == 6 and .cells_failed == 0 and (.resumed | length) == 1
	and ([.fleet.machines[].state] == ["complete", "complete", "complete"])' "$R/run.json"
# The report's machine axis (cells/<machine>/<host>/...) is the report's.
if grep -qw machine "$TOP/scripts/apf-report"; then
	if "$TOP/scripts/apf-report" "$R" --summary-only >/dev/null 2>"$TMP_T/rep"; then
		col=$(head -n 1 "$R/summary.tsv" | tr '\t' '\n' | grep -nx machine | cut -d: -f1)
		check "the report's machine axis: m1 m2 m3" test "$(tail -n +2 "$R/summary.tsv" | cut -f "${col:-1}" | sort -u | paste -sd ' ')" = "m1 m2 m3"
	else
		not_ok "apf-report reads the fleet run" "$(cat "$TMP_T/rep")"
	fi
else
	skip "the report's machine axis" "scripts/apf-report in this tree has no machine level yet"
fi
done_testing
