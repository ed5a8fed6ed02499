# SPDX-License-Identifier: GPL-2.0-only
# timings.gp: where the run's time went, from the cells' env.timings:
# seconds per phase summed over cells, stacked, one bar per run/host.
# Vars (-e): plotdir, out, data (header "bar phase...", then a row per
# bar), np (phases), nb (bars).
load plotdir.'/common.gp'
set title "Where the run's time went (seconds, summed over cells)"
set ylabel "seconds"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set yrange [0:*]
set xtics noenhanced
set grid noxtics
# top of the legend = top of the stack
set key outside right top vertical noenhanced invert
do for [ext in "png svg"] {
	load plotdir.'/term.gp'
	plot for [i=2:np+1] data using i:xtic(1) title columnheader(i) lt (i - 1)
	unset output
}
