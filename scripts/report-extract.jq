# SPDX-License-Identifier: GPL-2.0-only
# report-extract.jq: every figure apf-report needs from a run's result.json
# files, in one pass, as tab-separated records (jq -r, --arg run LABEL).
# Every record starts with its type and the cell's coordinates
#   R M H K O P W rep  = run machine host kernel mode pressure workload rep
# and then:
#   S ... status metric value                  one per metric (all cells)
#   D ... status celldir measured_start_s      one per cell (all cells)
#   P ... phase seconds                        env.timings (all cells)
#   E ... mode_effective accel                 effective mode (ok cells)
#   H ... upper count upper count ...          histogram  (ok cells)
#   T ... slice_s t ops max t ops max ...      series     (ok cells)
#   C ... slice_s t work t work ...            co-runner  (ok cells)
# (H/T/C carry a whole cell on one line, flattened: one @tsv per cell is
# several times faster in jq than one per bucket.)
# A cell's coordinates come from its path, so a cell is always filed where
# the runner put it: the components after the last `cells` up to rep-N are
#   K/O/P/W/rep-N                 (older runs: host and machine local)
#   H/K/O/P/W/rep-N               (host: local or nested-<kernel>)
#   M/H/K/O/P/W/rep-N             (a fleet run: machine first)
# null (not measured) becomes NA, never 0.
def num: if type == "number" then tostring else "NA" end;

(input_filename | split("/")) as $parts
| ($parts | rindex("cells")) as $ci
| ($parts[$ci + 1:-1]) as $c
| (if ($c | length) >= 7 then $c[-7:]
   elif ($c | length) == 6 then ["local"] + $c
   else ["local", "local"] + $c[-5:] end) as [$mach, $h, $k, $m, $p, $w, $rep]
| ($rep | ltrimstr("rep-")) as $r
| [$run, $mach, $h, $k, $m, $p, $w, $r] as $at
| ($parts[:-1] | join("/")) as $dir
| (.series.slice_s // 0.1) as $slice
| (.status // "invalid") as $st
| ([ ["ops_per_s", .ops_per_s],
     ["ops", .ops],
     ["duration_s", .duration_s],
     ["lat_mean_ns", .latency_ns.mean],
     ["lat_p50_ns", .latency_ns.p50],
     ["lat_p90_ns", .latency_ns.p90],
     ["lat_p99_ns", .latency_ns.p99],
     ["lat_p99.9_ns", .latency_ns."p99.9"],
     ["lat_p99.99_ns", .latency_ns."p99.99"],
     ["lat_max_ns", .latency_ns.max] ]
   + (if .corunner then [["corunner_work_per_s", .corunner.work_per_s]] else [] end)
   + (if .wakeup then [["wakeup_p50_ns", .wakeup.latency_ns.p50],
                       ["wakeup_p99_ns", .wakeup.latency_ns.p99],
                       ["wakeup_max_ns", .wakeup.latency_ns.max]] else [] end)
   + (if (.kctx | type) == "object"
      then [.kctx | to_entries[] | select(.value | type == "number") | ["kctx_" + .key, .value]]
      else [] end)
   + [ ["guest_pgmajfault", .guest.pgmajfault],
       ["guest_pswpin", .guest.pswpin],
       ["guest_hyp_irqs", .guest.hyp_irqs],
       ["host_pswpin", .host.pswpin],
       ["host_pswpout", .host.pswpout],
       ["host_qemu_majflt", .host.qemu_majflt],
       ["host_swap_peak_bytes", .host.qemu_guest_swap_peak_bytes] ]) as $metrics
| ($metrics[] | ["S"] + $at + [$st, .[0], (.[1] | num)] | @tsv),
  (["D"] + $at + [$st, $dir, (.host.measured.start_s | num)] | @tsv),
  (if (.env.timings | type) == "object"
   then .env.timings | to_entries[] | select(.value | type == "number")
        | ["P"] + $at + [.key, (.value | tostring)] | @tsv
   else empty end),
  (select($st == "ok")
   | (["E"] + $at + [(.env.mode_effective // "unknown"), (.env.accel // "unknown")] | @tsv),
     (["H"] + $at + [(.latency_ns.hist // [])[][]] | @tsv),
     (["T"] + $at + [$slice] + [(.series.rows // [])[][]] | @tsv),
     (if .corunner.per_slice then ["C"] + $at + [$slice] + [.corunner.per_slice[][]] | @tsv else empty end))
