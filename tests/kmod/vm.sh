# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by tests/kmod/*.t that boot guests: find a kernel with headers,
# run kctx in it through host/apf-vm (TCG: fast to boot, and the only accel
# this machine's PVM KVM can run a normal guest with), check the result.
# Sourced after tests/lib.sh.

# kctx_kernel NAME: print the kernel cache dir of NAME if it has headers;
# else print why not and return 1 (callers SKIP with that reason).
kctx_kernel() {
	local dir
	if ! dir=$(host/kernels dir "$1" 2>"$TMP_T/kernels.err"); then
		echo "kernel $1 not available: $(tail -n 1 "$TMP_T/kernels.err")"
		return 1
	fi
	if [ ! -s "$dir/kdir" ]; then
		echo "kernel $1 has no headers (no kdir)"
		return 1
	fi
	echo "$dir"
}

# kctx_vm_ready: why VM tests cannot run here (empty output when they can).
kctx_vm_ready() {
	if [ ! -x host/apf-vm ]; then echo "host/apf-vm not there yet"
	elif ! command -v qemu-system-x86_64 >/dev/null; then echo "qemu-system-x86_64 missing"
	elif ! command -v jq >/dev/null; then echo "jq missing"
	fi
}

kctx_build() {
	make -s guest/apfw guest/apfw-exec-helper build/kmod/apf-kctx-check >/dev/null
}

# kctx_vm OUT KERNEL [apf-vm options] -- [apfw options]: one TCG guest.
# Sets VM_RC (for the caller); never fails the caller.
# shellcheck disable=SC2034
kctx_vm() {
	local out=$1 kernel=$2
	shift 2
	VM_RC=0
	host/apf-vm --kernel "$kernel" --workload kctx --accel tcg --out "$out" "$@" \
		>"$out.log" 2>&1 || VM_RC=$?
}

# kctx_result_problems DIR CONTEXT BYTES: print every broken invariant of a
# kctx result (schema via tests/check-result, then the kctx block).
kctx_result_problems() {
	local dir=$1 ctx=$2 bytes=$3
	tests/check-result "$dir" ok || true
	jq -r --arg ctx "$ctx" --argjson bytes "$bytes" '
		.kctx as $k
		| [ (if .workload != "kctx" then "workload \(.workload)" else empty end),
		    (if $k == null then "no kctx block" else empty end),
		    (if $k.context != $ctx then "context \($k.context), want \($ctx)" else empty end),
		    (if $k.pages_per_pass != ($bytes / 4096) then "pages_per_pass \($k.pages_per_pass), want \($bytes / 4096)" else empty end),
		    (if $k.passes < 1 then "no pass ran" else empty end),
		    (if $k.pages != $k.passes * $k.pages_per_pass then "pages \($k.pages) != passes x pages_per_pass" else empty end),
		    (if .latency_ns.count != $k.pages then "per-page count \(.latency_ns.count) != pages touched \($k.pages)" else empty end),
		    (if $k.pass_ns.count != $k.passes then "pass_ns.count \($k.pass_ns.count) != passes \($k.passes)" else empty end),
		    (if .latency_ns.max != $k.slowest_page_ns then "latency max \(.latency_ns.max) != slowest page \($k.slowest_page_ns)" else empty end),
		    (if $k.max_chunk_ns > $k.pass_ns.max then "longest chunk beyond the longest pass" else empty end)
		  ] | .[]' "$dir/result.json" 2>&1
}

# console_bad DIR: lockup/stall/oops lines of the guest console, if any.
console_bad() {
	grep -a -E 'soft lockup|hard LOCKUP|rcu_.*(stall|detected stalls)|self-detected stall|BUG:|Oops|WARNING:|Call Trace' \
		"$1/console.log" 2>/dev/null | head -n 5
}
