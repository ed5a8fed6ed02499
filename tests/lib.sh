# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Helpers for tests/*.t: TAP-like lines that tests/run counts.
#   ok "what"            a passed check
#   not_ok "what" [why]  a failed check, with what was seen
#   skip "what" "why"    a check that needs something missing here
#   check "what" cmd...  ok if cmd succeeds, else not_ok with its output
#   expect_eq "what" expected seen
# Every .t sources this and runs under `set -eu`.
set -eu
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TOP
TMP_T=$(mktemp -d "${TMPDIR:-/tmp}/apft.XXXXXX")
trap 'rm -rf "$TMP_T"' EXIT

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	[ $# -lt 2 ] || printf '#   %s\n' "$2" | head -n 20
}
skip() { echo "ok - $1 # SKIP $2"; }

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
