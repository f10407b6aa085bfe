#!/usr/bin/env bash
# Throughput and memory of `portaudit flows` against peers on the same file in the same run.
# Usage: tools/bench/flows-bench.sh [CAPTURE] [--tshark]
# Without CAPTURE, builds the reference corpus (36 copies of ../shared/bench/base.pcap, ~2.9M packets) in $TMPDIR.
# Prints one line per tool (seconds, packets/s, peak RSS) and the ratios the project tracks.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
capture=${1:-}
with_tshark=0
for a in "$@"; do [ "$a" = "--tshark" ] && with_tshark=1; done
if [ -z "$capture" ] || [ "$capture" = "--tshark" ]; then
  capture=${TMPDIR:-/tmp}/portaudit-mix.pcap
  if [ ! -s "$capture" ]; then
    echo "building reference corpus $capture ..." >&2
    python3 "$repo/../shared/bench/make-corpus" "$repo/../shared/bench/base.pcap" "$capture" 36
  fi
fi
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
dotnet build "$repo/src/PortAudit.Cli" -c Release -nologo -v quiet >/dev/null
portaudit="$repo/src/PortAudit.Cli/bin/Release/net10.0/portaudit"
packets=$(capinfos -c -M "$capture" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}')
packets=${packets:-0}
cat "$capture" > /dev/null   # same page cache for everyone

measure() { # name, command...
  local name=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>&1 || true
  read -r secs rss < "$log"; rm -f "$log"
  printf '%-10s %8.2f s  %10.0f packets/s  peak RSS %7.1f MiB\n' "$name" "$secs" "$(echo "$packets / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
  eval "t_$name=$secs"
}

echo "capture: $capture ($packets packets, $(du -h "$capture" | cut -f1))"
measure tcpdump tcpdump -r "$capture" -w /dev/null
measure ndpi ndpiReader -q -i "$capture"
measure portaudit "$portaudit" flows "$capture" --format jsonl --output /dev/null
[ "$with_tshark" = 1 ] && measure tshark tshark -n -r "$capture" -q -z conv,ip
echo "portaudit time / tcpdump time:       $(echo "scale=2; $t_portaudit / $t_tcpdump" | bc)  (target <= 2)"
echo "portaudit packets/s / ndpiReader's:  $(echo "scale=2; $t_ndpi / $t_portaudit" | bc)  (target >= 3)"
[ "$with_tshark" = 1 ] && echo "portaudit packets/s / tshark's:      $(echo "scale=2; $t_tshark / $t_portaudit" | bc)"
exit 0
