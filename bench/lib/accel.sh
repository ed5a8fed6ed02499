# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034,SC2153  # the state is bench/apf-bench's, which sources this
# bench/apf-bench's accel verdict per host and kernel, and the mode
# directories that follow from it. Sourced by bench/apf-bench.

# decide_accel: per host and kernel whether the modes can be told apart:
# KV["hi:ki"] (kvm, tcg, native) and KR (why). Under target vm it is
# host/apf-vm --check's verdict (check_cells; its cached KVM probe for that
# kernel, else what /dev/kvm shows), without booting. Each result's
# env.accel is checked against this plan (a mismatch is warned about and
# kept in run.json). ACCEL_VERDICT/ACCEL_REASON sum it up.
decide_accel() {
	local hi ki
	if [ "$TARGET" = local ]; then
		for hi in "${!HOST_DIRS[@]}"; do
			for ki in "${!KERNEL_DIRS[@]}"; do
				KV["$hi:$ki"]=native
				KR["$hi:$ki"]="target local: the mode is whatever this machine's kernel and hypervisor give; the runner cannot set it"
			done
		done
	fi
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
	local p collapsed='' union='' m ms
	for p in $(printf '%s\n' "${!KV[@]}" | sort); do
		case "${KV[$p]}" in
		tcg) KMODES[$p]=none; collapsed="$collapsed $(pair_label "$p")" ;;
		native) KMODES[$p]=native ;;
		*) KMODES[$p]="${MODES[*]}" ;;
		esac
		read -ra ms <<<"${KMODES[$p]}"
		for m in "${ms[@]}"; do
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
