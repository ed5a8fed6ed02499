#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/apf-vm end to end under TCG, with tests/vm/standin-apfw in the guest:
# ready/go/result and intact file transfer, workload options passed verbatim,
# guest-off on the guest command line, the accel probe, and every way a run
# can end badly (workload failure, kernel panic, hang -> timeout, SIGTERM, a
# junk kernel), each leaving no QEMU behind.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "apf-vm channel" "qemu-system-x86_64 not installed"
	done_testing
	exit 0
fi
if ! kdir=$(host/kernels dir debian-6.1-cloud 2>"$TMP_T/k.err"); then
	skip "apf-vm channel" "no guest kernel: $(tail -n 1 "$TMP_T/k.err")"
	done_testing
	exit 0
fi
export APF_APFW=$TOP/tests/vm/standin-apfw APF_ACCEL_CACHE=$TMP_T/accel

# qemu_pids OUTDIR: PIDs of QEMUs still writing OUTDIR/console.log.
qemu_pids() {
	local f c
	for f in /proc/[0-9]*/cmdline; do
		c=$( { tr "\0" " " <"$f"; } 2>/dev/null) || continue
		[[ $c == *"path=$1/console.log"* ]] && echo "${f//[^0-9]/}"
	done
	return 0
}
no_qemu_left() {
	local left
	left=$(qemu_pids "$2")
	if [ -z "$left" ]; then ok "$1"; else not_ok "$1" "QEMU still running: $left"; fi
}
vm() { host/apf-vm --kernel debian-6.1-cloud --vcpus 1 --mem 256M "$@"; }
field() { jq -r "$1" "$2/result.json" 2>/dev/null; }

# 1. A good run: guest-off mode, options with spaces, a 70 kB binary file.
o=$TMP_T/ok
rc=0
vm --workload fault-storm --mode guest-off --duration 1 --out "$o" \
	-- --bytes 8M --label "two words" >"$TMP_T/ok.log" 2>&1 || rc=$?
expect_eq "good run exits 0" 0 "$rc"
[ "$rc" = 0 ] || cat "$TMP_T/ok.log" >&2
expect_eq "result.json status ok" ok "$(field .status "$o")"
expect_eq "env.kernel_release is the guest's" "$(cat "$kdir/release")" "$(field .env.kernel_release "$o")"
expect_eq "env.kernel is the cache name" debian-6.1-cloud "$(field .env.kernel "$o")"
expect_eq "env.mode_requested" guest-off "$(field .env.mode_requested "$o")"
accel=$(field .env.accel "$o")
case "$accel" in
tcg) expect_eq "TCG: mode_effective none" none "$(field .env.mode_effective "$o")" ;;
kvm) ok "accel is kvm here" ;;
*) not_ok "env.accel is kvm or tcg" "saw '$accel'" ;;
esac
check "env.accel_reason says why" test -n "$(field '.env.accel_reason // empty' "$o")"
if [ ! -e /dev/kvm ]; then
	# Nothing to probe: auto says why at once and caches no verdict.
	expect_eq "no /dev/kvm: auto says so" "no /dev/kvm" "$(field .env.accel_reason "$o")"
	check "no /dev/kvm: no probe verdict cached" test -z "$(ls "$APF_ACCEL_CACHE" 2>/dev/null)"
else
	if [ -d /sys/module/kvm_pvm ] && [ "$accel" = tcg ]; then
		check "auto fell back from PVM and says so" grep -q "PVM" <<<"$(field .env.accel_reason "$o")"
	fi
	check "accel verdict is cached" test -n "$(ls "$APF_ACCEL_CACHE" 2>/dev/null)"
fi
check "guest command line carries no-kvmapf" grep -qw no-kvmapf <<<"$(field .env.cmdline "$o")"
check "qemu.cmdline written" grep -q -- "-kernel $kdir/vmlinu[xz] " "$o/qemu.cmdline"
expect_eq "env.kernel_path is what booted" "$(field .env.kernel_path "$o")" \
	"$(xargs -n 1 printf '%s\n' <"$o/qemu.cmdline" | grep -A1 -x -- -kernel | tail -n 1)"
# Anonymous guest RAM under either accel unless pageout needs the memfd.
if grep -q "memory-backend-memfd" "$o/qemu.cmdline"; then
	not_ok "guest RAM is anonymous (no memfd backend)" "$(cat "$o/qemu.cmdline")"
else
	ok "guest RAM is anonymous (no memfd backend)"
fi
expect_eq "env.guest_ram" anon "$(field .env.guest_ram "$o")"
expect_eq "env.qemu_cmdline matches qemu.cmdline" "$(cat "$o/qemu.cmdline")" "$(field .env.qemu_cmdline "$o")"
check "env.boot_s is a number" jq -e '.env.boot_s | type == "number"' "$o/result.json"
check "env.memory_bytes filled" jq -e '.env.memory_bytes == 268435456' "$o/result.json"
expect_eq "binary file arrived intact" "$(field .params.blob_sha256 "$o")" \
	"$(sha256sum <"$o/blob.bin" | cut -d' ' -f1)"
printf '%s\n' run fault-storm --duration 1 --bytes 8M --label "two words" --out /apf-out >"$TMP_T/args.want"
check "workload options reach apfw verbatim" diff "$TMP_T/args.want" "$o/args.txt"
check "series.tsv and console.log kept" test -s "$o/series.tsv" -a -s "$o/console.log"
no_qemu_left "no QEMU left after a good run" "$o"

# 2. The workload fails: its own result, exit 1.
o=$TMP_T/fail
expect_exit "failed workload exits 1" 1 vm --workload fail --duration 1 --out "$o"
expect_eq "failed workload: status failed" failed "$(field .status "$o")"
expect_eq "failed workload: its reason kept" "stand-in asked to fail" "$(field .reason "$o")"

# 3. Kernel panic: QEMU exits at once (panic=-1, -no-reboot).
o=$TMP_T/panic
expect_exit "panicking guest exits 1" 1 vm --workload panic --duration 1 --timeout 120 --out "$o"
expect_eq "panic: status failed" failed "$(field .status "$o")"
check "panic: reason quotes the console" grep -q "Kernel panic" <<<"$(field .reason "$o")"
no_qemu_left "no QEMU left after a panic" "$o"

# 4. A hang is killed at the timeout.
o=$TMP_T/hang
expect_exit "hanging guest exits 1" 1 vm --workload hang --duration 1 --timeout 12 --out "$o"
expect_eq "hang: status timeout" timeout "$(field .status "$o")"
check "hang: reason names the timeout" grep -q "12s" <<<"$(field .reason "$o")"
check "hang: schema keys all there" jq -e 'has("latency_ns") and has("series") and .schema == "apfbench/1"' "$o/result.json"
no_qemu_left "no QEMU left after a timeout" "$o"

# 5. SIGTERM while the workload runs.
o=$TMP_T/term
# Not through vm(): a backgrounded function is a subshell, and $! its PID.
host/apf-vm --kernel debian-6.1-cloud --vcpus 1 --mem 256M --workload hang \
	--duration 1 --timeout 300 --out "$o" >"$TMP_T/term.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
	grep -q "apf-init: apfw" "$o/console.log" 2>/dev/null && break
	sleep 0.2
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "SIGTERM: apf-vm exits 143" 143 "$rc"
expect_eq "SIGTERM: status incomplete" incomplete "$(field .status "$o")"
no_qemu_left "no QEMU left after SIGTERM" "$o"

# 6. kill -9 of apf-vm: QEMU dies with it (PDEATHSIG), no reaper needed.
o=$TMP_T/kill9
TMPDIR=$TMP_T host/apf-vm --kernel debian-6.1-cloud --vcpus 1 --mem 256M --workload hang \
	--duration 1 --timeout 300 --out "$o" >"$TMP_T/kill9.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
	grep -q "apf-init: apfw" "$o/console.log" 2>/dev/null && break
	sleep 0.2
done
kill -KILL "$pid"
{ wait "$pid" || true; jobs; } >/dev/null 2>&1  # no "Killed" notice
for _ in $(seq 1 50); do
	[ -n "$(qemu_pids "$o")" ] || break
	sleep 0.1
done
no_qemu_left "no QEMU left after kill -9 of apf-vm" "$o"
# The monitor's sampler outlives a kill -9 until its stale-run sweep.
[ ! -x host/monitor ] || host/monitor cleanup-stale >/dev/null 2>&1 || true

# 7. A junk kernel is refused before anything boots.
printf 'not a kernel\n' >"$TMP_T/junk"
o=$TMP_T/junk-out
expect_exit "junk kernel: exit 2" 2 host/apf-vm --kernel "$TMP_T/junk" --workload x --out "$o"
check "junk kernel: nothing created (no --out dir)" test ! -e "$o"
no_qemu_left "no QEMU for a junk kernel" "$o"
done_testing
