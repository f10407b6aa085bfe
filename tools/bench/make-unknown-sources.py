#!/usr/bin/env python3
"""Writes a pcap of N TCP SYNs, each from a distinct source address no inventory names, and the inventory to audit it.

Usage: make-unknown-sources.py OUT.pcap OUT-inventory.yaml [N]   (N defaults to 2,000,000)

Sources are spread over 10.64.0.0/10 (internal zone, unmapped) and 44.64.0.0/10 (external zone), distinct up to 4M. Destinations:
three inventory hosts (a domain controller on 445/135/88, a file server on 445) and two unknown hosts (10.0.9.20 on
80/8080, 198.51.100.5 on 443). No SYN is answered, so the flow table holds them until they are evicted or flushed:
the test is of how audit memory grows with flows from distinct unknown addresses (docs/audit.md, "Aggregation").
"""
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip(text):
    return bytes(int(x) for x in text.split("."))


DESTINATIONS = [("10.0.1.10", 445), ("10.0.1.10", 135), ("10.0.1.10", 88), ("10.0.1.30", 445),
                ("10.0.9.20", 80), ("10.0.9.20", 8080), ("198.51.100.5", 443)]

INVENTORY = """hosts:
  - name: dc01
    addresses: [10.0.1.10]
    roles: [domain-controller]
  - name: files01
    addresses: [10.0.1.30]
    roles: [file-server]
  - name: clients
    cidrs: [10.0.8.0/24]
    roles: [workstation]
segments:
  - name: servers
    cidrs: [10.0.0.0/16]
    zone: internal
"""


def main():
    out, inventory = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2_000_000
    with open(inventory, "w") as f:
        f.write(INVENTORY)
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        start = 1_700_000_000
        buffer = bytearray()
        for i in range(count):
            if i % 4 == 3:  # a quarter from the Internet
                source = bytes([44, 64 + (i >> 16 & 0x3F), i >> 8 & 0xFF, i & 0xFF])
            else:
                source = bytes([10, 64 + (i >> 16 & 0x3F), i >> 8 & 0xFF, i & 0xFF])
            host, port = DESTINATIONS[i % len(DESTINATIONS)]
            destination = ip(host)
            sport = 1024 + i % 60000
            tcp = struct.pack("!HHIIBBHHH", sport, port, i, 0, 5 << 4, 0x02, 64240, 0, 0)
            pseudo = source + destination + struct.pack("!BBH", 0, 6, len(tcp))
            tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
            header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xFFFF, 0, 64, 6, 0, source, destination)
            header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
            frame = eth + header + tcp
            # 10,000 SYNs a second: 2M span 200 s, inside every TCP timeout, so only --max-flows bounds the table.
            micros = i * 100
            buffer += struct.pack("<IIII", start + micros // 1_000_000, micros % 1_000_000, len(frame), len(frame)) + frame
            if len(buffer) > 1 << 20:
                f.write(buffer)
                buffer.clear()
        f.write(buffer)


if __name__ == "__main__":
    main()
