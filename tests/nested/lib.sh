# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Helpers for tests/nested/*.t, sourced after tests/lib.sh: a cell through
# a nested KVM host (L1 under TCG with emulated SVM), sized to keep the
# suite short: a 320M guest with one vCPU, a 40% cgroup limit in L1 and a
# 2 s fault-storm over 60% of guest RAM, swap on L1's throttled disk.

# need_nested: SKIP the whole file (exit 0) when this machine cannot run one.
need_nested() {
	cd "$TOP"
	if [ ! -x host/apf-vm ] || ! command -v qemu-system-x86_64 >/dev/null; then
		skip_rest "nested host" "host/apf-vm or QEMU missing"
	fi
	if ! host/kernels dir debian-6.12-cloud >/dev/null 2>"$TMP_T/k.err"; then
		skip_rest "nested host" "no debian-6.12-cloud kernel: $(tail -n 1 "$TMP_T/k.err")"
	fi
	if ! qemu-system-x86_64 -cpu help 2>/dev/null | grep -qw qemu64; then
		skip_rest "nested host" "this QEMU has no qemu64 CPU model to give SVM"
	fi
}

# nested_cell NAME [apf-vm options...]: one nested cell into $TMP_T/NAME;
# says ok/not ok for the exit and the status. A guest that dies before it
# is ready (seen in about 1 of 40 nested boots here: an emulation fault in
# L2 or the int3 text-patching race in a 6.12 kernel under TCG), or whose
# QEMU vanished while sending its files (once in ~60 CI cells, the zram
# cell, no panic on its console), or whose guest never finished its
# workload (once in ~12 CI runs of modes.t, the apf-on cell: the inner
# apf-vm's deadline after 184 s, L2's console ending at `apfw run`), or
# whose L2 QEMU was gone before pressure could attach (once, the zram
# cell, L2's console ending at READY, no kernel line on L1's), gets
# one more try, as bench/apf-bench gives every cell, and the retry is said.
nested_cell() {
	local name=$1 rc try
	shift
	# Debian's 6.12 as L1 under TCG now and then dies of an int3 oops
	# (README, "How flaky"), at boot or later, killing the result's sender
	# mid-file: up to three starts, each retry said.
	for try in 1 2 3; do
		rc=0
		host/apf-vm --host nested-debian-6.12-cloud --kernel debian-6.12-cloud --vcpus 1 --mem 320M \
			--duration 2 --workload fault-storm --out "$TMP_T/$name" "$@" -- --bytes 60% \
			>"$TMP_T/$name.log" 2>&1 || rc=$?
		if [ "$rc" = 0 ] || [ "$try" = 3 ] ||
			! jq -e '.reason // "" | test("before ready|after ready|before its result|stopped while sending|Oops: int3|no result within")' "$TMP_T/$name/result.json" >/dev/null 2>&1; then
			break
		fi
		echo "# $name: retried after: $(jq -r .reason "$TMP_T/$name/result.json")"
		consoles_said "$name"
	done
	expect_eq "$name: apf-vm exit 0" 0 "$rc"
	[ "$rc" = 0 ] || { tail -n 4 "$TMP_T/$name.log" | sed 's/^/#   /'; consoles_said "$name"; }
	expect_eq "$name: status ok" ok "$(jq -r .status "$TMP_T/$name/result.json" 2>/dev/null)"
}

# consoles_said NAME: the last lines of cell NAME's consoles (L1's and
# L2's) as TAP comments, so a failure's cause outlives the test's
# temporary directory (CI keeps only what the tests printed).
consoles_said() {
	local f
	for f in "$TMP_T/$1"/host-console.log "$TMP_T/$1"/console.log; do
		[ -s "$f" ] || continue
		# where an oops hit (its RIP is above the last lines)
		grep -a -m 2 -E 'Oops|RIP: 0010' "$f" | tr -d '\r' | cut -c1-200 | sed "s/^/#   ${f##*/}: /" || true
		echo "#   last lines of ${f##*/}:"
		tail -n 12 "$f" | tr -d '\r' | tr -c '[:print:]\n' ' ' | cut -c1-200 | sed 's/^/#     /'
	done
}

# rget NAME JQ: a figure of cell NAME's result ("null" when absent).
rget() { jq -r "$2" "$TMP_T/$1/result.json" 2>/dev/null || echo null; }
