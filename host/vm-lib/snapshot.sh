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
# The saved guest is blocked reading GO; QEMU drops what the control
# port receives while the state loads, so apf-vm repeats HELLO until the
# guest answers READY again (host/init-channel.sh), then sends GO with
# the host's clock (the restored guest's clock is the snapshot's).
# Sourced by host/apf-vm.

SNAPSHOT_KEEP=8

# snapshot_wanted: this cell can start from a snapshot.
snapshot_wanted() {
	[ "${APF_SNAPSHOT:-1}" != 0 ] && [ "$host" = local ] && [ "$accel_used" = tcg ] &&
		[ "$guest_ram" = anon ] && [ "$pressure" = none ] && [[ $snapshot_dir != *"'"* ]]
}

# snapshot_file: the snapshot of this cell's guest (QARGV without its
# console and control paths, the kernel file and QEMU's version).
snapshot_file() {
	local key a
	key=$({
		for a in "${QARGV[@]}"; do
			[[ $a == file,id=con,* || $a == pipe,id=ctl,* ]] || printf '%s\n' "$a"
		done
		# The initramfs's name is its build's key; mkinitramfs touches it on use.
		stat -L -c '%s %Y %i' "$kimage"
		echo "qemu $APF_QEMU_VERSION"
	} | sha256sum)
	echo "$snapshot_dir/${key:0:16}.mig"
}

# snapshot_make FILE: boot the cell's guest once, outside any pressure,
# and save it at READY into FILE. Returns 1 (having said why) when it
# could not; the cell then boots as usual.
snapshot_make() {
	local file=$1 tmp saved=("${QARGV[@]}") rc=0 end mon_r mon_w pid a
	mkdir -p "$snapshot_dir" 2>/dev/null || { warn "snapshot: cannot create $snapshot_dir"; return 1; }
	tmp=$file.$$.tmp
	cleanup_push rm -f "$tmp"
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
		printf 'migrate "exec:cat > '\''%s'\''"\nquit\n' "$tmp" >&"$mon_w"
		end=$(($(now_us) + 60000000))
		while qemu_alive "$pid" && ! past "$end"; do sleep 0.05; done
	fi
	stop_qemu "$pid"
	close_channel
	exec {mon_w}>&- {mon_r}<&-
	QARGV=("${saved[@]}")
	if [ "$rc" != 0 ] || [ "$(head -c 4 "$tmp" 2>/dev/null)" != QEVM ] || [ "$(stat -c %s "$tmp")" -lt 1048576 ]; then
		warn "snapshot: could not save a ready guest (read_line $rc; $(console_reason_of "$S/snap-console.log")$(qemu_err_of "$S/snapctl.err")); booting"
		rm -f "$tmp"
		return 1
	fi
	mv -f "$tmp" "$file"
	# The newest few stay: one per kernel, size and vCPU count of a matrix.
	find "$snapshot_dir" -maxdepth 1 -name '*.mig' -printf '%T@ %p\n' | sort -rn |
		tail -n +"$((SNAPSHOT_KEEP + 1))" | cut -d' ' -f2- | xargs -r rm -f --
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
