#!/usr/bin/env python3
"""Working table for the catalog review (docs/catalog-review.md).

  review_table.py [RULES_DIR]              one line per rule: id, from->to, transport/ports, protocol,
                                           required, conditions, dynamic, section, row, notes
  review_table.py --check REVIEW.md        every rule id reviewed exactly once; counts per verdict and
                                           per rule file (the table at the top of the review), then the
                                           number of rules whose correction needs each language feature

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
        if name in ("roles.yaml", "features.yaml"):
            continue
        doc = yaml.safe_load(open(path))
        for r in doc["rules"]:
            r = dict(r)
            r["_file"] = name
            r.setdefault("required", True)
            r.setdefault("conditions", [])
            r.setdefault("dynamicRange", False)
            out.append(r)
    return out


def table(rules):
    for r in rules:
        s = r["source"]
        print(f"## {r['id']} [{r['_file']}]")
        print(f"   {r['from']} -> {r['to']}  {r['transport']}/{r.get('ports', '-')}  {r['protocol']}"
              f"  req={r['required']}  cond={r['conditions']}  dyn={r['dynamicRange']}")
        print(f"   [{s['section']}] {s['row']}")
        if r.get("notes"):
            print(f"   notes: {r['notes']}")


def check(rules, review):
    ids = {r["id"]: r["_file"] for r in rules}
    seen = Counter()
    per_verdict = Counter()
    per_file = defaultdict(Counter)
    bad = []
    needs = {}
    # Review rows: | `rule-id` | verdicts | reasoning / correction |
    for line in open(review):
        m = re.match(r"^\|\s*`([a-z0-9-]+)`\s*\|\s*([^|]+?)\s*\|", line)
        if not m or m.group(1) not in ids:
            continue
        rid, verdicts = m.group(1), [v.strip() for v in m.group(2).split(",")]
        needs[rid] = " ".join(f"<{v}>" for v in verdicts) + " " + line
        seen[rid] += 1
        for v in verdicts:
            if v not in VERDICTS:
                bad.append(f"{rid}: unknown verdict '{v}'")
            per_verdict[v] += 1
            per_file[ids[rid]][v] += 1
        if verdicts != ["correct"]:
            per_file[ids[rid]]["(not correct)"] += 1
        per_file[ids[rid]]["(rules)"] += 1
    missing = [i for i in ids if seen[i] == 0]
    twice = [i for i in ids if seen[i] > 1]
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
    print(f"\nreviewed {len(seen)} of {len(ids)} rules", file=sys.stderr)
    for i in missing:
        print(f"NOT REVIEWED: {i}", file=sys.stderr)
    for i in twice:
        print(f"REVIEWED TWICE: {i}", file=sys.stderr)
    for b in bad:
        print(b, file=sys.stderr)
    return 1 if missing or twice or bad else 0


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    rules_dir = os.path.join(here, "..", "..", "rules")
    if len(sys.argv) > 2 and sys.argv[1] == "--check":
        sys.exit(check(load(rules_dir), sys.argv[2]))
    table(load(sys.argv[1] if len(sys.argv) > 1 else rules_dir))
