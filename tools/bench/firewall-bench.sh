#!/usr/bin/env bash
# The lab audit with a firewall of a real firewall's size: generated nftables rulesets (make-big-ruleset.py) of 20,000
# and 100,000 rules, `audit captures/lab.pcapng --inventory captures/lab.yaml --firewall RULESET`.
# Usage: tools/bench/firewall-bench.sh [--runs N] [--timeout S] [--sizes "20000 100000"] [PORTAUDIT...]
# PORTAUDIT: executables or portaudit.dll files (default: this checkout's Release build of src/PortAudit.Cli), run in the
# same interleaved rounds; a run past --timeout seconds (default 120) counts as "> S". Prints per size and executable
# the median and range of the seconds and the peak RSS. Rulesets are written to $TMPDIR, never committed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tools/bench/common.sh"
runs=3 limit=120 sizes="20000 100000"
builds=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift ;;
    --timeout) limit=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    *) builds+=("$1") ;;
  esac
  shift
done
[ ${#builds[@]} -gt 0 ] || builds=("$repo/src/PortAudit.Cli/bin/Release/net10.0/portaudit.dll")
bench_need_time
bench_rounds
cd "$repo"
for size in $sizes; do
  ruleset=${TMPDIR:-/tmp}/portaudit-firewall-$size.nft
  [ -s "$ruleset" ] || python3 tools/bench/make-big-ruleset.py "$size" "$ruleset"
  for ((round = 1; round <= runs; round++)); do
    for i in "${!builds[@]}"; do
      build=${builds[$i]}
      if [[ $build == *.dll ]]; then command=(dotnet "$build"); else command=("$build"); fi
      timed "$size:$i" "$round" timeout -k 5 "$limit" "${command[@]}" audit captures/lab.pcapng --inventory captures/lab.yaml \
        --firewall "$ruleset" --out "$out/run"
    done
  done
done
for size in $sizes; do
  for i in "${!builds[@]}"; do
    seconds=$(awk -v key="$size:$i" '$1 == key {print $3}' "$results" | sort -n)
    rss=$(awk -v key="$size:$i" '$1 == key {print $4}' "$results" | sort -n | tail -1)
    echo "$seconds" | awk -v size="$size" -v limit="$limit" -v build="${builds[$i]}" -v rss="$rss" '
      {s[NR] = $1} END {
        median = s[int((NR + 1) / 2)]
        shown = median >= limit - 0.5 ? "> " limit : sprintf("%.2f", median)
        printf "%7s rules  %s: median %s s (%.2f-%.2f, %d runs), peak %d MiB\n", size, build, shown, s[1], s[NR], NR, rss / 1024
      }'
  done
done
