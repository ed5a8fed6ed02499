#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Interrupt a run, --resume it: only unfinished cells run, finished ones are
# untouched, and the summary has the structure of an uninterrupted run.
# Failed cells are rerun too. Target local with a stand-in apfw.
. "$(dirname "$0")/../lib.sh"
plan 24
B=$TOP/bench/apf-bench
export APFW=$TOP/tests/bench/fake-apfw FAKE_LOG=$TMP_T/calls

cat >"$TMP_T/r.conf" <<'CONF'
target    = local
workloads = fault-storm exec-storm rcu-readers
reps      = 3
duration  = 1
memory    = 256M
CONF
R=$TMP_T/run
done_cells() { find "$1/cells" -name result.json -exec jq -r 'select(.status == "ok") | input_filename' {} + 2>/dev/null | sort; }

# The signal is sent while a cell runs (the runner waits on it): bash 5.2
# can die with a syntax error in the trap when a signal lands during a
# command substitution, a bash bug this test is not about.
FAKE_SLEEP=0.6 "$B" "$TMP_T/r.conf" --out "$R" >/dev/null 2>"$TMP_T/err1" &
pid=$!
for _ in $(seq 1 300); do
	[ "$(done_cells "$R" | wc -l)" -lt 3 ] || [ "$(wc -l <"$FAKE_LOG" 2>/dev/null || echo 0)" -lt 4 ] || break
	sleep 0.05
done
sleep 0.2
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "interrupted run exits 143 (TERM)" 143 "$rc"
check "run.json says interrupted" jq -e '.status == "interrupted"' "$R/run.json"
if grep -q -- "--resume $R" "$TMP_T/err1"; then ok "interrupt says how to resume"; else not_ok "interrupt says how to resume" "$(tail -n 2 "$TMP_T/err1")"; fi
done_cells "$R" >"$TMP_T/before"
nb=$(wc -l <"$TMP_T/before")
if [ "$nb" -ge 3 ] && [ "$nb" -lt 9 ]; then ok "interrupted after $nb of 9 cells"; else not_ok "interrupted mid-run" "$nb cells done"; fi
xargs stat -c '%n %i %Y' <"$TMP_T/before" >"$TMP_T/stat-before"

: >"$FAKE_LOG"
rc=0
"$B" --resume "$R" >/dev/null 2>"$TMP_T/err2" || rc=$?
expect_eq "resume exits 0" 0 "$rc"
expect_eq "resume ran only the $((9 - nb)) unfinished cells" "$((9 - nb))" "$(wc -l <"$FAKE_LOG")"
if cut -f2 "$FAKE_LOG" | sed 's|$|/result.json|' | grep -qxFf "$TMP_T/before"; then
	not_ok "no finished cell was rerun" "$(cat "$FAKE_LOG")"
else ok "no finished cell was rerun"; fi
expect_eq "finished cells' result.json untouched (inode, mtime)" "$(cat "$TMP_T/stat-before")" "$(xargs stat -c '%n %i %Y' <"$TMP_T/before")"
expect_eq "all 9 cells ok after resume" 9 "$(done_cells "$R" | wc -l)"
check "run.json: complete, one resume recorded" jq -e '.status == "complete" and (.resumed | length) == 1' "$R/run.json"

# The same config uninterrupted: summary.tsv equal in structure.
"$B" "$TMP_T/r.conf" --out "$TMP_T/whole" >/dev/null 2>&1 || true
expect_eq "summary.tsv equals an uninterrupted run's in structure (all but values)" \
	"$(cut -f1-8 "$TMP_T/whole/summary.tsv")" "$(cut -f1-8 "$R/summary.tsv")"

# Failed cells are rerun, ok ones kept.
rc=0
FAKE_FAIL='*/exec-storm/rep-2' "$B" "$TMP_T/r.conf" --out "$TMP_T/f" >/dev/null 2>&1 || rc=$?
expect_eq "a failed cell makes the run exit 1" 1 "$rc"
check "the failed cell says failed" jq -e '.status == "failed"' "$TMP_T/f/cells/local/local/native/none/exec-storm/rep-2/result.json"
: >"$FAKE_LOG"
"$B" --resume "$TMP_T/f" >/dev/null 2>&1 || true
expect_eq "resume reruns just the failed cell" "$TMP_T/f/cells/local/local/native/none/exec-storm/rep-2" "$(cut -f2 "$FAKE_LOG")"
expect_eq "now ok" ok "$(jq -r .status "$TMP_T/f/cells/local/local/native/none/exec-storm/rep-2/result.json")"

sed 's/reps      = 3/reps = 4/' "$TMP_T/r.conf" >"$TMP_T/other.conf"
expect_exit "--resume with a different config is refused" 2 "$B" --resume "$R" "$TMP_T/other.conf"
expect_exit "--resume of a non-run is refused" 2 "$B" --resume "$TMP_T"
out=$("$B" --resume "$R" --dry-run 2>&1)
if grep -q '9 cells, 0 to run' <<<"$out"; then ok "dry run of a finished run: nothing to run"; else not_ok "dry run of a finished run" "$(tail -n 1 <<<"$out")"; fi

# A cell that fails once is retried at once (retries = 1 by default).
: >"$FAKE_LOG"
rc=0
FAKE_FAIL_ONCE='*/rcu-readers/rep-1' "$B" "$TMP_T/r.conf" --out "$TMP_T/once" >/dev/null 2>&1 || rc=$?
expect_eq "a cell failing once: the run still exits 0" 0 "$rc"
expect_eq "it ran twice" 2 "$(grep -c '/rcu-readers/rep-1$' "$FAKE_LOG")"
check "the failed attempt is kept outside cells/" test -f "$(echo "$TMP_T"/once/failed-attempts/local/local/native/none/rcu-readers/rep-1/try-1-*/result.json)"
check "run.json counts the retry" jq -e '.cells_retried == 1 and .cells_failed == 0' "$TMP_T/once/run.json"
expect_exit "DESIGN's form: CONFIG --resume --out DIR (finished run: nothing to do)" 0 "$B" "$TMP_T/r.conf" --resume --out "$R"
expect_exit "--resume without a directory: exit 2" 2 "$B" "$TMP_T/r.conf" --resume
