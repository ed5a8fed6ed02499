# SPDX-License-Identifier: GPL-2.0-only
# report-lib.awk: the one place that knows the report's axes, their order
# and how a cell is named on a plot; loaded (-f) before the awk programs of
# scripts/apf-report that need them. Variables (-v):
#   orders  a file of "axis<TAB>value" lines, each axis' values in report
#           order (baseline first), written by apf-report
#   laxes   the axes that vary (space-separated): only they name a line
# A cell's coordinates are six fields in this order (COORD): run machine
# host kernel mode pressure.

function lib_init(    line, f, n) {
	NAX = split("run machine host kernel mode pressure", AXN, " ")
	for (n = 1; n <= NAX; n++) AXI[AXN[n]] = n
	if (orders != "")
		while ((getline line < orders) > 0) {
			split(line, f, "\t")
			ORD[f[1], f[2]] = ++ORDN[f[1]]
		}
	NLAX = split(laxes, LAX, " ")
}

# The rank of a value on its axis (unknown values last, in no set order).
function axis_rank(axis, v) { return ((axis, v) in ORD) ? ORD[axis, v] : 9999 }

# A sort key for the coordinates in F[o..o+5]: baseline first on each
# axis, axes in COORD order.
function coord_rank(F, o,    i, s) {
	s = ""
	for (i = 1; i <= NAX; i++) s = s sprintf("%04d", axis_rank(AXN[i], F[o + i - 1]))
	return s
}

# "kernel=... mode=..." for the coordinates in F[o..o+5], only the
# varying axes; "all" when nothing varies.
function coord_label(F, o,    i, s) {
	s = ""
	for (i = 1; i <= NLAX; i++) s = s (s == "" ? "" : " ") LAX[i] "=" F[o + AXI[LAX[i]] - 1]
	return s == "" ? "all" : s
}
