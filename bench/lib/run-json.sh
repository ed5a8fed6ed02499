# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2153  # the settings are bench/apf-bench's, which sources this
# bench/apf-bench's run.json: written at the start (config as given and
# resolved, host facts, accel verdict), updated via temp + rename.
# Sourced by bench/apf-bench.

host_facts_json() {
	local cpu mem swap qemu gnuplot rev dirty=false
	cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
	mem=$(awk '/^MemTotal:/ { print $2 * 1024; exit }' /proc/meminfo 2>/dev/null || true)
	swap=$(swapon --show=NAME,TYPE,SIZE --noheadings --bytes 2>/dev/null | tr -s ' ' | paste -sd ';' - || true)
	qemu=$(qemu-system-x86_64 --version 2>/dev/null | head -n1 || true)
	gnuplot=$(gnuplot --version 2>/dev/null || true)
	rev=$(git -C "$APF_TOP" rev-parse HEAD 2>/dev/null || true)
	[ -z "$(git -C "$APF_TOP" status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=true
	jq -n --arg kernel "$(uname -r)" --arg cpu "$cpu" --arg cores "$(nproc)" --arg mem "$mem" \
		--arg swap "$swap" --arg qemu "$qemu" --arg gnuplot "$gnuplot" \
		--arg accel "$ACCEL_VERDICT" --arg reason "$ACCEL_REASON" \
		--arg rev "$rev" --argjson dirty "$dirty" '
		def num: if . == "" then null else tonumber end;
		def str: if . == "" then null else . end;
		{ host: { kernel: $kernel, cpu_model: ($cpu | str), cores: ($cores | num),
		          memory_bytes: ($mem | num), swap: ($swap | str),
		          qemu: ($qemu | str), gnuplot: ($gnuplot | str),
		          accel: $accel, accel_reason: $reason },
		  suite: { git_revision: ($rev | str), dirty: $dirty } }'
}

write_run_json() {
	local facts resolved tmp
	facts=$(host_facts_json)
	resolved=$(jq -n --arg target "$TARGET" \
		--arg hosts "${HOST_ARGS[*]}" --arg host_dirs "${HOST_DIRS[*]}" --arg swap_disk "$SWAP_DISK" \
		--arg kernels "${KERNEL_ARGS[*]}" --arg kernel_dirs "${KERNEL_DIRS[*]}" \
		--arg modes "${MODES[*]}" --arg modes_run "${MODES_RUN[*]}" \
		--arg pressure "${PRESSURES[*]}" --arg workloads "${WORKLOADS[*]}" \
		--argjson reps "$REPS" --arg duration "$DURATION" --argjson vcpus "$VCPUS" \
		--arg memory "$MEMORY" --argjson memory_bytes "$MEMORY_BYTES" \
		--arg accel "$ACCEL" --arg swap "$SWAP" --arg timeout "$TIMEOUT" --arg name "$NAME" \
		--argjson retries "$RETRIES" --arg overlap "$OVERLAP" '
		def words: split(" ") | map(select(. != ""));
		{ target: $target, hosts: ($hosts | words), host_dirs: ($host_dirs | words),
		  swap_disk: (if $swap_disk == "" then null else $swap_disk end),
		  kernels: ($kernels | words), kernel_dirs: ($kernel_dirs | words),
		  modes: ($modes | words), modes_run: ($modes_run | words),
		  pressure: ($pressure | words), workloads: ($workloads | words),
		  reps: $reps, duration_s: ($duration | tonumber), vcpus: $vcpus,
		  memory: $memory, memory_bytes: $memory_bytes, accel: $accel, swap: $swap,
		  timeout_s: (if $timeout == "" then null else ($timeout | tonumber) end), name: $name,
		  retries: $retries, overlap: $overlap }')
	local wl_json
	wl_json=$(for w in "${WORKLOADS[@]}"; do printf '%s\t%s\t%s\n' "$w" "${WL_APFW[$w]}" "${WL_ARGS[$w]}"; done |
		jq -R -s 'split("\n") | map(select(. != "") | split("\t") |
			{ key: .[0], value: { apfw: .[1], args: (.[2] | split(" ") | map(select(. != ""))) } }) | from_entries')
	tmp=$RUN_DIR/.run.json.tmp
	jq -n --arg id "$RUN_ID" --rawfile text "$RUN_DIR/config.conf" --arg file "$CONF_FILE" \
		--argjson resolved "$resolved" --argjson facts "$facts" --argjson wl "$wl_json" \
		--arg note "$MODE_NOTE" --argjson cells "${#CELLS[@]}" --argjson per "$(accel_json)" \
		--arg start "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson ovl "$(overlap_json)" '
		{ schema: "apfbench-run/1", run_id: $id,
		  config: { file: $file, text: $text, resolved: ($resolved + { workload_table: $wl }) },
		  host: $facts.host, suite: $facts.suite,
		  modes: { requested: $resolved.modes, run: $resolved.modes_run,
		           collapsed: ($resolved.modes_run != $resolved.modes),
		           note: (if $note == "" then null else $note end) },
		  accel_per_kernel: $per,
		  cells_total: $cells, start: $start, end: null, status: "running",
		  resumed: [], accel_mismatch: null, overlap: $ovl }' >"$tmp"
	mv "$tmp" "$RUN_DIR/run.json"
}

# overlap_json: whether cells overlapped (plan_overlap) and why.
overlap_json() {
	jq -cn --argjson on "$([ "$OVERLAP_ON" = 1 ] && echo true || echo false)" --arg why "$OVERLAP_WHY" \
		'{on: $on, why: $why}'
}

accel_json() {
	local p
	for p in $(printf '%s\n' "${!KV[@]}" | sort); do
		printf '%s\t%s\t%s\t%s\t%s\n' "${HOST_DIRS[${p%:*}]}" "${KERNEL_DIRS[${p#*:}]}" "${KV[$p]}" "${KR[$p]}" "${KMODES[$p]}"
	done | jq -R -s 'split("\n") | map(select(. != "") | split("\t")
		| { host: .[0], kernel: .[1], accel: .[2], reason: .[3], modes_run: (.[4] | split(" ")) })'
}

# run_json_update JQ-FILTER [jq args...]: rewrite run.json via temp+rename.
run_json_update() {
	local filter=$1 tmp=$RUN_DIR/.run.json.tmp
	shift
	jq "$@" "$filter" "$RUN_DIR/run.json" >"$tmp" && mv "$tmp" "$RUN_DIR/run.json"
}
