#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/apf-chan on a FIFO held open read-write, as host/apf-vm holds its
# channel: a line, one split across writes, two in one write (the second
# left for the next call), a line over 4096 bytes, the deadline, a QEMU
# that is gone (its last bytes still read first, a reused PID), the
# lock-up rule, a file of exactly N bytes with a line after it, a short
# file, files up to the next line; then read_line, read_files and
# recv_check over it, and a SIGTERM trap that is
# not held up by a waiting read_line. Nothing boots.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
echo "1..77"

chan=$TOP/host/apf-chan
if [ ! -x "$chan" ]; then
	make -s host/apf-chan >/dev/null 2>&1 || true
fi
mkfifo "$TMP_T/ctl"
exec {F}<>"$TMP_T/ctl"
sleep 600 &
alive=$!
pids=("$alive")
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$TMP_T"' EXIT
in_us() { echo $((${EPOCHREALTIME//[^0-9]/} + $1)); }
# short_lived: a stand-in QEMU that exits in 0.3 s, its PID in short.
short_lived() {
	sleep 0.3 &
	short=$!
	pids+=("$short")
}
# line DEADLINE_IN_US [ARGS]: apf-chan line on the FIFO; OUT and RC (124:
# it overslept its deadline by minutes).
line() {
	local d=$1
	shift
	RC=0
	OUT=$(timeout 120 "$chan" line --deadline-us "$(in_us "$d")" "$@" <&"$F" 2>"$TMP_T/err") || RC=$?
}

expect_exit "--help exits 0" 0 "$chan" --help
check "--version names the tool" grep -q "^apf-chan " <<<"$("$chan" --version)"
expect_exit "no subcommand: exit 2" 2 "$chan"
expect_exit "line without --pid: exit 2" 2 "$chan" line --deadline-us 1
expect_exit "file without --out: exit 2" 2 "$chan" file --size 1 --deadline-us 1 --pid "$alive"
expect_exit "a bad deadline: exit 2" 2 "$chan" line --deadline-us 12x --pid "$alive"

printf 'READY 6.1 0.5\n' >&"$F"
line 2000000 --pid "$alive"
expect_eq "a line" "0 READY 6.1 0.5" "$RC $OUT"

{ printf 'PHA'; sleep 0.3; printf 'SE st'; sleep 0.2; printf 'art\r\n'; } >&"$F" &
pids+=($!)
line 10000000 --pid "$alive"
expect_eq "a line split across writes, its \\r dropped" "0 PHASE start" "$RC $OUT"

printf 'FILE a 1 x\nDONE 0\n' >&"$F"
line 2000000 --pid "$alive"
expect_eq "two lines in one write: the first" "0 FILE a 1 x" "$RC $OUT"
line 2000000 --pid "$alive"
expect_eq "two lines in one write: the second, by the next call" "0 DONE 0" "$RC $OUT"

{ head -c 5000 /dev/zero | tr '\0' a; printf '\n'; } >&"$F"
line 2000000 --pid "$alive"
expect_eq "a long line: its first 4096 bytes" "0 4096" "$RC ${#OUT}"
line 2000000 --pid "$alive"
expect_eq "a long line: the rest by the next call" "0 904" "$RC ${#OUT}"

printf 'A\0B\n' >&"$F"
line 2000000 --pid "$alive"
expect_eq "NUL bytes dropped" "0 AB" "$RC $OUT"

# Over 2.1 s: poll() takes milliseconds in an int, the deadline microseconds.
t0=${EPOCHREALTIME//[^0-9]/}
line 2500000 --pid "$alive"
expect_eq "a silent channel: the deadline (10)" "10 " "$RC $OUT"
waited=$((${EPOCHREALTIME//[^0-9]/} - t0))
check "the deadline: not before it" test "$waited" -ge 2500000
line -1000000 --pid "$alive"
expect_eq "a deadline already past: 10" 10 "$RC"
printf 'LATE\n' >&"$F"
line -1000000 --pid "$alive"
expect_eq "past the deadline, a line already there is still read" "0 LATE" "$RC $OUT"

short_lived
line 60000000 --pid "$short"
expect_eq "QEMU exits while waiting: 11 at once, not at the deadline" 11 "$RC"
wait "$short" 2>/dev/null || true
printf 'LAST 1\n' >&"$F"
line 2000000 --pid "$short"
expect_eq "QEMU gone: what it wrote is read first" "0 LAST 1" "$RC $OUT"
line 2000000 --pid "$short"
expect_eq "QEMU gone and the FIFO empty: 11" 11 "$RC"
printf 'PART' >&"$F"
line 2000000 --pid "$short"
expect_eq "QEMU gone mid-line: 11" 11 "$RC"
start=$(sed 's/.*) //' "/proc/$alive/stat" | cut -d' ' -f20)
line 300000 --pid "$alive" --pid-start "$start"
expect_eq "--pid-start of the live process: waits for the deadline" 10 "$RC"
line 2000000 --pid "$alive" --pid-start "$((start + 1))"
expect_eq "--pid-start that does not match: a reused PID, gone" 11 "$RC"

# The lock-up rule: a soft-lockup report of 60 s or more.
log=$TMP_T/console.log
line 1500000 --pid "$alive" --wedge-log "$log"
expect_eq "no console yet: the deadline" 10 "$RC"
printf '[ 45.2] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n' >"$log"
printf '[104.4] watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [bash:1885]\n' >>"$log"
line 1500000 --pid "$alive" --wedge-log "$log"
expect_eq "stuck for 23 s: not wedged (the deadline)" 10 "$RC"
printf '[144.4] watchdog: BUG: soft lockup - CPU#1 stuck for 60s! [bash:1885]\n' >>"$log"
line 30000000 --pid "$alive" --wedge-log "$log"
expect_eq "stuck for 60 s: wedged (12) well before the deadline" 12 "$RC"
expect_eq "wedged: stdout names the stall and the console" "a CPU stuck for 60s (soft lockup) in console.log" "$OUT"
printf '[164.4] watchdog: BUG: soft lockup - CPU#1 stuck for 8s! [bash:1885]\n' >>"$log"
line 1500000 --pid "$alive" --wedge-log "$log"
expect_eq "the last report counts: 8 s is not wedged" 10 "$RC"
printf '[184.4] watchdog: BUG: soft lockup - CPU#0 stuck for 1234s! [x:1]\n' >>"$log"
printf 'GO\n' >&"$F"
line 30000000 --pid "$alive" --wedge-log "$log"
expect_eq "wedged, but a line is there: the line" "0 GO" "$RC $OUT"

# Files: exactly N bytes, never one past them.
head -c 70000 /dev/urandom >"$TMP_T/blob"
{ cat "$TMP_T/blob"; printf 'DONE 0\n'; } >&"$F" &
pids+=($!)
RC=0
got=$("$chan" file --size 70000 --out "$TMP_T/got" --deadline-us "$(in_us 20000000)" --pid "$alive" <&"$F") || RC=$?
expect_eq "a file of 70000 bytes: exit 0, the count" "0 70000" "$RC $got"
check "the file arrived intact" cmp "$TMP_T/blob" "$TMP_T/got"
line 2000000 --pid "$alive"
expect_eq "the line after the file is intact" "0 DONE 0" "$RC $OUT"

short_lived
printf '0123456789' >&"$F"
RC=0
got=$("$chan" file --size 1000 --out "$TMP_T/short" --deadline-us "$(in_us 60000000)" --pid "$short" <&"$F") || RC=$?
expect_eq "a short file, QEMU gone: 11 and the bytes received" "11 10" "$RC $got"
printf '0123456789' >&"$F"
RC=0
got=$("$chan" file --size 1000 --out "$TMP_T/short" --deadline-us "$(in_us 300000)" --pid "$alive" <&"$F") || RC=$?
expect_eq "a short file at the deadline: 10" "10 10" "$RC $got"
expect_exit "an output that cannot be created: exit 1" 1 "$chan" file --size 1 --out "$TMP_T/no/such" \
	--deadline-us "$(in_us 300000)" --pid "$alive" <&"$F"

# files: every FILE/FILEZ line's bytes into the directory, up to the first
# other line; a bad FILE line, a file cut short.
files() {
	local d=$1
	shift
	RC=0
	OUT=$(timeout 120 "$chan" files --dir "$TMP_T/fd" --deadline-us "$(in_us "$d")" "$@" <&"$F" 2>"$TMP_T/err") || RC=$?
}
mkdir -p "$TMP_T/fd"
expect_exit "files without --dir: exit 2" 2 "$chan" files --deadline-us 1 --pid "$alive"
expect_exit "--dir is files' only: exit 2" 2 "$chan" line --dir "$TMP_T/fd" --deadline-us 1 --pid "$alive"
printf 'abc' >"$TMP_T/small"
{
	printf 'FILE blob.bin 70000 s1\n'
	cat "$TMP_T/blob"
	printf 'FILEZ small 3 s2\n'
	cat "$TMP_T/small"
	printf 'FILE empty 0 s3\nDONE 0\nNEXT\n'
} >&"$F" &
pids+=($!)
files 20000000 --pid "$alive"
expect_eq "files: exit 0, a record per file, then the other line" \
	"0|F FILE blob.bin 70000 s1|F FILEZ small 3 s2|F FILE empty 0 s3|L DONE 0" \
	"$RC|$(sed -E '/^F /s/ [0-9]+$//' <<<"$OUT" | paste -sd'|')"
check "files: each record has its line's arrival (microseconds, in order)" \
	awk '$1 == "F" { if ($6 !~ /^[0-9]+$/ || length($6) != 16 || $6 + 0 < last) exit 1; last = $6 + 0 }' <<<"$OUT"
check "files: the bytes arrived intact" cmp "$TMP_T/blob" "$TMP_T/fd/blob.bin"
check "files: FILEZ goes to NAME.gz" cmp "$TMP_T/small" "$TMP_T/fd/small.gz"
check "files: an empty file is made" test -f "$TMP_T/fd/empty" -a ! -s "$TMP_T/fd/empty"
line 2000000 --pid "$alive"
expect_eq "files: nothing past the line that ended it was read" "0 NEXT" "$RC $OUT"
printf 'FILE ../x 1 s\n' >&"$F"
files 2000000 --pid "$alive"
expect_eq "files: a bad name: 14, B says it" "14 B a bad file name '../x'" "$RC $OUT"
printf 'FILE a 12x s\n' >&"$F"
files 2000000 --pid "$alive"
expect_eq "files: a bad length: 14" "14 B a bad length '12x' for a" "$RC $OUT"
printf 'FILE big %d s\n' $((256 * 1024 * 1024 + 1)) >&"$F"
files 2000000 --pid "$alive"
expect_eq "files: over 256M: 14" "14 B a bad length '268435457' for big" "$RC $OUT"
short_lived
printf 'FILEZ cut 1000 s\n0123456789' >&"$F"
files 60000000 --pid "$short"
expect_eq "files: QEMU gone mid-file: 11, P says what came" "11 P cut.gz 10 1000" "$RC $OUT"
files 1500000 --pid "$alive" --wedge-log "$log"
expect_eq "files: wedged while waiting for a line: 12, W says why" \
	"12 W a CPU stuck for 1234s (soft lockup) in console.log" "$RC $OUT"

# read_line, read_files and recv_check (host/vm-lib/channel.sh) over the
# same FIFO.
# shellcheck source=host/lib.sh
. host/lib.sh
# shellcheck source=host/vm-lib/channel.sh
. host/vm-lib/channel.sh
fail() { echo "FAIL $1: $2"; exit 1; }
console_reason() { echo "console"; }
S=$TMP_T/s CTL_R=$F QPID=$alive timeout=1 WEDGE_LOG=""
declare -A started=([$alive]=$start)
mkdir -p "$S/recv"
printf 'READY 1\nPHASE start\n' >&"$F"
rc=0
read_line "$(in_us 2000000)" || rc=$?
expect_eq "read_line: a line into LINE" "0 READY 1" "$rc $LINE"
rc=0
read_line "$(in_us 2000000)" || rc=$?
expect_eq "read_line: the next line" "0 PHASE start" "$rc $LINE"
rc=0
read_line "$(in_us 200000)" || rc=$?
expect_eq "read_line: 2 at the deadline" 2 "$rc"
WEDGE_LOG=$log
rc=0
read_line "$(in_us 30000000)" || rc=$?
expect_eq "read_line: 4 on a locked-up guest, WEDGED says why" "4 a CPU stuck for 1234s (soft lockup) in console.log" "$rc $WEDGED"
WEDGE_LOG=""
sum=$(sha256sum <"$TMP_T/blob" | cut -d' ' -f1)
gzip -c "$TMP_T/small" >"$TMP_T/small.gz"
zsum=$(sha256sum <"$TMP_T/small.gz" | cut -d' ' -f1)
{
	printf 'PHASE stop\nFILE blob.bin 70000 %s\n' "$sum"
	cat "$TMP_T/blob"
	printf 'FILEZ small %d %s\n' "$(stat -c %s "$TMP_T/small.gz")" "$zsum"
	cat "$TMP_T/small.gz"
	printf 'DONE 0\n'
} >&"$F" &
pids+=($!)
declare -A T=()
RECEIVED=()
rc=0
read_files "$(in_us 20000000)" || rc=$?
expect_eq "read_files: a line before any file" "0 PHASE stop 0" "$rc $LINE ${#RECEIVED[@]}"
rc=0
read_files "$(in_us 20000000)" || rc=$?
expect_eq "read_files: the files, then DONE" "0 DONE 0|FILE blob.bin 70000 $sum|FILEZ small ${#zsum}" \
	"$rc $LINE|${RECEIVED[0]}|$(cut -d' ' -f1,2 <<<"${RECEIVED[1]}") ${#zsum}"
check "read_files: collect_start marked" test -n "${T[collect_start]:-}"
check "recv_check: sums match, FILEZ unpacked" recv_check
check "recv_check: the bytes" cmp "$TMP_T/blob" "$S/recv/blob.bin"
check "recv_check: the unpacked file" cmp "$TMP_T/small" "$S/recv/small"
printf 'FILE c.bin 1 %s\nxDONE 0\n' "$sum" >&"$F"
RECEIVED=()
read_files "$(in_us 2000000)" || true
out=$(recv_check 2>&1) && rc=0 || rc=$?
expect_eq "recv_check: a corrupt file fails" "1 FAIL failed: c.bin arrived corrupt (sha256 mismatch)" "$rc $out"
printf 'FILE s.bin 5 %s\n' "$sum" >&"$F"
out=$(read_files "$(in_us 300000)" 2>&1) && rc=0 || rc=$?
expect_eq "read_files: no file by the deadline: a timeout" "1 FAIL timeout: no complete s.bin within 1s; console" "$rc $out"
printf 'FILE ../s 5 %s\n' "$sum" >&"$F"
out=$(read_files "$(in_us 300000)" 2>&1) && rc=0 || rc=$?
expect_eq "read_files: a bad name fails the cell" "1 FAIL failed: guest sent a bad file name '../s'" "$rc $out"

# The guest's sender (host/init-channel.sh's chan_send_dir, busybox sh as
# in the guest) into a file, read back by read_files and recv_check: one
# gzip, stat, sha256sum and cat for all files; an empty file, a file
# already named .gz (sent as it is) and binary bytes arrive intact.
if bb=$(command -v busybox); then
	sd=$TMP_T/send
	mkdir -p "$sd/out" "$sd/keep"
	head -c 70000 /dev/urandom >"$sd/out/blob.bin"
	printf '{"a": 1}\n' >"$sd/out/result.json"
	: >"$sd/out/empty.tsv"
	gzip -c "$sd/out/result.json" >"$sd/out/packed.gz"
	mkdir "$sd/out/subdir"
	cp "$sd/out/blob.bin" "$sd/out/result.json" "$sd/out/packed.gz" "$sd/keep/"
	rc=0
	"$bb" sh -c '. "$1"; chan_send_dir "$2" 3>"$3"; printf "DONE 0\n" >>"$3"' sh \
		"$TOP/host/init-channel.sh" "$sd/out" "$sd/stream" || rc=$?
	expect_eq "chan_send_dir: exit 0" 0 "$rc"
	cat "$sd/stream" >&"$F" &
	pids+=($!)
	RECEIVED=() S=$TMP_T/s3
	mkdir -p "$S"
	rc=0
	read_files "$(in_us 20000000)" || rc=$?
	expect_eq "chan_send_dir -> read_files: then DONE" "0 DONE 0" "$rc $LINE"
	expect_eq "chan_send_dir: a FILEZ per plain file, the .gz as it is, no directory" \
		"FILE packed.gz|FILEZ blob.bin|FILEZ empty.tsv|FILEZ result.json" \
		"$(printf '%s\n' "${RECEIVED[@]}" | cut -d' ' -f1,2 | sort -k1,1 -k2,2 | paste -sd'|')"
	check "chan_send_dir -> recv_check: sums match" recv_check
	for f in blob.bin result.json packed.gz; do
		check "chan_send_dir: $f arrived intact" cmp "$sd/keep/$f" "$S/recv/$f"
	done
	check "chan_send_dir: the empty file arrived empty" test -f "$S/recv/empty.tsv" -a ! -s "$S/recv/empty.tsv"
	# chan_read_go: HELLO answered, the tail of a HELLO cut short by a
	# snapshot's load dropped without a word, anything else logged; GO's
	# words one a line (no clock word: this would set the machine's).
	printf 'ELLO\nHELLO\nLO\nJUNK\nGO 2\na b\nc\nnot an arg\n' >"$sd/go.in"
	out=$("$bb" sh -c '. "$1"; chan_ready() { echo READY; }; chan_read_go "$2" 3<"$3"' sh \
		"$TOP/host/init-channel.sh" "$sd/go.args" "$sd/go.in" 2>&1)
	expect_eq "chan_read_go: one READY for HELLO, a word only for JUNK" \
		"READY|apf-init: ignoring 'JUNK' on the control port" "$(paste -sd'|' <<<"$out")"
	expect_eq "chan_read_go: GO's two words" "a b|c" "$(paste -sd'|' "$sd/go.args" 2>/dev/null)"
else
	skip "chan_send_dir round trip" "busybox not installed"
fi

# qemu_dmesg_of (host/vm-lib/qemu.sh): the host kernel's last line naming
# a QEMU that is gone (a fake dmesg), and nothing for another PID.
# shellcheck source=host/vm-lib/qemu.sh
. host/vm-lib/qemu.sh
mkdir -p "$TMP_T/fakebin"
cat >"$TMP_T/fakebin/dmesg" <<'EOD'
#!/bin/sh
echo '[ 1.0] qemu-system-x86[4242]: segfault at 0 ip 0 sp 0 error 4'
echo '[ 2.0] Memory cgroup out of memory: Killed process 4242 (qemu-system-x86) total-vm:1kB'
echo '[ 3.0] other[42420]: segfault at 0; Killed process 42420 (x)'
EOD
chmod +x "$TMP_T/fakebin/dmesg"
expect_eq "qemu_dmesg_of: the kernel's last line about that PID" \
	"; host kernel: [ 2.0] Memory cgroup out of memory: Killed process 4242 (qemu-system-x86) total-vm:1kB" \
	"$(PATH=$TMP_T/fakebin:$PATH qemu_dmesg_of 4242)"
expect_eq "qemu_dmesg_of: nothing for a PID the kernel did not name" "" "$(PATH=$TMP_T/fakebin:$PATH qemu_dmesg_of 424)"

# A SIGTERM while read_line waits runs the trap at once (a command
# substitution would hold it until the helper's deadline, a minute on).
cat >"$TMP_T/term.sh" <<EOF
set -eu
. "$TOP/host/lib.sh"
. "$TOP/host/vm-lib/channel.sh"
fail() { exit 1; }
exec {CTL_R}<>"$TMP_T/ctl"
S=$TMP_T/s2 QPID=$alive DDPID=""
mkdir -p "\$S"
trap 'echo "\$DDPID" >"$TMP_T/helper"; exit 143' TERM
echo waiting >"$TMP_T/term.ready"
read_line \$((\${EPOCHREALTIME//[^0-9]/} + 60000000))
exit 0
EOF
bash "$TMP_T/term.sh" &
tpid=$!
pids+=("$tpid")
for _ in $(seq 1 100); do
	[ -s "$TMP_T/term.ready" ] && break
	sleep 0.05
done
sleep 0.3
kill -TERM "$tpid"
rc=0
timeout 20 tail --pid="$tpid" -f /dev/null || rc=$?
expect_eq "SIGTERM while read_line waits: the trap runs at once" 0 "$rc"
wait "$tpid" 2>/dev/null && rc=0 || rc=$?
expect_eq "SIGTERM: the trap's exit code" 143 "$rc"
helper=$(cat "$TMP_T/helper" 2>/dev/null || true)
check "SIGTERM: DDPID named the waiting helper" test -n "$helper"
kill "$helper" 2>/dev/null || true
for _ in $(seq 1 100); do
	kill -0 "$helper" 2>/dev/null || break
	sleep 0.05
done
printf 'AFTER\n' >&"$F"
line 2000000 --pid "$alive"
expect_eq "after the helper is stopped, the channel still works" "0 AFTER" "$RC $OUT"
