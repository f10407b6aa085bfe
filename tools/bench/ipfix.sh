#!/usr/bin/env bash
# IPFIX records per second read from a file: portaudit flows against nfdump -r on the same data.
# Makes an export with softflowd from a capture (default: the largest capture in ../shared/captures), caught by
# nfcapd (its file for nfdump) and as raw datagrams (an RFC 5655-style file of messages back to back, for portaudit).
# Usage: tools/bench/ipfix.sh [CAPTURE]     Needs softflowd, nfdump and python3; prints one line per reader.
set -euo pipefail
cd "$(dirname "$0")/../.."
for p in softflowd nfcapd nfdump python3; do command -v "$p" >/dev/null || { echo "bench: $p not installed (apt-get install softflowd nfdump): skipped"; exit 0; }; done
capture=${1:-$(ls -S ../shared/captures/*.pcap* 2>/dev/null | head -1)}
portaudit=${PORTAUDIT:-out/portaudit/portaudit}
[ -x "$portaudit" ] || portaudit="dotnet src/PortAudit.Cli/bin/Release/net10.0/portaudit.dll"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/nf"
nfcapd -p 29981 -b 127.0.0.1 -w "$work/nf" >/dev/null 2>&1 & nfpid=$!
python3 - "$work/raw.ipfix" 29982 <<'PY' & rawpid=$!
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[2]))); s.settimeout(5)
with open(sys.argv[1], "wb") as out:
    while True:
        try: out.write(s.recv(65535))
        except socket.timeout: break
PY
sleep 1
softflowd -r "$capture" -n 127.0.0.1:29981 -v 10 -T full -d >/dev/null 2>&1
softflowd -r "$capture" -n 127.0.0.1:29982 -v 10 -T full -d >/dev/null 2>&1
wait $rawpid; kill -TERM $nfpid; wait $nfpid 2>/dev/null || true
records=$($portaudit flows "$work/raw.ipfix" -o /dev/null --log-level Information 2>&1 | sed -n 's/.*INF \([0-9]*\) flow records read.*/\1/p')
rate() { python3 -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]):,.0f}')" "$1" "$2"; }
seconds() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$s" "$(date +%s.%N)"; }
ours=$(seconds $portaudit flows "$work/raw.ipfix" -o /dev/null)
theirs=$(seconds nfdump -r "$(ls "$work"/nf/nfcapd.* | head -1)" -q -o csv)
echo "capture: $capture ($records IPFIX records, $(stat -c %s "$work/raw.ipfix") bytes)"
echo "portaudit flows: ${ours}s, $(rate "$records" "$ours") records/s (process start included)"
echo "nfdump -r:       ${theirs}s, $(rate "$records" "$theirs") records/s (its own file format, process start included)"
