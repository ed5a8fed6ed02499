# SPDX-License-Identifier: GPL-2.0-only
# The cell's result.json from what host/apf-local got (jq -n, see finalize
# in host/local-lib/result.sh): $g[0] apfw's result (absent when it wrote
# none), $host the monitor's block, $status/$reason the runner's verdict
# when it overrides apfw's, $marks the phase marks in microseconds, and
# this machine's facts. The same shape as host/apf-vm's, accel native.

def secs(a; b): if ($marks[a] and $marks[b]) then (($marks[b] - $marks[a]) / 1e6) else null end;
def r3: if . == null then null elif . < 0 then 0 else (. * 1000 | round) / 1000 end;

# apfw's PHASE marks split its run; without them the measured phase is
# the result's own duration and the rest of apfw's run is set-up.
def timings($dur):
  { prepare: secs("start"; "spawn") }
  + (if $marks.phase_start and $marks.phase_stop then
       { setup: secs("spawn"; "phase_start"), measured: secs("phase_start"; "phase_stop"),
         collect: secs("phase_stop"; "apfw_exit") }
     elif $dur != null then
       { setup: (secs("spawn"; "apfw_exit") - $dur), measured: $dur, collect: null }
     else { setup: secs("spawn"; "apfw_exit"), measured: null, collect: null } end)
  # monitor stop, pressure release, reading the host block
  + { release: secs("apfw_exit"; "finalize") }
  | map_values(r3)
  # the result's own writing, this jq included (result_write in host/lib.sh)
  | .finalize = "@tail_s@";

($g[0] // { schema: "apfbench/1", workload: $w, params: null, env: {},
            status: null, reason: null, duration_s: null, ops: null,
            ops_per_s: null, latency_ns: null, corunner: null,
            series: null, guest: null, host: null }) as $base
| $base
| .env = ({ kernel_release: $release, cmdline: null, vcpus: null, memory_bytes: null,
            mode_effective: null } + (.env // {}))
| .env += { accel: "native", accel_reason: $accel_reason, kernel: "local", kernel_path: null,
            host_kernel_release: $release, mode_requested: $mode,
            pressure: $pressure, swap: $swap,
            host: { name: "local", kernel: null, kernel_release: $release, accel: "native" },
            timings: timings($base.duration_s) }
| .host = $host
| if $status != "" then .status = $status | .reason = $reason else . end
# The verdict first (result_write in host/lib.sh), then the result.
| ([.status, .reason // ""] | @tsv), .
