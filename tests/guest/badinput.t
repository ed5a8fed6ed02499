#!/usr/bin/env bash
# Bad input exits 2 with one line naming the problem and writes nothing;
# a failure during the run exits 1 with status failed; SIGINT gives
# status incomplete.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
make -s guest/apfw guest/apfw-exec-helper >/dev/null
out=$TMP_T/out

refused() {
	local what=$1 pattern=$2 rc=0 err
	shift 2
	err=$(guest/apfw "$@" --out "$out" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" != 2 ]; then
		not_ok "$what: exit 2" "exit $rc: $err"
	elif ! grep -q -- "$pattern" <<<"$err"; then
		not_ok "$what: message names the problem" "saw: $err"
	elif [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
		not_ok "$what: one line" "saw: $err"
	elif [ -e "$out" ]; then
		not_ok "$what: nothing written" "found $(ls -la "$out")"
	else
		ok "$what: exit 2, one line, nothing written"
	fi
}

refused "unknown workload" "unknown workload 'nope'" run nope
refused "unknown option" "unknown option '--bogus'" run wakeup --bogus 1
refused "zero duration" "--duration" run wakeup --duration 0
refused "negative duration" "--duration" run wakeup --duration -3
refused "garbage threads" "--threads: 'lots'" run wakeup --threads lots
refused "negative threads" "--threads" run wakeup --threads -1
refused "bytes beyond memory" "more than MemTotal" run fault-storm --bytes 100T --duration 1
refused "garbage size" "not a size" run fault-storm --bytes 12Q
refused "missing NUMA node" "no such node" run wakeup --numa-node 999 --duration 1
refused "bad CPU list" "--cpus" run wakeup --cpus 9999 --duration 1
refused "argv beyond ARG_MAX" "ARG_MAX" run exec-storm --argv-bytes 60M --duration 1
refused "unknown --with" "unknown workload" run wakeup --with nope --duration 1

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
