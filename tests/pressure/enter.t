#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/pressure enter: a process started through it (as apf-vm starts QEMU)
# is in the cell's cgroup from its first page, so what it touched before
# attach is charged there, and the limit set at attach makes the kernel
# reclaim it down to the limit at once (charges never move with a process
# moved in later: that is why QEMU is born inside). Levels without a cgroup
# run the command as is; nothing prepared is refused.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
need_pressure_root "pressure enter"
P=$TOP/host/pressure

# usage_of CGDIR: bytes charged to it (v1 or v2)
usage_of() { cat "$1/memory.usage_in_bytes" 2>/dev/null || cat "$1/memory.current"; }
# memfd_swap PID: kB of the stand-in's guest RAM mapping in swap
memfd_swap() {
	awk '/memfd:memory-backend-memfd/ { m = 1; next } /^[0-9a-f]+-[0-9a-f]+ / { m = 0 } m && $1 == "Swap:" { s += $2 } END { print s + 0 }' "/proc/$1/smaps"
}

before=$(sys_snapshot)
s=$TMP_T/limit
check "limit50: prepare" "$P" prepare --level limit50 --swap file --mem 128M --state "$s"
cg=$(jget "$s/pressure.json" .cgroup.path)
expect_eq "limit50: prepare made the cgroup" yes "$([ -d "$cg" ] && echo yes || echo no)"
lim=$(cat "$cg/memory.limit_in_bytes" 2>/dev/null || cat "$cg/memory.max" 2>/dev/null || echo none)
if [ "$lim" = max ] || { [[ $lim =~ ^[0-9]+$ ]] && [ "$lim" -gt $((128 << 20)) ]; }; then
	ok "limit50: no limit before attach"
else
	not_ok "limit50: no limit before attach" "limit $lim"
fi
out=$TMP_T/hold.out
"$P" enter --state "$s" -- "$HOLD" 128 >"$out" &
SPID=$!
STANDINS+=("$SPID")
for ((i = 0; i < 300; i++)); do
	grep -q ready "$out" 2>/dev/null && break
	sleep 0.1
done
check "limit50: the entered process runs" grep -q ready "$out"
expect_eq "limit50: entered under its own PID (exec, no wrapper left)" memfd-hold "$(cat "/proc/$SPID/comm" 2>/dev/null)"
if grep -qxF "$SPID" "$cg/cgroup.procs"; then ok "limit50: in the cgroup before attach"; else not_ok "limit50: in the cgroup before attach" "$(cat "/proc/$SPID/cgroup")"; fi
used=$(usage_of "$cg")
if [ "${used:-0}" -ge $((120 << 20)) ]; then
	ok "limit50: its 128 MiB are charged to the cell's cgroup before attach ($used bytes)"
else
	not_ok "limit50: its 128 MiB are charged to the cell's cgroup before attach" "usage $used"
fi
check "limit50: attach" "$P" attach --state "$s" --pid "$SPID"
used=$(usage_of "$cg")
if [ "${used:-0}" -le $((64 << 20)) ]; then ok "limit50: attach reclaimed down to the limit ($used bytes)"; else not_ok "limit50: attach reclaimed down to the limit" "usage $used > 64 MiB"; fi
sw=$(memfd_swap "$SPID")
if [ "$sw" -ge $((48 << 10)) ]; then ok "limit50: guest RAM in swap right after attach (${sw} kB)"; else not_ok "limit50: guest RAM in swap right after attach" "${sw} kB"; fi
check "limit50: release" "$P" release --state "$s"
stop_standins
assert_as_before "limit50 via enter" "$before"

# a level without a cgroup: the command runs as is
check "none: prepare" "$P" prepare --level none --mem 64M --state "$TMP_T/none"
expect_eq "none: enter runs the command" entered "$("$P" enter --state "$TMP_T/none" -- echo entered)"
expect_exit "nothing prepared: enter refused" 2 "$P" enter --state "$TMP_T/nowhere" -- true
expect_exit "enter without a command" 2 "$P" enter --state "$TMP_T/none"
done_testing
