#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shape of src/ holds: one TAP line per rule, over every .c and .h in
src/ (engine, app, cli, tracker, webui).

  1. Each .c is at most 1200 lines; at most 4 are over 1000.
  2. No include cycle between modules (a module is a file's basename
     without .c/.h and without a -private suffix; edges come from
     `#include "…"` that resolve to a file in src/).
  3. No call cycle between modules: a module that names a non-static
     tsr_/_tsr_ function (or a *_get_type / *_quark made by a G_DEFINE_*
     macro) defined in another module's .c depends on it, called or passed
     as a pointer. Static functions put in a callback table add no edge:
     that is the point of the tables.
  4. Layers: src/engine/{codec 0, disk 1, net 1, dht 2, swarm 3, torrent 4},
     files directly in src/engine/ (public headers) 5, tracker, rpc and webui 6,
     app and cli 7. A file includes or references only its own rank or lower; disk
     and net never touch each other, nor app and cli, nor app and tracker.
  5. A *-private.h that defines a struct is included by one .c, or only by
     files of src/app (a widget's own header). tests/ are exempt.
  6. No test hook strings ("TESSERA_TEST_…, "TESSERA_SMOKE_TEST",
     "TESSERA_SCREENSHOT…) in src/; no <gtk/…> or <adwaita.h> in src/engine.
  7. src/app, src/cli and src/tracker include only their own headers and
     the engine's public headers (src/engine/*.h); the CLI, which runs the
     tracker server, may also include the tracker's non-private headers,
     the CLI and the app the RPC server's (src/rpc), and any of them
     src/webui's non-private headers.

Comments, string and character literals are removed before scanning, so
a tsr_ name in a comment or a message makes no edge.

Today's offenders are listed in tests/arch/known-offenders.json, a
ratchet: a listed long file may shrink but not grow, a known cycle
component may lose members but never gain them, a listed entry that no
longer offends fails as stale (remove it), and anything new fails. A
missing file reads as empty. `--write-offenders` prints that file's JSON
for the current tree (the test itself never rewrites it).

Usage: check-architecture.py [--offenders FILE] [--write-offenders] [ROOT]
"""

import argparse
import bisect
import collections
import json
import os
import re
import sys

MAX_LINES = 1200
SOFT_LINES = 1000
MAX_SOFT = 4

ENGINE_RANKS = {"codec": 0, "disk": 1, "net": 1, "dht": 2, "swarm": 3, "torrent": 4}
PUBLIC_RANK = 5
AREA_RANKS = {"tracker": 6, "rpc": 6, "webui": 6, "app": 7, "cli": 7}
# Same-rank or neighbouring folders that must never touch each other.
APART = [{"disk", "net"}, {"app", "cli"}, {"app", "tracker"}, {"rpc", "tracker"}]

OFFENDERS_REL = "tests/arch/known-offenders.json"
KEYS = ("call_cycles", "consumer_includes", "env_hooks", "include_cycles", "layers",
        "long_files", "over_1000", "private_structs")

DEF_RE = re.compile(r"^(_?tsr_\w+)[ \t]*\(", re.M)
REF_RE = re.compile(r"tsr_\w+")  # then _?tsr_\w+ at a word start: see identifiers ()
INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.M)
SYS_INCLUDE_RE = re.compile(r"^[ \t]*#[ \t]*include[ \t]*<([^>\n]+)>", re.M)
# G_DEFINE_TYPE, _FINAL_TYPE, _TYPE_WITH_CODE, _TYPE_EXTENDED, _BOXED_TYPE,
# _ENUM_TYPE, _POINTER_TYPE, _INTERFACE... all make <name>_get_type; so do
# the G_DECLARE_*s, whose definition is counted only when no G_DEFINE has it.
GTYPE_RE = re.compile(r"G_DEFINE_(?:\w+_)?(?:TYPE|INTERFACE)(?:_\w+)?\s*\(\s*\w+\s*,\s*(\w+)")
GDECLARE_RE = re.compile(r"G_DECLARE_(?:\w+_)?(?:TYPE|INTERFACE)\s*\(\s*\w+\s*,\s*(\w+)")
QUARK_RE = re.compile(r"G_DEFINE_QUARK\s*\(\s*[^,()]*,\s*(\w+)\s*\)")
STRUCT_RE = re.compile(r"\bstruct\s+\w+\s*\{|\btypedef\s+struct\s*\w*\s*\{")
HOOK_RE = re.compile(r'"TESSERA_TEST_|"TESSERA_SMOKE_TEST"|"TESSERA_SCREENSHOT')


# A comment (1), or a string (2: inside, 3: closing quote) or character
# literal (4, 5), which ends at its line's end if unterminated.
TOKEN_RE = re.compile(r"""(/\*.*?(?:\*/|\Z)|//[^\n]*)"""
                      r"""|"((?:\\.|[^"\\\n])*)("?)|'((?:\\.|[^'\\\n])*)('?)""", re.S)


def strip_c(text, keep_strings):
    """C text with comments (and, unless @keep_strings, the insides of
    string and character literals) blanked; offsets and newlines kept."""

    def spaces(s):
        return " " * len(s) if "\n" not in s else re.sub(r"[^\n]", " ", s)

    def blank(m):
        if m.group(1):
            return spaces(m.group(1))
        if keep_strings:
            return m.group(0)
        if m.group(2) is not None:
            return '"' + spaces(m.group(2)) + m.group(3)
        return "'" + spaces(m.group(4)) + m.group(5)

    return TOKEN_RE.sub(blank, text)


def identifiers(code):
    """(offset, name) of every _?tsr_\\w+ identifier in @code (a literal
    prefix keeps the scan fast)."""
    for m in REF_RE.finditer(code):
        start = m.start()
        if start > 0 and code[start - 1] == "_":
            start -= 1
        if start > 0 and (code[start - 1].isalnum() or code[start - 1] == "_"):
            continue
        yield start, code[start:m.end()]


def blank_directives(code):
    """@code with preprocessor lines (and their continuations) blanked."""
    lines = code.split("\n")
    inside = False
    for k, line in enumerate(lines):
        if inside or line.lstrip().startswith("#"):
            inside = line.rstrip().endswith("\\")
            lines[k] = " " * len(line)
    return "\n".join(lines)


class Source:
    def __init__(self, root, rel):
        self.rel = rel
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            self.text = f.read()
        self.lines = self.text.count("\n") + (0 if self.text.endswith("\n") or not self.text else 1)
        self.is_c = rel.endswith(".c")
        parts = rel.split("/")
        self.area = parts[1] if len(parts) > 2 else ""
        if self.area == "engine":
            self.folder = parts[2] if len(parts) > 3 else ""
            self.rank = ENGINE_RANKS.get(self.folder) if self.folder else PUBLIC_RANK
        else:
            self.folder = self.area
            self.rank = AREA_RANKS.get(self.area)
        base = os.path.basename(rel)
        self.name = re.sub(r"-private$", "", base[:-2])
        self.nocomments = strip_c(self.text, keep_strings=True)
        self.code = strip_c(self.text, keep_strings=False)
        self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        self.module = None  # set once every file is known

    def line_of(self, offset):
        return bisect.bisect_left(self._newlines, offset) + 1


class Tree:
    """Every .c/.h under ROOT/src and the graphs between them."""

    def __init__(self, root):
        self.root = root
        self.files = {}
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, "src")):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith((".c", ".h")):
                    rel = os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/")
                    self.files[rel] = Source(root, rel)
        # A module is named by its basename; a name used in two areas (main)
        # is qualified by the area.
        areas = collections.defaultdict(set)
        for s in self.files.values():
            areas[s.name].add(s.area)
        for s in self.files.values():
            s.module = s.name if len(areas[s.name]) == 1 else f"{s.area}/{s.name}"
        self.modules = collections.defaultdict(list)
        for s in self.files.values():
            self.modules[s.module].append(s.rel)
        self._index_paths()
        self._scan_includes()
        self._scan_definitions()
        self._scan_references()

    def _index_paths(self):
        self.by_base = collections.defaultdict(list)
        for rel in self.files:
            self.by_base[os.path.basename(rel)].append(rel)

    def resolve(self, src, name):
        """The file in src/ that `#include "name"` in @src means, or None
        (config.h, generated headers). Own folder first, as the compiler
        does, then the same area, then the engine."""
        own = os.path.normpath(os.path.join(os.path.dirname(src.rel), name)).replace(os.sep, "/")
        if own in self.files:
            return own
        matches = [r for r in self.by_base.get(os.path.basename(name), [])
                   if r == name or r.endswith("/" + name)]
        if not matches:
            return None
        matches.sort(key=lambda r: (self.files[r].area != src.area, self.files[r].area != "engine", r))
        return matches[0]

    def _scan_includes(self):
        self.includes = []  # (from Source, to rel, written name, line)
        for s in self.files.values():
            for m in INCLUDE_RE.finditer(s.nocomments):
                target = self.resolve(s, m.group(1))
                if target is not None and target != s.rel:
                    self.includes.append((s, target, m.group(1), s.line_of(m.start())))

    def _scan_definitions(self):
        self.defs = collections.defaultdict(set)  # function -> defining .c files
        declared = {}
        for s in self.files.values():
            for m in GDECLARE_RE.finditer(s.code):
                declared.setdefault(m.group(1) + "_get_type", s.rel)
            if not s.is_c:
                continue
            code = blank_directives(s.code)
            for m in DEF_RE.finditer(code):
                if self._is_definition(code, m):
                    self.defs[m.group(1)].add(s.rel)
            for m in GTYPE_RE.finditer(s.code):
                self.defs[m.group(1) + "_get_type"].add(s.rel)
            for m in QUARK_RE.finditer(s.code):
                self.defs[m.group(1) + "_quark"].add(s.rel)
        for name, rel in declared.items():
            if name not in self.defs:
                self.defs[name].add(rel)
        for name in [n for n in self.defs if not re.match(r"_?tsr_", n)]:
            del self.defs[name]

    @staticmethod
    def _is_definition(code, m):
        depth, i, n = 0, m.end() - 1, len(code)
        while i < n:
            if code[i] == "(":
                depth += 1
            elif code[i] == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        rest = code[i + 1:i + 400].lstrip()
        if not rest.startswith("{"):
            return False
        before = max(code.rfind(";", 0, m.start()), code.rfind("}", 0, m.start()),
                     code.rfind("{", 0, m.start()))
        return re.search(r"\bstatic\b", code[before + 1:m.start()]) is None

    def _scan_references(self):
        self.references = []  # (from Source, to rel, identifier, line)
        for s in self.files.values():
            if not s.is_c:
                continue
            seen = set()
            for offset, ident in identifiers(s.code):
                for target in self.defs.get(ident, ()):
                    t = self.files[target]
                    if t.module == s.module or (ident, target) in seen:
                        continue
                    seen.add((ident, target))
                    self.references.append((s, target, ident, s.line_of(offset)))

    def graph(self, edges):
        """Module graph from (Source, target rel, what, line) edges: for each
        edge the first evidence found."""
        g = collections.defaultdict(dict)
        for s, target, what, line in edges:
            a, b = s.module, self.files[target].module
            if a != b and b not in g[a]:
                g[a][b] = (s.rel, line, what, target)
        return g


def tarjan(graph):
    """Strongly connected components with more than one module, each
    sorted, iteratively (no recursion limit)."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = 0
    nodes = sorted(set(graph) | {b for a in graph for b in graph[a]})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, {}))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return sorted(result)


def shortest_cycle(graph, component, starts):
    """The shortest cycle through one of @starts, by BFS inside @component."""
    members = set(component)
    best = None
    for start in sorted(starts):
        parent = {start: None}
        queue = collections.deque([start])
        found = None
        while queue and found is None:
            node = queue.popleft()
            for child in sorted(graph.get(node, {})):
                if child not in members:
                    continue
                if child == start:
                    found = node
                    break
                if child not in parent:
                    parent[child] = node
                    queue.append(child)
        if found is None:
            continue
        path = [found]
        while parent[path[-1]] is not None:
            path.append(parent[path[-1]])
        path.reverse()
        if best is None or len(path) < len(best):
            best = path
    return best


def describe_cycle(graph, cycle, verb):
    lines = [" -> ".join(cycle + [cycle[0]])]
    for a, b in zip(cycle, cycle[1:] + cycle[:1]):
        rel, line, what, target = graph[a][b]
        lines.append(f"  {rel}:{line} {verb} {what} ({target})")
    return lines


class Report:
    def __init__(self, known, offenders_rel):
        self.known = known
        self.offenders_rel = offenders_rel
        self.current = {}
        self.results = []

    def stale(self, what):
        return f"{what} no longer offends: remove it from {self.offenders_rel}"

    def add(self, title, problems, notes=()):
        self.results.append((not problems, title, list(problems), list(notes)))

    def dict_of_lists(self, key, current, describe):
        """Ratchet for {key: [items]}: every (key, item) is an entry."""
        self.current[key] = {k: sorted(v) for k, v in sorted(current.items()) if v}
        known = self.known.get(key, {})
        problems = []
        for k in sorted(current):
            for item in sorted(current[k]):
                if item not in known.get(k, []):
                    problems.append(describe(k, item))
        for k in sorted(known):
            for item in known[k]:
                if item not in current.get(k, ()):
                    problems.append(self.stale(f"{key}: {k}: {item}"))
        return problems

    def finish(self):
        print(f"1..{len(self.results)}")
        for number, (ok, title, problems, notes) in enumerate(self.results, 1):
            print(f"{'ok' if ok else 'not ok'} {number} - {title}")
            for line in problems + notes:
                print(f"# {line}")
        return 0 if all(ok for ok, *_ in self.results) else 1


def check_lengths(tree, report):
    lengths = {rel: s.lines for rel, s in tree.files.items() if s.is_c}
    long_files = {rel: n for rel, n in lengths.items() if n > MAX_LINES}
    over = sorted(rel for rel, n in lengths.items() if n > SOFT_LINES)
    middle = sorted(rel for rel in over if rel not in long_files)
    over_offenders = middle if len(over) > MAX_SOFT else []
    report.current["long_files"] = dict(sorted(long_files.items()))
    report.current["over_1000"] = over_offenders
    known_long = report.known.get("long_files", {})
    known_over = report.known.get("over_1000", [])
    problems = []
    for rel, n in sorted(long_files.items()):
        if rel not in known_long:
            problems.append(f"{rel} has {n} lines, over {MAX_LINES}: split it by responsibility")
        elif n > known_long[rel]:
            problems.append(f"{rel} has {n} lines, known at {known_long[rel]}: it may shrink, never grow")
    for rel, n in sorted(known_long.items()):
        if rel not in long_files:
            problems.append(report.stale(f"long_files: {rel} ({lengths.get(rel, 'gone')} lines)"))
    for rel in over_offenders:
        if rel not in known_over:
            problems.append(f"{rel} has {lengths[rel]} lines: {len(over)} .c files are over "
                            f"{SOFT_LINES} lines, at most {MAX_SOFT} may be")
    for rel in known_over:
        if rel not in over_offenders:
            problems.append(report.stale(f"over_1000: {rel} ({lengths.get(rel, 'gone')} lines)"))
    report.add(f"rule 1, file length: {len(over)} .c files over {SOFT_LINES} lines, "
               f"{len(long_files)} over {MAX_LINES}", problems)


def check_cycles(tree, report, key, edges, verb, title, rule):
    graph = tree.graph(edges)
    components = tarjan(graph)
    report.current[key] = components
    known = [set(c) for c in report.known.get(key, [])]
    problems, notes = [], []
    for component in components:
        home = [k for k in known if set(component) <= k]
        if home:
            lost = sorted(set.union(*home) - set(component))
            if lost:
                notes.append(f"known component now without {', '.join(lost)}: "
                             f"--write-offenders gives the smaller list")
            continue
        grown = [k for k in known if k & set(component)]
        new = set(component) - set().union(*grown) if grown else set(component)
        cycle = shortest_cycle(graph, component, new or component)
        label = "grew" if grown else "new"
        problems.append(f"{label} {title} among {', '.join(component)}:")
        problems.extend(describe_cycle(graph, cycle, verb))
    for k in report.known.get(key, []):
        if not any(set(c) & set(k) for c in components):
            problems.append(report.stale(f"{key}: [{', '.join(k)}]"))
    summary = (f"{len(components)} {title} component(s): "
               + "; ".join(" ".join(c) for c in components)) if components else f"No {title}s"
    report.add(f"rule {rule}, {title}s: {summary}", problems, notes)


def check_layers(tree, report):
    current = collections.defaultdict(set)
    why = {}
    unknown = set()
    for edges, verb in ((tree.includes, "includes"), (tree.references, "references")):
        for s, target, what, line in edges:
            t = tree.files[target]
            for f in (s, t):
                if f.rank is None:
                    unknown.add(f.rel)
            if s.rank is None or t.rank is None:
                continue
            if t.rank > s.rank or {s.folder, t.folder} in APART:
                current[s.rel].add(target)
                why.setdefault((s.rel, target), f"{s.rel}:{line} {verb} {what}")

    def describe(rel, target):
        s, t = tree.files[rel], tree.files[target]
        return (f"{why[(rel, target)]} ({target}): "
                f"{s.folder or 'engine'} (rank {s.rank}) may not use {t.folder or 'engine'} (rank {t.rank})")

    problems = [f"{rel} is in no known layer folder (add it to ENGINE_RANKS or AREA_RANKS)"
                for rel in sorted(unknown)]
    problems += report.dict_of_lists("layers", current, describe)
    n = sum(len(v) for v in current.values())
    report.add(f"rule 4, layers: {n} upward or sideways use(s)", problems)


def closure_includers(tree):
    """For each file, the .c files whose includes reach it."""
    direct = collections.defaultdict(set)
    for s, target, _, _ in tree.includes:
        direct[s.rel].add(target)
    reach = collections.defaultdict(set)
    for rel, s in tree.files.items():
        if not s.is_c:
            continue
        seen, todo = set(), [rel]
        while todo:
            for t in direct.get(todo.pop(), ()):
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        for t in seen:
            reach[t].add(rel)
    return reach


def check_private_structs(tree, report):
    reach = closure_includers(tree)
    current = {}
    for rel, s in tree.files.items():
        if not rel.endswith("-private.h") or not STRUCT_RE.search(s.code):
            continue
        users = reach.get(rel, set())
        if len(users) > 1 and not all(tree.files[u].area == "app" for u in users):
            current[rel] = users
    problems = report.dict_of_lists(
        "private_structs", current,
        lambda rel, user: f"{user} includes {rel}, whose struct {len(current[rel])} .c files share: "
                          "give the module an opaque struct and a table of callbacks")
    report.add(f"rule 5, private structs: {len(current)} shared -private.h", problems)


def check_hooks(tree, report):
    current, problems, where = {}, [], {}
    for rel, s in tree.files.items():
        hits = [s.line_of(m.start()) for m in HOOK_RE.finditer(s.nocomments)]
        if hits:
            current[rel] = len(hits)
            where[rel] = hits
        if s.area == "engine":
            for m in SYS_INCLUDE_RE.finditer(s.nocomments):
                if m.group(1).startswith("gtk/") or m.group(1) == "adwaita.h":
                    problems.append(f"{rel}:{s.line_of(m.start())} includes <{m.group(1)}>: "
                                    "the engine never uses GTK")
    report.current["env_hooks"] = dict(sorted(current.items()))
    known = report.known.get("env_hooks", {})
    for rel, n in sorted(current.items()):
        lines = ", ".join(str(x) for x in where[rel])
        if rel not in known:
            problems.append(f"{rel}: test hook string(s) at line(s) {lines}: tests drive the app "
                            "through its actions, not environment variables")
        elif n > known[rel]:
            problems.append(f"{rel}: {n} test hook strings (lines {lines}), known at {known[rel]}")
    for rel in sorted(known):
        if rel not in current:
            problems.append(report.stale(f"env_hooks: {rel}"))
    report.add(f"rule 6, test hooks and GTK: {sum(current.values())} hook string(s) "
               f"in {len(current)} file(s)", problems)


def check_consumer_includes(tree, report):
    current = collections.defaultdict(set)
    for s, target, what, line in tree.includes:
        if s.area not in AREA_RANKS:
            continue
        t = tree.files[target]
        if t.area == s.area:
            continue
        if t.area == "engine" and t.folder == "":
            continue
        if s.area == "cli" and t.area == "tracker" and not target.endswith("-private.h"):
            continue
        if s.area in ("cli", "app") and t.area == "rpc" and not target.endswith("-private.h"):
            continue
        # The web interface's server module is for whichever front end
        # serves the RPC (the daemon, the app's remote control).
        if t.area == "webui" and not target.endswith("-private.h"):
            continue
        current[s.rel].add(what)
    problems = report.dict_of_lists(
        "consumer_includes", current,
        lambda rel, what: f"{rel} includes \"{what}\": front ends include only their own "
                          "headers and the engine's public ones")
    n = sum(len(v) for v in current.values())
    report.add(f"rule 7, front-end includes: {n} private engine header include(s) "
               f"in {len(current)} file(s)", problems)


def load_known(path):
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        known = json.load(f)
    unknown = sorted(set(known) - set(KEYS))
    if unknown:
        print(f"Bail out! {path}: unknown key(s) {', '.join(unknown)}")
        sys.exit(2)
    return known


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?",
                        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    parser.add_argument("--offenders", help=f"the ratchet file (default ROOT/{OFFENDERS_REL})")
    parser.add_argument("--write-offenders", action="store_true",
                        help="print the ratchet file's JSON for the current tree, and check nothing")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.root)
    offenders = args.offenders or os.path.join(root, OFFENDERS_REL)
    known = {} if args.write_offenders else load_known(offenders)
    rel = os.path.relpath(offenders, root) if not args.offenders else args.offenders

    tree = Tree(root)
    report = Report(known, rel)
    check_lengths(tree, report)
    check_cycles(tree, report, "include_cycles", tree.includes, "includes", "include cycle", 2)
    check_cycles(tree, report, "call_cycles", tree.references, "names", "call cycle", 3)
    check_layers(tree, report)
    check_private_structs(tree, report)
    check_hooks(tree, report)
    check_consumer_includes(tree, report)
    if args.write_offenders:
        sys.stdout.write(json.dumps({k: report.current[k] for k in KEYS}, indent=2, sort_keys=True) + "\n")
        return 0
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
