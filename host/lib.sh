# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared shell helpers for host/, bench/ and scripts/: one voice for
# messages, one exit-code convention, and a cleanup stack so every script
# undoes exactly what it created (push as you create, LIFO on exit).
#
# Exit codes everywhere (README "Exit codes"): 0 ok, 1 the work failed,
# 2 bad usage or input, 3 a capability this machine lacks (root, /dev/kvm,
# a command, a kernel feature): neither the input's fault nor the work's,
# so a caller can say "not here" instead of "broken" (tests: SKIP).
# Source it after setting PROG:  PROG=apf-vm; . "$(dirname "$0")/lib.sh"

APF_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export APF_TOP
: "${PROG:=$(basename "$0")}"

info() { printf '%s: %s\n' "$PROG" "$*" >&2; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
# usage_error: bad usage or input; one line saying what and where.
usage_error() { printf '%s: %s (try --help)\n' "$PROG" "$*" >&2; exit 2; }
# die_missing: a missing capability; one line saying what and how to get it.
EXIT_MISSING=3
die_missing() { printf '%s: %s\n' "$PROG" "$*" >&2; exit "$EXIT_MISSING"; }

# apf_version: the suite's version, as lib/version.c has it baked
# in: `git describe --always --dirty` of the tree, else the value the
# build wrote to build/VERSION (a copy without .git), else "unknown".
apf_version() {
	git -C "$APF_TOP" describe --always --dirty 2>/dev/null ||
		head -n 1 "$APF_TOP/build/VERSION" 2>/dev/null ||
		echo unknown
}
# print_version: every tool's --version: "<tool> <version>", exit 0.
print_version() { printf '%s %s\n' "$PROG" "$(apf_version)"; exit 0; }

# Cleanup stack: cleanup_push cmd args... runs at exit, newest first.
# Each entry is stored %q-quoted, so eval gives back the exact words.
_cleanups=()
cleanup_push() { _cleanups+=("$(printf '%q ' "$@")"); }
cleanup_run() {
	local i
	trap - EXIT INT TERM
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" || true
	done
	_cleanups=()
}
_rc=0
cleanup_on_exit() {
	trap '_rc=$?; cleanup_run; exit "$_rc"' EXIT
	trap 'cleanup_run; exit 130' INT
	trap 'cleanup_run; exit 143' TERM
}

need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die_missing "'$1' not found; run: host/need-packages ${2:-bench}"
}

is_root() { [ "$EUID" = 0 ]; }

# parse_size 1G|512M|2MiB|4096 -> bytes on stdout, or return 1. The
# grammar is lib/size.h's, asked of host/apf-size (built by make), so the
# shell and the C tools (host/pageout, apfw) cannot disagree on a size.
parse_size() {
	local bin=$APF_TOP/host/apf-size
	if [ ! -x "$bin" ]; then
		printf '%s: %s is not built; run make\n' "$PROG" "$bin" >&2
		return 1
	fi
	"$bin" -- "$1" 2>/dev/null || return 1
}

# now_us: the wall clock in microseconds.
now_us() { echo "${EPOCHREALTIME//[^0-9]/}"; }
# proc_stat PID [PROC]: /proc/PID/stat's fields from the state on into
# the array PROC_STAT (field 3 at index 0: majflt is 9, starttime 19); return
# 1 when the process is gone. With read: no fork (samplers poll this), and
# $(<...) would end a set -e script when the file is gone.
proc_stat() {
	local s
	{ read -r s <"${2:-/proc}/$1/stat"; } 2>/dev/null || return 1
	# comm may hold blanks and parentheses: the fields follow the last ')'
	s=${s##*) }
	read -r -a PROC_STAT <<<"$s"
}

# started_us: when this process began (its fork, before bash started and
# sourced anything: ~70 ms here, which a caller's clock counts), from
# /proc's 10 ms ticks; now when that cannot be read or makes no sense.
started_us() {
	local now=${EPOCHREALTIME//[^0-9]/} up age
	if ! { read -r up _ </proc/uptime; } 2>/dev/null || ! proc_stat $$; then
		echo "$now"
		return
	fi
	# uptime in centiseconds minus the start in ticks (USER_HZ, 100 on Linux)
	age=$(((10#${up/./} - PROC_STAT[19]) * 10000))
	if [ "$age" -lt 0 ] || [ "$age" -gt 10000000 ]; then age=0; fi
	echo $((now - age))
}

# one_line: stdin as one printable line of at most 300 characters, for a
# reason quoted from a log.
one_line() { tr -d '\r' | tr -c '[:print:]\n' ' ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-300; }

# Phase marks for a result's env.timings, in the caller's associative
# array T (declare -A T): mark NAME stamps the moment NAME happened;
# timed NAME CMD... runs CMD (a cleanup step) and keeps T[dur_NAME].
# shellcheck disable=SC2034,SC2154  # T is the caller's, declared -A there
# (No subshells: a mark falls while the guest measures.)
mark() { T[$1]=${EPOCHREALTIME//[^0-9]/}; }
# shellcheck disable=SC2034,SC2154
timed() {
	local name=$1 t=${EPOCHREALTIME//[^0-9]/} rc=0
	shift
	"$@" || rc=$?
	T[dur_$name]=$((${EPOCHREALTIME//[^0-9]/} - t))
	return "$rc"
}
# result_write TMP DEST START_US: TMP is a result merge's output (jq -r):
# a first line "status<TAB>words" (@tsv; into VERDICT), so no second jq
# reads the result for it, then the result, with the string "@tail_s@"
# where the seconds since START_US belong. That figure goes in last, with
# builtins only, so the merge's own jq counts too: only the mv is left
# off a cell's timings (a jq took 0.3 s of a 2.9 s cell on a busy machine,
# more than the 5% the timings may miss the runner's clock by).
# shellcheck disable=SC2034  # VERDICT is the caller's
result_write() {
	local json us ms
	IFS= read -r -d '' json <"$1" || true
	VERDICT=${json%%$'\n'*}
	json=${json#*$'\n'}
	us=$((${EPOCHREALTIME//[^0-9]/} - $3))
	[ "$us" -ge 0 ] || us=0
	printf -v ms '%d.%03d' $((us / 1000000)) $((us / 1000 % 1000))
	printf '%s' "${json/\"@tail_s@\"/$ms}" >"$1" && mv -f "$1" "$2"
}
# marks_json [FILE]: T (and FILE's "name microseconds" lines) as one JSON
# object for a result merge's $marks. The names are the tools' own words
# and the values integers, so no jq (each costs ~40 ms of a cell).
marks_json() {
	local k v sep="" json="{"
	for k in "${!T[@]}"; do json+="$sep\"$k\":${T[$k]}" sep=,; done
	if [ -s "${1:-}" ]; then
		while read -r k v; do
			[[ $k =~ ^[a-z_0-9]+$ && $v =~ ^-?[0-9]+$ ]] && json+="$sep\"$k\":$v" sep=,
		done <"$1"
	fi
	printf '%s}\n' "$json"
}

# json_str NAME STRING [EMPTY]: NAME set to STRING as a JSON string
# (EMPTY, default null, for ""); json_num NAME WORD: NAME set to WORD as a
# JSON number, or null for anything else. No forks: for the small
# summaries written without jq (each jq costs ~0.3 s in a nested host).
json_str() {
	local -n _js=$1
	local _s=$2 _c _i _o=""
	if [ -z "$_s" ]; then _js=${3:-null}; return 0; fi
	_s=${_s//\\/\\\\} _s=${_s//\"/\\\"}
	if [[ $_s == *[[:cntrl:]]* ]]; then
		for ((_i = 0; _i < ${#_s}; _i++)); do
			_c=${_s:_i:1}
			if [[ $_c == [[:cntrl:]] ]]; then printf -v _c '\\u%04x' "'$_c"; fi
			_o+=$_c
		done
		_s=$_o
	fi
	_js="\"$_s\""
}
json_num() {
	local -n _jn=$1
	if [[ $2 =~ ^-?[0-9]+$ ]]; then _jn=$2; else _jn=null; fi
}

# fmt_time SECONDS: h:mm:ss, or m:ss under an hour (progress and ETAs).
fmt_time() {
	local s=$1
	[ "$s" -ge 0 ] || s=0
	if [ "$s" -ge 3600 ]; then
		printf '%d:%02d:%02d' $((s / 3600)) $((s % 3600 / 60)) $((s % 60))
	else
		printf '%d:%02d' $((s / 60)) $((s % 60))
	fi
}

# valid_name STRING: the config/CLI name rule [A-Za-z0-9._-]+
valid_name() { [[ $1 =~ ^[A-Za-z0-9._-]+$ ]]; }
