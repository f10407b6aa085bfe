#!/usr/bin/env bash
# The corpus audit on two cores and pinned to one (taskset), for one or more published executables, against tcpdump's
# read of the same file, in interleaved rounds (issue 15: "one core -> two cores gives at least 1.7x").
# Usage: tools/bench/cores-bench.sh [--runs N] [--inventory FILE] [--catalog DIR] [PORTAUDIT...]
# Without PORTAUDIT, publishes this checkout (tools/publish.sh). Without --inventory, makes one with
# make-role-inventory.py (one host per role, the rest zones). The corpus is built as flows-bench.sh builds it.
# Every run writes into a fresh directory, and the dirty pages of the run before are written back (sync) before the
# next starts: otherwise the kernel writes the previous run's 250 MB flows.jsonl back during a later run, on its cores.
# Prints per build the medians (min-max) of each kind of run, the ratio of the medians one core / two cores, the
# per-round ratio, and two cores against tcpdump.
# Each round also times the host itself (--no-host leaves it out): bench_host in common.sh (sha256sum of the corpus on
# each CPU alone, and what a MB of fresh memory costs), and two sha256sum at once, one on each CPU. The first says how
# fast this sitting's CPUs run; the second how much a busy second CPU slows the first. On this virtual machine both
# move between sittings, the second the more (docs/performance.md, "Current figures"), and a sitting's ratios are read
# beside them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tools/bench/common.sh"
runs=8
inventory=""
catalog=$repo/rules
builds=()
host=1
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift ;;
    --inventory) inventory=$2; shift ;;
    --catalog) catalog=$2; shift ;;
    --no-host) host= ;;
    *) builds+=("$1") ;;
  esac
  shift
done
dir=${TMPDIR:-/tmp}
capture=$dir/portaudit-mix.pcap
bench_corpus "$capture"
if [ -z "$inventory" ]; then
  inventory=$dir/portaudit-role-inventory.yaml
  python3 "$repo/tools/bench/make-role-inventory.py" "$repo/rules/roles.yaml" "$inventory"
fi
bench_need_time
command -v taskset >/dev/null || { echo "needs taskset (util-linux)" >&2; exit 2; }
[ ${#builds[@]} -eq 0 ] && builds=("$("$repo/tools/publish.sh")")
cat "$capture" > /dev/null   # same page cache for every run

bench_rounds
if [ -n "$host" ]; then bench_host_tools; fi
echo "capture: $capture, inventory: $inventory, $runs rounds"
for ((i = 1; i <= runs; i++)); do
  for b in $(bench_order "$i" "${#builds[@]}"); do
    audit=("${builds[$b]}" audit -q "$capture" --inventory "$inventory" --catalog "$catalog" --out "$out/run" --fail-on none)
    timed "b$b-2c" "$i" "${audit[@]}"
    timed "b$b-1c" "$i" taskset -c 0 "${audit[@]}"
  done
  timed tcpdump "$i" tcpdump -r "$capture" -w /dev/null
  if [ -n "$host" ]; then
    bench_host "$i" "$capture"
    timed host-two "$i" bash -c 'taskset -c 0 sha256sum "$1" & taskset -c 1 sha256sum "$1"; wait' _ "$capture"
  fi
done
for b in "${!builds[@]}"; do echo "b$b: ${builds[$b]}"; done
python3 - "$results" "$repo/tools/bench" <<'EOF'
import statistics as st, sys
sys.path.insert(0, sys.argv[2])
import rounds
runs, peak = rounds.read(sys.argv[1])
for k in sorted(runs): print(f"{k:8} {rounds.spread(runs[k].values())}  peak RSS {peak[k]} MiB")
tcp = runs["tcpdump"]
for b in sorted({k[:-3] for k in runs if k.endswith("-2c")}):
    one, two = runs[b + "-1c"], runs[b + "-2c"]
    per = [one[i] / two[i] for i in two if i in one]
    vs = [two[i] / tcp[i] for i in two if i in tcp]
    print(f"{b}: one core -> two: {st.median(one.values()) / st.median(two.values()):.2f}x (ratio of medians); "
          f"per round {st.median(per):.2f}x ({min(per):.2f}-{max(per):.2f}); "
          f"two cores / tcpdump {st.median(two.values()) / st.median(tcp.values()):.2f} (per round {min(vs):.2f}-{max(vs):.2f})")
host = rounds.read(sys.argv[1], host=True)[0]
for line in rounds.host_lines(host): print(line)
if "host-two" in host:
    one, two = host["host-cpu0"], host["host-two"]
    cost = [two[i] / one[i] for i in two if i in one]
    print(f"host: two sha256sum at once, a CPU each, {rounds.spread(two.values())}: {st.median(cost):.2f}x the time alone "
          f"on CPU 0 (per round {min(cost):.2f}-{max(cost):.2f})")
EOF
