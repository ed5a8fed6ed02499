# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Helpers for tests/*.t: TAP-like lines that tests/run counts.
#   ok "what"            a passed check
#   not_ok "what" [why]  a failed check, with what was seen
#   skip "what" "why"    a check that needs something missing here
#   check "what" cmd...  ok if cmd succeeds, else not_ok with its output
#   expect_eq "what" expected seen
# and one plan per file (tests/run fails a file without one, or whose
# count is off, so a file that dies or exits early is a failure):
#   plan N               first: this file always makes N checks
#   done_testing         last, for a count that depends on the machine
#                        (skips, loops): prints "1..<checks made>", so only
#                        a file that gets to its end has a plan
#   skip_rest "what" "why"  the rest cannot run here: skips up to the
#                        plan (one skip and the trailing plan when there
#                        is none yet), exit 0
#   tap_relay cmd...     pass on (and count) the ok/not ok lines of a
#                        program that prints its own; its exit code counts
# Every .t sources this and runs under `set -eu`.
set -eu
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TOP
TMP_T=$(mktemp -d "${TMPDIR:-/tmp}/apft.XXXXXX")
trap 'rm -rf "$TMP_T"' EXIT

# One byte per check made, in a file so that checks in subshells and
# pipelines count too.
TAP_COUNT=$TMP_T/.tap-count
tap_counted() { printf . >>"$TAP_COUNT"; }

ok() { echo "ok - $1"; tap_counted; }
not_ok() {
	echo "not ok - $1"
	tap_counted
	[ $# -lt 2 ] || printf '#   %s\n' "$2" | head -n 20
}
skip() { echo "ok - $1 # SKIP $2"; tap_counted; }

TAP_PLAN=''
plan() { TAP_PLAN=$1; echo "1..$1"; }
tap_made() { if [ -e "$TAP_COUNT" ]; then wc -c <"$TAP_COUNT"; else echo 0; fi; }
done_testing() { echo "1..$(tap_made)"; }
skip_rest() {
	skip "$1" "$2"
	if [ -z "$TAP_PLAN" ]; then done_testing; exit 0; fi
	local n
	for ((n = $(tap_made); n < TAP_PLAN; n++)); do skip "$1" "$2"; done
	exit 0
}
tap_relay() {
	local line rc=0 out failed=0
	out=$("$@" 2>&1) || rc=$?
	while IFS= read -r line; do
		case "$line" in
		"not ok"*) failed=1; echo "$line"; tap_counted ;;
		"ok"*) echo "$line"; tap_counted ;;
		'') ;;
		*) printf '#   %s\n' "$line" ;;
		esac
	done <<<"$out"
	[ "$rc" = 0 ] || [ "$failed" = 1 ] || not_ok "$* exited $rc without reporting a failure"
}

check() {
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = 0 ]; then ok "$what"; else not_ok "$what" "exit $rc: $out"; fi
}

expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected '$2', saw '$3'"; fi
}

# expect_exit "what" CODE cmd...: cmd must exit with CODE.
expect_exit() {
	local what=$1 want=$2 rc=0 out
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = "$want" ]; then ok "$what"; else not_ok "$what" "expected exit $want, saw $rc: $out"; fi
}

is_root() { [ "$(id -u)" = 0 ]; }
