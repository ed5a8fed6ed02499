#!/usr/bin/env bash
# report/index.html in a real headless browser (Debian's chromium): it
# renders to a screenshot, and every image on it loaded (none broken, none
# zero-sized), checked by a copy of the page with a small script that marks
# the images, read back with --dump-dom. A copy with a broken image proves
# the check can fail. The page itself must need no network and no scripts.
. "$(dirname "$0")/../lib.sh"
if ! command -v gnuplot >/dev/null; then skip "index.html" "gnuplot missing (host/need-packages test)"; exit 0; fi
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
export APF_VM=$TOP/tests/bench/fake-apf-vm APF_BENCH_ACCEL=tcg

cat >"$TMP_T/h.conf" <<'CONF'
kernels   = debian-6.1-cloud debian-6.12-cloud
workloads = fault-storm exec-storm
reps      = 2
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
# fault-storm: spectrum throughput series corunner hostswap; exec-storm: 4.
expect_eq "index.html shows every plot" 9 "$n_img"
if grep -q 'debian-6.12-cloud (\|debian-6.12-cloud</th>' "$H" && grep -q 'compare-kernel.tsv' "$H"; then
	ok "index.html has the kernel comparison table"
else not_ok "comparison table in index.html"; fi
first_cell=$(cd "$R" && find cells -name result.json | sort | head -n 1)
if grep -qF "href=\"../$first_cell\"" "$H"; then ok "index.html links each cell's files"; else not_ok "cell links" "$first_cell"; fi

if [ -z "$CHROMIUM" ]; then skip "headless chromium checks" "chromium missing (host/need-packages test)"; exit 0; fi

browse() { # extra-args... : one headless chromium, fresh profile, reaped by timeout
	local prof
	prof=$(mktemp -d "$TMP_T/profile.XXXXXX")
	timeout --kill-after=5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$prof" "$@" 2>>"$TMP_T/chromium.err"
}

browse --window-size=1400,2400 --screenshot="$TMP_T/shot.png" "file://$H" >/dev/null || true
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
