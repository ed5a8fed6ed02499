#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# target = local with the real guest/apfw (through host/apf-local):
# workloads run natively, sizes in NN% are of the config's memory, results
# carry the host-side env, and (as root) limit50 pressure is applied to
# the apfw process through host/pressure and removed after.
. "$(dirname "$0")/../lib.sh"
if [ ! -x "$TOP/guest/apfw" ]; then skip_rest "target local" "guest/apfw not built (make)"; fi
plan 16
pressure=none
if is_root && [ -x "$TOP/host/pressure" ]; then pressure="none limit50"; fi
cat >"$TMP_T/l.conf" <<CONF
target    = local
pressure  = $pressure
workloads = fault-storm exec-storm
reps      = 1
duration  = 1
memory    = 256M
CONF
R=$TMP_T/run
export APF_RUN_DIR=$TMP_T/reg
rc=0
"$TOP/bench/apf-bench" "$TMP_T/l.conf" --out "$R" >/dev/null 2>"$TMP_T/err" || rc=$?
expect_eq "local run exits 0" 0 "$rc"
f=$R/cells/local/local/native/none/fault-storm/rep-1/result.json
check "fault-storm ok natively, accel native, kernel local" \
	jq -e '.status == "ok" and .env.accel == "native" and .env.kernel == "local" and .env.pressure == "none"' "$f"
expect_eq "50% of memory = 128M, not 50% of this machine" 134217728 "$(jq -r .params.bytes "$f")"
check "exec-storm got --argv-bytes 1M" jq -e '.params.argv_bytes == 1048576' \
	"$R/cells/local/local/native/none/exec-storm/rep-1/result.json"
for w in fault-storm exec-storm; do
	check "$w: result files valid (tests/check-result)" \
		"$TOP/tests/check-result" "$R/cells/local/local/native/none/$w/rep-1"
done
check "run.json: modes collapsed to native" jq -e '.modes.run == ["native"] and .host.accel == "native"' "$R/run.json"
if [ "$pressure" = none ]; then
	skip_rest "limit50 natively" "needs root and host/pressure"
fi
p=$R/cells/local/local/native/limit50/fault-storm/rep-1
check "limit50 cell ok" jq -e '.status == "ok" and .env.pressure == "limit50"' "$p/result.json"
if grep -q "attached 'limit50'" "$p/pressure.log"; then ok "host/pressure attached limit50 to apfw"; else not_ok "pressure attach" "$(cat "$p/pressure.log")"; fi
# host/pressure and host/monitor record what they make under APF_RUN_DIR
# and remove each entry once undone: none left means released.
left=$(find "$APF_RUN_DIR" -mindepth 1 -maxdepth 1 -name '*-*' 2>/dev/null || true)
expect_eq "pressure released, monitor stopped (no registry entry left)" "" "$left"
if jq -e '.host.pressure.level == "limit50"' "$p/result.json" >/dev/null; then
	ok "the host block (host/monitor's) says limit50"
else
	not_ok "the host block (host/monitor's) says limit50" "host: $(jq -c '.host | if type == "object" then {pressure, swap} else . end' "$p/result.json" | cut -c1-200); $(tail -n 3 "$p/apf-local.log")"
fi
tap_relay "$TOP/tests/bench/timings-check" "$R"
