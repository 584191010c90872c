#!/usr/bin/env python3
"""Figures on the shape of the code (docs/ARCHITECTURE.md): files over 400 lines, SQL
statements outside the queries files and named stores, and cycles between modules.

    python3 scripts/code-shape.py [SRC_DIR]     (default: src)

The layering itself is enforced by the `architecture::` unit test; this script only
reports, for comparing one state of the tree with another."""

import collections
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "src"
# Files and folders that are a module's SQL by name: queries, stores, and the platform's
# own tables (audit log, outbox, migrations runner, shared lookups).
STORES = {"queries.rs", "store.rs", "lookup.rs", "outbox.rs", "audit.rs", "db.rs"}
SQL = re.compile(r'"\s*(?:SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|WITH [a-z_]+ AS)\b')


def code_of(text):
    """The text without line comments (doc comments name modules in prose)."""
    out = []
    for line in text.split("\n"):
        i = line.find("//")
        out.append(line[:i] if i >= 0 and '"' not in line[:i] else line)
    return "\n".join(out)


def modules_used(text):
    used = set(re.findall(r"crate::([a-z_]+)", text))
    for group in re.findall(r"use crate::\{(.*?)\};", text, re.S):
        depth, cur = 0, ""
        for ch in group + ",":
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                m = re.match(r"\s*([a-z_]+)", cur)
                if m and m.group(1) != "self":
                    used.add(m.group(1))
                cur = ""
            else:
                cur += ch
    return used


big, sql, edges = [], collections.Counter(), collections.defaultdict(set)
for folder, _, files in os.walk(ROOT):
    for name in files:
        if not name.endswith(".rs"):
            continue
        path = os.path.join(folder, name)
        text = open(path, encoding="utf-8").read()
        lines = text.count("\n")
        if lines > 400:
            big.append((lines, path))
        module = os.path.relpath(path, ROOT).split(os.sep)[0].removesuffix(".rs")
        code = code_of(text)
        edges[module] |= {m for m in modules_used(code) if m != module}
        in_store = name in STORES or "queries" in folder.split(os.sep) or folder.endswith(os.sep + "store")
        body = code.split("#[cfg(test)]")[0]
        if not in_store and SQL.search(body):
            sql[path] = len(SQL.findall(body))

# Strongly connected components (Tarjan) of the module graph.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges.get(v, ()):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
    if v not in index:
        visit(v)
mutual = sorted((a, b) for a in edges for b in edges[a] if a < b and a in edges.get(b, ()))

print(f"files over 400 lines: {len(big)}")
for lines, path in sorted(big, reverse=True):
    print(f"  {lines:5} {path}")
print(f"SQL statements outside queries files and stores: {sum(sql.values())} in {len(sql)} files")
for path, n in sql.most_common():
    print(f"  {n:5} {path}")
print(f"module cycles: {len(sccs)} (modules in them: {sum(len(c) for c in sccs)}); pairs using each other: {len(mutual)}")
for comp in sccs:
    print("  " + " ↔ ".join(comp))
