#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# SIGINT to a fleet run while every machine is inside a cell: the run
# stops, each machine's job stops its apf-bench, which cleans up as it
# does locally, and the driver's check on each machine finds nothing left.
# Checked here on the machines' side by PID (with start times, so a
# reused PID is not mistaken): the job, apf-bench and everything under it
# are gone, and no process works in a machine's home. Then --resume
# finishes the run.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
fleet_require
fleet_init
fleet_machine m1 127.0.0.2
fleet_machine m2 127.0.0.3
fleet_conf "$TMP_T/i.conf" replicate fault-storm 1 15
# Job control: a background job of a script otherwise starts with SIGINT
# ignored, and could not be interrupted as it is from a terminal.
set -m
printf '@m1/127.0.0.2\n@m2/127.0.0.3\n' >"$TMP_T/machines"
R=$TMP_T/run
"$TOP/bench/apf-bench" "$TMP_T/i.conf" --fleet "$TMP_T/machines" --out "$R" >"$TMP_T/out" 2>"$TMP_T/err" &
drv=$!

# descendants PID: PID and every process under it, "pid start" per line.
descendants() {
	local p c
	for p in "$@"; do
		printf '%s %s\n' "$p" "$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $20 }')"
		# shellcheck disable=SC2013  # the children files are space-separated PIDs
		for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do descendants "$c"; done
	done
}

# Wait until apf-bench runs a cell (its apfw child exists) on both machines.
ready=0
for _ in $(seq 1 600); do
	n=0
	for m in m1 m2; do
		f=$(ls "$FLEET_T/$m"/home/apf-fleet/*/running/m-$m.pid 2>/dev/null || true)
		[ -n "$f" ] || continue
		b=$(awk '$3 == "apf-bench" { print $1 }' "$f")
		[ -n "$b" ] && [ -n "$(cat /proc/"$b"/task/*/children 2>/dev/null)" ] && n=$((n + 1))
	done
	[ "$n" = 2 ] && { ready=1; break; }
	kill -0 "$drv" 2>/dev/null || break
	sleep 0.5
done
if [ "$ready" != 1 ]; then
	not_ok "both machines inside a cell" "$(tail -n 5 "$TMP_T/err")"
	kill -INT "$drv" 2>/dev/null || true
	wait "$drv" || true
	exit 0
fi
ok "both machines inside a cell"
: >"$TMP_T/pids"
for m in m1 m2; do
	f=$(ls "$FLEET_T/$m"/home/apf-fleet/*/running/m-$m.pid)
	while read -r pid _ _; do descendants "$pid"; done <"$f" >>"$TMP_T/pids"
done
expect_eq "recorded: job, apf-bench, apfw (at least) per machine" 1 "$([ "$(wc -l <"$TMP_T/pids")" -ge 6 ] && echo 1 || echo 0)"

kill -INT "$drv"
rc=0
wait "$drv" || rc=$?
expect_eq "interrupted: exit 130" 130 "$rc"
left=''
while read -r pid st; do
	[ -n "$st" ] || continue
	if fleet_alive "$pid" "$st"; then left="$left $pid($(cat "/proc/$pid/comm"))"; fi
done <"$TMP_T/pids"
expect_eq "every recorded process on both machines is gone" "" "$left"
# GNU parallel's remote wrapper (perl) outlives its job by up to a second:
# it looks for the job's end in a backoff loop. So the homes get 15 s to
# empty; the check is that nothing stays, not how fast it goes.
home_procs() {
	local p out=''
	for p in /proc/[0-9]*; do
		case "$(readlink "$p/cwd" 2>/dev/null)" in "$FLEET_T"/m*/home*) out="$out ${p#/proc/}($(tr "\0" " " <"$p/cmdline" 2>/dev/null | cut -c1-200))" ;; esac
	done
	printf '%s' "$out"
}
for _ in $(seq 150); do
	cwd_left=$(home_procs)
	[ -n "$cwd_left" ] || break
	sleep 0.1
done
expect_eq "no process works in a machine's home" "" "$cwd_left"
for m in m1 m2; do
	if grep -q "^apf-fleet: $m: nothing left running" "$TMP_T/err"; then ok "$m: the driver's check found nothing left"
	else not_ok "$m: the driver's check" "$(grep "$m" "$TMP_T/err" | tail -n 3)"; fi
done
check "run.json: interrupted" jq -e '.status == "interrupted"' "$R/run.json"
if grep -q "continue with: bench/apf-bench --resume $R" "$TMP_T/err"; then ok "says how to continue"; else not_ok "says how to continue" "$(tail -n 3 "$TMP_T/err")"; fi

rc=0
"$TOP/bench/apf-bench" --resume "$R" >/dev/null 2>"$TMP_T/err2" || rc=$?
expect_eq "--resume finishes: exit 0" 0 "$rc"
for m in m1 m2; do
	check "$m: the interrupted cell ok after the resume" jq -e '.status == "ok"' "$R/cells/$m/local/local/native/none/fault-storm/rep-1/result.json"
done
done_testing
