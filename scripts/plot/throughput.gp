# throughput.gp: operations per second of one workload per kernel/mode/
# pressure, bars at the mean with the 95% confidence interval over reps.
# Vars (-e): plotdir, out, data (label, mean, ci95 (0 when n < 2), n), wl.
load plotdir.'/common.gp'
set title sprintf("%s: throughput, mean and 95%% CI over repetitions", wl)
set xlabel "kernel/mode/pressure"
set ylabel "operations per second"
# Autoscale follows the boxes, not their error bars: make room for mean + CI.
stats data using ($2 + $3) nooutput
set yrange [0:(STATS_max > 0 ? STATS_max * 1.08 : 1)]
set style fill solid 0.6 border -1
set boxwidth 0.6
set xtics rotate by -25 noenhanced
set format y "%.1s%c"
set key off
set bmargin 8
set offsets 0.6, 0.6, 0, 0
do for [ext in "png svg"] {
	load plotdir.'/term.gp'
	plot data using 0:2:3:xtic(1) with boxerrorbars lt 1 lw 1.5 notitle
	unset output
}
