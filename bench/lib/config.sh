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
KEYS="target hosts kernels modes pressure workloads reps duration vcpus memory accel swap swap_disk timeout retries name fleet_mode"

read_config() {
	local line raw key value n=0
	if [ ! -f "$CONF_FILE" ] || [ ! -r "$CONF_FILE" ]; then
		usage_error "config '$CONF_FILE' not found or unreadable"
	fi
	while IFS= read -r raw || [ -n "$raw" ]; do
		n=$((n + 1))
		line=${raw%%#*}
		line=${line#"${line%%[![:space:]]*}"}
		line=${line%"${line##*[![:space:]]}"}
		[ -n "$line" ] || continue
		[[ $line == *=* ]] || cfg_error "$n" "expected 'key = value', saw '$line'"
		key=${line%%=*} value=${line#*=}
		key=${key%"${key##*[![:space:]]}"}
		value=${value#"${value%%[![:space:]]*}"}
		[[ " $KEYS " == *" $key "* ]] || cfg_error "$n" "unknown key '$key' (known: $KEYS)"
		[ -z "${CFG[$key]+set}" ] || cfg_error "$n" "key '$key' given twice (first on line ${CFG_LINE[$key]})"
		[ -n "$value" ] || cfg_error "$n" "key '$key' has no value"
		# Collapse runs of blanks so lists split on single spaces.
		CFG[$key]=$(printf '%s' "$value" | tr -s '[:space:]' ' ')
		CFG_LINE[$key]=$n
	done <"$CONF_FILE"
}

# Words of a list value, each checked by the name rule.
cfg_list() {
	local key=$1 rule=${2:-name} w
	LIST=()
	for w in ${CFG[$key]}; do
		case "$rule" in
		name) valid_name "$w" || cfg_error "${CFG_LINE[$key]}" "$key: '$w' is not a valid name ([A-Za-z0-9._-]+)" ;;
		kernel) [[ $w =~ ^[A-Za-z0-9._/-]+$ ]] ||
			cfg_error "${CFG_LINE[$key]}" "kernels: '$w' is not a valid kernel name or path ([A-Za-z0-9._/-]+)" ;;
		pressure) [[ $w =~ ^[A-Za-z0-9._+-]+$ ]] ||
			cfg_error "${CFG_LINE[$key]}" "pressure: '$w' is not a valid level ([A-Za-z0-9._-]+ joined by '+')" ;;
		esac
		case " ${LIST[*]} " in *" $w "*) cfg_error "${CFG_LINE[$key]}" "$key: '$w' listed twice" ;; esac
		LIST+=("$w")
	done
}

cfg_int() { # key min max default
	local key=$1 v
	v=${CFG[$key]:-$4}
	if ! [[ $v =~ ^[0-9]{1,9}$ ]] || [ "$v" -lt "$2" ] || [ "$v" -gt "$3" ]; then
		cfg_error "${CFG_LINE[$key]:-}" "$key: '$v' is not a whole number in $2..$3"
	fi
	echo "$v"
}

# One pressure term: none | limitNN | pageoutNN | hog (host/pressure's grammar).
pressure_term_ok() {
	case "$1" in
	none | hog) return 0 ;;
	limit[0-9]* | pageout[0-9]*)
		local nn=${1#limit}
		nn=${nn#pageout}
		[[ $nn =~ ^[0-9]{1,3}$ ]] && [ "$((10#$nn))" -ge 1 ] && [ "$((10#$nn))" -le 100 ] ;;
	*) return 1 ;;
	esac
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

known_kernel_names() {
	if [ -x "$APF_TOP/host/kernels" ]; then
		"$APF_TOP/host/kernels" list 2>/dev/null || true
	else
		printf '%s\n' debian-6.1-cloud debian-6.1-rt debian-6.12-cloud debian-6.12-rt
	fi
}

canonical_kernel() {
	case "$1" in
	debian-cloud) echo debian-6.1-cloud ;;
	debian-rt) echo debian-6.1-rt ;;
	*) echo "$1" ;;
	esac
}

# Parse and validate everything; fill the resolved settings. Exits 2 on error.
validate_config() {
	local known k c w p t line
	read_config
	load_workloads

	TARGET=${CFG[target]:-vm}
	case "$TARGET" in vm | local) ;; *) cfg_error "${CFG_LINE[target]}" "target: '$TARGET' is not vm or local" ;; esac

	# Hosts: where the KVM host runs. local is this machine; nested-<kernel>
	# a nested KVM host VM of that kernel (host/apf-vm --host, which checks
	# it can host KVM when the cells are planned). The cell directory of a
	# path is the path with '/' turned into '_'.
	HOST_ARGS=() HOST_DIRS=()
	line=${CFG_LINE[hosts]:-}
	CFG[hosts]=${CFG[hosts]:-local}
	cfg_list hosts kernel
	for k in "${LIST[@]}"; do
		case "$k" in
		local) HOST_ARGS+=(local) HOST_DIRS+=(local) ;;
		nested-*/*)
			[ "$TARGET" = vm ] || cfg_error "$line" "hosts: target local runs on this machine; '$k' needs target vm"
			c=${k#nested-}
			[ -f "$c" ] || cfg_error "$line" "hosts: '$k': '$c' is not a file (a host kernel path must name a bzImage)"
			c=$(cd "$(dirname "$c")" && pwd)/$(basename "$c")
			HOST_ARGS+=("nested-$c")
			c=${c#/}
			HOST_DIRS+=("nested-${c//\//_}") ;;
		nested-?*)
			[ "$TARGET" = vm ] || cfg_error "$line" "hosts: target local runs on this machine; '$k' needs target vm"
			c=$(canonical_kernel "${k#nested-}")
			known=${known:-$(known_kernel_names)}
			grep -qxF -- "$c" <<<"$known" ||
				cfg_error "$line" "hosts: '$k': unknown host kernel '${k#nested-}' (known: $(echo "$known" | tr '\n' ' ')or a path to a bzImage)"
			case " ${HOST_DIRS[*]:-} " in *" nested-$c "*) cfg_error "$line" "hosts: '$k' is 'nested-$c', listed twice" ;; esac
			HOST_ARGS+=("nested-$c") HOST_DIRS+=("nested-$c") ;;
		*) cfg_error "$line" "hosts: '$k' is neither local nor nested-<kernel>" ;;
		esac
	done

	# Kernels: a known name (aliases resolved) or a path to a bzImage. The
	# cell directory of a path is the path with '/' turned into '_'.
	KERNEL_ARGS=() KERNEL_DIRS=()
	line=${CFG_LINE[kernels]:-}
	if [ "$TARGET" = local ]; then
		if [ -n "${CFG[kernels]:-}" ] && [ "${CFG[kernels]}" != local ]; then
			cfg_error "$line" "kernels: target local runs on this machine's own kernel; leave kernels out or say 'local'"
		fi
		KERNEL_ARGS=(local) KERNEL_DIRS=(local)
	else
		CFG[kernels]=${CFG[kernels]:-debian-6.1-cloud}
		known=$(known_kernel_names)
		cfg_list kernels kernel
		for k in "${LIST[@]}"; do
			if [[ $k == */* ]]; then
				[ -f "$k" ] || cfg_error "$line" "kernels: '$k' is not a file (a kernel path must name a bzImage)"
				KERNEL_ARGS+=("$(cd "$(dirname "$k")" && pwd)/$(basename "$k")")
				c=${k#/}
				KERNEL_DIRS+=("${c//\//_}")
			else
				c=$(canonical_kernel "$k")
				grep -qxF -- "$c" <<<"$known" ||
					cfg_error "$line" "kernels: unknown kernel '$k' (known: $(echo "$known" | tr '\n' ' ')or a path to a bzImage)"
				case " ${KERNEL_DIRS[*]:-} " in *" $c "*) cfg_error "$line" "kernels: '$k' is '$c', listed twice" ;; esac
				KERNEL_ARGS+=("$c")
				KERNEL_DIRS+=("$c")
			fi
		done
	fi

	CFG[modes]=${CFG[modes]:-apf-on}
	cfg_list modes
	MODES=("${LIST[@]}")
	for c in "${MODES[@]}"; do
		case "$c" in apf-on | apf-off | guest-off | no-int) ;;
		*) cfg_error "${CFG_LINE[modes]}" "modes: unknown mode '$c' (apf-on apf-off guest-off no-int)" ;;
		esac
	done

	CFG[pressure]=${CFG[pressure]:-none}
	cfg_list pressure pressure
	PRESSURES=("${LIST[@]}")
	for p in "${PRESSURES[@]}"; do
		IFS=+ read -ra terms <<<"$p"
		if [[ $p == *+ || $p == +* || $p == *++* ]]; then
			cfg_error "${CFG_LINE[pressure]}" "pressure: '$p' has an empty term"
		fi
		for t in "${terms[@]}"; do
			pressure_term_ok "$t" ||
				cfg_error "${CFG_LINE[pressure]}" "pressure: unknown level '$t' in '$p' (none limitNN pageoutNN hog, NN 1..100, joined by '+')"
		done
		if [ "${#terms[@]}" -gt 1 ] && [[ "+$p+" == *+none+* ]]; then
			cfg_error "${CFG_LINE[pressure]}" "pressure: 'none' cannot be combined ('$p')"
		fi
		# host/pressure has the last word on what it can apply.
		if [ -x "$PRESSURE_TOOL" ] && ! "$PRESSURE_TOOL" check-level "$p" >/dev/null 2>&1; then
			cfg_error "${CFG_LINE[pressure]}" "pressure: host/pressure does not accept '$p'"
		fi
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
	VCPUS=$(cfg_int vcpus 1 256 2)
	DURATION=${CFG[duration]:-10}
	if ! [[ $DURATION =~ ^[0-9]{1,5}(\.[0-9]{1,3})?$ ]] || [[ $DURATION =~ ^0+(\.0*)?$ ]]; then
		cfg_error "${CFG_LINE[duration]:-}" "duration: '$DURATION' is not a positive number of seconds"
	fi
	MEMORY=${CFG[memory]:-1G}
	MEMORY_BYTES=$(parse_size "$MEMORY") ||
		cfg_error "${CFG_LINE[memory]}" "memory: '$MEMORY' is not a size (e.g. 512M, 1G)"
	[ "$MEMORY_BYTES" -ge $((128 << 20)) ] ||
		cfg_error "${CFG_LINE[memory]}" "memory: '$MEMORY' is below the 128M a guest needs"
	ACCEL=${CFG[accel]:-auto}
	case "$ACCEL" in auto | kvm | tcg) ;; *) cfg_error "${CFG_LINE[accel]}" "accel: '$ACCEL' is not auto, kvm or tcg" ;; esac
	SWAP=${CFG[swap]:-auto}
	case "$SWAP" in auto | file | zram) ;; *) cfg_error "${CFG_LINE[swap]}" "swap: '$SWAP' is not auto, file or zram" ;; esac
	SWAP_DISK=${CFG[swap_disk]:-}
	case "$SWAP_DISK" in '' | fast | ssd | hdd) ;; *) cfg_error "${CFG_LINE[swap_disk]}" "swap_disk: '$SWAP_DISK' is not fast, ssd or hdd" ;; esac
	case "${CFG[fleet_mode]:-replicate}" in replicate | shard) ;;
	*) cfg_error "${CFG_LINE[fleet_mode]}" "fleet_mode: '${CFG[fleet_mode]}' is not replicate or shard" ;; esac
	TIMEOUT=
	[ -z "${CFG[timeout]:-}" ] || TIMEOUT=$(cfg_int timeout 1 86400 0)
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
		for p in "${PRESSURES[@]}"; do
			[ "$p" = none ] || [ -x "$PRESSURE_TOOL" ] ||
				cfg_error "${CFG_LINE[pressure]}" "pressure: '$p' on target local needs host/pressure, which is not there"
		done
	fi
}
