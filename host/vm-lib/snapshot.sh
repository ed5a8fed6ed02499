# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034  # the state is host/apf-vm's, which sources this
# Starting a TCG guest from a saved ready state instead of booting it.
# Under TCG a kernel boot to READY costs 2-3 s of emulated CPU per cell,
# the largest part of a cell's overhead. The state of a guest that has
# just said READY (and waits for GO) is the same for every cell of one
# QEMU command line, kernel and initramfs, so it is saved once (QEMU's
# migration stream into a file, ~75 MB for a 512M guest) and every later
# cell starts QEMU with -incoming from it: ~0.3 s instead of the boot.
#
# Only where the restored guest cannot measure differently from a booted
# one: this machine's TCG (no KVM async-PF state to carry over), anonymous
# guest RAM, and no pressure. QEMU's load reads every zero page of guest
# RAM; where the host kernel maps no zero page for such a read (this
# machine's 6.18 does not: reading 200 MB of untouched anonymous memory
# made 218 MB resident) all of guest RAM becomes resident, ~512 MB against
# ~90 MB after a boot. Without pressure that changes nothing measured;
# under a cgroup limit it does (fault-storm at limit50: 27k against 2.2k
# touches/s, the zero pages going to swap first). A memfd is worse still
# (a shmem read fault always allocates). APF_SNAPSHOT=0 boots every cell.
#
# A nested host (L1) always can: no pressure touches its RAM (that is
# inside it, on L2), and its boot is ~9 s of a nested cell here. But its
# 2 GiB would all become resident at each load, 2-4 s on this machine
# (whose own RAM comes back from the hypervisor it runs on), so L1's RAM
# is a file in /dev/shm instead, opened and unlinked at once (no exit can
# leave it behind; QEMU maps it by /proc/self/fd): the snapshot is that
# file's data (KEY.ram, sparse: ~300 MB, L1's userspace and L2's files)
# beside QEMU's device state without RAM (KEY.mig, migration with
# x-ignore-shared), and a cell copies the data into its own file.
#
# The saved guest is blocked reading GO; QEMU drops what the control
# port receives while the state loads, so apf-vm repeats HELLO until the
# guest answers READY again (host/init-channel.sh), then sends GO with
# the host's clock (the restored guest's clock is the snapshot's).
# Sourced by host/apf-vm.

SNAPSHOT_KEEP=8 SHM_DIR=${APF_SHM_DIR:-/dev/shm} SHM_FD=""

# snapshot_wanted: this cell can start from a snapshot.
snapshot_wanted() {
	[ "${APF_SNAPSHOT:-1}" != 0 ] && [[ $snapshot_dir != *"'"* ]] || return 1
	if [ "$host" != local ]; then
		[ "$(stat -f -c %T "$SHM_DIR" 2>/dev/null)" = tmpfs ]
	else
		[ "$accel_used" = tcg ] && [ "$guest_ram" = anon ] && [ "$pressure" = none ]
	fi
}

# shm_open: SHM_FD, a new unlinked file in /dev/shm for a nested host's RAM.
shm_open() {
	local f
	f=$(mktemp "$SHM_DIR/apf-vm.XXXXXX.ram") || die "cannot create the nested host's RAM in $SHM_DIR"
	exec {SHM_FD}<>"$f"
	rm -f "$f"
}

# snapshot_file: the snapshot of this cell's guest (QARGV without its
# console and control paths, the kernel file and QEMU's version).
snapshot_file() {
	local key a
	key=$({
		for a in "${QARGV[@]}"; do
			[[ $a == file,id=con,* || $a == pipe,id=ctl,* ]] && continue
			# A nested host's initramfs and swap disk are the cell's own
			# files (nested_snapshot_key keys what they hold).
			a=${a//"$S"/@S@}
			[ -z "$SHM_FD" ] || a=${a//"/proc/self/fd/$SHM_FD,"/@shm@,}
			printf '%s\n' "${a//"$out"/@out@}"
		done
		# The initramfs's name is its build's key; mkinitramfs touches it on use.
		stat -L -c '%s %Y %i' "$kimage"
		[ "$host" = local ] || { stat -L -c '%s %Y %i' "$host_kimage"; nested_snapshot_key; }
		echo "qemu $APF_QEMU_VERSION"
	} | sha256sum)
	echo "$snapshot_dir/${key:0:16}.mig"
}

# snapshot_make FILE: boot the cell's guest once, outside any pressure,
# and save it at READY into FILE. Returns 1 (having said why) when it
# could not; the cell then boots as usual.
snapshot_make() {
	local file=$1 tmp ram saved=("${QARGV[@]}") rc=0 end mon_r mon_w pid a
	mkdir -p "$snapshot_dir" 2>/dev/null || { warn "snapshot: cannot create $snapshot_dir"; return 1; }
	tmp=$file.$$.tmp ram=${file%.mig}.ram.$$.tmp
	cleanup_push rm -f "$tmp" "$ram"
	mkfifo "$S/snapmon.in" "$S/snapmon.out" || return 1
	exec {mon_w}<>"$S/snapmon.in" {mon_r}<>"$S/snapmon.out"
	QARGV=()
	for a in "${saved[@]}"; do
		[[ $a != file,id=con,path=* ]] || a="file,id=con,path=$S/snap-console.log"
		[[ $a != pipe,id=ctl,path=* ]] || a="pipe,id=ctl,path=$S/snapctl"
		QARGV+=("$a")
	done
	# shellcheck disable=SC2054  # commas inside QEMU's option values
	QARGV+=(-chardev "pipe,id=mon,path=$S/snapmon" -mon chardev=mon,mode=readline)
	start_qemu "$S/snapctl"
	pid=$QPID
	while :; do
		read_line "$(($(now_us) + 60000000))" || rc=$?
		[ "$rc" = 0 ] || break
		[[ $LINE != READY* ]] || break
	done
	if [ "$rc" = 0 ]; then
		# HMP's migrate returns when the stream is complete; quit then.
		[ -z "$SHM_FD" ] || printf 'migrate_set_capability x-ignore-shared on\n' >&"$mon_w"
		printf 'migrate "exec:cat > '\''%s'\''"\nquit\n' "$tmp" >&"$mon_w"
		end=$(($(now_us) + 60000000))
		while qemu_alive "$pid" && ! past "$end"; do sleep 0.05; done
		# QEMU quits only once the stream is complete.
		! qemu_alive "$pid" || rc="no end of migration within 60 s"
	fi
	stop_qemu "$pid"
	close_channel
	exec {mon_w}>&- {mon_r}<&-
	QARGV=("${saved[@]}")
	if [ "$rc" != 0 ]; then
		[[ $rc == *" "* ]] || rc="read_line $rc"
	elif [ "$(head -c 4 "$tmp" 2>/dev/null)" != QEVM ]; then
		rc="no migration stream written"
	elif [ -n "$SHM_FD" ]; then
		cp --sparse=always "/proc/self/fd/$SHM_FD" "$ram" || rc="cannot copy its RAM"
	elif [ "$(stat -c %s "$tmp")" -lt 1048576 ]; then
		rc="a migration stream of under 1 MB"
	fi
	# The cell's own RAM starts empty again.
	[ -z "$SHM_FD" ] || truncate -s 0 "/proc/self/fd/$SHM_FD"
	if [ "$rc" != 0 ]; then
		warn "snapshot: could not save a ready guest ($rc; $(console_reason_of "$S/snap-console.log")$(qemu_err_of "$S/snapctl.err")); booting"
		rm -f "$tmp" "$ram"
		return 1
	fi
	[ -z "$SHM_FD" ] || mv -f "$ram" "${file%.mig}.ram"
	mv -f "$tmp" "$file"
	# The newest few stay: one per kernel, size and vCPU count of a matrix.
	find "$snapshot_dir" -maxdepth 1 -name '*.mig' -printf '%T@ %p\n' | sort -rn |
		tail -n +"$((SNAPSHOT_KEEP + 1))" | cut -d' ' -f2- | while IFS= read -r a; do
		rm -f -- "$a" "${a%.mig}.ram"
	done
}

# snapshot_load FILE: QARGV told to load FILE. With L1's RAM in /dev/shm
# that is FILE's data copied into the cell's RAM file and FILE's state
# loaded from a monitor, where x-ignore-shared can be set first (QEMU 7.2
# has no command-line switch for it); the commands wait in the monitor's
# FIFO for QEMU. Returns 1 when the data cannot be copied (the cell then
# boots).
snapshot_load() {
	local file=$1 mon_w mon_r
	if [ -z "$SHM_FD" ]; then
		QARGV+=(-incoming "exec:cat '$file'")
		return 0
	fi
	touch "${file%.mig}.ram" 2>/dev/null || true
	cp --sparse=always "${file%.mig}.ram" "/proc/self/fd/$SHM_FD" || {
		warn "snapshot: cannot copy ${file%.mig}.ram; booting"
		truncate -s 0 "/proc/self/fd/$SHM_FD"
		return 1
	}
	mkfifo "$S/mon.in" "$S/mon.out" || return 1
	exec {mon_w}<>"$S/mon.in" {mon_r}<>"$S/mon.out"
	printf '%s\n' "migrate_set_capability x-ignore-shared on" "migrate_incoming \"exec:cat '$file'\"" >&"$mon_w"
	# shellcheck disable=SC2054  # commas inside QEMU's option values
	QARGV+=(-chardev "pipe,id=mon,path=$S/mon" -mon chardev=mon,mode=readline -incoming defer)
}

# snapshot_hello DEADLINE_US: after an -incoming start, HELLO until the
# guest answers READY. Returns as read_line does.
snapshot_hello() {
	local rc
	while :; do
		printf 'HELLO\n' >&"$CTL_W"
		rc=0
		read_line "$(($(now_us) + 300000))" || rc=$?
		case "$rc" in
		0) [[ $LINE != READY* ]] || return 0 ;;
		2) past "$1" && return 2 ;;
		*) return "$rc" ;;
		esac
	done
}
