#!/usr/bin/env python3
"""Writes an nftables ruleset (nft list ruleset text) of N filter rules, the size of a large real firewall, to PATH.

Usage: make-big-ruleset.py N PATH [SEED]

Deterministic for a seed. The mix: host-to-host TCP and UDP services from /24 client networks, /16 networks to port
sets, port ranges, drops of single addresses, rules on the lab's own addresses (10.77.0.0/24, so the lab capture's
flows are decided by them), and every 50th rule a copy of an earlier one, so that shadowing is found.
Used by tools/bench/firewall-bench.sh and FirewallScaleTests; big rulesets are generated, never committed.
"""
import random
import sys


def rules(count, rng):
    made = []
    for i in range(count):
        if i % 50 == 49 and made:
            made.append(made[rng.randrange(len(made))])  # shadowed by the earlier copy
            continue
        kind = rng.random()
        a, b, c, d = rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)
        port = rng.choice([22, 25, 53, 80, 88, 110, 123, 135, 143, 389, 443, 445, 636, 993, 1433, 3306, 3389, 5432, 5060, 5061, 8080, 8443]) \
            if rng.random() < 0.6 else rng.randrange(1024, 65536)
        if kind < 0.55:
            made.append(f"ip saddr 10.{a}.{b}.0/24 ip daddr 172.{16 + a % 16}.{c}.{d} tcp dport {port} accept")
        elif kind < 0.65:
            made.append(f"ip saddr 10.{a}.{b}.0/24 ip daddr 172.{16 + a % 16}.{c}.{d} udp dport {port} accept")
        elif kind < 0.75:
            ports = ", ".join(str(p) for p in sorted(rng.sample(range(1, 65536), 3)))
            made.append(f"ip saddr 10.{a}.0.0/16 tcp dport {{ {ports} }} accept")
        elif kind < 0.82:
            made.append(f"ip daddr 172.{16 + a % 16}.{c}.{d} tcp dport {port}-{min(65535, port + rng.randrange(1, 100))} accept")
        elif kind < 0.90:
            made.append(f"ip saddr 192.168.{c}.{d} drop")
        elif kind < 0.95:
            made.append(f"ip6 saddr 2001:db8:{a:x}:{b:x}::/64 tcp dport {port} accept")
        else:
            made.append(f"ip saddr 10.77.0.{d} ip daddr 10.77.0.{rng.randrange(1, 255)} tcp dport {port} accept")
    return made


def main():
    count, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 43)
    with open(path, "w") as out:
        out.write("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n")
        out.write("\t\tct state established,related accept\n\t\tiifname \"lo\" accept\n")
        for rule in rules(count, rng):
            out.write(f"\t\t{rule}\n")
        out.write("\t}\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t}\n}\n")


if __name__ == "__main__":
    main()
