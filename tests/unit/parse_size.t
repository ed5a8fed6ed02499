#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# One size parser for the shell and C: host/lib.sh's parse_size asks
# host/apf-size (lib/size.c), so it prints the bytes or returns 1 as
# before, and host/pressure prepare and host/pageout judge a size alike
# (APF_PAGEOUT_CHUNK=2MiB passed prepare and failed at attach).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
if ! out=$(make -s host/apf-size host/pageout 2>&1); then
	plan 1
	not_ok "build host/apf-size and host/pageout" "$out"
	exit 0
fi
PROG=parse_size.t
# shellcheck source=host/lib.sh
. host/lib.sh

good=("4096=4096" "4096B=4096" "1k=1024" "512M=536870912" "512MB=536870912"
	"2MiB=2097152" "1g=1073741824" "1GiB=1073741824" "3T=3298534883328"
	"9223372036854775807=9223372036854775807")
bad=("" "-4K" "+4K" " 4K" "4K " "1.5G" "1e9" "0x10" "NaN" "inf" "5iB" "4Q" "4P"
	"9223372036854775808" "8388608T" "99999999999999999999999")
plan "$((${#good[@]} + ${#bad[@]} + 9))"

for c in "${good[@]}"; do
	in=${c%%=*} want=${c#*=} rc=0
	got=$(parse_size "$in") || rc=$?
	expect_eq "parse_size '$in' prints $want, returns 0" "$want/0" "$got/$rc"
done
for in in "${bad[@]}"; do
	rc=0
	got=$(parse_size "$in" 2>&1) || rc=$?
	expect_eq "parse_size '$in' returns 1, prints nothing" "1/" "$rc/$got"
done
expect_eq "apf-size prints several sizes in order" "$(printf '1024\n2097152')" "$(host/apf-size 1K 2MiB)"
expect_exit "apf-size: one bad size is exit 2" 2 host/apf-size 1K 2Q
expect_eq "apf-size: one bad size prints none of the others" "" "$(host/apf-size 1K 2Q 2>/dev/null || true)"
expect_exit "apf-size without a size is exit 2" 2 host/apf-size
check "apf-size --version" host/apf-size --version

# The issue's example: the chunk prepare accepts, pageout takes (it then
# fails on the pid, exit 1, not on the chunk, exit 2); a bad one both refuse.
check "prepare accepts --pageout-chunk 2MiB" \
	host/pressure prepare --level none --mem 64M --pageout-chunk 2MiB --state "$TMP_T/s1"
expect_exit "pageout accepts --chunk 2MiB (fails later, on the missing pid)" 1 \
	host/pageout --pid 999999999 --percent 10 --chunk 2MiB --passes 1
expect_exit "prepare refuses --pageout-chunk 2MiBx" 2 \
	host/pressure prepare --level none --mem 64M --pageout-chunk 2MiBx --state "$TMP_T/s2"
expect_exit "pageout refuses --chunk 2MiBx" 2 host/pageout --pid 1 --percent 10 --chunk 2MiBx
