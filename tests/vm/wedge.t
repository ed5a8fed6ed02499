#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# apf-vm's lock-up check (host/vm-lib/channel.sh read_line, the rule in
# host/apf-chan): a console whose soft-lockup watchdog reports a CPU stuck
# for a minute or more ends the wait at once (read_line returns 4, WEDGED
# says why); shorter stalls, RCU stall reports alone, no console or no
# WEDGE_LOG wait for the deadline (2).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
echo "1..7"
# shellcheck source=host/lib.sh
. host/lib.sh
# shellcheck source=host/vm-lib/channel.sh
. host/vm-lib/channel.sh
fail() { echo "FAIL $1: $2"; exit 1; }
log=$TMP_T/console.log
S=$TMP_T/s QPID=$$
mkdir -p "$S"
mkfifo "$TMP_T/ctl"
exec {CTL_R}<>"$TMP_T/ctl"

# The check must also be quiet: a console without a lock-up report once
# made `[` complain on every poll.
try() { # WHAT WANT(2|4) SECONDS
	local rc=0
	WEDGED=""
	read_line "$(($(now_us) + $3 * 1000000))" 2>"$TMP_T/wedged.err" || rc=$?
	expect_eq "$1" "$2" "$rc"
	if [ -s "$TMP_T/wedged.err" ] || [ -s "$S/chan/err" ]; then
		expect_eq "$1: nothing on stderr" "" "$(cat "$TMP_T/wedged.err" "$S/chan/err")"
	fi
}
unset WEDGE_LOG
try "no WEDGE_LOG: never wedged" 2 2
WEDGE_LOG=$log
try "no console yet: not wedged" 2 2
printf '[ 45.2] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n' >"$log"
try "an RCU stall report alone: not wedged" 2 2
printf '[104.4] watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [bash:1885]\n' >>"$log"
try "stuck for 23 s: not yet" 2 2
printf '[144.4] watchdog: BUG: soft lockup - CPU#1 stuck for 60s! [bash:1885]\n' >>"$log"
try "stuck for 60 s: wedged, long before the deadline" 4 30
expect_eq "WEDGED names the stall and the console" "a CPU stuck for 60s (soft lockup) in console.log" "$WEDGED"

WEDGE_LOG=""
printf 'READY 1\n' >&"$CTL_R"
rc=0
read_line "$(($(now_us) + 30 * 1000000))" || rc=$?
expect_eq "read_line: a line still arrives without WEDGE_LOG" "0 READY 1" "$rc $LINE"
exec {CTL_R}>&-
