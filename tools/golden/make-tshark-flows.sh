#!/usr/bin/env bash
# Regenerates the golden flow sums in tests/PortAudit.Tests/Golden/tshark/ from ../shared/captures,
# with tshark as the peer. Run from anywhere; needs tshark and python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
captures=${1:-$repo/../shared/captures}
out=$repo/tests/PortAudit.Tests/Golden/tshark
mkdir -p "$out"
fields=$(python3 -c "import sys; sys.path.insert(0, '$here'); import tshark_flows; print(' '.join('-e ' + f for f in tshark_flows.FIELDS))")
for capture in "$captures"/*.pcap "$captures"/*.pcapng; do
  name=$(basename "$capture")
  # Reassembly off: every frame is counted where it is, as portaudit counts it.
  # A damaged capture makes tshark exit non-zero after the frames it could read; those still count.
  { tshark -r "$capture" -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
      -T fields -E separator=/t -E occurrence=a -E aggregator=, $fields 2>/dev/null || true; } \
    | python3 "$here/tshark_flows.py" > "$out/$name.tsv"
done
echo "wrote $(ls "$out" | wc -l) files to $out ($(tshark -v | head -1))"
