#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# bench/fleet/boot.sh: the first thing a fleet machine runs, copied there by
# GNU parallel (--basefile) beside the suite's tarball into its per-run work
# dir apf-fleet/<run-id>/ (relative to the login's directory). It unpacks
# the pinned suite once (a stamp names the revision, so a second job or a
# resumed run reuses it and a different revision is never mixed in) and
# hands over to bench/fleet/remote. POSIX sh: nothing of the suite exists
# on the machine before this runs.
#   sh apf-fleet/<run-id>/boot.sh REV job|reap ARGS...
set -eu
[ $# -ge 2 ] || { echo "boot.sh: usage: boot.sh REV job|reap ARGS..." >&2; exit 2; }
rev=$1
shift
work=$(cd "$(dirname "$0")" && pwd)
if [ "$(cat "$work/suite/.apf-fleet-rev" 2>/dev/null || true)" != "$rev" ]; then
	if [ "$1" = reap ]; then
		echo "@apf-fleet reap: no suite unpacked here: nothing ever ran"
		exit 0
	fi
	rm -rf "$work/suite.new"
	mkdir "$work/suite.new"
	tar -xzf "$work/suite.tar.gz" -C "$work/suite.new"
	echo "$rev" >"$work/suite.new/.apf-fleet-rev"
	rm -rf "$work/suite"
	mv "$work/suite.new" "$work/suite"
fi
exec "$work/suite/bench/fleet/remote" "$work" "$@"
