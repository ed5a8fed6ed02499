# SPDX-License-Identifier: GPL-2.0-only
# throughput.gp: operations per second of one workload, one bar per line
# of the comparison (baseline first, each its own colour, named in the
# legend), at the mean with the 95% confidence interval over reps, on a
# log axis so that 23k and 3.1M bars both show. An interval that reaches
# 0 is cut at the axis (the page lists them).
# Vars (-e): plotdir, out, data (label, mean, ci95, n, low or NA, high),
# titles, n, wl, ymin, ymax.
load plotdir.'/common.gp'
set title sprintf("%s: throughput, mean and 95%% CI over repetitions", wl)
set ylabel "operations per second (log scale)"
set logscale y 10
set yrange [ymin + 0:ymax + 0]
set xrange [0.4:n + 0.6]
unset xtics
set grid noxtics
set format y "%.0s%c"
# Decades alone leave a narrow range with one label: 2x and 5x too.
do for [e=-3:12] { set ytics add (2 * 10**e, 5 * 10**e) }
set style fill solid 0.75 border -1
set boxwidth 0.7
do for [ext in "png svg"] {
	load plotdir.'/term.gp'
	plot for [i=1:n] data every ::(i-1)::(i-1) using (i):2 with boxes lt i title word(titles, i), \
	     for [i=1:n] data every ::(i-1)::(i-1) using (i):2:(strcol(5) eq "NA" ? ymin + 0 : $5):6 \
	         with yerrorbars lt 8 lw 1.5 pt 7 ps 0.3 notitle
	unset output
}
