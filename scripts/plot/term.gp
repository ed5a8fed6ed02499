# SPDX-License-Identifier: GPL-2.0-only
# term.gp: the output for one pass of a template's `do for [ext in "png svg"]`
# loop (every plot is written as PNG and as SVG with the same look).
# Needs: out (basename), ext (png|svg).
if (ext eq "png") {
	set terminal pngcairo size 960,600 noenhanced font "DejaVu Sans,10"
} else {
	set terminal svg size 960,600 noenhanced dynamic font "DejaVu Sans,10" background "white"
}
set output out.'.'.ext
