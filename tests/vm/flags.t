#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/apf-vm --dry-run: the QEMU command line each async-PF mode produces
# (DESIGN.md's mode table), under KVM and TCG, and the refusal of bad input
# with exit 2. Nothing boots here.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "apf-vm flags" "qemu-system-x86_64 not installed"
	done_testing
	exit 0
fi
if ! kdir=$(host/kernels dir debian-6.1-cloud 2>"$TMP_T/k.err"); then
	skip "apf-vm flags" "no guest kernel: $(tail -n 1 "$TMP_T/k.err")"
	done_testing
	exit 0
fi
export APF_APFW=$TOP/tests/vm/standin-apfw APF_ACCEL_CACHE=$TMP_T/accel

# cmdline ARGS...: the dry-run QEMU command line as one word per line.
cmdline() {
	host/apf-vm --dry-run --workload fault-storm "$@" 2>/dev/null | xargs -n 1 printf '%s\n'
}
# arg_after FLAG ARGS...: the word after FLAG.
arg_after() {
	local flag=$1
	shift
	cmdline "$@" | awk -v f="$flag" 'p { print; exit } $0 == f { p = 1 }'
}

while read -r mode cpu; do
	expect_eq "kvm $mode: -cpu" "$cpu" "$(arg_after -cpu --accel kvm --mode "$mode")"
done <<'EOF'
apf-on    host,kvm-asyncpf=on,kvm-asyncpf-int=on
apf-off   host,kvm-asyncpf=off,kvm-asyncpf-int=off
guest-off host,kvm-asyncpf=on,kvm-asyncpf-int=on
no-int    host,kvm-asyncpf=on,kvm-asyncpf-int=off
EOF
expect_eq "named model gets both flags explicitly" "Skylake-Server,kvm-asyncpf=on,kvm-asyncpf-int=on" \
	"$(arg_after -cpu --accel kvm --cpu Skylake-Server --mode apf-on)"
check "guest-off appends no-kvmapf" grep -qw no-kvmapf <<<"$(arg_after -append --accel kvm --mode guest-off)"
for mode in apf-on apf-off no-int; do
	if grep -qw no-kvmapf <<<"$(arg_after -append --accel kvm --mode "$mode")"; then
		not_ok "$mode: no no-kvmapf" "found no-kvmapf"
	else
		ok "$mode: no no-kvmapf"
	fi
done
expect_eq "kvm: -accel kvm" kvm "$(arg_after -accel --accel kvm)"
expect_eq "tcg: -accel tcg" tcg "$(arg_after -accel --accel tcg --mode apf-off)"
expect_eq "tcg: plain -cpu max, no kvm flags" max "$(arg_after -cpu --accel tcg --mode apf-off)"
expect_eq "memfd backend named mem, sized --mem" "memory-backend-memfd,id=mem,size=512M" \
	"$(arg_after -object --accel tcg --mem 512M --guest-ram memfd)"
expect_eq "machine uses the backend" "pc,memory-backend=mem" "$(arg_after -machine --accel tcg --guest-ram memfd)"
# auto: anonymous RAM (it restores from a snapshot) unless pageout needs the memfd.
expect_eq "tcg auto: plain machine, anonymous RAM" pc "$(arg_after -machine --accel tcg)"
expect_eq "tcg auto with pageout50: the memfd" "pc,memory-backend=mem" \
	"$(arg_after -machine --accel tcg --pressure pageout50)"
expect_eq "--vcpus gives -smp" 3 "$(arg_after -smp --accel tcg --vcpus 3)"
expect_eq "kvm: the cached bzImage" "$kdir/vmlinuz" "$(arg_after -kernel --accel kvm)"
if [ -s "$kdir/vmlinux" ]; then
	expect_eq "tcg: the uncompressed vmlinux (PVH)" "$kdir/vmlinux" "$(arg_after -kernel --accel tcg)"
else
	expect_eq "tcg: the cached bzImage" "$kdir/vmlinuz" "$(arg_after -kernel --accel tcg)"
fi
expect_eq "console on the first serial port, channel on the second" "chardev:con chardev:ctl" \
	"$(cmdline --accel tcg | awk 'p { printf "%s%s", s, $0; s = " " } { p = ($0 == "-serial") }')"
check "no reboot (a panic ends QEMU)" grep -qx -- -no-reboot <<<"$(cmdline --accel tcg)"
if [ ! -e /dev/kvm ]; then
	expect_eq "auto without /dev/kvm: TCG" tcg "$(arg_after -accel --accel auto)"
	check "kvm without /dev/kvm: the dry run warns" \
		grep -q "no /dev/kvm" <<<"$(host/apf-vm --dry-run --workload fault-storm --accel kvm 2>&1 >/dev/null)"
	expect_exit "kvm without /dev/kvm: a real run is a missing capability (3)" 3 \
		host/apf-vm --workload fault-storm --accel kvm --duration 1 --out "$TMP_T/nokvm"
	check "kvm without /dev/kvm: nothing created" test ! -e "$TMP_T/nokvm"
elif [ -d /sys/module/kvm_pvm ]; then
	expect_eq "auto on PVM: TCG" tcg "$(arg_after -accel --accel auto)"
fi

# Bad input: exit 2 with one line, before anything starts.
expect_exit "no --workload" 2 host/apf-vm --out "$TMP_T/o"
expect_exit "no --out" 2 host/apf-vm --workload fault-storm
expect_exit "unknown mode" 2 host/apf-vm --workload w --out "$TMP_T/o" --mode apf-maybe
expect_exit "bad pressure name" 2 host/apf-vm --workload w --out "$TMP_T/o" --pressure 'limit;rm'
expect_exit "bad swap" 2 host/apf-vm --workload w --out "$TMP_T/o" --swap disk
expect_exit "bad mem" 2 host/apf-vm --workload w --out "$TMP_T/o" --mem lots
expect_exit "tiny mem" 2 host/apf-vm --workload w --out "$TMP_T/o" --mem 1M
expect_exit "bad vcpus" 2 host/apf-vm --workload w --out "$TMP_T/o" --vcpus 0
# The duration is apfw check's to judge (the stand-in accepts anything).
expect_exit "bad duration" 2 env APF_APFW="$TOP/guest/apfw" host/apf-vm --workload fault-storm --out "$TMP_T/o" --duration 0
expect_exit "bad accel" 2 host/apf-vm --workload w --out "$TMP_T/o" --accel xen
expect_exit "bad workload name" 2 host/apf-vm --workload 'a b' --out "$TMP_T/o"
expect_exit "newline in a workload option" 2 host/apf-vm --workload w --out "$TMP_T/o" -- $'a\nb'
expect_exit "unknown kernel name" 2 host/apf-vm --kernel debian-9.9-nope --workload w --out "$TMP_T/o2"
expect_exit "unknown option" 2 host/apf-vm --workload w --out "$TMP_T/o" --frobnicate 1
check "bad input leaves no result" test ! -e "$TMP_T/o/result.json"
expect_exit "--help exits 0" 0 host/apf-vm --help
done_testing
