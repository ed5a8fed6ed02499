# report-table.awk: one report/compare-<axis>.tsv as an aligned text table
# (style=text) or an HTML table (style=html). One row per workload x held-equal
# settings x metric, one column per axis value (the first is the baseline):
# "mean ± ci" and, beside non-baseline values, the relative change and a '*'
# where Welch's p < 0.05. varying = the run's axes with more than one value,
# so the held-equal settings shown are only the ones that differ somewhere.
BEGIN { FS = "\t" }

# Numbers with an SI suffix chosen by the mean, so "198.2k ± 5.3k" lines up.
function scale(v,    a) {
	a = v < 0 ? -v : v
	if (a >= 1e9) { S = 1e9; U = "G" } else if (a >= 1e6) { S = 1e6; U = "M" }
	else if (a >= 1e4) { S = 1e3; U = "k" } else { S = 1; U = "" }
}
function fmt(v) {
	if (v == "NA" || v == "") return "NA"
	return sprintf("%.4g%s", v / S, U)
}
function fmtci(v) {
	if (v == "NA" || v == "") return "NA"
	return sprintf(v / S >= 100 ? "%.0f%s" : "%.2g%s", v / S, U)
}
function pretty(m) {
	if (m == "ops_per_s") return "ops/s"
	if (m == "corunner_work_per_s") return "co-runner work/s"
	if (m == "host_pswpin") return "host swap-ins (pages)"
	if (m ~ /^lat_/) { sub(/^lat_/, "", m); sub(/_ns$/, "", m); return m " latency (ns)" }
	if (m ~ /^wakeup_/) { sub(/^wakeup_/, "", m); sub(/_ns$/, "", m); return "wakeup " m " (ns)" }
	return m
}
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }

NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	axis = $c["axis"]; base = $c["baseline"]; val = $c["value"]
	fld["host"] = $c["host"]; fld["kernel"] = $c["kernel"]; fld["mode"] = $c["mode"]; fld["pressure"] = $c["pressure"]
	settings = ""
	nv = split(varying, V, " ")
	for (i = 1; i <= nv; i++)
		if (V[i] != axis) settings = settings (settings == "" ? "" : " ") V[i] "=" fld[V[i]]
	if (settings == "") settings = "-"
	g = $c["workload"] SUBSEP settings SUBSEP $c["metric"]
	if (!(g in gi)) { gi[g] = ++ng; gw[ng] = $c["workload"]; gs[ng] = settings; gm[ng] = pretty($c["metric"]) }
	if (!(val in vi)) { vi[val] = ++nc; vn[nc] = val }
	k = gi[g] SUBSEP vi[val]
	have[k] = 1
	if ($c["mean"] != "NA") scale($c["mean"] + 0)
	cell = fmt($c["mean"])
	if ($c["ci95"] != "NA") cell = cell " ± " fmtci($c["ci95"])
	else cell = cell " (n=" $c["n"] ")"
	if ($c["n"] == 0) cell = "-"
	if (val != base && $c["rel_change"] != "NA")
		cell = cell sprintf("  %+.1f%%", $c["rel_change"] * 100) ($c["sig"] == "*" ? " *" : "")
	txt[k] = cell
	sig[k] = $c["sig"] == "*"
}
END {
	if (!ng) { print "(nothing to compare)"; exit }
	if (style == "html") {
		printf "<p>Along <b>%s</b>, baseline <b>%s</b>: mean ± 95%% CI over repetitions (t distribution), change against the baseline, <span class=\"sig\">*</span> where Welch's t-test gives p &lt; 0.05.</p>\n", esc(axis), esc(base)
		printf "<table class=\"cmp\"><thead><tr><th>workload</th><th>held equal</th><th>metric</th>"
		for (j = 1; j <= nc; j++) printf "<th>%s%s</th>", esc(vn[j]), (vn[j] == base ? " (baseline)" : "")
		print "</tr></thead><tbody>"
		for (i = 1; i <= ng; i++) {
			printf "<tr><td>%s</td><td>%s</td><td>%s</td>", esc(gw[i]), esc(gs[i]), esc(gm[i])
			for (j = 1; j <= nc; j++) {
				k = i SUBSEP j
				printf "<td%s>%s</td>", (sig[k] ? " class=\"sig\"" : ""), ((k in have) ? esc(txt[k]) : "-")
			}
			print "</tr>"
		}
		print "</tbody></table>"
		exit
	}
	printf "Comparison along %s (baseline %s): mean ± 95%% CI over reps (t distribution),\nchange vs baseline, * where Welch's t-test gives p < 0.05.\n\n", axis, base
	h[1] = "workload"; h[2] = "held equal"; h[3] = "metric"
	for (j = 1; j <= nc; j++) h[3 + j] = vn[j]
	for (j = 1; j <= 3 + nc; j++) w[j] = ulen(h[j])
	for (i = 1; i <= ng; i++) {
		row[i, 1] = gw[i]; row[i, 2] = gs[i]; row[i, 3] = gm[i]
		for (j = 1; j <= nc; j++) row[i, 3 + j] = ((i SUBSEP j) in have) ? txt[i SUBSEP j] : "-"
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
# Width in characters: "±" is two bytes in UTF-8 but one column.
function ulen(s,    t, k) { t = s; k = gsub(/±/, "", t); return length(t) + k }
function pad(s, n) { return s sprintf("%" (n - ulen(s) > 0 ? n - ulen(s) : 0) "s", "") }
