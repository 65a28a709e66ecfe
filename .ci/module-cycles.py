#!/usr/bin/env python3
"""Fails when the modules of a crate import each other in a circle.

Usage: python3 .ci/module-cycles.py crates/dann/src [crates/dann-cli/src ...]

A module is a file (`a/b.rs` or `a/b/mod.rs` is `a::b`). Module `m` depends on module `n`
when its non-test code names a path `crate::n...` or `super::...` that resolves to `n`
(the longest prefix that is a module). Paths into a module's own parent or children are not
dependencies (a parent re-exports its children). The check runs on files and on top-level
folders; it reads the source as text, so a path spelled through a `use` alias is not seen.
"""

import os
import re
import sys


def modules(root):
    mods = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(path, root)[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            with open(path, encoding="utf-8") as f:
                text = f.read()
            cut = text.find("#[cfg(test)]\nmod tests")
            text = text if cut < 0 else text[:cut]
            mods["::".join(parts)] = re.sub(r"//[^\n]*", "", text)
    return mods


def resolve(mods, here, segs):
    base = here.split("::") if here else []
    if segs[0] == "crate":
        full = segs[1:]
    else:
        while segs and segs[0] == "super":
            base, segs = base[:-1], segs[1:]
        full = base + segs
    for k in range(len(full), 0, -1):
        cand = "::".join(full[:k])
        if cand in mods:
            return cand
    return None


def edges(mods):
    out = {m: set() for m in mods}
    for m, text in mods.items():
        paths = [p.split("::") for p in re.findall(r"\b((?:crate|super)(?:::\w+)+)", text)]
        for kind, items in re.findall(r"\b(crate|super)::\{([^}]*)\}", text):
            paths += [[kind] + i.strip().split("::")[:1] for i in items.split(",") if i.strip()]
        for segs in paths:
            n = resolve(mods, m, segs)
            related = n is None or n == m or m.startswith(n + "::") or n.startswith(m + "::")
            if not related and n != "":
                out[m].add(n)
    return out


def cycles(graph):
    found = set()

    def walk(start, node, path):
        for n in graph.get(node, ()):
            if n == start:
                found.add(tuple(path))
            elif n > start and n not in path:
                walk(start, n, path + [n])

    for s in graph:
        walk(s, s, [s])
    return sorted(found)


def main():
    bad = 0
    for root in sys.argv[1:]:
        deps = edges(modules(root))
        for level in (1, None):
            cut = (lambda m: "::".join(m.split("::")[:level])) if level else (lambda m: m)
            graph = {}
            for a, bs in deps.items():
                for b in bs:
                    if cut(a) != cut(b):
                        graph.setdefault(cut(a), set()).add(cut(b))
            for c in cycles(graph):
                print(f"{root}: circle: {' -> '.join(c + (c[0],))}")
                bad += 1
    print(f"module circles: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
