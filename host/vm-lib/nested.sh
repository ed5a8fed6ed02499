# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034,SC2004  # the state is host/apf-vm's, which sources this
# A nested KVM host (apf-vm --host nested-<kernel>): L0 (this machine)
# boots the host kernel (L1) under TCG with an emulated AMD SVM and nested
# paging; L1's /init (host/host-init) loads kvm-amd and runs host/apf-vm
# itself on the cell's guest (L2) with KVM, pressure and monitors, exactly
# as on a real host. L0 only carries the cell in (GO: the inner apf-vm's
# argv) and the result out (the same control-port protocol as a guest).
# Sourced by host/apf-vm.

# Swap-disk latency profiles: QEMU throttling of L1's virtio swap disk.
# IOPS caps, not latency models: a capped queue makes each swap-in wait,
# which is what gives async PF something to do (zram never waits).
swap_disk_iops() {
	case "$1" in
	fast) echo 0 ;;    # no throttle: as fast as the file on L0 goes
	ssd) echo 3000 ;;
	hdd) echo 300 ;;   # the prototype's 300 IOPS, where the co-runner effect showed
	*) return 1 ;;
	esac
}

# nested_resolve SPEC: host_kdir, host_release, host_label for nested-K;
# exit 2 (nothing booted) when K is unknown or cannot host KVM.
nested_resolve() {
	local k=${1#nested-} rc=0
	[ -n "$k" ] || usage_error "--host '$1': nested-<kernel> names a kernel (host/kernels list) or a bzImage path"
	host_kdir=$("$APF_TOP/host/kernels" dir "$k") || rc=$?
	[ "$rc" = 0 ] || exit "$rc"
	host_release=$(cat "$host_kdir/release")
	# shellcheck source=host/hostfs-lib.sh
	. "$APF_TOP/host/hostfs-lib.sh"
	hostfs_kvm_amd "$host_kdir" >/dev/null ||
		usage_error "--host $1: kernel $host_release has no kvm-amd (no module under $host_kdir/modules, no CONFIG_KVM_AMD=y in its config), so it cannot be a KVM host"
	host_label=$1
	[[ $k != */* ]] || host_label=nested-$(basename "$host_kdir")
}

# nested_check: the limits that must hold before anything boots.
nested_check() {
	local need=$((mem_bytes + (512 << 20)))
	[ "$host_mem_bytes" -ge "$need" ] ||
		usage_error "--mem $mem: an L2 of $((mem_bytes >> 20))M does not fit a nested host of $((host_mem_bytes >> 20))M (--host-mem; L1 needs L2 + 512M)"
	[ "$vcpus" -le "$host_vcpus" ] ||
		usage_error "--vcpus $vcpus: more than the nested host's $host_vcpus vCPUs (--host-vcpus)"
	[ "$accel" = auto ] || [ "$accel" = kvm ] ||
		usage_error "--accel $accel: a nested host's guest always runs on the nested host's KVM"
}

# nested_initrd_base: L1's host userspace archive (host/mkhostfs's cache,
# named by its content) in host_base_initrd.
nested_initrd_base() {
	local rc=0
	host_base_initrd=$("$APF_TOP/host/mkhostfs" --kernel-dir "$host_kdir") || rc=$?
	[ "$rc" = 0 ] || { host_status=failed host_reason="nested host userspace build failed (host/mkhostfs exit $rc)"; exit "$rc"; }
}

# nested_initrd OUTFILE: L1's initramfs to boot: the host userspace
# followed by a second archive with L2's kernel and initramfs at /apf/l2
# (the kernel unpacks concatenated archives in order). A restored L1
# unpacked it long ago: QEMU then gets the host archive alone, which it
# reads at start and the restored guest never looks at.
nested_initrd() {
	local outf=$1 stage
	if [ "$boot_from" = snapshot ]; then
		ln -sf "$host_base_initrd" "$outf"
		return 0
	fi
	stage=$S/l2payload
	rm -f "$outf"
	mkdir -p "$stage/apf/l2"
	cp "$kdir/vmlinuz" "$stage/apf/l2/vmlinuz"
	cp "$kdir/release" "$stage/apf/l2/release"
	[ ! -f "$kdir/config" ] || cp "$kdir/config" "$stage/apf/l2/config"
	cp "$initrd" "$stage/apf/l2/initrd"
	{
		cat "$host_base_initrd"
		(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0)
	} >"$outf" || die "cannot write the nested host's initramfs"
	rm -rf "$stage"
}

# nested_qemu_argv: QARGV for L1.
nested_qemu_argv() {
	local image=$host_kdir/vmlinuz iops append="console=ttyS0 panic=-1 quiet"
	# PVH entry: no emulated decompression (as for TCG guests).
	[ ! -s "$host_kdir/vmlinux" ] || image=$host_kdir/vmlinux
	host_kimage=$image
	[ -z "$swap_disk_file" ] || append+=" apf.swapdisk"
	QARGV=("$qemu" -nodefaults -no-user-config -display none -no-reboot
		-machine "pc${SHM_FD:+,memory-backend=l1ram}" -accel "tcg,thread=multi" -cpu "qemu64,+svm,+npt"
		-m "$((host_mem_bytes >> 20))M" -smp "$host_vcpus"
		-kernel "$image" -initrd "$S/l1-initrd" -append "$append")
	# L1's RAM in a /dev/shm file when it may start from a snapshot
	# (host/vm-lib/snapshot.sh: shm_open).
	[ -z "$SHM_FD" ] ||
		QARGV+=(-object "memory-backend-file,id=l1ram,size=$((host_mem_bytes >> 20))M,mem-path=/proc/self/fd/$SHM_FD,share=on")
	if [ -n "$swap_disk_file" ]; then
		iops=$(swap_disk_iops "$swap_disk")
		local drive="file=${swap_disk_file//,/,,},format=raw,if=virtio,cache=none,aio=threads"
		[ "$iops" = 0 ] || drive+=",throttling.iops-total=$iops"
		QARGV+=(-drive "$drive")
	fi
	qemu_serial_args "$out/host-console.log" "$S/ctl"
}

# nested_snapshot_key: what L1's snapshot key needs beyond its QEMU
# command line: its initramfs's parts (the host archive is named by its
# content, L2's initramfs too) and the swap disk's size. The disk's
# contents are not: L1 said READY with swap already on, and the kernel
# never reads a swap device's header again, so a restored L1 swaps to the
# new cell's fresh sparse file as a booted one does.
nested_snapshot_key() {
	echo "hostfs $host_base_initrd"
	stat -L -c 'l2 %s %Y %i' "$kdir/vmlinuz"
	echo "l2 initrd $initrd"
	[ -z "$swap_disk_file" ] || stat -c 'disk %s' "$swap_disk_file"
}

# nested_wants_swap_disk: zram (--swap zram) and pressure none need none.
nested_wants_swap_disk() { [ "$pressure" != none ] && [ "$swap" != zram ]; }

# nested_swap_disk DIR: L1's swap disk, a sparse file in DIR (the cell's
# directory: O_DIRECT-capable, unlike a tmpfs), removed when the cell ends.
nested_swap_disk() {
	swap_disk_file=""
	nested_wants_swap_disk || return 0
	swap_disk_file=$1/.l1-swap.img
	[ "$dry_run" = 0 ] || return 0
	cleanup_push rm -f "$swap_disk_file"
	truncate -s "$(((mem_bytes + mem_bytes / 4 + (64 << 20)) >> 20))M" "$swap_disk_file" ||
		fail failed "cannot make the nested host's swap disk $swap_disk_file"
}

# nested_inner_args: the argv of host/apf-vm inside L1 (GO's words).
nested_inner_args() {
	local inner_swap=auto
	[ "$swap" != zram ] || inner_swap=zram
	args=(--kernel /apf/l2 --workload "$workload" --mode "$mode" --pressure "$pressure"
		--swap "$inner_swap" --vcpus "$vcpus" --mem "$mem_bytes" --duration "$duration" --accel kvm
		--guest-ram "$guest_ram" --out /apf-out)
	[ -z "$cpu" ] || args+=(--cpu "$cpu")
	[ -z "$inner_timeout" ] || args+=(--timeout "$inner_timeout")
	# host/host-init relays the inner cell's end of measured phase to us.
	[ -z "$notify" ] || args+=(--notify /run/apf-measured)
	args+=(-- "${extra[@]}")
}

# nested_env_json: env.host, the nested host's own facts.
nested_env_json() {
	local iops=null
	[ -z "$swap_disk_file" ] || iops=$(swap_disk_iops "$swap_disk")
	jq -n --arg name "$host_label" --arg kernel "${host_label#nested-}" --arg rel "$host_release" \
		--arg path "$host_kimage" --arg cmd "$host_qemu_cmdline" --argjson mem "$host_mem_bytes" \
		--argjson vcpus "$host_vcpus" --argjson boot_s "$host_boot_s" --arg from "$boot_from" \
		--arg disk "$([ -n "$swap_disk_file" ] && echo "$swap_disk")" --argjson iops "$iops" '
		{ name: $name, kernel: $kernel, kernel_release: $rel, kernel_path: $path,
		  accel: "tcg", accel_reason: "nested host: TCG emulating AMD SVM with nested paging",
		  cpu: "qemu64,+svm,+npt", vcpus: $vcpus, memory_bytes: $mem,
		  qemu_cmdline: $cmd, boot_s: $boot_s, boot_from: $from,
		  swap_disk: (if $disk == "" then null else { profile: $disk, iops_limit: (if $iops == 0 then null else $iops end) } end) }'
}
