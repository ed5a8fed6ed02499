# SPDX-License-Identifier: GPL-2.0-only
# hostswap.gp: host swap-in (solid) and swap-out (dashed) rates over the
# cell, from host.tsv, first repetition of each line of the comparison.
# Vars (-e): plotdir, out, data (blocks: label, t_s, in/s, out/s), titles, n, wl.
load plotdir.'/common.gp'
set title sprintf("%s: host swap while the cell ran (first repetition)", wl)
set xlabel "s from the measured phase's start (the fill before 0)"
set arrow from 0, graph 0 to 0, graph 1 nohead dt 3 lc rgb "#888888"
set ylabel "pages per second"
set yrange [0:*]
set format y "%.1s%c"
do for [ext in "png svg"] {
	load plotdir.'/term.gp'
	if (n + 0 > 16) {
		plot data using 2:3:(int(column(-2)) % 8 + 1) with lines lc variable notitle, \
		     data using 2:4:(int(column(-2)) % 8 + 1) with lines lc variable dt 2 notitle
	} else {
		plot for [i=1:n] data index (i-1) using 2:3 with lines lt i title word(titles, i).' in', \
		     for [i=1:n] data index (i-1) using 2:4 with lines lt i dt 2 title word(titles, i).' out'
	}
	unset output
}
