#!/usr/bin/env bash
# Peak memory of `portaudit audit` on flows from distinct unknown sources (issue 21: "audit of 2M flows from distinct
# unknown sources stays under 500 MB peak").
# Usage: tools/bench/audit-memory.sh [N] [-- AUDIT-OPTIONS...]   (N defaults to 2000000; e.g. -- --max-flows 50000)
# Builds $TMPDIR/portaudit-unknown-N.pcap with make-unknown-sources.py once, publishes the CLI, runs the audit under
# /usr/bin/time -v and prints flows, findings, report.json size, wall time and peak RSS.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tools/bench/common.sh"
count=${1:-2000000}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
dir=${TMPDIR:-/tmp}
capture=$dir/portaudit-unknown-$count.pcap
inventory=$dir/portaudit-unknown-inventory.yaml
if [ ! -s "$capture" ] || [ ! -s "$inventory" ]; then
  echo "building $capture ..." >&2
  python3 "$repo/tools/bench/make-unknown-sources.py" "$capture" "$inventory" "$count"
fi
bench_need_time
portaudit=$("$repo/tools/publish.sh")
out=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$out" "$log"' EXIT
status=0
/usr/bin/time -v -o "$log" "$portaudit" audit "$capture" --inventory "$inventory" --catalog "$repo/rules" --out "$out" --quiet \
  --fail-on none "$@" || status=$?
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
summary=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); s=r["summary"]; print(s["flows"], "flows,", len(r["findings"]), "findings")' "$out/report.json")
echo "audit of $count SYNs from distinct sources ($*): exit $status, $summary, report.json $(stat -c %s "$out/report.json") bytes, wall $wall, peak RSS $((peak_kb / 1024)) MB"
