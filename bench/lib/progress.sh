# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# bench/apf-bench's progress on stderr: a status line with cell i/N,
# elapsed time and ETA on a terminal, plain lines otherwise.
# Sourced by bench/apf-bench.

TTY=0
[ -t 2 ] && TTY=1
CUR_I=0 CUR_CELL='' T0=0 CELL_T0=0 DONE_RUN=0 SPENT_MS=0 TOTAL_TODO=0

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# us_to_s MICROSECONDS [1]: seconds with three decimals (or one).
us_to_s() {
	if [ "${2:-3}" = 1 ]; then
		printf '%d.%d\n' $(($1 / 1000000)) $(($1 / 100000 % 10))
	else
		printf '%d.%03d\n' $(($1 / 1000000)) $(($1 / 1000 % 1000))
	fi
}

eta_s() {
	local left=$((TOTAL_TODO - DONE_RUN)) per
	if [ "$DONE_RUN" -gt 0 ]; then
		per=$((SPENT_MS / DONE_RUN))
	else
		per=$((($(duration_ceil) + $(cell_overhead)) * 1000))
	fi
	echo $((left * per / 1000))
}

progress_line() {
	local now el eta
	now=$(now_ms)
	el=$(((now - T0) / 1000))
	# The running cell counts as begun: its time so far comes off the ETA.
	eta=$(($(eta_s) - (now - CELL_T0) / 1000))
	[ "$eta" -ge 0 ] || eta=0
	printf '\r\033[K[%d/%d] %s  elapsed %s  ETA %s' "$CUR_I" "${#CELLS[@]}" "$CUR_CELL" \
		"$(fmt_time "$el")" "$(fmt_time "$eta")" >&2
}

say() { # a plain line, clearing the progress line on a terminal
	if [ "$TTY" = 1 ]; then printf '\r\033[K' >&2; fi
	printf '%s: %s\n' "$PROG" "$*" >&2
}
