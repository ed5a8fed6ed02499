# SPDX-License-Identifier: GPL-2.0-only
# report-fmt.awk: how the report writes a number, loaded (-f) before
# report-table.awk and report-headline.awk so both say the same thing.
#   - a unit per metric: latencies (_ns) in ns, µs, ms or s; rates and
#     counts with k, M, G; chosen once per table row from its baseline so
#     the columns read alike
#   - a value is rounded to its confidence interval: the interval keeps
#     two significant digits and the value as many decimals as it has
#     (136.830319576715 ± 12.3 -> "137 ± 12"); without an interval, three
#     significant digits
#   - a metric's direction: +1 higher is better (rates, co-runner work),
#     -1 lower is better (latencies), 0 neither (counters)
#   - a comparison row's held-equal settings ("mode=apf-on pressure=none")

function metric_dir(m) {
	if (m ~ /_per_s$/) return 1
	if (m ~ /_ns$/) return -1
	return 0
}

function metric_name(m) {
	if (m == "ops_per_s") return "ops/s"
	if (m == "corunner_work_per_s") return "co-runner work/s"
	if (m == "host_pswpin") return "host swap-ins (pages)"
	if (m == "lat_max_ns") return "max latency"
	if (m ~ /^lat_/) { sub(/^lat_/, "", m); sub(/_ns$/, "", m); return m " latency" }
	if (m ~ /^wakeup_/) { sub(/^wakeup_/, "", m); sub(/_ns$/, "", m); return "wakeup " m }
	return m
}

# Set FDIV and FUNIT for metric m with values about v.
function fmt_unit(m, v,    a) {
	a = v < 0 ? -v : v
	if (m ~ /_ns$/) {
		if (a >= 1e9) { FDIV = 1e9; FUNIT = " s" } else if (a >= 1e6) { FDIV = 1e6; FUNIT = " ms" }
		else if (a >= 1e3) { FDIV = 1e3; FUNIT = " µs" } else { FDIV = 1; FUNIT = " ns" }
		return
	}
	if (a >= 1e9) { FDIV = 1e9; FUNIT = "G" } else if (a >= 1e6) { FDIV = 1e6; FUNIT = "M" }
	else if (a >= 1e3) { FDIV = 1e3; FUNIT = "k" } else { FDIV = 1; FUNIT = "" }
}

# Decimals that show ci (already scaled) with two significant digits.
function fmt_decimals(ci,    e) {
	if (ci == "NA" || ci == "" || ci + 0 <= 0) return -1
	e = int(log(ci) / log(10) + 100) - 100	# floor for negative logs too
	e = 1 - e
	if (e < 0) e = 0
	if (e > 6) e = 6
	return e
}

# "value ± ci unit" in the unit fmt_unit chose; ci may be NA.
function fmt_vci(v, ci,    d, x, c) {
	if (v == "NA" || v == "") return "NA"
	x = v / FDIV
	if (ci == "NA" || ci == "") return fmt_sig3(x) FUNIT
	c = ci / FDIV
	d = fmt_decimals(c)
	# an SI prefix goes on both numbers ("196.3k ± 8.0k"), a unit once
	if (d < 0) return fmt_sig3(x) (FUNIT ~ /^ / ? "" : FUNIT) " ± 0" FUNIT
	return sprintf("%." d "f%s ± %." d "f", x, (FUNIT ~ /^ / ? "" : FUNIT), c) FUNIT
}

function fmt_v(v) {
	if (v == "NA" || v == "") return "NA"
	return fmt_sig3(v / FDIV) FUNIT
}

function fmt_sig3(x,    a) {
	a = x < 0 ? -x : x
	if (a >= 100 || a == 0) return sprintf("%.0f", x)
	if (a >= 10) return sprintf("%.1f", x)
	if (a >= 1) return sprintf("%.2f", x)
	return sprintf("%.3g", x)
}

# A relative change and its CI (fractions) as "+12.3% ± 4.1%" ("from 0"
# when the baseline's mean is 0: no relative change).
function fmt_change(rel, rci,    d, x, c) {
	if (rel == "NA" || rel == "") return "from 0"
	x = rel * 100
	if (rci == "NA" || rci == "") return sprintf("%+.1f%%", x)
	c = rci * 100
	d = fmt_decimals(c)
	if (d < 0) d = 1
	return sprintf("%+." d "f%% ± %." d "f%%", x, c)
}

# held_equal(axis, col): the compare-*.tsv row's values on the varying
# axes other than its own, as "axis=value ..." ("" when none). A run
# comparison leaves out the run-level axes too (each run has one value
# there). col: the row's column map; varying, runlevel: -v lists.
function held_equal(axis, col,    i, nv, V, s) {
	s = ""
	nv = split(varying, V, " ")
	for (i = 1; i <= nv; i++) {
		if (V[i] == axis) continue
		if (axis == "run" && (" " runlevel " ") ~ (" " V[i] " ")) continue
		s = s (s == "" ? "" : " ") V[i] "=" $col[V[i]]
	}
	return s
}

function html_esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s); return s }
