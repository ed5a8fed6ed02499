#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A kernel without headers (a bare bzImage, no KDIR) still boots; kctx on
# it fails cleanly: no module in the initramfs, apfw exits 3 (a missing
# capability) saying the module is not loaded, apf-vm records status failed
# (exit 1: only this host's own capabilities make apf-vm exit 3) with that
# line as the reason.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm.sh"
cd "$TOP"

why=$(kctx_vm_ready)
if [ -z "$why" ]; then
	if dir=$(kctx_kernel debian-6.1-cloud); then why=""; else why=$dir; fi
fi
if [ -n "$why" ]; then
	skip_rest "kctx on a kernel without headers fails cleanly" "$why"
fi
kctx_build
out=$TMP_T/bare
# A copy of the image, so it is registered as a custom kernel without headers.
cp "$dir/vmlinuz" "$TMP_T/bzImage"
KDIR="" kctx_vm "$out" "$TMP_T/bzImage" --duration 1 --mem 256M -- --bytes 64M
expect_eq "apf-vm exits 1" 1 "$VM_RC"
expect_eq "result status" failed "$(jq -r .status "$out/result.json" 2>/dev/null)"
reason=$(jq -r .reason "$out/result.json" 2>/dev/null || true)
if grep -q "the apf_kctx module is not loaded" <<<"$reason"; then
	ok "the result's reason says the module is not loaded"
else
	not_ok "the result's reason says the module is not loaded" "reason: $reason; console: $(tail -n 3 "$out/console.log" 2>/dev/null)"
fi
if grep -q "has no kernel headers" "$out.log"; then
	ok "apf-vm's log says the kernel has no headers"
else
	not_ok "apf-vm's log says the kernel has no headers" "$(head -n 5 "$out.log")"
fi
done_testing
