#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/pageout on the memfd stand-in: the pick per pass (NN% of the
# mapping's chunks), pages advised vs requested vs actually swapped, the
# mapping's own Swap:, the summary file, and a clean end on SIGTERM and
# when the target exits.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
need_pressure_root "pageout"
PO=$TOP/host/pageout
before=$(sys_snapshot)
# swap for the test, made and removed the suite's way
"$TOP/host/pressure" prepare --level pageout50 --swap zram --mem 128M --state "$TMP_T/p" 2>/dev/null ||
	"$TOP/host/pressure" prepare --level pageout50 --swap file --mem 128M --state "$TMP_T/p"

start_standin 64
"$PO" --pid "$SPID" --percent 50 --passes 2 --interval-ms 50 --chunk 1M --seed 7 >"$TMP_T/s.json" 2>"$TMP_T/s.err" && rc=0 || rc=$?
expect_eq "two passes exit 0" 0 "$rc"
j=$TMP_T/s.json
expect_eq "mapping found: 64 MiB" 67108864 "$(jget "$j" .mapping_bytes)"
expect_eq "passes" 2 "$(jget "$j" .passes)"
# 64 chunks of 1 MiB, 50% = 32 chunks = 8192 pages a pass
expect_eq "requested pages: 50% of the chunks, twice" 16384 "$(jget "$j" .requested_pages)"
expect_eq "the kernel took every requested page" 16384 "$(jget "$j" .advised_pages)"
if jq -e '.swapped_pages > 0 and .guest_swap_bytes > 0 and .guest_swap_peak_bytes >= .guest_swap_bytes and .errors == 0' "$j" >/dev/null; then
	ok "pages swapped and the mapping's Swap: grew"
else
	not_ok "pages swapped and the mapping's Swap: grew" "$(cat "$j")"
fi
sw=$(awk '/memfd:memory-backend-memfd/ {m = 1; next} /^[0-9a-f]+-/ {m = 0} m && $1 == "Swap:" {print $2 * 1024}' "/proc/$SPID/smaps")
if [ "${sw:-0}" -gt 0 ] && [ "$sw" -le 67108864 ]; then ok "smaps agrees: $sw bytes of the mapping in swap"; else not_ok "smaps agrees" "$sw"; fi
expect_eq "pass lines on stderr" 2 "$(grep -c '^pageout: pass' "$TMP_T/s.err")"

# until stopped: SIGTERM ends it with a final summary in the file
"$PO" --pid "$SPID" --percent 10 --interval-ms 100 --summary "$TMP_T/live.json" --quiet &
po=$!
for ((i = 0; i < 50; i++)); do [ -s "$TMP_T/live.json" ] && break; sleep 0.1; done
if jq -e '.passes >= 1' "$TMP_T/live.json" >/dev/null 2>&1; then ok "summary rewritten while running"; else not_ok "summary rewritten while running"; fi
kill -TERM "$po"
rc=0
wait "$po" || rc=$?
expect_eq "SIGTERM: exit 0" 0 "$rc"
if jq -e . "$TMP_T/live.json" >/dev/null 2>&1 && [ ! -e "$TMP_T/live.json.tmp" ]; then ok "summary complete after SIGTERM"; else not_ok "summary complete after SIGTERM"; fi

# the target goes away: the pager ends by itself, exit 0
"$PO" --pid "$SPID" --percent 10 --interval-ms 100 --summary "$TMP_T/gone.json" --quiet &
po=$!
sleep 0.3
stop_standins
rc=0
for ((i = 0; i < 30; i++)); do kill -0 "$po" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$po" 2>/dev/null; then
	not_ok "pager ends when the target exits"
	kill "$po"
else
	wait "$po" || rc=$?
	expect_eq "pager ends when the target exits, exit 0" 0 "$rc"
fi

"$TOP/host/pressure" release --state "$TMP_T/p"

# with a swap file, --evict makes the pages leave the swap cache too
if compgen -G "/sys/devices/system/node/node*/reclaim" >/dev/null; then
	"$TOP/host/pressure" prepare --level pageout50 --swap file --mem 64M --state "$TMP_T/pf" 2>/dev/null
	start_standin 64
	ev=()
	for f in /sys/devices/system/node/node*/reclaim; do ev+=(--evict "$f"); done
	"$PO" --pid "$SPID" --percent 100 --passes 1 --quiet "${ev[@]}" >"$TMP_T/ev.json" || true
	if jq -e '.evict == true and .evicted_bytes > 0 and .swapped_pages > 0' "$TMP_T/ev.json" >/dev/null; then
		ok "--evict: swap-cached pages reclaimed after the pass"
	else
		not_ok "--evict: swap-cached pages reclaimed after the pass" "$(cat "$TMP_T/ev.json")"
	fi
	stop_standins
	"$TOP/host/pressure" release --state "$TMP_T/pf"
else
	skip "--evict" "no node reclaim files (needs Linux 6.16+)"
fi
assert_as_before "pageout" "$before"
done_testing
