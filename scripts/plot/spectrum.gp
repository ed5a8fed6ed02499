# SPDX-License-Identifier: GPL-2.0-only
# spectrum.gp: latency percentile spectrum of one workload, one line per
# line of the comparison (all reps merged): latency on a log axis against
# percentile on a "nines" axis, x = 1/(1-p), as HdrHistogram plots do.
# Vars (-e): plotdir, out, data (blocks from `apf-stats spectrum`: label,
# value_ns, percentile, 1/(1-p)), titles (labels as gnuplot words, "kernel=a mode=b" ...), n, wl.
load plotdir.'/common.gp'
set title sprintf("%s: latency by percentile (all repetitions merged)", wl)
set xlabel "percentile"
set ylabel "latency (µs)"
set logscale x 10
set logscale y 10
set xrange [1:*]
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000, "99.9999%%" 1000000, "99.99999%%" 10000000)
set format y "%g"
do for [ext in "png svg"] {
	load plotdir.'/term.gp'
	if (n + 0 > 16) {
		# many lines: one pass over the file, colour by block (column -2)
		plot data using 4:($2/1000.0):(int(column(-2)) % 8 + 1) with lines lc variable notitle
	} else {
		plot for [i=1:n] data index (i-1) using 4:($2/1000.0) with steps title word(titles, i)
	}
	unset output
}
