# SPDX-License-Identifier: GPL-2.0-only
# common.gp: the look shared by every apfbench plot (loaded first).
# Data files are tab-separated: a line's name ("kernel=... mode=...") is
# one field with spaces in it.
set datafile separator "\t"
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set border lc rgb "#444444"
# The legend goes under the plot, outside it, so the data keep the width.
set key outside bottom center horizontal noenhanced spacing 1.1
# Sixteen colours told apart easily (Paul Tol's bright and muted sets).
set linetype 1 lc rgb "#4477aa" lw 2
set linetype 2 lc rgb "#ee6677" lw 2
set linetype 3 lc rgb "#228833" lw 2
set linetype 4 lc rgb "#ccbb44" lw 2
set linetype 5 lc rgb "#66ccee" lw 2
set linetype 6 lc rgb "#aa3377" lw 2
set linetype 7 lc rgb "#bbbbbb" lw 2
set linetype 8 lc rgb "#000000" lw 2
set linetype 9 lc rgb "#332288" lw 2
set linetype 10 lc rgb "#88ccee" lw 2
set linetype 11 lc rgb "#117733" lw 2
set linetype 12 lc rgb "#999933" lw 2
set linetype 13 lc rgb "#cc6677" lw 2
set linetype 14 lc rgb "#882255" lw 2
set linetype 15 lc rgb "#44aa99" lw 2
set linetype 16 lc rgb "#ddcc77" lw 2
set linetype cycle 16
# Past 16 lines a legend no longer fits: leave it out (the tables name them).
if (exists("n") && n + 0 > 16) { unset key }
