#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/lib.sh's json_str and json_num, which write small summaries without
# jq (host/pressure's pressure.json): whatever the string holds, jq reads
# back exactly it; "" is null or the default given; json_num passes only
# integers.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
PROG="json-str.t"
# shellcheck source=host/lib.sh
. host/lib.sh
strings=("plain" "/sys/fs/cgroup/apfbench-pressure-1-2-3" 'quote " and back\slash' $'new\nline, tab\t, bell\a, esc\e'
	"ünïcode ✓" '\u0041 stays text' "trailing backslash \\")
plan "$((${#strings[@]} + 8))"
j="" # (set by json_str and json_num through a nameref)
for s in "${strings[@]}"; do
	json_str j "$s"
	got=$(jq -j . <<<"$j" 2>&1) || got="jq refused: $j"
	expect_eq "json_str round trip: $(printf '%q' "$s")" "$s" "$got"
done
json_str j ""
expect_eq 'json_str "": null' null "$j"
json_str j "" '""'
expect_eq 'json_str "" with a default: the default' '""' "$j"
for c in "42=42" "-7=-7" "1.5=null" "=null" "12a=null" "0x10=null"; do
	json_num j "${c%%=*}"
	expect_eq "json_num '${c%%=*}'" "${c#*=}" "$j"
done
