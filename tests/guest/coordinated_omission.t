#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Coordinated omission: stop a paced wakeup loop with SIGSTOP for S and
# check the stall is back-filled as about S/interval late samples, not one.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
plan 3
make -s guest/apfw >/dev/null
out=$TMP_T/co
interval_us=1000

guest/apfw run wakeup --threads 1 --interval-us "$interval_us" --duration 3 --out "$out" \
	>/dev/null 2>&1 &
pid=$!
sleep 1
t0=$(date +%s%N)
kill -STOP "$pid"
sleep 0.5
kill -CONT "$pid"
t1=$(date +%s%N)
wait "$pid"
stall_ns=$((t1 - t0))

# Samples later than 50 ms can only come from the stall; with back-fill
# there are about (stall - 50 ms) / interval of them. The shell sees the
# stall from outside: on a loaded machine the process resumes later than
# SIGCONT, so the upper bound is loose; the lower bound is what matters
# (without back-fill there would be one late sample).
late=$(jq '[.latency_ns.hist[] | select(.[0] >= 50000000) | .[1]] | add // 0' "$out/result.json")
expected=$(((stall_ns - 50000000) / (interval_us * 1000)))
if [ "$late" -ge $((expected * 8 / 10)) ] && [ "$late" -le $((expected * 2 + 50)) ]; then
	ok "stall of $((stall_ns / 1000000)) ms back-filled as $late late samples (expected ~$expected)"
else
	not_ok "stall back-filled as ~$expected late samples" "saw $late"
fi
check "max lateness covers the whole stall" \
	jq -e --argjson s "$stall_ns" '.latency_ns.max >= 0.8 * $s' "$out/result.json"
check "total samples match the elapsed periods, none skipped" \
	jq -e --argjson i "$interval_us" '.ops >= 0.9 * .duration_s * 1e6 / $i' "$out/result.json"
