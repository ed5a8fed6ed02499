# report-extract.jq: every figure apf-report needs from a run's result.json
# files, in one pass, as tab-separated records (jq -r, --arg host H):
#   S host kernel mode pressure workload rep status metric value   (all cells)
#   H workload label rep upper count upper count ...   histogram  (ok cells)
#   T workload label rep slice_s t ops max t ops max ... series    (ok cells)
#   C workload label rep slice_s t work t work ...       co-runner (ok cells)
# (H/T/C carry a whole cell on one line, flattened: one @tsv per cell is
# several times faster in jq than one per bucket.)
#   E mode mode_effective                       effective mode    (ok cells)
# A cell's coordinates come from its path, so a cell is always filed where
# the runner put it: cells/H/K/M/P/W/rep-N/result.json, or in older runs
# cells/K/M/P/W/rep-N/result.json. The host is the nested host's name
# (nested-...), or for this machine (local) the run's host kernel, --arg
# host; lab is K/M/P, with a nested host's name and (--arg hostlabel, when
# several runs are compared) the run's label in front.
# null (not measured) becomes NA, never 0.
def num: if type == "number" then tostring else "NA" end;

(input_filename | split("/")) as $parts
| ($parts[($parts | rindex("cells")) + 1:-1]) as $c
| (if ($c | length) >= 6 then $c[-6:] else ["local"] + $c[-5:] end) as [$h, $k, $m, $p, $w, $rep]
| (if $h == "local" then $host else $h end) as $host
| ([(if $hostlabel == "" then empty else $hostlabel end), (if $h == "local" then empty else $h end)]
   | join(":") | if . == "" then "" else . + ":" end) as $prefix
| ($rep | ltrimstr("rep-")) as $r
| ($prefix + $k + "/" + $m + "/" + $p) as $lab
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
| ($metrics[] | ["S", $host, $k, $m, $p, $w, $r, $st, .[0], (.[1] | num)] | @tsv),
  (select($st == "ok")
   | (["E", $m, (.env.mode_effective // "unknown")] | @tsv),
     (["H", $w, $lab, $r] + [(.latency_ns.hist // [])[][]] | @tsv),
     (["T", $w, $lab, $r, $slice] + [(.series.rows // [])[][]] | @tsv),
     (if .corunner.per_slice then ["C", $w, $lab, $r, $slice] + [.corunner.per_slice[][]] | @tsv else empty end))
