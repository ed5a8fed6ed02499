#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Bad input to `apfw run` and `apfw check` exits 2 with one line naming the
# problem, creates nothing in --out and leaves no process behind, whatever
# the number (huge, NaN, inf, negative, overflowing, over RAM); a request
# too big for the address space under `ulimit -v` exits 2, not 139; a
# failure during the run exits 1 with status failed; SIGINT gives status
# incomplete.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

# One case per line: what | pattern the message must contain | arguments.
# OUT stands for the --out directory (which must not appear). Words are
# split on blanks; no case needs a blank inside an argument.
cases=$(cat <<'CASES'
unknown workload              | unknown workload 'nope'       | run nope --out OUT
unknown command               | unknown command 'frobnicate'  | frobnicate OUT
missing workload              | missing WORKLOAD              | run
unknown option                | unknown option '--bogus'      | run wakeup --out OUT --bogus 1
positional argument           | unexpected argument 'extra'   | run wakeup --out OUT extra
option without its value      | --duration needs a value      | run wakeup --out OUT --duration
flag given a value            | --interleave takes no value   | run wakeup --out OUT --interleave=1
bad choice                    | --method: 'teleport'          | run exec-storm --out OUT --method teleport
zero duration                 | --duration: '0'               | run wakeup --out OUT --duration 0
negative duration             | --duration: '-3'              | run wakeup --out OUT --duration -3
NaN duration                  | --duration: 'nan'             | run fault-storm --out OUT --duration nan
inf duration                  | --duration: 'inf'             | run fault-storm --out OUT --duration inf
-inf duration                 | --duration: '-inf'            | run fault-storm --out OUT --duration -inf
hex duration                  | --duration: '0x10'            | run fault-storm --out OUT --duration 0x10
empty duration                | --duration: ''                | run fault-storm --out OUT --duration=
duration with a unit          | --duration: '10s'             | run fault-storm --out OUT --duration 10s
duration 1e9 (was a segfault) | --duration: 1e9 is out of range | run fault-storm --out OUT --duration 1e9
duration 1e10 (was an OOM)    | --duration: 1e10 is out of range | run fault-storm --out OUT --duration 1e10
duration 1e19 (was ok, 0 ops) | --duration: 1e19 is out of range | run fault-storm --out OUT --duration 1e19
duration 1e300                | --duration: 1e300 is out of range | run wakeup --out OUT --duration 1e300
duration overflowing a double | --duration: '1e400'           | run wakeup --out OUT --duration 1e400
duration a day and a second   | out of range [0.001, 86400]   | run wakeup --out OUT --duration 86401
slice zero                    | --slice: '0'                  | run wakeup --out OUT --slice 0
slice over an hour            | --slice: 3601 is out of range | run wakeup --out OUT --slice 3601
too many slices               | slices, more than 1000000     | run wakeup --out OUT --duration 86400 --slice 0.001
garbage threads               | --threads: 'lots'             | run wakeup --out OUT --threads lots
negative threads              | --threads: -1 is out of range | run wakeup --out OUT --threads -1
threads over the limit        | --threads: 4097 is out of range | run wakeup --out OUT --threads 4097
threads overflowing int64     | --threads: 99999999999999999999 is out of range | run wakeup --out OUT --threads 99999999999999999999
seed zero                     | --seed: 0 is out of range     | run wakeup --out OUT --seed 0
bytes beyond memory           | more than MemTotal            | run fault-storm --out OUT --bytes 60T --duration 1
bytes beyond the bound        | --bytes: 100T is out of range | run fault-storm --out OUT --bytes 100T
bytes all of RAM              | MemAvailable                  | run fault-storm --out OUT --bytes 100% --duration 1
bytes overflowing 64 bits     | --bytes: 18446744073709551616 is out of range | run fault-storm --out OUT --bytes 18446744073709551616
bytes suffix overflowing      | --bytes: 17179869184G is out of range | run fault-storm --out OUT --bytes 17179869184G
bytes zero                    | --bytes: 0 is out of range    | run fault-storm --out OUT --bytes 0
bytes negative                | --bytes: '-4K'                | run fault-storm --out OUT --bytes -4K
garbage size                  | not a size                    | run fault-storm --out OUT --bytes 12Q
percentage over 100           | --bytes: '101%'               | run fault-storm --out OUT --bytes 101%
fractional percentage         | --bytes: '50.5%'              | run fault-storm --out OUT --bytes 50.5%
co-runners over the limit     | --corunners: 5000             | run fault-storm --out OUT --corunners 5000
missing NUMA node             | no such node                  | run wakeup --out OUT --numa-node 999 --duration 1
NUMA node and interleave      | exclude each other            | run wakeup --out OUT --numa-node 0 --interleave
bad CPU list                  | --cpus                        | run wakeup --out OUT --cpus 9999 --duration 1
CPU list garbage              | --cpus: 'a-b'                 | run wakeup --out OUT --cpus a-b
argv beyond ARG_MAX           | ARG_MAX                       | run exec-storm --out OUT --argv-bytes 60M --duration 1
argv beyond the bound         | --argv-bytes: 65M is out of range | run exec-storm --out OUT --argv-bytes 65M
unknown --with                | unknown workload              | run wakeup --out OUT --with nope --duration 1
--with itself                 | cannot run beside itself      | run wakeup --out OUT --with wakeup
interval below 10 us          | --interval-us: 5 is out of range | run wakeup --out OUT --interval-us 5
interval over a second        | --interval-us: 2000000 is out of range | run wakeup --out OUT --interval-us 2000000
priority over 99              | --priority: 100 is out of range | run wakeup --out OUT --priority 100
no files                      | --files: 0 is out of range    | run rcu-readers --out OUT --files 0
files over the bound          | --files: 3000000 is out of range | run rcu-readers --out OUT --files 3000000
kctx with two threads         | kctx runs one worker          | run kctx --out OUT --threads 2
kctx chunk over the module's  | --chunk-pages: 5000 is out of range | run kctx --out OUT --chunk-pages 5000
kctx bytes over the module's  | --bytes: 128G is out of range | run kctx --out OUT --bytes 128G
check: unknown workload       | apfw check: unknown workload  | check nope --mem 1G
check: missing workload       | apfw check: missing WORKLOAD  | check
check: bytes over --mem       | more than the guest's --mem   | check fault-storm --mem 1G --bytes 2G --out OUT
check: run needs over --mem   | the guest's --mem             | check fault-storm --mem 64M --bytes 60M --out OUT
check: series over --mem      | time series                   | check wakeup --mem 1G --threads 4096 --duration 86400 --out OUT
check: --mem zero             | --mem: 0 is out of range      | check fault-storm --mem 0
check: --mem garbage          | --mem: '1Q'                   | check fault-storm --mem 1Q
check: --mem as a percentage  | --mem: '50%'                  | check fault-storm --mem 50%
check: --vcpus zero           | --vcpus: 0 is out of range    | check wakeup --mem 1G --vcpus 0
check: CPU beyond the vCPUs   | not one of the guest's vCPUs  | check wakeup --mem 1G --vcpus 2 --cpus 3
check: the guest's ARG_MAX    | the guest's ARG_MAX           | check exec-storm --mem 1G --argv-bytes 4M
check: NaN duration           | --duration: 'nan'             | check wakeup --mem 1G --duration nan
check: huge duration          | --duration: 1e10 is out of range | check fault-storm --mem 1G --duration 1e10
check: unknown option         | unknown option '--bogus'      | check wakeup --mem 1G --bogus
check: --mem after the others | unknown option '--mem'        | check wakeup --duration 1 --mem 1G
check: kctx with two threads  | kctx runs one worker          | check kctx --mem 1G --threads 2
check: --with unknown         | --with nope: unknown workload | check fault-storm --mem 1G --with nope
CASES
)
ncases=$(grep -c . <<<"$cases")
plan "$((ncases + 15))"
make -s guest/apfw guest/apfw-exec-helper >/dev/null 2>&1
out=$TMP_T/out

# refused WHAT PATTERN ARGS...: exit 2, PATTERN in one line, no $out, no process.
refused() {
	local what=$1 pattern=$2 rc=0 err left
	shift 2
	err=$(timeout --kill-after=5 60 guest/apfw "$@" 2>&1 >/dev/null) || rc=$?
	left=$(pgrep -f -- "$out" || true)
	if [ "$rc" != 2 ]; then
		not_ok "$what: exit 2" "exit $rc: $err"
	elif ! grep -qF -- "$pattern" <<<"$err"; then
		not_ok "$what: message names the problem ($pattern)" "saw: $err"
	elif [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
		not_ok "$what: one line" "saw: $err"
	elif [ -e "$out" ]; then
		not_ok "$what: nothing written" "found $(ls -la "$out")"
	elif [ -n "$left" ]; then
		not_ok "$what: no process left" "$left"
	else
		ok "$what: exit 2, one line, nothing written"
	fi
	rm -rf "$out"
}

while IFS='|' read -r what pattern args; do
	read -r -a argv <<<"$args"
	for i in "${!argv[@]}"; do
		[ "${argv[$i]}" != OUT ] || argv[i]=$out
	done
	what=${what%"${what##*[! ]}"}
	pattern=${pattern# }
	pattern=${pattern%"${pattern##*[! ]}"}
	refused "$what" "$pattern" "${argv[@]}"
done <<<"$cases"

# The issue's reproductions under a memory ulimit: exit 2, never 139.
refused_ulimit() {
	local what=$1 pattern=$2 rc=0 err
	shift 2
	err=$( (ulimit -v 400000 && exec guest/apfw "$@") 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$pattern" <<<"$err" && [ ! -e "$out" ] &&
		[ "$(printf '%s\n' "$err" | wc -l)" = 1 ]; then
		ok "$what under ulimit -v: exit 2, one line, nothing written"
	else
		not_ok "$what under ulimit -v: exit 2 naming $pattern" "exit $rc: $err; $(ls "$out" 2>&1)"
	fi
	rm -rf "$out"
}
refused_ulimit "1 GiB buffer" "RLIMIT_AS" run fault-storm --bytes 1G --duration 1 --out "$out"
refused_ulimit "1000 threads' stacks" "RLIMIT_AS" run wakeup --threads 1000 --duration 1 --out "$out"
refused_ulimit "--duration 5e9 (was rc 139)" "--duration" run fault-storm --duration 5e9 --out "$out"
rc=0
(ulimit -v 400000 && exec guest/apfw run fault-storm --bytes 64M --threads 2 --corunners 1 \
	--duration 1 --out "$out") >/dev/null 2>&1 || rc=$?
expect_eq "a run that fits under ulimit -v still runs (exit 0)" 0 "$rc"
rm -rf "$out"

rc=0
err=$(guest/apfw run wakeup --duration 1 --out /proc/apfw-cannot-write 2>&1) || rc=$?
expect_eq "unwritable --out: exit 2 ($err)" 2 "$rc"

rc=0
guest/apfw run exec-storm --helper /bin/false --threads 1 --duration 1 --out "$out" >/dev/null 2>&1 || rc=$?
expect_eq "helper failing at run time: exit 1" 1 "$rc"
check "helper failing at run time: result.json says failed with the reason" \
	bash -c "tests/check-result '$out' failed >/dev/null && jq -e '.reason | test(\"did not exit 0\")' '$out/result.json'"

# SIGINT mid-run: the run ends early, marked incomplete, never as ok.
rm -rf "$out"
guest/apfw run wakeup --duration 30 --out "$out" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "SIGINT: exit 1" 1 "$rc"
check "SIGINT: result.json says incomplete, interrupted" \
	jq -e '.status == "incomplete" and (.reason | test("interrupt"))' "$out/result.json"
check "no temporary files left in --out" bash -c "! ls -A '$out' | grep -q '^\\.'"

# apfw check: the resolved parameters as one JSON line, NN% of --mem.
rm -rf "$out"
rc=0
line=$(guest/apfw check fault-storm --mem 1G --vcpus 3 --bytes 50% --with wakeup --out "$out") || rc=$?
expect_eq "check: exit 0" 0 "$rc"
expect_eq "check: one line" 1 "$(printf '%s\n' "$line" | wc -l)"
check "check: 50% of --mem 1G, threads and co-runners from --vcpus, the probe resolved" \
	jq -e '.params.bytes == 536870912 and .params.threads == 3 and .params.corunners == -1 and
		.with.workload == "wakeup" and .with.threads == 3 and .machine.memory_bytes == 1073741824 and
		.memory.need_bytes > 536870912 and .memory.need_bytes < 1073741824' <<<"$line"
if [ ! -e "$out" ]; then ok "check: --out not created"; else not_ok "check: --out not created"; fi
check "apfw --version prints one line" bash -c 'guest/apfw --version | grep -qx "apfw [^ ]*"'
