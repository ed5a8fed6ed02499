#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The README's "## Layout" section matches the tree (issue 11: "the README's
# layout section matches the tree"). The section is a code block of
# entries: an entry starts at column 0 with its path ("host/", "guest/apfw.c",
# "LICENSE") and continues on indented lines. The rules:
#  - Every path it names (a word with a "/", such as host/vm-lib/ or
#    bench/lib/fleet-*.sh; <area> is a wildcard) is in the tree: a tracked
#    file, a directory holding one, a glob matching one, or a program built
#    from a tracked PATH.c (guest/apfw).
#  - Every top-level directory and every top-level file is named by an
#    entry, dotfiles (tool settings: .gitignore, .shellcheckrc) aside.
#  - Every file directly under host/, bench/, guest/, scripts/ and lib/ is
#    named: by its path, by a glob, or by its bare name in the entry of its
#    directory ("host/  ... the VM launcher (apf-vm; ..."); a .c/.h file also
#    by its stem there (lib/'s "size" names size.c and size.h).
#  - Every directory directly under those five is named the same way; the
#    files deeper down (and tests/, docs/, results/ content, test data) are
#    covered by their directory.
# "The tree" is git's: tracked files plus new ones not ignored, so a file
# added but not yet committed must be described too.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
plan 5

git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
	skip_rest "layout" "not a git checkout: no list of tracked files"
mapfile -t files < <(git ls-files --cached --others --exclude-standard | while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done)

# entries: "KEY<TAB>TEXT" per line of the block, TEXT without the key.
awk '/^## Layout$/ { s = 1; next } s && /^## / { exit }
	s && /^```/ { if (b) exit; b = 1; next }
	s && b && /^[^ \t]/ { key = $1; sub(/^[^ \t]+[ \t]*/, ""); print key "\t" $0; next }
	s && b && key != "" { print key "\t" $0 }' README.md >"$TMP_T/entries"
if [ -s "$TMP_T/entries" ]; then
	ok "layout section: $(cut -f1 "$TMP_T/entries" | sort -u | wc -l) entries"
else
	not_ok "layout section" "no code block under '## Layout' in README.md"
fi

# Words: split on what cannot be in a path. A word with a "/" before its
# end is a path from the top; the others are bare names (a trailing "/"
# marks a directory's), of the entry's directory when its key is one. The
# entries' keys are paths.
words() { tr -c 'A-Za-z0-9_.*<>+/\n-' ' ' | tr ' ' '\n' | sed 's/\.*$//' | grep .; }
mapfile -t paths < <({ cut -f1 "$TMP_T/entries"; cut -f2 "$TMP_T/entries" | words | grep '/.'; } | grep -v '^/' | sort -u)
# The same paths as bash patterns (<area> -> *).
mapfile -t globs < <(printf '%s\n' "${paths[@]}" | sed 's/<[^>]*>/*/g')
declare -A bare=()
while IFS=$'\t' read -r key text; do
	case "$key" in */) ;; *) continue ;; esac
	while IFS= read -r w; do bare[$key${w%/}]=1; done < <(printf '%s\n' "$text" | words | grep -v '/.')
done <"$TMP_T/entries"

# The patterns below are globs on purpose.
# shellcheck disable=SC2053
# exists I: paths[I] is a tracked file, a directory of one, a glob of one, or
# a program built from a tracked PATH.c.
exists() {
	local p=${paths[$1]} g=${globs[$1]} f
	for f in "${files[@]}"; do
		case "$g" in
		*'*'*) [[ $f == $g ]] && return 0 ;;
		*/) [[ $f == "$p"* ]] && return 0 ;;
		*) { [ "$f" = "$p" ] || [ "$f" = "$p.c" ] || [[ $f == "$p/"* ]]; } && return 0 ;;
		esac
	done
	return 1
}
# named ITEM: a file, or a directory with its trailing /, is named.
# shellcheck disable=SC2053
named() {
	local item=$1 i dir name
	for i in "${!paths[@]}"; do
		case "$item" in
		*/) [[ ${paths[i]} == "$item"* ]] && return 0 ;;
		*) { [ "${paths[i]}" = "$item" ] || [[ $item == ${globs[i]} ]]; } && return 0 ;;
		esac
	done
	name=${item%/} dir=${name%/*}/ name=${name##*/}
	[ -z "${bare[$dir$name]+set}" ] || return 0
	case "$name" in *.c | *.h) [ -z "${bare[$dir${name%.*}]+set}" ] || return 0 ;; esac
	return 1
}

missing=()
for i in "${!paths[@]}"; do exists "$i" || missing+=("${paths[i]}"); done
if [ ${#missing[@]} = 0 ]; then ok "named paths exist (${#paths[@]})"
else not_ok "named paths exist" "not in the tree: ${missing[*]}"; fi

declare -A top=()
for f in "${files[@]}"; do
	case "$f" in .*/* | */*) top[${f%%/*}/]=1 ;; .*) ;; *) top[$f]=1 ;; esac
done
unnamed=()
for t in "${!top[@]}"; do
	case "$t" in
	*/) named "$t" || unnamed+=("$t") ;;
	*) grep -q "^$t	" "$TMP_T/entries" || unnamed+=("$t") ;;
	esac
done
if [ ${#unnamed[@]} = 0 ]; then ok "top level named (${#top[@]})"
else not_ok "top level named" "no entry for: $(printf '%s\n' "${unnamed[@]}" | sort | tr '\n' ' ')"; fi

declare -A subdirs=()
unnamed=() n=0
for f in "${files[@]}"; do
	case "$f" in host/* | bench/* | guest/* | scripts/* | lib/*) ;; *) continue ;; esac
	rest=${f#*/}
	case "$rest" in
	*/*) subdirs[${f%%/*}/${rest%%/*}/]=1 ;;
	.*) ;;
	*) n=$((n + 1)); named "$f" || unnamed+=("$f") ;;
	esac
done
if [ ${#unnamed[@]} = 0 ]; then ok "files under host/ bench/ guest/ scripts/ lib/ named ($n)"
else not_ok "files under host/ bench/ guest/ scripts/ lib/ named" "not named: ${unnamed[*]}"; fi

unnamed=()
for d in "${!subdirs[@]}"; do named "$d" || unnamed+=("$d"); done
if [ ${#unnamed[@]} = 0 ]; then ok "directories under host/ bench/ guest/ scripts/ lib/ named (${#subdirs[@]})"
else not_ok "directories under host/ bench/ guest/ scripts/ lib/ named" "not named: $(printf '%s\n' "${unnamed[@]}" | sort | tr '\n' ' ')"; fi
