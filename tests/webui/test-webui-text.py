#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The web interface's texts live in one table (TEXT in tessera.js), for
translation: every key the page (data-text, data-placeholder) or the
script (text ('key'), and the STATUS list) names is in the table, every
entry of the table is used, and index.html has no words outside it but
the program's name."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap  # noqa: E402

WEBUI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "webui")


def read(name):
    with open(os.path.join(WEBUI, name), encoding="utf-8") as f:
        return f.read()


HTML = read("index.html")
JS = read("tessera.js")
START = JS.index("const TEXT = {")
END = JS.index("\n};", START)
KEYS = set(re.findall(r"^  (\w+): '", JS[START:END], re.M))
CODE = JS[END:]
PAGE_KEYS = set(re.findall(r'data-(?:text|placeholder)="(\w+)"', HTML))
CALLED = set(re.findall(r"\btext\('(\w+)'", CODE))
STATUS = set(re.findall(r"'(state\w+)'", CODE))


def test_page_keys_exist(d):
    assert PAGE_KEYS and PAGE_KEYS <= KEYS, sorted(PAGE_KEYS - KEYS)


def test_script_keys_exist(d):
    assert CALLED and CALLED <= KEYS, sorted(CALLED - KEYS)
    assert STATUS <= KEYS, sorted(STATUS - KEYS)


def test_every_entry_used(d):
    named = set(re.findall(r"'(\w+)'", CODE))
    unused = KEYS - PAGE_KEYS - CALLED - named
    assert not unused, sorted(unused)


def test_no_words_outside_the_table(d):
    body = HTML[HTML.index("<body>"):]
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    words = [w.strip() for w in re.findall(r">([^<]+)<", body) if w.strip()]
    assert words == ["Tessera"], words   # the name is not translated


Tap().run_all(dict(globals()))
