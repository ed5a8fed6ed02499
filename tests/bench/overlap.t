#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# apf-bench's overlap (bench/lib/jobs.sh) with a stand-in VM launcher that
# takes --hold and --notify like host/apf-vm: the next cell starts once
# this one's measured phase has ended, its workload only once this one has
# ended, never more than two cells at once; a retry, an interrupt and
# overlap = no keep those rules. Event order, not wall-clock figures.
. "$(dirname "$0")/../lib.sh"
plan 29
B=$TOP/bench/apf-bench
export APF_VM=$TOP/tests/bench/fake-apf-vm TMPDIR=$TMP_T/tmp
mkdir -p "$TMPDIR"

cat >"$TMP_T/o.conf" <<'CONF'
kernels   = debian-6.1-cloud
modes     = apf-on
pressure  = none
workloads = fault-storm exec-storm
reps      = 2
duration  = 1
memory    = 256M
overlap   = yes
CONF
sed 's/^overlap.*/overlap = no/' "$TMP_T/o.conf" >"$TMP_T/no.conf"
sed '/^overlap/d' "$TMP_T/o.conf" >"$TMP_T/auto.conf"

# rules EVENTS: one line per cell in start order, "start go measured end"
# of its last attempt, then checks over consecutive cells: how many pairs
# overlapped (the next started before this one ended), how many let a
# workload run beside another (the next's go before this one's end), and
# the most cells in flight at once.
rules() {
	awk '{ t[$3, $2] = $1; if ($2 == "start" && !($3 in seen)) { seen[$3] = 1; order[++n] = $3 } }
		$2 == "start" { ev[++m] = $1 " 1" } $2 == "end" { ev[++m] = $1 " -1" }
		END {
			for (i = 1; i < n; i++) {
				a = order[i]; b = order[i + 1]
				if (t[b, "start"] < t[a, "end"]) over++
				if (t[b, "go"] < t[a, "end"]) beside++
			}
			# events by time: the most starts not yet ended
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (ev[j] + 0 < ev[i] + 0) { x = ev[i]; ev[i] = ev[j]; ev[j] = x }
			for (i = 1; i <= m; i++) { split(ev[i], e, " "); c += e[2]; if (c > most) most = c }
			printf "%d %d %d %d\n", n, over + 0, beside + 0, most
		}' "$1"
}

# ---- overlap on (the default)
out=$("$B" "$TMP_T/o.conf" --dry-run 2>&1)
if grep -q '^# overlap: on' <<<"$out"; then ok "dry run says overlap is on"; else not_ok "dry run says overlap is on" "$out"; fi
rc=0
FAKE_EVENTS=$TMP_T/ev FAKE_SLEEP=0.3 FAKE_TAIL=0.8 "$B" "$TMP_T/o.conf" --out "$TMP_T/on" >/dev/null 2>"$TMP_T/err" || rc=$?
expect_eq "overlapped run exits 0" 0 "$rc"
expect_eq "4 cells ok" 4 "$(find "$TMP_T/on/cells" -name result.json -exec jq -r .status {} + | grep -c '^ok$')"
read -r n over beside most < <(rules "$TMP_T/ev")
expect_eq "4 cells started" 4 "$n"
expect_eq "every next cell started before the one before it ended" 3 "$over"
expect_eq "no workload ran beside another cell (each go after the cell before ended)" 0 "$beside"
expect_eq "at most two cells at once" 2 "$most"
check "run.json: overlap on, with why" jq -e '.overlap.on == true and (.overlap.why | length > 0) and .config.resolved.overlap == "yes"' "$TMP_T/on/run.json"
check "cells.tsv: six columns on every line" awk -F'\t' 'NF != 6 { exit 1 }' "$TMP_T/on/cells.tsv"
# The cells' own times overlap, their shares of the run do not: the shares
# add up to less than the cells' own times.
check "shares of the run (column 6) sum to less than the cells' own times (column 4)" \
	awk -F'\t' '{ own += $4; share += $6 } END { exit !(share < own) }' "$TMP_T/on/cells.tsv"
if grep -q '^apf-bench: overlap on' "$TMP_T/err"; then ok "the run says overlap is on"; else not_ok "the run says overlap is on" "$(head -n 4 "$TMP_T/err")"; fi
if ls -d "$TMPDIR"/apf-bench.* >/dev/null 2>&1; then not_ok "no FIFO directory left in TMPDIR" "$(ls -d "$TMPDIR"/apf-bench.*)"; else ok "no FIFO directory left in TMPDIR"; fi

# ---- overlap = no, and a tool that cannot hold
FAKE_EVENTS=$TMP_T/ev-no FAKE_SLEEP=0.1 FAKE_TAIL=0.2 "$B" "$TMP_T/no.conf" --out "$TMP_T/no" >/dev/null 2>&1 || true
read -r n over beside most < <(rules "$TMP_T/ev-no")
expect_eq "overlap = no: one cell at a time" "4 0 0 1" "$n $over $beside $most"
check "overlap = no: run.json says off and why" jq -e '.overlap.on == false and (.overlap.why | test("overlap = no"))' "$TMP_T/no/run.json"
FAKE_NO_OVERLAP=1 FAKE_EVENTS=$TMP_T/ev-nt FAKE_SLEEP=0.1 FAKE_TAIL=0.2 "$B" "$TMP_T/o.conf" --out "$TMP_T/nt" >/dev/null 2>&1 || true
read -r n over beside most < <(rules "$TMP_T/ev-nt")
expect_eq "a tool without --hold: one cell at a time" "4 0 0 1" "$n $over $beside $most"
check "... and run.json says why" jq -e '.overlap.on == false and (.overlap.why | test("--hold"))' "$TMP_T/nt/run.json"

# auto: on only with a core for every vCPU of two cells (2 vCPUs each here).
out=$("$B" "$TMP_T/auto.conf" --dry-run 2>&1)
want=off
[ "$(nproc)" -lt 4 ] || want=on
if grep -q "^# overlap: $want" <<<"$out"; then ok "overlap = auto on $(nproc) cores: $want"; else not_ok "overlap = auto on $(nproc) cores: $want" "$(grep overlap <<<"$out")"; fi
expect_exit "overlap = maybe: bad config" 2 "$B" <(sed 's/^overlap.*/overlap = maybe/' "$TMP_T/o.conf") --dry-run

# ---- a cell that fails once is retried after the cell already booting
rc=0
FAKE_FAIL_ONCE='*/fault-storm/rep-1' FAKE_EVENTS=$TMP_T/ev-r FAKE_SLEEP=0.2 FAKE_TAIL=0.5 \
	"$B" "$TMP_T/o.conf" --out "$TMP_T/r" >/dev/null 2>&1 || rc=$?
expect_eq "retried run exits 0" 0 "$rc"
first=$TMP_T/r/cells/local/debian-6.1-cloud/none/none/fault-storm/rep-1
expect_eq "the failing cell started twice" 2 "$(grep -c " start $first\$" "$TMP_T/ev-r")"
second=$(awk '$2 == "start" { print $3 }' "$TMP_T/ev-r" | sed -n 3p)
expect_eq "its retry came after the cell that was booting behind it" "$first" "$second"
# No go before the end of every attempt that started earlier.
check "no workload beside another, retry included" awk '
	$2 == "start" { s[++n] = $1 } $2 == "end" { e[++k] = $1 } $2 == "go" { g[++q] = $1 }
	END { for (i = 2; i <= q; i++) if (g[i] < e[i - 1]) exit 1 }' "$TMP_T/ev-r"
check "run.json counts the retry" jq -e '.cells_retried == 1 and .cells_failed == 0' "$TMP_T/r/run.json"

# ---- an interrupt while two cells are in flight stops both
FAKE_EVENTS=$TMP_T/ev-i FAKE_SLEEP=0.5 FAKE_TAIL=2 "$B" "$TMP_T/o.conf" --out "$TMP_T/i" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 200); do
	n=$(grep -c ' start ' "$TMP_T/ev-i" 2>/dev/null) || n=0
	[ "$n" -lt 2 ] || break
	sleep 0.05
done
expect_eq "two cells in flight, the first not ended" "2 0" "$n $(grep -c ' end ' "$TMP_T/ev-i")"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "interrupted: exit 143" 143 "$rc"
sleep 0.3
if pgrep -f "fake-apf-vm .*--out $TMP_T/i/" >/dev/null; then
	not_ok "no stand-in cell left running" "$(pgrep -af "fake-apf-vm .*--out $TMP_T/i/")"
else ok "no stand-in cell left running"; fi
# ... and one while the first cell is still in its measured phase (the
# runner is waiting for its --notify line) leaves nothing of the runner.
FAKE_EVENTS=$TMP_T/ev-j FAKE_SLEEP=5 "$B" "$TMP_T/o.conf" --out "$TMP_T/j" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 200); do
	[ ! -s "$TMP_T/ev-j" ] || break
	sleep 0.05
done
sleep 0.3
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "interrupted in a measured phase: exit 143" 143 "$rc"
sleep 0.3
left=$(pgrep -f "apf-bench $TMP_T/o.conf --out $TMP_T/j" || true)
if [ -n "$left" ]; then
	not_ok "nothing of the runner left (its --notify reader)" "$(ps -o pid=,args= -p "${left//$'\n'/,}")"
	# (this test's own leftovers, named by its private directory)
	# shellcheck disable=SC2086  # one PID per word
	kill $left 2>/dev/null || true
else ok "nothing of the runner left (its --notify reader)"; fi

rc=0
FAKE_EVENTS=$TMP_T/ev-i2 "$B" --resume "$TMP_T/i" >/dev/null 2>&1 || rc=$?
expect_eq "resume completes the run" "0 4" "$rc $(find "$TMP_T/i/cells" -name result.json -exec jq -r .status {} + | grep -c '^ok$')"
