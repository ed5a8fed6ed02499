# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# bench/apf-fleet's machines: the sshloginfile read into names and logins.
# Sourced by bench/apf-fleet.

# read_logins FILE: M_NAME[i], M_LOGIN[i] (the sshlogin without its
# @group/ and N/ prefixes). Exits 2 with FILE:LINE on a bad line.
M_NAME=() M_LOGIN=()
read_logins() {
	local file=$1 raw line n=0 name login host
	if [ ! -f "$file" ] || [ ! -r "$file" ]; then usage_error "sshloginfile '$file' not found or unreadable"; fi
	while IFS= read -r raw || [ -n "$raw" ]; do
		n=$((n + 1))
		line=${raw#"${raw%%[![:space:]]*}"}
		line=${line%"${line##*[![:space:]]}"}
		case "$line" in '' | '#'*) continue ;; esac
		name=''
		if [[ $line == @* ]]; then
			[[ $line == */* ]] || { printf '%s: %s:%s: @group without a login\n' "$PROG" "$file" "$n" >&2; exit 2; }
			name=${line%%/*}
			name=${name#@}
			name=${name%%+*}
			line=${line#*/}
		fi
		if [[ $line =~ ^([0-9]+)/(.*)$ ]]; then
			[ "${BASH_REMATCH[1]}" = 1 ] || say "$file:$n: '${BASH_REMATCH[1]}/' ignored: a machine runs one cell at a time"
			line=${BASH_REMATCH[2]}
		fi
		login=$line
		[ -n "$login" ] || { printf '%s: %s:%s: no login\n' "$PROG" "$file" "$n" >&2; exit 2; }
		if [ -z "$name" ]; then
			if [ "$login" = : ]; then
				name=localhost
			else
				host=${login##*[[:space:]]}
				host=${host##*@}
				host=${host#[}
				host=${host%]}
				name=${host//[!A-Za-z0-9._-]/_}
			fi
		fi
		valid_name "$name" || { printf "%s: %s:%s: machine name '%s' is not [A-Za-z0-9._-]+ (name it with @NAME/)\n" "$PROG" "$file" "$n" "$name" >&2; exit 2; }
		case " ${M_NAME[*]:-} " in *" $name "*)
			printf "%s: %s:%s: machine '%s' listed twice (give each login its own @NAME/)\n" "$PROG" "$file" "$n" "$name" >&2
			exit 2 ;;
		esac
		M_NAME+=("$name") M_LOGIN+=("$login")
	done <"$file"
	[ "${#M_NAME[@]}" -gt 0 ] || usage_error "sshloginfile '$file' names no machine"
}

# login_names FILE: the machine names FILE gives, without touching ours.
login_names() {
	local -a M_NAME=() M_LOGIN=()
	read_logins "$1"
	echo "${M_NAME[*]}"
}

machine_of_login() { # login -> name (empty if unknown)
	local i
	for i in "${!M_LOGIN[@]}"; do
		[ "${M_LOGIN[i]}" != "$1" ] || { echo "${M_NAME[i]}"; return; }
	done
}

