# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh disable=SC3045  # busybox ash has read -t
# The control-port protocol of both /init programs (host/guest-init in a
# guest, host/host-init in a nested host), on /dev/ttyS1 as fd 3. Sourced
# (busybox sh) from /etc/apf-channel.sh. The host side is host/apf-vm.
#   guest: READY <release> <uptime_s>
#   host:  GO <n>            then n lines, one argv word each
#   guest: PHASE start|stop  (optional, from the workload: measured phase)
#          FILE <name> <bytes> <sha256>  then exactly <bytes> raw bytes
#          FILEZ <name> <bytes> <sha256> the same, the bytes gzip'ed
#          ... one per file in the output dir ...
#          ERR <text>        (optional, why nothing useful came)
#          DONE <exit code>
#   host:  ACK               (then the guest powers off; ACK means the host
#                             has everything, so nothing is lost in the UART)

chan_log() { echo "apf-init: $*"; }

chan_halt() {
	sync
	poweroff -f
	sleep 5
	echo o >/proc/sysrq-trigger
}

# chan_open: raw mode (file bytes pass unchanged), fd 3; halts without it.
chan_open() {
	if ! stty -F /dev/ttyS1 raw -echo -ixon -ixoff 2>/dev/null || ! exec 3<>/dev/ttyS1; then
		chan_log "no control port /dev/ttyS1; cannot talk to the host"
		chan_halt
	fi
}

chan_ready() {
	up=$(cut -d' ' -f1 /proc/uptime)
	chan_log "ready after ${up}s"
	printf 'READY %s %s\n' "$(uname -r)" "$up" >&3
}

# chan_read_go FILE: wait for GO, then its words into FILE, one per line.
# HELLO asks for READY again: a guest restored from a snapshot said it
# long ago (host/vm-lib/snapshot.sh). GO's optional third word is the
# host's clock (seconds since 1970), which such a guest lacks.
chan_read_go() {
	while read -r word n now <&3; do
		[ "$word" = GO ] && break
		case "$word" in
		HELLO) chan_ready; continue ;;
		# the tail of a HELLO whose first bytes QEMU dropped while the
		# snapshot loaded
		ELLO | LLO | LO | O) continue ;;
		esac
		chan_log "ignoring '$word' on the control port"
	done
	[ "${word:-}" = GO ] || { chan_log "control port closed before GO"; return 1; }
	case "${now:-}" in '' | *[!0-9]*) ;; *) date -s "@$now" >/dev/null 2>&1 || chan_log "cannot set the clock" ;; esac
	case "$n" in '' | *[!0-9]*) n=0 ;; esac
	: >"$1"
	i=0
	while [ "$i" -lt "$n" ] && read -r a <&3; do
		printf '%s\n' "$a" >>"$1"
		i=$((i + 1))
	done
}

# chan_send_dir DIR: every regular file of DIR, with its length and
# sha256. Under TCG every command is a fork and exec of emulated code
# (~25 ms each here), so the commands are few and each takes all files at
# once: one gzip, one stat, one sha256sum, and one cat for the whole
# stream, whose header lines are written beforehand into files of their
# own. Files go gzip'ed (FILEZ): every byte on an emulated UART costs an
# exit to the VMM, and through a nested host two (result.json shrinks
# ~6x); a small file grows by ~20 bytes. They are gzip'ed in place (the
# guest powers off next); one gzip could not pack, or one already named
# .gz, goes as it is (FILE). (The names are apfw's, no blanks: the host
# refuses any other.)
chan_send_dir() {
	plain="" srcs="" kinds=""
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		case "$f" in *.gz) srcs="$srcs $f" kinds="${kinds}F" ;; *) plain="$plain $f" ;; esac
	done
	if [ -n "$plain" ]; then
		# shellcheck disable=SC2086  # the names, split on purpose
		gzip -1 -f $plain 2>/dev/null || chan_log "gzip failed; some files go as they are"
		for f in $plain; do
			if [ -f "$f.gz" ]; then
				srcs="$srcs $f.gz" kinds="${kinds}Z"
			elif [ -f "$f" ]; then
				srcs="$srcs $f" kinds="${kinds}F"
			fi
		done
	fi
	[ -n "$srcs" ] || return 0
	h=/dev/shm/.chan-head
	# shellcheck disable=SC2086
	stat -c %s $srcs >"$h-lens" && sha256sum $srcs >"$h-sums" || return 1
	exec 4<"$h-lens" 5<"$h-sums"
	i=0 stream=""
	for src in $srcs; do
		read -r size <&4
		read -r sum _ <&5
		i=$((i + 1))
		name=${src##*/} word=FILE
		case "$kinds" in Z*) name=${name%.gz} word=FILEZ ;; esac
		kinds=${kinds#?}
		printf '%s %s %s %s\n' "$word" "$name" "$size" "$sum" >"$h-$i"
		stream="$stream $h-$i $src"
	done
	exec 4<&- 5<&-
	# shellcheck disable=SC2086
	cat $stream >&3
}

# chan_finish RC: DONE, then power off once the host has everything (or
# after a grace period).
chan_finish() {
	printf 'DONE %s\n' "$1" >&3
	read -r -t 30 ack <&3 || chan_log "no ACK from the host"
	[ "${ack:-}" = ACK ] || chan_log "unexpected '${ack:-}' instead of ACK"
	chan_halt
}
