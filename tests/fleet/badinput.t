#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A fleet run refuses bad input before anything exists (exit 2, file:line):
# fleet_mode is checked with the other config keys, the sshloginfile's
# names must be unique and valid, a kernel path cannot travel; and the dry
# run plans one job per machine (replicate) or per workload (shard).
# No machine is contacted.
. "$(dirname "$0")/../lib.sh"
if ! command -v parallel >/dev/null || ! command -v rsync >/dev/null; then
	skip_rest "fleet input checks" "GNU parallel or rsync not installed (host/need-packages test)"
fi
B=$TOP/bench/apf-bench
cat >"$TMP_T/bad.conf" <<'CONF'
target     = local
workloads  = fault-storm
fleet_mode = everywhere
CONF
printf '127.0.0.2\n127.0.0.3\n' >"$TMP_T/two"
out=$("$B" "$TMP_T/bad.conf" --fleet "$TMP_T/two" --dry-run 2>&1) && rc=0 || rc=$?
expect_eq "fleet_mode everywhere: exit 2" 2 "$rc"
case "$out" in *"bad.conf:3: fleet_mode: 'everywhere' is not replicate or shard"*) ok "says file:line and what" ;;
*) not_ok "says file:line and what" "$out" ;; esac
# The key is the runner's like any other: a plain run checks it too.
expect_exit "apf-bench without --fleet checks fleet_mode too" 2 "$B" "$TMP_T/bad.conf" --dry-run

cat >"$TMP_T/ok.conf" <<'CONF'
target     = local
fleet_mode = shard
workloads  = fault-storm exec-storm
reps       = 2
CONF
printf '# two logins with one host name\n127.0.0.2\nssh -p 2222 root@127.0.0.2\n' >"$TMP_T/dup"
out=$("$B" "$TMP_T/ok.conf" --fleet "$TMP_T/dup" --dry-run 2>&1) && rc=0 || rc=$?
expect_eq "one machine name twice: exit 2" 2 "$rc"
case "$out" in *"dup:3: machine '127.0.0.2' listed twice"*) ok "says which line" ;; *) not_ok "says which line" "$out" ;; esac
printf '@a b/127.0.0.2\n' >"$TMP_T/badname"
expect_exit "a machine name with a blank: exit 2" 2 "$B" "$TMP_T/ok.conf" --fleet "$TMP_T/badname" --dry-run
: >"$TMP_T/empty"
expect_exit "an sshloginfile without machines: exit 2" 2 "$B" "$TMP_T/ok.conf" --fleet "$TMP_T/empty" --dry-run
expect_exit "a missing sshloginfile: exit 2" 2 "$B" "$TMP_T/ok.conf" --fleet "$TMP_T/nope" --dry-run

printf '@alpha/4/ssh -p 2222 root@127.0.0.2\n127.0.0.3\n:\n' >"$TMP_T/named"
out=$("$B" "$TMP_T/ok.conf" --fleet "$TMP_T/named" --dry-run 2>"$TMP_T/err") && rc=0 || rc=$?
expect_eq "shard dry run: exit 0" 0 "$rc"
check "machines named by @NAME/, by host, ':' is localhost" \
	test "$(printf '%s\n' "$out" | awk '$1 == "machine" { print $2 }' | paste -sd ' ')" = "alpha 127.0.0.3 localhost"
check "shard: one job per workload, any machine, all its reps" \
	test "$(printf '%s\n' "$out" | awk '$1 == "job" { print $2, $3 }' | paste -sd ' ')" = "g-fault-storm 2 g-exec-storm 2"
if grep -q "'4/' ignored" "$TMP_T/err"; then ok "an N/ job count is ignored, and said so"; else not_ok "N/ said" "$(cat "$TMP_T/err")"; fi
sed -i 's/^fleet_mode.*/fleet_mode = replicate/' "$TMP_T/ok.conf"
out=$("$B" "$TMP_T/ok.conf" --fleet "$TMP_T/named" --dry-run 2>&1)
check "replicate: one pinned job per machine with the whole matrix" \
	test "$(printf '%s\n' "$out" | awk '$1 == "job" { print $2, $3, $NF }' | paste -sd ' ')" = "m-alpha 4 alpha m-127.0.0.3 4 127.0.0.3 m-localhost 4 localhost"

# A kernel given as a path is a file on this machine only.
kimg=${APF_KERNEL_CACHE:-$TOP/build/kernels}/debian-6.1-cloud/vmlinuz
if [ -f "$kimg" ]; then
	printf 'target = vm\nkernels = %s\nworkloads = fault-storm\n' "$kimg" >"$TMP_T/path.conf"
	out=$("$B" "$TMP_T/path.conf" --fleet "$TMP_T/two" --dry-run 2>&1) && rc=0 || rc=$?
	expect_eq "a kernel path: exit 2" 2 "$rc"
	case "$out" in *"a fleet ships kernels by name"*) ok "says kernels travel by name" ;; *) not_ok "says kernels travel by name" "$out" ;; esac
else
	skip "a kernel path is refused" "no cached kernel image to name by path (make kernel)"
fi
expect_exit "--resume of a directory that is no fleet run: exit 2" 2 "$TOP/bench/apf-fleet" --resume "$TMP_T"
done_testing
