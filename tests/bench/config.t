#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# apf-bench refuses bad configs before anything is created: exit 2, one
# line "file:line: what", no run directory, nothing left in TMPDIR. A good
# config passes --dry-run.
. "$(dirname "$0")/../lib.sh"
B=$TOP/bench/apf-bench
export APF_VM=$TOP/tests/bench/fake-apf-vm FAKE_ACCEL=tcg

good() {
	cat <<'CONF'
# a comment
target    = vm
kernels   = debian-6.1-cloud debian-6.12-cloud   # trailing comment
modes     = apf-on apf-off
pressure  = none
workloads = fault-storm exec-storm
reps      = 2
duration  = 1
vcpus     = 2
memory    = 512M
CONF
}

# bad WHAT LINE PATTERN SED-EXPR: apply the edit, expect exit 2 naming line LINE.
bad() {
	local what=$1 line=$2 pat=$3 edit=$4 f=$TMP_T/bad.conf out rc=0 tmpd=$TMP_T/tmpdir left
	good | sed -e "$edit" >"$f"
	rm -rf "$tmpd" && mkdir "$tmpd"
	out=$(TMPDIR=$tmpd "$B" "$f" --out "$TMP_T/run-$line" 2>&1) || rc=$?
	left=$(find "$tmpd" -mindepth 1 -maxdepth 1 -printf '%f ')
	if [ "$rc" != 2 ]; then
		not_ok "$what: exit 2" "exit $rc: $out"
	elif [ -n "$line" ] && ! grep -qF -- "$f:$line: " <<<"$out"; then
		not_ok "$what: names $f:$line" "$out"
	elif ! grep -qE -- "$pat" <<<"$out"; then
		not_ok "$what: says what is wrong" "$out"
	elif [ -e "$TMP_T/run-$line" ]; then
		not_ok "$what: nothing created" "$TMP_T/run-$line exists"
	elif [ -n "$left" ]; then
		not_ok "$what: nothing left in TMPDIR" "$left"
	elif [ "$(printf '%s\n' "$out" | grep -c .)" != 1 ]; then
		not_ok "$what: one line" "$out"
	else
		ok "$what: exit 2, $f:$line, nothing created"
	fi
}

results_before=$(find "$TOP/results" -mindepth 1 -maxdepth 1 2>/dev/null | sort)
bad "unknown key" 2 "unknown key 'tagret'" 's/^target /tagret /'
bad "no '='" 5 "expected 'key = value'" 's/^pressure  = none/pressure none/'
bad "key twice" 11 "given twice" '$a reps = 3'
bad "empty value" 7 "has no value" 's/^reps .*/reps =/'
bad "unknown target" 2 "not vm or local" 's/= vm/= cloud/'
bad "unknown kernel" 3 "unknown kernel 'debian-9'" 's/debian-6.12-cloud/debian-9/'
bad "kernel path missing" 3 "is not a file" 's|debian-6.12-cloud|/nonexistent/bzImage|'
bad "kernel alias twice" 3 "listed twice" 's/debian-6.12-cloud/debian-cloud/'
bad "shell in a kernel" 3 "not a valid kernel name" 's/debian-6.12-cloud/$(touch\\ x)/'
bad "unknown mode" 4 "modes: --mode 'apf-maybe': one of" 's/apf-off/apf-maybe/'
bad "name with ;" 4 "not a valid name" 's/apf-off/apf-off;reboot/'
bad "unknown pressure" 5 "pressure: .*'squeeze'" 's/^pressure  = none/pressure = none squeeze/'
bad "limit out of range" 5 "pressure: .*'limit0'" 's/^pressure  = none/pressure = limit0/'
bad "none in a combo" 5 "pressure: .*'none' in pressure level 'none\\+hog'" 's/^pressure  = none/pressure = none+hog/'
bad "empty combo term" 5 "pressure: .*bad pressure level 'limit50\\+'" 's/^pressure  = none/pressure = limit50+/'
bad "unknown workload" 6 "unknown workload 'fault-hurricane'" 's/exec-storm/fault-hurricane/'
bad "workload listed twice" 6 "listed twice" 's/exec-storm/fault-storm/'
bad "reps zero" 7 "reps: '0' is not a whole number" 's/^reps .*/reps = 0/'
bad "reps garbage" 7 "reps: 'many'" 's/^reps .*/reps = many/'
bad "duration negative" 8 "duration: .*'-1' is not a positive" 's/^duration .*/duration = -1/'
bad "duration zero" 8 "duration: .*'0.0' is not a positive" 's/^duration .*/duration = 0.0/'
bad "vcpus garbage" 9 "vcpus: --vcpus '2x'" 's/^vcpus .*/vcpus = 2x/'
bad "memory garbage" 10 "not a size" 's/^memory .*/memory = lots/'
bad "memory too small" 10 "memory: --mem '64M': at least 128M" 's/^memory .*/memory = 64M/'
bad "missing workloads" "" "missing key 'workloads'" '/^workloads/d'
bad "local with kernels" 3 "target local runs on this machine" 's/= vm/= local/'

out=$("$B" "$TMP_T/none.conf" 2>&1) && rc=0 || rc=$?
expect_eq "missing config file: exit 2" 2 "$rc"
expect_exit "unknown option: exit 2" 2 "$B" --frobnicate
expect_exit "--help: exit 0" 0 "$B" --help
expect_eq "no run directory appeared under results/" "$results_before" "$(find "$TOP/results" -mindepth 1 -maxdepth 1 2>/dev/null | sort)"

good >"$TMP_T/good.conf"
check "a good config passes --dry-run" "$B" "$TMP_T/good.conf" --dry-run
for f in "$TOP"/bench/configs/*.conf; do
	check "shipped $(basename "$f") is valid" env APF_BENCH_SKIP_TOOL_CHECK=1 "$B" "$f" --dry-run
done

# A kernel given as a path: its cell directory is the path with / -> _.
# (host/kernels takes only a real bzImage: the cached one.)
mkdir -p "$TMP_T/k"
cp "$("$TOP/host/kernels" dir debian-6.1-cloud)/vmlinuz" "$TMP_T/k/bzImage"
good | sed "s|debian-6.12-cloud|$TMP_T/k/bzImage|" >"$TMP_T/path.conf"
want=$(printf '%s' "${TMP_T#/}/k/bzImage" | tr / _)
if "$B" "$TMP_T/path.conf" --dry-run 2>&1 | grep -q "cells/local/$want/none/none/fault-storm/rep-1"; then
	ok "kernel path -> cell directory $want"
else not_ok "kernel path cell directory" "$("$B" "$TMP_T/path.conf" --dry-run 2>&1 | head -n 5)"; fi
done_testing
