# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034,SC2004  # the state is host/apf-vm's, which sources this
# host/apf-vm's side of the control port (the guest's side and the protocol
# are in host/init-channel.sh): lines with deadlines, and files checked
# against their length and sha256. Sourced by host/apf-vm.
# read_line DEADLINE_US: one line from the guest into LINE.
# Returns 0 ok, 2 deadline passed, 3 QEMU exited, 4 the guest locked up
# (WEDGED says how). host/apf-chan waits in poll() on the channel and on
# QEMU's pidfd, so a line is taken as soon as it is there; it reads nothing
# past the newline, the next line stays in the FIFO. A line costs a fork
# and exec of it (~5 ms on this 2-core machine, ~20 ms under load).
# Locked up: WEDGE_LOG (a console; unset: never) reports a CPU stuck for a
# minute or more. A nested host under TCG has hung that way (an emulated
# CPU stalled, RCU and the soft-lockup watchdog reporting it every 20-30 s,
# never recovering): its cell is lost, so say so now instead of at the
# deadline, minutes later. Shorter stalls (a loaded machine) are left alone.
read_line() {
	local rc=0
	chan_run line --deadline-us "$1" --wedge-log "${WEDGE_LOG:-}" || rc=$?
	case "$rc" in
	0) IFS= read -r LINE <"$CHAN_DIR/out" || LINE="" ;;
	10) return 2 ;;
	11) return 3 ;;
	12) IFS= read -r WEDGED <"$CHAN_DIR/out" || true; return 4 ;;
	*) chan_broke line "$rc" ;;
	esac
}

# chan_run line|file ARGS...: host/apf-chan on the channel (CTL_R), about
# QPID, its stdout into CHAN_DIR/out; returns its exit code. It runs in
# the background and is waited for: `wait` lets a trapped SIGTERM in at
# once, where a command substitution would hold the trap until the
# helper returned (at the deadline, minutes later), and a timed `read -t`
# is out (bash 5.2 longjmps out of it into a stale frame when a trap ran
# meanwhile). DDPID names it for apf-vm's cleanup meanwhile.
chan_run() {
	local pid rc start=${started[$QPID]:-}
	# apf-vm makes $S before anything reads the channel (the accel probe too).
	[ -n "${CHAN_DIR:-}" ] || { CHAN_DIR=$S/chan; mkdir -p "$CHAN_DIR"; }
	"$APF_TOP/host/apf-chan" "$@" --pid "$QPID" ${start:+--pid-start "$start"} \
		<&"$CTL_R" >"$CHAN_DIR/out" 2>"$CHAN_DIR/err" &
	pid=$! DDPID=$!
	while :; do
		rc=0
		wait "$pid" || rc=$?
		# Over 128 with the helper still there: a trap ended the wait.
		if [ "$rc" -le 128 ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
	done
	DDPID=""
	return "$rc"
}

# chan_broke WHAT RC: host/apf-chan failed itself (not a give-up).
chan_broke() {
	[ -x "$APF_TOP/host/apf-chan" ] || fail failed "host/apf-chan is not built; run make"
	fail failed "host/apf-chan $1 exit $2: $(one_line <"$CHAN_DIR/err")"
}

# Time in integer microseconds (EPOCHREALTIME without its decimal point).
# (now_us is host/lib.sh's)
past() { local t=${EPOCHREALTIME//[^0-9]/}; [ "$t" -gt "$1" ]; }

# read_files DEADLINE_US: read_line, but the bytes of FILE and FILEZ lines
# go into $S/recv as they come (host/apf-chan files: one process for all
# of a cell's files, where a line, a file and a sum cost three each), and
# LINE is the first other line. RECEIVED gets "WORD NAME SIZE SUM" per
# file, and T[collect_start] the first one's arrival. apf-chan reads
# exactly SIZE bytes (never one past them) and gives up at the deadline,
# when QEMU is gone, or when they come slower than 10 kB/s (the UART under
# TCG does far more): a file cut short fails the cell here. Their sums are
# recv_check's. Returns as read_line does.
read_files() {
	local rc=0 rec word name got size sum at
	mkdir -p "$S/recv"
	chan_run files --dir "$S/recv" --deadline-us "$1" --wedge-log "${WEDGE_LOG:-}" || rc=$?
	LINE="" WEDGED=""
	while IFS= read -r rec; do
		case "$rec" in
		"F "*)
			read -r _ word name size sum at <<<"$rec"
			RECEIVED+=("$word $name $size $sum")
			[ -n "${T[collect_start]:-}" ] || T[collect_start]=$at ;;
		"L "*) LINE=${rec:2} ;;
		"W "*) WEDGED=${rec:2} ;;
		"B "*) fail failed "guest sent ${rec:2}" ;;
		"P "*)
			read -r _ name got size <<<"$rec"
			case "$rc" in
			10) fail timeout "no complete $name within ${timeout}s; $(console_reason)" ;;
			11) fail failed "guest stopped while sending $name ($got of $size bytes); $(console_reason)$(qemu_dmesg_of "$QPID")" ;;
			# (a sender killed by an oops stops mid-file: the console says so)
			13) fail failed "$name arrived short: $got of $size bytes (slower than 10 kB/s); $(console_reason)" ;;
			esac ;;
		esac
	done <"$CHAN_DIR/out"
	case "$rc" in
	0) ;;
	10) return 2 ;;
	11) return 3 ;;
	12) return 4 ;;
	*) chan_broke files "$rc" ;;
	esac
}

# recv_check: the files read_files received against their sums, with one
# sha256sum for all; the FILEZ ones then unpacked in place, with one gzip.
# It runs after DONE: a failure drops every received file, so nothing of
# a broken transfer passes for the guest's result.
recv_check() {
	local rec word name sum files=() want=() gz=() sums i=0
	[ "${#RECEIVED[@]}" -gt 0 ] || return 0
	for rec in "${RECEIVED[@]}"; do
		read -r word name _ sum <<<"$rec"
		want+=("$sum")
		if [ "$word" = FILEZ ]; then files+=("$name.gz") gz+=("$name.gz"); else files+=("$name"); fi
	done
	sums=$(cd "$S/recv" && sha256sum -- "${files[@]}") || recv_reject "cannot compute the received files' sums"
	while read -r sum _; do
		[ "$sum" = "${want[i]}" ] || recv_reject "${files[i]} arrived corrupt (sha256 mismatch)"
		i=$((i + 1))
	done <<<"$sums"
	[ "${#gz[@]}" -gt 0 ] || return 0
	# (-d removes the .gz; -f if the guest sent both names)
	(cd "$S/recv" && gzip -df -- "${gz[@]}") 2>/dev/null ||
		recv_reject "${gz[*]} arrived as gzip data that does not decompress"
}
recv_reject() {
	rm -rf "$S/recv"
	fail failed "$1"
}
