# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# bench/apf-bench's cell plan: the cells in run order, their directories,
# what each costs, and --dry-run's listing. Sourced by bench/apf-bench.

# CELLS: "host_index kernel_index mode_dir pressure workload rep" in run order.
plan_cells() {
	local r hi ki m p w ms
	CELLS=()
	for ((r = 1; r <= REPS; r++)); do
		for hi in "${!HOST_DIRS[@]}"; do
			for ki in "${!KERNEL_DIRS[@]}"; do
				read -ra ms <<<"${KMODES["$hi:$ki"]}"
				for m in "${ms[@]}"; do
					for p in "${PRESSURES[@]}"; do
						for w in "${WORKLOADS[@]}"; do
							CELLS+=("$hi $ki $m $p $w $r")
						done
					done
				done
			done
		done
	done
}

cell_path() { # hi ki mode pressure workload rep
	printf 'cells/%s/%s/%s/%s/%s/rep-%s' "${HOST_DIRS[$1]}" "${KERNEL_DIRS[$2]}" "$3" "$4" "$5" "$6"
}

cell_done() { # dir
	[ -f "$1/result.json" ] && [ "$(jq -r '.status // empty' "$1/result.json" 2>/dev/null)" = ok ]
}

cell_overhead() { # [hi:ki] -> seconds a cell costs beyond its duration
	local p=${1:-}
	if [ -n "$p" ] && [ "${HOST_ARGS[${p%:*}]}" != local ]; then echo "$OVERHEAD_NESTED"; return; fi
	case "${p:+${KV[$p]}}${p:-$ACCEL_VERDICT}" in
	kvm) echo "$OVERHEAD_KVM" ;; native) echo "$OVERHEAD_LOCAL" ;; *) echo "$OVERHEAD_TCG" ;;
	esac
}

# Whole seconds of DURATION, rounded up, for estimates.
duration_ceil() { awk -v d="$DURATION" 'BEGIN { printf "%d", (d == int(d)) ? d : int(d) + 1 }'; }

dry_run() {
	local c todo=0 status dir hi ki m p w r
	EST_S=0
	printf '# %s: target %s, accel %s (%s)\n' "$CONF_FILE" "$TARGET" "$ACCEL_VERDICT" "$ACCEL_REASON"
	[ -z "$MODE_NOTE" ] || printf '# %s\n' "$MODE_NOTE"
	printf '# overlap: %s (%s)\n' "$([ "$OVERLAP_ON" = 1 ] && echo on || echo off)" "$OVERLAP_WHY"
	printf '# %-4s %-8s %s\n' n status cell
	local i=0
	for c in "${CELLS[@]}"; do
		i=$((i + 1))
		read -r hi ki m p w r <<<"$c"
		dir=$(cell_path "$hi" "$ki" "$m" "$p" "$w" "$r")
		status=run
		if [ -n "$RUN_DIR" ] && cell_done "$RUN_DIR/$dir"; then
			status="done"
		else
			todo=$((todo + 1))
			EST_S=$((EST_S + $(duration_ceil) + $(cell_overhead "$hi:$ki")))
		fi
		printf '%-6s %-8s %s\n' "$i" "$status" "$dir"
	done
	printf '# %d cells, %d to run; estimated %s (%s s duration + ~%s s overhead per cell)\n' \
		"${#CELLS[@]}" "$todo" "$(fmt_time "$EST_S")" "$DURATION" "$(((EST_S - todo * $(duration_ceil)) / (todo > 0 ? todo : 1)))"
}

# plan_overlap: OVERLAP_ON (1: the next cell boots while this one sends
# its files and powers off; see bench/lib/jobs.sh) and OVERLAP_WHY. Only
# VM cells (a local cell has no boot to hide), only when every pair's tool
# said it takes --hold and --notify (check_cells), and only when two
# cells' guests fit in half of the memory this machine has available.
# auto also wants a core for every vCPU of both cells: on 2 cores under
# TCG, where the boot and the result's way back both need the CPU, it
# measured no faster (README, "Overlapping cells").
plan_overlap() {
	local a avail=0 kb cores
	OVERLAP_ON=0
	if [ "$OVERLAP" = no ]; then OVERLAP_WHY="overlap = no in the config"; return; fi
	if [ "$TARGET" != vm ]; then OVERLAP_WHY="target local: no boot to overlap"; return; fi
	if [ "${OVERLAP_HOLD:-0}" != 1 ]; then OVERLAP_WHY="the cells' tool does not take --hold/--notify"; return; fi
	while read -r a kb _; do [ "$a" != MemAvailable: ] || { avail=$((kb * 1024)); break; }; done </proc/meminfo
	if [ $((4 * OVERLAP_RAM)) -gt "$avail" ]; then
		OVERLAP_WHY="two cells' $((OVERLAP_RAM >> 20))M each would take more than half of the $((avail >> 20))M available"
		return
	fi
	cores=$(nproc 2>/dev/null || echo 1)
	if [ "$OVERLAP" = auto ] && [ "$cores" -lt $((2 * OVERLAP_CPUS)) ]; then
		OVERLAP_WHY="overlap = auto: $cores cores, fewer than two cells' $((2 * OVERLAP_CPUS)) vCPUs (overlap = yes forces it)"
		return
	fi
	OVERLAP_ON=1
	OVERLAP_WHY="the next cell boots while this one sends its result (at most two cells at once, one workload)"
}
