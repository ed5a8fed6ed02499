#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every shell script of the suite (tracked *.sh, *.t and files with a sh or
# bash shebang) is shellcheck-clean, following what each one sources
# (-x), under the project's .shellcheckrc. One line per file.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

if ! command -v shellcheck >/dev/null; then
	skip_rest "shellcheck" "shellcheck not installed (host/need-packages test)"
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	skip_rest "shellcheck" "not a git checkout: no list of tracked scripts"
fi
n=0
while IFS= read -r f; do
	case "$f" in
	*.sh | *.t) ;;
	*) head -n 1 "$f" 2>/dev/null | grep -qE '^#!.*[/ ](ba)?sh( |$)' || continue ;;
	esac
	n=$((n + 1))
	check "shellcheck $f" shellcheck -x "$f"
done < <(git ls-files --cached --others --exclude-standard)
if [ "$n" -gt 20 ]; then ok "found $n shell scripts"; else not_ok "found $n shell scripts" "expected the suite's scripts"; fi
done_testing
