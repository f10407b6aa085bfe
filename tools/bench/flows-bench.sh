#!/usr/bin/env bash
# Throughput and memory of `portaudit flows` against peers on the same file in the same run.
# Usage: tools/bench/flows-bench.sh [CAPTURE] [--tshark] [--runs N]
# Without CAPTURE, builds the reference corpus (36 copies of ../shared/bench/base.pcap, ~2.9M packets) in $TMPDIR.
# Each tool runs N times (default 5), interleaved so that machine noise hits all alike; the median run of each counts.
# Prints one line per tool (median and fastest seconds, packets/s, peak RSS) and the ratios the project tracks.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tools/bench/common.sh"
capture=""
with_tshark=0
runs=5
while [ $# -gt 0 ]; do
  case $1 in
    --tshark) with_tshark=1 ;;
    --runs) runs=$2; shift ;;
    *) capture=$1 ;;
  esac
  shift
done
if [ -z "$capture" ]; then
  capture=${TMPDIR:-/tmp}/portaudit-mix.pcap
  bench_corpus "$capture"
fi
bench_need_time
portaudit=$("$repo/tools/publish.sh")
packets=$(capinfos -c -M "$capture" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}')
packets=${packets:-0}
cat "$capture" > /dev/null   # same page cache for everyone

results=$(mktemp)
trap 'rm -f "$results"' EXIT
run() { # name, command...
  local name=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>&1 || true
  echo "$name $(cat "$log")" >> "$results"; rm -f "$log"
}
tools=(tcpdump ndpi portaudit)
[ "$with_tshark" = 1 ] && tools+=(tshark)
echo "capture: $capture ($packets packets, $(du -h "$capture" | cut -f1)), $runs runs each"
for ((i = 1; i <= runs; i++)); do
  run tcpdump tcpdump -r "$capture" -w /dev/null
  run ndpi ndpiReader -q -i "$capture"
  run portaudit "$portaudit" flows "$capture" --format jsonl --output /dev/null
  [ "$with_tshark" = 1 ] && run tshark tshark -n -r "$capture" -q -z conv,ip
done

median() { awk -v n="$1" '$1 == n {print $2}' "$results" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
fastest() { awk -v n="$1" '$1 == n {print $2}' "$results" | sort -n | head -1; }
peak() { awk -v n="$1" '$1 == n {print $3}' "$results" | sort -n | tail -1; }
for name in "${tools[@]}"; do
  secs=$(median "$name")
  printf '%-10s median %6.2f s (fastest %5.2f s)  %10.0f packets/s  peak RSS %7.1f MiB\n' "$name" "$secs" "$(fastest "$name")" \
    "$(echo "$packets / $secs" | bc -l)" "$(echo "$(peak "$name") / 1024" | bc -l)"
  eval "t_$name=$secs"
done
echo "portaudit time / tcpdump time:       $(echo "scale=2; $t_portaudit / $t_tcpdump" | bc)  (target <= 2)"
echo "portaudit packets/s / ndpiReader's:  $(echo "scale=2; $t_ndpi / $t_portaudit" | bc)  (target >= 3)"
[ "$with_tshark" = 1 ] && echo "portaudit packets/s / tshark's:      $(echo "scale=2; $t_tshark / $t_portaudit" | bc)"
exit 0
