#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/mkinitramfs: what goes into the archive (init, static busybox, apfw
# and its helper, modules from guest/kmod/build-for, initramfs.list files),
# the content cache (same inputs, same archive; a changed input, a new one)
# and refusals.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

for c in cpio busybox; do
	command -v "$c" >/dev/null || { skip "mkinitramfs" "$c not installed"; done_testing; exit 0; }
done
export APF_INITRAMFS_CACHE=$TMP_T/cache
mkdir -p "$TMP_T/a"
cp tests/vm/standin-apfw "$TMP_T/a/apfw"
printf '#!/bin/sh\n' >"$TMP_T/a/apfw-exec-helper"
chmod +x "$TMP_T/a/apfw" "$TMP_T/a/apfw-exec-helper"

list() { cpio -t --quiet <"$1" | sort; }
a=$(host/mkinitramfs --apfw "$TMP_T/a/apfw" 2>/dev/null)
check "archive built" test -s "$a"
files=$(list "$a")
for f in init bin/busybox bin/apfw bin/apfw-exec-helper; do
	check "archive holds $f" grep -qx "$f" <<<"$files"
done
check "/init is host/guest-init" cmp -s host/guest-init <(cpio -i --quiet --to-stdout init <"$a")
check "busybox in it is static" bash -c '! ldd "$(command -v busybox)" >/dev/null 2>&1'
before=$(stat -c %i "$a")
expect_eq "same inputs: same archive" "$a" "$(host/mkinitramfs --apfw "$TMP_T/a/apfw" 2>/dev/null)"
expect_eq "cached archive not rewritten" "$before" "$(stat -c %i "$a")"
echo "# changed" >>"$TMP_T/a/apfw"
b=$(host/mkinitramfs --apfw "$TMP_T/a/apfw" 2>/dev/null)
check "changed apfw: new archive" test "$a" != "$b" -a -s "$b"

if d=$(host/kernels dir debian-6.1-cloud 2>/dev/null) && [ -x guest/kmod/build-for ] &&
	guest/kmod/build-for "$d" >/dev/null 2>&1; then
	k=$(host/mkinitramfs --apfw "$TMP_T/a/apfw" --kernel-dir "$d" 2>/dev/null)
	check "kernel module at /lib/apf/*.ko" grep -qx 'lib/apf/.*\.ko' <<<"$(list "$k")"
	n=$(host/mkinitramfs --apfw "$TMP_T/a/apfw" --kernel-dir "$d" --no-kmod 2>/dev/null)
	check "--no-kmod leaves modules out" bash -c '! grep -q "^lib/apf/.*\.ko" <<<"$1"' _ "$(list "$n")"
else
	skip "kernel module in the initramfs" "no kernel or guest/kmod/build-for cannot build here"
fi

expect_exit "missing apfw: exit 2" 2 host/mkinitramfs --apfw "$TMP_T/nope"
expect_exit "not a kernel dir: exit 2" 2 host/mkinitramfs --apfw "$TMP_T/a/apfw" --kernel-dir "$TMP_T"
expect_exit "unknown option: exit 2" 2 host/mkinitramfs --frob
done_testing
