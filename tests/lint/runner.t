#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/run itself, on small .t files made here: a file must print one
# plan (tests/lib.sh plan first, or done_testing last) and make exactly
# that many checks, so one that dies or exits early, prints no plan, or
# miscounts is a failure; a file that does it right passes. Also
# tap_relay: a relayed program that crashes without a "not ok" fails.
. "$(dirname "$0")/../lib.sh"
plan 22

# case NAME BODY: tests/NAME.t under $TMP_T, sourcing the real tests/lib.sh.
case_file() {
	local f=$TMP_T/cases/$1.t
	mkdir -p "$TMP_T/cases"
	printf '#!/usr/bin/env bash\n. "%s/tests/lib.sh"\n%s\n' "$TOP" "$2" >"$f"
	chmod +x "$f"
	echo "$f"
}
# runs NAME BODY RC SUMMARY [WHY]: tests/run on the file exits RC, ends with
# SUMMARY, and (when given) names WHY among its failures.
runs() {
	local name=$1 body=$2 want_rc=$3 want_sum=$4 why=${5:-} f rc=0 out
	f=$(case_file "$name" "$body")
	out=$(TEST_TIMEOUT=30 "$TOP/tests/run" "$f" 2>&1) || rc=$?
	expect_eq "$name: tests/run exits $want_rc, '$want_sum'" "$want_rc $want_sum" "$rc $(tail -n 1 <<<"$out")"
	if [ -n "$why" ]; then
		if grep -qF -- "$why" <<<"$out"; then ok "$name: says '$why'"
		else not_ok "$name: says '$why'" "$out"; fi
	fi
}

runs fine-leading 'plan 3
ok "a"; skip "b" "not here"
check "c" true' 0 "2 passed, 0 failed, 1 skipped"
runs fine-trailing 'ok "a"
( ok "in a subshell" )
printf "x\n" | while read -r _; do ok "in a pipeline"; done
done_testing' 0 "3 passed, 0 failed, 0 skipped"
runs fine-skip-rest-unplanned 'ok "a"
skip_rest "the rest" "no such thing here"
ok "never"' 0 "1 passed, 0 failed, 1 skipped"
runs fine-skip-rest-planned 'plan 4
ok "a"
skip_rest "the rest" "no such thing here"
ok "never"' 0 "1 passed, 0 failed, 3 skipped"
runs dies-early 'plan 3
ok "a"; ok "b"
exit 0
ok "c"' 1 "2 passed, 1 failed, 0 skipped" "planned 3 checks, ran 2"
runs exits-before-done-testing 'ok "a"
exit 0
done_testing' 1 "1 passed, 1 failed, 0 skipped" "no plan"
runs crashes-before-done-testing 'ok "a"
false
done_testing' 1 "1 passed, 1 failed, 0 skipped" "no plan"
runs no-plan 'ok "a"; ok "b"' 1 "2 passed, 1 failed, 0 skipped" "no plan"
runs wrong-count 'plan 2
ok "a"; ok "b"; ok "c"' 1 "3 passed, 1 failed, 0 skipped" "planned 2 checks, ran 3"
runs plan-midway 'ok "a"
plan 2
ok "b"' 1 "2 passed, 1 failed, 0 skipped" "its plan came after 1 of its 2 checks"
runs two-plans 'plan 1
ok "a"
done_testing' 1 "1 passed, 1 failed, 0 skipped" "2 plans"
runs relay-crash 'tap_relay sh -c "echo \"ok - inner\"; echo 1..5; exit 3"
done_testing' 1 "1 passed, 1 failed, 0 skipped" "exited 3 without reporting a failure"
runs relay-ok 'plan 2
tap_relay sh -c "echo \"ok - inner 1\"; echo noise; echo \"ok - inner 2\""' 0 "2 passed, 0 failed, 0 skipped"

# Every .t of the suite says how it plans (a plan or done_testing line).
missing=$(cd "$TOP" && git ls-files '*.t' 2>/dev/null | while IFS= read -r t; do
	grep -qE '^[[:space:]]*(plan ["0-9$]|done_testing$)|echo "1\.\.' "$t" || echo "$t"
done)
expect_eq "every tracked .t has a plan or done_testing" "" "$missing"
