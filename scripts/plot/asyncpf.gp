# SPDX-License-Identifier: GPL-2.0-only
# asyncpf.gp: when async page faults fired and what the guest saw, on the
# guest's measured-phase clock (first repetition of each column): the
# guest's operations per second (top) and the host's
# kvm_async_pf_not_present events per second (bottom, from host.tsv).
# Vars (-e): plotdir, out, data_g (blocks: label, t_s, ops_per_s, max_ns),
# titles_g, n_g, data_h (blocks: label, t_s, not_present/s: events in the
# interval that ends at t_s), titles_h, n_h, wl, xmax (end of the phase).
load plotdir.'/common.gp'
do for [ext in "png svg"] {
	load plotdir.'/term.gp'
	set multiplot layout 2,1 title sprintf("%s: async page faults and the guest's work (first repetition)", wl)
	set xlabel "time in the measured phase (s)"
	set xrange [-1:xmax + 1]
	set format y "%.1s%c"
	set yrange [0:*]
	set ylabel "guest operations per second"
	plot for [i=1:n_g] data_g index (i-1) using 2:3 with lines lt i title word(titles_g, i)
	set ylabel "host async PFs per second (not present)"
	plot for [i=1:n_h] data_h index (i-1) using 2:3 with fsteps lt i title word(titles_h, i)
	unset multiplot
	unset output
}
