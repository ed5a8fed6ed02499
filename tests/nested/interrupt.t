#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Ctrl-C in the middle of a nested cell: the nested host and everything in
# it are gone within 5 s of the signal, apf-vm says the cell is
# incomplete, and nothing of it is left on this machine: no QEMU of ours,
# no swap disk file, no cgroup or swap made here.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../pressure/lib.sh"
need_nested
before=$(sys_snapshot)

# start_cell: the nested cell in the background (pid), waited for (at most
# 180 s) until L1 runs the inner apf-vm, i.e. its guest boots; qemus are
# its QEMUs then (none: it died first).
start_cell() {
	rm -rf "$TMP_T/cell"
	# Job control on: a background job of a script otherwise starts with
	# SIGINT ignored, and could not be Ctrl-C'ed as it is from a terminal.
	set -m
	host/apf-vm --host nested-debian-6.12-cloud --kernel debian-6.12-cloud --vcpus 1 --mem 384M \
		--duration 30 --workload fault-storm --pressure limit40 --swap-disk hdd --out "$TMP_T/cell" \
		-- --bytes 60% >"$TMP_T/cell.log" 2>&1 &
	pid=$!
	set +m
	for ((i = 0; i < 1800; i++)); do
		grep -qs 'apf-init: apf-vm ' "$TMP_T/cell/host-console.log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	qemus=$(pgrep -P "$pid" -f qemu-system || true)
}
# Debian's 6.12 sometimes dies of an int3 oops while booting under TCG
# (issue 13): such a start is not this test's subject; up to 3 starts.
for attempt in 1 2 3; do
	start_cell
	[ -z "$qemus" ] || break
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	grep -q 'Oops: int3' "$TMP_T/cell.log" || break
	echo "# start $attempt: the nested host died of the int3 oops before its guest; again"
done
if [ -z "$qemus" ]; then
	not_ok "nested host running before the signal" "$(tail -n 3 "$TMP_T/cell.log")"
	done_testing
	exit 0
fi
ok "nested host running before the signal"
check "its swap disk exists while it runs" test -e "$TMP_T/cell/.l1-swap.img"
t0=${EPOCHREALTIME/./}
kill -INT "$pid"
rc=0
# Bounded wait: 5 s is the promise, give the check itself some slack.
for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
t1=${EPOCHREALTIME/./}
wait "$pid" 2>/dev/null || rc=$?
gone=1
for q in $qemus; do [ ! -d "/proc/$q" ] || gone=0; done
expect_eq "apf-vm exits 130 on SIGINT" 130 "$rc"
expect_eq "the nested host's QEMU is gone" 1 "$gone"
if [ $(((t1 - t0) / 1000)) -le 5000 ]; then ok "gone within 5 s of the signal"
else not_ok "gone within 5 s of the signal" "took $(((t1 - t0) / 1000)) ms"; fi
expect_eq "result says incomplete" incomplete "$(jq -r .status "$TMP_T/cell/result.json" 2>/dev/null)"
check "no swap disk file left" test ! -e "$TMP_T/cell/.l1-swap.img"
assert_as_before "after SIGINT" "$before"
done_testing
