#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The real thing in miniature: apf-bench through host/apf-vm on Debian's
# 6.1 and 6.12 cloud kernels (TCG on a machine without usable KVM), one
# short fault-storm cell each, then the report: both kernels are columns,
# the cells say which accel and effective mode they got, plots are PNGs.
# With overlap forced on (this machine may have too few cores for auto),
# so apf-vm's --hold and --notify run for real: the second cell booted
# while the first sent its result, and its hold is one of its timings.
# Skipped where apf-vm, QEMU or the cached kernels are missing.
. "$(dirname "$0")/../lib.sh"
K=$TOP/build/kernels
for need in "$TOP/host/apf-vm" "$K/debian-6.1-cloud/vmlinuz" "$K/debian-6.12-cloud/vmlinuz" "$TOP/guest/apfw"; do
	if [ ! -e "$need" ]; then skip_rest "two-kernel TCG run" "$need missing (make && make kernel)"; fi
done
command -v qemu-system-x86_64 >/dev/null || { skip_rest "two-kernel TCG run" "qemu-system-x86_64 missing"; }

cat >"$TMP_T/v.conf" <<'CONF'
kernels   = debian-6.1-cloud debian-6.12-cloud
modes     = apf-on apf-off
workloads = fault-storm
reps      = 1
duration  = 1
memory    = 256M
overlap   = yes
CONF
R=$TMP_T/run
rc=0
"$TOP/bench/apf-bench" "$TMP_T/v.conf" --out "$R" >/dev/null 2>"$TMP_T/err" || rc=$?
expect_eq "apf-bench through apf-vm exits 0" 0 "$rc"
[ "$rc" = 0 ] || printf '#   %s\n' "$(tail -n 3 "$TMP_T/err")"
accel=$(jq -r '.host.accel' "$R/run.json" 2>/dev/null || echo none)
for k in debian-6.1-cloud debian-6.12-cloud; do
	m=$( [ "$accel" = tcg ] && echo none || echo apf-on)
	f=$R/cells/local/$k/$m/none/fault-storm/rep-1/result.json
	if jq -e --arg k "$k" --arg a "$accel" '.status == "ok" and .env.kernel == $k and .env.accel == $a and
		(if $a == "tcg" then .env.mode_effective == "none" else true end) and .ops > 0' "$f" >/dev/null 2>&1; then
		ok "$k: cell ok, accel $accel, effective mode as expected"
	else not_ok "$k cell" "$(jq -c '{status, reason, env: (.env | {kernel, accel, mode_effective})}' "$f" 2>&1)"; fi
done
out=$("$TOP/scripts/apf-report" "$R" 2>&1) || true
if grep -q 'debian-6.1-cloud  *debian-6.12-cloud' <<<"$out"; then ok "report compares the two kernels side by side"; else not_ok "report table" "$(head -n 6 <<<"$out")"; fi
if [ "$(head -c 4 "$R/report/fault-storm-spectrum.png" | od -An -tx1 | tr -d ' \n')" = 89504e47 ]; then ok "spectrum PNG"; else not_ok "spectrum PNG"; fi
check "run.json: overlap on" jq -e '.overlap.on == true' "$R/run.json"
second=$(awk -F'\t' 'NR == 2 { print $1 }' "$R/cells.tsv")
check "the second cell waited at its hold (env.timings.hold)" jq -e '.env.timings.hold >= 0' "$R/$second/result.json"
tap_relay "$TOP/tests/bench/timings-check" "$R"
done_testing
