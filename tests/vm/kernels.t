#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# host/kernels: names, the cache layout others rely on (vmlinuz, release,
# modules/, kdir with a usable headers Makefile), idempotent fetch, custom
# bzImage registration with KDIR, and refusals (exit 2).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

expect_eq "list: the four known names" \
	"debian-6.1-cloud debian-6.1-rt debian-6.12-cloud debian-6.12-rt" "$(host/kernels list | xargs)"
expect_exit "unknown name: exit 2" 2 host/kernels dir debian-6.1-gpu
expect_exit "fetch unknown name: exit 2" 2 host/kernels fetch nope
expect_exit "fetch without a name: exit 2" 2 host/kernels fetch
expect_exit "unknown command: exit 2" 2 host/kernels frob
printf 'junk\n' >"$TMP_T/junk"
expect_exit "junk file as kernel: exit 2" 2 host/kernels dir "$TMP_T/junk"
expect_exit "--help: exit 0" 0 host/kernels --help

for name in debian-6.1-cloud debian-6.12-cloud; do
	if ! d=$(host/kernels dir "$name" 2>"$TMP_T/err"); then
		skip "$name cache dir" "cannot fetch: $(tail -n 1 "$TMP_T/err")"
		continue
	fi
	line=${name#debian-} line=${line%-cloud}
	check "$name: vmlinuz" test -s "$d/vmlinuz"
	check "$name: release is $line.x and one line" \
		bash -c '[ "$(wc -l <"$1")" = 1 ] && grep -q "^$2\." "$1"' _ "$d/release" "$line"
	rel=$(cat "$d/release")
	check "$name: modules/ is the $rel tree" test -f "$d/modules/modules.order"
	if [ -s "$d/kdir" ]; then
		k=$(cat "$d/kdir")
		check "$name: kdir is absolute with a Makefile" bash -c '[[ $1 == /* ]] && [ -f "$1/Makefile" ]' _ "$k"
		inc=$(sed -n 's/^include //p' "$k/Makefile" | head -n 1)
		check "$name: headers Makefile includes a file in the cache" bash -c '[ -f "$1" ] && [[ $1 == "$2"/* ]]' _ "$inc" "$d"
		check "$name: kdir has the kernel's .config" grep -q "^CONFIG_KVM_GUEST=y" "$k/.config"
	else
		not_ok "$name: kdir" "no kdir in $d"
	fi
	before=$(stat -c %Y "$d/release")
	check "$name: fetch again is a no-op" host/kernels fetch "$name"
	expect_eq "$name: cached dir untouched" "$before" "$(stat -c %Y "$d/release")"
done

d=$(host/kernels dir debian-6.1-cloud 2>/dev/null) || d=""
if [ -n "$d" ]; then
	expect_eq "alias debian-cloud is 6.1-cloud" "$d" "$(host/kernels dir debian-cloud)"
	export APF_KERNEL_CACHE=$TMP_T/kc
	mkdir -p "$TMP_T/hdrs"
	: >"$TMP_T/hdrs/Makefile"
	c=$(KDIR=$TMP_T/hdrs host/kernels dir "$d/vmlinuz")
	check "custom bzImage: custom-<hash> dir" bash -c '[[ $(basename "$1") =~ ^custom-[0-9a-f]{12}$ ]]' _ "$c"
	expect_eq "custom bzImage: release read from its header" "$(cat "$d/release")" "$(cat "$c/release")"
	expect_eq "custom bzImage: kdir is KDIR" "$TMP_T/hdrs" "$(cat "$c/kdir")"
	expect_eq "custom bzImage: same input, same dir" "$c" "$(KDIR=$TMP_T/hdrs host/kernels dir "$d/vmlinuz")"
	c2=$(host/kernels dir "$d/vmlinuz")
	check "custom bzImage without KDIR: other dir, no kdir" bash -c '[ "$1" != "$2" ] && [ ! -e "$2/kdir" ]' _ "$c" "$c2"
	expect_exit "KDIR that is not a tree: exit 2" 2 env KDIR="$TMP_T/none" host/kernels dir "$d/vmlinuz"
else
	skip "custom bzImage" "no cached debian-6.1-cloud"
fi
done_testing
