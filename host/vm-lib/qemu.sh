# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034,SC2004  # the state is host/apf-vm's, which sources this
# Starting and stopping QEMU for host/apf-vm: command lines, the mode's CPU
# flags, and a stop that only ever hits the QEMU of a recorded PID and
# start time. Sourced by host/apf-vm.
# qemu_alive PID: running and not yet a zombie.
# bash reaps background children as they exit, so a PID alone could name a
# newer process: it must also have the start time recorded at launch.
# No forks: apf-vm asks several times a second while the guest measures.
qemu_alive() {
	[ -z "${reaped[$1]:-}" ] || return 1
	proc_stat "$1" || return 1
	[ "${PROC_STAT[0]}" != Z ] && [ "${PROC_STAT[19]:-}" = "${started[$1]:-}" ]
}

# (proc_stat is host/lib.sh's)

# qemu_err_of FILE: "; QEMU: <its first complaint>" from QEMU's stderr
# FILE, or nothing.
qemu_err_of() {
	local e
	e=$(grep -a -v '^[[:space:]]*$' "$1" 2>/dev/null | head -n 1 | one_line)
	[ -z "$e" ] || echo "; QEMU: $e"
}


# qemu_dmesg_of PID: "; host kernel: <its last line naming PID>" for a
# QEMU that is gone (the OOM killer's "Killed process PID (...)", or
# "qemu-system-x86[PID]: segfault ..."), or nothing when the kernel logged
# nothing (or dmesg is closed to us). A guest that stopped with no panic
# on its console (a nested host's L2 QEMU, twice in CI) says more with it.
# (QEMU is disowned, so its wait status is gone.)
qemu_dmesg_of() {
	local line
	[ -n "$1" ] || return 0
	line=$(dmesg 2>/dev/null | grep -a -E "process $1 \(|\[$1\]: " | tail -n 1 | one_line) || true
	[ -z "$line" ] || echo "; host kernel: $line"
}

# stop_qemu PID: TERM, then KILL after 3 s, until it is gone (bash reaps
# it: see start_qemu). Only ever the QEMU of that PID and start time.
stop_qemu() {
	local pid=$1 i
	[ -n "$pid" ] && [ -z "${reaped[$pid]:-}" ] || return 0
	if qemu_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 30; i++)); do
			qemu_alive "$pid" || break
			sleep 0.1
		done
		if qemu_alive "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				qemu_alive "$pid" || break
				sleep 0.1
			done
		fi
	fi
	reaped[$pid]=1
}

# kernel_image ACCEL: the file to boot. Under TCG the uncompressed vmlinux
# (PVH entry) when host/kernels extracted one: the bzImage decompressor
# costs seconds of emulated CPU per boot. Under KVM, the bzImage as usual.
kernel_image() {
	if [ "$1" = tcg ] && [ -s "$kdir/vmlinux" ]; then
		echo "$kdir/vmlinux"
	else
		echo "$kdir/vmlinuz"
	fi
}

# qemu_argv ACCEL CPU MEM_BYTES VCPUS APPEND CONSOLE_FILE CHANNEL_BASE:
# the QEMU command in the array QARGV. Guest RAM (--guest-ram) is a memfd
# (shmem: host/pageout and host/monitor find it by name) or plain
# anonymous memory (the only kind whose swap-in KVM can make async: a
# shmem swap-in waits for the read whatever FOLL_NOWAIT says).
qemu_argv() {
	local acc=$1 cpuarg=$2 membytes=$3 n=$4 append=$5 console=$6 chan=$7 machine=pc ram=()
	kimage=$(kernel_image "$acc")
	if [ "$guest_ram" = memfd ]; then
		machine=pc,memory-backend=mem
		ram=(-object "memory-backend-memfd,id=mem,size=$((membytes >> 20))M")
	fi
	QARGV=("$qemu" -nodefaults -no-user-config -display none -no-reboot
		-machine "$machine" -accel "$acc" -cpu "$cpuarg"
		-m "$((membytes >> 20))M" -smp "$n" "${ram[@]}"
		-kernel "$kimage" -initrd "$initrd" -append "$append")
	qemu_serial_args "$console" "$chan"
}

# qemu_serial_args CONSOLE_FILE CHANNEL_BASE: ttyS0 into the console file,
# ttyS1 the control port on the FIFO pair CHANNEL_BASE.{in,out}; appended
# to QARGV.
qemu_serial_args() {
	QARGV+=(-chardev "file,id=con,path=${1//,/,,}" -serial chardev:con
		-chardev "pipe,id=ctl,path=${2//,/,,}" -serial chardev:ctl)
}

# shell_join WORD...: one line a shell reads back as the same words.
shell_join() {
	local w line=""
	for w in "$@"; do
		if [[ ! $w =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
			w="'${w//\'/\'\\\'\'}'"
		fi
		line+="${line:+ }$w"
	done
	printf '%s\n' "$line"
}

# cpu_for ACCEL: the -cpu argument for this accel and mode.
cpu_for() {
	if [ "$1" = tcg ]; then
		echo "${cpu:-max}"
		return
	fi
	case "$mode" in
	apf-on | guest-off) echo "${cpu:-host},kvm-asyncpf=on,kvm-asyncpf-int=on" ;;
	apf-off) echo "${cpu:-host},kvm-asyncpf=off,kvm-asyncpf-int=off" ;;
	no-int) echo "${cpu:-host},kvm-asyncpf=on,kvm-asyncpf-int=off" ;;
	esac
}

# start_qemu LOGBASE [WRAPPER...]: start QARGV (behind WRAPPER, which must
# exec it) in the background with its control FIFOs opened on CTL_R/CTL_W;
# sets QPID. stderr goes to LOGBASE.err.
start_qemu() {
	local base=$1
	shift
	rm -f "$base.in" "$base.out"
	mkfifo "$base.in" "$base.out"
	# Read-write opens never block and keep the FIFOs open across QEMU's life.
	exec {CTL_R}<>"$base.out" {CTL_W}<>"$base.in"
	setpriv --pdeathsig KILL -- "$@" "${QARGV[@]}" </dev/null >"$base.err" 2>&1 &
	QPID=$!
	# setpriv (and the wrapper) exec QEMU in place: same PID, same start
	# time; the parent-death signal survives the execs.
	PROC_STAT=()
	proc_stat "$QPID" || true
	started[$QPID]=${PROC_STAT[19]:-}
	# Out of the job table: bash still reaps it when it exits, but prints no
	# "Aborted" notice when QEMU aborts (as it does on a PVM /dev/kvm).
	disown "$QPID" 2>/dev/null || true
	cleanup_push stop_qemu "$QPID"
}

close_channel() {
	exec {CTL_R}<&- {CTL_W}>&-
}

