# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2153,SC2034  # the settings are bench/apf-bench's, which sources this
# bench/apf-bench's cells in flight. A job is one attempt of one cell (by
# its index in CELLS) through its target's tool. With overlap on, at most
# two run at once: the next cell is started when this one's measured phase
# has ended (its tool's --notify line), boots while this one sends its
# files and powers off, and waits at its --hold FIFO until this one has
# ended; so no workload ever runs beside another cell, only boots and
# result transfers do. Sourced by bench/apf-bench.

# Per job, by cell index: tool PID, its exit code once reaped, the FIFOs'
# file descriptors (this shell keeps them open, so a line written before
# the tool opens its end is kept), the runner's clock at its start and
# the microseconds it ran.
declare -A J_PID=() J_RC=() J_EV=() J_HOLD=() J_CT0=() J_US=()
# Per cell: attempts made, microseconds over all of them.
declare -A ATT=() ALL_US=()
# PIPES: the FIFOs' directory; J_RDR: the reader of a --notify line while
# one waits (a subshell of ours that an interrupt must stop too: it holds
# the FIFO open, so it would wait forever).
PIPES='' J_RDR=''

# job_dir I: the cell's directory.
job_dir() {
	local hi ki m p w r
	read -r hi ki m p w r <<<"${CELLS[$1]}"
	printf '%s/%s\n' "$RUN_DIR" "$(cell_path "$hi" "$ki" "$m" "$p" "$w" "$r")"
}

# job_start I HELD: start cell I's next attempt in the background; HELD=1
# gives it a --hold FIFO (released by job_release).
job_start() {
	local i=$1 held=$2 hi ki m p w r dir tool log fd extra=()
	read -r hi ki m p w r <<<"${CELLS[i]}"
	dir=$(job_dir "$i")
	# A first attempt starts from an empty cell: nothing stale can look
	# complete. (A retry's failed attempt was moved away.)
	[ "${ATT[$i]:-0}" != 0 ] || rm -rf "$dir"
	mkdir -p "$dir"
	if [ "$TARGET" = local ]; then
		# NN% sizes are of the config's memory (apf-local's --mem), not this machine's.
		tool=(env APF_APFW="$APFW" "$APF_LOCAL") log=apf-local.log
	else
		tool=("$APF_VM") log=apf-vm.log
		# Collapsed cells run as the first requested mode; the others are the same.
		[ "$m" != none ] || m=${MODES[0]}
	fi
	if [ "$OVERLAP_ON" = 1 ]; then
		rm -f "$PIPES/ev-$i" "$PIPES/hold-$i"
		mkfifo "$PIPES/ev-$i" || die "cannot make a FIFO in $PIPES"
		exec {fd}<>"$PIPES/ev-$i"
		J_EV[$i]=$fd
		extra=(--notify "$PIPES/ev-$i")
		if [ "$held" = 1 ]; then
			mkfifo "$PIPES/hold-$i" || die "cannot make a FIFO in $PIPES"
			exec {fd}<>"$PIPES/hold-$i"
			J_HOLD[$i]=$fd
			extra+=(--hold "$PIPES/hold-$i")
		fi
	fi
	cell_tool_args "$hi" "$ki" "$m" "$p" "$w"
	# The overlap options go before the workload's own (after its --).
	local n=${#TOOL_ARGS[@]} k
	for k in "${!TOOL_ARGS[@]}"; do [ "${TOOL_ARGS[k]}" != -- ] || { n=$k; break; }; done
	J_CT0[$i]=$(now_us)
	"${tool[@]}" --out "$dir" "${TOOL_ARGS[@]:0:n}" "${extra[@]}" "${TOOL_ARGS[@]:n}" \
		>"$dir/$log" 2>&1 </dev/null &
	J_PID[$i]=$!
	unset 'J_RC[$i]'
	CUR_I=$((i + 1)) CUR_CELL=${dir#"$RUN_DIR"/cells/}
}

# job_wait PIDS...: wait for the first of PIDS to end (WAITED its PID, rc
# its exit code), refreshing the progress line every second on a terminal.
job_wait() {
	local tick='' rc
	while :; do
		[ "$TTY" = 0 ] || { sleep 1 & tick=$!; }
		rc=0
		WAITED=''
		wait -n -p WAITED "$@" $tick || rc=$?
		if [ -n "$tick" ]; then
			[ "$WAITED" = "$tick" ] && { tick=''; progress_line; continue; }
			kill "$tick" 2>/dev/null || true
			wait "$tick" 2>/dev/null || true
			tick=''
		fi
		return "$rc"
	done
}

# job_measured I: wait until cell I's measured phase has ended (0) or its
# tool has ended without saying so (1; J_RC holds its exit code).
job_measured() {
	local i=$1 rdr rc
	read -r -u "${J_EV[$i]}" _ &
	rdr=$! J_RDR=$!
	rc=0
	job_wait "${J_PID[$i]}" "$rdr" || rc=$?
	if [ "$WAITED" = "$rdr" ]; then J_RDR=''; return 0; fi
	J_RC[$i]=$rc
	kill "$rdr" 2>/dev/null || true
	wait "$rdr" 2>/dev/null || true
	J_RDR=''
	return 1
}

# job_release I: cell I may start its workload (the cell before it ended).
job_release() {
	[ -z "${J_HOLD[$1]:-}" ] || printf 'go\n' >&"${J_HOLD[$1]}"
}

# job_end I: wait for cell I's tool to exit; its exit code in J_RC.
job_end() {
	local i=$1 rc=0 fd
	if [ -z "${J_RC[$i]+set}" ]; then
		job_wait "${J_PID[$i]}" || rc=$?
		J_RC[$i]=$rc
	fi
	J_US[$i]=$(($(now_us) - ${J_CT0[$i]}))
	ALL_US[$i]=$((${ALL_US[$i]:-0} + ${J_US[$i]}))
	for fd in "${J_EV[$i]:-}" "${J_HOLD[$i]:-}"; do
		[ -z "$fd" ] || exec {fd}>&-
	done
	unset 'J_PID[$i]' 'J_EV[$i]' 'J_HOLD[$i]'
	[ -z "$PIPES" ] || rm -f "$PIPES/ev-$i" "$PIPES/hold-$i"
}

# jobs_stop: TERM every tool still running and wait for its cleanup.
jobs_stop() {
	local i
	if [ -n "$J_RDR" ]; then
		kill "$J_RDR" 2>/dev/null || true
		wait "$J_RDR" 2>/dev/null || true
		J_RDR=''
	fi
	for i in "${!J_PID[@]}"; do kill -TERM "${J_PID[$i]}" 2>/dev/null || true; done
	for i in "${!J_PID[@]}"; do wait "${J_PID[$i]}" 2>/dev/null || true; done
	J_PID=()
}
