# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034  # CG_* are read by the sourcing script
# Memory cgroup for one cell: created under the suite's own cgroup (from
# /proc/self/cgroup) before the guest boots, QEMU started inside it, the
# limit set once the guest is ready, and removed afterwards. Never touches
# a cgroup the suite did not create, except, on cgroup v2, what the
# no-internal-processes rule forces (below).
#
# Why QEMU is born inside rather than moved in at attach: neither v2 nor
# current v1 (memory.move_charge_at_immigrate is gone since Linux 6.x)
# moves charges with a process, so guest RAM touched during boot would
# stay charged to the parent and a limit set later would bite only on
# what the workload touches afresh (measured: limit50 with a buffer of
# half the guest RAM never swapped). Born inside, every page counts, and
# lowering the limit at attach makes the kernel reclaim down to it there
# and then.
#
# cgroup v2 is used where our cgroup can have the memory controller
# (`memory` in its cgroup.controllers); otherwise v1's memory hierarchy.
#   v1: <mnt>/<self>/apfbench-<id>/ with memory.limit_in_bytes.
#   v2: <mnt>/<self>/apfbench-<id>/ with memory.max, and memory.high at 95%
#       of it (reclaim starts a little before the hard wall). A child can
#       only have memory.* when the parent enables +memory in
#       cgroup.subtree_control, and a non-root cgroup that does must hold
#       no processes: so the parent's processes first move to a leaf
#       <self>/apfbench-suite. That is recorded, and undone (processes moved
#       back, +memory dropped) by the release that leaves no apfbench-<id>
#       sibling behind.
# Tests point APF_CGROUP_ROOT at a fake tree of plain files (with
# APF_CGROUP_SELF_FILE in place of /proc/self/cgroup and optionally
# APF_CGROUP_VERSION=1): every write lands in a file the test can read.
# Sourced after host/lib.sh and state.sh.

CG_VER="" CG_MNT="" CG_SELF="" CG_ERR=""

cg_fake() { [ -n "${APF_CGROUP_ROOT:-}" ]; }

# cg_self_path VERSION [PID]: the cgroup path of PID (default: us).
cg_self_path() {
	local ver=$1 file=/proc/${2:-self}/cgroup id ctl path
	cg_fake && file=${APF_CGROUP_SELF_FILE:-/proc/self/cgroup}
	# (builtins only: in a nested host every process is ~50 ms)
	while IFS=: read -r id ctl path; do
		if [ "$ver" = 2 ]; then
			[ "$id" != 0 ] || [ -n "$ctl" ] || { printf '%s\n' "$path"; return 0; }
		elif [[ ,$ctl, == *,memory,* ]]; then
			printf '%s\n' "$path"
			return 0
		fi
	done <"$file"
}

# cg_mount TYPE: the first mount point of a filesystem of TYPE (cgroup2),
# or for TYPE cgroup the one with the memory controller (/proc/self/mounts
# read with builtins; its octal escapes undone).
cg_mount() {
	local _dev target fstype opts _rest
	while read -r _dev target fstype opts _rest; do
		[ "$fstype" = "$1" ] || continue
		[ "$1" != cgroup ] || [[ ,$opts, == *,memory,* ]] || continue
		printf '%b\n' "$target"
		return 0
	done </proc/self/mounts
}

# cg_has_word FILE WORD: FILE's first line lists WORD (cgroup.controllers,
# cgroup.subtree_control).
cg_has_word() {
	local line
	read -r line 2>/dev/null <"$1" || [ -n "$line" ] || return 1
	[[ " $line " == *" $2 "* ]]
}

# cg_detect: set CG_VER, CG_MNT, CG_SELF, or set CG_ERR and return 1.
# Not in a subshell: the caller needs the variables.
cg_detect() {
	local mnt self
	CG_VER="" CG_MNT="" CG_SELF="" CG_ERR=""
	if cg_fake; then
		CG_VER=${APF_CGROUP_VERSION:-2} CG_MNT=$APF_CGROUP_ROOT
		CG_SELF=$(cg_self_path "$CG_VER")
		[ -n "$CG_SELF" ] || { CG_ERR="no cgroup line for v$CG_VER in ${APF_CGROUP_SELF_FILE:-/proc/self/cgroup}"; return 1; }
		return 0
	fi
	mnt=$(cg_mount cgroup2) || true
	self=$(cg_self_path 2) || true
	if [ -n "$mnt" ] && [ -n "$self" ] && [ -r "$mnt${self%/}/cgroup.controllers" ] &&
		cg_has_word "$mnt${self%/}/cgroup.controllers" memory; then
		CG_VER=2 CG_MNT=$mnt CG_SELF=$self
		return 0
	fi
	mnt=$(cg_mount cgroup) || true
	self=$(cg_self_path 1) || true
	if [ -n "$mnt" ] && [ -n "$self" ] && [ -d "$mnt${self%/}" ]; then
		CG_VER=1 CG_MNT=$mnt CG_SELF=$self
		return 0
	fi
	CG_VER="" CG_MNT="" CG_SELF=""
	CG_ERR="no memory cgroup controller (v2 memory not available to our cgroup, no v1 memory hierarchy)"
	return 1
}

cg_parent() { printf '%s\n' "$CG_MNT${CG_SELF%/}"; }

cg_write() { # FILE VALUE: one write, with the file named on failure
	if ! printf '%s\n' "$2" >"$1" 2>/dev/null; then
		echo "cannot write '$2' to $1" >&2
		return 1
	fi
}
cg_append() { # FILE VALUE: for cgroup.procs (the fake tree keeps every pid)
	if ! printf '%s\n' "$2" >>"$1" 2>/dev/null; then
		echo "cannot write '$2' to $1" >&2
		return 1
	fi
}

cg_rmdir() {
	local i
	[ -d "$1" ] || return 0
	if cg_fake; then
		rm -rf "$1"
		return 0
	fi
	for ((i = 0; i < 20; i++)); do
		rmdir "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "cannot remove cgroup $1 (still busy)" >&2
	return 1
}

# cg_v2_delegate REG: make sure our cgroup hands the memory controller to
# its children (see the header for what that may move).
cg_v2_delegate() {
	local reg=$1 parent suite pid
	parent=$(cg_parent)
	if cg_has_word "$parent/cgroup.subtree_control" memory; then
		# delegated by another cell of the suite: the last release undoes it
		if [ -d "$parent/apfbench-suite" ]; then
			st_set "$reg" cg.suite "$parent/apfbench-suite"
			st_set "$reg" cg.enabled "$parent"
		fi
		return 0
	fi
	if [ "${CG_SELF%/}" != "" ] && [ -s "$parent/cgroup.procs" ]; then
		suite=$parent/apfbench-suite
		st_set "$reg" cg.suite "$suite"
		mkdir -p "$suite" || return 1
		while read -r pid; do
			# kernel threads and exiting tasks may refuse; the write below says so
			cg_append "$suite/cgroup.procs" "$pid" 2>/dev/null || true
		done <"$parent/cgroup.procs"
	fi
	st_set "$reg" cg.enabled "$parent"
	cg_write "$parent/cgroup.subtree_control" "+memory"
}

# cg_create REG ID: make the cell's cgroup, not limited yet (cg_limit).
cg_create() {
	local reg=$1 id=$2 dir
	if [ -z "$CG_MNT" ] || [ ! -f "$(cg_parent)/cgroup.procs" ]; then
		echo "no cgroup at '$(cg_parent)' (cg_detect not run?)" >&2
		return 1
	fi
	dir=$(cg_parent)/apfbench-$id
	# cg.dir is recorded before the directory exists (cleanup finds it)
	if [ "$CG_VER" = 2 ]; then
		st_set_all "$reg" cg.ver "$CG_VER" cg.parent "$(cg_parent)"
		cg_v2_delegate "$reg" || return 1
		st_set "$reg" cg.dir "$dir"
	else
		st_set_all "$reg" cg.ver "$CG_VER" cg.parent "$(cg_parent)" cg.dir "$dir"
	fi
	mkdir "$dir"
}

# cg_limit REG LIMIT_BYTES: limit the cell's cgroup. Below its current
# usage the kernel reclaims (to swap) before the write returns; v1 answers
# EBUSY when it cannot get there.
cg_limit() {
	local reg=$1 limit=$2 dir ver
	st_var dir "$reg" cg.dir || return 1
	st_var ver "$reg" cg.ver || return 1
	if [ "$ver" = 2 ]; then
		# high first: it reclaims without the OOM killer, so max then holds
		cg_write "$dir/memory.high" "$((limit * 95 / 100))" || return 1
		cg_write "$dir/memory.max" "$limit"
	else
		cg_write "$dir/memory.limit_in_bytes" "$limit"
	fi
}

# cg_attach REG PID: move PID into the cell's cgroup, remembering where it
# was (nothing to remember for one born inside: release sends it to our own).
cg_attach() {
	local reg=$1 pid=$2 dir orig
	st_var dir "$reg" cg.dir || return 1
	orig=$(cg_self_path "$CG_VER" "$pid") || true
	[ -z "$orig" ] || [ "$CG_MNT${orig%/}" = "$dir" ] || st_set "$reg" "cg.orig.$pid" "$CG_MNT${orig%/}"
	cg_append "$dir/cgroup.procs" "$pid"
}

# cg_release REG: move what is left back, remove the cgroup, undo v2
# delegation when no other cell needs it. Idempotent.
cg_release() {
	local reg=$1 dir ver parent suite enabled pid dest rc=0
	st_var dir "$reg" cg.dir ""
	st_var ver "$reg" cg.ver ""
	st_var parent "$reg" cg.parent ""
	st_var suite "$reg" cg.suite ""
	if [ -n "$dir" ] && [ -d "$dir" ] && ! cg_fake; then
		while read -r pid; do
			st_var dest "$reg" "cg.orig.$pid" ""
			[ -n "$dest" ] && [ -d "$dest" ] || dest=${suite:-$parent}
			printf '%s\n' "$pid" >>"$dest/cgroup.procs" 2>/dev/null || true
		done <"$dir/cgroup.procs"
	fi
	[ -z "$dir" ] || cg_rmdir "$dir" || rc=1
	rm -f "$reg/cg.dir"
	st_var enabled "$reg" cg.enabled ""
	if [ "$ver" = 2 ] && [ -n "$enabled" ] && ! compgen -G "$enabled/apfbench-[0-9a-z]*-*" >/dev/null; then
		cg_write "$enabled/cgroup.subtree_control" "-memory" || rc=1
		if [ -n "$suite" ] && [ -d "$suite" ]; then
			if ! cg_fake; then
				while read -r pid; do
					printf '%s\n' "$pid" >>"$enabled/cgroup.procs" 2>/dev/null || true
				done <"$suite/cgroup.procs"
			fi
			cg_rmdir "$suite" || rc=1
		fi
	fi
	rm -f "$reg/cg.enabled" "$reg/cg.suite"
	return "$rc"
}
