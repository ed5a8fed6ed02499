#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# One VM cell through the fleet: a loopback machine builds the pinned suite,
# runs `make kernel` for the config's kernel (from the kernel cache this
# test passes along with APF_FLEET_ENV) and boots one guest through
# host/apf-vm; the cell comes back under cells/<machine>/local/<kernel>/,
# and run.json has the machine's accel verdict for that kernel.
# Skipped without QEMU or a cached kernel (make kernel): one TCG boot only.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
fleet_require
K=${APF_KERNEL_CACHE:-$TOP/build/kernels}
if [ ! -f "$K/debian-6.1-cloud/vmlinuz" ]; then skip_rest "a VM cell on a fleet machine" "no cached debian-6.1-cloud in $K (make kernel)"; fi
command -v qemu-system-x86_64 >/dev/null || { skip_rest "a VM cell on a fleet machine" "qemu-system-x86_64 missing"; }
export APF_KERNEL_CACHE=$K APF_FLEET_ENV=APF_KERNEL_CACHE
fleet_init
fleet_machine m1 127.0.0.2
cat >"$TMP_T/v.conf" <<'CONF'
target    = vm
kernels   = debian-6.1-cloud
modes     = apf-on
workloads = fault-storm
reps      = 1
duration  = 1
vcpus     = 1
memory    = 256M
CONF
printf '@m1/127.0.0.2\n' >"$TMP_T/machines"
R=$TMP_T/run
rc=0
"$TOP/bench/apf-bench" "$TMP_T/v.conf" --fleet "$TMP_T/machines" --out "$R" >/dev/null 2>"$TMP_T/err" || rc=$?
expect_eq "one VM cell on m1: exit 0" 0 "$rc"
[ "$rc" = 0 ] || printf '#   %s\n' "$(tail -n 5 "$TMP_T/err")"
f=$(find "$R/cells/m1/local/debian-6.1-cloud" -path '*/fault-storm/rep-1/result.json' 2>/dev/null | head -n 1)
if [ -n "$f" ]; then
	check "the VM cell came back ok with its guest's env" jq -e '.status == "ok" and .env.kernel == "debian-6.1-cloud" and (.env.accel == "kvm" or .env.accel == "tcg")' "$f"
	check "its console log came back too" test -s "$(dirname "$f")/console.log"
else
	not_ok "the VM cell came back" "$(find "$R/cells" | head)"
fi
check "run.json: m1's accel verdict for the kernel, and its QEMU" jq -e '
	.fleet.machines.m1 | (.accel_per_kernel[0] | .kernel == "debian-6.1-cloud" and (.accel == "kvm" or .accel == "tcg"))
	and (.host.qemu | test("QEMU"))' "$R/run.json"
if grep -q 'make kernel KERNELS=debian-6.1-cloud' "$R/fleet/jobs/m-m1/setup.log"; then ok "the machine ran make kernel for the config's kernel"
else not_ok "make kernel on the machine" "$(head -n 5 "$R/fleet/jobs/m-m1/setup.log")"; fi
done_testing
