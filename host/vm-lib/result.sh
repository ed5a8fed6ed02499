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
	local f=$1 line=""
	[ -f "$f" ] || { echo "no console output"; return; }
	line=$(grep -a -m1 -E 'Kernel panic|BUG:|Oops|[Oo]ut of memory|apf-init: no ' "$f" | one_line) || true
	[ -n "$line" ] || line=$(grep -a -v '^[[:space:]]*$' "$f" | tail -n 3 | one_line |
		paste -sd '|' | sed 's/|/ | /g') || true
	echo "console: ${line:-empty}"
}

# shellcheck disable=SC2317  # run by the cleanup stack
finalize() {
	local base="" hostblock=null status="" reason="" tmp oomk
	[ -n "$out" ] || return 0
	mark finalize_start
	if [ "$guest_done" = 1 ] && [ -f "$S/recv/result.json" ] &&
		jq -e 'type == "object"' "$S/recv/result.json" >/dev/null 2>&1; then
		base=$S/recv/result.json
		# Verified files are the guest's results; result.json itself last.
		local f files=()
		for f in "$S/recv"/*; do
			[ ! -f "$f" ] || [ "$f" = "$base" ] || files+=("$f")
		done
		[ "${#files[@]}" = 0 ] || mv -f -- "${files[@]}" "$out/"
		if [ "$guest_rc" != 0 ] && [ "$(jq -r .status "$base")" = ok ]; then
			status=failed reason="apfw exited $guest_rc"
		fi
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
	# An L2 QEMU that vanished without a panic: its nested host's kernel
	# may have OOM-killed it, which only L1's console says.
	if [ "$host" != local ] && [ -f "$out/host-console.log" ] &&
		[ "${status:-$(jq -r '.status // ""' "$base" 2>/dev/null)}" = failed ]; then
		oomk=$(grep -a -m1 -E '[Oo]ut of memory|oom-kill' "$out/host-console.log" | one_line) || true
		if [ -n "$oomk" ]; then
			[ -n "$status" ] || reason=$(jq -r '.reason // ""' "$base") status=failed
			reason="$reason; nested host's console: $oomk"
		fi
	fi
	if [ -f "$out/host.json" ] && hostblock=$(jq -c . "$out/host.json" 2>/dev/null) && [ -n "$hostblock" ]; then
		# A guest that "stopped" because its host's limit OOM-killed QEMU.
		if [ "$status" = failed ]; then
			oomk=$(jq -r '.cgroup_oom_kills // 0' <<<"$hostblock")
			[ "$oomk" = 0 ] || reason="$reason; the cell's cgroup limit OOM-killed QEMU ($oomk kills in memory.events)"
		fi
		# env.swap names the backend really used, not the request "auto".
		if [ "$swap_label" = auto ]; then
			swap_label=$(jq -r '.swap // "auto" | if type == "string" then . else "auto" end' \
				"$out/host.json")
		fi
	fi
	tmp=$out/.result.json.tmp
	local host_env=null rel=""
	# (env.host of a local cell is built by the merge from this release)
	if [ "$host" = local ]; then read -r rel </proc/sys/kernel/osrelease || rel=$(uname -r)
	else host_env=$(nested_env_json)
	fi
	# The env facts apf-vm knows go in as arguments (the merge makes $h).
	jq -n -r --slurpfile g "${base:-/dev/null}" \
		--arg accel "$accel_used" --arg accel_reason "$accel_reason" \
		--arg qemu "$APF_QEMU_VERSION" --arg qemu_cmdline "$qemu_cmdline" \
		--arg kernel "$kernel_label" --arg kernel_path "$kimage" \
		--arg kernel_release "$release" --arg mode "$mode" \
		--arg pressure "$pressure" --arg swap "$swap_label" \
		--argjson vcpus "$vcpus" --argjson mem "$mem_bytes" --argjson boot_s "$boot_s" \
		--arg guest_ram "$guest_ram" --arg boot_from "$boot_from" \
		--argjson host "$hostblock" --arg w "$workload" \
		--arg status "$status" --arg reason "$reason" --arg hostrel "$rel" \
		--argjson marks "$(marks_json)" --argjson hostenv "$host_env" --argjson nested "$([ "$host" = local ] && echo false || echo true)" \
		-f "$APF_TOP/host/vm-lib/result-merge.jq" >"$tmp" ||
		{ warn "could not write $out/result.json"; rm -f "$tmp"; return 0; }
	result_write "$tmp" "$out/result.json" "${T[finalize_start]}" ||
		{ warn "could not write $out/result.json"; rm -f "$tmp"; return 0; }
	if [ "${VERDICT%%$'\t'*}" = ok ]; then final_rc=0; fi
	info "${VERDICT#*$'\t'}"
}

