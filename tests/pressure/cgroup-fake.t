#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The cgroup code path against a fake cgroup root (plain files): v2 (not
# runnable on this host, whose v2 tree has no memory controller) and v1.
# Checks the exact file writes: delegation under the no-internal-processes
# rule, no limit at create (QEMU boots inside unlimited), memory.high and
# memory.max at limit time, the pid move, and that release undoes all of it.
. "$(dirname "$0")/../lib.sh"
plan 42
. "$(dirname "$0")/lib.sh"
export PROG=cgroup-fake.t
# shellcheck source=host/lib.sh
. "$TOP/host/lib.sh"
# shellcheck source=host/pressure-lib/state.sh
. "$TOP/host/pressure-lib/state.sh"
# shellcheck source=host/pressure-lib/cgroup.sh
. "$TOP/host/pressure-lib/cgroup.sh"

export APF_CGROUP_ROOT=$TMP_T/cg APF_CGROUP_SELF_FILE=$TMP_T/self.cgroup
REG=$TMP_T/reg
mkdir -p "$REG"

# a v2 tree: we live in /user/app, which holds two processes
fake_v2() {
	rm -rf "$APF_CGROUP_ROOT"
	mkdir -p "$APF_CGROUP_ROOT/user/app"
	echo "cpu memory pids" >"$APF_CGROUP_ROOT/user/app/cgroup.controllers"
	printf '%s' "${1:-}" >"$APF_CGROUP_ROOT/user/app/cgroup.subtree_control"
	printf '101\n102\n' >"$APF_CGROUP_ROOT/user/app/cgroup.procs"
	echo "0::/user/app" >"$APF_CGROUP_SELF_FILE"
}

# --- v2, memory not yet delegated ---
fake_v2 ""
export APF_CGROUP_VERSION=2
if cg_detect; then ok "v2 detected"; else not_ok "v2 detected" "$CG_ERR"; fi
expect_eq "v2 own path" /user/app "$CG_SELF"
P=$APF_CGROUP_ROOT/user/app
check "v2 create" cg_create "$REG" pressure-1-2-3
expect_eq "parent's processes moved to a suite leaf" "101 102" "$(tr '\n' ' ' <"$P/apfbench-suite/cgroup.procs" | sed 's/ $//')"
expect_eq "+memory delegated in the parent" "+memory" "$(cat "$P/cgroup.subtree_control")"
expect_eq "no limit written at create" "" "$(find "$P/apfbench-pressure-1-2-3" -name 'memory.*')"
check "v2 attach" cg_attach "$REG" 4242
expect_eq "pid written to the cell's cgroup.procs" 4242 "$(cat "$P/apfbench-pressure-1-2-3/cgroup.procs")"
check "v2 limit" cg_limit "$REG" 536870912
expect_eq "memory.max" 536870912 "$(cat "$P/apfbench-pressure-1-2-3/memory.max")"
expect_eq "memory.high at 95%" 510027366 "$(cat "$P/apfbench-pressure-1-2-3/memory.high")"
expect_eq "no v1 files in a v2 cgroup" "" "$(find "$P/apfbench-pressure-1-2-3" -name '*limit_in_bytes')"

# a second cell while the first runs: reuses the delegation
REG2=$TMP_T/reg2
mkdir -p "$REG2"
check "v2 second cell" cg_create "$REG2" pressure-4-5-6
expect_eq "second cell knows the suite delegated" "$P" "$(st_get "$REG2" cg.enabled)"
check "release the first cell" cg_release "$REG"
expect_eq "first cell's cgroup removed" no "$([ -d "$P/apfbench-pressure-1-2-3" ] && echo yes || echo no)"
expect_eq "delegation kept while a cell remains" "+memory" "$(cat "$P/cgroup.subtree_control")"
check "release the second cell" cg_release "$REG2"
expect_eq "delegation undone by the last release" "-memory" "$(cat "$P/cgroup.subtree_control")"
expect_eq "suite leaf removed" no "$([ -d "$P/apfbench-suite" ] && echo yes || echo no)"
expect_eq "only our files were ever in the parent" "cgroup.controllers cgroup.procs cgroup.subtree_control" "$(find "$P" -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ' | sed 's/ $//')"
check "release is idempotent" cg_release "$REG"

# --- v2, memory already delegated by someone else: nothing moved, nothing undone ---
fake_v2 "memory pids"
rm -rf "$REG" && mkdir -p "$REG"
cg_detect
check "v2 create under an existing delegation" cg_create "$REG" pressure-7-8-9
expect_eq "no suite leaf made" no "$([ -d "$P/apfbench-suite" ] && echo yes || echo no)"
check "v2 release" cg_release "$REG"
expect_eq "foreign delegation left alone" "memory pids" "$(cat "$P/cgroup.subtree_control")"

# --- v2 at the root cgroup: no processes to move (root is exempt) ---
rm -rf "$APF_CGROUP_ROOT" "$REG" && mkdir -p "$APF_CGROUP_ROOT" "$REG"
echo "memory" >"$APF_CGROUP_ROOT/cgroup.controllers"
: >"$APF_CGROUP_ROOT/cgroup.subtree_control"
echo 1 >"$APF_CGROUP_ROOT/cgroup.procs"
echo "0::/" >"$APF_CGROUP_SELF_FILE"
cg_detect
check "v2 create at the root" cg_create "$REG" pressure-1-1-1
check "v2 limit at the root" cg_limit "$REG" 1000000
expect_eq "no suite leaf at the root" no "$([ -d "$APF_CGROUP_ROOT/apfbench-suite" ] && echo yes || echo no)"
expect_eq "cgroup at the root" 1000000 "$(cat "$APF_CGROUP_ROOT/apfbench-pressure-1-1-1/memory.max")"
check "v2 release at the root" cg_release "$REG"

# --- v1 ---
rm -rf "$APF_CGROUP_ROOT" "$REG" && mkdir -p "$APF_CGROUP_ROOT/svc/x" "$REG"
: >"$APF_CGROUP_ROOT/svc/x/cgroup.procs"
printf '4:memory:/svc/x\n3:cpu,cpuacct:/\n0::/\n' >"$APF_CGROUP_SELF_FILE"
export APF_CGROUP_VERSION=1
cg_detect
expect_eq "v1 own path from the memory line" /svc/x "$CG_SELF"
check "v1 create" cg_create "$REG" pressure-2-2-2
D=$APF_CGROUP_ROOT/svc/x/apfbench-pressure-2-2-2
expect_eq "v1: no limit written at create" "" "$(find "$D" -name 'memory.*')"
check "v1 attach" cg_attach "$REG" 777
expect_eq "v1 pid moved" 777 "$(cat "$D/cgroup.procs")"
check "v1 limit" cg_limit "$REG" 805306368
expect_eq "memory.limit_in_bytes" 805306368 "$(cat "$D/memory.limit_in_bytes")"
expect_eq "v1: only the limit file" "memory.limit_in_bytes" "$(find "$D" -name "memory.*" -printf "%f\n")"
check "v1 release" cg_release "$REG"
expect_eq "v1 cgroup removed" no "$([ -d "$D" ] && echo yes || echo no)"

# --- nothing usable ---
printf '3:cpu:/\n' >"$APF_CGROUP_SELF_FILE"
if cg_detect; then not_ok "no memory line is refused"; else ok "no memory line is refused"; fi
