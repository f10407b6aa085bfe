# Shared pieces of the lab scripts (lab.sh, windows-lab.sh), sourced once the script has set lab_name (the word that
# starts every log line), repo (the repository's root) and the defaults of out, report and prefix (lab_args reads the
# options into them); before lab_setup it sets hosts (an array of host names) and addr (an associative array host ->
# IPv4 address on the bridge's /24). Every function assumes `set -euo pipefail`. lab_setup makes the temporary
# directory ($work) and arms the cleanup, which removes the namespaces, the processes in them and $work whatever the exit.

log() { echo "$lab_name: $*" >&2; }

# lab_args ARGS...: the options every lab takes (--out, --report, --prefix; --help prints the script's header
# comment), then the check that the lab runs as root. $out, $report and $prefix hold the defaults before.
lab_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --out) out=$2; shift 2 ;;
      --report) report=$2; shift 2 ;;
      --prefix) prefix=$2; shift 2 ;;
      -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      *) echo "$lab_name: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
  done
  [ "$(id -u)" -eq 0 ] || { echo "$lab_name: needs root (network namespaces, capture)" >&2; exit 2; }
}

# Runs a command in a host's namespace.
on() { local host=$1; shift; ip netns exec "$prefix-$host" "$@"; }

# lab_need COMMAND:PACKAGE...: installs from Debian what is missing (tools/setup.sh installs the same lists for CI).
# An entry whose command starts with / is a file that must exist.
lab_need() {
  local missing=() pair
  for pair in "$@"; do
    case ${pair%%:*} in
      /*) compgen -G "${pair%%:*}" >/dev/null || missing+=("${pair#*:}") ;;
      *) command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}") ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
  fi
}

# Sets the array `portaudit`: $PORTAUDIT when given (e.g. "dotnet /path/portaudit.dll"), else the published build,
# published when missing.
lab_portaudit() {
  if [ -n "${PORTAUDIT:-}" ]; then
    read -r -a portaudit <<<"$PORTAUDIT"
  else
    portaudit=("$repo/out/portaudit/portaudit")
    [ -x "${portaudit[0]}" ] || portaudit=("$("$repo/tools/publish.sh")")
  fi
}

# lab_signal SIGNAL TENTHS: sends SIGNAL to every process in the run's namespaces, then waits up to TENTHS tenths of a
# second for all of them to end.
lab_signal() {
  local ns pid _ left
  for ns in "$bridge_ns" "${hosts[@]/#/$prefix-}"; do
    [ -e "/run/netns/$ns" ] || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -"$1" "$pid" 2>/dev/null; done
  done
  for _ in $(seq "$2"); do
    left=
    for ns in "$bridge_ns" "${hosts[@]/#/$prefix-}"; do
      [ -e "/run/netns/$ns" ] && left+=$(ip netns pids "$ns" 2>/dev/null)
    done
    [ -z "$left" ] && return 0
    sleep 0.1
  done
}

lab_cleanup() {
  local status=$?
  set +e
  # A daemon ending may signal its whole process group, which can be this script's: the cleanup must not stop halfway.
  trap '' INT TERM
  # Hook for what a script made outside its namespaces and $work.
  declare -F lab_cleanup_extra >/dev/null && lab_cleanup_extra
  # Every process this run started lives in one of its namespaces: ending those by pid ends exactly them. Each gets
  # up to 3 s to end (Samba's daemons write their state on the way out), then is killed; the namespaces and $work go
  # once none is left, so no daemon writes into a directory being removed.
  lab_signal TERM 30
  lab_signal KILL 20
  local ns
  for ns in "$bridge_ns" "${hosts[@]/#/$prefix-}"; do [ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null; done
  # LAB_KEEP=1 keeps the run's directory (configurations, daemons' logs) to see why a run failed.
  if [ "${LAB_KEEP:-}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
  exit $status
}

# Makes $work and arms the cleanup; then the bridge in a namespace of its own (so the host's network never sees the
# lab) and one namespace per host on it, IPv6 off (router solicitations and MLD reports are noise in a sample).
lab_setup() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$prefix.XXXXXX")
  bridge_ns=$prefix-br
  trap lab_cleanup EXIT
  trap 'exit 130' INT TERM
  ip netns add "$bridge_ns"
  ip -n "$bridge_ns" link add br0 type bridge
  ip -n "$bridge_ns" link set br0 up
  ip netns exec "$bridge_ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  local h
  for h in "${hosts[@]}"; do
    ip netns add "$prefix-$h"
    ip -n "$bridge_ns" link add "$h" type veth peer name eth0 netns "$prefix-$h"
    ip -n "$bridge_ns" link set "$h" master br0 up
    on "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$prefix-$h" addr add "${addr[$h]}/24" dev eth0
    ip -n "$prefix-$h" link set lo up
    ip -n "$prefix-$h" link set eth0 up
  done
}

# wait_port HOST PROTO PORT: until something listens there, at most 10 s (or $3 tenths given as a fourth argument).
wait_port() {
  local _
  for _ in $(seq "${4:-100}"); do
    on "$1" ss -Hln"${2:0:1}" "sport = :$3" | grep -q . && return 0; sleep 0.1
  done
  log "nothing listens on $1 $2/$3"; return 1
}

# lab_capture_start FILE ARGS...: `portaudit capture` on the bridge, writing FILE (pcapng) while it audits with ARGS;
# returns once libpcap has the interface open and filtered, so nothing after it is missed. Sets capture_pid.
lab_capture_start() {
  local file=$1; shift
  log "starting the capture on $bridge_ns/br0"
  # A script's background job starts with SIGINT ignored; env gives it back, for lab_capture_stop.
  ip netns exec "$bridge_ns" env --default-signal=INT "${portaudit[@]}" capture --interface br0 --filter ip --write "$file" "$@" \
    >"$work/audit.txt" 2>"$work/capture.err" &
  capture_pid=$!
  local _
  for _ in $(seq 200); do [ -e "$file" ] || ! kill -0 $capture_pid 2>/dev/null && break; sleep 0.1; done
  [ -e "$file" ] || { cat "$work/capture.err" >&2; log "portaudit did not start capturing"; exit 1; }
}

# lab_capture_stop: ends the capture (the audit's summary goes to stdout) and fails when portaudit did. SIGINT, as a
# person's Ctrl+C: the lab wants the run's reports, however long a loaded machine takes to write them; SIGTERM would
# give them half a second (README, exit codes).
lab_capture_stop() {
  log "stopping the capture"
  kill -INT $capture_pid
  local status=0
  wait $capture_pid || status=$?
  capture_pid=
  cat "$work/capture.err" >&2
  [ $status -eq 0 ] || { log "portaudit capture exited $status"; exit 1; }
  cat "$work/audit.txt"
}
