# SPDX-License-Identifier: GPL-2.0-only
# The cell's result.json from what host/apf-vm got (jq -n, see finalize in
# host/vm-lib/result.sh): $g[0] the guest's result (absent when it sent
# none), $h the host's env facts (defaults, forced; made below from
# finalize's --arg's: one jq for the whole merge), $hj[0] host/monitor's
# block (host.json; absent without one), $status/$reason the host's
# verdict when it overrides the guest's, $guest_rc apfw's exit code,
# $l1_oom an OOM line of a nested host's console,
# $marks the phase marks in microseconds, $hostenv env.host (where the KVM
# host ran; null for a local cell, whose env.host is this machine, kernel
# release $hostrel), $nested true for a nested host (then the guest's result is the
# nested host's apf-vm's, already merged there, and only env.host and the
# L1 phases are added).

($hostenv // { name: "local", kernel: null, kernel_release: $hostrel, accel: "native" }) as $hostenv |
($hj[0] // null) as $host |
# env.swap names the backend really used, not the request "auto".
(if $swap == "auto" then ($host.swap // "auto" | if type == "string" then . else "auto" end) else $swap end) as $swap |
def nn: if . == "" then null else . end;
{ defaults: { kernel_release: ($kernel_release | nn), cmdline: null,
              vcpus: $vcpus, memory_bytes: $mem,
              mode_effective: (if $accel == "tcg" then "none" else null end) },
  forced: { accel: ($accel | nn), accel_reason: ($accel_reason | nn),
            qemu: ($qemu | nn), qemu_cmdline: ($qemu_cmdline | nn),
            kernel: $kernel, kernel_path: ($kernel_path | nn),
            mode_requested: $mode, pressure: $pressure, swap: $swap,
            boot_s: $boot_s, boot_from: $boot_from, guest_ram: $guest_ram } } as $h |

def secs(a; b): if ($marks[a] and $marks[b]) then (($marks[b] - $marks[a]) / 1e6) else null end;
def r3: if . == null then null elif . < 0 then 0 else (. * 1000 | round) / 1000 end;

# Phases of a cell run by this apf-vm: the guest's PHASE marks split what
# happened between GO and DONE; without them the measured phase is the
# result's own duration and collection starts at the first file.
# hold: the wait for the runner's word before GO (bench/apf-bench's
# overlap), cut out of setup.
def local_timings($dur):
  (if $marks.dur_snapshot then $marks.dur_snapshot / 1e6 else null end) as $snap
   | (if $marks.dur_hold then $marks.dur_hold / 1e6 else null end) as $hold
   | def less_hold: if . == null then null else . - ($hold // 0) end;
   { prepare: (secs("start"; "qemu_start") as $p | if $p == null then null else $p - ($snap // 0) end),
       snapshot: $snap,
       boot: secs("qemu_start"; "ready") }
  + (if $hold then { hold: $hold } else {} end)
  + (if $marks.phase_start and $marks.phase_stop then
       { setup: (secs("ready"; "phase_start") | less_hold), measured: secs("phase_start"; "phase_stop"),
         collect: secs("phase_stop"; "got_result") }
     elif $marks.collect_start and $dur != null then
       { setup: (secs("ready"; "collect_start") | less_hold | if . == null then null else . - $dur end),
         measured: $dur, collect: secs("collect_start"; "got_result") }
     else { setup: (secs("ready"; "got_result") | less_hold), measured: null, collect: null } end)
  + { poweroff: secs("got_result"; "qemu_gone"),
      monitor_stop: (if $marks.dur_monitor_stop then $marks.dur_monitor_stop / 1e6 else null end),
      release: (if $marks.dur_release then $marks.dur_release / 1e6 else null end) }
  | map_values(r3)
  # from finalize's start to the file's write, this jq included (result_write in host/lib.sh)
  | .finalize = "@tail_s@";

# A nested host's own phases around the inner cell's (whose timings L1's
# apf-vm reported): what L0 saw between ready and DONE beyond them is the
# nested host's start of the inner run and the result's way back.
def nested_timings($inner):
  ($inner | [.[] | numbers] | add // 0) as $in
  | (if $marks.dur_hold then $marks.dur_hold / 1e6 else null end) as $hold
  | (if $marks.dur_snapshot then $marks.dur_snapshot / 1e6 else null end) as $snap
  | (if $hold then { hold: $hold } else {} end)
  + { l1_prepare: (secs("start"; "qemu_start") as $p | if $p == null then null else $p - ($snap // 0) end),
      l1_snapshot: $snap, l1_boot: secs("qemu_start"; "ready"),
      l1_collect: (secs("ready"; "got_result") as $x | if $x == null then null else $x - $in - ($hold // 0) end),
      l1_poweroff: secs("got_result"; "qemu_gone") }
  | map_values(r3)
  | .l1_finalize = "@tail_s@";

($g[0] // { schema: "apfbench/1", workload: $w, params: null, env: {},
            status: null, reason: null, duration_s: null, ops: null,
            ops_per_s: null, latency_ns: null, corunner: null,
            series: null, guest: null, host: null }) as $base
| if $nested and $g[0] != null then
    $base
    | .env.timings = ((.env.timings // {}) + nested_timings(.env.timings // {}))
    | .env.host = $hostenv
    # L1 booted the same kernel from its own copy (/apf/l2): name it as L0 does.
    | .env.kernel = $h.forced.kernel | .env.kernel_path = $h.forced.kernel_path
    | .env.accel_reason = $h.forced.accel_reason
    # L1's swap on the disk L0 gave it is "disk" (its profile in env.host).
    | if $hostenv.swap_disk != null and .env.swap == "host" then .env.swap = "disk" else . end
  else
    $base
    | .env = ($h.defaults + (.env // {})
              | reduce ($h.defaults | keys[]) as $k (.; .[$k] //= $h.defaults[$k])
              | . + $h.forced)
    | .env.timings = (if $nested then nested_timings({})
                      else local_timings($base.duration_s) end)
    | .env.host = $hostenv
    | if $nested then . else .host = $host end
  end
# The host's verdict when it has one; a guest whose apfw failed after an
# ok result; then what an OOM kill (the cell's cgroup limit, or L1's
# kernel, from its console) adds to a failure.
| if $status != "" then .status = $status | .reason = $reason
  elif .status == "ok" and $guest_rc != "" and $guest_rc != "0" then .status = "failed" | .reason = "apfw exited \($guest_rc)"
  else . end
| if .status == "failed" and ($host.cgroup_oom_kills // 0) > 0
  then .reason = "\(.reason // "")" + "; the cell's cgroup limit OOM-killed QEMU (\($host.cgroup_oom_kills) kills in memory.events)" else . end
| if .status == "failed" and $l1_oom != "" then .reason = "\(.reason // "")" + "; nested host's console: " + $l1_oom else . end
# The verdict first (result_write in host/lib.sh), then the result.
| ([.status, "\(.workload) on \(.env.kernel) [\(.env.accel)]: \(.status)" + (if .reason then ": \(.reason)" else "" end)] | @tsv), .
