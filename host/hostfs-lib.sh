# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# What goes into a nested host's (L1) initramfs, as "destination<TAB>source"
# lines for host/mkhostfs. Destinations are relative to the archive's root
# and always under usr/ for bin, sbin, lib and lib64 (Debian's merged /usr;
# mkhostfs adds the /bin -> usr/bin links). Sourced after host/lib.sh.

# hostfs_dst PATH: the archive path of a file found at PATH on this machine.
hostfs_dst() {
	local p=${1#/}
	case "$p" in bin/* | sbin/* | lib/* | lib64/*) p=usr/$p ;; esac
	printf '%s\n' "$p"
}

# hostfs_libs FILE...: the shared libraries (and the dynamic loader) the
# given ELF files need, one source path per line.
hostfs_libs() {
	local f
	for f in "$@"; do
		ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
	done | sort -u
}

is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

# hostfs_programs NAME...: each program (resolved on PATH, symlinks
# followed) and its library closure.
hostfs_programs() {
	local n p elves=()
	for n in "$@"; do
		p=$(type -P "$n") || die "'$n' not found; run: host/need-packages bench"
		printf '%s\t%s\n' "$(hostfs_dst "$p")" "$p"
		elves+=("$p")
	done
	for p in $(hostfs_libs "${elves[@]}"); do
		printf '%s\t%s\n' "$(hostfs_dst "$p")" "$p"
	done
}

# hostfs_qemu_data: the firmware QEMU loads for `-machine pc -kernel`.
hostfs_qemu_data() {
	local f
	for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/bios-256k.bin \
		/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/linuxboot.bin \
		/usr/share/qemu/kvmvapic.bin /usr/share/qemu/pvh.bin; do
		[ -e "$f" ] && printf '%s\t%s\n' "${f#/}" "$f"
	done
	return 0
}

# hostfs_suite: the suite's host side at /apf/host, as tracked in this tree
# plus the binaries `make` built there (host/apf-size among them: lib.sh
# asks it for sizes), and their library closure; no C sources or headers.
hostfs_suite() {
	local f elves=()
	while IFS= read -r f; do
		[ -f "$APF_TOP/$f" ] || continue
		printf 'apf/%s\t%s\n' "$f" "$APF_TOP/$f"
		if is_elf "$APF_TOP/$f"; then elves+=("$APF_TOP/$f"); fi
	done < <(cd "$APF_TOP" && find host -type f ! -name '*.c' ! -name '*.h' ! -name '*.mk' ! -name '*.d' | LC_ALL=C sort)
	[ ${#elves[@]} = 0 ] && return 0
	for f in $(hostfs_libs "${elves[@]}"); do
		printf '%s\t%s\n' "$(hostfs_dst "$f")" "$f"
	done
}

# hostfs_module KDIR NAME: the file of module NAME ('-' and '_' alike) under
# KDIR/modules/kernel, or return 1 (built in, or absent).
hostfs_module() {
	local alt=${2//-/_}
	[ -d "$1/modules/kernel" ] || return 1
	find "$1/modules/kernel" -type f \( -name "$2.ko*" -o -name "$alt.ko*" -o -name "${alt//_/-}.ko*" \) |
		head -n 1 | grep .
}

# hostfs_kvm_amd KDIR: kvm-amd's module file, or "builtin"; fails when the
# kernel has neither the module nor kvm-amd built in (then it prints
# nothing). A registered bzImage has no modules/: its KDIR's .config
# (copied as KDIR/config by host/kernels) must then say KVM_AMD=y.
hostfs_kvm_amd() {
	local f
	if f=$(hostfs_module "$1" kvm-amd); then echo "$f"; return 0; fi
	grep -q 'kvm-amd\.ko$\|kvm_amd\.ko$' "$1/modules/modules.builtin" 2>/dev/null && echo builtin && return 0
	grep -qx 'CONFIG_KVM_AMD=y' "$1/config" 2>/dev/null && echo builtin && return 0
	return 1
}

# hostfs_modules KDIR: KVM, virtio-blk and zram (with its
# compressors) for L1, each after the modules it depends on (modinfo's
# `depends`, followed recursively), uncompressed into /lib/apf-host/ with
# the load order in /lib/apf-host/order. Modules built into the kernel are
# simply absent. Without modules.dep (Debian ships none; depmod makes it
# at install) the order comes from here.
hostfs_modules() {
	local kd=$1 want m order=() seen=" "
	want="kvm-amd virtio_pci virtio_blk zram lz4 lzo-rle lzo"
	visit() {
		local name=$1 f dep
		case "$seen" in *" ${name//-/_} "*) return 0 ;; esac
		seen="$seen${name//-/_} "
		f=$(hostfs_module "$kd" "$name") || return 0
		for dep in $(modinfo -F depends "$f" 2>/dev/null | tr ',' ' '); do
			visit "$dep"
		done
		order+=("$f")
	}
	for m in $want; do visit "$m"; done
	local stage_order
	stage_order=$(mktemp)
	for m in "${order[@]}"; do
		local base=${m##*/}
		base=${base%%.ko*}
		printf 'usr/lib/apf-host/%s.ko\t%s\n' "$base" "$m"
		echo "$base" >>"$stage_order"
	done
	# The order file is generated: keep it beside the other generated inputs
	# so the content hash covers it.
	local keep
	keep=${APF_HOSTFS_CACHE:-$APF_TOP/build/hostfs}/order-$(cat "$kd/release")
	mkdir -p "$(dirname "$keep")"
	mv -f "$stage_order" "$keep"
	printf 'usr/lib/apf-host/order\t%s\n' "$keep"
}
