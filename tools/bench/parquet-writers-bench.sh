#!/usr/bin/env bash
# Which library writes the lake's Parquet files (issue 48): the same FLOWS store rows (default 1000000: the flows of
# base.pcap, copied with moved addresses and times) written by Parquet.Net and by DuckDB (appender, then COPY TO
# Parquet), each with Snappy and with Zstandard, each in a process of its own, 3 rounds interleaved, with tcpdump reading base.pcap in each round as the
# floor. Prints the median of each: seconds writing the rows (in the process, after reading the capture), µs per flow,
# peak RSS, file size, and the ratio of the seconds to tcpdump's. 'none' makes and reads the rows and writes nothing.
# Apache.Arrow (23.0.0) is not measured: its .NET library reads and writes Arrow IPC, not Parquet.
# Usage: tools/bench/parquet-writers-bench.sh [FLOWS]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
flows=${1:-1000000}
base=$repo/../shared/bench/base.pcap
[ -s "$base" ] || { echo "needs $base" >&2; exit 2; }
dotnet build "$repo/tools/bench/PortAudit.Bench.csproj" -c Release -nologo -v quiet >/dev/null
bench=(dotnet "$repo/tools/bench/bin/Release/net10.0/PortAudit.Bench.dll" parquet-writers)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for round in 1 2 3; do
  start=$(date +%s.%N); tcpdump -nr "$base" -w /dev/null 2>/dev/null; end=$(date +%s.%N)
  echo "writer=tcpdump round=$round seconds=$(echo "$end - $start" | bc)" | tee -a "$out/results"
  for writer in none parquet-net parquet-net-zstd duckdb duckdb-zstd duckdb-zstd-256mb; do
    rm -f "$out/$writer.parquet"; sync
    "${bench[@]}" "$writer" "$flows" "$base" "$out/$writer.parquet" | sed "s/^writer=$writer /writer=$writer round=$round /" | tee -a "$out/results"
  done
done
for w in parquet-net-zstd duckdb duckdb-zstd duckdb-zstd-256mb; do "${bench[@]}" compare "$out/parquet-net.parquet" "$out/$w.parquet"; done
python3 - "$out/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = dict(kv.split('=') for kv in line.split())
    runs.setdefault(f['writer'], []).append(f)
med = lambda w, k: statistics.median(float(r[k]) for r in runs[w])
floor = med('tcpdump', 'seconds')
print(f"tcpdump -nr base.pcap -w /dev/null: {floor:.3f} s (median)")
print("| writer | s for the rows | µs/flow | × tcpdump | writer only (− none), µs/flow | peak RSS MB | file MB |")
print("|---|---|---|---|---|---|---|")
for w in ("none", "parquet-net", "parquet-net-zstd", "duckdb", "duckdb-zstd", "duckdb-zstd-256mb"):
    s = med(w, 'seconds')
    own = med(w, 'us_per_flow') - med('none', 'us_per_flow')
    print(f"| {w} | {s:.2f} | {med(w, 'us_per_flow'):.2f} | {s / floor:.1f} | {own:.2f} | {med(w, 'peak_rss_mb'):.0f} | {med(w, 'bytes') / 1e6:.1f} |")
PY
