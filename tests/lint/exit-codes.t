#!/usr/bin/env bash
# One exit-code convention and --version across every user-facing tool
# (README "Exit codes and --version"): --version prints one line "TOOL
# VERSION" and exits 0; --help exits 0 and has the "Exit:" line with code 3;
# an unknown option exits 2 with one line on stderr and creates nothing; a
# missing capability, where it can be provoked without root tricks or a
# boot (no /dev/kvm, a PATH without a command, running as nobody), exits 3
# with one line and creates nothing.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

# name -> path: the table every check below runs over.
TOOLS=(
	apfw:guest/apfw
	apf-vm:host/apf-vm
	apf-local:host/apf-local
	apf-bench:bench/apf-bench
	apf-fleet:bench/apf-fleet
	pressure:host/pressure
	monitor:host/monitor
	pageout:host/pageout
	monitor-sampler:host/monitor-sampler
	apf-size:host/apf-size
	kernels:host/kernels
	need-packages:host/need-packages
	mkhostfs:host/mkhostfs
	apf-report:scripts/apf-report
	apf-stats:build/apf-stats
	apf-validate:scripts/apf-validate
	int3-rate:scripts/int3-rate
	cell-timings:scripts/cell-timings
)
CAP_CASES=15
plan "$((${#TOOLS[@]} * 3 + CAP_CASES))"
make -s guest/apfw host/pageout host/monitor-sampler host/apf-size build/apf-stats >/dev/null 2>&1 || true
# nobody (the not-root cases) must reach the sandbox and the PATH dirs
chmod 755 "$TMP_T"

# A sandbox per call: its own cwd, TMPDIR and state registry, all empty,
# so "creates nothing" is "they are still empty" (plus the tree's results/).
SB=$TMP_T/sb
results_before=$(ls -A results 2>/dev/null || true)
run_sandboxed() { # out err cmd... -> rc in RC
	local o=$1 e=$2
	shift 2
	rm -rf "$SB"
	mkdir -p "$SB/cwd" "$SB/tmp"
	chmod -R 777 "$SB"
	RC=0
	(cd "$SB/cwd" && TMPDIR=$SB/tmp APF_RUN_DIR=$SB/run APF_KERNEL_CACHE=$SB/kernels \
		"$@") >"$o" 2>"$e" </dev/null || RC=$?
}
created() { # what the last sandboxed call left behind, empty when nothing
	find "$SB/cwd" "$SB/tmp" -mindepth 1 -maxdepth 1 2>/dev/null || true
	[ ! -e "$SB/run" ] || echo "$SB/run"
	[ ! -e "$SB/kernels" ] || echo "$SB/kernels"
	[ "$(ls -A results 2>/dev/null || true)" = "$results_before" ] || echo "results/"
}
lines() { grep -c '' "$1" || true; }

for t in "${TOOLS[@]}"; do
	name=${t%%:*} path=$TOP/${t#*:}
	if [ ! -x "$path" ]; then
		for c in --version --help "an unknown option"; do not_ok "$name $c" "$path is not built"; done
		continue
	fi
	run_sandboxed "$TMP_T/o" "$TMP_T/e" "$path" --version
	if [ "$RC" = 0 ] && [ "$(lines "$TMP_T/o")" = 1 ] && grep -qE "^$name [^ ]+$" "$TMP_T/o" &&
		[ ! -s "$TMP_T/e" ] && [ -z "$(created)" ]; then
		ok "$name --version: one line '$(cat "$TMP_T/o")', exit 0"
	else
		not_ok "$name --version: one line '$name VERSION', exit 0" "exit $RC: $(cat "$TMP_T/o" "$TMP_T/e")"
	fi

	run_sandboxed "$TMP_T/o" "$TMP_T/e" "$path" --help
	help=$(tr -s ' \n' '  ' <"$TMP_T/o")
	if [ "$RC" = 0 ] && [[ $help == *"Exit: "* && $help == *"3 a missing capability"* ]]; then
		ok "$name --help: exit 0, its Exit: line has 3 a missing capability"
	else
		not_ok "$name --help: exit 0, its Exit: line has 3 a missing capability" "exit $RC: $(grep -A3 'Exit' "$TMP_T/o" | head -n 4)"
	fi

	run_sandboxed "$TMP_T/o" "$TMP_T/e" "$path" --frobnicate
	left=$(created)
	if [ "$RC" = 2 ] && [ "$(lines "$TMP_T/e")" = 1 ] && [ ! -s "$TMP_T/o" ] && [ -z "$left" ]; then
		ok "$name --frobnicate: exit 2, one line, nothing created"
	else
		not_ok "$name --frobnicate: exit 2, one line, nothing created" "exit $RC; stderr: $(head -n 3 "$TMP_T/e"); created: $left"
	fi
done

# ---- missing capabilities: exit 3, one line, nothing created ----------------
# missing WHAT PATTERN cmd...: PATTERN must be in the line.
missing() {
	local what=$1 pat=$2 left
	shift 2
	run_sandboxed "$TMP_T/o" "$TMP_T/e" "$@"
	left=$(created)
	if [ "$RC" = 3 ] && [ "$(lines "$TMP_T/e")" = 1 ] && grep -q -- "$pat" "$TMP_T/e" && [ -z "$left" ]; then
		ok "$what: exit 3, one line, nothing created"
	else
		not_ok "$what: exit 3, one line, nothing created" "exit $RC; stderr: $(head -n 3 "$TMP_T/e"); created: $left"
	fi
}
# path_without CMD...: a PATH directory with every command of this PATH but CMD.
path_without() {
	local dir=$TMP_T/path-$1 d c
	if [ ! -d "$dir" ]; then
		mkdir -p "$dir"
		# later PATH entries first, so the earlier ones win as in a lookup
		tr ':' '\n' <<<"$PATH" | tac | while IFS= read -r d; do
			[ ! -d "$d" ] || ln -sf "$d"/* "$dir"/ 2>/dev/null || true
		done
		for c in "$@"; do rm -f "$dir/$c"; done
	fi
	echo "$dir"
}
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nobody_ok() { command -v setpriv >/dev/null && as_nobody test -r "$TOP/host/lib.sh"; }
# not_root WHAT PATTERN cmd...: `missing`, as this user or, as root, as nobody.
not_root() {
	local what=$1 pat=$2
	shift 2
	if ! is_root; then
		missing "$what" "$pat" "$@"
	elif nobody_ok; then
		missing "$what" "$pat" as_nobody "$@"
	else
		skip "$what" "root here, and the tree cannot be run as nobody"
	fi
}

mkdir -p "$TMP_T/run/cells" "$TMP_T/kdir"
echo 6.1.0-test >"$TMP_T/kdir/release"
touch "$TMP_T/file"
printf 'target = vm\nworkloads = fault-storm\n' >"$TMP_T/a.conf"
printf 'target = vm\npressure = limit50\nworkloads = fault-storm\n' >"$TMP_T/p.conf"
chmod 644 "$TMP_T/a.conf" "$TMP_T/p.conf"
NOJQ=$(path_without jq)

if [ -e /dev/kvm ]; then
	skip "apf-vm --accel kvm without /dev/kvm" "this machine has /dev/kvm"
else
	missing "apf-vm --accel kvm without /dev/kvm" "no /dev/kvm" \
		"$TOP/host/apf-vm" --accel kvm --workload fault-storm --duration 1 --out "$SB/cwd/out"
fi
if [ -e /dev/apf_kctx ]; then
	skip "apfw run kctx without its module" "/dev/apf_kctx exists here"
else
	missing "apfw run kctx without its module" "module is not loaded" \
		"$TOP/guest/apfw" run kctx --duration 1 --out "$SB/cwd/out"
fi
missing "apf-bench without jq" "'jq' not found" env PATH="$NOJQ" "$TOP/bench/apf-bench" "$TMP_T/a.conf"
missing "apf-local without jq" "'jq' not found" \
	env PATH="$NOJQ" "$TOP/host/apf-local" --workload fault-storm --duration 1 --out "$SB/cwd/out"
missing "apf-report without jq" "'jq' not found" env PATH="$NOJQ" "$TOP/scripts/apf-report" "$TMP_T/run"
missing "apf-validate without jq" "'jq' not found" \
	env PATH="$NOJQ" "$TOP/scripts/apf-validate" --runs "$TMP_T/run" "$TMP_T/run"
missing "monitor start without jq" "'jq' not found" \
	env PATH="$NOJQ" "$TOP/host/monitor" start --pid "$$" --state "$SB/cwd/state" --out "$SB/cwd/out"
missing "apf-fleet without GNU parallel" "'parallel' not found" \
	env PATH="$(path_without parallel)" "$TOP/bench/apf-fleet" "$TMP_T/a.conf" --fleet "$TMP_T/file"
missing "int3-rate without QEMU" "'qemu-system-x86_64' not found" \
	env PATH="$(path_without qemu-system-x86_64)" "$TOP/scripts/int3-rate" --label x --kernel "$TMP_T/file" --initrd "$TMP_T/file"
missing "mkhostfs without cpio" "'cpio' not found" \
	env PATH="$(path_without cpio)" "$TOP/host/mkhostfs" --kernel-dir "$TMP_T/kdir"
missing "kernels fetch without apt-cache" "'apt-cache' not found" \
	env PATH="$(path_without apt-cache)" "$TOP/host/kernels" fetch debian-6.1-cloud
# Not root (as root: as nobody). need-packages must never install here.
not_root "need-packages, missing packages, not root" "sudo apt-get install" \
	env PATH="$(path_without dpkg-query)" "$TOP/host/need-packages" build
not_root "apf-bench pressure = limit50, not root" "needs root" \
	env APF_VM="$TOP/tests/bench/fake-apf-vm" FAKE_ACCEL=tcg "$TOP/bench/apf-bench" "$TMP_T/p.conf" --out "$SB/cwd/run"
not_root "apf-local --pressure limit50, not root" "needs root" \
	"$TOP/host/apf-local" --workload fault-storm --pressure limit50 --duration 1 --out "$SB/cwd/out"
not_root "pressure prepare limit50, not root" "needs root" \
	env APF_RUN_DIR="$SB/run" "$TOP/host/pressure" prepare --level limit50 --mem 1G --state "$SB/tmp"
