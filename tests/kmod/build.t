#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Host-side checks of the kmod area, no VM: build-for's contract (exit 3
# without headers, 2 on bad input, a .ko whose vermagic is the kernel's,
# a quick no-op rebuild, kbuild again when the inputs changed), the
# checker's usage, and kctx refusing to run without the module (exit 3, a
# missing capability, one line saying so).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
make -s guest/apfw build/kmod/apf-kctx-check >/dev/null

expect_exit "build-for --help" 0 guest/kmod/build-for --help
expect_exit "build-for without arguments is bad usage" 2 guest/kmod/build-for
expect_exit "build-for on a missing dir is bad input" 2 guest/kmod/build-for "$TMP_T/nope"

# A kernel dir without kdir (a bare bzImage without headers): exit 3, one line.
mkdir "$TMP_T/bare"
echo 6.1.0-0-fake-amd64 >"$TMP_T/bare/release"
rc=0
err=$(guest/kmod/build-for "$TMP_T/bare" 2>&1 >/dev/null) || rc=$?
if [ "$rc" = 3 ] && grep -q "no kernel headers" <<<"$err" && [ "$(wc -l <<<"$err")" = 1 ]; then
	ok "build-for without headers exits 3 with one line"
else
	not_ok "build-for without headers exits 3 with one line" "exit $rc: $err"
fi

kernels=()
for k in build/kernels/debian-6.1-cloud build/kernels/debian-6.12-cloud; do
	[ -s "$k/kdir" ] && kernels+=("$k")
done
if [ ${#kernels[@]} = 0 ]; then
	skip "build-for builds apf_kctx.ko" "no cached kernel headers (run make kernel)"
fi
for k in "${kernels[@]}"; do
	rel=$(cat "$k/release")
	rc=0
	ko=$(guest/kmod/build-for "$k" 2>"$TMP_T/err") || rc=$?
	if [ "$rc" != 0 ] || [ ! -f "$ko" ]; then
		not_ok "build-for $rel" "exit $rc: $(tail -n 5 "$TMP_T/err")"
		continue
	fi
	magic=$(modinfo -F vermagic "$ko" 2>/dev/null || strings "$ko" | sed -n 's/^vermagic=//p')
	expect_eq "apf_kctx.ko for $rel carries its vermagic" "$rel" "${magic%% *}"
	before=$(stat -c %Y.%s "$ko")
	ko2=$(guest/kmod/build-for "$k" 2>/dev/null)
	expect_eq "a second build-for for $rel is a no-op" "$ko $before" "$ko2 $(stat -c %Y.%s "$ko2")"
	# inputs other than those the .ko was built from send it through kbuild,
	# which alone writes the stamp back
	stamp=$(cat "$(dirname "$ko")/.inputs")
	echo stale >"$(dirname "$ko")/.inputs"
	guest/kmod/build-for "$k" >/dev/null 2>&1 || true
	expect_eq "changed inputs go through kbuild for $rel (stamp rewritten)" "$stamp" "$(cat "$(dirname "$ko")/.inputs")"
done

expect_exit "apf-kctx-check --help" 0 build/kmod/apf-kctx-check --help
expect_exit "apf-kctx-check with a bad argument is bad usage" 2 build/kmod/apf-kctx-check --bogus

if [ -e /dev/apf_kctx ]; then
	skip "kctx without the module exits 3" "/dev/apf_kctx exists on this host"
else
	rc=0
	err=$(guest/apfw run kctx --duration 1 --out "$TMP_T/out" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 3 ] && grep -q "module is not loaded" <<<"$err" &&
		[ "$(wc -l <<<"$err")" = 1 ] && [ ! -e "$TMP_T/out/result.json" ]; then
		ok "kctx without the module exits 3 with one line saying so"
	else
		not_ok "kctx without the module exits 3 with one line saying so" "exit $rc: $err"
	fi
fi
expect_exit "kctx refuses more than one thread" 2 guest/apfw run kctx --threads 2 --duration 1
done_testing
