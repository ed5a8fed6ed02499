#!/usr/bin/env bash
# Builds and runs the C unit tests of guest/lib (tests/unit/*.c).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
if ! out=$(make -s unit-bins 2>&1); then
	not_ok "build unit tests" "$out"
	exit 0
fi
for src in tests/unit/*.c; do
	bin=build/tests/unit/$(basename "$src" .c)
	rc=0
	"$bin" || rc=$?
	[ "$rc" = 0 ] || echo "# $bin exited $rc"
done
