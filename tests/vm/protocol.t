#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# apf-vm's side of the control channel against tests/vm/fake-qemu, which
# plays a misbehaving guest on the same FIFOs: a result arrives intact or
# the cell is failed (checksum, short file, bad name, no result), a guest
# that never says READY is killed at --timeout. Nothing boots: fast.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

if ! host/kernels dir debian-6.1-cloud >/dev/null 2>"$TMP_T/k.err"; then
	skip "apf-vm protocol" "no guest kernel: $(tail -n 1 "$TMP_T/k.err")"
	done_testing
	exit 0
fi
# The fake speaks no monitor: no snapshot can be saved from it.
export APF_QEMU=$TOP/tests/vm/fake-qemu APF_APFW=$TOP/tests/vm/standin-apfw APF_SNAPSHOT=0

# fake MODE [apf-vm options]: run apf-vm against the fake; exit code in RC.
fake() {
	local mode=$1
	shift
	RC=0
	FAKE_QEMU_MODE=$mode host/apf-vm --accel tcg --workload fake --duration 1 \
		--out "$TMP_T/$mode" "$@" >"$TMP_T/$mode.log" 2>&1 || RC=$?
}
field() { jq -r "$1" "$TMP_T/$2/result.json" 2>/dev/null; }

fake ok
expect_eq "intact result: exit 0" 0 "$RC"
expect_eq "intact result: status ok" ok "$(field .status ok)"
expect_eq "intact result: host env merged" "0.0.1 tcg fake" "$(field '"\(.env.qemu) \(.env.accel) \(.workload)"' ok)"
expect_eq "intact result: the last line says it" "apf-vm: fake on debian-6.1-cloud [tcg]: ok" "$(tail -n 1 "$TMP_T/ok.log")"

fake corrupt
expect_eq "checksum mismatch: exit 1" 1 "$RC"
expect_eq "checksum mismatch: status failed" failed "$(field .status corrupt)"
check "checksum mismatch: reason says corrupt" grep -q "corrupt" <<<"$(field .reason corrupt)"
expect_eq "checksum mismatch: the guest's result is not used" null "$(field .ops corrupt)"
check "checksum mismatch: the last line says failed and why" \
	grep -q "^apf-vm: fake on debian-6.1-cloud \[tcg\]: failed: .*corrupt" <<<"$(tail -n 1 "$TMP_T/corrupt.log")"

fake short
expect_eq "short file: exit 1" 1 "$RC"
check "short file: reason says so" grep -qE "short|stopped while sending" <<<"$(field .reason short)"

fake badname
expect_eq "bad file name: exit 1" 1 "$RC"
check "bad file name: refused" grep -q "bad file name" <<<"$(field .reason badname)"
check "bad file name: nothing written outside" test ! -e "$TMP_T/escape"

fake noresult
expect_eq "no result.json: exit 1" 1 "$RC"
check "no result.json: reason says so" grep -q "no result.json" <<<"$(field .reason noresult)"

fake notjson
expect_eq "result.json no JSON: exit 1" 1 "$RC"
check "result.json no JSON: counted as none" grep -q "guest sent no result.json (apfw exit 0)" <<<"$(field .reason notjson)"
expect_eq "result.json no JSON: the host's facts still merged" "0.0.1 tcg" "$(field '"\(.env.qemu) \(.env.accel)"' notjson)"

fake apfwfail
expect_eq "apfw failed after an ok result: exit 1" 1 "$RC"
expect_eq "apfw failed after an ok result: status and reason" "failed apfw exited 3" "$(field '"\(.status) \(.reason)"' apfwfail)"
expect_eq "apfw failed after an ok result: its figures kept" 1 "$(field .ops apfwfail)"

fake oops
expect_eq "an oops before ready: exit 1" 1 "$RC"
check "an oops: the reason quotes it and where it hit" \
	grep -q "stopped before ready; console: \[ 25.8\] Oops: int3: 0000 \[#1\] PREEMPT SMP NOPTI at kvm_faultin_pfn+0x2e9/0x570" <<<"$(field .reason oops)"

fake silent --timeout 3
expect_eq "never ready: exit 1" 1 "$RC"
expect_eq "never ready: status timeout" timeout "$(field .status silent)"
check "never ready: reason" grep -q "not ready within 3s" <<<"$(field .reason silent)"
check "never ready: console quoted" grep -q "fake guest console" <<<"$(field .reason silent)"
left=""
for f in /proc/[0-9]*/cmdline; do
	c=$( { tr '\0' ' ' <"$f"; } 2>/dev/null) || continue
	[[ $c != *"path=$TMP_T/silent/console.log"* ]] || left+=" ${f//[^0-9]/}"
done
expect_eq "never ready: fake QEMU stopped" "" "$left"
done_testing
