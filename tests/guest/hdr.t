#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# latency.hgrm and latency.hlog against a real HdrHistogram implementation,
# hdr-histogram-js (npm, pinned in tests/js, installed into build/js):
# the same values recorded by guest/lib and by it must print the same
# percentile distribution and decode to the same counts; a real apfw run's
# interval log must decode to its series rows and its total histogram.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

command -v node >/dev/null || { skip_rest "HdrHistogram formats" "node is not installed"; }
js=build/js
if ! [ -d "$js/node_modules/hdr-histogram-js" ]; then
	mkdir -p "$js"
	cp tests/js/package.json tests/js/package-lock.json "$js/"
	if ! out=$(cd "$js" && timeout 300 npm ci --no-audit --no-fund 2>&1); then
		skip_rest "HdrHistogram formats" "npm could not install hdr-histogram-js: $(tail -n 1 <<<"$out")"
	fi
fi
export NODE_PATH=$TOP/$js/node_modules

if ! out=$(make -s guest/apfw guest/apfw-exec-helper unit-bins 2>&1 &&
	cc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Iguest/lib -Ilib -o "$TMP_T/feed" \
		tests/guest/hdr_feed.c build/guest/lib/hdr.o build/guest/lib/hist.o -lz -lm 2>&1); then
	not_ok "build apfw and the hdr_feed driver" "$out"
	exit 0
fi

# Values across the whole range: exact buckets (0..255, including the
# halves 125, 375 that printf would round to even), log-uniform up to the
# top octave, a clamp past HB_MAX_VALUE, and heavy repeats.
node -e '
let x = 0x9e3779b97f4a7c15n;
const next = () => { x ^= x << 13n; x &= (1n << 64n) - 1n; x ^= x >> 7n; x ^= x << 17n;
	x &= (1n << 64n) - 1n; return Number(x >> 11n) / 2 ** 53; };
const out = [];
for (let i = 0; i < 256; i++) out.push(i);
for (let i = 0; i < 20000; i++) out.push(Math.floor(2 ** (next() * 44)));
for (let i = 0; i < 5000; i++) out.push(125, 375, 1005);
out.push(2 ** 44 - 1);
console.log(out.join("\n"));' >"$TMP_T/values"
"$TMP_T/feed" <"$TMP_T/values" >"$TMP_T/values.hgrm"
"$TMP_T/feed" --hlog <"$TMP_T/values" >"$TMP_T/values.hlog"
tap_relay node tests/guest/hdr-compare.js values "$TMP_T/values" "$TMP_T/values.hgrm" "$TMP_T/values.hlog"

: >"$TMP_T/empty"
"$TMP_T/feed" <"$TMP_T/empty" >"$TMP_T/empty.hgrm"
"$TMP_T/feed" --hlog <"$TMP_T/empty" >"$TMP_T/empty.hlog"
# (pipefail: node's own exit code is the one tap_relay judges)
tap_relay bash -o pipefail -c 'node tests/guest/hdr-compare.js values "$1" "$1.hgrm" "$1.hlog" |
	sed "s/^\(n*o*t* *ok - \)/\1empty: /"' - "$TMP_T/empty"

# Real runs: two workers and a probe beside them (tagged intervals), and
# a slice that does not divide the duration (the tail folded in).
if guest/apfw run fault-storm --bytes 16M --threads 2 --corunners 0 --with wakeup \
	--duration 1.05 --out "$TMP_T/fs" >"$TMP_T/fs.log" 2>&1; then
	tap_relay node tests/guest/hdr-compare.js run "$TMP_T/fs"
else
	not_ok "fault-storm --with wakeup ran" "$(cat "$TMP_T/fs.log")"
fi
if guest/apfw run exec-storm --threads 1 --duration 1.1 --slice 0.25 \
	--out "$TMP_T/ex" >"$TMP_T/ex.log" 2>&1; then
	tap_relay node tests/guest/hdr-compare.js run "$TMP_T/ex"
else
	not_ok "exec-storm ran" "$(cat "$TMP_T/ex.log")"
fi
done_testing
