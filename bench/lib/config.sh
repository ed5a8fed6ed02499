# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034  # the settings are bench/apf-bench's, which sources this
# bench/apf-bench's config: read CONFIG (key = value, # comments), check
# every key before anything is created (exit 2 with file:line: what), and
# resolve the settings the runner plans with (TARGET, HOST_*, KERNEL_*,
# MODES, PRESSURES, WORKLOADS, REPS, ...). Sourced by bench/apf-bench.

# cfg_error LINE MSG: the one way a config is refused.
CONF_FILE=
cfg_error() {
	if [ -n "$1" ]; then
		printf '%s: %s:%s: %s\n' "$PROG" "$CONF_FILE" "$1" "$2" >&2
	else
		printf '%s: %s: %s\n' "$PROG" "$CONF_FILE" "$2" >&2
	fi
	exit 2
}

declare -A CFG=() CFG_LINE=()
KEYS="target hosts kernels modes pressure workloads reps duration vcpus memory accel swap swap_disk timeout retries name fleet_mode overlap"

# read_config: CFG, CFG_LINE and CFG_WORDS_<key> from bench/lib/config.jq,
# which refuses a malformed line (the first one, with its number).
read_config() {
	local sh
	if [ ! -f "$CONF_FILE" ] || [ ! -r "$CONF_FILE" ]; then
		usage_error "config '$CONF_FILE' not found or unreadable"
	fi
	sh=$(jq -nrR --arg keys "$KEYS" -f "$APF_TOP/bench/lib/config.jq" <"$CONF_FILE") ||
		cfg_error "" "cannot be read as text (jq failed)"
	eval "$sh"
}

# cfg_list KEY [name|path|level]: KEY's words into LIST, each a name (or a
# kernel name or path, or a pressure level), none twice. These are only
# the characters a word may bring into a path or a command line; what the
# word means is its tool's to judge (check_cells).
cfg_list() {
	local key=$1 rule=${2:-name} w
	local -n words="CFG_WORDS_$key"
	LIST=()
	for w in "${words[@]}"; do
		case "$rule" in
		name) valid_name "$w" || cfg_error "${CFG_LINE[$key]}" "$key: '$w' is not a valid name ([A-Za-z0-9._-]+)" ;;
		path) [[ $w =~ ^[A-Za-z0-9._/+-]+$ ]] ||
			cfg_error "${CFG_LINE[$key]}" "$key: '$w' is not a valid kernel name or path ([A-Za-z0-9._/+-]+)" ;;
		level) [[ $w =~ ^[A-Za-z0-9._+-]+$ ]] ||
			cfg_error "${CFG_LINE[$key]}" "$key: '$w' is not a valid level ([A-Za-z0-9._-]+ joined by '+')" ;;
		esac
		case " ${LIST[*]} " in *" $w "*) cfg_error "${CFG_LINE[$key]}" "$key: '$w' listed twice" ;; esac
		LIST+=("$w")
	done
}

# cfg_default KEY VALUE: KEY's value when the config leaves it out.
cfg_default() {
	[ -n "${CFG[$1]+set}" ] && return 0
	CFG[$1]=$2
	declare -ga "CFG_WORDS_$1=($2)"
}

cfg_int() { # key min max default: a count that only the runner uses
	local key=$1 v
	v=${CFG[$key]:-$4}
	if ! [[ $v =~ ^[0-9]{1,9}$ ]] || [ "$v" -lt "$2" ] || [ "$v" -gt "$3" ]; then
		cfg_error "${CFG_LINE[$key]:-}" "$key: '$v' is not a whole number in $2..$3"
	fi
	echo "$v"
}

declare -A WL_APFW=() WL_ARGS=()
load_workloads() {
	local name wl args _desc
	while IFS=$'\t' read -r name wl args _desc; do
		case "$name" in '' | '#'*) continue ;; esac
		[ "$args" != - ] || args=''
		WL_APFW[$name]=$wl
		WL_ARGS[$name]=$args
	done <"$WORKLOADS_TSV"
}

# validate_config: read CONFIG and check what only the runner knows (the
# target, the shape of hosts and kernels, workload names against
# bench/workloads.tsv, reps, retries, name, fleet_mode); every other rule
# (modes, pressure levels, sizes, vCPUs, durations, accel, swap, timeouts,
# kernel files, workload options) belongs to the tool that runs the cell,
# which check_cells asks. Exits 2 with file:line: what.
validate_config() {
	local k c w p line
	read_config
	load_workloads

	cfg_default target vm
	TARGET=${CFG[target]}
	case "$TARGET" in vm | local) ;; *) cfg_error "${CFG_LINE[target]}" "target: '$TARGET' is not vm or local" ;; esac

	# Hosts: where the KVM host runs. local is this machine; nested-<kernel>
	# a nested KVM host VM of that kernel (host/apf-vm --host). HOST_DIRS
	# are settled by check_cells (a name's canonical form, a path with '/'
	# turned into '_').
	HOST_ARGS=()
	line=${CFG_LINE[hosts]:-}
	cfg_default hosts local
	cfg_list hosts path
	for k in "${LIST[@]}"; do
		case "$k" in
		local) HOST_ARGS+=(local) ;;
		nested-?*)
			[ "$TARGET" = vm ] || cfg_error "$line" "hosts: target local runs on this machine; '$k' needs target vm"
			c=${k#nested-}
			if [[ $c == */* ]]; then
				[ -f "$c" ] || cfg_error "$line" "hosts: '$k': '$c' is not a file (a host kernel path must name a bzImage)"
				c=$(cd "$(dirname "$c")" && pwd)/$(basename "$c")
			fi
			HOST_ARGS+=("nested-$c") ;;
		*) cfg_error "$line" "hosts: '$k' is neither local nor nested-<kernel>" ;;
		esac
	done

	# Kernels: a host/kernels name or a path to a bzImage (host/kernels
	# judges both when check_cells asks host/apf-vm).
	KERNEL_ARGS=()
	line=${CFG_LINE[kernels]:-}
	if [ "$TARGET" = local ]; then
		if [ -n "${CFG[kernels]:-}" ] && [ "${CFG[kernels]}" != local ]; then
			cfg_error "$line" "kernels: target local runs on this machine's own kernel; leave kernels out or say 'local'"
		fi
		KERNEL_ARGS=(local) KERNEL_DIRS=(local) HOST_DIRS=(local)
	else
		cfg_default kernels debian-6.1-cloud
		cfg_list kernels path
		for k in "${LIST[@]}"; do
			if [[ $k == */* ]]; then
				[ -f "$k" ] || cfg_error "$line" "kernels: '$k' is not a file (a kernel path must name a bzImage)"
				k=$(cd "$(dirname "$k")" && pwd)/$(basename "$k")
			fi
			KERNEL_ARGS+=("$k")
		done
	fi

	cfg_default modes apf-on
	cfg_list modes
	MODES=("${LIST[@]}")
	cfg_default pressure none
	cfg_list pressure level
	PRESSURES=("${LIST[@]}")
	for p in "${PRESSURES[@]}"; do
		if [ "$p" != none ] && ! is_root && [ -z "${APF_BENCH_NO_ROOT_CHECK:-}" ]; then
			die_missing "$CONF_FILE:${CFG_LINE[pressure]}: pressure: '$p' needs root (cgroups and swap); run as root or use pressure = none"
		fi
	done

	[ -n "${CFG[workloads]:-}" ] || cfg_error "" "missing key 'workloads' (names from bench/workloads.tsv)"
	cfg_list workloads
	WORKLOADS=("${LIST[@]}")
	for w in "${WORKLOADS[@]}"; do
		[ -n "${WL_APFW[$w]+set}" ] ||
			cfg_error "${CFG_LINE[workloads]}" "workloads: unknown workload '$w' (known: $(printf '%s ' "${!WL_APFW[@]}" | tr ' ' '\n' | sort | tr '\n' ' ')- see bench/workloads.tsv)"
	done

	REPS=$(cfg_int reps 1 1000 1)
	RETRIES=$(cfg_int retries 0 5 1)
	# Passed as written; the cell's tool judges them (check_cells).
	VCPUS=${CFG[vcpus]:-2} DURATION=${CFG[duration]:-10} MEMORY=${CFG[memory]:-1G}
	ACCEL=${CFG[accel]:-auto} SWAP=${CFG[swap]:-auto} SWAP_DISK=${CFG[swap_disk]:-}
	TIMEOUT=${CFG[timeout]:-}
	OVERLAP=${CFG[overlap]:-auto}
	case "$OVERLAP" in auto | yes | no) ;; *) cfg_error "${CFG_LINE[overlap]}" "overlap: '$OVERLAP' is not auto, yes or no" ;; esac
	case "${CFG[fleet_mode]:-replicate}" in replicate | shard) ;;
	*) cfg_error "${CFG_LINE[fleet_mode]}" "fleet_mode: '${CFG[fleet_mode]}' is not replicate or shard" ;; esac
	NAME=${CFG[name]:-$(basename "$CONF_FILE" .conf)}
	valid_name "$NAME" || {
		[ -z "${CFG[name]:-}" ] || cfg_error "${CFG_LINE[name]}" "name: '$NAME' is not a valid name ([A-Za-z0-9._-]+)"
		NAME=run
	}
	if [ "$TARGET" = vm ] && [ -z "${APF_BENCH_SKIP_TOOL_CHECK:-}" ]; then
		[ -x "$APF_VM" ] || cfg_error "${CFG_LINE[target]:-}" "target vm needs host/apf-vm, which is not there"
	fi
	if [ "$TARGET" = local ] && [ -z "${APF_BENCH_SKIP_TOOL_CHECK:-}" ]; then
		[ -x "$APFW" ] || cfg_error "${CFG_LINE[target]:-}" "target local needs guest/apfw: run make"
		[ -x "$APF_LOCAL" ] || cfg_error "${CFG_LINE[target]:-}" "target local needs host/apf-local, which is not there"
	fi
	MEMORY_BYTES=$(parse_size "$MEMORY") ||
		cfg_error "${CFG_LINE[memory]:-}" "memory: '$MEMORY' is not a size (host/apf-size: e.g. 512M, 1G)"
}
