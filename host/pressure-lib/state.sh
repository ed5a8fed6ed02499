# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Run records for host/pressure and host/monitor: what one cell created,
# kept where a later run can find it after a kill -9.
#
# Each prepare/start makes a registry entry $APF_RUN_DIR/<kind>-<id>/ (a
# directory of one-value files, each written via temp + rename) and leaves
# <kind>.key in the caller's --state DIR pointing at it. A fact is recorded
# BEFORE the thing it names is created, so a crash in between leaves a
# record cleanup can act on (removal is idempotent). An entry belongs to an
# owner process (pid + start time); `cleanup-stale` only touches entries
# whose owner is gone, so concurrent runs leave each other alone.
# Sourced after host/lib.sh.

# root keeps one machine-wide registry; a non-root monitor its own
if [ -z "${APF_RUN_DIR:-}" ]; then
	if [ "$EUID" = 0 ]; then
		APF_RUN_DIR=/run/apfbench
	else
		APF_RUN_DIR=${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}/apfbench-$EUID
	fi
fi

st_set() { # DIR KEY VALUE
	printf '%s\n' "$3" >"$1/$2.tmp" && mv -f "$1/$2.tmp" "$1/$2"
}
# st_set_all DIR KEY VALUE [KEY VALUE...]: several keys, each replaced
# atomically as st_set does, with one mv for all (st_set's mv per key
# cost a monitor's start ~20 processes).
st_set_all() {
	local dir=$1
	[ -d "$dir/.batch" ] || mkdir "$dir/.batch" || return 1
	shift
	while [ $# -ge 2 ]; do
		printf '%s\n' "$2" >"$dir/.batch/$1" || return 1
		shift 2
	done
	mv -f -t "$dir" "$dir/.batch"/*
}
st_get() { # DIR KEY -> value, or return 1 when unset
	local v
	st_var v "$1" "$2" || return 1
	printf '%s\n' "$v"
}
# st_var NAME DIR KEY [DEFAULT]: KEY's value into the variable NAME without
# a fork (each $(st_get) costs two, ~5 ms here; host/monitor's stop made
# forty); DEFAULT when KEY is unset, or return 1 without one.
st_var() {
	local -n st_var_to=$1
	if [ ! -f "$2/$3" ]; then
		[ $# -ge 4 ] || return 1
		st_var_to=$4
		return 0
	fi
	IFS= read -r -d '' st_var_to <"$2/$3" || true
	st_var_to=${st_var_to%$'\n'}
}

# proc_start PID: the process's start time (clock ticks since boot), which
# together with the pid names one process even after pid reuse.
proc_start() {
	proc_stat "$1" || return 1
	printf '%s\n' "${PROC_STAT[19]}"
}
# proc_alive PID START: that very process exists and is not a zombie (our
# helpers are reparented when the starting command exits, and whoever
# inherits them may be slow to reap).
proc_alive() {
	[ -n "$1" ] && proc_stat "$1" || return 1
	[ "${PROC_STAT[0]}" != Z ] && [ "${PROC_STAT[0]}" != X ] && [ "${PROC_STAT[19]}" = "$2" ]
}

# owner_pid: the process that called us, skipping bash subshells ($(...)
# forks share their parent's command line), so the owner is the long-lived
# script and not a subshell that is gone a moment later.
owner_pid() {
	local p=$PPID pp
	while [ "$p" -gt 1 ]; do
		pp=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null) || break
		[ "${pp:-0}" -gt 1 ] || break
		cmp -s "/proc/$p/cmdline" "/proc/$pp/cmdline" || break
		p=$pp
	done
	printf '%s\n' "$p"
}

# reg_new KIND STATE_DIR OWNER_PID -> prints the new registry entry's path
reg_new() {
	local kind=$1 state=$2 owner=$3 id dir
	id="$kind-$EPOCHSECONDS-$$-$RANDOM"
	dir=$APF_RUN_DIR/$id
	# filled under a hidden name, then renamed: cleanup-stale never sees
	# an entry without its owner (and nothing reads the hidden one, so its
	# keys are written in place)
	mkdir -p "$APF_RUN_DIR/.new-$id" || return 1
	printf '%s\n' "$id" >"$APF_RUN_DIR/.new-$id/id" &&
		printf '%s\n' "$(cd "$state" && pwd)" >"$APF_RUN_DIR/.new-$id/state" &&
		printf '%s\n' "$owner" >"$APF_RUN_DIR/.new-$id/owner.pid" &&
		printf '%s\n' "$(proc_start "$owner" || echo gone)" >"$APF_RUN_DIR/.new-$id/owner.start" || return 1
	mv "$APF_RUN_DIR/.new-$id" "$dir" || return 1
	st_set "$state" "$kind.key" "$id"
	printf '%s\n' "$dir"
}

# reg_find KIND STATE_DIR -> the entry named by STATE_DIR/KIND.key, or return 1
reg_find() {
	local id
	st_var id "$2" "$1.key" || return 1
	valid_name "$id" || return 1
	[ -d "$APF_RUN_DIR/$id" ] || return 1
	printf '%s\n' "$APF_RUN_DIR/$id"
}

# reg_stale DIR: the owner is gone (or never recorded).
reg_stale() {
	local pid start
	st_var pid "$1" owner.pid || return 0
	st_var start "$1" owner.start || return 0
	! proc_alive "$pid" "$start"
}

# reg_lock DIR: hold an exclusive lock on the entry for the rest of this
# process (fd 9), so release and a concurrent cleanup-stale do not race.
reg_lock() {
	exec 9>>"$1/lock"
	flock -w 10 9
}

# spawn_detached LOG STDIN CMD...: start CMD in a session of its own
# (so it outlives us and its group can be signalled), stdin from STDIN,
# stdout to /dev/null, stderr to LOG, and no other inherited descriptors
# (a caller's pipe held open by a long-lived helper would never see EOF).
# Prints its pid, which CMD keeps (setsid and bash exec in place).
spawn_detached() {
	local log=$1 in=$2
	shift 2
	setsid bash -c 'for f in /proc/$$/fd/*; do f=${f##*/}; [ "$f" -le 2 ] || eval "exec $f>&-"; done 2>/dev/null; exec "$@"' \
		apfbench-spawn "$@" <"$in" >/dev/null 2>>"$log" &
	printf '%s\n' "$!"
}

# proc_record DIR NAME PID: remember a process we started.
proc_record() {
	st_set_all "$1" "$2.pid" "$3" "$2.start" "$(proc_start "$3" || echo gone)"
}

# proc_stop DIR NAME [group]: stop a recorded process (its process group
# with "group"): TERM, up to 1.5 s grace, then KILL. Only the exact process
# recorded (pid + start time) is signalled.
proc_stop() {
	local dir=$1 name=$2 group=${3:-} pid start target i
	st_var pid "$dir" "$name.pid" || return 0
	st_var start "$dir" "$name.start" none
	if proc_alive "$pid" "$start"; then
		target=$pid
		[ -z "$group" ] || target=-$pid
		kill -TERM -- "$target" 2>/dev/null || true
		# Polled every 10 ms: our helpers exit within a few (a 0.1 s poll
		# cost a cell's monitor stop ~0.1 s on its critical path).
		for ((i = 0; i < 150; i++)); do
			proc_alive "$pid" "$start" || break
			sleep 0.01
		done
		if proc_alive "$pid" "$start"; then
			kill -KILL -- "$target" 2>/dev/null || true
			for ((i = 0; i < 10; i++)); do
				proc_alive "$pid" "$start" || break
				sleep 0.05
			done
		fi
	fi
	rm -f "$dir/$name.pid" "$dir/$name.start"
}
