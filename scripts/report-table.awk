# SPDX-License-Identifier: GPL-2.0-only
# report-table.awk (after report-fmt.awk): one report/compare-<axis>.tsv as
# an aligned text table (style=text) or an HTML table (style=html). One row
# per workload x held-equal settings x metric, one column per axis value
# (the first is the baseline): "mean ± ci" in the metric's unit, rounded to
# the interval, and beside non-baseline values the relative change, with
# '*' where the Holm-adjusted Welch p < 0.05 and "(n<3)" where a side has
# too few repetitions to test. varying = the axes that vary (only they are
# shown as settings); runlevel = axes that name a run (each run has one
# value), not held equal along the run axis.
BEGIN { FS = "\t" }

NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	axis = $c["axis"]; base = $c["baseline"]; val = $c["value"]
	settings = held_equal(axis, c)
	if (settings == "") settings = "-"
	g = $c["workload"] SUBSEP settings SUBSEP $c["metric"]
	if (!(g in gi)) { gi[g] = ++ng; gw[ng] = $c["workload"]; gs[ng] = settings; gmet[ng] = $c["metric"] }
	if (!(val in vi)) { vi[val] = ++nc; vn[nc] = val }
	k = gi[g] SUBSEP vi[val]
	have[k] = 1
	n[k] = $c["n"]; mean[k] = $c["mean"]; ci[k] = $c["ci95"]; rel[k] = $c["rel_change"]
	sig[k] = $c["sig"] == "*"; test[k] = $c["test"]
	if (val == base && $c["mean"] != "NA") bmean[gi[g]] = $c["mean"]
	else if (!(gi[g] in bmean) && $c["mean"] != "NA") amean[gi[g]] = $c["mean"]
	if (test[k] == "ok") ntest++
	if (test[k] ~ /^n</) { nunder++; under = test[k] }
}

function cell_text(i, j,    k, t) {
	k = i SUBSEP j
	if (!(k in have) || n[k] == 0) return "-"
	t = fmt_vci(mean[k], ci[k])
	if (ci[k] == "NA") t = t " (n=" n[k] ")"
	if (vn[j] != base && rel[k] != "NA") {
		t = t sprintf("  %+.1f%%", rel[k] * 100)
		if (sig[k]) t = t " *"
		else if (test[k] ~ /^n</) t = t " (" test[k] ")"
	}
	return t
}

# better / worse / sig (no direction) / "" for an HTML cell.
function cell_class(i, j,    k, d) {
	k = i SUBSEP j
	if (!(k in have) || !sig[k]) return ""
	d = metric_dir(gmet[i])
	if (d == 0) return "sig"
	return (rel[k] * d > 0) ? "better" : "worse"
}

function caption(    s) {
	s = sprintf("mean ± 95%% CI over repetitions (Student t), change against the baseline; * where Welch's t-test, Holm-adjusted over this table's %d tests, gives p < 0.05; max latency is never tested", ntest + 0)
	if (nunder) s = s sprintf("; %d comparisons are underpowered (%s: fewer than 3 repetitions on a side) and not tested", nunder, under)
	return s
}

END {
	if (!ng) { print (style == "html" ? "<p>(nothing to compare)</p>" : "(nothing to compare)"); exit }
	for (i = 1; i <= ng; i++) fmt_unit(gmet[i], (i in bmean) ? bmean[i] : amean[i])
	if (style == "html") {
		printf "<p>Along <b>%s</b>, baseline <b>%s</b>: %s.</p>\n", html_esc(axis), html_esc(base), html_esc(caption())
		printf "<table class=\"cmp\"><thead><tr><th>workload</th><th>held equal</th><th>metric</th>"
		for (j = 1; j <= nc; j++) printf "<th>%s%s</th>", html_esc(vn[j]), (vn[j] == base ? " (baseline)" : "")
		print "</tr></thead><tbody>"
		for (i = 1; i <= ng; i++) {
			fmt_unit(gmet[i], (i in bmean) ? bmean[i] : amean[i])
			printf "<tr><td>%s</td><td>%s</td><td>%s</td>", html_esc(gw[i]), html_esc(gs[i]), html_esc(metric_name(gmet[i]))
			for (j = 1; j <= nc; j++) {
				cl = cell_class(i, j)
				printf "<td%s>%s</td>", (cl == "" ? "" : " class=\"" cl "\""), html_esc(cell_text(i, j))
			}
			print "</tr>"
		}
		print "</tbody></table>"
		exit
	}
	printf "Comparison along %s (baseline %s):\n", axis, base
	printf "%s.\n\n", caption()
	h[1] = "workload"; h[2] = "held equal"; h[3] = "metric"
	for (j = 1; j <= nc; j++) h[3 + j] = vn[j]
	for (j = 1; j <= 3 + nc; j++) w[j] = ulen(h[j])
	for (i = 1; i <= ng; i++) {
		fmt_unit(gmet[i], (i in bmean) ? bmean[i] : amean[i])
		row[i, 1] = gw[i]; row[i, 2] = gs[i]; row[i, 3] = metric_name(gmet[i])
		for (j = 1; j <= nc; j++) row[i, 3 + j] = cell_text(i, j)
		for (j = 1; j <= 3 + nc; j++) if (ulen(row[i, j]) > w[j]) w[j] = ulen(row[i, j])
	}
	line = ""
	for (j = 1; j <= 3 + nc; j++) line = line pad(h[j], w[j]) (j < 3 + nc ? "  " : "")
	sub(/ +$/, "", line)
	print line
	for (i = 1; i <= ng; i++) {
		line = ""
		for (j = 1; j <= 3 + nc; j++) line = line pad(row[i, j], w[j]) (j < 3 + nc ? "  " : "")
		sub(/ +$/, "", line)
		print line
	}
}
# Width in characters: "±" and "µ" are two bytes in UTF-8 but one column.
function ulen(s,    t, k) { t = s; k = gsub(/±|µ/, "", t); return length(t) + k }
function pad(s, n) { return s sprintf("%" (n - ulen(s) > 0 ? n - ulen(s) : 0) "s", "") }
