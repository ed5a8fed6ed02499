#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/apf-local, the target = local cell runner, on host/apf-vm's
# contract: --help/--version, --dry-run creates nothing and shows NN% of
# --mem resolved, bad input exits 2 with one line and creates nothing
# (apfw check refuses a workload's bad arguments), a real short cell
# without pressure gives a valid result with env.accel native, timings and
# the host block; a timeout and SIGTERM are recorded as such and leave
# nothing behind; a failed workload exits 1.
. "$(dirname "$0")/../lib.sh"
L=$TOP/host/apf-local
plan 28
[ -x "$TOP/guest/apfw" ] || skip_rest "host/apf-local" "guest/apfw not built (make)"
# Its temp dirs land in TMPDIR: empty again after every call.
export TMPDIR=$TMP_T/tmp
mkdir -p "$TMPDIR"
leftover() { find "$TMPDIR" -mindepth 1 -maxdepth 1; }

out=$("$L" --help)
if [[ $out == *"Exit: 0 ok, 1"*"3 a missing capability"* ]]; then ok "--help: exit 0, the Exit: line"; else not_ok "--help" "$out"; fi
out=$("$L" --version)
if [[ $out =~ ^apf-local\ [^\ ]+$ ]]; then ok "--version: one line"; else not_ok "--version" "$out"; fi

# ---- dry run ------------------------------------------------------------------
rc=0
out=$("$L" --workload fault-storm --mem 256M --duration 1 --out "$TMP_T/dry" --dry-run -- --bytes 50% 2>"$TMP_T/err") || rc=$?
expect_eq "--dry-run exits 0" 0 "$rc"
if [[ $out == *" run fault-storm --duration 1 --out $TMP_T/dry --bytes 134217728" ]]; then
	ok "--dry-run prints the apfw command line, 50% of --mem 256M resolved"
else not_ok "--dry-run command line" "$out"; fi
if grep -q '^apf-local: accel native: ' "$TMP_T/err"; then ok "--dry-run says accel native"; else not_ok "accel native" "$(cat "$TMP_T/err")"; fi
if [ ! -e "$TMP_T/dry" ] && [ -z "$(leftover)" ]; then ok "--dry-run created nothing"; else not_ok "--dry-run created nothing" "$(leftover)"; fi

# ---- bad input: exit 2, one line, nothing created ----------------------------
touch "$TMP_T/file"
bad() { # what args...
	local what=$1 rc=0 n
	shift
	"$L" "$@" >"$TMP_T/o" 2>"$TMP_T/e" || rc=$?
	n=$(grep -c '' "$TMP_T/e" || true)
	if [ "$rc" = 2 ] && [ "$n" = 1 ] && [ ! -s "$TMP_T/o" ] && [ ! -e "$TMP_T/bad" ] && [ -z "$(leftover)" ]; then
		ok "$what: exit 2, one line, nothing created"
	else
		not_ok "$what: exit 2, one line, nothing created" "exit $rc; $(head -n 3 "$TMP_T/e"); $(leftover)"
	fi
}
bad "an unknown option" --frobnicate --workload fault-storm --out "$TMP_T/bad"
bad "--mode apf-on (not settable natively)" --workload fault-storm --mode apf-on --out "$TMP_T/bad"
bad "--kernel (a guest's option)" --workload fault-storm --kernel debian-6.1-cloud --out "$TMP_T/bad"
bad "no --workload" --out "$TMP_T/bad"
bad "no --out" --workload fault-storm
bad "--out a file" --workload fault-storm --out "$TMP_T/file"
bad "an unknown workload (apfw check)" --workload nosuch --out "$TMP_T/bad"
bad "--duration 1e10 (apfw check)" --workload fault-storm --duration 1e10 --out "$TMP_T/bad"
bad "-- --bytes -5 (apfw check)" --workload fault-storm --out "$TMP_T/bad" -- --bytes -5
bad "--mem 64M" --workload fault-storm --mem 64M --out "$TMP_T/bad"
bad "--timeout 0" --workload fault-storm --timeout 0 --out "$TMP_T/bad"
bad "--pressure limit999" --workload fault-storm --pressure limit999 --out "$TMP_T/bad"
rc=0
APF_APFW=$TMP_T/nothing "$L" --workload fault-storm --out "$TMP_T/bad" 2>"$TMP_T/e" || rc=$?
if [ "$rc" = 3 ] && [ ! -e "$TMP_T/bad" ]; then ok "no apfw: exit 3, nothing created"; else not_ok "no apfw: exit 3" "exit $rc: $(cat "$TMP_T/e")"; fi

# ---- a real short cell without pressure ---------------------------------------
C=$TMP_T/cell
rc=0
"$L" --workload fault-storm --mem 256M --duration 1 --out "$C" -- --bytes 50% 2>"$TMP_T/err" || rc=$?
expect_eq "a 1 s fault-storm cell exits 0" 0 "$rc"
check "its result files are valid (tests/check-result)" "$TOP/tests/check-result" "$C"
check "env: accel native, kernel local, mode native, pressure none; 50% of 256M" \
	jq -e '.status == "ok" and .env.accel == "native" and .env.kernel == "local"
		and .env.mode_requested == "native" and .env.pressure == "none" and .env.host.name == "local"
		and .params.bytes == 134217728' "$C/result.json"
check "env.timings: prepare, setup, measured, release, none negative" \
	jq -e '.env.timings | (.prepare and .setup and .measured and .release) and ([.[] | numbers | select(. < 0)] == [])' "$C/result.json"
if [ -x "$TOP/host/monitor" ]; then
	check "the host block is host/monitor's (with the measured phase)" \
		jq -e '.host | type == "object" and has("pswpin") and (.measured | type == "object")' "$C/result.json"
else skip "the host block" "host/monitor missing"; fi
if [ -z "$(leftover)" ]; then ok "nothing left in TMPDIR"; else not_ok "nothing left in TMPDIR" "$(leftover)"; fi

# ---- timeout, SIGTERM, a failed workload --------------------------------------
rc=0
"$L" --workload fault-storm --mem 256M --duration 20 --timeout 1 --out "$TMP_T/to" -- --bytes 50% 2>/dev/null || rc=$?
if [ "$rc" = 1 ] && jq -e '.status == "timeout"' "$TMP_T/to/result.json" >/dev/null &&
	"$TOP/tests/check-result" "$TMP_T/to" timeout >/dev/null && [ -z "$(leftover)" ]; then
	ok "--timeout 1: exit 1, status timeout, valid, nothing left"
else not_ok "--timeout 1" "exit $rc: $(jq -c '[.status, .reason]' "$TMP_T/to/result.json" 2>&1) $(leftover)"; fi
"$L" --workload fault-storm --mem 256M --duration 20 --out "$TMP_T/int" -- --bytes 50% 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do [ ! -s "$TMP_T/int/apfw.log" ] || break; sleep 0.05; done
sleep 0.5
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
if [ "$rc" = 143 ] && jq -e '.status == "incomplete" and (.reason | test("SIGTERM"))' "$TMP_T/int/result.json" >/dev/null &&
	[ -z "$(leftover)" ]; then
	ok "SIGTERM: exit 143, status incomplete, nothing left"
else not_ok "SIGTERM" "exit $rc: $(jq -c '[.status, .reason]' "$TMP_T/int/result.json" 2>&1) $(leftover)"; fi
rc=0
APF_APFW=$TOP/tests/bench/fake-apfw FAKE_FAIL='*' "$L" --workload fault-storm --duration 1 --out "$TMP_T/f" 2>/dev/null || rc=$?
if [ "$rc" = 1 ] && jq -e '.status == "failed" and .env.accel == "native"' "$TMP_T/f/result.json" >/dev/null; then
	ok "a failed workload: exit 1, status failed"
else not_ok "a failed workload" "exit $rc: $(jq -c '[.status, .reason]' "$TMP_T/f/result.json" 2>&1)"; fi
