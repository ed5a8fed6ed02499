#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Bad nested-host input is refused before anything boots: exit 2, one line
# naming the problem, no QEMU started (a counting stand-in), no cell files.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
if ! host/kernels dir debian-6.12-cloud >/dev/null 2>"$TMP_T/k.err"; then
	skip_rest "nested bad input" "no debian-6.12-cloud kernel: $(tail -n 1 "$TMP_T/k.err")"
fi
real=$(host/kernels dir debian-6.12-cloud)
# A stand-in QEMU that logs every start (its --version answers are not starts).
cat >"$TMP_T/qemu" <<'EOQ'
#!/bin/sh
[ "$1" = --version ] && { echo "QEMU emulator version 7.2.0"; exit 0; }
echo "$*" >>"$QEMU_LOG"
exit 1
EOQ
chmod +x "$TMP_T/qemu"
export APF_QEMU=$TMP_T/qemu QEMU_LOG=$TMP_T/qemu.log APF_SNAPSHOT=0
: >"$QEMU_LOG"

# A kernel dir whose modules have no kvm-amd.
mkdir -p "$TMP_T/nokvm/modules/kernel/drivers"
cp "$real/vmlinuz" "$real/release" "$TMP_T/nokvm/"

refused() { # WHAT PATTERN apf-vm options...
	local what=$1 pat=$2 rc=0 out
	shift 2
	rm -rf "$TMP_T/out"
	out=$(host/apf-vm --workload fault-storm --out "$TMP_T/out" "$@" 2>&1) || rc=$?
	expect_eq "$what: exit 2" 2 "$rc"
	expect_eq "$what: one line" 1 "$(printf '%s\n' "$out" | grep -c .)"
	if grep -qE "$pat" <<<"$out"; then ok "$what: says why"; else not_ok "$what: says why" "$out"; fi
	check "$what: no cell files" test ! -e "$TMP_T/out/result.json"
}
refused "host kernel without kvm-amd" "no kvm-amd" --host "nested-$TMP_T/nokvm"
refused "bare host bzImage (no modules, no KVM_AMD=y config)" "no kvm-amd" --host "nested-$TMP_T/nokvm/vmlinuz"
refused "host bzImage that is not one" "not a bzImage" --host nested-/etc/passwd
refused "unknown host kernel" "apt knows no" --host nested-debian-9.9-cloud
refused "bad host name" "local or nested-" --host elsewhere
refused "guest larger than the nested host" "does not fit" --host nested-debian-6.12-cloud --mem 2G
refused "guest vCPUs beyond the nested host's" "more than the nested host" --host nested-debian-6.12-cloud --vcpus 4
refused "bad swap disk profile" "swap-disk" --host nested-debian-6.12-cloud --swap-disk floppy
refused "tcg for a nested host's guest" "always runs on the nested host's KVM" --host nested-debian-6.12-cloud --accel tcg

# The same through a config: refused with file:line, nothing created.
conf() { # WHAT PATTERN hosts-value [memory [line]]: the line of the key at fault
	local what=$1 pat=$2 rc=0 out
	printf 'hosts = %s\nkernels = debian-6.12-cloud\nworkloads = fault-storm\nmemory = %s\n' "$3" "${4:-512M}" >"$TMP_T/c.conf"
	out=$(APF_VM=$TOP/host/apf-vm bench/apf-bench "$TMP_T/c.conf" --out "$TMP_T/run" 2>&1) || rc=$?
	expect_eq "config $what: exit 2" 2 "$rc"
	if grep -qE "c.conf:${5:-1}: .*$pat" <<<"$out"; then ok "config $what: file:line and why"; else not_ok "config $what: file:line and why" "$out"; fi
	check "config $what: no run dir" test ! -e "$TMP_T/run"
}
conf "bad host name" "neither local nor nested" "local far-away"
conf "unknown host kernel" "hosts: .*apt knows no" "nested-debian-9.9-cloud"
conf "host without kvm-amd" "no kvm-amd" "nested-$TMP_T/nokvm/vmlinuz"
conf "guest too large" "memory: .*does not fit" "nested-debian-6.12-cloud" 2G 4

# apf-vm checks every host and kernel pair, whatever the config's accel:
# a kernel path that is no bzImage stops the config too.
printf 'kernels = /etc/passwd\naccel = tcg\nworkloads = fault-storm\n' >"$TMP_T/pw.conf"
rc=0
out=$(APF_VM=$TOP/host/apf-vm bench/apf-bench "$TMP_T/pw.conf" --out "$TMP_T/pwrun" 2>&1) || rc=$?
expect_eq "config kernels = /etc/passwd (accel tcg): exit 2" 2 "$rc"
if grep -q 'pw.conf:1: .*not a bzImage' <<<"$out"; then ok "config kernels = /etc/passwd: file:line and why"
else not_ok "config kernels = /etc/passwd: file:line and why" "$out"; fi
check "config kernels = /etc/passwd: no run dir" test ! -e "$TMP_T/pwrun"

expect_eq "no QEMU was started" 0 "$(grep -c . "$QEMU_LOG")"
done_testing
