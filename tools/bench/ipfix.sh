#!/usr/bin/env bash
# IPFIX records per second read from a file: portaudit flows against nfdump -r on the same records, in one run.
#
# The records: softflowd (IPFIX, full tracking) reads COPIES copies of ../shared/bench/base.pcap laid out by
# ../shared/bench/make-corpus (addresses XOR-ed per copy so flows stay distinct; piped, no corpus on disk) and exports
# to a local receiver that writes the datagrams back to back (an RFC 5655-style file of messages, what portaudit reads).
# That file is then replayed, message by message, to nfcapd, so nfdump's file holds the same records (its count is
# checked against ours). Each round times `portaudit flows FILE -o /dev/null` (records read, paired into flows, written
# as jsonl), `nfdump -R DIR -q -o csv` and `nfdump -R DIR -q -o fmt:...` (nine fields) to /dev/null, interleaved, so all
# see the same load of a shared machine; medians, min-max and per-round ratios are printed. Process start is included.
#
# Usage: tools/bench/ipfix.sh [COPIES] [ROUNDS]    (defaults 50 copies, about 500k records; 7 rounds)
# Needs softflowd, nfdump (nfcapd) and python3; PORTAUDIT=path overrides the portaudit executable.
set -euo pipefail
cd "$(dirname "$0")/../.."
copies=${1:-50}
rounds=${2:-7}
for p in softflowd nfcapd nfdump python3; do command -v "$p" >/dev/null || { echo "bench: $p not installed (apt-get install softflowd nfdump): skipped"; exit 0; }; done
base=../shared/bench/base.pcap
[ -r "$base" ] || { echo "bench: $base not found: skipped"; exit 0; }
portaudit=${PORTAUDIT:-out/portaudit/portaudit}
[ -x "$portaudit" ] || portaudit="dotnet src/PortAudit.Cli/bin/Release/net10.0/portaudit.dll"
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
mkdir "$work/nf"
port=$((29000 + RANDOM % 1000))

# Receiver: binds, says so (the ready file: softflowd starting before the bind loses the first datagrams, templates
# included, which is why an earlier version exported "nothing"), writes every datagram, stops after 10 s of silence.
python3 - "$work/raw.ipfix" "$port" "$work/ready" <<'PY' > "$work/received" &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try: s.setsockopt(socket.SOL_SOCKET, 33, 256 << 20)   # SO_RCVBUFFORCE (root): a burst must not overflow
except OSError: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 256 << 20)
s.bind(("127.0.0.1", int(sys.argv[2])))
open(sys.argv[3], "w").close()
s.settimeout(10)
n = 0
with open(sys.argv[1], "wb") as out:
    while True:
        try: out.write(s.recv(65535)); n += 1
        except socket.timeout: break
print(n)
PY
pids+=($!)
while [ ! -e "$work/ready" ]; do sleep 0.1; done
sent=$(python3 ../shared/bench/make-corpus "$base" /dev/stdout "$copies" \
  | softflowd -r - -n "127.0.0.1:$port" -v 10 -T full -d 2>&1 | sed -n 's/.*in \([0-9]*\) packets.*/\1/p')
wait "${pids[0]}"
received=$(cat "$work/received")
[ "$sent" = "$received" ] || { echo "bench: softflowd sent $sent datagrams, $received received"; exit 1; }

# The same messages to nfcapd, paced so none is dropped; SIGTERM makes it write its file.
nfcapd -p $((port + 1)) -b 127.0.0.1 -B 67108864 -w "$work/nf" >"$work/nfcapd.log" 2>&1 & nfpid=$!; pids+=($nfpid)
sleep 2
python3 - "$work/raw.ipfix" $((port + 1)) <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
data = open(sys.argv[1], "rb").read()
off = n = 0
while off + 4 <= len(data):
    length = struct.unpack_from(">H", data, off + 2)[0]
    s.sendto(data[off:off + length], ("127.0.0.1", int(sys.argv[2])))
    off += length; n += 1
    if n % 32 == 0: time.sleep(0.002)
PY
sleep 2; kill -TERM $nfpid; wait $nfpid 2>/dev/null || true

records=$($portaudit flows "$work/raw.ipfix" -o /dev/null --log-level Information 2>&1 | sed -n 's/.*INF \([0-9]*\) flow records read.*/\1/p')
theirs=$(nfdump -R "$work/nf" -q -o csv | grep -c '^[0-9]')
[ "$records" = "$theirs" ] || { echo "bench: portaudit read $records records, nfdump $theirs: not the same data"; exit 1; }

now() { date +%s.%N; }
# nfdump twice: its csv (every one of its 48 columns, as a reader that passes records on needs) and a format of the
# fields a flow is built from (protocol, endpoints, counters, start), its cheapest honest output.
for ((r = 0; r < rounds; r++)); do
  s=$(now); $portaudit flows "$work/raw.ipfix" -o /dev/null >/dev/null 2>&1; m=$(now)
  nfdump -R "$work/nf" -q -o csv >/dev/null 2>&1; c=$(now)
  nfdump -R "$work/nf" -q -o 'fmt:%ts %pr %sa %sp %da %dp %ipkt %ibyt %flg' >/dev/null 2>&1; e=$(now)
  echo "$s $m $c $e"
done > "$work/times"

python3 - "$work/times" "$records" "$copies" "$(stat -c %s "$work/raw.ipfix")" "$(du -sb "$work/nf" | cut -f1)" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
records, copies, raw, nf = int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
ours = [m - s for s, m, c, e in rows]
readers = (("portaudit flows", ours), ("nfdump -o csv", [c - m for s, m, c, e in rows]),
           ("nfdump -o fmt:9", [e - c for s, m, c, e in rows]))
print(f"records: {records:,} IPFIX records (softflowd on {copies} copies of base.pcap): {raw:,} bytes as IPFIX messages, "
      f"{nf:,} bytes as nfcapd files; {len(rows)} rounds, interleaved")
for name, t in readers:
    med = statistics.median(t)
    print(f"{name:17} median {med:6.2f} s (min {min(t):.2f}, max {max(t):.2f})  {records / med:12,.0f} records/s "
          f"(best {records / min(t):,.0f})")
for name, t in readers[1:]:
    ratio = [n / o for o, n in zip(ours, t)]
    print(f"portaudit / {name} records/s: median {statistics.median(ratio):.2f}x (min {min(ratio):.2f}, max {max(ratio):.2f}), "
      "per round, process start included")
PY
