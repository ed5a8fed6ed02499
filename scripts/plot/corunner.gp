# SPDX-License-Identifier: GPL-2.0-only
# corunner.gp: fault-storm's co-runner progress over time (the headline
# async-PF metric: useful vCPU work while tasks wait for the host), first
# repetition of each line of the comparison. Vars (-e): plotdir, out, data
# (blocks: label, t_s, work_per_s), titles, n, wl.
load plotdir.'/common.gp'
set title sprintf("%s: co-runner work over time (first repetition)", wl)
set xlabel "time (s)"
set ylabel "co-runner work units per second"
set yrange [0:*]
set format y "%.1s%c"
do for [ext in "png svg"] {
	load plotdir.'/term.gp'
	if (n + 0 > 16) {
		plot data using 2:3:(int(column(-2)) % 8 + 1) with lines lc variable notitle
	} else {
		plot for [i=1:n] data index (i-1) using 2:3 with lines title word(titles, i)
	}
	unset output
}
