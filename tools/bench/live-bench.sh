#!/usr/bin/env bash
# Live capture rate: the highest replay rate at which `portaudit capture` drops nothing, beside tcpdump's on the
# same veth at the same rates. Needs root, tcpreplay and tcpdump.
#
#   sudo tools/bench/live-bench.sh [--copies N] [--rates "PPS PPS ..."] [--seconds S] [--buffer-size MB]
#                                  [--tools "portaudit tcpdump"]
#
# The corpus is N copies of ../shared/bench/base.pcap (make-corpus; default 8, ~640k packets; 36 is the
# reference corpus). Inside a namespace of its own, tcpreplay sends it into one end of a veth pair at each rate
# in turn (for S seconds' worth of packets, default 4, at most the whole corpus); the capture runs on the other
# end: first portaudit (flows to /dev/null), then tcpdump -w /dev/null, both with the same kernel buffer.
# A rate passes when libpcap reports no drop and every packet tcpreplay sent was captured. A tool stops being
# tried at its first failing rate. --tools runs only the tools named (repeated single-rate runs of one build).
# Prints one line per run and, last, the highest rate each captured without loss,
# as tcpreplay achieved it: past what one core of tcpreplay can send, a higher target measures the sender, not the
# capture, so the steps stop once tcpreplay falls short of the target (a step on which it sent slower than the
# step before runs once more first).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tools/bench/common.sh"
copies=8
rates="50000 100000 200000 400000 800000 1600000"
tools="portaudit tcpdump"
seconds=4
buffer=32
while [ $# -gt 0 ]; do
  case $1 in
    --copies) copies=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --buffer-size) buffer=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "live-bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "live-bench: needs root (network namespace, capture)" >&2; exit 2; }
for p in tcpreplay tcpdump; do command -v $p >/dev/null || { echo "live-bench: needs $p (apt-get install $p)" >&2; exit 2; }; done

corpus=${TMPDIR:-/tmp}/portaudit-mix-$copies.pcap
bench_corpus "$corpus" "$copies"
# tcpreplay refuses the whole file at a record whose original length is absurd (base.pcap has one, so each copy
# does); a copy with such lengths cut to the captured length replays in full. Counts the packets on the way.
replayable=${corpus%.pcap}-replay.pcap
corpus_packets=$(python3 - "$corpus" "$replayable" <<'EOF'
import struct, sys
src, dst = open(sys.argv[1], 'rb'), open(sys.argv[2], 'wb')
dst.write(src.read(24))
count = 0
while len(header := src.read(16)) == 16:
    seconds, fraction, captured, original = struct.unpack('<IIII', header)
    if original > 262144 or original < captured:
        original = captured
    dst.write(struct.pack('<IIII', seconds, fraction, captured, original) + src.read(captured))
    count += 1
print(count)
EOF
)
corpus=$replayable
# PORTAUDIT=PATH runs that executable instead of publishing one first.
portaudit=${PORTAUDIT:-$("$repo/tools/publish.sh")}

ns=pabench-$$
work=$(mktemp -d)
capture_pid=
cleanup() {
  local status=$?
  set +e
  [ -n "$capture_pid" ] && kill -TERM "$capture_pid" 2>/dev/null && wait "$capture_pid" 2>/dev/null
  if [ -e "/run/netns/$ns" ]; then
    for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null; done
    ip netns del "$ns"
  fi
  rm -rf "$work" "${replayable:-}"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns"
ip -n "$ns" link add rep0 type veth peer name cap0
for dev in rep0 cap0; do
  # The corpus has frames up to 64 KiB (offloaded segments); a 1500 MTU would refuse them.
  ip -n "$ns" link set "$dev" mtu 65535 up
done
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1

# run TOOL RATE: one replay at RATE packets/s with TOOL capturing; prints a line; returns 0 when nothing was lost.
run() {
  local tool=$1 rate=$2 limit=$(( $2 * seconds ))
  [ "$limit" -le "$corpus_packets" ] || limit=$corpus_packets
  local err=$work/$tool.err
  : >"$err"
  if [ "$tool" = portaudit ]; then
    ip netns exec "$ns" "$portaudit" capture -i cap0 --buffer-size "$buffer" --output /dev/null 2>"$err" &
  else
    ip netns exec "$ns" tcpdump -i cap0 -n -B $(( buffer * 1024 )) -w /dev/null 2>"$err" &
  fi
  capture_pid=$!
  # Both say so once the interface is open: portaudit with its first heartbeat is too late, so wait on the socket.
  for _ in $(seq 100); do
    ip netns exec "$ns" ss -0 -Hn 2>/dev/null | grep -q . && break; sleep 0.1
  done
  sleep 0.5
  local replay
  replay=$(ip netns exec "$ns" tcpreplay -i rep0 --preload-pcap --no-flow-stats --pps="$rate" --limit="$limit" "$corpus" 2>&1) || true
  sleep 1
  kill -TERM "$capture_pid"; wait "$capture_pid" || true
  capture_pid=
  local sent actual captured dropped ifdropped
  sent=$(awk '/Successful packets:/ {print $3}' <<<"$replay")
  actual=$(grep -o 'Rated: [0-9.]* Bps, [0-9.]* Mbps, [0-9.]* pps' <<<"$replay" | awk '{print $6}')
  if [ "$tool" = portaudit ]; then
    local line; line=$(grep 'capture stopped' "$err" | tail -1)
    captured=$(sed -E 's/.*s: ([0-9]+) packets.*/\1/' <<<"$line")
    dropped=$(sed -E 's/.*, dropped ([0-9]+),.*/\1/' <<<"$line")
    ifdropped=$(sed -E 's/.*interface dropped ([0-9]+).*/\1/' <<<"$line")
  else
    captured=$(awk '/packets captured/ {print $1}' "$err")
    dropped=$(awk '/dropped by kernel/ {print $1}' "$err")
    ifdropped=$(awk '/dropped by interface/ {print $1}' "$err")
  fi
  printf '%-9s target %7d pps  achieved %9s pps  sent %7s  captured %7s  dropped %6s  if-dropped %s\n' \
    "$tool" "$rate" "${actual:-?}" "${sent:-?}" "${captured:-?}" "${dropped:-?}" "${ifdropped:-0}"
  achieved=${actual%.*}
  [ -n "$sent" ] && [ "${dropped:-1}" = 0 ] && [ "${ifdropped:-0}" = 0 ] && [ "${captured:-0}" -ge "$sent" ]
}

declare -A best=([portaudit]=0 [tcpdump]=0) failed=()
tool_count=$(wc -w <<<"$tools")
echo "corpus: $corpus ($corpus_packets packets); kernel buffer $buffer MB for both" >&2
sender_limit=
for rate in $rates; do
  for tool in $tools; do
    [ -z "${failed[$tool]:-}" ] || continue
    # A step on which the sender did not even reach the rate this tool already passed measured the sender, not the
    # capture: it runs once more, so that one tool's ladder is not cut short by tcpreplay's bad moment while the
    # other's went on.
    for attempt in 1 2; do
      achieved=0
      if run "$tool" "$rate"; then passed=1; else passed=; fi
      [ -n "$passed" ] && [ "$achieved" -lt "${best[$tool]}" ] && [ "$attempt" = 1 ] || break
      echo "$tool: tcpreplay sent slower than the step before, without a loss; the step once more" >&2
    done
    if [ -n "$passed" ]; then
      [ "$achieved" -le "${best[$tool]}" ] || best[$tool]=$achieved
    else
      failed[$tool]=$achieved
    fi
    [ $(( achieved * 10 )) -ge $(( rate * 9 )) ] || sender_limit=$achieved
  done
  [ ${#failed[@]} -lt "$tool_count" ] && [ -z "$sender_limit" ] || break
done
for tool in $tools; do
  echo "$tool: highest rate without loss ${best[$tool]} pps${failed[$tool]:+ (lost packets at ${failed[$tool]} pps)}"
done
[ -z "$sender_limit" ] || [ ${#failed[@]} -eq "$tool_count" ] ||
  echo "tcpreplay fell short of the target (${sender_limit} pps): the sender, not the capture, set the last step's rate"
