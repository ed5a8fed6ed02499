#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# SIGTERM ends a long run promptly, in the measured phase and in set-up,
# measured as a multiple of the time-series slice (the main thread looks
# for signals every 50 ms, set-up loops every chunk); the run is marked
# incomplete. APF_PHASE_FD gets exactly "PHASE start" and "PHASE stop"
# around the measured phase, and nothing when there is none.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
plan 13
make -s guest/apfw >/dev/null 2>&1
slice=0.1
max_slices=30	# generous: exit includes joining, merging and writing results

# term_after_start NAME TRIGGER ARGS...: start apfw run ARGS, wait until TRIGGER
# (a command) succeeds, send SIGTERM, and print "rc elapsed_ns".
term_after() {
	local trigger=$1 pid guard t0 t1 rc=0
	shift
	APF_PHASE_FD=3 guest/apfw run "$@" --slice "$slice" >/dev/null 2>"$TMP_T/err" 3>"$TMP_T/phase" &
	pid=$!
	for _ in $(seq 300); do
		! eval "$trigger" || break
		sleep 0.1
	done
	# A kill timeout far beyond any assertion, so a hung run cannot hang the suite.
	(sleep 120 && kill -KILL "$pid" 2>/dev/null) &
	guard=$!
	t0=$(date +%s%N)
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	t1=$(date +%s%N)
	kill "$guard" 2>/dev/null || true
	wait "$guard" 2>/dev/null || true
	echo "$rc $((t1 - t0))"
}

within_slices() {
	local what=$1 ns=$2
	if awk -v ns="$ns" -v s="$slice" -v m="$max_slices" 'BEGIN { exit !(ns / 1e9 / s <= m) }'; then
		ok "$what: ended $(awk -v ns="$ns" -v s="$slice" 'BEGIN { printf "%.1f", ns / 1e9 / s }') slices after SIGTERM (<= $max_slices)"
	else
		not_ok "$what: ended within $max_slices slices of SIGTERM" "took $((ns / 1000000)) ms"
	fi
}

# In the measured phase of a 10-minute run.
out=$TMP_T/phase-run
read -r rc ns < <(term_after 'grep -q "PHASE start" "$TMP_T/phase" 2>/dev/null' \
	wakeup --duration 600 --out "$out")
expect_eq "SIGTERM in the measured phase: exit 1" 1 "$rc"
within_slices "SIGTERM in the measured phase" "$ns"
check "SIGTERM in the measured phase: result.json says incomplete, interrupted by Terminated" \
	jq -e '.status == "incomplete" and (.reason | test("Terminated")) and .duration_s < 600' \
	"$out/result.json"
expect_eq "SIGTERM in the measured phase: PHASE start, then PHASE stop" \
	"PHASE start|PHASE stop" "$(paste -sd'|' "$TMP_T/phase")"

# In set-up: rcu-readers building a tree of 2 million files takes far longer
# than the half second before SIGTERM. On tmpfs where there is one, so the
# removal of the partial tree measures the CPU, not a busy disk.
tree=$TMP_T
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	tree=$(mktemp -d /dev/shm/apft.XXXXXX)
	trap 'rm -rf "$TMP_T" "$tree"' EXIT
fi
out=$TMP_T/setup-run
read -r rc ns < <(term_after 'sleep 0.5' rcu-readers --files 2000000 --dir "$tree" --out "$out")
expect_eq "SIGTERM in set-up: exit 1" 1 "$rc"
within_slices "SIGTERM in set-up (tree building)" "$ns"
check "SIGTERM in set-up: incomplete, before the measured phase" \
	jq -e '.status == "incomplete" and (.reason | test("before the measured phase"))' "$out/result.json"
expect_eq "SIGTERM in set-up: no PHASE lines" "" "$(cat "$TMP_T/phase")"
check "SIGTERM in set-up: the partial tree is removed" bash -c "! ls -d '$tree'/apfw-tree.* 2>/dev/null"

# A whole run: exactly two lines, one write each.
rc=0
APF_PHASE_FD=3 guest/apfw run wakeup --duration 0.3 --threads 1 >/dev/null 2>&1 3>"$TMP_T/phase" || rc=$?
expect_eq "APF_PHASE_FD: a run writes PHASE start and PHASE stop" "0 PHASE start|PHASE stop" \
	"$rc $(paste -sd'|' "$TMP_T/phase")"
rc=0
APF_PHASE_FD=3 guest/apfw run wakeup --duration nan >/dev/null 2>&1 3>"$TMP_T/phase" || rc=$?
expect_eq "APF_PHASE_FD: bad input writes nothing there" "2 " "$rc $(cat "$TMP_T/phase")"
rc=0
APF_PHASE_FD=77 guest/apfw run wakeup --duration 0.2 --threads 1 >/dev/null 2>&1 || rc=$?
expect_eq "APF_PHASE_FD naming a closed fd: the run is unaffected" 0 "$rc"
rc=0
APF_PHASE_FD=junk guest/apfw run wakeup --duration 0.2 --threads 1 >/dev/null 2>&1 || rc=$?
expect_eq "APF_PHASE_FD that is not a number: ignored" 0 "$rc"
