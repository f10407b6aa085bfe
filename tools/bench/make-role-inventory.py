#!/usr/bin/env python3
"""An inventory that puts most flows of a capture between named roles: every /8 (but 0, 127 and multicast) is a host
group with a role set taken in turn from the catalog's roles, a third of them with a second role. The bench corpus
(make-corpus XORs the second octet) keeps its /8s, so its flows fall between some 380 role pairs with ~3,000
aggregated findings: a report as large as a real estate's.

Usage: make-role-inventory.py ROLES.yaml OUT.yaml     (ROLES.yaml: the catalog's rules/roles.yaml)
The browser test LargeReportTests runs this script on base.pcap."""
import sys

roles = [l.split("id:", 1)[1].strip() for l in open(sys.argv[1]) if l.strip().startswith("- id:")]
roles = [r for r in roles if r != "any"]
lines = ["# make-role-inventory.py: every /8 a host group with a role set.", "hosts:"]
for net in range(1, 224):
    if net == 127:
        continue
    first, second = roles[net % len(roles)], roles[(net * 7 + 3) % len(roles)]
    role_set = [first, second] if net % 3 == 0 and second != first else [first]
    lines.append(f"  - name: net{net}\n    cidrs: [{net}.0.0.0/8]\n    roles: [{', '.join(role_set)}]")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
