#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Faults: a run killed with kill -9 leaves a cgroup, swap, a pager, a hog,
# a sampler and a tracefs mount behind; `cleanup-stale` removes all of it
# and leaves a live run alone. A runner that gets SIGTERM releases
# everything through its cleanup stack, quickly.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
need_pressure_root "stale cleanup"
P=$TOP/host/pressure M=$TOP/host/monitor

before=$(sys_snapshot)

# an owner that prepares, attaches and monitors, then just sits there
start_owner() { # NAME SWAP LEVEL
	local s=$TMP_T/$1 i
	start_standin 128 --touch || return 1
	mkdir -p "$s"
	bash -c '"$1" prepare --level "$4" --swap "$5" --mem 128M --state "$3/p" &&
		"$1" attach --state "$3/p" --pid "$6" &&
		"$2" start --pid "$6" --state "$3/m" --out "$3/cell" --interval 0.5 &&
		touch "$3/up" && exec sleep 300' owner "$P" "$M" "$s" "$3" "$2" "$SPID" >"$s/log" 2>&1 &
	OWNER=$!
	for ((i = 0; i < 300; i++)); do
		[ -e "$s/up" ] && return 0
		kill -0 "$OWNER" 2>/dev/null || break
		sleep 0.1
	done
	cat "$s/log" >&2
	return 1
}

if start_owner dead file limit50+pageout20+hog; then ok "a run is up"; else not_ok "a run is up"; fi
dead_owner=$OWNER dead_standin=$SPID
reg=$(echo "$APF_RUN_DIR"/pressure-*)
pager=$(cat "$reg/pageout.pid") hog=$(cat "$reg/hog.pid")
swapdev=$(cat "$reg/swap.dev") cg=$(cat "$reg/cg.dir")
if start_owner live file pageout10; then ok "a second, live run is up"; else not_ok "a second, live run is up"; fi
live_owner=$OWNER
live_reg=$(grep -lx "$TMP_T/live/p" "$APF_RUN_DIR"/pressure-*/state)
live_reg=${live_reg%/state}

kill -9 "$dead_owner"
wait "$dead_owner" 2>/dev/null || true
check "cleanup-stale" "$P" cleanup-stale
for p in "$pager" "$hog"; do
	if [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat")" != Z ]; then not_ok "helper $p stopped"; else ok "helper $p stopped"; fi
done
if swapon --show=NAME --noheadings | grep -qxF "$swapdev"; then not_ok "dead run's swap off"; else ok "dead run's swap off"; fi
expect_eq "dead run's swap file deleted" no "$([ -e "$swapdev" ] && echo yes || echo no)"
expect_eq "dead run's cgroup removed" no "$([ -d "$cg" ] && echo yes || echo no)"
expect_eq "dead run's stand-in is back in its own cgroup" no "$(grep -c apfbench "/proc/$dead_standin/cgroup" >/dev/null && echo yes || echo no)"
expect_eq "dead run's records gone" "" "$(grep -lx "$TMP_T/dead/[pm]" "$APF_RUN_DIR"/*/state 2>/dev/null || true)"
expect_eq "live run untouched" yes "$([ -d "$live_reg" ] && swapon --show=NAME --noheadings | grep -qxF "$(cat "$live_reg/swap.dev")" && echo yes || echo no)"

# the live run ends normally
check "live run: monitor stop" "$M" stop --state "$TMP_T/live/m"
check "live run: release" "$P" release --state "$TMP_T/live/p"
kill "$live_owner" 2>/dev/null || true
wait "$live_owner" 2>/dev/null || true
stop_standins
assert_as_before "after kill -9 and cleanup-stale" "$before"

# SIGTERM to a runner: its cleanup stack (host/lib.sh) releases everything
cat >"$TMP_T/runner" <<'RUNNER'
#!/usr/bin/env bash
set -eu
. "$APF_TOP/host/lib.sh"
cleanup_on_exit
s=$1 pid=$2
"$APF_TOP/host/pressure" prepare --level limit50+pageout50+hog --swap file --mem 128M --state "$s/p"
cleanup_push "$APF_TOP/host/pressure" release --state "$s/p"
"$APF_TOP/host/pressure" attach --state "$s/p" --pid "$pid"
"$APF_TOP/host/monitor" start --pid "$pid" --state "$s/m" --out "$s/cell"
cleanup_push "$APF_TOP/host/monitor" stop --state "$s/m"
cleanup_push kill "$pid"
touch "$s/up"
sleep 300 &
wait $!
RUNNER
chmod +x "$TMP_T/runner"
start_standin 128 --touch
APF_TOP=$TOP "$TMP_T/runner" "$TMP_T/sig" "$SPID" >"$TMP_T/sig.log" 2>&1 &
runner=$!
for ((i = 0; i < 300; i++)); do [ -e "$TMP_T/sig/up" ] && break; sleep 0.1; done
t0=$(date +%s%N)
kill -TERM "$runner"
for ((i = 0; i < 100; i++)); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
ms=$((($(date +%s%N) - t0) / 1000000))
if kill -0 "$runner" 2>/dev/null; then
	not_ok "runner exits after SIGTERM" "still running after ${ms} ms"
else
	ok "runner cleaned up and exited ${ms} ms after SIGTERM"
fi
wait "$runner" 2>/dev/null || true
expect_eq "host.json written on the way out" yes "$([ -s "$TMP_T/sig/cell/host.json" ] && echo yes || echo no)"
stop_standins
expect_eq "registry empty after SIGTERM" "" "$(find "$APF_RUN_DIR" -mindepth 1 -maxdepth 1 -type d)"
assert_as_before "after SIGTERM" "$before"
done_testing
