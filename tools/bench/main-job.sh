#!/usr/bin/env bash
# The main job's figures in one sitting: for each published executable, the corpus audit and `flows` on both cores and
# pinned to one (taskset -c 0), against tcpdump reading the same file, with `cat` of the file as the floor's own check
# (tcpdump should take a few times cat's time; a tcpdump much slower than that flatters every ratio), and
# `openssl dgst -sha256` of the file: the audit's provenance names each capture's SHA-256, so the audit cannot end
# before one core has hashed the file at OpenSSL's speed (the same library .NET's SHA256 calls here).
# Usage: tools/bench/main-job.sh [--runs N] [--inventory FILE] [--catalog DIR] [--ndpi] [--no-host] [PORTAUDIT...]
# Without PORTAUDIT, uses out/portaudit/portaudit. Default inventory: ../shared/bench/audit-inventory.yaml.
# Rounds are interleaved (every tool once per round); each audit writes into a fresh directory after a sync.
# Prints medians (min-max), each as a ratio to tcpdump's median, and per build: audit / tcpdump, flows / tcpdump,
# flows one core -> two, audit one core -> two; with two builds or more, each build's time over the first's round by round
# (median and range of the per-round ratios: the comparison a before/after rests on). Each round also times the host (bench_host in common.sh; --no-host
# leaves it out): each CPU's speed alone, and what a MB of fresh memory costs, the two facts of the machine besides
# the floor that move these ratios.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tools/bench/common.sh"
runs=7
inventory=$repo/../shared/bench/audit-inventory.yaml
catalog=$repo/rules
ndpi=
host=1
builds=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift ;;
    --inventory) inventory=$2; shift ;;
    --catalog) catalog=$2; shift ;;
    --ndpi) ndpi=1 ;;
    --no-host) host= ;;
    *) builds+=("$1") ;;
  esac
  shift
done
dir=${TMPDIR:-/tmp}
capture=$dir/portaudit-mix.pcap
bench_corpus "$capture"
bench_need_time
command -v taskset >/dev/null || { echo "needs taskset (util-linux)" >&2; exit 2; }
command -v tcpdump >/dev/null || { echo "needs tcpdump" >&2; exit 2; }
openssl=$(command -v openssl || true)
[ -n "$openssl" ] || echo "no openssl: the digest's floor is left out" >&2
[ ${#builds[@]} -eq 0 ] && builds=("$repo/out/portaudit/portaudit")
cat "$capture" > /dev/null   # same page cache for every run

bench_rounds
if [ -n "$host" ]; then bench_host_tools; fi
echo "capture: $capture, inventory: $inventory, $runs rounds"
for ((i = 1; i <= runs; i++)); do
  timed cat "$i" cat "$capture"
  timed tcpdump "$i" tcpdump -nr "$capture" -w /dev/null
  [ -n "$openssl" ] && timed sha256 "$i" "$openssl" dgst -sha256 "$capture"
  [ -n "$ndpi" ] && timed ndpiReader "$i" ndpiReader -i "$capture" -q
  for b in $(bench_order "$i" "${#builds[@]}"); do
    audit=("${builds[$b]}" audit -q "$capture" --inventory "$inventory" --catalog "$catalog" --out "$out/run" --fail-on none)
    flows=("${builds[$b]}" flows -q "$capture" --format jsonl -o /dev/null)
    timed "b$b-audit-2c" "$i" "${audit[@]}"
    timed "b$b-audit-1c" "$i" taskset -c 0 "${audit[@]}"
    timed "b$b-flows-2c" "$i" "${flows[@]}"
    timed "b$b-flows-1c" "$i" taskset -c 0 "${flows[@]}"
  done
  if [ -n "$host" ]; then bench_host "$i" "$capture"; fi
done
for b in "${!builds[@]}"; do echo "b$b: ${builds[$b]}"; done
python3 - "$results" "$repo/tools/bench" <<'EOF'
import statistics as st, sys
sys.path.insert(0, sys.argv[2])
import rounds
runs, peak = rounds.read(sys.argv[1])
med = {k: st.median(v.values()) for k, v in runs.items()}
tcp = med["tcpdump"]
for k in sorted(runs):
    print(f"{k:14} {rounds.spread(runs[k].values())}  / tcpdump {med[k] / tcp:.2f}  peak RSS {peak[k]} MiB")
print(f"floor: tcpdump / cat {tcp / med['cat']:.2f}")
if "sha256" in med: print(f"the capture's SHA-256 alone (openssl): / tcpdump {med['sha256'] / tcp:.2f}")
builds = sorted({k.split('-')[0] for k in runs if k.startswith('b')})
for b in builds:
    print(f"{b}: audit / tcpdump {med[b + '-audit-2c'] / tcp:.3f}, flows / tcpdump {med[b + '-flows-2c'] / tcp:.3f}, "
          f"flows one core -> two {med[b + '-flows-1c'] / med[b + '-flows-2c']:.2f}x, "
          f"audit one core -> two {med[b + '-audit-1c'] / med[b + '-audit-2c']:.2f}x")
for b in builds[1:]:
    print(f"{b} / {builds[0]} round by round: " + ", ".join(
        f"{m} {rounds.paired(runs[f'{b}-{m}'], runs[f'{builds[0]}-{m}'])}" for m in ("audit-2c", "audit-1c", "flows-2c", "flows-1c")))
for line in rounds.host_lines(rounds.read(sys.argv[1], host=True)[0]): print(line)
EOF
