# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034  # the state is host/apf-local's, which sources this
# host/apf-local's run helpers and its result.json: written once, by
# finalize (last on the cleanup stack), from whatever the run got to:
# apfw's own result (when it wrote one) with this machine's facts, the
# phase timings and the monitor's host block merged in (result-merge.jq).

# now_us, one_line, mark and timed are host/lib.sh's.

# fail STATUS REASON: record why the cell failed and stop (the cleanup
# stack stops apfw, the monitor and the pressure, and writes the result).
fail() {
	host_status=$1 host_reason=$2
	printf '%s: %s: %s\n' "$PROG" "$1" "$2" >&2
	exit 1
}

# phase_reader: apfw's APF_PHASE_FD lines on stdin; "phase_start US" and
# "phase_stop US" on stdout, and the monitor's measured-phase marks.
# shellcheck disable=SC2317  # run in the background by host/apf-local
phase_reader() {
	local word what
	while read -r word what; do
		[ "$word" = PHASE ] || continue
		case "$what" in start | stop) ;; *) continue ;; esac
		echo "phase_$what $(now_us)"
		[ ! -d "$S/monitor" ] || "$monitor_tool" mark --state "$S/monitor" "$what" || true
	done
}

# stop_apfw: TERM, ten seconds' grace, then KILL, by PID.
# shellcheck disable=SC2317  # run by the cleanup stack
stop_apfw() {
	local killer
	[ -n "$APID" ] || return 0
	if kill -TERM "$APID" 2>/dev/null; then
		sleep 10 &
		killer=$!
		wait -n "$APID" "$killer" 2>/dev/null || true
		kill -KILL "$APID" 2>/dev/null || true
		kill "$killer" 2>/dev/null || true
		wait "$APID" "$killer" 2>/dev/null || true
	fi
	[ -n "${T[apfw_exit]:-}" ] || mark apfw_exit
	[ -z "${SPID:-}" ] || kill "$SPID" 2>/dev/null || true
	APID=""
	stop_reader
}

# stop_reader: let the phase reader finish (a monitor mark it is making
# included), so nothing of the cell outlives apf-local. Opening the FIFO
# read-write never blocks: it releases a reader still waiting for its
# writer (apfw never started), and closing it gives EOF once apfw is gone.
# shellcheck disable=SC2317  # run by the cleanup stack
stop_reader() {
	local fd
	[ -n "${RPID:-}" ] || return 0
	if exec {fd}<>"$S/phase"; then exec {fd}>&-; fi
	wait "$RPID" 2>/dev/null || true
	RPID=""
}

# shellcheck disable=SC2317  # run by the cleanup stack
finalize() {
	local base="" hostblock=null status="" reason="" swap_label=$swap tmp oomk marks release
	[ -n "$out" ] || return 0
	if [ -f "$out/result.json" ] && jq -e 'type == "object"' "$out/result.json" >/dev/null 2>&1; then
		base=$S/apfw-result.json
		mv -f "$out/result.json" "$base"
		if [ "$apfw_rc" != 0 ] && [ "$(jq -r .status "$base")" = ok ]; then
			status=failed reason="apfw exited $apfw_rc"
		fi
	else
		rm -f "$out/result.json"
		status=failed
		reason="apfw wrote no result.json (exit ${apfw_rc:-?}: $(grep . "$out/apfw.log" 2>/dev/null | tail -n 1 | one_line))"
	fi
	# The runner's verdict (timeout, interrupted, pressure) wins over apfw's.
	[ -z "$host_status" ] || status=$host_status reason=$host_reason
	[ "$pressure" != none ] || swap_label=none
	if [ -f "$out/host.json" ] && jq -e . "$out/host.json" >/dev/null 2>&1; then
		hostblock=$(cat "$out/host.json")
		if [ "${status:-$(jq -r .status "$base")}" != ok ]; then
			oomk=$(jq -r '.cgroup_oom_kills // 0' <<<"$hostblock")
			[ "$oomk" = 0 ] || reason="$reason; the cell's cgroup limit OOM-killed apfw ($oomk kills in memory.events)"
		fi
		# env.swap names the backend really used, not the request "auto".
		[ "$swap_label" != auto ] || swap_label=$(jq -r '.swap // "auto" | if type == "string" then . else "auto" end' <<<"$hostblock")
	fi
	local vstatus vreason
	release=$(uname -r)
	mark finalize
	marks=$(marks_json "$S/marks")
	tmp=$out/.result.json.tmp
	jq -n -r --slurpfile g "${base:-/dev/null}" --argjson host "$hostblock" --arg w "$workload" \
		--arg status "$status" --arg reason "$reason" --argjson marks "$marks" \
		--arg release "$release" --arg accel_reason "$accel_reason" --arg mode "$mode" \
		--arg pressure "$pressure" --arg swap "$swap_label" \
		-f "$APF_TOP/host/local-lib/result-merge.jq" >"$tmp" ||
		{ warn "could not write $out/result.json"; rm -f "$tmp"; return 0; }
	result_write "$tmp" "$out/result.json" "${T[finalize]}" ||
		{ warn "could not write $out/result.json"; rm -f "$tmp"; return 0; }
	vstatus=${VERDICT%%$'\t'*} vreason=${VERDICT#*$'\t'}
	if [ "$vstatus" = ok ]; then
		final_rc=0
	elif [ "$apfw_rc" = 2 ] || [ "$apfw_rc" = 3 ]; then
		# apfw refused or lacked something on this machine: the caller's
		# input or capability, as apfw said (bench/apf-bench stops its run).
		final_rc=$apfw_rc
	fi
	info "$workload natively: $vstatus${vreason:+: $vreason}"
}
