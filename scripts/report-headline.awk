# SPDX-License-Identifier: GPL-2.0-only
# report-headline.awk (after report-fmt.awk): the report's answer, from
# every report/compare-<axis>.tsv given: per workload, the metrics that
# moved (Holm-adjusted Welch p < 0.05) with baseline, value and change ±
# 95% CI, better or worse by the metric's direction; "no significant
# change" for a workload where nothing moved, with how many comparisons
# were tested and how many were too small to test. style=text|html;
# workloads = their order; varying/runlevel as in report-table.awk;
# noapf=1 when no cell had async PF (TCG, or effective mode none).
BEGIN { FS = "\t" }

FNR == 1 { delete c; for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	axis = $c["axis"]; w = $c["workload"]
	settings = held_equal(axis, c)
	# along run: what each run is (its value on the run-level axes)
	if (axis == "run") { nr = split(runlevel, RLA, " "); for (i = 1; i <= nr; i++) RLV[$c["value"], RLA[i]] = $c[RLA[i]] }
	g = FILENAME SUBSEP w SUBSEP settings SUBSEP $c["metric"]
	if (!(w in seenw)) { seenw[w] = 1; wl[++nw] = w }
	if ($c["value"] == $c["baseline"]) { bm[g] = $c["mean"]; bc[g] = $c["ci95"]; next }
	t = $c["test"]
	if (t == "ok") ntest[w]++
	if (t ~ /^n</) { nunder[w]++; under = t }
	if ($c["sig"] != "*") next
	k = ++nrow[w]
	R[w, k, "axis"] = axis; R[w, k, "base"] = $c["baseline"]; R[w, k, "value"] = $c["value"]
	R[w, k, "settings"] = settings; R[w, k, "metric"] = $c["metric"]
	R[w, k, "mean"] = $c["mean"]; R[w, k, "ci"] = $c["ci95"]
	R[w, k, "rel"] = $c["rel_change"]; R[w, k, "rci"] = $c["rel_ci95"]
	R[w, k, "bm"] = bm[g]; R[w, k, "bc"] = bc[g]
}

# "kernel debian-6.12-cloud vs debian-6.1-cloud (pressure=none)"; along
# run also what the runs differ in: "run b vs a [kernel x vs y] (...)"
function head_of(w, k,    s, i, nr, a, v, b) {
	s = R[w, k, "axis"] " " R[w, k, "value"] " vs " R[w, k, "base"]
	if (R[w, k, "axis"] == "run") {
		nr = split(runlevel, RLA, " ")
		for (i = 1; i <= nr; i++) {
			a = RLA[i]; v = RLV[R[w, k, "value"], a]; b = RLV[R[w, k, "base"], a]
			if (v != b) s = s " [" a " " v " vs " b "]"
		}
	}
	return s (R[w, k, "settings"] == "" ? "" : " (" R[w, k, "settings"] ")")
}

function verdict(m, rel,    d) {
	d = metric_dir(m)
	if (d == 0) return "changed"
	return (rel * d > 0) ? "better" : "worse"
}

function quiet_text(w,    s) {
	s = "no significant change"
	if (ntest[w] + nunder[w] == 0) return s " (nothing to compare)"
	s = s " (" (ntest[w] + 0) " tests"
	if (nunder[w]) s = s "; " nunder[w] " comparisons underpowered, " under ", not tested"
	return s ")"
}

END {
	m = split(workloads, order, " ")
	for (i = 1; i <= m; i++) if (order[i] in seenw) { W[++n] = order[i]; done[order[i]] = 1 }
	for (i = 1; i <= nw; i++) if (!(wl[i] in done)) W[++n] = wl[i]
	noapf_text = "no async PF here: modes compare nothing (every cell ran under TCG or with effective mode none)"
	if (style == "html") {
		print "<h2 id=\"headline\">What changed</h2>"
		if (noapf) print "<p class=\"note bad\">" html_esc(noapf_text) ".</p>"
		if (!n) { print "<p>Nothing to compare: no axis has more than one value.</p>"; exit }
		print "<p>Significant changes only (Welch's t-test on per-repetition values, Holm-adjusted within each comparison table, p &lt; 0.05; max latency is never tested; fewer than 3 repetitions on a side is too few to test). Change ± 95% CI of the difference in means, relative to the baseline; green is better, red is worse for that metric.</p>"
		print "<table class=\"headline\"><thead><tr><th>workload</th><th>comparison</th><th>metric</th><th>baseline</th><th>value</th><th>change ± 95% CI</th></tr></thead><tbody>"
		for (i = 1; i <= n; i++) {
			w = W[i]
			if (!nrow[w]) {
				printf "<tr><td>%s</td><td colspan=\"5\" class=\"quiet\">%s</td></tr>\n", html_esc(w), html_esc(quiet_text(w))
				continue
			}
			# rows of one comparison share its cell (rowspan)
			delete span
			for (k = 1; k <= nrow[w]; k++) span[head_of(w, k)]++
			last = ""
			for (k = 1; k <= nrow[w]; k++) {
				met = R[w, k, "metric"]
				fmt_unit(met, R[w, k, "bm"] != "NA" ? R[w, k, "bm"] : R[w, k, "mean"])
				v = verdict(met, R[w, k, "rel"])
				h = head_of(w, k)
				printf "<tr class=\"%s\">", v
				if (k == 1) printf "<td rowspan=\"%d\" class=\"plain\">%s</td>", nrow[w], html_esc(w)
				if (h != last) { printf "<td rowspan=\"%d\" class=\"plain\">%s</td>", span[h], html_esc(h); last = h }
				printf "<td>%s</td><td>%s</td><td>%s</td><td>%s (%s)</td></tr>\n", html_esc(metric_name(met)),
					html_esc(fmt_vci(R[w, k, "bm"], R[w, k, "bc"])), html_esc(fmt_vci(R[w, k, "mean"], R[w, k, "ci"])),
					html_esc(fmt_change(R[w, k, "rel"], R[w, k, "rci"])), v
			}
		}
		print "</tbody></table>"
		exit
	}
	# Text: one line per comparison, its moved metrics side by side.
	print "What changed (Holm-adjusted Welch p < 0.05; change ± 95% CI):"
	if (noapf) print noapf_text "."
	if (!n) { print "nothing to compare: no axis has more than one value."; exit }
	for (i = 1; i <= n; i++) {
		w = W[i]
		if (!nrow[w]) { printf "  %s: %s\n", w, quiet_text(w); continue }
		last = ""
		for (k = 1; k <= nrow[w]; k++) {
			head = "  " w ": " head_of(w, k) ":"
			if (head != last) { printf "%s%s\n", (last == "" ? "" : "\n"), head; last = head; sep = "    " }
			met = R[w, k, "metric"]
			printf "%s%s %s (%s)", sep, metric_name(met), fmt_change(R[w, k, "rel"], R[w, k, "rci"]), verdict(met, R[w, k, "rel"])
			sep = ", "
		}
		print ""
	}
}
