# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034,SC2153  # the state is bench/apf-bench's, which sources this
# Before anything is created, bench/apf-bench asks the tool that runs the
# cells (host/apf-vm --check, host/apf-local --dry-run) whether it takes
# them; a refusal is the config's error, at the line of the key it is
# about. The tool's answer depends on the host and kernel together and on
# every other setting on its own, so one ask per host x kernel pair and one
# per further mode, pressure level and workload covers the matrix (full.conf:
# 21 asks for its 880 cells). Sourced by bench/apf-bench.

# ask_cell KIND HI KI MODE PRESSURE WORKLOAD: one ask, its line in CHECKS.
CHECKS=()
ask_cell() { CHECKS+=("$*"); }

# cell_tool_args HI KI MODE PRESSURE WORKLOAD: the cell's command line
# (bench/apf-bench's run_cell gives its tool the same) into TOOL_ARGS.
cell_tool_args() {
	local hi=$1 ki=$2 mode=$3 p=$4 w=$5 args=()
	read -ra args <<<"${WL_ARGS[$w]}"
	TOOL_ARGS=(--workload "${WL_APFW[$w]}" --pressure "$p" --mem "$MEMORY" --duration "$DURATION")
	if [ "$TARGET" = local ]; then
		TOOL_ARGS+=(--mode native)
	else
		TOOL_ARGS+=(--host "${HOST_ARGS[$hi]}" --kernel "${KERNEL_ARGS[$ki]}" --mode "$mode" --vcpus "$VCPUS")
		# A nested host's guest always runs on its KVM; accel is this machine's.
		[ "${HOST_ARGS[$hi]}" != local ] || TOOL_ARGS+=(--accel "$ACCEL")
		[ -z "$SWAP_DISK" ] || [ "${HOST_ARGS[$hi]}" = local ] || TOOL_ARGS+=(--swap-disk "$SWAP_DISK")
	fi
	[ "$SWAP" = auto ] || TOOL_ARGS+=(--swap "$SWAP")
	[ -z "$TIMEOUT" ] || TOOL_ARGS+=(--timeout "$TIMEOUT")
	TOOL_ARGS+=(-- "${args[@]}")
}

# refusal_key KIND MSG: the config key a refusal is about: the option it
# names, else the setting that ask varied.
refusal_key() {
	case "$2" in
	*"--duration"*) echo duration ;;
	*"apfw check"* | *"workload"*) echo workloads ;;
	*"--mode "*) echo modes ;;
	*"--pressure "*) echo pressure ;;
	*"--mem "* | *"--mem: "*) echo memory ;;
	*"--vcpus "*) echo vcpus ;;
	*"--accel "*) echo accel ;;
	*"--swap-disk "*) echo swap_disk ;;
	*"--swap "*) echo swap ;;
	*"--timeout "*) echo timeout ;;
	*"--host"*) echo hosts ;;
	*"--kernel "* | kernels:*) echo kernels ;;
	*) case "$1" in pair) echo kernels ;; *) echo "$1" ;; esac ;;
	esac
}

# check_cells: ask for every check in parallel (a few at a time), then
# read the answers in order: the first refusal ends the run (exit 2, or 3
# for a missing capability). The pair asks give each host x kernel its
# directory names and accel verdict (KV/KR).
declare -A KV=() KR=()
check_cells() {
	local hi ki m p w i kind rc msg key tmp jobs=0 par tool
	CHECKS=()
	for hi in "${!HOST_ARGS[@]}"; do
		for ki in "${!KERNEL_ARGS[@]}"; do ask_cell pair "$hi" "$ki" "${MODES[0]}" "${PRESSURES[0]}" "${WORKLOADS[0]}"; done
	done
	# Target local runs every cell as mode native: a further mode asks nothing new.
	if [ "$TARGET" = vm ]; then
		for m in "${MODES[@]:1}"; do ask_cell modes 0 0 "$m" "${PRESSURES[0]}" "${WORKLOADS[0]}"; done
	fi
	for p in "${PRESSURES[@]:1}"; do ask_cell pressure 0 0 "${MODES[0]}" "$p" "${WORKLOADS[0]}"; done
	for w in "${WORKLOADS[@]:1}"; do ask_cell workloads 0 0 "${MODES[0]}" "${PRESSURES[0]}" "$w"; done
	if [ "$TARGET" = local ]; then tool=(env APF_APFW="$APFW" "$APF_LOCAL" --dry-run)
	else tool=("$APF_VM" --check)
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/apf-bench-check.XXXXXX")
	# A refusal exits from deep inside (cfg_error); the answers go with it
	# (expanded now: tmp is local).
	# shellcheck disable=SC2064
	trap "rm -rf $(printf %q "$tmp")" EXIT
	par=$(nproc 2>/dev/null || echo 2)
	[ "$par" -le 4 ] || par=4
	for i in "${!CHECKS[@]}"; do
		read -r kind hi ki m p w <<<"${CHECKS[i]}"
		cell_tool_args "$hi" "$ki" "$m" "$p" "$w"
		{
			rc=0
			"${tool[@]}" "${TOOL_ARGS[@]}" >"$tmp/$i.out" 2>"$tmp/$i.err" </dev/null || rc=$?
			echo "$rc" >"$tmp/$i.rc"
		} &
		jobs=$((jobs + 1))
		if [ "$jobs" -ge "$par" ]; then wait -n || true; jobs=$((jobs - 1)); fi
	done
	wait
	for i in "${!CHECKS[@]}"; do
		read -r kind hi ki m p w <<<"${CHECKS[i]}"
		rc=$(cat "$tmp/$i.rc" 2>/dev/null || echo 1)
		[ "$rc" = 0 ] && continue
		msg=$(grep -v ': warning: ' "$tmp/$i.err" | grep . | tail -n 1 | one_line)
		msg=${msg#apf-vm: } msg=${msg#apf-local: } msg=${msg#kernels: } msg=${msg% (try --help)}
		key=$(refusal_key "$kind" "$msg")
		if [ "$kind" = pair ] && [ "${HOST_ARGS[hi]}" != local ]; then
			# host/kernels names the kernel it refuses: the host's is the hosts key's.
			[[ $msg != "${HOST_ARGS[hi]#nested-}:"* ]] || key=hosts
			msg="host ${HOST_ARGS[hi]}, kernel ${KERNEL_ARGS[ki]}: $msg"
		fi
		[ "$rc" != 3 ] || die_missing "$CONF_FILE: ${msg:-${tool[*]} exited 3}"
		# An option the workload's row gives itself is the row's fault.
		if [[ $msg == *"apfw check"* ]] && { [ "$key" = workloads ] ||
			[[ $msg =~ --([a-z-]+) && " ${WL_ARGS[$w]} " == *" --${BASH_REMATCH[1]} "* ]]; }; then
			key=workloads msg="workload '$w' (${WORKLOADS_TSV##*/}: ${WL_APFW[$w]} ${WL_ARGS[$w]}): $msg"
		fi
		cfg_error "${CFG_LINE[$key]:-}" "$key: ${msg:-${tool[*]} exited $rc} (asked: ${tool[*]##*/})"
	done
	[ "$TARGET" = local ] || read_pair_answers "$tmp"
	rm -rf "$tmp"
	trap - EXIT
}

# read_pair_answers TMP: HOST_DIRS, KERNEL_DIRS and KV/KR from the pair
# asks' JSON lines (a name's canonical form, so an alias cannot run twice).
read_pair_answers() {
	local i kind hi ki m p w accel reason host_kdir kernel qv d hold ram cpus
	HOST_DIRS=() KERNEL_DIRS=() OVERLAP_HOLD=1 OVERLAP_RAM=0 OVERLAP_CPUS=0
	for i in "${!CHECKS[@]}"; do
		read -r kind hi ki m p w <<<"${CHECKS[i]}"
		[ "$kind" = pair ] || continue
		IFS=$'\t' read -r accel reason host_kdir kernel qv hold ram cpus < <(jq -r \
			'[.accel, .accel_reason, (.nested_host.kernel_dir // "-"), .kernel, (.qemu_version // ""),
			  (.overlap.hold // false), (.overlap.machine_ram_bytes // 0), (.overlap.machine_vcpus // 0)] | @tsv' "$1/$i.out")
		# Overlap needs every pair's tool to take --hold and --notify.
		[ "$hold" = true ] || OVERLAP_HOLD=0
		[ "$ram" -le "$OVERLAP_RAM" ] || OVERLAP_RAM=$ram
		[ "$cpus" -le "$OVERLAP_CPUS" ] || OVERLAP_CPUS=$cpus
		# Every cell's apf-vm would ask QEMU its version again.
		[ -z "$qv" ] || [ -n "${APF_QEMU_VERSION:-}" ] || export APF_QEMU_VERSION=$qv
		KV["$hi:$ki"]=$accel KR["$hi:$ki"]=$reason
		if [ "${HOST_ARGS[hi]}" = local ]; then d=local
		elif [[ ${HOST_ARGS[hi]} == */* ]]; then d=${HOST_ARGS[hi]#nested-/} d=nested-${d//\//_}
		else d=nested-${host_kdir##*/}
		fi
		dup_dir hosts "${HOST_ARGS[hi]}" "$d" "${HOST_DIRS[@]:0:hi}"
		HOST_DIRS[hi]=$d
		if [[ ${KERNEL_ARGS[ki]} == */* ]]; then d=${KERNEL_ARGS[ki]#/} d=${d//\//_}
		else d=$kernel
		fi
		[ "$hi" != 0 ] || dup_dir kernels "${KERNEL_ARGS[ki]}" "$d" "${KERNEL_DIRS[@]:0:ki}"
		KERNEL_DIRS[ki]=$d
	done
}

dup_dir() { # key word dir earlier-dirs...
	local key=$1 word=$2 d=$3 e
	shift 3
	for e in "$@"; do
		[ "$e" != "$d" ] || cfg_error "${CFG_LINE[$key]:-}" "$key: '$word' is '$d', listed twice"
	done
}
