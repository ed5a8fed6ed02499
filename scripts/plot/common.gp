# common.gp: the look shared by every apfbench plot (loaded first).
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set border lc rgb "#444444"
set key outside right top vertical noenhanced
set linetype 1 lc rgb "#4477aa" lw 2
set linetype 2 lc rgb "#ee6677" lw 2
set linetype 3 lc rgb "#228833" lw 2
set linetype 4 lc rgb "#ccbb44" lw 2
set linetype 5 lc rgb "#66ccee" lw 2
set linetype 6 lc rgb "#aa3377" lw 2
set linetype 7 lc rgb "#bbbbbb" lw 2
set linetype 8 lc rgb "#000000" lw 2
set linetype cycle 8
# Past 16 lines a legend no longer fits: leave it out (the tables name them).
if (exists("n") && n + 0 > 16) { unset key }
