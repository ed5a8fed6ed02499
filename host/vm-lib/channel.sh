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

# recv_file NAME SIZE SUM DEADLINE [gz]: exactly SIZE bytes into
# $S/recv/NAME; with gz they are the file gzip'ed (FILEZ), unpacked once
# their length and sum are checked. host/apf-chan reads them (never one
# past them) and gives up at the deadline, when QEMU is gone, or when
# they come slower than 10 kB/s (the UART under TCG does far more).
recv_file() {
	local name=$1 size=$2 sum=$3 deadline=$4 f rc=0 got hash
	if [ "${5:-}" = gz ]; then
		recv_file "$name.gz" "$size" "$sum" "$deadline"
		# (in place: -d removes the .gz; -f if the guest sent both names)
		gzip -df "$S/recv/$name.gz" 2>/dev/null || fail failed "$name arrived as gzip data that does not decompress"
		return
	fi
	valid_name "$name" || fail failed "guest sent a bad file name '$name'"
	[[ $size =~ ^[0-9]+$ && $size -le $((256 << 20)) ]] ||
		fail failed "guest sent a bad length '$size' for $name"
	f=$S/recv/$name
	if [ "$size" -gt 0 ]; then
		chan_run file --size "$size" --out "$f" --deadline-us "$deadline" || rc=$?
		IFS= read -r got <"$CHAN_DIR/out" || got=0
		case "$rc" in
		0) ;;
		10) fail timeout "no complete $name within ${timeout}s; $(console_reason)" ;;
		11) fail failed "guest stopped while sending $name ($got of $size bytes); $(console_reason)" ;;
		# (a sender killed by an oops stops mid-file: the console says so)
		13) fail failed "$name arrived short: $got of $size bytes (slower than 10 kB/s); $(console_reason)" ;;
		*) chan_broke "file $name" "$rc" ;;
		esac
	else
		: >"$f"
	fi
	hash=$(sha256sum <"$f") || hash=""
	[ "${hash%% *}" = "$sum" ] || fail failed "$name arrived corrupt (sha256 mismatch)"
}
