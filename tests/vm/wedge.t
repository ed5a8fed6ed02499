#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# apf-vm's lock-up check (host/vm-lib/channel.sh: wedged, read_line): a
# console whose soft-lockup watchdog reports a CPU stuck for a minute or
# more ends the wait at once (read_line returns 4, WEDGED says why);
# shorter stalls, RCU stall reports alone, no console or no WEDGE_LOG do not.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
echo "1..8"
# shellcheck source=host/lib.sh
. host/lib.sh
# shellcheck source=host/vm-lib/channel.sh
. host/vm-lib/channel.sh
log=$TMP_T/console.log

# The check must also be quiet: a console without a lock-up report once
# made `[` complain on every poll.
try() { # WHAT WANT(0|1)
	local rc=0
	WEDGED=""
	wedged 2>"$TMP_T/wedged.err" || rc=$?
	expect_eq "$1" "$2" "$rc"
	[ ! -s "$TMP_T/wedged.err" ] || expect_eq "$1: nothing on stderr" "" "$(cat "$TMP_T/wedged.err")"
}
unset WEDGE_LOG
try "no WEDGE_LOG: never wedged" 1
WEDGE_LOG=$log
try "no console yet: not wedged" 1
printf '[ 45.2] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n' >"$log"
try "an RCU stall report alone: not wedged" 1
printf '[104.4] watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [bash:1885]\n' >>"$log"
try "stuck for 23 s: not yet" 1
printf '[144.4] watchdog: BUG: soft lockup - CPU#1 stuck for 60s! [bash:1885]\n' >>"$log"
try "stuck for 60 s: wedged" 0
expect_eq "WEDGED names the stall and the console" "a CPU stuck for 60s (soft lockup) in console.log" "$WEDGED"

# read_line gives up with 4 while the channel stays silent and QEMU alive.
qemu_alive() { kill -0 "$1" 2>/dev/null; }
mkfifo "$TMP_T/ctl"
exec {CTL_R}<>"$TMP_T/ctl"
QPID=$$ LINE_BUF=""
deadline=$(($(now_us) + 30 * 1000000))
rc=0
read_line "$deadline" || rc=$?
expect_eq "read_line: 4 on a locked-up guest (2 would be its deadline)" 4 "$rc"
WEDGE_LOG=""
printf 'READY 1\n' >&"$CTL_R"
rc=0
read_line "$deadline" || rc=$?
expect_eq "read_line: a line still arrives without WEDGE_LOG" "0 READY 1" "$rc $LINE"
exec {CTL_R}>&-
