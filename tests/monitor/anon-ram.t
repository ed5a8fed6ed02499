#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/monitor-sampler's guest columns for anonymous guest RAM (QEMU under
# KVM without a memory backend): with --guest-bytes the anonymous mapping
# of at least that size is the guest's; without it, only a memfd counts.
# Driven by a fake /proc (APF_PROC_ROOT).
. "$(dirname "$0")/../lib.sh"
S=$TOP/host/monitor-sampler
if [ ! -x "$S" ]; then
	skip_rest "monitor-sampler anonymous RAM" "not built (run make)"
fi
plan 5
FP=$TMP_T/proc FPID=4243
export APF_PROC_ROOT=$FP
mkdir -p "$FP/$FPID" "$FP/pressure"
printf 'nr_free_pages 1000\npgmajfault 1\npswpin 2\npswpout 3\n' >"$FP/vmstat"
printf '%s (qemu fake) S 1 1 1 0 -1 0 0 0 10 0 0 0 0 0 20 0 3 0 777 0 0\n' "$FPID" >"$FP/$FPID/stat"
printf '2000 512 0 0 0 0 0\n' >"$FP/$FPID/statm"
printf 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n' >"$FP/pressure/memory"
# A 64 MiB + 2 MiB anonymous mapping (the RAM and its alignment), a small
# anonymous one, a file mapping and the heap: only the first is the guest's.
cat >"$FP/$FPID/smaps" <<'SMAPS'
7f0000000000-7f0004200000 rw-p 00000000 00:00 0 
Size: 67584 kB
Rss: 1024 kB
Swap: 2048 kB
7f1000000000-7f1000100000 rw-p 00000000 00:00 0 
Size: 1024 kB
Rss: 512 kB
Swap: 256 kB
7f2000000000-7f2008000000 r-xp 00000000 08:01 1234 /usr/bin/qemu-system-x86_64
Size: 131072 kB
Rss: 4096 kB
Swap: 0 kB
55d000000000-55d008000000 rw-p 00000000 00:00 0 [heap]
Size: 131072 kB
Rss: 8192 kB
Swap: 64 kB
SMAPS

# run_once NAME ARGS...: the sampler for ~0.3 s; COLS: its first row's guest columns
run_once() {
	local name=$1 sp rc=0
	shift
	"$S" --pid "$FPID" --tsv "$TMP_T/$name.tsv" --reg "$TMP_T/$name" --interval 0.05 "$@" 2>"$TMP_T/$name.err" &
	sp=$!
	sleep 0.3
	kill -TERM "$sp" 2>/dev/null || true
	wait "$sp" || rc=$?
	expect_eq "$name: exit 0" 0 "$rc"
	COLS=$(awk -F'\t' 'NR == 2 {print $6, $7}' "$TMP_T/$name.tsv")
}
mkdir -p "$TMP_T/with" "$TMP_T/without"
run_once with --guest-bytes $((64 << 20))
expect_eq "with --guest-bytes 64M: the big anonymous mapping's Rss and Swap" "1048576 2097152" "$COLS"
run_once without
expect_eq "without --guest-bytes: no memfd, so 0" "0 0" "$COLS"
expect_exit "--guest-bytes below 1 MiB: bad usage" 2 "$S" --pid "$FPID" --tsv "$TMP_T/x.tsv" --reg "$TMP_T" --guest-bytes 1000
