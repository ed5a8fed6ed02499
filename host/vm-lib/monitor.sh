# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034  # the state is host/apf-vm's, which sources this
# host/monitor around a local cell, off the cell's critical path: it starts
# beside the guest's boot (its tracefs instance and first reads take a
# second on a loaded 2-core host, which the boot wait hides) and is waited
# for only at the measured phase's first mark (the workload's set-up hides
# what a snapshot's quick restore does not), its marks
# run beside the channel (the sampler takes them, so waiting for the
# shell command only delayed the guest's files), and it stops from the end
# of the measured phase, beside the result's way back and the poweroff; all
# of it is waited for before the host counters are read. Sourced by
# host/apf-vm.

monitor_pid="" monitoring=0 mark_pids=() monitor_stop_pid=""

# monitor_begin: start host/monitor on QPID in the background.
monitor_begin() {
	[ -x "$monitor_tool" ] && [ "$host" = local ] || return 0
	"$monitor_tool" start --pid "$QPID" --owner "$$" --state "$S/monitor" --out "$out" \
		--interval "${APF_MONITOR_INTERVAL:-0.1}" --guest-bytes "$mem_bytes" \
		{CTL_R}<&- {CTL_W}>&- 2>"$S/monitor-start.err" &
	monitor_pid=$!
	cleanup_push monitor_end
}

# monitor_ready: wait for the start; after it the counters exist.
monitor_ready() {
	local rc=0
	[ -n "$monitor_pid" ] || return 0
	wait "$monitor_pid" || rc=$?
	monitor_pid=""
	if [ "$rc" = 0 ]; then
		monitoring=1
	else
		warn "host/monitor start failed (exit $rc); no host counters: $(tail -n 1 "$S/monitor-start.err" 2>/dev/null)"
	fi
}

# monitor_mark start|stop: the guest's measured phase began or ended;
# the end also begins the stop (which takes that mark first).
monitor_mark() {
	monitor_ready
	[ "$monitoring" = 1 ] || return 0
	if [ "$1" = stop ]; then
		monitor_stop_begin --mark stop
		return
	fi
	"$monitor_tool" mark --state "$S/monitor" "$1" {CTL_R}<&- {CTL_W}>&- 2>/dev/null &
	mark_pids+=($!)
}

# monitor_stop_begin [--mark stop]: stop it in the background once its
# marks are taken: from the end of the measured phase (or, without marks,
# once the guest has sent everything), so the stop overlaps the result's
# way back and the poweroff. host.tsv then ends with the phase.
# monitor_end waits.
monitor_stop_begin() {
	local marks p
	monitor_ready
	[ "$monitoring" = 1 ] || return 0
	marks="${mark_pids[*]}"
	mark_pids=()
	{
		# (kill -0: the marks are this shell's children, not the subshell's)
		for p in $marks; do
			while kill -0 "$p" 2>/dev/null; do sleep 0.02; done
		done
		exec "$monitor_tool" stop --state "$S/monitor" "$@"
	} {CTL_R}<&- {CTL_W}>&- &
	monitor_stop_pid=$! monitoring=2
}

# monitor_end: the monitor stopped, its host.json written. env.timings'
# monitor_stop is the time waited here (what did not overlap the result's
# way back and the poweroff).
# shellcheck disable=SC2317  # run by the cleanup stack
monitor_end() {
	[ "$monitoring" = 2 ] || monitor_stop_begin
	[ "$monitoring" = 2 ] || return 0
	timed monitor_stop wait "$monitor_stop_pid" || warn "host/monitor stop failed"
	monitoring=0
}
