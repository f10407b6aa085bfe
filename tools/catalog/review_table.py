#!/usr/bin/env python3
"""Working table for the catalog review (docs/catalog-review.md).

  review_table.py [RULES_DIR]              one line per rule: id, from->to, transport/ports, protocol,
                                           required, conditions, dynamic, section, row, notes
  review_table.py --check REVIEW.md        every reviewed rule has exactly one status and every rule of the
                                           catalog is reviewed or given a status (new, or renamed by the rpc
                                           shorthand); counts per verdict and per rule file (the table at the
                                           top of the review), per status, then the number of rules whose
                                           correction needs each language feature

Read-only: it never changes rules/.
"""
import glob, os, re, sys
from collections import Counter, defaultdict
import yaml

VERDICTS = ["correct", "wrong-role", "wrong-required", "missing-condition", "wrong-protocol",
            "wrong-direction", "wrong-port", "duplicate", "never-on-wire", "alternative", "scope"]


# What a review row's correction asks of the language, recognised by the way corrections are written.
FEATURES = [
    ("oneOf groups (alternatives)", re.compile(r"<alternative>|oneOf")),
    ("zone-scoped any (`any@zone`)", re.compile(r"<scope>|any@|\(I\)")),
    ("from/to lists", re.compile(r"(from|to): \[")),
    ("negated conditions (`not:`)", re.compile(r"not: ")),
    ("new or per-product features, anyOf conditions", re.compile(r"new (per-product )?feature|\w\.https-disabled|anyOf|per-product")),
    ("endpoint-mapper shorthand", re.compile(r"[Ee]ndpoint-mapper shorthand")),
    ("new roles", re.compile(r"lync-(director|cms|sba|access-edge|webconf-edge|av-edge)|unity-(secondary|directory-gc|mapi-gc|voice-connector)|rpc-over-http-proxy|new role")),
]


def load(rules_dir):
    out = []
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.yaml"))):
        name = os.path.basename(path)
        if name in ("roles.yaml", "features.yaml", "zones.yaml"):
            continue
        doc = yaml.safe_load(open(path))
        for r in doc["rules"]:
            r = dict(r)
            r["_file"] = name
            r.setdefault("required", True)
            r.setdefault("conditions", [])
            r.setdefault("unless", [])
            r.setdefault("dynamicRange", False)
            if "rpc" in r:
                # The endpoint-mapper shorthand stands for two rules, as the loader expands it.
                base = r.pop("rpc")
                out.append(dict(r, id=r["id"] + "-epm", transport="tcp", ports=135, protocol="epm"))
                out.append(dict(r, id=r["id"] + "-dynamic", transport="tcp", ports=base, protocol="dcerpc-dynamic", dynamicRange=True))
                continue
            out.append(r)
    return out


def table(rules):
    for r in rules:
        s = r["source"]
        print(f"## {r['id']} [{r['_file']}]")
        print(f"   {r['from']} -> {r['to']}  {r['transport']}/{r.get('ports', '-')}  {r['protocol']}"
              f"  req={r['required']}  cond={r['conditions']}  unless={r['unless']}  oneOf={r.get('oneOf')}  dyn={r['dynamicRange']}")
        print(f"   [{s['section']}] {s['row']}")
        if r.get("notes"):
            print(f"   notes: {r['notes']}")


STATUS_HEADING = "## Status"


def review_file(heading, rid):
    """The rule file a review row belongs to: its section's first file, or lync-federation for fed- rules."""
    if rid.startswith("fed-"):
        return "lync-federation.yaml"
    m = re.search(r"`([a-z0-9-]+\.yaml)`", heading)
    return m.group(1) if m else "?"


def check(rules, review):
    ids = {r["id"]: r["_file"] for r in rules}
    seen = Counter()
    per_verdict = Counter()
    per_file = defaultdict(Counter)
    status = {}
    bad = []
    needs = {}
    heading = ""
    in_status = False
    # Review rows: | `rule-id` | verdicts | reasoning / correction |; after "## Status": | `rule-id` | status |
    for line in open(review):
        if line.startswith("## "):
            heading = line
            in_status = line.startswith(STATUS_HEADING)
        m = re.match(r"^\|\s*`([a-z0-9-]+)`\s*\|\s*([^|]+?)\s*\|", line)
        if not m:
            continue
        if in_status:
            rid = m.group(1)
            if rid in status:
                bad.append(f"{rid}: two status rows")
            status[rid] = m.group(2)
            continue
        if heading.startswith("## `") is False or not all(v.strip() in VERDICTS for v in m.group(2).split(",")):
            continue
        rid, verdicts = m.group(1), [v.strip() for v in m.group(2).split(",")]
        file = review_file(heading, rid)
        needs[rid] = " ".join(f"<{v}>" for v in verdicts) + " " + line
        seen[rid] += 1
        for v in verdicts:
            per_verdict[v] += 1
            per_file[file][v] += 1
        if verdicts != ["correct"]:
            per_file[file]["(not correct)"] += 1
        per_file[file]["(rules)"] += 1
    twice = [i for i in seen if seen[i] > 1]
    no_status = [i for i in seen if i not in status]
    # Every rule of today's catalog is a reviewed rule, a new one, or named by a status (renamed by the rpc shorthand).
    status_text = " ".join(status.values())
    unaccounted = [i for i in ids if i not in seen and not status.get(i, "").startswith("new") and f"`{i}`" not in status_text]
    stale = [i for i in status if i not in seen and not status[i].startswith("new")]
    files = sorted(per_file)
    cols = ["(rules)", "(not correct)"] + VERDICTS
    print("| verdict | " + " | ".join(f.replace(".yaml", "") for f in files) + " | total |")
    print("| --- |" + " ---: |" * (len(files) + 1))
    for c in cols:
        print(f"| {c} | " + " | ".join(str(per_file[f][c]) for f in files)
              + f" | {sum(per_file[f][c] for f in files)} |")
    print()
    print("| language feature | rules |")
    print("| --- | ---: |")
    for name, pattern in FEATURES:
        print(f"| {name} | {sum(1 for i in needs if pattern.search(needs[i]))} |")
    kinds = Counter(re.split(r"[:;(]| as ", status[i])[0].strip() for i in seen if i in status)
    print()
    print("| status | rules |")
    print("| --- | ---: |")
    for kind, n in kinds.most_common():
        print(f"| {kind} | {n} |")
    print(f"| new | {sum(1 for s in status.values() if s.startswith('new'))} |")
    print(f"\nreviewed {len(seen)} rules, {len(status)} status rows, catalog {len(ids)} rules", file=sys.stderr)
    for i in twice:
        print(f"REVIEWED TWICE: {i}", file=sys.stderr)
    for i in no_status:
        print(f"NO STATUS: {i}", file=sys.stderr)
    for i in unaccounted:
        print(f"NOT REVIEWED (and no status names it): {i}", file=sys.stderr)
    for i in stale:
        print(f"STATUS FOR AN UNKNOWN RULE: {i}", file=sys.stderr)
    for b in bad:
        print(b, file=sys.stderr)
    return 1 if twice or no_status or unaccounted or stale or bad else 0


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    rules_dir = os.path.join(here, "..", "..", "rules")
    if len(sys.argv) > 2 and sys.argv[1] == "--check":
        sys.exit(check(load(rules_dir), sys.argv[2]))
    table(load(sys.argv[1] if len(sys.argv) > 1 else rules_dir))
