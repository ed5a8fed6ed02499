# SPDX-License-Identifier: GPL-2.0-only
# run-json.jq: a fleet run's run.json from its jobs (bench/apf-fleet).
# Input: the run.json so far. $jobs[0]: one object per job (job, group,
# pinned, state, exit, machine, run: that job's own apf-bench run.json,
# remote: its job.json). $machines[0]: the sshloginfile's machines with the
# probe's facts. The top-level keys keep apf-bench's shape so the report
# reads a fleet run like any other; where machines differ a value becomes
# "m1: a; m2: b". Per machine and per job detail lives under .fleet.
def uniq_keep_order: reduce .[] as $x ([]; if index([$x]) then . else . + [$x] end);
def merge_vals($pairs):   # [[machine, value], ...] -> one value or "m: v; ..."
  ($pairs | map(.[1]) | uniq_keep_order) as $u
  | if ($u | length) <= 1 then $u[0]
    else $pairs | map("\(.[0]): \(.[1] // "-")") | join("; ") end;

($jobs[0]) as $J
| ($machines[0]) as $M
| [$J[] | select(.run != null)] as $ran
| ($ran[0].run // null) as $first
| .status = $status | .end = $end_ts
| .config.resolved = (if $first then ($first.config.resolved
      + { workloads: $wl,
          modes_run: ([$ran[].run.config.resolved.modes_run[]?] | uniq_keep_order) })
    else .config.resolved end)
| .modes = (if $first then
      { requested: $first.modes.requested,
        run: ([$ran[].run.modes.run[]?] | uniq_keep_order),
        collapsed: ([$ran[].run.modes.collapsed] | any),
        note: ([$ran[].run.modes.note | select(. != null)] | uniq_keep_order
               | if length == 0 then null else join("; ") end) }
    else .modes end)
| .accel_per_kernel = [$ran[] | .machine as $m | .run.accel_per_kernel[]? | . + { machine: $m }]
| .host = (if ($ran | length) > 0 then
      ([$ran[] | .run.host | keys[]] | uniq_keep_order) as $keys
      | reduce $keys[] as $k ({}; .[$k] = merge_vals([$ran[] | [.machine, .run.host[$k]]] | uniq_keep_order))
    else null end)
| .suite.git_revision = .fleet.suite.git_revision
| .cells_total = ([$ran[].run.cells_total // 0] | add // 0)
| .cells_failed = ([$ran[].run.cells_failed // 0] | add // 0)
| .cells_retried = ([$ran[].run.cells_retried // 0] | add // 0)
| .accel_mismatch = ([$ran[] | select(.run.accel_mismatch) | .run.accel_mismatch + { machine: .machine }]
                     | if length == 0 then null else . end)
| .fleet.jobs = [$J[] | { job, group, pinned, machine, state, exit,
                          cells_total: (.run.cells_total // null),
                          cells_failed: (.run.cells_failed // null),
                          run_status: (.run.status // null),
                          start: (.run.start // null), end: (.run.end // null),
                          remote: .remote }]
| .fleet.groups = (if .fleet.mode == "shard"
      then [$J[] | { key: .group, value: { machine, state } }] | from_entries else null end)
| .fleet.machines = ([$M[] | .name as $n
      | [$J[] | select(.machine == $n or .pinned == $n)] as $mine
      | [$mine[] | select(.run != null)] as $mran
      | { key: $n, value: {
          login, reachable, unreachable_reason,
          state: (if .reachable == "no" then "unreachable"
                  elif ($mine | length) == 0 then "idle"
                  elif ([$mine[].state] | all(. == "complete")) then "complete"
                  else ([$mine[].state] | map(select(. != "complete")) | uniq_keep_order | join(" ")) end),
          jobs: [$mine[].job],
          host: ($mran[0].run.host // null),
          accel_per_kernel: [$mran[].run.accel_per_kernel[]?],
          modes_run: ([$mran[].run.modes.run[]?] | uniq_keep_order),
          probe,
          hostname: ($mran[0].remote.hostname // null),
          cells_total: ([$mran[].run.cells_total // 0] | add // 0),
          cells_failed: ([$mran[].run.cells_failed // 0] | add // 0),
          start: ([$mran[].run.start | select(. != null)] | min // null),
          end: ([$mran[].run.end | select(. != null)] | max // null) } }]
      | from_entries)
