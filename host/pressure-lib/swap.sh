# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Swap for a pressure run. Anonymous (and memfd/shmem) guest memory only
# leaves RAM with swap, so a pressure level needs some:
#   auto  the host's own swap if any is on, else a swap file
#   file  a swap file made for the run ($APF_SWAP_DIR, default /var/tmp)
#   zram  a zram device made for the run (hot_add; never an existing one)
# What the suite makes is recorded (before it is made) in the registry
# entry and removed after: swapoff, then rm / reset + hot_remove. Swap the
# suite did not make is only ever read (/proc/swaps), never changed.
# Suite swap goes on at priority 100 so it is used ahead of host swap.
# Sourced after host/lib.sh and state.sh.

SWAP_PRIO=100

swap_active() { awk 'NR > 1 {print $1}' /proc/swaps; }

# swap_ours: every swap device some registry entry says the suite made.
swap_ours() {
	local f
	for f in "$APF_RUN_DIR"/*/swap.dev; do
		[ -f "$f" ] && cat "$f"
	done
	return 0
}

# swap_host_on: true when swap the suite did not make is on. Suite swap
# files are also known by name (a run with another registry made them).
swap_host_on() {
	local dev
	while read -r dev; do
		case "${dev##*/}" in apfbench-swap-*) continue ;; esac
		swap_ours | grep -qxF "$dev" || return 0
	done < <(swap_active)
	return 1
}

swap_is_on() { swap_active | grep -qxF "$1"; }

# shellcheck disable=SC2034  # SWAP_ERR is read by host/pressure
# swap_file_fits BYTES: true when a swap file of BYTES fits the free space
# of $APF_SWAP_DIR, else false with SWAP_ERR saying why (a file that cannot
# fit would fill the disk before it failed).
swap_file_fits() {
	local bytes=$1 dir=${APF_SWAP_DIR:-/var/tmp} free
	SWAP_ERR=
	[ -d "$dir" ] || { SWAP_ERR="swap dir $dir does not exist"; return 1; }
	free=$(df -P -B1 -- "$dir" 2>/dev/null | awk 'NR == 2 { print $4 }')
	[[ $free =~ ^[0-9]+$ ]] || { SWAP_ERR="cannot tell the free space of $dir"; return 1; }
	[ "$bytes" -le "$free" ] && return 0
	SWAP_ERR="a $bytes-byte swap file does not fit $dir ($free bytes free; --swap-size, APF_SWAP_SIZE or APF_SWAP_DIR)"
	return 1
}

# swap_make_file REG ID BYTES
swap_make_file() {
	local reg=$1 id=$2 bytes=$3 dir=${APF_SWAP_DIR:-/var/tmp} path
	path=$dir/apfbench-swap-$id
	[ -d "$dir" ] || { echo "swap dir $dir does not exist" >&2; return 1; }
	st_set_all "$reg" swap.kind file swap.dev "$path"
	(umask 077 && : >"$path") || return 1
	if ! fallocate -l "$bytes" "$path" 2>/dev/null; then
		dd if=/dev/zero of="$path" bs=1M count=$((bytes >> 20)) status=none || return 1
	fi
	chmod 600 "$path"
	mkswap -q "$path" >/dev/null || { echo "mkswap $path failed" >&2; return 1; }
	if ! swapon -p "$SWAP_PRIO" "$path" 2>/dev/null; then
		# some filesystems refuse preallocated (unwritten) extents
		dd if=/dev/zero of="$path" bs=1M count=$((bytes >> 20)) status=none conv=notrunc || return 1
		mkswap -q "$path" >/dev/null || return 1
		swapon -p "$SWAP_PRIO" "$path" || { echo "swapon $path failed" >&2; return 1; }
	fi
}

# swap_make_zram REG ID BYTES (ID unused: the kernel picks the device)
swap_make_zram() {
	local reg=$1 bytes=$3 n dev i
	[ -r /sys/class/zram-control/hot_add ] ||
		{ echo "zram: /sys/class/zram-control/hot_add missing (zram module not loaded?)" >&2; return 1; }
	st_set "$reg" swap.kind zram
	n=$(cat /sys/class/zram-control/hot_add) || { echo "zram hot_add failed" >&2; return 1; }
	dev=/dev/zram$n
	st_set "$reg" swap.zram "$n"
	st_set "$reg" swap.dev "$dev"
	for ((i = 0; i < 20; i++)); do
		[ -b "$dev" ] && break
		sleep 0.05
	done
	[ -b "$dev" ] || { echo "zram: $dev did not appear" >&2; return 1; }
	printf '%s\n' "$bytes" >"/sys/block/zram$n/disksize" ||
		{ echo "zram: cannot set disksize of zram$n" >&2; return 1; }
	mkswap -q "$dev" >/dev/null || { echo "mkswap $dev failed" >&2; return 1; }
	swapon -p "$SWAP_PRIO" "$dev" || { echo "swapon $dev failed" >&2; return 1; }
}

# swap_remove REG: undo swap_make_*; a no-op for host swap. Idempotent.
swap_remove() {
	local reg=$1 kind dev n i
	st_var kind "$reg" swap.kind || return 0
	st_var dev "$reg" swap.dev ""
	if [ -n "$dev" ] && swap_is_on "$dev"; then
		# slow only while the memory in it still has an owner to return to
		timeout 60 swapoff "$dev" || { echo "swapoff $dev failed" >&2; return 1; }
	fi
	case "$kind" in
	file) [ -z "$dev" ] || rm -f "$dev" ;;
	zram)
		st_var n "$reg" swap.zram ""
		# reset and hot_remove fail with EBUSY while anything (udev, blkid,
		# lsblk elsewhere) has the device open just after swapoff: retry
		for ((i = 0; i < 30; i++)); do
			if [ -z "$n" ] || [ ! -e "/sys/block/zram$n" ]; then break; fi
			echo 1 >"/sys/block/zram$n/reset" 2>/dev/null || true
			echo "$n" >/sys/class/zram-control/hot_remove 2>/dev/null && break
			sleep 0.1
		done
		if [ -n "$n" ] && [ -e "/sys/block/zram$n" ]; then
			echo "zram: hot_remove $n failed (device busy)" >&2
			return 1
		fi
		;;
	esac
	rm -f "$reg/swap.kind" "$reg/swap.dev" "$reg/swap.zram"
}
