#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The app as a screen reader meets it: through AT-SPI, not GTK's test
backend (run as `dbus-run-session -- xvfb-run -a test-a11y-atspi.py`).

The built `tessera` runs with a temporary home (XDG folders, settings in
memory) and a library of three torrents written before it starts
("alpha-stopped"; "beta-seeding", whose data is present and so seeds
after its check; "gamma-folder", a folder and a file). The
accessibility bus is this test's own: at-spi-bus-launcher, started here
in a process group of its own, starts the bus daemon and
at-spi2-registryd on it; GTK 4.8 finds the bus through org.a11y.Bus on
the (private) session bus, as it does on a desktop. The test reads the
tree with libatspi (gir1.2-atspi-2.0), as Orca does, and checks (one
TAP line each):

- main-window-name: the main window is named "Tessera";
- list-rows: the compact table's and the detailed list's rows read as
  name, progress and state ("beta-seeding, 100 percent, Seeding");
- focusable, tab-reaches: the header buttons and the list take focus,
  and Tab (real keys: XTest through the registry) brings focus events
  from each header button and from the list;
- details-bars: the overview's bars are named by their headings and
  describe their numbers; no image is unnamed;
- files-tree: a folder row in the Files page is expandable, a file row
  not;
- main-window-controls, preferences, create-dialog, add-dialog: every
  visible control, list, table, row, cell, bar and image (NAMED) has a
  name (its own, or through a labelled-by relation) that is not a
  widget type ("GtkListBox") and not said twice ("_Add Add"); the
  failure lists each; Escape closes each dialog; in the create dialog,
  Tab (Ctrl+Tab out of its text areas) brings a focus event ("focused:
  true", with the field's name) from the Comment, Source and Leave Out
  fields;
- magnet-dialog, trackers-dialog, options-window, move-dialog,
  rename-dialog, remote-page: the same, and Tab (real keys) brings a
  focus event from every control that takes focus there (the Remote
  Control page's five text fields among them); the dialogs
  are opened as the menu and the header do, through the window's
  actions on the session bus (org.gtk.Actions), the rename dialog by F2
  on the Files page (for the row Tab reached), the move dialog through its folder chooser (GTK's
  own, as without a portal: a known limit, not walked);
- shortcuts-window: the keyboard shortcuts window (Ctrl+?'s action,
  win.show-help-overlay, on the session bus) is named,
  every group of gtk/help-overlay.ui is named by its title, every
  shortcut by its title and its keys, nothing in it reads as a widget
  type, Tab reaches its controls and Escape closes it.

What GTK 4.8 builds that the app cannot reach (known_limit, and GTK's
file chooser above) is printed as "# known limit" and not counted.
(libadwaita 1.2's AdwEntryRow was one: GTK 4.8 sends its focus event
from an inner part that is not focused; the app's text fields are
TsrEntryRow, a plain GtkEntry in an AdwActionRow, and are checked.)
TSR_A11Y_DUMP=1 prints the tree.

Every process is started here and stopped by PID, also on failure; the
bus launcher's group (its bus daemon and registry) by the launcher's
PID, which is the group's id."""

import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Lines, Tap, bencode, info_hash, need_tool, pseudo_random, write  # noqa: E402

try:
    import gi
    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi, Gio, GLib  # noqa: E402
except (ImportError, ValueError) as error:
    print(f"Bail out! libatspi's introspection data is missing ({error}): install the Debian package "
          "gir1.2-atspi-2.0 (build-aux/install-deps does)")
    sys.exit(1)

APP_ID = "io.github.tessera.Tessera"
APP = os.environ.get("TESSERA_APP")
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
REGISTRY = "/usr/libexec/at-spi2-registryd"
if not APP or not os.access(APP, os.X_OK):
    print(f"Bail out! TESSERA_APP does not name the built app: {APP!r}")
    sys.exit(1)
for tool in (BUS_LAUNCHER, REGISTRY):
    if not os.access(tool, os.X_OK):
        print(f"Bail out! {tool} is missing: install the Debian package at-spi2-core (build-aux/install-deps does)")
        sys.exit(1)
need_tool("gapplication", "libglib2.0-bin")
if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") or not os.environ.get("DISPLAY"):
    print("Bail out! run under dbus-run-session and xvfb-run (no session bus or display)")
    sys.exit(1)

tap = Tap()

# "(tessera:123): tsr-app-events-DEBUG: 12:00:00.000: window-mapped"
EVENT = re.compile(r"tsr-app-events-DEBUG: \d\d:\d\d:\d\d\.\d\d\d: (.*)$")

# Roles of the controls a person operates: each needs a name.
CONTROLS = {
    Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON, Atspi.Role.CHECK_BOX, Atspi.Role.RADIO_BUTTON,
    Atspi.Role.SPIN_BUTTON, Atspi.Role.COMBO_BOX, Atspi.Role.SLIDER, Atspi.Role.ENTRY,
    Atspi.Role.PASSWORD_TEXT, Atspi.Role.MENU_ITEM, Atspi.Role.CHECK_MENU_ITEM, Atspi.Role.RADIO_MENU_ITEM,
    Atspi.Role.PAGE_TAB, Atspi.Role.SWITCH if hasattr(Atspi.Role, "SWITCH") else Atspi.Role.TOGGLE_BUTTON,
}
# And what a screen reader reads by its name as a person moves through
# the window: lists, tables, their rows and cells, bars.
NAMED = CONTROLS | {
    Atspi.Role.LIST, Atspi.Role.LIST_BOX, Atspi.Role.LIST_ITEM, Atspi.Role.TABLE, Atspi.Role.TREE_TABLE,
    Atspi.Role.TREE, Atspi.Role.TABLE_ROW, Atspi.Role.TABLE_CELL, Atspi.Role.TREE_ITEM, Atspi.Role.PROGRESS_BAR,
    Atspi.Role.LEVEL_BAR, Atspi.Role.PAGE_TAB_LIST, Atspi.Role.IMAGE,
}
# The known limits met, printed at the end.
KNOWN = set()
# What GTK 4.8 says when nothing names a widget: its type.
TYPE_NAME = re.compile(r"^(Gtk|Adw|Tsr)[A-Z][A-Za-z]*$")




def stop(process, group=False):
    """Stops a process this test started, by its PID (and, for the bus
    launcher, the group it leads: its own PID is the group's id)."""
    if process.poll() is None:
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
            process.wait()
    if group:
        try:
            os.killpg(process.pid, signal.SIGKILL)   # the registry, if it outlived the launcher
        except ProcessLookupError:
            pass


def a11y_bus_address():
    """The accessibility bus's address from org.a11y.Bus, or None."""
    try:
        bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        reply = bus.call_sync("org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress", None,
                              GLib.VariantType.new("(s)"), Gio.DBusCallFlags.NO_AUTO_START, 2000, None)
        return reply.unpack()[0]
    except GLib.Error:
        return None


def start_a11y_bus(started):
    launcher = subprocess.Popen([BUS_LAUNCHER, "--launch-immediately"], start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started.append((launcher, True))
    end = time.monotonic() + 20
    while time.monotonic() < end:
        if a11y_bus_address():
            return
        if launcher.poll() is not None:
            raise AssertionError(f"at-spi-bus-launcher exited with {launcher.returncode}")
        time.sleep(0.1)
    raise AssertionError("org.a11y.Bus did not appear on the session bus within 20 s")


def make_torrent(path, name, data, piece_length=16384):
    """A single-file torrent of @data, or, when @data is a list of (path
    parts, bytes), a folder of those files."""
    files = data if isinstance(data, list) else None
    joined = b"".join(part for _, part in files) if files else data
    pieces = b"".join(hashlib.sha1(joined[i:i + piece_length]).digest()
                      for i in range(0, len(joined), piece_length))
    info = {"name": name, "piece length": piece_length, "pieces": pieces}
    if files:
        info["files"] = [{"path": parts, "length": len(part)} for parts, part in files]
    else:
        info["length"] = len(data)
    write(path, bencode({"info": info}))
    return info_hash(info)


def make_home(d):
    """A home whose library holds "alpha-stopped" (stopped, no data),
    "beta-seeding" (data present: checked, then seeding) and
    "gamma-folder" (stopped, a folder "sub" and a file)."""
    home = os.path.join(d, "home")
    downloads = os.path.join(home, "Downloads")
    library = os.path.join(home, ".local", "share", "tessera")
    entries = []
    digests = {}
    for name, paused, have in (("alpha-stopped", True, False), ("beta-seeding", False, True),
                               ("gamma-folder", True, False)):
        data = pseudo_random(5 * 16384 + 77, len(name))
        if name == "gamma-folder":
            data = [(["sub", "one.bin"], data[:40000]), (["two.bin"], data[40000:])]
        torrent = os.path.join(d, name + ".torrent")
        digest = make_torrent(torrent, name, data)
        digests[name] = digest
        with open(torrent, "rb") as f:
            write(os.path.join(library, "torrents", digest + ".torrent"), f.read())
        if have:
            write(os.path.join(downloads, name), data)
        entries.append('{"hash": "%s", "folder": "%s", "paused": %s}' % (digest, downloads,
                                                                        "true" if paused else "false"))
    write(os.path.join(library, "torrents.json"), ('{"torrents": [%s]}' % ", ".join(entries)).encode())
    os.makedirs(downloads, exist_ok=True)
    write(os.path.join(home, ".config", "user-dirs.dirs"), b'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n')
    return home, digests


def app_env(home):
    env = dict(os.environ)
    env.update({
        "HOME": home,
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "G_MESSAGES_DEBUG": "tsr-app-events",
        "GSETTINGS_BACKEND": "memory",
        "GDK_BACKEND": "x11",
        "GTK_A11Y": "atspi",
        "no_proxy": "*",
    })
    for key in list(env):
        if key.lower().endswith("_proxy") and key != "no_proxy":
            del env[key]
    return env


# --- reading the tree -------------------------------------------------------

def pump(seconds):
    """Lets libatspi's main context deliver events for @seconds."""
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        while context.pending():
            context.iteration(False)
        time.sleep(0.02)


def safe(call, default=None):
    try:
        return call()
    except GLib.Error:
        return default


def children(node):
    count = safe(node.get_child_count, 0)
    for i in range(count):
        child = safe(lambda: node.get_child_at_index(i))
        if child is not None:
            yield child


def walk(node, depth=0, limit=60):
    yield node, depth
    if depth < limit:
        for child in children(node):
            yield from walk(child, depth + 1, limit)


def states(node):
    state_set = safe(node.get_state_set)
    return state_set


def has_state(node, state):
    state_set = states(node)
    return state_set is not None and state_set.contains(state)


def visible(node):
    # GTK 4.8 sets "showing" on windows only; "visible" follows the widget.
    return has_state(node, Atspi.StateType.VISIBLE)


def name_of(node):
    return safe(node.get_name, "") or ""


def labelled_by_text(node):
    """The text of the labels a labelled-by relation points at."""
    texts = []
    for relation in safe(node.get_relation_set, []) or []:
        if relation.get_relation_type() != Atspi.RelationType.LABELLED_BY:
            continue
        for i in range(relation.get_n_targets()):
            target = relation.get_target(i)
            text = name_of(target)
            if not text:
                text = safe(lambda: Atspi.Text.get_text(target, 0, -1), "") or ""
            texts.append(text)
    return " ".join(t for t in texts if t)


def spoken_name(node):
    """What a screen reader reads as the name: the name, else the labels."""
    return name_of(node).strip() or labelled_by_text(node).strip()


def describe(node):
    role = safe(node.get_role_name, "?")
    path = []
    parent = node
    for _ in range(6):
        parent = safe(parent.get_parent)
        if parent is None:
            break
        label = name_of(parent)
        path.append(f"{safe(parent.get_role_name, '?')}" + (f" '{label}'" if label else ""))
    return f"{role} '{name_of(node)}' in {' < '.join(path)}"


def doubled(name):
    """"_Add Add", "S_top Stop": a mnemonic read with its label."""
    plain = name.replace("_", "")
    words = plain.split()
    half = len(words) // 2
    # (Not any underscore: a file's name in a check box may have one.)
    return len(words) >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]


def known_limit(node, role):
    """What GTK 4.8 and libadwaita 1.2 get wrong that the app cannot reach
    (see the README's accessibility part): the popup list of a drop-down
    or combo row (its list, its rows, its arrow icon) is built by the
    toolkit and read by type; the selected value is read on the combo
    box itself."""
    parent = node
    for _ in range(5):
        parent = safe(parent.get_parent)
        if parent is None:
            return None
        if safe(parent.get_role) == Atspi.Role.COMBO_BOX and role in (Atspi.Role.LIST, Atspi.Role.LIST_ITEM,
                                                                      Atspi.Role.IMAGE):
            return "a drop-down's popup list (GTK 4.8)"
    return None


def control_faults(root):
    faults = []
    for node, _ in walk(root):
        role = safe(node.get_role)
        if role not in NAMED or not visible(node):
            continue
        reason = known_limit(node, role)
        if reason is not None:
            KNOWN.add(f"{reason}: {safe(node.get_role_name)} '{name_of(node)}'")
            continue
        name = spoken_name(node)
        if not name:
            faults.append("no name: " + describe(node))
        elif TYPE_NAME.match(name):
            faults.append("reads as its type: " + describe(node))
        elif doubled(name):
            faults.append("name said twice: " + describe(node))
    return faults


def find_app(pid, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        desktop = Atspi.get_desktop(0)
        for app in children(desktop):
            if safe(app.get_process_id) == pid:
                return app
        time.sleep(0.2)
    raise AssertionError(f"the app (PID {pid}) is not on the accessibility bus's desktop within {timeout} s")


def window_named(app, predicate, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for window in children(app):
            if has_state(window, Atspi.StateType.SHOWING) and predicate(name_of(window)):
                return window
        time.sleep(0.2)
    names = [name_of(w) for w in children(app)]
    raise AssertionError(f"no such window within {timeout} s; windows: {names}")


def dump(root):
    for node, depth in walk(root):
        state_set = states(node)
        flags = ",".join(s.value_nick for s in state_set.get_states()) if state_set else "?"
        flags += "F" if has_state(node, Atspi.StateType.FOCUSABLE) else "-"
        print("# " + "  " * depth + f"{flags} {safe(node.get_role_name, '?')} '{name_of(node)}' "
              f"desc='{safe(node.get_description, '')}' lby='{labelled_by_text(node)}'")


# --- the test ------------------------------------------------------------------

HELP_OVERLAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "app", "gtk",
                            "help-overlay.ui")


def window_action(name, parameter=None):
    """Activates the main window's action @name ("options", not
    "win.options"), as its menu item does: GtkApplicationWindow exports
    its actions on the session bus next to the application's."""
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    args = GLib.Variant("(sava{sv})", (name, [parameter] if parameter is not None else [], {}))
    bus.call_sync(APP_ID, "/" + APP_ID.replace(".", "/") + "/window/1", "org.gtk.Actions", "Activate", args,
                  None, Gio.DBusCallFlags.NONE, 5000, None)


def other_windows(app):
    """The app's windows on screen but the main one (GTK 4.8 sets
    "showing" on some windows only; "visible" follows the widget)."""
    return [w for w in children(app) if visible(w) and name_of(w) != "Tessera"]


def wait_window(app, what, predicate=lambda window: True):
    try:
        return wait_until(lambda: next((w for w in other_windows(app) if predicate(w)), None), 20, what)
    except AssertionError as error:
        raise AssertionError(f"{error}; windows: {[(name_of(w), safe(w.get_role_name)) for w in children(app)]}") \
            from None


def wait_closed(app, window, what):
    wait_until(lambda: not visible(window) or window not in other_windows(app), 10, what)


# GTK's window controls (the header's Close): not Tab stops by GTK's
# design; Escape and Ctrl+W close the window.
WINDOW_CLOSE = "Close the window"


def tab_stops(window, hidden=()):
    """The controls in @window a person can Tab to, as (role, name): each
    control that is sensitive and focusable, but those named in @hidden
    (visible widgets in a part not shown: GTK 4.8 does not say
    "showing"). (Duplicates, such as a message dialog's two rows of the
    same buttons, one hidden, are one.)"""
    stops = set()
    for node, _ in walk(window):
        role = safe(node.get_role)
        name = spoken_name(node)
        editable = role == Atspi.Role.TEXT and has_state(node, Atspi.StateType.EDITABLE)
        if ((role in CONTROLS or editable) and visible(node) and has_state(node, Atspi.StateType.FOCUSABLE)
                and has_state(node, Atspi.StateType.SENSITIVE) and name not in hidden
                and safe(node.get_description, "") != WINDOW_CLOSE):
            stops.add((role, name))
    return stops


def check_tab_reaches_all(window, what, stops=None, presses=None):
    """Tab, real keys, round @window: a focus event comes from each of
    @stops (all its tab_stops () unless given)."""
    stops = tab_stops(window) if stops is None else stops
    assert stops, f"no control to Tab to in {what}"
    log = FocusLog()
    try:
        pump(0.3)
        press(0xff09, presses or 2 * len(stops) + 4)   # Tab
        pump(0.3)
    finally:
        log.close()
    heard = {(role, name) for role, name, _ in log.focused}
    missing = sorted(f"{Atspi.Role(role).value_nick} '{name}'" for role, name in stops - heard)
    assert not missing, (f"Tab did not reach in {what}: {missing}; heard "
                         f"{[(Atspi.Role(r).value_nick if r is not None else '?', n) for r, n, _ in log.focused]}")


def close_others(app):
    """Escape for what an earlier check left open (a failure's), so that
    the next check's keys go where it means."""
    for _ in range(4):
        if not other_windows(app):
            return
        press(0xff1b)
        pump(0.5)


def check_dialog(app, window, what, hidden=(), escape_closes=True):
    """@window's controls named, Tab reaching each, Escape closing it."""
    faults = control_faults(window)
    assert not faults, f"{len(faults)} unnamed or misnamed in {what}:\n" + "\n".join(faults)
    check_tab_reaches_all(window, what, tab_stops(window, hidden))
    if escape_closes:
        press(0xff1b)   # Escape
        wait_closed(app, window, f"{what} closed on Escape")


def check_magnet_dialog(app, main):
    """The magnet link dialog, from its header button."""
    close_others(app)
    button = find_all(main, Atspi.Role.PUSH_BUTTON, "Add a Magnet Link")
    assert button, "no Add a Magnet Link button"
    click(button[0])
    window = wait_window(app, "the magnet dialog", lambda w: name_of(w) == "Add a Magnet Link")
    entries = [spoken_name(n) for n in find_all(window, predicate=visible)
               if safe(n.get_role) in (Atspi.Role.ENTRY, Atspi.Role.TEXT)]
    assert entries == ["Magnet link"], entries
    check_dialog(app, window, "the magnet dialog")


def check_trackers_dialog(app, env, digest):
    close_others(app)
    gapplication(env, "action", APP_ID, "show-torrent", f"'{digest}'")
    pump(0.5)
    window_action("edit-trackers")
    window = wait_window(app, "the trackers dialog", lambda w: name_of(w) == "Trackers")
    texts = [spoken_name(n) for n in find_all(window, predicate=visible)
             if safe(n.get_role) in (Atspi.Role.ENTRY, Atspi.Role.TEXT)]
    assert len(texts) == 2 and all(texts), texts
    check_dialog(app, window, "the trackers dialog")


def check_options_window(app, env, digest):
    close_others(app)
    gapplication(env, "action", APP_ID, "show-torrent", f"'{digest}'")
    pump(0.5)
    window_action("options")
    window = wait_window(app, "the options window", lambda w: name_of(w) == "alpha-stopped")
    # An AdwPreferencesWindow of one page: its search (off) and its page
    # switcher (one page) are not shown.
    check_dialog(app, window, "the options window", hidden=("Search Preferences", "Options"))


def check_move_dialog(app, env, digest):
    """Move Data: GTK's folder chooser first (starting where the data is;
    "Move" leaves it there), then the app's dialog with its progress."""
    close_others(app)
    gapplication(env, "action", APP_ID, "show-torrent", f"'{digest}'")
    pump(0.5)
    window_action("move-data")
    chooser = wait_window(app, "the folder chooser", lambda w: name_of(w) == "Move Data To")
    KNOWN.add("GTK 4.8's own file chooser (a desktop's portal replaces it): not walked")
    move = [n for n in find_all(chooser, Atspi.Role.PUSH_BUTTON) if name_of(n).replace("_", "").startswith("Move")]
    assert move, "no Move button in the folder chooser"
    click(move[0])
    window = wait_window(app, "the move dialog", lambda w: name_of(w) == "Move Data")
    # (Its Close button turns on; its name is checked below.)
    wait_until(lambda: any(has_state(n, Atspi.StateType.SENSITIVE) and "Close" in name_of(n).replace("_", "")
                           for n in find_all(window, Atspi.Role.PUSH_BUTTON)), 20, "the move ended")
    bars = [n for n in find_all(window, Atspi.Role.PROGRESS_BAR) if visible(n)]
    assert bars and all(safe(b.get_description, "") for b in bars), [describe(b) for b in bars]
    check_dialog(app, window, "the move dialog")


def check_rename_dialog(app, main, env, digest):
    """F2 on the Files page, with focus in its tree (Tab to a row)."""
    close_others(app)
    gapplication(env, "action", APP_ID, "show-torrent", f"'{digest}'")
    window_action("show-page", GLib.Variant("s", "files"))
    pump(0.5)
    log = FocusLog()
    try:
        for _ in range(60):
            press(0xff09)
            if log.focused and log.focused[-1][1] == "two.bin":
                break
    finally:
        log.close()
    assert log.focused and log.focused[-1][1] == "two.bin", \
        f"Tab did not reach the Files row two.bin; heard {[n for _, n, _ in log.focused]}"
    press(0xffbf)   # F2
    window = wait_window(app, "the rename dialog (F2)", lambda w: name_of(w) == "Rename")
    fields = [n for n in find_all(window, predicate=visible) if safe(n.get_role) in (Atspi.Role.ENTRY, Atspi.Role.TEXT)]
    entries = [spoken_name(n) for n in fields]
    assert entries == ["New name"], entries
    # For the row Tab reached (F2 acts on the focused row, not on the
    # selected one: Tab does not select); its body names the file.
    bodies = [name_of(n) for n in find_all(window, Atspi.Role.LABEL, predicate=visible) if "“" in name_of(n)]
    assert any("“two.bin”" in body for body in bodies), \
        f"F2 on the focused row two.bin opened the rename dialog for another: {bodies}"
    check_dialog(app, window, "the rename dialog")


def check_remote_page(app, env):
    """The Remote Control page of Preferences, chosen by its page tab."""
    close_others(app)
    gapplication(env, "action", APP_ID, "preferences")
    window = window_named(app, lambda name: name == "Preferences")
    tabs = find_all(window, Atspi.Role.PAGE_TAB, "Remote Control")
    assert tabs, "no Remote Control page tab in Preferences"
    click(tabs[0])
    pump(0.5)
    faults = control_faults(window)
    assert not faults, f"{len(faults)} unnamed or misnamed in Preferences:\n" + "\n".join(faults)
    # The page itself (AdwPreferencesPage), named by its title.
    pages = find_all(window, Atspi.Role.PANEL, "Remote Control")
    assert pages, "no Remote Control page in Preferences"
    stops = tab_stops(pages[0])
    names = {name for _, name in stops}
    wanted = {"Allow Remote Control", "Port", "Web Interface", "Ask for a Password", "Show the Password",
              *REMOTE_FIELDS}
    assert wanted <= names, f"no Tab stop in the Remote Control page named {sorted(wanted - names)}: {sorted(names)}"
    check_tab_reaches_all(window, "the Remote Control page", stops, presses=60)
    press(0xff1b)
    wait_until(lambda: not any(name_of(w) == "Preferences" and has_state(w, Atspi.StateType.SHOWING)
                               for w in children(app)), 10, "Preferences closed on Escape")


def help_overlay_titles():
    """The group titles and the shortcut titles of gtk/help-overlay.ui."""
    groups, shortcuts = [], []
    for node in ElementTree.parse(HELP_OVERLAY).iter("object"):
        title = node.find("property[@name='title']")
        if node.get("class") == "GtkShortcutsGroup":
            groups.append(title.text)
        elif node.get("class") == "GtkShortcutsShortcut":
            shortcuts.append(title.text)
    return groups, shortcuts


def check_shortcuts_window(app):
    """Opened by Ctrl+?'s action; each group and shortcut named."""
    close_others(app)
    window_action("show-help-overlay")
    window = wait_window(app, "the shortcuts window", lambda w: safe(w.get_role) == Atspi.Role.FRAME)
    assert name_of(window) and not TYPE_NAME.match(name_of(window)), describe(window)
    groups, shortcuts = help_overlay_titles()
    assert len(groups) >= 3 and len(shortcuts) >= 20, (groups, shortcuts)
    # (Not the title's own label: the group, which holds its shortcuts.)
    names = [name_of(n) for n, _ in walk(window) if safe(n.get_role) != Atspi.Role.LABEL]
    faults = [f"group '{g}' is not named" for g in groups if g not in names]
    # "Quit: Ctrl+Q": the title and the keys (a key label has its own).
    for title in shortcuts:
        rows = [n for n in names if n.startswith(title + ": ") and len(n) > len(title) + 2]
        if not rows:
            faults.append(f"shortcut '{title}' is not named by its title and keys")
    for node, _ in walk(window):
        name = name_of(node)
        role = safe(node.get_role)
        if TYPE_NAME.match(name) and role not in (Atspi.Role.SCROLL_BAR, Atspi.Role.FILLER) or (
                role == Atspi.Role.FILLER and name == "GtkShortcutLabel"):
            faults.append("reads as its type: " + describe(node))
    faults += control_faults(window)
    assert not faults, f"{len(faults)} faults in the shortcuts window:\n" + "\n".join(faults)
    # The search entry shows after the Search button; the sections' menu
    # with more than one section.
    check_tab_reaches_all(window, "the shortcuts window", tab_stops(window, ("Search Shortcuts", "Sections")))
    press(0xff1b)
    wait_closed(app, window, "the shortcuts window closed on Escape")


def gapplication(env, *args):
    run = subprocess.run(["gapplication", *args], env=env, capture_output=True, timeout=30)
    assert run.returncode == 0, run.stderr


def wait_until(predicate, timeout, what):
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{what} within {timeout} s")
        time.sleep(0.2)


def find_all(root, role=None, name=None, predicate=None):
    found = []
    for node, _ in walk(root):
        if role is not None and safe(node.get_role) != role:
            continue
        if name is not None and name_of(node) != name:
            continue
        if predicate is not None and not predicate(node):
            continue
        found.append(node)
    return found


def check_main_window_name(main):
    assert name_of(main) == "Tessera", f"the main window is named {name_of(main)!r}"


def check_controls(window, what):
    faults = control_faults(window)
    assert not faults, f"{len(faults)} unnamed or misnamed in {what}:\n" + "\n".join(faults)


def row_names(table, row_role):
    return [name_of(row) for row in find_all(table, row_role) if visible(row)]


def check_list_rows(main):
    """Both list modes (both are in the tree: the stack holds them):
    each torrent's row reads as its name, its progress and its state."""
    tables = find_all(main, Atspi.Role.TREE_TABLE, "Torrents") + find_all(main, Atspi.Role.TABLE, "Torrents")
    # (The compact table's own list of rows is named Torrents too.)
    lists = [n for n in find_all(main, Atspi.Role.LIST, "Torrents")
             if safe(n.get_parent().get_role) != Atspi.Role.TREE_TABLE]
    assert tables, "no table named Torrents (the compact list)"
    assert lists, "no list named Torrents (the detailed list)"
    expected = [("alpha-stopped", "0 percent", "Stopped"), ("beta-seeding", "100 percent", "Seeding")]
    for container, row_role in ((tables[0], Atspi.Role.TABLE_ROW), (lists[0], Atspi.Role.LIST_ITEM)):
        def rows_read_right():
            names = row_names(container, row_role)
            return all(any(all(part in n for part in parts) for n in names) for parts in expected) and names
        try:
            wait_until(rows_read_right, 30, "rows read as name, progress and state")
        except AssertionError as error:
            raise AssertionError(f"{error}: {safe(container.get_role_name)} rows read "
                                 f"{row_names(container, row_role)}") from None


def check_focusable(main):
    """The list and the header buttons take keyboard focus."""
    header_buttons = [n for n in find_all(main, Atspi.Role.PUSH_BUTTON)
                      if name_of(n) in ("Add a Torrent File", "Create a Torrent", "Add a Magnet Link",
                                        "Search Torrents", "Main Menu")]
    faults = [describe(n) for n in header_buttons if not has_state(n, Atspi.StateType.FOCUSABLE)
              and not find_all(n, Atspi.Role.PUSH_BUTTON, name_of(n),
                               lambda c: c is not n and has_state(c, Atspi.StateType.FOCUSABLE))]
    assert len(header_buttons) >= 5, [name_of(n) for n in header_buttons]
    lists = [n for n in find_all(main, Atspi.Role.TREE_TABLE, "Torrents") + find_all(main, Atspi.Role.LIST, "Torrents")]
    for container in lists:
        inner = [container] + find_all(container, predicate=lambda c: has_state(c, Atspi.StateType.FOCUSABLE))
        if not any(has_state(c, Atspi.StateType.FOCUSABLE) for c in inner):
            faults.append("nothing focusable in " + describe(container))
    assert not faults, "not focusable:\n" + "\n".join(faults)


class FocusLog:
    """What Orca hears: object:state-changed:focused events."""

    def __init__(self):
        self.focused = []
        self.listener = Atspi.EventListener.new(self._on_event)
        self.listener.register("object:state-changed:focused")

    def _on_event(self, event):
        if event.detail1:
            self.focused.append((safe(event.source.get_role), name_of(event.source), event.source))

    def close(self):
        self.listener.deregister("object:state-changed:focused")


def press(keysym, times=1):
    for _ in range(times):
        Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)
        pump(0.15)


def check_tab_reaches(main):
    """Tab from where the window puts focus (its first header button):
    focus events come for the header buttons and for the torrent list (a
    row, or the list itself). GTK 4.8 does not implement
    Component.GrabFocus, so the keys are real: XTest, through the
    registry, into the Xvfb window."""
    log = FocusLog()
    try:
        pump(0.5)
        press(0xff09, 40)   # Tab
        pump(0.5)
    finally:
        log.close()
    heard = [(Atspi.Role(role).value_nick if role is not None else "?", name) for role, name, _ in log.focused]
    names = {name for _, name in heard}
    missing = [n for n in ("Add a Torrent File", "Create a Torrent", "Add a Magnet Link", "Search Torrents")
               if n not in names]
    in_list = any(role in (Atspi.Role.TABLE_ROW, Atspi.Role.LIST_ITEM, Atspi.Role.TREE_TABLE, Atspi.Role.LIST,
                           Atspi.Role.TABLE_CELL) for role, _, _ in log.focused)
    assert not missing and in_list, f"Tab did not reach {missing}{'' if in_list else ' and the list'}; heard {heard}"


def check_details_bars(main, env, digest):
    """The details' bars and graphs: a role, a name that says what they
    show (their heading), and a description with the numbers."""
    gapplication(env, "action", APP_ID, "show-torrent", f"'{digest}'")

    def bars():
        return [n for n in find_all(main, Atspi.Role.IMAGE) if visible(n)
                and name_of(n) in ("Pieces Here", "Availability Among Peers")]
    try:
        found = wait_until(lambda: len(bars()) == 2 and bars(), 20, "the overview's two bars")
    except AssertionError:
        images = [describe(n) + f" desc={safe(n.get_description)!r}" for n in find_all(main, Atspi.Role.IMAGE)]
        raise AssertionError("no bars named Pieces Here and Availability Among Peers; images:\n"
                             + "\n".join(images)) from None
    for bar in found:
        description = safe(bar.get_description, "")
        assert re.search(r"\d", description or ""), f"{describe(bar)} has no description with numbers: {description!r}"
    faults = []
    for node in find_all(main, Atspi.Role.IMAGE, predicate=visible):
        if not spoken_name(node) or TYPE_NAME.match(spoken_name(node)):
            faults.append("unnamed image: " + describe(node))
    assert not faults, "\n".join(faults)


def check_files_tree(main, env, digest):
    """The Files page's folders say whether they are expanded; files do
    not claim to expand."""
    gapplication(env, "action", APP_ID, "show-torrent", f"'{digest}'")
    tables = find_all(main, Atspi.Role.TREE_TABLE, "Files")
    assert tables, "no Files table"

    def rows():
        return {name_of(r): r for r in find_all(tables[0], Atspi.Role.TABLE_ROW, predicate=visible)}
    wait_until(lambda: "sub" in rows() and "two.bin" in rows(), 20, "rows sub and two.bin in Files")
    folder, file = rows()["sub"], rows()["two.bin"]
    assert has_state(folder, Atspi.StateType.EXPANDABLE), f"the folder row is not expandable: {describe(folder)}"
    assert not has_state(file, Atspi.StateType.EXPANDABLE), f"a file row claims to expand: {describe(file)}"


def check_preferences(app, env):
    gapplication(env, "action", APP_ID, "preferences")
    window = window_named(app, lambda name: name == "Preferences")

    def spins_and_switches():
        controls = find_all(window, predicate=visible)
        spins = [n for n in controls if safe(n.get_role) == Atspi.Role.SPIN_BUTTON]
        switches = [n for n in controls if safe(n.get_role) in (Atspi.Role.TOGGLE_BUTTON, Atspi.Role.CHECK_BOX)
                    or getattr(Atspi.Role, "SWITCH", None) == safe(n.get_role)]
        return spins, switches
    # (A loaded machine may show the window before its rows are on the bus.)
    try:
        wait_until(lambda: all(spins_and_switches()), 20, "spin buttons and switches in Preferences")
    except AssertionError:
        spins, switches = spins_and_switches()
        raise AssertionError(f"{len(spins)} spin buttons, {len(switches)} switches in Preferences") from None
    # It opens with focus on libadwaita's search button: named now.
    focused = find_all(window, predicate=lambda n: has_state(n, Atspi.StateType.FOCUSED))
    assert focused, "nothing has focus in Preferences"
    assert all(spoken_name(n) and not TYPE_NAME.match(spoken_name(n)) for n in focused), \
        [describe(n) for n in focused]
    faults = control_faults(window)
    # libadwaita's search button and the pages' switcher are walked too.
    assert not faults, f"{len(faults)} unnamed or misnamed in Preferences:\n" + "\n".join(faults)
    # Escape closes it (keys go to the window last presented: no window
    # manager under Xvfb moves the focus).
    pump(0.5)
    press(0xff1b)
    wait_until(lambda: not any(name_of(w) == "Preferences" and has_state(w, Atspi.StateType.SHOWING)
                               for w in children(app)), 10, "Preferences closed on Escape")


def click(node):
    assert safe(node.get_n_actions, 0) > 0, f"{describe(node)} has no action"
    assert node.do_action(0), f"{describe(node)} did not act"


# The create dialog's one-line text fields, by their rows' titles.
CREATE_FIELDS = ("Comment", "Source", "Leave Out (globs, comma-separated)")
# The Remote Control page's.
REMOTE_FIELDS = ("Listen Address", "User Name", "Password", "Allowed Addresses", "Allowed Host Names")


def ctrl_tab():
    """Ctrl+Tab: how focus leaves a text area (Tab types a tab there)."""
    Atspi.generate_keyboard_event(4, None, Atspi.KeySynthType.LOCKMODIFIERS)   # ControlMask
    try:
        press(0xff09)
    finally:
        Atspi.generate_keyboard_event(4, None, Atspi.KeySynthType.UNLOCKMODIFIERS)
    pump(0.15)


def check_tab_reaches_fields(window, what, fields, presses=80):
    """Tab, real keys, through @window: each one-line text field named in
    @fields is a Tab stop (an editable text, focusable) and a focus event
    ("focused: true", with the field's name) comes from it. Out of a text
    area, Ctrl+Tab, as a person does."""
    stops = {(role, name) for role, name in tab_stops(window) if name in fields}
    assert {name for _, name in stops} == set(fields), \
        f"no text field to Tab to in {what} named {sorted(set(fields) - {name for _, name in stops})}"
    log = FocusLog()
    try:
        pump(0.3)
        for _ in range(presses):
            heard = log.focused[-1] if log.focused else None
            if heard is not None and has_state(heard[2], Atspi.StateType.MULTI_LINE):
                ctrl_tab()
            else:
                press(0xff09)   # Tab
            if stops <= {(role, name) for role, name, _ in log.focused}:
                break
        pump(0.3)
    finally:
        log.close()
    heard = {(role, name) for role, name, _ in log.focused}
    missing = sorted(f"{Atspi.Role(role).value_nick} '{name}'" for role, name in stops - heard)
    assert not missing, (f"Tab did not reach in {what}: {missing}; heard "
                         f"{[(Atspi.Role(r).value_nick if r is not None else '?', n) for r, n, _ in log.focused]}")


def check_create_dialog(app, main):
    """The create dialog, opened as a person would (its header button,
    through the button's AT-SPI action): every control named, the piece
    size and format drop-downs' toggles too."""
    close_others(app)
    button = find_all(main, Atspi.Role.PUSH_BUTTON, "Create a Torrent")
    assert button, "no Create a Torrent button"
    click(button[0])
    window = window_named(app, lambda name: name == "Create a Torrent")
    faults = control_faults(window)
    assert not faults, f"{len(faults)} unnamed or misnamed in the create dialog:\n" + "\n".join(faults)
    combos = [name_of(n) for n in find_all(window, Atspi.Role.COMBO_BOX, predicate=visible)]
    assert "Piece Size" in combos and "Format" in combos, combos
    check_tab_reaches_fields(window, "the create dialog", CREATE_FIELDS)
    # Escape closes it: a keyboard user can leave.
    pump(0.5)
    press(0xff1b)   # Escape
    def open_windows():
        return [(name_of(w), has_state(w, Atspi.StateType.SHOWING), has_state(w, Atspi.StateType.ACTIVE))
                for w in children(app)]
    try:
        wait_until(lambda: not any(name == "Create a Torrent" and showing for name, showing, _ in open_windows()),
                   10, "the create dialog closed on Escape")
    except AssertionError as error:
        raise AssertionError(f"{error}; windows (name, showing, active): {open_windows()}") from None


def check_add_dialog(app, env, d):
    """The add dialog, as the desktop opens a .torrent (D-Bus Open; the
    settings ask where to save): its options list, switch and response
    buttons named once each; Escape cancels it."""
    close_others(app)
    torrent = os.path.join(d, "delta-new.torrent")
    make_torrent(torrent, "delta-new", pseudo_random(3 * 16384, 9))
    gapplication(env, "launch", APP_ID, torrent)

    def dialogs():
        return [w for w in children(app) if visible(w) and name_of(w) != "Tessera"]
    try:
        window = wait_until(lambda: dialogs() and dialogs()[0], 20, "the add dialog")
    except AssertionError as error:
        raise AssertionError(f"{error}; windows: {[(name_of(w), safe(w.get_role_name)) for w in children(app)]}")
    faults = control_faults(window)
    assert not faults, f"{len(faults)} unnamed or misnamed in the add dialog:\n" + "\n".join(faults)
    buttons = [name_of(n) for n in find_all(window, Atspi.Role.PUSH_BUTTON, predicate=visible)]
    assert "Add" in buttons and "Cancel" in buttons, buttons
    pump(0.5)
    press(0xff1b)
    wait_until(lambda: not dialogs(), 10, "the add dialog closed on Escape")


def test_screen_reader_walk(d):
    started = []
    try:
        start_a11y_bus(started)
        Atspi.init()
        home, digests = make_home(d)
        env = app_env(home)
        app = Lines([APP], env=env)
        started.append((app.process, False))
        app.wait_for(lambda line: (EVENT.search(line) or [None, None])[1] == "window-mapped", 30, "window")

        accessible_app = find_app(app.process.pid)
        main = window_named(accessible_app, lambda name: name != "")
        tap.run("main-window-name", check_main_window_name, main)
        tap.run("list-rows", check_list_rows, main)
        tap.run("focusable", check_focusable, main)
        tap.run("tab-reaches", check_tab_reaches, main)
        tap.run("details-bars", check_details_bars, main, env, digests["beta-seeding"])
        tap.run("files-tree", check_files_tree, main, env, digests["gamma-folder"])
        if os.environ.get("TSR_A11Y_DUMP"):
            dump(accessible_app)
        tap.run("main-window-controls", check_controls, main, "the main window")
        tap.run("preferences", check_preferences, accessible_app, env)
        tap.run("create-dialog", check_create_dialog, accessible_app, main)
        tap.run("add-dialog", check_add_dialog, accessible_app, env, d)
        tap.run("magnet-dialog", check_magnet_dialog, accessible_app, main)
        tap.run("trackers-dialog", check_trackers_dialog, accessible_app, env, digests["alpha-stopped"])
        tap.run("options-window", check_options_window, accessible_app, env, digests["alpha-stopped"])
        tap.run("move-dialog", check_move_dialog, accessible_app, env, digests["alpha-stopped"])
        tap.run("rename-dialog", check_rename_dialog, accessible_app, main, env, digests["gamma-folder"])
        tap.run("remote-page", check_remote_page, accessible_app, env)
        tap.run("shortcuts-window", check_shortcuts_window, accessible_app)
    finally:
        for process, group in reversed(started):
            stop(process, group)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="tsr-test-") as folder:
        tap.run("session", test_screen_reader_walk, folder)
    for known in sorted(KNOWN):
        print(f"# known limit, not counted: {known}")
    tap.finish()
