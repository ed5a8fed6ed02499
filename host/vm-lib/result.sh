# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034,SC2004  # the state is host/apf-vm's, which sources this
# The cell's result.json for host/apf-vm: written once, by finalize (last
# on the cleanup stack), from whatever the run got to; the guest's own
# result (when it sent one) with the host's facts merged in. Sourced by
# host/apf-vm; uses its state (out, S, host_status, ...).

# console_reason: what the console says happened, on one line: the panic
# (or oops) line when there is one, else its last three lines. For a
# nested host, L0 sees L1's console (the guest's comes with the result).
console_reason() {
	if [ "$host" = local ]; then console_reason_of "$out/console.log"; else console_reason_of "$out/host-console.log"; fi
}
console_reason_of() {
	local f=$1 line="" rip
	[ -f "$f" ] || { echo "no console output"; return; }
	line=$(grep -a -m1 -E 'Kernel panic|BUG:|Oops|[Oo]ut of memory|apf-init: no ' "$f" | one_line) || true
	# an oops says where (its RIP line follows a few lines below)
	if [[ $line == *Oops* ]] && rip=$(grep -a -m1 -o 'RIP: 0010:[^ ]*' "$f"); then
		line+=" at ${rip#RIP: 0010:}"
	fi
	[ -n "$line" ] || line=$(grep -a -v '^[[:space:]]*$' "$f" | tail -n 3 | one_line |
		paste -sd '|' | sed 's/|/ | /g') || true
	echo "console: ${line:-empty}"
}

# shellcheck disable=SC2317  # run by the cleanup stack
finalize() {
	local base="" hostfile="" l1_oom="" status reason
	[ -n "$out" ] || return 0
	mark finalize_start
	[ "$guest_done" != 1 ] || [ ! -f "$S/recv/result.json" ] || base=$S/recv/result.json
	[ ! -f "$out/host.json" ] || hostfile=$out/host.json
	# An L2 QEMU that vanished without a panic: its nested host's kernel
	# may have OOM-killed it, which only L1's console says.
	if [ "$host" != local ] && [ -f "$out/host-console.log" ]; then
		l1_oom=$(grep -a -m1 -E '[Oo]ut of memory|oom-kill' "$out/host-console.log" | one_line) || true
	fi
	finalize_verdict "$base"
	# One jq (the merge) on the usual path: each costs ~0.3 s in a nested
	# host. A guest's result or a host.json that is no JSON object fails
	# it; then it runs again without that file.
	finalize_merge "$base" "$hostfile" && return 0
	if [ -n "$base" ] && ! jq -e 'type == "object"' "$base" >/dev/null 2>&1; then
		base=""
		finalize_verdict ""
	fi
	if [ -n "$hostfile" ] && ! jq -e 'type == "object"' "$hostfile" >/dev/null 2>&1; then hostfile=""; fi
	finalize_merge "$base" "$hostfile" ||
		warn "could not write $out/result.json: $(one_line <"$out/.result.json.tmp.err")"
	rm -f "$out/.result.json.tmp.err"
}

# finalize_verdict BASE: status and reason when the host decides them
# (empty: the guest's result BASE says); BASE's companion files, which
# recv_check verified, go to --out.
finalize_verdict() {
	local f files=()
	status="" reason=""
	if [ -n "$1" ]; then
		for f in "$S/recv"/*; do
			[ ! -f "$f" ] || [ "$f" = "$1" ] || files+=("$f")
		done
		[ "${#files[@]}" = 0 ] || mv -f -- "${files[@]}" "$out/"
	else
		status=${host_status:-failed}
		reason=$host_reason
		if [ -z "$reason" ]; then
			if [ "$guest_done" = 1 ]; then
				# apfw's one-line complaint (exit 2) is on the console.
				[ -n "$guest_err" ] || guest_err=$(grep -a -E '^apfw( run [A-Za-z0-9._-]+)?: ' \
					"$out/console.log" 2>/dev/null | tail -n 1 | one_line) || true
				reason="guest sent no result.json (apfw exit ${guest_rc:-?}${guest_err:+: $guest_err})"
			else
				reason="apf-vm stopped before the guest finished"
			fi
		fi
	fi
	[ -z "$host_status" ] || { status=$host_status reason=$host_reason; }
}

# finalize_merge BASE HOSTFILE: result.json from the guest's result BASE
# and host/monitor's HOSTFILE (either may be empty), the verdict and
# apf-vm's facts (host/vm-lib/result-merge.jq); sets final_rc.
finalize_merge() {
	local tmp=$out/.result.json.tmp host_env=null rel=""
	# (env.host of a local cell is built by the merge from this release)
	if [ "$host" = local ]; then read -r rel </proc/sys/kernel/osrelease || rel=$(uname -r)
	else host_env=$(nested_env_json)
	fi
	# The env facts apf-vm knows go in as arguments (the merge makes $h).
	if ! jq -n -r --slurpfile g "${1:-/dev/null}" --slurpfile hj "${2:-/dev/null}" \
		--arg accel "$accel_used" --arg accel_reason "$accel_reason" \
		--arg qemu "$APF_QEMU_VERSION" --arg qemu_cmdline "$qemu_cmdline" \
		--arg kernel "$kernel_label" --arg kernel_path "$kimage" \
		--arg kernel_release "$release" --arg mode "$mode" \
		--arg pressure "$pressure" --arg swap "$swap_label" \
		--argjson vcpus "$vcpus" --argjson mem "$mem_bytes" --argjson boot_s "$boot_s" \
		--arg guest_ram "$guest_ram" --arg boot_from "$boot_from" --arg w "$workload" \
		--arg status "$status" --arg reason "$reason" --arg guest_rc "$guest_rc" \
		--arg l1_oom "$l1_oom" --arg hostrel "$rel" \
		--argjson marks "$(marks_json)" --argjson hostenv "$host_env" --argjson nested "$([ "$host" = local ] && echo false || echo true)" \
		-f "$APF_TOP/host/vm-lib/result-merge.jq" >"$tmp" 2>"$tmp.err" ||
		! result_write "$tmp" "$out/result.json" "${T[finalize_start]}"; then
		rm -f "$tmp"
		return 1
	fi
	rm -f "$tmp.err"
	if [ "${VERDICT%%$'\t'*}" = ok ]; then final_rc=0; fi
	info "${VERDICT#*$'\t'}"
}
