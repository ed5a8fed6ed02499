#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# report/index.html, as files and in a real headless browser (Debian's
# chromium): the headline table comes first, then the contents, whose
# links all resolve to ids; every <img> is a valid PNG (its SVG beside it)
# and no drawn plot is all zeros (plots with nothing to show are said not
# drawn); the page renders to a screenshot, its DOM holds the headline
# table, and every image loaded (none broken, none zero-sized), checked by
# a copy of the page with a small script that marks the images, read back
# with --dump-dom. A copy with a broken image proves the check can fail.
# The page itself must need no network and no scripts.
. "$(dirname "$0")/../lib.sh"
if ! command -v gnuplot >/dev/null; then skip_rest "index.html" "gnuplot missing (host/need-packages test)"; fi
plan 20
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
export APF_VM=$TOP/tests/bench/fake-apf-vm FAKE_ACCEL=tcg

cat >"$TMP_T/h.conf" <<'CONF'
kernels   = debian-6.1-cloud debian-6.12-cloud
pressure  = none limit50
workloads = fault-storm exec-storm
reps      = 3
duration  = 1
CONF
R=$TMP_T/run
if ! "$TOP/bench/apf-bench" "$TMP_T/h.conf" --out "$R" >/dev/null 2>&1 ||
	! "$TOP/scripts/apf-report" "$R" >/dev/null 2>&1; then
	not_ok "synthetic run and report"
	exit 0
fi
H=$R/report/index.html
check "index.html written" test -s "$H"
if grep -qiE '(src|href)="(https?:)?//' "$H"; then not_ok "no network references" "$(grep -oiE '(src|href)="(https?:)?//[^"]*' "$H" | head -n 3)"
else ok "index.html references nothing on the network"; fi
if grep -qi '<script' "$H"; then not_ok "index.html has no scripts"; else ok "index.html has no scripts"; fi
n_img=$(grep -o '<img ' "$H" | wc -l)
# fault-storm: spectrum throughput series corunner hostswap; exec-storm:
# the same without corunner; timings.
expect_eq "index.html shows every plot" 10 "$n_img"
if grep -q 'debian-6.12-cloud (\|debian-6.12-cloud</th>' "$H" && grep -q 'compare-kernel.tsv' "$H"; then
	ok "index.html has the kernel comparison table"
else not_ok "comparison table in index.html"; fi

# ---- the answer first: headline, then contents, then details
order=$(grep -o '<table class="headline">\|<nav id="contents">\|<h2 id="facts">' "$H" | tr '\n' ' ')
expect_eq "headline table, then contents, then the details" '<table class="headline"> <nav id="contents"> <h2 id="facts"> ' "$order"
check "the headline names the synthetic 6.12 slowdown" grep -q '<tr class="worse"><td rowspan="[0-9]*" class="plain">fault-storm</td><td rowspan="[0-9]*" class="plain">kernel debian-6.12-cloud vs debian-6.1-cloud (pressure=none)</td><td>ops/s</td>' "$H"
check "the headline says: no async PF here (TCG)" grep -q 'no async PF here: modes compare nothing' "$H"
bad_links=$(grep -o 'href="#[^"]*"' "$H" | sed 's/href="#//; s/"$//' | sort -u | while read -r id; do
	grep -q "id=\"$id\"" "$H" || printf '%s ' "$id"; done)
n_links=$(grep -o 'href="#[^"]*"' "$H" | sort -u | wc -l)
if [ "$n_links" -gt 8 ] && [ -z "$bad_links" ]; then ok "all $n_links contents links resolve to ids"
else not_ok "contents links" "$n_links links; unresolved: $bad_links"; fi

# ---- every image: a PNG file (signature, non-empty IHDR) with its SVG
png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	[ "$(od -An -j16 -N8 -tu1 "$1" | awk '{ print ($1 + $2 + $3 + $4 > 0 && $5 + $6 + $7 + $8 > 0) }')" = 1 ]; }
mapfile -t imgs < <(grep -o '<img src="[^"]*"' "$H" | sed 's/<img src="//; s/"$//')
bad=''
for src in "${imgs[@]}"; do
	png_ok "$R/report/$src" && grep -q '</svg>' "$R/report/${src%.png}.svg" || bad="$bad $src"
done
if [ -z "$bad" ]; then ok "every <img> is a valid PNG with its SVG"; else not_ok "images" "$bad"; fi
# ---- no drawn plot is all zeros: its data has a non-zero y value
bad=''
for src in "${imgs[@]}"; do
	src=${src%.png}
	dat=$R/report/data/$src.dat
	case "$src" in *-spectrum) cols=2 ;; *-series | *-corunner | *-asyncpf) cols="3" ;; *-hostswap) cols="3 4" ;; *-throughput) cols=2 ;; timings) cols="2 3 4 5 6 7 8 9" ;; esac
	awk -F'\t' -v cols="$cols" 'BEGIN { n = split(cols, C, " ") } NR > 1 || FILENAME !~ /timings/ { for (i = 1; i <= n; i++) if ($C[i] + 0 != 0) { f = 1; exit } } END { exit !f }' "$dat" ||
		bad="$bad $src"
done
if [ -z "$bad" ]; then ok "no drawn plot is all zeros"; else not_ok "all-zero plots drawn" "$bad"; fi
# without pressure the host swap plot would be all zeros, and without
# env.timings there is no time to show: both said "not drawn" instead
Z=$TMP_T/zero
for r in 1 2; do
	"$TOP/tests/report/gen-result" --out "$Z/cells/local/debian-6.1-cloud/none/none/exec-storm/rep-$r" \
		--workload exec-storm --pressure none --no-timings --seed "$r"
done
if "$TOP/scripts/apf-report" "$Z" >/dev/null 2>&1; then
	check "all-zero host swap: no plot" test ! -e "$Z/report/exec-storm-hostswap.png"
	check "all-zero host swap: said not drawn" grep -q 'Not drawn: .*hostswap (every value is zero)' "$Z/report/index.html"
	check "no env.timings: said so" grep -q 'Not drawn: no cell has env.timings' "$Z/report/index.html"
	check "nothing varies: the headline says nothing to compare" grep -q 'Nothing to compare' "$Z/report/index.html"
else not_ok "report of an unpressured run"; fi
first_cell=$(cd "$R" && find cells -name result.json | sort | head -n 1)
if grep -qF "href=\"../$first_cell\"" "$H"; then ok "index.html links each cell's files"; else not_ok "cell links" "$first_cell"; fi

if [ -z "$CHROMIUM" ]; then skip_rest "headless chromium checks" "chromium missing (host/need-packages test)"; fi

browse() { # extra-args... : one headless chromium, fresh profile, reaped by timeout
	local prof
	prof=$(mktemp -d "$TMP_T/profile.XXXXXX")
	timeout --kill-after=5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$prof" "$@" 2>>"$TMP_T/chromium.err"
}

browse --window-size=1400,2400 --screenshot="$TMP_T/shot.png" "file://$H" >/dev/null || true
dom=$(browse --virtual-time-budget=5000 --dump-dom "file://$H" || true)
if grep -q '<table class="headline">' <<<"$dom" && grep -q 'kernel debian-6.12-cloud vs debian-6.1-cloud' <<<"$dom"; then
	ok "chromium: the rendered page holds the headline table"
else not_ok "chromium: headline in the DOM" "$(head -c 300 <<<"$dom")"; fi
if [ "$(head -c 8 "$TMP_T/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	[ "$(stat -c %s "$TMP_T/shot.png")" -gt 20000 ]; then
	ok "chromium renders index.html to a screenshot ($(stat -c %s "$TMP_T/shot.png") bytes)"
else not_ok "screenshot" "$(tail -n 3 "$TMP_T/chromium.err")"; fi

marker='<script>
window.addEventListener("load", function () {
  var im = document.images, bad = [];
  for (var i = 0; i < im.length; i++) {
    var r = im[i].getBoundingClientRect();
    if (!im[i].complete || im[i].naturalWidth === 0 || im[i].naturalHeight === 0 || r.width === 0 || r.height === 0)
      bad.push(im[i].getAttribute("src"));
  }
  var p = document.createElement("pre");
  p.id = "imgcheck";
  p.textContent = "IMGCHECK " + im.length + " BROKEN " + bad.length + " " + bad.join(",");
  document.body.appendChild(p);
});
</script>'
# check_page FILE -> "IMGCHECK n BROKEN m ..."
check_page() {
	browse --virtual-time-budget=15000 --dump-dom "file://$1" | grep -o 'IMGCHECK [0-9]* BROKEN [0-9]*[^<]*' || true
}
C=$R/report/.imgcheck.html
awk -v m="$marker" '/<\/body>/ { print m } { print }' "$H" >"$C"
res=$(check_page "$C")
expect_eq "chromium: all $n_img images loaded, none zero-sized" "IMGCHECK $n_img BROKEN 0 " "$res"
sed 's|src="fault-storm-spectrum.png"|src="no-such-plot.png"|' "$C" >"$R/report/.imgcheck-bad.html"
res=$(check_page "$R/report/.imgcheck-bad.html")
expect_eq "the check sees a broken image" "IMGCHECK $n_img BROKEN 1 no-such-plot.png" "$res"
rm -f "$C" "$R/report/.imgcheck-bad.html"
