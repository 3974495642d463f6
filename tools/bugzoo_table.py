#!/usr/bin/env python3
"""Renders the detection table of docs/bugzoo.md from `raftlab zoo --json`.

Usage: tools/bugzoo_table.py ZOO.json > table.md
"""
import json
import sys

rows = json.load(open(sys.argv[1]))
print("| bug | B | found | seeds to detect | wall time | violation class | reproducer (faults / ops) |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    if not r["scenario"]:
        found = "no scenario"
    else:
        found = "yes" if r["found"] else f"not in {r['seeds_to_detect']} seeds"
    seeds = str(r["seeds_to_detect"]) if r["found"] else "-"
    wall = f"{r['wall_s']:.1f} s"
    cls = r["class"] or "-"
    rep = "-" if r["reproducer_faults"] < 0 else f"{r['reproducer_faults']} / {r['reproducer_ops']}"
    print(f"| `{r['bug']}` | {r['b']} | {found} | {seeds} | {wall} | {cls} | {rep} |")
