#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench-self: the measurement core's own cost, and exec-storm's
# one-thread spawn rate against a bare posix_spawn+waitpid loop of the
# same helper. The two alternate for three rounds, so drift hits both
# alike; the best round of each is compared (other load only slows).
set -eu
export PROG=bench-self
. "$(dirname "$0")/../host/lib.sh"
cd "$APF_TOP"
need_cmd jq
secs=${BENCH_SELF_SECONDS:-3}
tmp=$(mktemp -d)
cleanup_on_exit
cleanup_push rm -rf "$tmp"

echo "== recorder"
build/bench-self
echo "== exec-storm (--method spawn --argv-bytes 0, 1 thread) vs bare posix_spawn loop, ${secs}s each"
bare_best=0 apfw_best=0
for round in 1 2 3; do
	bare=$(build/bench-self spawn-loop guest/apfw-exec-helper "$secs")
	guest/apfw run exec-storm --threads 1 --method spawn --argv-bytes 0 \
		--duration "$secs" --out "$tmp/r$round" >/dev/null
	apfw=$(jq .ops_per_s "$tmp/r$round/result.json")
	printf 'round %s: bare %10.1f exec/s   exec-storm %10.1f exec/s\n' "$round" "$bare" "$apfw"
	bare_best=$(awk -v a="$bare_best" -v b="$bare" 'BEGIN { print (b > a ? b : a) }')
	apfw_best=$(awk -v a="$apfw_best" -v b="$apfw" 'BEGIN { print (b > a ? b : a) }')
done
awk -v b="$bare_best" -v a="$apfw_best" 'BEGIN {
	printf "exec-storm / bare loop, best rounds: %.1f%% (target >= 95%%)\n", 100 * a / b }'

# Where a benchmark run's cell time went (issue 13's overhead figure):
# the latest run's phases, overhead per cell and duty cycle.
if [ -f results/latest/cells.tsv ]; then
	echo "== cell timings of $(readlink -f results/latest)"
	scripts/cell-timings results/latest
else
	echo "== cell timings: no results/latest yet (run make bench first)"
fi
