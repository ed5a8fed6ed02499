#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The chunking promise: an irqoff pass over 256 MiB keeps IRQs off for one
# chunk at a time, so the guest's soft-lockup and RCU-stall detectors stay
# silent. The guest runs with watchdog_thresh=1 (a soft lockup is reported
# after 2 s instead of 20 s) when apf-vm passes APF_GUEST_APPEND through.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm.sh"
cd "$TOP"

why=$(kctx_vm_ready)
if [ -z "$why" ]; then why=$(kctx_kernel debian-6.1-cloud) && why=""; fi
if [ -n "$why" ]; then
	skip_rest "irqoff pass of 256 MiB leaves the lockup detectors silent" "$why"
fi
kctx_build
out=$TMP_T/lockup
APF_GUEST_APPEND="watchdog_thresh=1" \
	kctx_vm "$out" debian-6.1-cloud --duration 4 --vcpus 2 --mem 1G -- --context irqoff --bytes 256M
problems=$(kctx_result_problems "$out" irqoff $((256 << 20)) 2>&1)
if [ "$VM_RC" = 0 ] && [ -z "$problems" ]; then
	ok "irqoff over 256 MiB: status ok, $(jq -r '"\(.kctx.passes) passes"' "$out/result.json")"
else
	not_ok "irqoff over 256 MiB: status ok" "apf-vm exit $VM_RC: ${problems:-$(tail -n 3 "$out.log")}"
fi
if jq -e '.env.cmdline | test("watchdog_thresh=1")' "$out/result.json" >/dev/null 2>&1; then
	sens="watchdog_thresh=1"
else
	sens="default watchdog_thresh: apf-vm ignored APF_GUEST_APPEND"
fi
bad=$(console_bad "$out")
if [ -f "$out/console.log" ] && [ -z "$bad" ]; then
	ok "no soft lockup, RCU stall or oops on the console ($sens)"
else
	not_ok "no soft lockup, RCU stall or oops on the console ($sens)" "${bad:-no console.log}"
fi
done_testing
