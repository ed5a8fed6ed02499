#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/pressure and host/monitor usage: level names, refusals before any
# change (not root, bad input), `none` needing nothing, --help everywhere.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
P=$TOP/host/pressure

for l in none limit50 pageout20 hog limit50+hog limit30+pageout10 pageout5+limit90+hog limit100; do
	expect_exit "level '$l' is valid" 0 "$P" check-level "$l"
done
for l in "" limit limit0 limit101 pageout pageout0 hog+hog limit50+limit60 none+hog "limit50 " 'limit50;x' LIMIT50 limit50+ swap; do
	expect_exit "level '$l' is refused" 2 "$P" check-level "$l"
done

check "pressure --help" "$P" --help
check "monitor --help" "$TOP/host/monitor" --help
if [ -x "$TOP/host/pageout" ]; then
	check "pageout --help" "$TOP/host/pageout" --help
	expect_exit "pageout without --pid is bad usage" 2 "$TOP/host/pageout" --percent 10
	expect_exit "pageout --percent 0 is bad usage" 2 "$TOP/host/pageout" --pid 1 --percent 0
	expect_exit "pageout --chunk 3000 (not page-sized) is bad usage" 2 "$TOP/host/pageout" --pid "$$" --percent 10 --chunk 3000
	expect_exit "pageout on a process without guest RAM fails" 1 "$TOP/host/pageout" --pid "$$" --percent 10 --passes 1
else
	skip "pageout usage" "host/pageout not built (run make)"
fi
expect_exit "unknown command" 2 "$P" frobnicate
expect_exit "prepare without --mem" 2 "$P" prepare --level limit50 --state "$TMP_T/s0"
expect_exit "prepare with a bad --swap" 2 "$P" prepare --level limit50 --mem 1G --swap nfs --state "$TMP_T/s0"
expect_exit "prepare with a bad level" 2 "$P" prepare --level limit500 --mem 1G --state "$TMP_T/s0"
expect_exit "attach to a missing pid" 2 "$P" attach --state "$TMP_T/s0" --pid 999999999
expect_exit "monitor stop without a start" 2 "$TOP/host/monitor" stop --state "$TMP_T/s0"
expect_exit "release of nothing is fine" 0 "$P" release --state "$TMP_T/nothing"

# `none` needs neither root nor swap, and records a summary
if is_root && command -v setpriv >/dev/null; then
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env APF_RUN_DIR="$TMP_T/run-nobody" "$@"; }
	mkdir -p "$TMP_T/nb" && chmod 777 "$TMP_T" "$TMP_T/nb"
	expect_exit "none as non-root succeeds" 0 nobody "$P" prepare --level none --mem 1G --state "$TMP_T/nb/s"
	expect_eq "none records its level" none "$(jget "$TMP_T/nb/s/pressure.json" .level)"
	out=$(nobody "$P" prepare --level limit50 --mem 1G --state "$TMP_T/nb/s2" 2>&1) && rc=0 || rc=$?
	expect_eq "limit50 as non-root: a missing capability, exit 3" 3 "$rc"
	case "$out" in *"needs root"*) ok "the refusal says why" ;; *) not_ok "the refusal says why" "$out" ;; esac
	expect_eq "the refusal made no registry entry" "" "$(ls "$TMP_T/run-nobody" 2>/dev/null || true)"
	expect_exit "attach after none is a no-op" 0 "$P" attach --state "$TMP_T/nb/s" --pid "$$"
	# a non-root monitor: its own registry, and null for what it cannot read
	if [ -x "$HOLD" ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$HOLD" 16 >"$TMP_T/nb/hold.out" &
		hp=$!
		for ((i = 0; i < 50; i++)); do grep -q ready "$TMP_T/nb/hold.out" 2>/dev/null && break; sleep 0.1; done
		check "non-root monitor start" nobody "$TOP/host/monitor" start --pid "$hp" --state "$TMP_T/nb/m" --out "$TMP_T/nb/cell"
		sleep 1.2
		check "non-root monitor stop" nobody "$TOP/host/monitor" stop --state "$TMP_T/nb/m"
		kill "$hp"
		wait "$hp" 2>/dev/null || true
		j=$TMP_T/nb/cell/host.json
		if jq -e '([.kvm_async_pf[]] | all(. == null)) and ([.kvm_stats[]] | all(. == null)) and .qemu_rss_peak_bytes > 16000000 and .pswpout != null' "$j" >/dev/null 2>&1; then
			ok "non-root host.json: counters read, kvm ones null"
		else
			not_ok "non-root host.json: counters read, kvm ones null" "$(jq -c . "$j" 2>/dev/null)"
		fi
	fi
else
	skip "non-root refusal" "needs root and setpriv to act as nobody"
fi

# swap that cannot be made: exit 2 before anything runs, nothing left over
if is_root; then
	before=$(sys_snapshot)
	out=$(APF_SWAP_DIR=$TMP_T/missing "$P" prepare --level pageout10 --swap file --mem 16M --state "$TMP_T/sw1" 2>&1) && rc=0 || rc=$?
	expect_eq "swap dir missing: exit 2" 2 "$rc"
	case "$out" in *"cannot make file swap"*) ok "swap dir missing: says so" ;; *) not_ok "swap dir missing: says so" "$out" ;; esac
	if [ -d /dev/shm ]; then
		mkdir -p /dev/shm/apft.$$
		out=$(APF_SWAP_DIR=/dev/shm/apft.$$ "$P" prepare --level pageout10 --swap file --mem 16M --state "$TMP_T/sw2" 2>&1) && rc=0 || rc=$?
		expect_eq "swap file on tmpfs: exit 2" 2 "$rc"
		expect_eq "swap file on tmpfs: the file is gone again" "" "$(ls -A /dev/shm/apft.$$)"
		rm -rf /dev/shm/apft.$$
	fi
	expect_eq "refused prepares left no records" "" "$(find "$APF_RUN_DIR" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)"
	assert_as_before "refused prepares" "$before"
fi
done_testing
