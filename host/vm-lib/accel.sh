# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034,SC2004  # the state is host/apf-vm's, which sources this
# Which accelerator a cell gets (host/apf-vm --accel): a KVM probe boot
# with a short deadline, its verdict cached per kernel and host boot.
# Sourced by host/apf-vm.
accel_cache_file() {
	local boot
	boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo noboot)
	echo "${APF_ACCEL_CACHE:-$APF_TOP/build/vm}/accel-$(basename "$kdir")-$boot"
}

# kvm_unusable: why /dev/kvm cannot be used at all (empty when it can).
kvm_unusable() {
	if [ ! -e /dev/kvm ]; then echo "no /dev/kvm"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then echo "/dev/kvm not accessible to uid $(id -u)"
	fi
}

is_pvm() { [ -d /sys/module/kvm_pvm ]; }

# probe_kvm: boot this kernel under KVM with a short deadline; sets
# accel_used/accel_reason; the verdict is cached per kernel and host boot.
probe_kvm() {
	local why cache deadline probe_dl rc=0 detail
	why=$(kvm_unusable)
	if [ -n "$why" ]; then
		accel_used=tcg accel_reason="$why"
		return
	fi
	cache=$(accel_cache_file)
	if [ -s "$cache" ]; then
		IFS=$'\t' read -r accel_used accel_reason <"$cache" || true
		[ -z "$accel_used" ] || return 0
	fi
	deadline=${APF_PROBE_DEADLINE:-6}
	[[ $deadline =~ ^[0-9]+$ ]] || usage_error "APF_PROBE_DEADLINE='$deadline': whole seconds"
	mkdir -p "$S/probe"
	QARGV=()
	qemu_argv kvm host 268435456 1 "console=ttyS0 panic=-1 quiet apf.probe" \
		"$S/probe/console.log" "$S/probe/ctl"
	start_qemu "$S/probe/ctl"
	probe_dl=$(($(now_us) + deadline * 1000000))
	while :; do
		rc=0
		read_line "$probe_dl" || rc=$?
		[ "$rc" != 0 ] || [[ $LINE != READY* ]] || break
		[ "$rc" = 0 ] || break
	done
	stop_qemu "$QPID"
	close_channel
	if [ "$rc" = 0 ]; then
		accel_used=kvm accel_reason="KVM probe booted $release to ready"
	else
		if [ "$rc" = 2 ]; then detail="no ready within ${deadline}s"
		else detail="QEMU: $(grep -a -v '^[[:space:]]*$' "$S/probe/ctl.err" | head -n 1 | one_line)"
		fi
		if is_pvm; then
			accel_reason="KVM here is PVM (kvm_pvm), which runs only PVM guest kernels; $release is not one ($detail)"
		else
			accel_reason="KVM cannot run $release ($detail)"
		fi
		accel_used=tcg
	fi
	mkdir -p "$(dirname "$cache")"
	printf '%s\t%s\n' "$accel_used" "$accel_reason" >"$cache.$$" && mv -f "$cache.$$" "$cache"
}

# resolve_accel: accel_used and accel_reason for this run.
resolve_accel() {
	local why
	case "$accel" in
	tcg) accel_used=tcg accel_reason="requested" ;;
	kvm)
		why=$(kvm_unusable)
		accel_used=kvm accel_reason="requested"
		if [ -n "$why" ]; then
			# A dry run shows the command line a KVM host would get, e.g. to
			# check the mode flags on a build machine without KVM.
			[ "$dry_run" = 1 ] || die_missing "--accel kvm: $why"
			warn "--accel kvm: $why; this command line would not start here"
		fi
		;;
	auto)
		if [ "$dry_run" = 1 ]; then
			# No boot in a dry run: a cached verdict, else what /dev/kvm suggests.
			local cache
			cache=$(accel_cache_file)
			if [ -s "$cache" ]; then IFS=$'\t' read -r accel_used accel_reason <"$cache" || true; fi
			if [ -z "$accel_used" ]; then
				why=$(kvm_unusable)
				if [ -n "$why" ]; then accel_used=tcg accel_reason=$why
				elif is_pvm; then accel_used=tcg accel_reason="KVM here is PVM (not probed in a dry run)"
				else accel_used=kvm accel_reason="not probed in a dry run"
				fi
			fi
		else
			probe_kvm
		fi
		;;
	esac
}

