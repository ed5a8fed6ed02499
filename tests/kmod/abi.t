#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The module's contract as only the guest can see it, on each kernel with
# headers: `apfw run kctx --check` runs apf-kctx-check in the guest (bounds
# give EINVAL, a request during another file's pass gets EBUSY, every
# context counts every page, rmmod is refused while a file is open even
# mid-pass, unload + reload + double load) and then measures as usual.
# Each checker line comes back here as one result, prefixed with the kernel.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm.sh"
cd "$TOP"

why=$(kctx_vm_ready)
if [ -n "$why" ]; then
	skip_rest "in-guest module checks" "$why"
fi
kctx_build
for k in debian-6.1-cloud debian-6.12-cloud; do
	if ! why=$(kctx_kernel "$k"); then
		skip "$k: in-guest module checks" "$why"
		continue
	fi
	out=$TMP_T/$k
	kctx_vm "$out" "$k" --duration 1 --vcpus 2 --mem 512M -- --check --bytes 8M --context rcu
	lines=$(grep -a -E '^(ok|not ok) - |^apf-kctx-check: ' "$out/console.log" 2>/dev/null | tr -d '\r' || true)
	if ! grep -q '^apf-kctx-check: ' <<<"$lines"; then
		not_ok "$k: apf-kctx-check ran in the guest" "apf-vm exit $VM_RC: $(tail -n 3 "$out.log")"
		continue
	fi
	while IFS= read -r l; do
		case "$l" in
		"ok - "*) ok "$k: ${l#ok - }" ;;
		"not ok - "*) not_ok "$k: ${l#not ok - }" ;;
		esac
	done <<<"$lines"
	for what in "gives EINVAL" "gives EBUSY" "unload while a file is open" "loading it twice gives EEXIST" \
		"the reloaded module runs a pass"; do
		grep -q -- "$what" <<<"$lines" || not_ok "$k: the checker covers '$what'" "not in its output"
	done
	expect_eq "$k: checker verdict" "apf-kctx-check: 0 failed" "$(grep '^apf-kctx-check: ' <<<"$lines")"
	problems=$(kctx_result_problems "$out" rcu $((8 << 20)))
	if [ "$VM_RC" = 0 ] && [ -z "$problems" ]; then
		ok "$k: after the checks, kctx measures (status ok, exact counts)"
	else
		not_ok "$k: after the checks, kctx measures (status ok, exact counts)" "apf-vm exit $VM_RC; $problems"
	fi
	bad=$(console_bad "$out")
	if [ -z "$bad" ]; then ok "$k: console clean"; else not_ok "$k: console clean" "$bad"; fi
done
done_testing
