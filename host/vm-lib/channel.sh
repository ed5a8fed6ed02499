# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034,SC2004  # the state is host/apf-vm's, which sources this
# host/apf-vm's side of the control port (the guest's side and the protocol
# are in host/init-channel.sh): lines with deadlines, and files checked
# against their length and sha256. Sourced by host/apf-vm.
# read_line DEADLINE_US: one line from the guest into LINE.
# Returns 0 ok, 2 deadline passed, 3 QEMU exited, 4 the guest locked up
# (WEDGED says how). Polls (read -t 0, then one byte at a time) instead of
# `read -t N`: bash 5.2 longjmps out of a timed read into a stale frame
# when a trap ran meanwhile (SIGTERM crashed).
# The wait between polls is short while lines come (a guest sending its
# files or answering HELLO) and 0.1 s once it has been quiet for a second
# (a guest measuring: a poll is a fork of sleep).
read_line() {
	local deadline=$1 c dead=0 polls=0
	while :; do
		while read -t 0 -u "$CTL_R"; do
			c=""
			IFS= read -r -N 1 -u "$CTL_R" c || break
			if [ "$c" = $'\n' ] || [ "${#LINE_BUF}" -ge 4096 ]; then
				LINE=${LINE_BUF%$'\r'} LINE_BUF=""
				LINE_QUIET=0
				return 0
			fi
			LINE_BUF+=$c
		done
		if ! qemu_alive "$QPID"; then
			# Whatever QEMU wrote before exiting is still in the FIFO.
			dead=$((dead + 1))
			[ "$dead" -lt 2 ] || return 3
		fi
		past "$deadline" && return 2
		polls=$((polls + 1))
		[ $((polls % 20)) != 0 ] || ! wedged || return 4
		LINE_QUIET=$((${LINE_QUIET:-0} + 1))
		if [ "$LINE_QUIET" -lt 50 ]; then sleep 0.02; else sleep 0.1; fi
	done
}

# wedged: WEDGE_LOG (a console; unset: never) reports a CPU stuck for a
# minute or more, into WEDGED. A nested host under TCG has hung that way
# (an emulated CPU stalled, RCU and the soft-lockup watchdog reporting it
# every 20-30 s, never recovering): its cell is lost, so say so now
# instead of at the deadline, minutes later. Shorter stalls (a loaded
# machine) are left alone.
wedged() {
	local n
	[ -n "${WEDGE_LOG:-}" ] && [ -f "$WEDGE_LOG" ] || return 1
	n=$(grep -aoE 'soft lockup - CPU#[0-9]+ stuck for [0-9]+s' "$WEDGE_LOG" | tail -n 1) || return 1
	n=${n##*for }
	n=${n%s}
	[ -n "$n" ] && [ "$n" -ge 60 ] || return 1
	WEDGED="a CPU stuck for ${n}s (soft lockup) in ${WEDGE_LOG##*/}"
}

# Time in integer microseconds (EPOCHREALTIME without its decimal point).
# (now_us is host/lib.sh's)
past() { local t=${EPOCHREALTIME//[^0-9]/}; [ "$t" -gt "$1" ]; }

# recv_file NAME SIZE SUM DEADLINE [gz]: exactly SIZE bytes into
# $S/recv/NAME; with gz they are the file gzip'ed (FILEZ), unpacked once
# their length and sum are checked.
recv_file() {
	local name=$1 size=$2 sum=$3 deadline=$4 f budget ddpid dead
	if [ "${5:-}" = gz ]; then
		recv_file "$name.gz" "$size" "$sum" "$deadline"
		gzip -dc "$S/recv/$name.gz" >"$S/recv/$name" || fail failed "$name arrived as gzip data that does not decompress"
		rm -f "$S/recv/$name.gz"
		return
	fi
	valid_name "$name" || fail failed "guest sent a bad file name '$name'"
	[[ $size =~ ^[0-9]+$ && $size -le $((256 << 20)) ]] ||
		fail failed "guest sent a bad length '$size' for $name"
	f=$S/recv/$name
	if [ "$size" -gt 0 ]; then
		# dd reads exactly SIZE bytes (fullblock never reads past them). It
		# runs beside a watch: we hold the FIFO's write end too, so dd sees
		# no EOF when QEMU dies; stop it then, at the deadline, or when it is
		# slower than 10 kB/s (the UART under TCG does far more).
		budget=$(($(now_us) + (60 + size / 10000) * 1000000))
		[ "$budget" -le "$deadline" ] || budget=$deadline
		dd bs="$size" count=1 iflag=fullblock status=none <&"$CTL_R" >"$f" &
		ddpid=$! dead=0 DDPID=$!
		# dd ends once it has SIZE bytes; a file takes a few tenths of a
		# second, so look often (no forks but sleep).
		while [ -d "/proc/$ddpid" ]; do
			if ! qemu_alive "$QPID"; then
				dead=$((dead + 1))
				[ "$dead" -lt 25 ] || break
			fi
			past "$budget" && break
			sleep 0.02
		done
		[ "$(stat -c %s "$f" 2>/dev/null)" = "$size" ] || kill "$ddpid" 2>/dev/null || true
		wait "$ddpid" 2>/dev/null || true
		DDPID=""
		if [ "$(stat -c %s "$f" 2>/dev/null)" != "$size" ]; then
			qemu_alive "$QPID" || fail failed "guest stopped while sending $name; $(console_reason)"
			past "$deadline" && fail timeout "no complete $name within ${timeout}s; $(console_reason)"
		fi
	else
		: >"$f"
	fi
	[ "$(stat -c %s "$f" 2>/dev/null)" = "$size" ] ||
		fail failed "$name arrived short: $(stat -c %s "$f" 2>/dev/null || echo 0) of $size bytes"
	[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$sum" ] ||
		fail failed "$name arrived corrupt (sha256 mismatch)"
}

