#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Bad input to every entry point, from one table (tests/input/cases.tsv):
# each case must exit 2 with exactly one line on stderr that matches the
# case's pattern, print nothing on stdout, create nothing (sandbox cwd,
# TMPDIR, state registry, swap dir, the tree's results/ and build/, a memory
# cgroup, a swap area) and start no QEMU: APF_QEMU is a stand-in that
# counts its starts (answering --version is not a start) and fails.
# Every case runs in a fresh sandbox, under a timeout and `ulimit -v`, so a
# tool that takes bad input for real work cannot take the host's memory.
#
# cases.tsv: ENTRY<TAB>ARGS<TAB>STDERR-ERE<TAB>what. ARGS are split on
# blanks ('-' for none); leading NAME=VALUE words go to the environment;
# these words are replaced: @OUT a path that must not appear, @FILE a
# regular file, @DIR an empty directory that is not a run, @RUN a finished
# (synthetic) run, @PID a live process, @IN/x tests/input/x.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
TABLE=$TOP/tests/input/cases.tsv
# BAD_INPUT_ONLY=ERE: only the cases whose line matches (for debugging).
only=${BAD_INPUT_ONLY:-}

# ENTRY -> the program (apf-bench-wl: apf-bench with APF_WORKLOADS naming
# tests/input/workloads-bad.tsv).
declare -A ENTRY=(
	[apfw]=$TOP/guest/apfw
	[apf-vm]=$TOP/host/apf-vm
	[apf-local]=$TOP/host/apf-local
	[apf-bench]=$TOP/bench/apf-bench
	[apf-bench-wl]=$TOP/bench/apf-bench
	[apf-fleet]=$TOP/bench/apf-fleet
	[pressure]=$TOP/host/pressure
	[monitor]=$TOP/host/monitor
	[pageout]=$TOP/host/pageout
	[apf-report]=$TOP/scripts/apf-report
)

cases=$(grep -v '^\(#\|$\)' "$TABLE" | grep -E -- "${only:-.}" || true)
ncases=$(grep -c . <<<"$cases" || true)
echo "1..$((ncases + 2))"
make -s guest/apfw guest/apfw-exec-helper host/pageout host/monitor-sampler host/apf-size \
	build/apf-stats >/dev/null 2>&1 || true
if [ "$ncases" -ge 60 ] || [ -n "$only" ]; then ok "the table has $ncases cases (at least 60)"
else not_ok "the table has at least 60 cases" "$ncases"; fi

# The stand-in QEMU: every start is a line in $QEMU_COUNT.
QEMU_COUNT=$TMP_T/qemu.count
: >"$QEMU_COUNT"
cat >"$TMP_T/qemu" <<EOQ
#!/bin/sh
[ "\$1" = --version ] && { echo "QEMU emulator version 7.2.0"; exit 0; }
echo "\$*" >>'$QEMU_COUNT'
exit 1
EOQ
chmod +x "$TMP_T/qemu"

# Fixtures, made once, checked unchanged after every case.
FIX=$TMP_T/fix
make_fixtures() {
	rm -rf "$FIX"
	mkdir -p "$FIX/dir" "$FIX/run"
	echo 'not a run, not a config' >"$FIX/file"
	tests/report/gen-result --out "$FIX/run/cells/local/debian-6.1-cloud/apf-on/none/fault-storm/rep-1" \
		--workload fault-storm >/dev/null
	printf '{"schema": "apfbench-run/1", "name": "fixture"}\n' >"$FIX/run/run.json"
	fix_before=$(find "$FIX" -printf '%p %s %T@\n' | sort)
}
make_fixtures

SB=$TMP_T/sb
# The host state a bad input must not touch: memory cgroups and swap areas.
host_state() {
	find /sys/fs/cgroup/memory /sys/fs/cgroup/unified /sys/fs/cgroup -maxdepth 3 \
		-type d -name 'apfbench-*' 2>/dev/null | sort -u
	awk 'NR > 1 { print $1 }' /proc/swaps | sort
}
# ours BEFORE: the host state that appeared since BEFORE and is this case's:
# a swap file in the sandbox, or a cgroup named after a registry entry in
# it. Another test's cgroup or swap, made meanwhile, is not a failure here.
ours() {
	local line id
	comm -13 <(printf '%s\n' "$1") <(host_state) | while IFS= read -r line; do
		case "$line" in "$SB"/*) echo "$line"; continue ;; esac
		for id in "$SB"/run/*; do
			[ -e "$id" ] || continue
			case "$line" in *"${id##*/}"*) echo "$line" ;; esac
		done
	done
}

# run_case ENTRY ARGS PATTERN WHAT: one ok/not ok line.
run_case() {
	local entry=$1 args=$2 pat=$3 what=$4 prog w rc=0 nerr left=() stamp
	local -a env=() argv=()
	prog=${ENTRY[$entry]:-}
	[ "$entry" != apf-bench-wl ] || env=("APF_WORKLOADS=$TOP/tests/input/workloads-bad.tsv")
	if [ -z "$prog" ]; then
		not_ok "$entry $args: $what" "unknown entry point '$entry' in cases.tsv"
		return
	fi
	[ "$args" != - ] || args=''
	read -r -a words <<<"$args"
	for w in "${words[@]}"; do
		if [ ${#argv[@]} = 0 ] && [[ $w =~ ^[A-Z_][A-Z0-9_]*= ]]; then
			env+=("$w")
			continue
		fi
		case "$w" in
		@OUT) w=$SB/cwd/out ;;
		@FILE) w=$FIX/file ;;
		@DIR) w=$FIX/dir ;;
		@RUN) w=$FIX/run ;;
		@PID) w=$$ ;;
		@IN/*) w=$TOP/tests/input/${w#@IN/} ;;
		esac
		argv+=("$w")
	done
	rm -rf "$SB"
	mkdir -p "$SB/cwd" "$SB/tmp" "$SB/swap"
	stamp=$SB/stamp
	touch "$stamp"
	local state_before qemu_before
	state_before=$(host_state)
	qemu_before=$(grep -c '' "$QEMU_COUNT" || true)
	(
		cd "$SB/cwd"
		ulimit -v 2000000
		exec timeout --kill-after=5 60 env TMPDIR="$SB/tmp" APF_RUN_DIR="$SB/run" \
			APF_SWAP_DIR="$SB/swap" APF_ACCEL_CACHE="$SB/accel" APF_QEMU="$TMP_T/qemu" \
			APF_KERNEL_CACHE="${APF_KERNEL_CACHE:-$TOP/build/kernels}" ${env[@]+"${env[@]}"} \
			"$prog" ${argv[@]+"${argv[@]}"}
	) >"$SB/stdout" 2>"$SB/stderr" </dev/null || rc=$?
	nerr=$(grep -c '' "$SB/stderr" || true)
	mapfile -t left < <(
		find "$SB/cwd" "$SB/tmp" "$SB/swap" -mindepth 1 -maxdepth 1
		[ ! -e "$SB/run" ] || echo "$SB/run (state registry)"
		[ ! -e "$SB/accel" ] || echo "$SB/accel (accel cache)"
		find "$TOP/results" -mindepth 1 -newer "$stamp" 2>/dev/null | head -n 3
		# (not into the kernels' unpacked headers and modules: ~30k files,
		# ~0.5 s a case; a kernel fetched would show above them)
		find "$TOP/build" \( -path "$TOP/build/kernels/*/headers" -o -path "$TOP/build/kernels/*/modules" \) \
			-prune -o -newer "$stamp" -not -type d -print 2>/dev/null | head -n 3
		[ "$(find "$FIX" -printf '%p %s %T@\n' | sort)" = "$fix_before" ] || echo "a fixture changed"
		ours "$state_before"
	)
	local why=''
	if [ "$rc" != 2 ]; then
		why="exit $rc"
	elif [ "$nerr" != 1 ]; then
		why="$nerr lines on stderr"
	elif ! grep -qE -- "$pat" "$SB/stderr"; then
		why="the line does not match /$pat/"
	elif [ -s "$SB/stdout" ]; then
		why="output on stdout"
	elif [ ${#left[@]} -gt 0 ]; then
		why="created ${left[*]}"
	elif [ "$(grep -c '' "$QEMU_COUNT" || true)" != "$qemu_before" ]; then
		why="QEMU was started"
	fi
	if [ -z "$why" ]; then
		ok "$entry $args: $what"
	else
		not_ok "$entry $args: $what" "$why; stderr: $(head -c 600 "$SB/stderr" | head -n 4 | tr '\n' '|') stdout: $(head -c 200 "$SB/stdout" | head -n 2 | tr '\n' '|')"
	fi
	# Undo what a failing case made outside the sandbox, so the next is clean.
	[ "$(find "$FIX" -printf '%p %s %T@\n' | sort)" = "$fix_before" ] || make_fixtures
	if [ -d "$SB/run" ] && [ -x "$TOP/host/pressure" ]; then
		APF_RUN_DIR="$SB/run" "$TOP/host/pressure" cleanup-stale >/dev/null 2>&1 || true
	fi
}

while IFS=$'\t' read -r entry args pat what; do
	[ -n "$entry" ] || continue
	run_case "$entry" "$args" "$pat" "$what"
done <<<"$cases"
rm -rf "$SB"

starts=$(grep -c '' "$QEMU_COUNT" || true)
expect_eq "no QEMU started by any case" 0 "$starts"
