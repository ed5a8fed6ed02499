#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# apf-stats against published reference values: Student t quantiles (the
# two-sided 95% column of any t table, e.g. NIST/SEMATECH e-Handbook of
# Statistical Methods, 1.3.6.7.2), closed-form t CDFs (df 1: Cauchy,
# 0.5 + atan(t)/pi; df 2: 0.5 + t/(2 sqrt(2 + t^2))), and Welch's t-test on
# textbook examples; then the compare command on hand-computed data.
. "$(dirname "$0")/../lib.sh"
S=$TOP/build/apf-stats
[ -x "$S" ] || make -s -C "$TOP" build/apf-stats >/dev/null 2>&1 || true
if [ ! -x "$S" ]; then skip_rest "apf-stats" "build/apf-stats could not be built"; fi
plan 62

# near WHAT EXPECTED SEEN TOL: |seen - expected| <= tol
near() {
	if awk -v e="$2" -v s="$3" -v t="$4" 'BEGIN { d = e - s; if (d < 0) d = -d; exit !(d <= t) }'; then
		ok "$1 = $3"
	else not_ok "$1" "expected $2 ± $4, saw $3"; fi
}

# t_{0.975, df} (two-sided 95%), NIST table to 3 decimals.
for pair in 1:12.706 2:4.303 3:3.182 4:2.776 5:2.571 9:2.262 10:2.228 20:2.086 30:2.042 100:1.984; do
	near "qt(0.975, ${pair%%:*})" "${pair#*:}" "$("$S" qt 0.975 "${pair%%:*}")" 0.0006
done
near "qt(0.025, 4) = -qt(0.975, 4)" -2.776 "$("$S" qt 0.025 4)" 0.0006
near "pt(1, 1) (Cauchy: 3/4)" 0.75 "$("$S" pt 1 1)" 1e-9
near "pt(sqrt 3, 1) (Cauchy: 5/6)" 0.833333333 "$("$S" pt 1.7320508075688772 1)" 1e-8
near "pt(2, 2) (closed form 0.5 + 1/sqrt 6)" 0.908248290 "$("$S" pt 2 2)" 1e-8
near "pt(-2, 2) (symmetry)" 0.091751710 "$("$S" pt -2 2)" 1e-8
near "pt(0, 7.5)" 0.5 "$("$S" pt 0 7.5)" 1e-12
near "pt(1.959964, 1e7) (normal limit)" 0.975 "$("$S" pt 1.959964 10000000)" 1e-6

# R's own example, ?t.test: t.test(extra ~ group, data = sleep) (Welch):
# t = -1.8608, df = 17.776, p-value = 0.07939.
read -r t df p < <(printf '%s\n' "0.7 -1.6 -0.2 -1.2 -0.1 3.4 3.7 0.8 0.0 2.0" \
	"1.9 0.8 1.1 0.1 -0.1 4.4 5.5 1.6 4.6 3.4" | "$S" welch)
near "Welch sleep: t" -1.8608 "$t" 0.00005
near "Welch sleep: df" 17.776 "$df" 0.0005
near "Welch sleep: p" 0.07939 "$p" 0.000005
# Wikipedia, "Welch's t-test", Examples, example 1 (A1 vs A2):
# t = -2.46, df = 25.0, p = 0.021.
read -r t df p < <(printf '%s\n' \
	"27.5 21.0 19.0 23.6 17.0 17.9 16.9 20.1 21.9 22.6 23.1 19.6 19.0 21.7 21.4" \
	"27.1 22.0 20.8 23.4 23.4 23.5 25.8 22.0 24.8 20.2 21.9 22.1 22.9 20.5 24.4" | "$S" welch)
near "Welch Wikipedia ex. 1: t" -2.46 "$t" 0.005
near "Welch Wikipedia ex. 1: df" 25.0 "$df" 0.05
near "Welch Wikipedia ex. 1: p" 0.021 "$p" 0.0005

# compare: a = 1 2 3 (mean 2, sd 1), b = 2 4 6 (mean 4, sd 2), c = 9 9.1 8.9,
# d = 5 (n = 1), e = 7 7 7 (sd 0). CI = t(0.975, 2) sd / sqrt 3.
out=$(printf 'g\ta\t1\ng\tb\t2\ng\ta\t2\ng\tb\t4\ng\ta\t3\ng\tb\t6\ng\tc\t9\ng\tc\t9.1\ng\tc\t8.9\ng\td\t5\ng\te\t7\ng\te\t7\ng\te\t7\ng\ta\tNA\n' |
	"$S" compare 1 a b c d e)
col() { awk -F'\t' -v c="$1" -v k="$2" '$2 == c { print $k }' <<<"$out"; }
expect_eq "compare: five rows in column order" "a b c d e" "$(cut -f2 <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "compare: NA is skipped (n = 3)" 3 "$(col a 3)"
near "compare: mean a" 2 "$(col a 4)" 1e-12
near "compare: ci a = 4.302653 / sqrt 3" 2.484138 "$(col a 6)" 1e-5
near "compare: ci b = 2 x 4.302653 / sqrt 3" 4.968275 "$(col b 6)" 1e-5
near "compare: rel change b vs a" 1 "$(col b 7)" 1e-12
expect_eq "compare: baseline has no p" NA "$(col a 8)"
# Welch a vs b: t = 2/sqrt(5/3) = 1.549193, df = 2.941176 -> p well above 0.05
pb=$(col b 8)
if awk -v p="$pb" 'BEGIN { exit !(p > 0.15 && p < 0.3) }'; then ok "compare: b vs a not significant (p = $pb)"; else not_ok "compare: p b" "$pb"; fi
expect_eq "compare: no mark for b" "" "$(col b 9)"
expect_eq "compare: c vs a marked" "*" "$(col c 9)"
expect_eq "compare: n = 1 has no CI" NA "$(col d 6)"
expect_eq "compare: n = 1 has no p" NA "$(col d 8)"
expect_eq "compare: zero variance on one side still tests" "*" "$(col e 9)"
expect_exit "compare: a wrong field count is exit 2" 2 sh -c "printf 'x\n' | '$S' compare 1 a"
expect_exit "unknown command: exit 2" 2 "$S" frobnicate

# spectrum: two reps of one label merge; the last bucket sits at 1 - 1/total.
sp=$(printf 'L\t100\t1\nL\t200\t2\nL\t100\t1\n' | "$S" spectrum)
expect_eq "spectrum: merged buckets" "L 100 50.000000000 2|L 200 75.000000000 4" \
	"$(awk -F'\t' 'NF { printf "%s%s %s %s %s", sep, $1, $2, $3, $4; sep = "|" }' <<<"$sp")"

# ---- multiple comparisons (adjust). Definitions as R's p.adjust: Holm,
# sorted ascending, p_(k) -> max_{j<=k} min(1, (m - j + 1) p_(j));
# Benjamini-Hochberg p_(k) -> min_{j>=k} min(1, m p_(j) / j).
# Example 1 (Wikipedia, "Holm-Bonferroni method"): p = 0.01 0.04 0.03
# 0.005: Holm 0.03 0.06 0.06 0.02 (H1 and H4 rejected at 0.05), BH 0.02
# 0.04 0.04 0.02. NA is no test and stays NA (m = 4).
expect_eq "Holm, textbook example" "0.03 0.06 0.06 0.02 NA" \
	"$(printf '0.01\n0.04\n0.03\n0.005\nNA\n' | "$S" adjust holm | tr '\n' ' ' | sed 's/ $//')"
expect_eq "BH, textbook example" "0.02 0.04 0.04 0.02 NA" \
	"$(printf '0.01\n0.04\n0.03\n0.005\nNA\n' | "$S" adjust bh | tr '\n' ' ' | sed 's/ $//')"
# Example 2: Benjamini & Hochberg (1995), JRSS B 57:289, section 4: the 15
# p-values of a myocardial-infarction study. At 0.05 their procedure
# rejects 4 hypotheses; Holm (as Bonferroni) rejects 3.
BH95='0.0001 0.0004 0.0019 0.0095 0.0201 0.0278 0.0298 0.0344 0.0459 0.3240 0.4262 0.5719 0.6528 0.7590 1.000'
bh=$(tr ' ' '\n' <<<"$BH95" | "$S" adjust bh)
holm=$(tr ' ' '\n' <<<"$BH95" | "$S" adjust holm)
expect_eq "BH 1995: 4 rejections at 0.05" 4 "$(awk '$1 < 0.05' <<<"$bh" | wc -l)"
expect_eq "BH 1995, Holm: 3 rejections at 0.05" 3 "$(awk '$1 < 0.05' <<<"$holm" | wc -l)"
# by hand: BH p_(4) = 0.0095 x 15 / 4; p_(6) takes p_(7)'s 0.0298 x 15 / 7
near "BH 1995: adjusted p_(4)" 0.035625 "$(sed -n 4p <<<"$bh")" 1e-9
near "BH 1995: adjusted p_(6) (step-up minimum)" 0.0638571429 "$(sed -n 6p <<<"$bh")" 1e-9
# Holm p_(4) = 12 x 0.0095; p_(7) = max(10 x 0.0278, 9 x 0.0298) = 0.278
near "Holm 1995: adjusted p_(4)" 0.114 "$(sed -n 4p <<<"$holm")" 1e-9
near "Holm 1995: adjusted p_(7) (step-down maximum)" 0.278 "$(sed -n 7p <<<"$holm")" 1e-9
expect_exit "adjust: a p outside [0, 1] is exit 2" 2 sh -c "printf '1.5\n' | '$S' adjust holm"
expect_exit "adjust: an unknown method is exit 2" 2 sh -c "printf '0.5\n' | '$S' adjust sidak"

# ---- compare as the report runs it: Holm over the table, n >= 3 to test,
# the max metric never tested. Group x: a (base), c (clear change), b
# (n = 2); group lat_max_ns: the same values, untested.
in=$(for g in x lat_max_ns; do printf "$g\ta\t%s\n" 1 2 3; printf "$g\tc\t%s\n" 9 9.1 8.9; printf "$g\tb\t%s\n" 5 6; done)
out=$(printf '%s\n' "$in" | "$S" compare --adjust holm --min-n 3 --untested lat_max_ns 1 a c b)
f() { awk -F'\t' -v g="$1" -v c="$2" -v k="$3" '$1 == g && $2 == c { print $k }' <<<"$out"; }
expect_eq "compare: baseline test state" base "$(f x a 12)"
expect_eq "compare: n = 2 side is underpowered" "n<3" "$(f x b 12)"
expect_eq "compare: n = 2 side has no p and no mark" "NA " "$(f x b 8) $(f x b 9)"
expect_eq "compare: max is untested, unmarked" "untested NA " "$(f lat_max_ns c 12) $(f lat_max_ns c 11) $(f lat_max_ns c 9)"
expect_eq "compare: the clear change is tested" ok "$(f x c 12)"
# one test in the family: its adjusted p is its p
expect_eq "compare: a family of one keeps its p" "$(f x c 8)" "$(f x c 11)"
expect_eq "compare: and is marked" "*" "$(f x c 9)"
# the change's CI: Welch interval of the difference over |base mean|,
# t quantile at Welch's df (apf-stats qt, checked above)
read -r _ df _ < <(printf '9 9.1 8.9\n1 2 3\n' | "$S" welch)
want=$(awk -v t="$("$S" qt 0.975 "$df")" 'BEGIN { printf "%.6g", t * sqrt(0.01 / 3 + 1 / 3) / 2 }')
near "compare: rel_ci95 = t(df) se / |base mean|" "$want" "$(f x c 10)" 1e-5
# two tests: Holm doubles the smaller p (or keeps the larger)
out=$(printf '%s\n' "$in" | sed 's/^lat_max_ns/y/' | "$S" compare --adjust holm --min-n 3 1 a c)
p1=$(f x c 8) p2=$(f y c 8)
near "compare: Holm over two equal tests = 2p" "$(awk -v p="$p1" 'BEGIN { printf "%.6g", (2 * p > 1 ? 1 : 2 * p) }')" "$(f x c 11)" 1e-9
expect_eq "compare: same p for the two groups" "$p1" "$p2"

# ---- pctci: merged percentile, bootstrap interval over reps. Three reps
# of 10 samples at 100, 200, 300: merged median 200; resampling the reps
# can give all-first (100) or all-third (300) medians with enough weight
# (each side 7/27 > 2.5%), so the interval is [100, 300].
expect_eq "pctci: median and its interval" "L 50 200 100 300 3" \
	"$(printf 'L\t1\t100\t10\nL\t2\t200\t10\nL\t3\t300\t10\n' | "$S" pctci | awk -F'\t' '$2 == 50 { print $1, $2, $3, $4, $5, $6 }')"
expect_eq "pctci: one rep has no interval" "M 99 300 NA NA 1" \
	"$(printf 'M\t1\t100\t10\t300\t1\n' | "$S" pctci | awk -F'\t' '$2 == 99 { print $1, $2, $3, $4, $5, $6 }')"
# identical reps: the interval collapses on the value
expect_eq "pctci: identical reps, zero-width interval" "N 90 200 200 200 4" \
	"$(printf 'N\t%s\t100\t5\t200\t5\n' 1 2 3 4 | "$S" pctci | awk -F'\t' '$2 == 90 { print $1, $2, $3, $4, $5, $6 }')"
