#!/usr/bin/env python3
"""Writes N synthetic flows as a Zeek conn.log in JSON lines: the flow store benchmark's input (store-bench.sh).

Usage: make-zeek-flows.py N OUT

The flows are those of the lab inventory (captures/lab.yaml): the workstation 10.77.0.100 (every other flow) and 25
hosts of 10.77.0.128/25 to the front end 10.77.0.10, on a spread of ports (some the catalog allows, some it does not),
one TCP flow in eleven refused, 50 a second, so that ten million flows span about 56 hours (three UTC days). The
pattern is fixed: two runs write the same bytes.
"""
import sys

PORTS = [5061, 443, 135, 445, 88, 389, 8000, 3389, 53, 5062]
START = 1793491200  # 2026-11-01T00:00:00Z
SPACING = 0.02      # 50 flows a second


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    count, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "w", buffering=1 << 20) as out:
        lines = []
        for n in range(count):
            udp = n % 7 == 0
            refused = n % 11 == 0
            state, history = ("REJ", "Sr") if refused and not udp else ("SF", "Dd" if udp else "ShADadFf")
            lines.append(
                '{"ts":%.6f,"uid":"CB%016x","id.orig_h":"10.77.0.%d","id.orig_p":%d,"id.resp_h":"10.77.0.10",'
                '"id.resp_p":%d,"proto":"%s","duration":0.005,"orig_bytes":240,"resp_bytes":780,"conn_state":"%s",'
                '"missed_bytes":0,"history":"%s","orig_pkts":4,"orig_ip_bytes":400,"resp_pkts":3,"resp_ip_bytes":900}\n'
                % (START + n * SPACING, n, 100 if n % 2 == 0 else 128 + n % 50, 1024 + n % 60000, PORTS[n % len(PORTS)],
                   "udp" if udp else "tcp", state, history))
            if len(lines) == 100_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
