# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154  # the state is scripts/apf-report's, which sources this
# The report's plots: records -> per-workload data files under
# report/data/, gnuplot run on scripts/plot/*.gp templates (in parallel, one
# job per core), and a line in report/data/not-drawn.tsv for every plot not
# drawn and why. A file of its own so apf-report reads as its stages;
# draw_plots is the one entry point.
# Sourced by scripts/apf-report after the comparison, which set WORK,
# REPORT, STATS, PLOT_DIR, LIB, LIBSRC and workloads.

# Records -> per-workload data, each row "rank<TAB>label<TAB>...": the rank
# orders lines baseline first, the label names them by the varying axes.
# H, T and C records carry a whole cell each (see report-extract.jq).
split_records() {
	awk -F'\t' -v OFS='\t' "${LIB[@]}" -v dir="$WORK" "$LIBSRC"'
		BEGIN { lib_init() }
		$1 == "H" || $1 == "T" || $1 == "C" || $1 == "D" || $1 == "P" {
			for (i = 1; i <= 6; i++) F[i] = $(i + 1)
			rank = coord_rank(F, 1); lab = coord_label(F, 1); w = $8; rep = $9
		}
		$1 == "H" { line = rank "\t" lab "\t" rep; for (i = 10; i <= NF; i++) line = line "\t" $i; print line > (dir "/hist-" w) }
		# Time series: only the first (lowest) ok rep of each label is plotted.
		$1 == "T" { key = w SUBSEP lab; if (!(key in trep) || rep + 0 < trep[key] + 0) { trep[key] = rep; T[key] = rank "\t" lab "\t" w "\t" $0 } }
		$1 == "C" { key = w SUBSEP lab; if (!(key in crep) || rep + 0 < crep[key] + 0) { crep[key] = rep; C[key] = rank "\t" lab "\t" w "\t" $0 } }
		# Cells with host.tsv for the host plots, first ok rep per label.
		$1 == "D" && $10 == "ok" { key = w SUBSEP lab; if (!(key in drep) || rep + 0 < drep[key] + 0) { drep[key] = rep; D[key] = rank "\t" lab "\t" $11 "\t" $12; DW[key] = w } }
		# Where the time went: per run/machine/host (the varying ones), phase.
		$1 == "P" {
			bl = ""
			for (i = 1; i <= 3; i++) if (index(" " laxes " ", " " AXN[i] " ")) bl = bl (bl == "" ? "" : " ") AXN[i] "=" F[i]
			if (bl == "") bl = "all cells"
			br = substr(rank, 1, 12)
			if (!(bl in bars)) { bars[bl] = br }
			tsum[bl, $10] += $11; phases[$10] = 1
		}
		END {
			for (key in T) {
				n = split(T[key], f, "\t")
				# f: rank lab w | T R M H K O P W rep slice | t ops max ...
				for (i = 14; i + 2 <= n; i += 3) print f[1], f[2], f[i], f[i + 1] / f[13], f[i + 2] > (dir "/series-" f[3])
			}
			for (key in C) {
				n = split(C[key], f, "\t")
				for (i = 14; i + 1 <= n; i += 2) print f[1], f[2], f[i], f[i + 1] / f[13] > (dir "/corunner-" f[3])
			}
			for (key in D) print D[key] > (dir "/cells-" DW[key])
			for (bl in bars) for (p in phases) if ((bl, p) in tsum) print bars[bl], bl, p, tsum[bl, p] > (dir "/timings")
		}' "$WORK/records"
}

# label_blocks IN OUT LABELS: rows "rank<TAB>label<TAB>x<TAB>y..." -> gnuplot
# blocks (two blank lines apart) in rank order, x sorted, rows
# "label<TAB>x<TAB>y..."; the labels in order into LABELS.
label_blocks() {
	sort -s -t "$(printf '\t')" -k1,1 -k3,3g "$1" |
		awk -F'\t' -v OFS='\t' -v lab="$3" '
			$2 != last { if (NR > 1) printf "\n\n"; print $2 > lab; last = $2 }
			{ $1 = ""; sub(/^\t/, ""); print }' >"$2"
}
# titles LABELS: the labels as gnuplot words ("a b" "c d").
titles() { awk '{ printf "%s\"%s\"", (NR > 1 ? " " : ""), $0 }' "$1"; }
# nonzero FILE COL...: some row has a non-zero number in one of the columns.
nonzero() {
	local f=$1
	shift
	awk -F'\t' -v cols="$*" 'BEGIN { n = split(cols, C, " ") }
		NF { for (i = 1; i <= n; i++) if ($C[i] + 0 != 0) { found = 1; exit } } END { exit !found }' "$f"
}
# not_drawn WORKLOAD KIND REASON: said on the page instead of the plot.
not_drawn() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$REPORT/data/not-drawn.tsv"; }

# Host series per workload from the cells' host.tsv (first ok rep per
# label): swap-in/out per second, and the kvm async-PF "not present"
# events per second, both on the guest's measured-phase clock (host.
# measured.start_s is the guest's t = 0 in host.tsv's time, so the fill
# before it is negative); swap on the cell's own clock where a cell has
# no start, and no async-PF rows then.
host_series() { # workload -> WORK/hostsw-W, WORK/apf-W: rank label t ...
	local w=$1
	: >"$WORK/hostsw-$w"
	: >"$WORK/apf-$w"
	[ -s "$WORK/cells-$w" ] || return 0
	awk -F'\t' -v OFS='\t' -v sw="$WORK/hostsw-$w" -v apf="$WORK/apf-$w" '
		{ rank = $1; lab = $2; f = $3 "/host.tsv"; t0 = $4
		  delete c; lt = 0; first = 1
		  while ((getline line < f) > 0) {
			n = split(line, x, "\t")
			if (first) { for (i = 1; i <= n; i++) c[x[i]] = i; first = 0; continue }
			if (!("t_s" in c)) break
			t = x[c["t_s"]]
			if (t > lt) {
				if (("pswpin" in c) && ("pswpout" in c)) print rank, lab, (t0 != "NA" ? t - t0 : t), x[c["pswpin"]] / (t - lt), x[c["pswpout"]] / (t - lt) > sw
				if (t0 != "NA" && ("apf_not_present" in c) && x[c["apf_not_present"]] != "-") print rank, lab, t - t0, x[c["apf_not_present"]] / (t - lt) > apf
			}
			lt = t
		  }
		  close(f) }' "$WORK/cells-$w"
	nonzero "$WORK/apf-$w" 4 || : >"$WORK/apf-$w"
}

# plot TEMPLATE OUT-BASENAME var=value...: gnuplot in the report dir, so only
# plain relative names (validated cell names) ever appear in -e.
PLOT_JOBS=0
plot() {
	local tpl=$1 out=$2 e="plotdir='$PLOT_DIR'; out='$2'"
	shift 2
	for kv in "$@"; do e="$e; ${kv%%=*}='${kv#*=}'"; done
	(cd "$REPORT" && gnuplot -e "$e" "$PLOT_DIR/$tpl.gp" >"$WORK/gp-$out.log" 2>&1) &
	PLOT_JOBS=$((PLOT_JOBS + 1))
	if [ "$PLOT_JOBS" -ge "$(nproc)" ]; then
		wait -n || true
		PLOT_JOBS=$((PLOT_JOBS - 1))
	fi
}

# plot_lines TEMPLATE W KIND ROWS YCOLS...: blocks from ROWS, drawn when
# some y is non-zero (the columns are those of the block file).
plot_lines() {
	local tpl=$1 w=$2 kind=$3 rows=$4
	shift 4
	if [ ! -s "$rows" ]; then not_drawn "$w" "$kind" "no data"; return 1; fi
	label_blocks "$rows" "$REPORT/data/$w-$kind.dat" "$WORK/$kind-$w.labels"
	if ! nonzero "$REPORT/data/$w-$kind.dat" "$@"; then not_drawn "$w" "$kind" "every value is zero"; return 1; fi
	plot "$tpl" "$w-$kind" data="data/$w-$kind.dat" titles="$(titles "$WORK/$kind-$w.labels")" \
		n="$(grep -c . "$WORK/$kind-$w.labels")" wl="$w"
}

# plot_workload W: the spectrum, throughput, series, co-runner, async-PF and
# host swap plots of one workload.
plot_workload() {
	local w=$1 d=data/$1 ymin ymax
	# Spectrum (all reps merged) and the percentiles' bootstrap intervals.
	if [ -s "$WORK/hist-$w" ]; then
		sort -s -t "$(printf '\t')" -k1,1 "$WORK/hist-$w" | cut -f2- >"$WORK/hist-$w.sorted"
		cut -f1,3- "$WORK/hist-$w.sorted" | "$STATS" spectrum >"$REPORT/$d-spectrum.dat"
		"$STATS" pctci <"$WORK/hist-$w.sorted" >"$REPORT/$d-percentiles.tsv"
		awk -F'\t' 'NF && !($1 in s) { s[$1] = 1; print $1 }' "$REPORT/$d-spectrum.dat" >"$WORK/spectrum-$w.labels"
		if nonzero "$REPORT/$d-spectrum.dat" 2; then
			plot spectrum "$w-spectrum" data="$d-spectrum.dat" titles="$(titles "$WORK/spectrum-$w.labels")" \
				n="$(grep -c . "$WORK/spectrum-$w.labels")" wl="$w"
		else not_drawn "$w" spectrum "every value is zero"; fi
	else not_drawn "$w" spectrum "no histogram"; fi
	# Throughput per label: mean and 95% CI over reps, baseline first.
	awk -F'\t' -v OFS='\t' "${LIB[@]}" -v w="$w" "$LIBSRC"'BEGIN { lib_init() }
		$9 == "ok" && $7 == w && $10 == "ops_per_s" { for (i = 1; i <= 6; i++) F[i] = $i; print coord_rank(F, 1), coord_label(F, 1), "x", $11 }' "$WORK/S" |
		"$STATS" compare 2 x | sort -s -t "$(printf '\t')" -k1,1 |
		awk -F'\t' -v OFS='\t' '$5 != "NA" { ci = ($7 == "NA" ? 0 : $7); lo = $5 - ci
			print $2, $5, ci, $4, (lo > 0 ? lo : "NA"), $5 + ci }' >"$REPORT/$d-throughput.dat"
	if [ ! -s "$REPORT/$d-throughput.dat" ]; then not_drawn "$w" throughput "no data"
	elif ! awk -F'\t' '$2 <= 0 { bad = 1 } END { exit bad }' "$REPORT/$d-throughput.dat"; then
		not_drawn "$w" throughput "a mean is zero (no log axis)"
	else
		cut -f1 "$REPORT/$d-throughput.dat" >"$WORK/throughput-$w.labels"
		# Log axis: from below the lowest interval to above the highest; an
		# interval that reaches 0 is cut at the axis (the page says which).
		read -r ymin ymax < <(awk -F'\t' '{ lo = ($5 == "NA" ? $2 : $5); if (min == "" || lo < min) min = lo; if ($6 > max) max = $6 }
			END { printf "%g %g\n", min / 2, max * 2 }' "$REPORT/$d-throughput.dat")
		awk -F'\t' '$5 == "NA" && $3 > 0 { print $1 }' "$REPORT/$d-throughput.dat" >"$REPORT/$d-throughput-clipped.txt"
		plot throughput "$w-throughput" data="$d-throughput.dat" titles="$(titles "$WORK/throughput-$w.labels")" \
			n="$(grep -c . "$WORK/throughput-$w.labels")" wl="$w" ymin="$ymin" ymax="$ymax"
	fi
	if [ -s "$WORK/series-$w" ] && plot_lines series "$w" series "$WORK/series-$w" 3 4; then :; fi
	if [ -s "$WORK/corunner-$w" ]; then plot_lines corunner "$w" corunner "$WORK/corunner-$w" 3 || true; fi
	host_series "$w"
	if [ ! -s "$WORK/apf-$w" ]; then not_drawn "$w" asyncpf "no async-PF events in host.tsv"
	elif [ -s "$REPORT/$d-series.dat" ]; then
		label_blocks "$WORK/apf-$w" "$REPORT/$d-asyncpf.dat" "$WORK/apf-$w.labels"
		plot asyncpf "$w-asyncpf" data_g="$d-series.dat" titles_g="$(titles "$WORK/series-$w.labels")" \
			n_g="$(grep -c . "$WORK/series-$w.labels")" data_h="$d-asyncpf.dat" \
			titles_h="$(titles "$WORK/apf-$w.labels")" n_h="$(grep -c . "$WORK/apf-$w.labels")" wl="$w" \
			xmax="$(awk -F'\t' '$3 > m { m = $3 } END { print m + 0 }' "$WORK/series-$w")"
	fi
	if [ -s "$WORK/hostsw-$w" ]; then plot_lines hostswap "$w" hostswap "$WORK/hostsw-$w" 3 4 || true
	else not_drawn "$w" hostswap "no host.tsv"; fi
}

# Where the run's time went: seconds per phase summed over cells, one bar
# per run/machine/host that varies; phases in the order a cell lives them.
plot_timings() {
	if [ -s "$WORK/timings" ]; then
		awk -F'\t' -v OFS='\t' '
			BEGIN { n = split("l1_prepare l1_snapshot l1_boot prepare snapshot boot setup measured collect poweroff monitor_stop release finalize l1_collect l1_poweroff l1_finalize", K, " ")
			        for (i = 1; i <= n; i++) rank[K[i]] = i }
			{ v[$2, $3] = $4; if (!($2 in b)) { b[$2] = $1; bl[++nb] = $2 }; if (!($3 in ph)) { ph[$3] = 1; pl[++np] = $3 } }
			END {
				# phases: known order, then the others by name
				for (i = 1; i <= np; i++) key[i] = sprintf("%03d%s", (pl[i] in rank) ? rank[pl[i]] : 999, pl[i])
				for (i = 1; i <= np; i++) for (j = i + 1; j <= np; j++) if (key[j] < key[i]) { t = key[i]; key[i] = key[j]; key[j] = t; t = pl[i]; pl[i] = pl[j]; pl[j] = t }
				for (i = 1; i <= nb; i++) for (j = i + 1; j <= nb; j++) if (b[bl[j]] < b[bl[i]]) { t = bl[i]; bl[i] = bl[j]; bl[j] = t }
				line = "bar"; for (j = 1; j <= np; j++) line = line "\t" pl[j]; print line
				for (i = 1; i <= nb; i++) { line = bl[i]; for (j = 1; j <= np; j++) line = line "\t" (((bl[i], pl[j]) in v) ? v[bl[i], pl[j]] : 0); print line }
			}' "$WORK/timings" >"$REPORT/data/timings.dat"
		if nonzero "$REPORT/data/timings.dat" 2 3 4 5 6 7 8 9 10 11 12 13 14 15; then
			plot timings timings data=data/timings.dat \
				np="$(awk -F'\t' 'NR == 1 { print NF - 1 }' "$REPORT/data/timings.dat")" \
				nb="$(($(wc -l <"$REPORT/data/timings.dat") - 1))"
		else not_drawn all timings "every value is zero"; fi
	else
		not_drawn all timings "no cell has env.timings"
	fi
}

# check_plots: gnuplot complaints said, an empty PNG is an error.
check_plots() {
	local log msg png
	for log in "$WORK"/gp-*.log; do
		[ -e "$log" ] || continue
		# gnuplot's "Warning: empty range" lines are noise; anything else is not.
		msg=$(grep -v '^ *Warning: ' "$log" | grep . | head -n 2 | tr '\n' ' ' || true)
		[ -z "$msg" ] || warn "gnuplot ${log##*/gp-}: $msg"
	done
	for png in "$REPORT"/*.png; do
		[ -e "$png" ] || continue
		[ -s "$png" ] || die "gnuplot wrote an empty $png"
	done
}

# draw_plots: every plot of the report, then the checks.
draw_plots() {
	local w
	split_records
	: >"$REPORT/data/not-drawn.tsv"
	for w in "${workloads[@]}"; do
		plot_workload "$w"
	done
	plot_timings
	wait
	stage plots
	check_plots
}
