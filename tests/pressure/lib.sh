# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Helpers for tests/pressure/*.t, sourced after tests/lib.sh.
#   - a private registry (APF_RUN_DIR) so these tests never see, and
#     cleanup-stale never touches, the records of other runs on the machine
#   - snapshots of swap, the cgroups under our own cgroup and tracefs/debugfs
#     mounts, to assert "as before" after every test; devices and cgroups
#     that other live apfbench runs recorded in /run/apfbench are left out
#     (they come and go while we run), and a record is always written
#     before the thing it names exists, so the filter has no window
#   - the memfd stand-in for QEMU (build/tests/memfd-hold)

export APF_RUN_DIR=$TMP_T/run
HOLD=$TOP/build/tests/memfd-hold
STANDINS=()

_others() { # FILE-NAME: values recorded by other runs' registry entries,
	# in the machine's registry and in concurrent test suites' private ones
	local f
	for f in /run/apfbench/*/"$1" "${TMPDIR:-/tmp}"/apft.*/run/*/"$1"; do
		case "$f" in "$APF_RUN_DIR"/*) continue ;; esac
		cat "$f" 2>/dev/null || true
	done
}

_others_all() {
	_others swap.dev | sed 's/^/swap /'
	_others swap.dev | sed 's/^/blockdev /'
	_others cg.dir | sed 's/^/cgroup /'
	_others cg.suite | sed 's/^/cgroup /'
}

# sys_snapshot: one sorted listing of what must be as before. Other runs'
# records are read before and after the listing: a record exists before
# its thing and outlives it, so either read covers anything listed.
sys_snapshot() {
	local list others mnt self z
	others=$(_others_all)
	list=$(
		# (other test suites' stand-in host swaps come and go too)
		awk -v me="/var/tmp/apft-hostswap-$$" 'NR > 1 && ($1 == me || $1 !~ /^\/var\/tmp\/apft-hostswap-/) {print "swap " $1}' /proc/swaps
		for z in /sys/block/zram*; do [ -e "$z" ] && echo "blockdev /dev/${z##*/}"; done
		mnt=$(findmnt -n -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)memory(,|$)/ {print $1; exit}')
		self=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
		[ -z "$mnt" ] || find "$mnt${self%/}" -mindepth 1 -maxdepth 2 -type d 2>/dev/null | sed 's/^/cgroup /'
		mnt=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
		self=$(awk -F: '$1 == "0" {print $3; exit}' /proc/self/cgroup)
		[ -z "$mnt" ] || find "$mnt${self%/}" -mindepth 1 -maxdepth 2 -type d 2>/dev/null | sed 's/^/cgroup /'
		# a nested host's RAM file (host/vm-lib/snapshot.sh unlinks it at once)
		for z in /dev/shm/apf-vm.*.ram; do [ ! -e "$z" ] || echo "shm $z"; done
		# private mounts of runs (ours are checked through the registry)
		awk '($3 == "tracefs" || $3 == "debugfs") && $2 !~ /\/monitor-[0-9]+-[0-9]+-[0-9]+\/[a-z]+$/ {print "mount " $2}' /proc/self/mounts
	)
	others="$others
$(_others_all)"
	printf '%s\n' "$list" | grep -v '^$' | grep -vxF -f <(printf '%s\n' "$others" | grep -v '^$' || echo @none@) | sort
}

# assert_as_before WHAT BEFORE: swap, cgroups and mounts match the snapshot
assert_as_before() {
	local now
	now=$(sys_snapshot)
	if [ "$now" = "$2" ]; then
		ok "$1: swap, cgroups and mounts as before"
	else
		not_ok "$1: swap, cgroups and mounts as before" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$now") | tr '\n' ' ')"
	fi
}

# start_standin MIB [--touch]: a memfd "guest RAM" holder; sets SPID
start_standin() {
	local out=$TMP_T/standin.$RANDOM i
	"$HOLD" "$@" >"$out" &
	SPID=$!
	STANDINS+=("$SPID")
	for ((i = 0; i < 300; i++)); do
		grep -q ready "$out" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "stand-in did not get ready" >&2
	return 1
}

stop_standins() {
	local p
	for p in "${STANDINS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	STANDINS=()
}

# pressure_cleanup: stop stand-ins, release whatever our registry still holds
pressure_cleanup() {
	local reg
	stop_standins
	for reg in "$APF_RUN_DIR"/pressure-*; do
		[ -d "$reg" ] || continue
		"$TOP/host/pressure" release --state "$(cat "$reg/state")" >/dev/null 2>&1 || true
	done
	for reg in "$APF_RUN_DIR"/monitor-*; do
		[ -d "$reg" ] || continue
		"$TOP/host/monitor" stop --state "$(cat "$reg/state")" >/dev/null 2>&1 || true
	done
	# a stand-in "host" swap some test made for itself
	if [ -e "/var/tmp/apft-hostswap-$$" ]; then
		swapoff "/var/tmp/apft-hostswap-$$" 2>/dev/null || true
		rm -f "/var/tmp/apft-hostswap-$$"
	fi
	rm -rf "$TMP_T"
}
trap pressure_cleanup EXIT

# need_pressure_root: root and a built tree, or SKIP everything and exit
need_pressure_root() {
	if ! is_root; then
		skip_rest "$1" "needs root (cgroups, swap)"
	fi
	if [ ! -x "$TOP/host/pageout" ] || [ ! -x "$HOLD" ]; then
		skip_rest "$1" "not built (run make)"
	fi
	pressure_probe "$1" "${2:-limit50+pageout10}" "${3:-file}"
}

# pressure_probe WHAT LEVEL SWAP: can this machine do LEVEL with SWAP at
# all (swap on this filesystem, a usable memory cgroup)? If not, SKIP with
# the tool's own one-line reason rather than fail on a missing capability.
pressure_probe() {
	local s=$TMP_T/probe.$RANDOM err rc=0 pid
	"$HOLD" 16 >/dev/null &
	pid=$!
	sleep 0.2
	err=$("$TOP/host/pressure" prepare --level "$2" --swap "$3" --mem 16M --state "$s" 2>&1 >/dev/null) || rc=$?
	[ "$rc" != 0 ] || err=$("$TOP/host/pressure" attach --state "$s" --pid "$pid" 2>&1 >/dev/null) || rc=$?
	"$TOP/host/pressure" release --state "$s" >/dev/null 2>&1 || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if [ "$rc" != 0 ]; then
		skip_rest "$1" "this machine cannot do $2 with $3 swap: $(printf '%s\n' "$err" | tail -n 1)"
	fi
}

# jget FILE FILTER: one value from a JSON file
jget() { jq -r "$2" "$1"; }
