# SPDX-License-Identifier: GPL-2.0-only
# series.gp: one workload over time, first repetition of each line of the
# comparison: operations per second (top) and the worst latency per slice
# (bottom, log axis). Vars (-e): plotdir, out, data (blocks: label, t_s,
# ops_per_s, max_ns), titles, n, wl.
load plotdir.'/common.gp'
do for [ext in "png svg"] {
	load plotdir.'/term.gp'
	set multiplot layout 2,1 title sprintf("%s over time (first repetition)", wl)
	unset logscale y
	set format y "%.1s%c"
	set xlabel "time (s)"
	set ylabel "operations per second"
	set yrange [0:*]
	if (n + 0 > 16) {
		plot data using 2:3:(int(column(-2)) % 8 + 1) with lines lc variable notitle
	} else {
		# the legend once, under the lower panel
		plot for [i=1:n] data index (i-1) using 2:3 with lines lt i notitle
	}
	set logscale y 10
	set format y "%g"
	set yrange [*:*]
	set ylabel "max latency per slice (µs)"
	if (n + 0 > 16) {
		plot data using 2:($4/1000.0):(int(column(-2)) % 8 + 1) with lines lc variable notitle
	} else {
		plot for [i=1:n] data index (i-1) using 2:($4/1000.0) with lines lt i title word(titles, i)
	}
	unset multiplot
	unset output
}
