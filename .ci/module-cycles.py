#!/usr/bin/env python3
"""Fails when the modules of a crate import each other in a circle, or import an item through
a re-export that runs back up the layers.

Usage: python3 .ci/module-cycles.py crates/dann/src [crates/dann-cli/src ...]

A module is a file (`a/b.rs` or `a/b/mod.rs` is `a::b`).

Circles: module `m` depends on module `n` when its non-test code names a path `crate::n...`
or `super::...` that resolves to `n` (the longest prefix that is a module). Paths into a
module's own parent or children are not dependencies (a parent re-exports its children). The
check runs on files and on top-level folders.

Re-exports (library crates: a root with `lib.rs`): inside the crate an item is imported from the module that defines it, never
through a `pub use` of an ancestor: the crate root's (`crate::Dataset`) or a parent `mod.rs`
re-exporting a sibling's item (`super::Checkpoints`, `crate::deep::Trainer` from inside
`deep/`). The `pub use` lines of every module say which names are re-exports and where they
come from; each `crate::`/`super::` path of a module (its `use` lines, braces expanded, and
paths written inline, test modules included) that names such a name in an ancestor module is
an offence, reported with the file, the path used and the module that defines the item. A
module's own `pub use` of its children is fine for that module itself, and a folder's
re-exports are fine for modules outside it (they are its public face).

Both checks read the source as text: a path spelled through a `use` alias or a glob is not
seen.
"""

import os
import re
import sys


def modules(root):
    """Module path -> its non-test code without comments."""
    mods = {}
    for m, (_, text) in sources(root).items():
        cut = text.find("#[cfg(test)]\nmod tests")
        mods[m] = text if cut < 0 else text[:cut]
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


ITEM = re.compile(
    r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:unsafe\s+|async\s+|const\s+(?=fn))*"
    r"(?:fn|struct|enum|trait|type|const|static|union|mod|macro_rules!)\s+(\w+)",
    re.M,
)
USE = re.compile(r"^\s*(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M)


def sources(root):
    """Module path -> (file, text without comments), test modules included."""
    out = {}
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(path, root)[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            with open(path, encoding="utf-8") as f:
                text = re.sub(r"//[^\n]*", "", f.read())
            out["::".join(parts)] = (path, text)
    return out


def absolute(mods, here, segs):
    """Segments of a path written in module `here` -> absolute segments, or None."""
    base = here.split("::") if here else []
    if segs[0] == "crate":
        return segs[1:]
    if segs[0] == "self":
        return base + segs[1:]
    if segs[0] == "super":
        while segs and segs[0] == "super":
            base, segs = base[:-1], segs[1:]
        return base + segs
    if "::".join(base + segs[:1]) in mods:  # a child module
        return base + segs
    return None  # another crate


def split_module(mods, full):
    """Absolute segments -> (longest module prefix, the rest)."""
    for k in range(len(full), -1, -1):
        cand = "::".join(full[:k])
        if cand in mods:
            return cand, full[k:]
    return None, full


def exports(mods):
    """Module -> {name: absolute segments of what it re-exports under that name}."""
    out = {}
    for m, (_, text) in mods.items():
        for vis, tree in USE.findall(text):
            if not vis:
                continue
            for segs in tree_paths(tree):
                name = segs[-1][1] if isinstance(segs[-1], tuple) else segs[-1]
                raw = [s[0] if isinstance(s, tuple) else s for s in segs]
                if name in ("self", "*"):
                    continue
                full = absolute(mods, m, raw)
                out.setdefault(m, {})[name] = full if full is not None else ["<extern>"] + raw
    return out


def tree_paths(tree):
    """A use tree -> lists of segments; the last one is (name, alias) when renamed."""
    tree = re.sub(r"\s+", " ", tree).strip()
    out = []

    def expand(prefix, t):
        t = t.strip()
        if t.endswith("}") and "{" in t:
            head, body = t[: t.index("{")], t[t.index("{") + 1 : -1]
            segs = [x.strip() for x in head.split("::") if x.strip()]
            depth, start = 0, 0
            for i, ch in enumerate(body + ","):
                depth += ch == "{"
                depth -= ch == "}"
                if ch == "," and depth == 0:
                    if body[start:i].strip():
                        expand(prefix + segs, body[start:i])
                    start = i + 1
            return
        m = re.fullmatch(r"(.+?)\s+as\s+(\w+)", t)
        path = m.group(1) if m else t
        segs = [x.strip() for x in path.split("::") if x.strip()]
        if m:
            segs[-1] = (segs[-1], m.group(2))
        out.append(prefix + segs)

    expand([], tree)
    return out


def definer(mods, defined, reexp, module, name, seen=()):
    """The module that defines `name` reached as `module::name`, following re-exports."""
    if name in defined.get(module, ()) or (module, name) in seen:
        return module
    src = reexp.get(module, {}).get(name)
    if src is None:
        return module
    if src[0] == "<extern>":
        return "::".join(src[1:-1]) + " (another crate)"
    n, rest = split_module(mods, src)
    if n is None or len(rest) != 1:
        return "::".join(src[:-1]) or "crate"
    return definer(mods, defined, reexp, n, rest[0], seen + ((module, name),))


def reexport_offences(root):
    mods = sources(root)
    reexp = exports(mods)
    defined = {m: {n for n in ITEM.findall(text) if "::".join(filter(None, [m, n])) not in mods}
               for m, (_, text) in mods.items()}
    found = []
    for m, (path, text) in sorted(mods.items()):
        written = set()
        # An inline module (`mod tests { .. }`) is one level down: its `super` is the file.
        parts = re.split(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*\{", text, flags=re.M)
        chunks = [(m, parts[0])] + [
            ("::".join(filter(None, [m, parts[i]])), parts[i + 1])
            for i in range(1, len(parts), 2)
        ]
        for here, chunk in chunks:
            for _, tree in USE.findall(chunk):
                for segs in tree_paths(tree):
                    raw = [s[0] if isinstance(s, tuple) else s for s in segs]
                    if raw[0] in ("crate", "super"):
                        written.add((here, "::".join(raw)))
            for p in re.findall(r"\b((?:crate|super)(?:::\w+)+)", chunk):
                written.add((here, p))
        for here, p in sorted(written):
            full = absolute(mods, here, p.split("::"))
            n, rest = split_module(mods, full or [])
            if n is None or not rest or rest[0] in ("self", "*"):
                continue
            ancestor = n == "" or m.startswith(n + "::")
            name = rest[0]
            if not ancestor or n == m or name not in reexp.get(n, {}):
                continue
            if name in defined.get(n, ()):
                continue
            home = definer(mods, defined, reexp, n, name)
            where = "crate::" + home if home and "(" not in home else home or "crate"
            found.append(f"{path}: `{p}` goes through the re-export in "
                         f"{'crate' if n == '' else 'crate::' + n}; import it from {where}")
    return found


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
    libraries = [r for r in sys.argv[1:] if os.path.exists(os.path.join(r, "lib.rs"))]
    offences = [o for root in libraries for o in reexport_offences(root)]
    for o in offences:
        print(o)
    print(f"imports through an ancestor's re-export: {len(offences)}")
    return 1 if bad or offences else 0


if __name__ == "__main__":
    sys.exit(main())
