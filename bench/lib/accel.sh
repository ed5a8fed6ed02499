# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034,SC2153  # the state is bench/apf-bench's, which sources this
# bench/apf-bench's accel verdict per host and kernel, and the mode
# directories that follow from it. Sourced by bench/apf-bench.

# Decide per host and kernel whether the modes can be told apart: KV["hi:ki"]
# (kvm, tcg, native) and KR (why). Under target vm, apf-vm's own dry run gives its
# verdict (its cached KVM probe for that kernel, else what /dev/kvm shows)
# without booting; when it cannot say, the runner looks at /dev/kvm itself.
# Each result's env.accel is checked against this plan (a mismatch is
# warned about and kept in run.json). ACCEL_VERDICT/ACCEL_REASON sum it up.
kvm_guess() {
	if [ ! -e /dev/kvm ]; then echo "tcg	no /dev/kvm"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then echo "tcg	/dev/kvm is not usable by $(id -un)"
	elif [ -d /sys/module/kvm_pvm ]; then echo "tcg	/dev/kvm is PVM (kvm_pvm), which cannot run a normal guest kernel"
	else echo "kvm	/dev/kvm is usable"
	fi
}

accel_for() { # hi ki -> "verdict<TAB>reason"; exits 2 when apf-vm refuses the pair
	local out rc=0 line
	if [ -n "${APF_BENCH_ACCEL:-}" ] && [ "${HOST_ARGS[$1]}" = local ]; then
		printf '%s\tAPF_BENCH_ACCEL=%s\n' "$APF_BENCH_ACCEL" "$APF_BENCH_ACCEL"
		return
	fi
	# apf-vm owns the rules (kernel file, nested host, sizes): its dry run
	# either refuses (exit 2, one line) or says which accel the cell gets.
	local accel=()
	[ "${HOST_ARGS[$1]}" != local ] || accel=(--accel "$ACCEL")
	out=$("$APF_VM" --host "${HOST_ARGS[$1]}" --kernel "${KERNEL_ARGS[$2]}" --workload fault-storm \
		--mem "$MEMORY" --vcpus "$VCPUS" "${accel[@]}" --out "$(mktemp -u "${TMPDIR:-/tmp}/apf-bench-dry.XXXXXX")" \
		--dry-run 2>&1 >/dev/null </dev/null) || rc=$?
	if [ "$rc" = 2 ]; then
		line=$(grep -v '^apf-vm: warning' <<<"$out" | tail -n 1)
		cfg_error "${CFG_LINE[hosts]:-${CFG_LINE[kernels]:-}}" "host ${HOST_DIRS[$1]}, kernel ${KERNEL_DIRS[$2]}: ${line#*: }"
	fi
	# A dry run of apf-vm only warns where a real one would exit 3 (accel =
	# kvm without a usable /dev/kvm); a real run must not start its cells.
	line=$(grep -m1 '^apf-vm: warning: --accel kvm: ' <<<"$out" || true)
	if [ "$rc" = 3 ] || { [ -n "$line" ] && [ "${DRY:-0}" = 0 ]; }; then
		[ -n "$line" ] || line=$(tail -n 1 <<<"$out")
		line=${line#apf-vm: }
		die_missing "host ${HOST_DIRS[$1]}, kernel ${KERNEL_DIRS[$2]}: ${line#warning: }"
	fi
	line=$(grep -m1 '^apf-vm: accel ' <<<"$out" || true)
	if [[ $line =~ ^apf-vm:\ accel\ (kvm|tcg):\ (.*)$ ]]; then
		printf '%s\t%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	else
		kvm_guess
	fi
}

# KV/KR["hi:ki"]: the verdict per host and kernel.
declare -A KV=() KR=()
decide_accel() {
	local hi ki v r vr
	for hi in "${!HOST_DIRS[@]}"; do
		for ki in "${!KERNEL_DIRS[@]}"; do
			if [ "$TARGET" = local ]; then
				v=native r="target local: the mode is whatever this machine's kernel and hypervisor give; the runner cannot set it"
			else
				# Always asked, whatever the accel, so that apf-vm checks every
				# pair (a kernel path that is no bzImage, a nested host that
				# cannot host KVM): a refusal (exit 2, already said) ends the
				# run before anything exists.
				vr=$(accel_for "$hi" "$ki") || exit "$?"
				IFS=$'\t' read -r v r <<<"$vr"
				[ "${HOST_ARGS[hi]}" != local ] || [ "$ACCEL" = auto ] || r="config says accel = $ACCEL"
			fi
			KV["$hi:$ki"]=$v KR["$hi:$ki"]=$r
		done
	done
	summarize_accel
}

# pair_label "hi:ki": host/kernel as the cell tree names them.
pair_label() { local hi=${1%:*} ki=${1#*:}; echo "${HOST_DIRS[hi]}/${KERNEL_DIRS[ki]}"; }

summarize_accel() {
	local p first=""
	for p in "${!KV[@]}"; do first=$p; break; done
	ACCEL_VERDICT=${KV[$first]} ACCEL_REASON=${KR[$first]}
	for p in "${!KV[@]}"; do
		[ "${KV[$p]}" = "$ACCEL_VERDICT" ] || ACCEL_VERDICT=mixed
		[ "${KR[$p]}" = "${KR[$first]}" ] || ACCEL_REASON="per-kernel"
	done
	if [ "$ACCEL_REASON" = per-kernel ]; then
		ACCEL_REASON=
		for p in $(printf '%s\n' "${!KV[@]}" | sort); do
			ACCEL_REASON="$ACCEL_REASON${ACCEL_REASON:+; }$(pair_label "$p"): ${KV[$p]} (${KR[$p]})"
		done
	fi
}

# The mode directories that actually run, per host and kernel: one when the
# accel cannot tell modes apart (named after the effective mode), the
# requested modes otherwise. The requested modes are kept in run.json.
declare -A KMODES=()
plan_modes() {
	local p collapsed='' union='' m
	for p in $(printf '%s\n' "${!KV[@]}" | sort); do
		case "${KV[$p]}" in
		tcg) KMODES[$p]=none; collapsed="$collapsed $(pair_label "$p")" ;;
		native) KMODES[$p]=native ;;
		*) KMODES[$p]="${MODES[*]}" ;;
		esac
		for m in ${KMODES[$p]}; do
			case " $union " in *" $m "*) ;; *) union="$union $m" ;; esac
		done
	done
	read -ra MODES_RUN <<<"$union"
	MODE_NOTE=
	if [ "$TARGET" = local ]; then
		MODE_NOTE="target local: modes ${MODES[*]} cannot be set natively; cells run once as mode 'native'"
	elif [ -n "$collapsed" ] && [ "${#MODES[@]}" -gt 1 ]; then
		MODE_NOTE="accel tcg has no async PF: every mode's effective mode is none, so modes ${MODES[*]} run once as mode 'none' (requested as ${MODES[0]})"
		[ "$ACCEL_VERDICT" != mixed ] || MODE_NOTE="$MODE_NOTE for${collapsed}"
	elif [ -n "$collapsed" ]; then
		MODE_NOTE="accel tcg has no async PF: mode ${MODES[0]} runs with effective mode none"
	fi
}
