#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# results/schema/result.schema.json: a valid draft 2020-12 schema; a real
# result passes tests/check-result; results that break the contract (an ok
# result without its latency, a failure without a reason, a VM result
# without its QEMU facts, a string where a counter goes, ...) are refused
# with a line naming the place, and what the schema leaves open (extra
# keys in env, null where nothing could be measured) is accepted.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if ! "$py" -c 'import jsonschema' 2>/dev/null; then
	not_ok "python3-jsonschema installed" "host/need-packages test installs it"
	exit 0
fi
check "the schema is a valid draft 2020-12 schema" "$py" -c '
import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' \
	results/schema/result.schema.json

make -s guest/apfw >/dev/null 2>&1
base=$TMP_T/base
if ! guest/apfw run fault-storm --bytes 8M --threads 1 --duration 0.3 --with wakeup \
	--out "$base" >"$TMP_T/log" 2>&1; then
	not_ok "fault-storm ran" "$(cat "$TMP_T/log")"
	exit 0
fi
check "a real result (with a companion) passes check-result" tests/check-result "$base"

# variant NAME JQ-FILTER: a copy of the base result with the filter applied.
variant() {
	rm -rf "${TMP_T:?}/$1"
	cp -r "$base" "$TMP_T/$1"
	jq "$2" "$base/result.json" >"$TMP_T/$1/result.json"
}

# refused WHAT FILTER PATTERN [STATUS]: check-result must fail, saying PATTERN.
refused() {
	local out
	variant v "$2"
	if out=$(tests/check-result "$TMP_T/v" "${4:-ok}"); then
		not_ok "refused: $1" "check-result accepted it"
	elif grep -q -- "$3" <<<"$out"; then
		ok "refused: $1"
	else
		not_ok "refused: $1" "no line saying '$3': $out"
	fi
}

# accepted WHAT FILTER [STATUS]
accepted() {
	variant v "$2"
	check "accepted: $1" tests/check-result "$TMP_T/v" "${3:-ok}"
}

vm_env='.env += { accel: "kvm", accel_reason: "KVM probe booted", qemu: "7.2.22",
	qemu_cmdline: "qemu-system-x86_64 ...", kernel: "debian-6.1-cloud",
	kernel_path: "/k/vmlinuz", mode_requested: "apf-on", pressure: "none",
	swap: null, boot_s: 1.2, guest_ram: "anon",
	host: { name: "local", kernel: null, kernel_release: "6.1.0", accel: "kvm" },
	timings: { prepare: 1.5, boot: 1.2, measured: null } }'
monitor='.host = { pswpin: 10, pswpout: 20, qemu_majflt: null,
	qemu_guest_swap_peak_bytes: 4096, kvm_async_pf: { not_present: 3, ready: 3 },
	kvm_stats: { pf_taken: null, halt_exits: 7 }, measured: null, psi: null }'

accepted "a VM result: apf-vm's env, env.host, timings, the monitor's host block" "$vm_env | $monitor"
accepted "extra keys inside env, params and the host block" \
	"$vm_env | $monitor | .env.extra = 1 | .params.extra = \"x\" | .host.extra = [1]"
accepted "null counters that could not be measured" '.guest.hyp_irqs = null | .cpu.sys_s = null'
refused "schema apfbench/2" '.schema = "apfbench/2"' 'schema: at schema'
refused "status ok without latency_ns" '.latency_ns = null' 'schema: at latency_ns'
refused "status ok with a reason" '.reason = "why"' 'schema: at reason'
refused "status failed without a reason" '.status = "failed"' 'schema: at reason' failed
refused "an unknown status" '.status = "weird" | .reason = "x"' 'schema: at status' weird
refused "a counter as a string" '.guest.pswpin = "12"' 'schema: at guest/pswpin'
refused "a negative count" '.ops = -1' 'schema: at ops'
refused "a missing fixed key (host)" 'del(.host)' "schema: at (top): 'host' is a required"
refused "a VM result without qemu_cmdline" "$vm_env | del(.env.qemu_cmdline)" \
	"schema: at env: 'qemu_cmdline' is a required"
refused "a mode that does not exist" "$vm_env | .env.mode_requested = \"apf-maybe\"" \
	'schema: at env/mode_requested'
refused "a host block without kvm_async_pf" "$monitor | del(.host.kvm_async_pf)" \
	"schema: at host: 'kvm_async_pf' is a required"
refused "env.host without its accel" "$vm_env | del(.env.host.accel)" \
	"schema: at env/host: 'accel' is a required"
refused "a histogram bucket that is not [upper, count]" '.latency_ns.hist[0] = [1]' \
	'schema: at latency_ns/hist/0'
refused "tool.name other than apfbench" '.tool.name = "x"' 'schema: at tool/name'
refused "the companion block without its latency" 'del(.wakeup.latency_ns)' \
	"schema: at wakeup: 'latency_ns' is a required"

# The files beside result.json: an interval missing from latency.hlog,
# the workload's or the probe's.
for kind in untagged Tag=wakeup; do
	variant hlog '.'
	if [ "$kind" = untagged ]; then
		sed -i '0,/^[0-9]/{/^[0-9]/d}' "$TMP_T/hlog/latency.hlog"
	else
		sed -i '0,/^Tag=/{/^Tag=/d}' "$TMP_T/hlog/latency.hlog"
	fi
	if out=$(tests/check-result "$TMP_T/hlog"); then
		not_ok "refused: latency.hlog one $kind interval short" "check-result accepted it"
	elif grep -q "latency.hlog: not one $kind interval per second of series rows" <<<"$out"; then
		ok "refused: latency.hlog one $kind interval short"
	else
		not_ok "refused: latency.hlog one $kind interval short" "$out"
	fi
done
done_testing
