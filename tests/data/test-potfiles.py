#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Translations cannot silently miss strings: every source file with
translatable strings is in po/POTFILES.in (and every file listed there
exists), no translatable C string is cut short by a GLib format macro
that xgettext cannot expand, xgettext reads the whole list without a
warning, and every language of po/LINGUAS translates every message of a
freshly built template, none of them fuzzy, in a file msgfmt --check
accepts."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
tap = Tap()

# The gettext calls of the glib preset (see po/meson.build).
CALL = re.compile(r"\b(?:_|N_|C_|NC_|Q_|g_dngettext|g_dpgettext2|ngettext|g_dgettext)\s*\(")
MACRO = re.compile(r"\bG_G[A-Z0-9]+_FORMAT\b|\bG_GOFFSET_FORMAT\b")


def potfiles():
    with open(os.path.join(ROOT, "po", "POTFILES.in")) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def strip_comments(text):
    """C source without comments, strings kept (so a _("…") in a comment
    does not count)."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(" " + "\n" * text.count("\n", i, end))
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text[i] in "\"'":
            quote, j = text[i], i + 1
            while j < n and text[j] != quote:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def call_extent(text, start):
    """The index of the parenthesis closing the call opened at @start."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return i


def translatable_sources():
    found = []
    for top in ("src", "data"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for name in sorted(names):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, ROOT)
                if name.endswith(".c"):
                    if CALL.search(strip_comments(open(path, encoding="utf-8").read())):
                        found.append(rel)
                elif name.endswith(".ui"):
                    if 'translatable="yes"' in open(path, encoding="utf-8").read():
                        found.append(rel)
                elif name.endswith((".desktop.in", ".metainfo.xml.in", ".gschema.xml")):
                    found.append(rel)
    return found


def test_every_translatable_file_is_listed(d):
    listed = set(potfiles())
    missing = [f for f in translatable_sources() if f not in listed]
    assert not missing, f"files with translatable strings missing from po/POTFILES.in: {missing}"


def test_every_listed_file_exists(d):
    absent = [f for f in potfiles() if not os.path.exists(os.path.join(ROOT, f))]
    assert not absent, f"po/POTFILES.in lists files that do not exist: {absent}"


def test_no_format_macro_in_translatable_strings(d):
    bad = []
    for rel in translatable_sources():
        if not rel.endswith(".c"):
            continue
        text = strip_comments(open(os.path.join(ROOT, rel), encoding="utf-8").read())
        for match in CALL.finditer(text):
            end = call_extent(text, match.end() - 1)
            macro = MACRO.search(text, match.start(), end)
            if macro:
                line = text.count("\n", 0, match.start()) + 1
                bad.append(f"{rel}:{line}: {macro.group(0)} (use PRId64/PRIu64 or %zu)")
    assert not bad, "xgettext cannot expand these macros, so the msgid is cut short:\n" + "\n".join(bad)


def build_template(d):
    """Runs xgettext over po/POTFILES.in as meson's glib preset does;
    returns (path of the template, xgettext's result)."""
    pot = os.path.join(d, "t.pot")
    # The keywords of meson's glib preset.
    args = ["xgettext", "--from-code=UTF-8", "--add-comments", "-o", pot,
            "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
            "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
            "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
            "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
            "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
            "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
            "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
            "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
            "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format", "--flag=g_snprintf:3:c-format",
            "--directory=" + ROOT, "--files-from=" + os.path.join(ROOT, "po", "POTFILES.in")]
    return pot, subprocess.run(args, capture_output=True, text=True, timeout=120)


def test_xgettext_reads_everything_cleanly(d):
    pot_path, result = build_template(d)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert not warnings, "\n".join(warnings)
    pot = open(pot_path, encoding="utf-8").read()
    # Strings cut short by a macro end in a lone "%".
    cut = re.findall(r'^msgid "(.*%)"$', pot, re.M)
    assert not cut, f"msgids that end in a lone %: {cut}"
    assert pot.count("\nmsgid ") > 500, "the template is suspiciously small"


def linguas():
    with open(os.path.join(ROOT, "po", "LINGUAS")) as f:
        return [word for line in f for word in line.split("#")[0].split()]


def msgids(po_text):
    """The messages of a PO file, as "msgctxt|msgid" (the header left out)."""
    found = []
    for block in po_text.split("\n\n"):
        context = re.search(r'^msgctxt ((?:".*"\n?)+)', block, re.M)
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if msgid is None:
            continue
        text = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        if text == "":
            continue
        if context is not None:
            text = "".join(re.findall(r'"(.*)"', context.group(1))) + "|" + text
        found.append(text)
    return found


def test_every_language_is_complete(d):
    """A message added or changed in the sources fails here until every
    translation has it: each .po merged with the template built now (not a
    po/tessera.pot that may be stale) must have no untranslated and no
    fuzzy message, and msgfmt --check must accept it."""
    pot, result = build_template(d)
    assert result.returncode == 0, result.stderr
    languages = linguas()
    assert languages, "po/LINGUAS lists no language"
    problems = []
    for language in languages:
        po = os.path.join(ROOT, "po", language + ".po")
        if not os.path.exists(po):
            problems.append(f"{language}: po/{language}.po is missing")
            continue
        merged = os.path.join(d, language + ".po")
        run = subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--no-wrap", "-o", merged, po, pot],
                             capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            problems.append(f"{language}: msgmerge failed: {run.stderr.strip()}")
            continue
        for what, option in (("untranslated", "--untranslated"), ("fuzzy", "--only-fuzzy")):
            run = subprocess.run(["msgattrib", option, "--no-obsolete", "--no-wrap", merged],
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stderr
            missing = msgids(run.stdout)
            if missing:
                problems.append(f"{language}: {len(missing)} {what}:\n" + "\n".join(f"  {m!r}" for m in missing))
        run = subprocess.run(["msgfmt", "--check", "-o", os.devnull, merged], capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            problems.append(f"{language}: msgfmt --check:\n{run.stderr.strip()}")
    assert not problems, "translations are not complete:\n" + "\n".join(problems)


tap.run_all(globals())
