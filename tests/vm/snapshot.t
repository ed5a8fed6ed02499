#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Cells that start from a saved ready guest (host/vm-lib/snapshot.sh), under
# TCG with tests/vm/standin-apfw in the guest:
#   - the first cell saves one snapshot (env.timings.snapshot > 0) and, like
#     the next, starts from it (env.boot_from snapshot); the next saves none
#   - the restored guest runs the workload with the options given, sends
#     its files intact, and its clock is the host's (GO carries it)
#   - a memfd guest, APF_SNAPSHOT=0 and a different guest command line
#     boot as before / get a snapshot of their own
#   - a snapshot QEMU cannot load fails its cell with a reason, is removed,
#     and the next cell saves a new one
#   - no QEMU is left behind
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "snapshots" "qemu-system-x86_64 not installed"
	done_testing
	exit 0
fi
if ! host/kernels dir debian-6.1-cloud >/dev/null 2>"$TMP_T/k.err"; then
	skip "snapshots" "no guest kernel: $(tail -n 1 "$TMP_T/k.err")"
	done_testing
	exit 0
fi
echo "1..23"
export APF_APFW=$TOP/tests/vm/standin-apfw APF_ACCEL_CACHE=$TMP_T/accel APF_SNAPSHOT_DIR=$TMP_T/snaps

cell() { # NAME [apf-vm options...]
	local name=$1 rc=0
	shift
	host/apf-vm --kernel debian-6.1-cloud --accel tcg --vcpus 1 --mem 256M --duration 1 \
		--workload ok --out "$TMP_T/$name" "$@" -- --label "two words" >"$TMP_T/$name.log" 2>&1 || rc=$?
	echo "$rc"
}
field() { jq -r "$2" "$TMP_T/$1/result.json" 2>/dev/null; }
snaps() { find "$TMP_T/snaps" -maxdepth 1 -name '*.mig' 2>/dev/null | sort; }

expect_eq "first: exit 0" 0 "$(cell first)"
expect_eq "first: started from a snapshot" snapshot "$(field first .env.boot_from)"
check "first: saving it took time (env.timings.snapshot > 0)" jq -e '.env.timings.snapshot > 0' "$TMP_T/first/result.json"
expect_eq "first: one snapshot saved" 1 "$(snaps | wc -l)"
check "first: qemu.cmdline has -incoming" grep -q -- "-incoming" "$TMP_T/first/qemu.cmdline"
check "first: the workload's options arrived" grep -qx "two words" "$TMP_T/first/args.txt"
expect_eq "first: binary file intact" "$(field first .params.blob_sha256)" \
	"$(sha256sum <"$TMP_T/first/blob.bin" | cut -d' ' -f1)"
first_snap=$(snaps)

sleep 2 # so that a guest still on the snapshot's clock would be behind
t_before=$(date +%s)
expect_eq "second: exit 0" 0 "$(cell second)"
t_after=$(date +%s)
expect_eq "second: started from a snapshot" snapshot "$(field second .env.boot_from)"
expect_eq "second: saved none" null "$(field second .env.timings.snapshot)"
expect_eq "second: the same snapshot" "$first_snap" "$(snaps)"
# The restored guest's clock is the host's, not the snapshot's (seconds older).
g=$(cat "$TMP_T/second/clock.txt" 2>/dev/null || echo 0)
if [ "$g" -ge "$t_before" ] && [ "$g" -le "$t_after" ]; then
	ok "second: the guest's clock is the host's"
else
	not_ok "second: the guest's clock is the host's" "guest $g, host $t_before..$t_after"
fi

expect_eq "memfd: exit 0" 0 "$(cell memfd --guest-ram memfd)"
expect_eq "memfd: booted" boot "$(field memfd .env.boot_from)"
expect_eq "APF_SNAPSHOT=0: exit 0" 0 "$(APF_SNAPSHOT=0 cell off)"
expect_eq "APF_SNAPSHOT=0: booted" boot "$(field off .env.boot_from)"
expect_eq "another guest command line: exit 0" 0 "$(APF_GUEST_APPEND=apf.test=1 cell append)"
expect_eq "another guest command line: a snapshot of its own" 2 "$(snaps | wc -l)"

# A snapshot QEMU cannot load (truncated after its magic).
printf 'QEVM\0\0\0\3junk' >"$first_snap"
expect_eq "corrupt: exit 1" 1 "$(cell corrupt)"
check "corrupt: the reason names the snapshot" grep -q "restored from" <<<"$(field corrupt .reason)"
check "corrupt: removed" test ! -e "$first_snap"
expect_eq "after it: exit 0 with a new snapshot" "0 snapshot" "$(cell again) $(field again .env.boot_from)"

left=""
for f in /proc/[0-9]*/cmdline; do
	c=$( { tr '\0' ' ' <"$f"; } 2>/dev/null) || continue
	[[ $c != *"$TMP_T"* || $c != qemu-system* ]] || left+=" ${f//[^0-9]/}"
done
expect_eq "no QEMU left" "" "$left"
