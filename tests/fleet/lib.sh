# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Loopback "machines" for tests/fleet: one sshd per machine, each on its
# own 127.0.0.x address and port, a key made for the test, and a login
# that lands in the machine's own home directory (a ForceCommand wrapper
# cds there and sets HOME, so GNU parallel's relative transfers and the
# fleet's work dir stay apart per machine without chroot or new users).
# Every sshd runs in the foreground under the test and is stopped by PID.
# Source after tests/lib.sh. Never an address outside 127.0.0.0/8.

FLEET_T=$TMP_T/fleet
FLEET_PIDS=()

# fleet_require: SKIP the whole file (exit 0) unless sshd, ssh, parallel
# and rsync are here and the test runs as root (sshd's privilege separation).
fleet_require() {
	local c
	for c in /usr/sbin/sshd ssh ssh-keygen parallel rsync perl; do
		if ! command -v "$c" >/dev/null 2>&1; then
			skip_rest "fleet over loopback sshd" "'$c' not found (host/need-packages test installs openssh-server, parallel, rsync)"
		fi
	done
	if ! is_root; then
		skip_rest "fleet over loopback sshd" "sshd needs root for privilege separation"
	fi
}

# fleet_stop: stop every sshd this test started, by PID.
fleet_stop() {
	local p
	for p in "${FLEET_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${FLEET_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	FLEET_PIDS=()
}

fleet_init() {
	mkdir -p "$FLEET_T"
	ssh-keygen -q -t ed25519 -N '' -C apfbench-fleet-test -f "$FLEET_T/key"
	ssh-keygen -q -t ed25519 -N '' -C apfbench-fleet-host -f "$FLEET_T/host_key"
	cp "$FLEET_T/key.pub" "$FLEET_T/authorized_keys"
	: >"$FLEET_T/ssh_config"
	# sshd refuses to start without its privilege separation directory,
	# which the package's service would create at boot.
	[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 0755 /run/sshd; }
	trap 'fleet_stop; rm -rf "$TMP_T"' EXIT
	export PARALLEL_SSH="ssh -F $FLEET_T/ssh_config"
}

# fleet_machine NAME ADDR [PORT]: start an sshd on ADDR (127.0.0.x) at
# PORT or a free one; NAME's home is $FLEET_T/NAME/home. Adds a Host block
# to the test's ssh_config (unless ADDR has one) so "ADDR" alone logs in.
fleet_machine() {
	local name=$1 addr=$2 want=${3:-} dir=$FLEET_T/$1 port pid
	case "$addr" in 127.*) ;; *) echo "fleet_machine: $addr is not loopback" >&2; return 2 ;; esac
	mkdir -p "$dir/home"
	cat >"$dir/enter" <<ENTER
#!/bin/sh
cd '$dir/home' || exit 1
HOME='$dir/home'
export HOME
exec "\${SHELL:-/bin/sh}" -c "\${SSH_ORIGINAL_COMMAND:-true}"
ENTER
	chmod 755 "$dir/enter"
	for _ in 1 2 3 4 5 6 7 8; do
		port=${want:-$((20000 + (RANDOM % 30000)))}
		cat >"$dir/sshd_config" <<CFG
ListenAddress $addr:$port
HostKey $FLEET_T/host_key
PidFile none
AuthorizedKeysFile $FLEET_T/authorized_keys
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $(id -un)
StrictModes no
UsePAM no
UseDNS no
X11Forwarding no
AllowTcpForwarding no
ForceCommand $dir/enter
LogLevel ERROR
CFG
		/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
		pid=$!
		# Ready when a login works; a port already taken ends sshd at once.
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			if ssh -F /dev/null -p "$port" -i "$FLEET_T/key" -o IdentitiesOnly=yes -o BatchMode=yes \
				-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
				"$addr" true 2>/dev/null; then
				FLEET_PIDS+=("$pid")
				eval "FLEET_SSHD_${name//[!A-Za-z0-9_]/_}=$pid"
				grep -qxF "Host $addr" "$FLEET_T/ssh_config" && return 0
				printf 'Host %s\n\tPort %s\n' "$addr" "$port" >>"$FLEET_T/ssh_config"
				fleet_ssh_common >>"$FLEET_T/ssh_config"
				return 0
			fi
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	echo "fleet_machine: sshd for $name on $addr did not start: $(tail -n 3 "$dir/sshd.log")" >&2
	return 1
}

# fleet_unreachable ADDR PORT: a Host block for a machine that is down
# (nothing listens there until fleet_machine starts it on that port).
fleet_unreachable() {
	printf 'Host %s\n\tPort %s\n' "$1" "$2" >>"$FLEET_T/ssh_config"
	fleet_ssh_common >>"$FLEET_T/ssh_config"
}

# fleet_conf FILE MODE WORKLOADS [REPS] [DURATION]: a short target = local matrix.
fleet_conf() {
	cat >"$1" <<CONF
target     = local
fleet_mode = $2
workloads  = $3
reps       = ${4:-1}
duration   = ${5:-1}
memory     = 256M
CONF
}

# fleet_alive PID START: is PID still the process that had START (field 22
# of /proc/PID/stat)? A checked PID is never a reused one.
fleet_alive() {
	[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }')" = "$2" ]
}

# fleet_free_port: a port nothing on 127.0.0.0/8 listens on now.
fleet_free_port() {
	local p
	while :; do
		p=$((20000 + (RANDOM % 30000)))
		ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
}

fleet_ssh_common() {
	cat <<COMMON
	User $(id -un)
	IdentityFile $FLEET_T/key
	IdentitiesOnly yes
	UserKnownHostsFile /dev/null
	StrictHostKeyChecking no
	BatchMode yes
	ConnectTimeout 5
	LogLevel ERROR
COMMON
}
