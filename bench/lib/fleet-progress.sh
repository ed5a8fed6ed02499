# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2154,SC2034  # the run's state is bench/apf-fleet's; read -r fields named though unused
# bench/apf-fleet's progress: cells done/total and ETA per machine and for
# the fleet, from parallel's tagged output. Sourced by bench/apf-fleet.

to_s() { # m:ss or h:mm:ss -> seconds
	local IFS=: p s=0
	for p in $1; do s=$((s * 60 + 10#$p)); done
	echo "$s"
}

# progress: read parallel's tagged output ("JOB<TAB>line", as it grows in
# fleet/output.log) and say, per finished cell, the machine's cells
# done/total and ETA and the fleet's. Only a reader: if it fails, parallel
# and the run go on.
progress() {
	declare -A jm=() jd=() jt=() je=() jet=() md=() mt=()
	local job text m n done_all total_all eta now t0 line started=0 left k cell
	declare -A est=()
	local j name group pin
	for j in "${JOBS[@]}"; do
		read -r name group pin <<<"$j"
		est[$name]=$(job_cells "$j")
		[ "$pin" = - ] || jm[$name]=$pin
	done
	t0=$EPOCHSECONDS
	while IFS= read -r line; do
		[[ $line == *$'\t'* ]] || { say "$line"; continue; }
		job=${line%%$'\t'*} text=${line#*$'\t'}
		case "$text" in
		'@apf-fleet start '*)
			[[ $text =~ login=(.*)\ hostname= ]] && jm[$job]=$(machine_of_login "${BASH_REMATCH[1]}")
			say "${jm[$job]:-?}: job $job started (${text##*hostname=})" ;;
		'@apf-fleet setup failed'* | '  setup: '* | '@apf-fleet interrupted'*)
			say "${jm[$job]:-?}: $job: ${text#@apf-fleet }" ;;
		'@apf-fleet end '*)
			say "${jm[$job]:-?}: job $job ended (${text##* })" ;;
		'apf-bench: run '*' cells, '*)
			[[ $text =~ :\ ([0-9]+)\ cells, ]] && jt[$job]=${BASH_REMATCH[1]} ;;
		'apf-bench: resuming: '*)
			[[ $text =~ resuming:\ ([0-9]+)\ cells ]] && jd[$job]=${BASH_REMATCH[1]} ;;
		'apf-bench: ['[0-9]*'/'[0-9]*'] '*)
			[[ $text =~ ^apf-bench:\ \[([0-9]+)/([0-9]+)\]\ (.*)$ ]] || continue
			jd[$job]=${BASH_REMATCH[1]} jt[$job]=${BASH_REMATCH[2]} cell=${BASH_REMATCH[3]}
			started=$((started + 1))
			if [[ $text =~ ETA\ ([0-9:]+)\)$ ]]; then je[$job]=$(to_s "${BASH_REMATCH[1]}") jet[$job]=$EPOCHSECONDS; fi
			# Per machine and fleet-wide sums over the jobs seen so far.
			md=() mt=() done_all=0 total_all=0 eta=0
			for k in "${!est[@]}"; do
				n=${jt[$k]:-${est[$k]}}
				total_all=$((total_all + n)) done_all=$((done_all + ${jd[$k]:-0}))
				m=${jm[$k]:-}
				[ -z "$m" ] || { md[$m]=$((${md[$m]:-0} + ${jd[$k]:-0})) mt[$m]=$((${mt[$m]:-0} + n)); }
				if [ -n "${je[$k]:-}" ] && [ "${jd[$k]:-0}" -lt "$n" ]; then
					left=$((je[$k] - (EPOCHSECONDS - jet[$k])))
					[ "$left" -le "$eta" ] || eta=$left
				fi
			done
			now=$EPOCHSECONDS
			if [ "$FLEET_MODE" = shard ] && [ "$started" -gt 0 ]; then
				# Groups wait in a queue: the fleet's pace so far.
				eta=$(((total_all - done_all) * (now - t0) / started))
			fi
			m=${jm[$job]:-?}
			say "$m [${md[$m]:-0}/${mt[$m]:-?}] ${cell% (*} | fleet ${done_all}/${total_all} cells, elapsed $(fmt_time $((now - t0))), ETA $(fmt_time "$eta")" ;;
		esac
	done
}

