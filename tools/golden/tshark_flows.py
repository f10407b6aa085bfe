#!/usr/bin/env python3
"""Sums tshark's per-packet fields (read on stdin) into TCP and UDP flows per 5-tuple.

This is the peer's answer for `portaudit flows`: tshark dissects, this script only adds up.
The client of a 5-tuple is decided by its first packet: the sender of a SYN, the receiver of a
SYN-ACK, otherwise the sender unless only the destination port is below 1024 the other way round.
Frames that carry ICMP (including the headers ICMP errors quote) are left out, as are IP fragments
after the first, which take the 5-tuple of their first fragment (tshark runs with reassembly off).
Output: one TSV line per 5-tuple, sorted."""
import sys

FIELDS = ["frame.number", "frame.protocols", "ip.src", "ip.dst", "ip.len", "ip.id", "ip.proto",
          "ip.frag_offset", "ipv6.src", "ipv6.dst", "ipv6.plen", "ipv6.fraghdr.ident", "ipv6.fraghdr.offset",
          "tcp.srcport", "tcp.dstport", "tcp.flags", "udp.srcport", "udp.dstport"]


def last(value):
    return value.split(",")[-1] if value else ""


def main():
    flows = {}
    fragments = {}
    for line in sys.stdin:
        cols = line.rstrip("\n").split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        f = dict(zip(FIELDS, cols))
        layers = f["frame.protocols"].split(":")
        if "icmp" in layers or "icmpv6" in layers:
            continue
        ip_layers = [l for l in layers if l in ("ip", "ipv6")]
        if not ip_layers:
            continue
        if ip_layers[-1] == "ip":
            src, dst, size = last(f["ip.src"]), last(f["ip.dst"]), int(last(f["ip.len"]))
            frag_key = (src, dst, last(f["ip.id"]), last(f["ip.proto"]))
            later = last(f["ip.frag_offset"]) not in ("", "0")
        else:
            src, dst, size = last(f["ipv6.src"]), last(f["ipv6.dst"]), int(last(f["ipv6.plen"])) + 40
            frag_key = (src, dst, last(f["ipv6.fraghdr.ident"]))
            later = last(f["ipv6.fraghdr.offset"]) not in ("", "0")
        if later:
            if frag_key not in fragments:
                continue
            proto, sport, dport, flags = fragments[frag_key]
        elif f["tcp.srcport"]:
            proto, sport, dport = "tcp", int(last(f["tcp.srcport"])), int(last(f["tcp.dstport"]))
            flags = int(last(f["tcp.flags"]) or "0", 16)
        elif f["udp.srcport"]:
            proto, sport, dport, flags = "udp", int(last(f["udp.srcport"])), int(last(f["udp.dstport"])), 0
        else:
            continue
        if not later and (last(f["ip.frag_offset"]) or last(f["ipv6.fraghdr.ident"])):
            fragments[frag_key] = (proto, sport, dport, 0)
        a, b = (src, sport), (dst, dport)
        key = (proto,) + tuple(sorted([a, b]))
        flow = flows.get(key)
        if flow is None:
            if proto == "tcp" and flags & 0x02:
                sender_is_client = not (flags & 0x10)
            else:
                sender_is_client = not (0 < sport < 1024 and not 0 < dport < 1024)
            client, server = (a, b) if sender_is_client else (b, a)
            flow = flows[key] = {"client": client, "server": server, "pts": 0, "bts": 0, "ptc": 0, "btc": 0}
        if a == flow["client"]:
            flow["pts"] += 1
            flow["bts"] += size
        else:
            flow["ptc"] += 1
            flow["btc"] += size
    rows = []
    for (proto, _, _), flow in flows.items():
        rows.append("\t".join(str(v) for v in (proto, flow["client"][0], flow["client"][1], flow["server"][0],
                                                  flow["server"][1], flow["pts"], flow["bts"], flow["ptc"], flow["btc"])))
    for row in sorted(rows):
        print(row)


if __name__ == "__main__":
    main()
