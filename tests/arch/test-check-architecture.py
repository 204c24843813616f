#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The architecture check checks: each case builds a small source tree in a
temporary folder, runs check-architecture.py over it and reads its exit
status and TAP lines. Every rule is shown to fail on a tree that breaks
it and to pass on the nearest tree that does not, and the ratchet of
known offenders is shown to allow shrinking, refuse growth and refuse
stale entries."""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap  # noqa: E402

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-architecture.py")
OFFENDERS = "tests/arch/known-offenders.json"


def c_file(name, body="", lines=None, includes=()):
    """A .c in Tessera's shape; padded with blank-ish lines to @lines."""
    head = "".join(f'#include "{h}"\n' for h in includes)
    text = (f"/* SPDX-License-Identifier: GPL-3.0-or-later */\n"
            f'#define G_LOG_DOMAIN "{name}"\n#include "config.h"\n{head}\n{body}')
    if lines is not None:
        have = text.count("\n")
        assert have <= lines, (name, have, lines)
        text += "/* padding */\n" * (lines - have)
    return text


def function(name, calls=(), static=False):
    """A function definition, return type on its own line, calling @calls."""
    body = "".join(f"  {c} ();\n" for c in calls)
    return f"{'static ' if static else ''}void\n{name} (void)\n{{\n{body}}}\n\n"


def make_tree(root, files, offenders=None):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    if offenders is not None:
        path = os.path.join(root, OFFENDERS)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(offenders, f)


def run(root, *args):
    p = subprocess.run([sys.executable, CHECKER, *args, root], capture_output=True, text=True, timeout=30)
    assert p.stderr == "", p.stderr
    return p.returncode, p.stdout


def rule_line(out, rule):
    m = re.search(rf"^(not ok|ok) {rule} - (.*)$", out, re.M)
    assert m, out
    return m.group(1), m.group(2)


def expect(root, failing, *needles, args=()):
    """Runs the checker; exactly the rules in @failing fail, and each of
    @needles is in the output."""
    rc, out = run(root, *args)
    assert out.startswith("1..7\n"), out
    for rule in range(1, 8):
        status, _ = rule_line(out, rule)
        want = "not ok" if rule in failing else "ok"
        assert status == want, f"rule {rule}: {status}, wanted {want}\n{out}"
    assert rc == (1 if failing else 0), (rc, out)
    for needle in needles:
        assert needle in out, f"{needle!r} not in:\n{out}"
    return out


CODEC = "src/engine/codec/"
DISK = "src/engine/disk/"
NET = "src/engine/net/"
SWARM = "src/engine/swarm/"
TORRENT = "src/engine/torrent/"


def test_1201_line_file_fails(d):
    make_tree(d, {CODEC + "tsr-big.c": c_file("tsr-big", lines=1200)})
    expect(d, [], "1 .c files over 1000 lines, 0 over 1200")
    make_tree(d, {CODEC + "tsr-big.c": c_file("tsr-big", lines=1201)})
    expect(d, [1], "src/engine/codec/tsr-big.c has 1201 lines, over 1200")


def test_fifth_file_over_1000_fails(d):
    files = {f"{SWARM}tsr-f{i}.c": c_file(f"tsr-f{i}", lines=1001) for i in range(4)}
    files["src/app/tsr-edge.c"] = c_file("tsr-edge", lines=1000)
    make_tree(d, files)
    expect(d, [], "4 .c files over 1000 lines, 0 over 1200")
    make_tree(d, {"src/app/tsr-edge.c": c_file("tsr-edge", lines=1001)})
    expect(d, [1], "src/app/tsr-edge.c has 1001 lines: 5 .c files are over 1000 lines, at most 4 may be")


def test_direct_call_cycle_fails(d):
    make_tree(d, {
        SWARM + "tsr-alpha.c": c_file("tsr-alpha", function("tsr_alpha_run", ["tsr_beta_start"])),
        SWARM + "tsr-beta.c": c_file("tsr-beta", "\n" + function("tsr_beta_start", ["_tsr_alpha_done"])
                                     + function("helper")),
        SWARM + "tsr-alpha-private.h": "void _tsr_alpha_done (void);\n",
        SWARM + "tsr-alpha-done.c": c_file("tsr-alpha-done", function("_tsr_alpha_done")),
    })
    # tsr-alpha-done is its own module, so this is no cycle yet.
    expect(d, [], "No call cycles")
    make_tree(d, {SWARM + "tsr-beta.c": c_file("tsr-beta", "\n" + function("tsr_beta_start", ["tsr_alpha_run"]))})
    expect(d, [3], "new call cycle among tsr-alpha, tsr-beta:", "tsr-alpha -> tsr-beta -> tsr-alpha",
           "src/engine/swarm/tsr-alpha.c:8 names tsr_beta_start (src/engine/swarm/tsr-beta.c)",
           "src/engine/swarm/tsr-beta.c:9 names tsr_alpha_run (src/engine/swarm/tsr-alpha.c)")


CALLBACK_HEADER = """typedef struct { void (*done) (gpointer user_data); } TsrBetaFuncs;
void tsr_beta_start (const TsrBetaFuncs *funcs, gpointer user_data);
"""


def test_callback_table_passes(d):
    alpha = ("static void\ntsr_alpha_on_done (gpointer user_data)\n{\n}\n\n"
             "static const TsrBetaFuncs beta_funcs = { tsr_alpha_on_done };\n\n"
             "void\ntsr_alpha_run (void)\n{\n  tsr_beta_start (&beta_funcs, NULL);\n}\n")
    beta = ("void\ntsr_beta_start (const TsrBetaFuncs *funcs,\n                gpointer user_data)\n{\n"
            "  funcs->done (user_data);\n}\n")
    make_tree(d, {
        SWARM + "tsr-beta.h": CALLBACK_HEADER,
        SWARM + "tsr-alpha.h": "void tsr_alpha_run (void);\n",
        SWARM + "tsr-alpha.c": c_file("tsr-alpha", alpha, includes=["tsr-alpha.h", "tsr-beta.h"]),
        SWARM + "tsr-beta.c": c_file("tsr-beta", beta, includes=["tsr-beta.h"]),
    })
    expect(d, [], "No call cycles", "No include cycles")
    # The same callback made non-static is a definition, and naming it back is a cycle.
    make_tree(d, {
        SWARM + "tsr-alpha.c": c_file("tsr-alpha", alpha.replace("static void\ntsr_alpha_on_done", "void\ntsr_alpha_on_done"),
                                      includes=["tsr-alpha.h", "tsr-beta.h"]),
        SWARM + "tsr-beta.c": c_file("tsr-beta", beta.replace("funcs->done (user_data)", "tsr_alpha_on_done (user_data)"),
                                     includes=["tsr-beta.h"]),
    })
    expect(d, [3], "tsr-alpha -> tsr-beta -> tsr-alpha")


def test_static_and_prototypes_are_not_definitions(d):
    """A static helper of the same name in two files, and a prototype at
    column 0 in a .c, define nothing for the other file to name."""
    helper = "static gint64\n_tsr_now (void)\n{\n  return 0;\n}\n\n"
    make_tree(d, {
        SWARM + "tsr-alpha.c": c_file("tsr-alpha", helper + "void\ntsr_beta_start (void);\n\n"
                                      + function("tsr_alpha_run", ["_tsr_now", "tsr_beta_start"])),
        SWARM + "tsr-beta.c": c_file("tsr-beta", helper + function("tsr_beta_start", ["_tsr_now"])),
    })
    expect(d, [], "No call cycles")


def test_get_type_and_quark_are_definitions(d):
    make_tree(d, {
        SWARM + "tsr-alpha.c": c_file("tsr-alpha", "G_DEFINE_FINAL_TYPE (TsrAlpha, tsr_alpha, G_TYPE_OBJECT)\n\n"
                                      + function("tsr_alpha_run", ["tsr_beta_error_quark"])),
        SWARM + "tsr-beta.c": c_file("tsr-beta", "G_DEFINE_QUARK (tsr-beta-error-quark, tsr_beta_error)\n\n"
                                     + function("tsr_beta_run", ["tsr_alpha_get_type"])),
    })
    expect(d, [3], "names tsr_alpha_get_type", "names tsr_beta_error_quark")


def test_include_cycle_fails(d):
    make_tree(d, {
        DISK + "tsr-one.h": '#include "tsr-two.h"\n',
        DISK + "tsr-two.h": "",
        DISK + "tsr-two.c": c_file("tsr-two", includes=["tsr-two.h"]),
        DISK + "tsr-one.c": c_file("tsr-one", includes=["tsr-one.h"]),
    })
    expect(d, [], "No include cycles")
    make_tree(d, {DISK + "tsr-two.c": c_file("tsr-two", includes=["tsr-two.h", "tsr-one.h"])})
    expect(d, [2], "new include cycle among tsr-one, tsr-two:", "tsr-one -> tsr-two -> tsr-one",
           "src/engine/disk/tsr-one.h:1 includes tsr-two.h (src/engine/disk/tsr-two.h)",
           "src/engine/disk/tsr-two.c:5 includes tsr-one.h (src/engine/disk/tsr-one.h)")


def test_upward_include_fails(d):
    make_tree(d, {
        TORRENT + "tsr-top.h": "void tsr_top_run (void);\n",
        TORRENT + "tsr-peak.h": "",
        TORRENT + "tsr-top.c": c_file("tsr-top", function("tsr_top_run", ["tsr_low_parse"]), includes=["tsr-low.h"]),
        CODEC + "tsr-low.h": "void tsr_low_parse (void);\n",
        CODEC + "tsr-low.c": c_file("tsr-low", function("tsr_low_parse"), includes=["tsr-low.h"]),
    })
    expect(d, [], "0 upward or sideways use(s)")
    make_tree(d, {CODEC + "tsr-low.c": c_file("tsr-low", function("tsr_low_parse"), includes=["tsr-low.h", "tsr-peak.h"])})
    expect(d, [4], "src/engine/codec/tsr-low.c:5 includes tsr-peak.h (src/engine/torrent/tsr-peak.h): "
                   "codec (rank 0) may not use torrent (rank 4)")


def test_upward_reference_fails(d):
    make_tree(d, {
        TORRENT + "tsr-top.c": c_file("tsr-top", function("tsr_top_run")),
        CODEC + "tsr-low.c": c_file("tsr-low", function("tsr_low_parse", ["tsr_top_run"])),
    })
    expect(d, [4], "src/engine/codec/tsr-low.c:8 references tsr_top_run (src/engine/torrent/tsr-top.c)")


def test_engine_uses_app_fails(d):
    make_tree(d, {
        "src/app/tsr-win.h": "",
        TORRENT + "tsr-top.c": c_file("tsr-top", includes=["tsr-win.h"]),
        "src/tracker/tsr-srv.c": c_file("tsr-srv", function("tsr_srv_run", ["tsr_top_go"])),
        TORRENT + "tsr-go.c": c_file("tsr-go", function("tsr_top_go")),
    })
    expect(d, [4], "torrent (rank 4) may not use app (rank 7)")
    out = expect(d, [4])
    assert "tsr-srv" not in out, out  # the tracker may use the engine


def test_disk_net_reference_fails(d):
    make_tree(d, {
        NET + "tsr-sock.c": c_file("tsr-sock", function("tsr_sock_send")),
        DISK + "tsr-file.c": c_file("tsr-file", function("tsr_file_write")),
        SWARM + "tsr-mid.c": c_file("tsr-mid", function("tsr_mid_run", ["tsr_sock_send", "tsr_file_write"])),
    })
    expect(d, [])
    make_tree(d, {DISK + "tsr-file.c": c_file("tsr-file", function("tsr_file_write", ["tsr_sock_send"]))})
    expect(d, [4], "src/engine/disk/tsr-file.c:8 references tsr_sock_send (src/engine/net/tsr-sock.c): "
                   "disk (rank 1) may not use net (rank 1)")


def test_private_struct_shared_by_engine_files_fails(d):
    make_tree(d, {
        TORRENT + "tsr-top-private.h": "struct _TsrTop\n{\n  int state;\n};\n",
        TORRENT + "tsr-top.c": c_file("tsr-top", includes=["tsr-top-private.h"]),
        TORRENT + "tsr-hooks-private.h": "void _tsr_hooks_set (int x);\n",
        TORRENT + "tsr-hooks.c": c_file("tsr-hooks", includes=["tsr-hooks-private.h"]),
        TORRENT + "tsr-other.c": c_file("tsr-other", includes=["tsr-hooks-private.h"]),
    })
    expect(d, [], "0 shared -private.h")
    make_tree(d, {TORRENT + "tsr-top-extra.c": c_file("tsr-top-extra", includes=["tsr-top-private.h"])})
    expect(d, [5], "src/engine/torrent/tsr-top-extra.c includes src/engine/torrent/tsr-top-private.h",
           "src/engine/torrent/tsr-top.c includes src/engine/torrent/tsr-top-private.h")


def test_private_typedef_struct_through_header_fails(d):
    make_tree(d, {
        "src/tracker/tsr-store-private.h": "typedef struct\n{\n  int n;\n} Store;\n",
        "src/tracker/tsr-store.h": '#include "tsr-store-private.h"\n',
        "src/tracker/tsr-store.c": c_file("tsr-store", includes=["tsr-store.h"]),
        "src/tracker/tsr-state.c": c_file("tsr-state", includes=["tsr-store.h"]),
    })
    expect(d, [5], "src/tracker/tsr-state.c includes src/tracker/tsr-store-private.h")


def test_private_struct_shared_by_app_files_passes(d):
    make_tree(d, {
        "src/app/tsr-win-private.h": "struct _TsrWin\n{\n  int state;\n};\n",
        "src/app/tsr-win.c": c_file("tsr-win", includes=["tsr-win-private.h"]),
        "src/app/tsr-win-actions.c": c_file("tsr-win-actions", includes=["tsr-win-private.h"]),
    })
    expect(d, [], "0 shared -private.h")


def test_test_hook_string_fails(d):
    body = ('/* "TESSERA_TEST_REPORT" in a comment is fine */\n'
            'static const char *sandbox = "TESSERA_NO_DHT";\n')
    make_tree(d, {"src/app/tsr-app.c": c_file("tsr-app", body)})
    expect(d, [], "0 hook string(s)")
    make_tree(d, {"src/app/tsr-app.c": c_file("tsr-app", body + 'static const char *h = "TESSERA_TEST_REPORT";\n')})
    expect(d, [6], "src/app/tsr-app.c: test hook string(s) at line(s) 7")
    make_tree(d, {"src/app/tsr-app.c": c_file("tsr-app", body + 'const char *s = g_getenv ("TESSERA_SMOKE_TEST");\n')})
    expect(d, [6], "at line(s) 7")


def test_gtk_in_engine_fails(d):
    make_tree(d, {"src/app/tsr-app.c": "#include <gtk/gtk.h>\n#include <adwaita.h>\n"})
    expect(d, [])
    make_tree(d, {NET + "tsr-sock.c": "#include <glib.h>\n#include <adwaita.h>\n"})
    expect(d, [6], "src/engine/net/tsr-sock.c:2 includes <adwaita.h>")


def test_front_end_includes_private_header_fails(d):
    make_tree(d, {
        "src/engine/tessera-engine.h": '#include "tsr-top.h"\n',
        TORRENT + "tsr-top.h": "",
        "src/tracker/tsr-srv.h": "",
        "src/cli/cmd-run.c": c_file("cmd-run", includes=["tessera-engine.h", "tsr-srv.h"]),
        "src/app/tsr-win.c": c_file("tsr-win", includes=["tessera-engine.h", "tsr-win.h"]),
        "src/app/tsr-win.h": "",
    })
    expect(d, [], "0 private engine header include(s)")
    make_tree(d, {"src/app/tsr-win.c": c_file("tsr-win", includes=["tessera-engine.h", "tsr-top.h"])})
    expect(d, [7], 'src/app/tsr-win.c includes "tsr-top.h"')


def test_comments_and_strings_make_no_edges(d):
    alpha = ("/* tsr_beta_start () is called later;\n   see tsr_beta_start */\n"
             "// tsr_beta_start\n"
             "void\ntsr_alpha_run (void)\n{\n"
             '  g_message ("tsr_beta_start (%c)", \'"\');\n'
             '  g_message ("\\" tsr_beta_start");\n}\n')
    make_tree(d, {
        SWARM + "tsr-alpha.c": c_file("tsr-alpha", alpha),
        SWARM + "tsr-beta.c": c_file("tsr-beta", function("tsr_beta_start", ["tsr_alpha_run"])),
        CODEC + "tsr-low.c": c_file("tsr-low", '/* calls tsr_alpha_run */\nconst char *s = "tsr_alpha_run";\n'
                                               '/* #include "tsr-alpha.h" */\n'),
        SWARM + "tsr-alpha.h": "",
    })
    expect(d, [], "No call cycles", "0 upward or sideways use(s)")
    # and the real call does count
    make_tree(d, {SWARM + "tsr-alpha.c": c_file("tsr-alpha", alpha.replace("}\n", "  tsr_beta_start ();\n}\n"))})
    expect(d, [3], "tsr-alpha -> tsr-beta -> tsr-alpha")


def test_known_offender_may_shrink_but_not_grow(d):
    rel = "src/engine/dht/tsr-big.c"
    make_tree(d, {rel: c_file("tsr-big", lines=1250)}, {"long_files": {rel: 1250}})
    expect(d, [])
    make_tree(d, {}, {"long_files": {rel: 1300}})
    expect(d, [])
    make_tree(d, {}, {"long_files": {rel: 1240}})
    expect(d, [1], f"{rel} has 1250 lines, known at 1240: it may shrink, never grow")


def test_stale_known_offender_fails(d):
    rel = "src/engine/dht/tsr-big.c"
    make_tree(d, {rel: c_file("tsr-big", lines=900)}, {"long_files": {rel: 1250}})
    expect(d, [1], f"long_files: {rel} (900 lines) no longer offends: remove it from tests/arch/known-offenders.json")
    make_tree(d, {}, {"call_cycles": [["tsr-a", "tsr-b"]], "env_hooks": {"src/app/tsr-app.c": 1}})
    expect(d, [3, 6], "call_cycles: [tsr-a, tsr-b] no longer offends: remove it from",
           "env_hooks: src/app/tsr-app.c no longer offends")


def test_known_cycle_may_lose_members_never_gain(d):
    files = {
        SWARM + "tsr-a.c": c_file("tsr-a", function("tsr_a_run", ["tsr_b_run"])),
        SWARM + "tsr-b.c": c_file("tsr-b", function("tsr_b_run", ["tsr_a_run"])),
    }
    make_tree(d, files, {"call_cycles": [["tsr-a", "tsr-b", "tsr-c"]]})
    expect(d, [], "1 call cycle component(s): tsr-a tsr-b", "known component now without tsr-c")
    make_tree(d, {SWARM + "tsr-d.c": c_file("tsr-d", function("tsr_d_run", ["tsr_a_run"])),
                  SWARM + "tsr-b.c": c_file("tsr-b", function("tsr_b_run", ["tsr_d_run"]))})
    expect(d, [3], "grew call cycle among tsr-a, tsr-b, tsr-d:", "tsr-d -> tsr-a -> tsr-b -> tsr-d")


def test_new_offender_fails_beside_known_ones(d):
    make_tree(d, {"src/app/tsr-app.c": c_file("tsr-app", 'const char *h = "TESSERA_TEST_A";\n')},
              {"env_hooks": {"src/app/tsr-app.c": 1}})
    expect(d, [])
    make_tree(d, {"src/app/tsr-app.c": c_file("tsr-app", 'const char *h = "TESSERA_TEST_A", *i = "TESSERA_SCREENSHOTS";\n')})
    expect(d, [6], "src/app/tsr-app.c: 2 test hook strings (lines 5, 5), known at 1")


def test_write_offenders_round_trip(d):
    make_tree(d, {
        "src/engine/dht/tsr-big.c": c_file("tsr-big", lines=1300),
        SWARM + "tsr-a.c": c_file("tsr-a", function("tsr_a_run", ["tsr_b_run"])),
        SWARM + "tsr-b.c": c_file("tsr-b", function("tsr_b_run", ["tsr_a_run"])),
        "src/app/tsr-app.c": c_file("tsr-app", 'const char *h = "TESSERA_TEST_A";\n'),
    })
    expect(d, [1, 3, 6])
    rc, text = run(d, "--write-offenders")
    assert rc == 0, text
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n", text
    assert data["long_files"] == {"src/engine/dht/tsr-big.c": 1300}, data
    assert data["call_cycles"] == [["tsr-a", "tsr-b"]], data
    assert data["env_hooks"] == {"src/app/tsr-app.c": 1}, data
    assert not os.path.exists(os.path.join(d, OFFENDERS)), "the checker wrote the offenders file"
    make_tree(d, {})
    os.makedirs(os.path.join(d, "tests", "arch"))
    with open(os.path.join(d, OFFENDERS), "w") as f:
        f.write(text)
    expect(d, [])
    with open(os.path.join(d, OFFENDERS)) as f:
        assert f.read() == text


def test_unknown_key_bails_out(d):
    make_tree(d, {CODEC + "tsr-low.c": c_file("tsr-low")}, {"long_file": {}})
    rc, out = run(d)
    assert rc == 2 and out.startswith("Bail out!") and "long_file" in out, (rc, out)


def test_real_tree_is_fast(d):
    """The real tree, with its offenders file: green, and quick."""
    import time
    root = os.path.join(os.path.dirname(CHECKER), "..", "..")
    start = time.monotonic()
    rc, out = run(root)
    elapsed = time.monotonic() - start
    assert rc == 0, out
    assert elapsed < 5, elapsed  # about 0.5 s; a loose bound for a loaded machine


Tap().run_all(globals())
