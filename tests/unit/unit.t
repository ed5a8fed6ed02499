#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Builds and runs the C unit tests of lib/ and guest/lib (tests/unit/*.c). Each
# binary prints a plan "1..N" and its checks; this file re-checks each one
# (exit status 0, N lines as planned) so a binary that crashes or stops
# early is a named failure, then prints its own plan and everything.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
if ! out=$(make -s unit-bins 2>&1); then
	plan 1
	not_ok "build unit tests" "$out"
	exit 0
fi
lines=()
for src in tests/unit/*.c; do
	name=$(basename "$src" .c)
	bin=build/tests/unit/$name
	rc=0
	log=$("$bin" 2>&1) || rc=$?
	plan=$(sed -n '1s/^1\.\.\([0-9][0-9]*\)$/\1/p' <<<"$log")
	mapfile -t checks < <(grep -E '^(ok|not ok)' <<<"$log" || true)
	lines+=("${checks[@]}")
	if [ "$rc" != 0 ] && ! grep -q '^not ok' <<<"$log"; then
		lines+=("not ok - $name: exited $rc without reporting a failure (crashed?)")
	elif [ -z "$plan" ]; then
		lines+=("not ok - $name: no plan line 1..N")
	elif [ "${#checks[@]}" != "$plan" ]; then
		lines+=("not ok - $name: planned $plan checks, ran ${#checks[@]} (died early?)")
	else
		lines+=("ok - $name: ran its $plan planned checks, exit $rc")
	fi
done
plan "${#lines[@]}"
printf '%s\n' "${lines[@]}"
