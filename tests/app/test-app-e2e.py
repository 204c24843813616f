#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The desktop app end to end, under Xvfb on a private session bus (run
as `dbus-run-session -- xvfb-run -a test-app-e2e.py`):

- `tessera` starts with a temporary home (XDG folders, download folder,
  settings in a key file with ask-where-to-save off: the add dialog's own
  path is tested in-process, by test-add-dialog.c);
- a .torrent reaches the running instance the way the desktop sends it:
  `gapplication launch io.github.tessera.Tessera FILE` (D-Bus Open);
- it downloads from a local `tessera-cli peer` seeder found through
  opentracker on 127.0.0.1, and the data is right;
- the completion notification goes out on D-Bus (a stand-in
  org.freedesktop.Notifications server records it);
- after quitting (`gapplication action ... quit`), a second start
  restores the torrent from its library, complete, without downloading
  (tessera-screenshots, the app's library with a main that walks every
  details page, with warnings fatal).

What the app does is read from its events: debug messages in the log
domain tsr-app-events (G_MESSAGES_DEBUG), such as "window-mapped" and
"torrent-done NAME".

Every process is started and stopped by PID here, also on failure."""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrpeers import OpenTracker, Peer, stop_process, tree_digest  # noqa: E402
from tsrtest import Lines, Tap, cli, need_cli, need_tool, pseudo_random, write  # noqa: E402

APP_ID = "io.github.tessera.Tessera"
APP = os.environ.get("TESSERA_APP")
SHOTS_APP = os.environ.get("TESSERA_SHOTS_APP")
need_cli()
need_tool("gapplication", "libglib2.0-bin")
need_tool("opentracker", "opentracker")
if not APP or not os.access(APP, os.X_OK):
    print(f"Bail out! TESSERA_APP does not name the built app: {APP!r}")
    sys.exit(1)
if not SHOTS_APP or not os.access(SHOTS_APP, os.X_OK):
    print(f"Bail out! TESSERA_SHOTS_APP does not name the built tessera-screenshots: {SHOTS_APP!r}")
    sys.exit(1)
if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") or not os.environ.get("DISPLAY"):
    print("Bail out! run under dbus-run-session and xvfb-run (no session bus or display)")
    sys.exit(1)

tap = Tap()

NOTIFY_SERVER = r'''
import json, sys
from gi.repository import Gio, GLib
XML = """<node><interface name="org.freedesktop.Notifications">
<method name="Notify"><arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
<arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
<arg type="a{sv}" direction="in"/><arg type="i" direction="in"/><arg type="u" direction="out"/></method>
<method name="GetCapabilities"><arg type="as" direction="out"/></method>
<method name="GetServerInformation"><arg type="s" direction="out"/><arg type="s" direction="out"/>
<arg type="s" direction="out"/><arg type="s" direction="out"/></method>
<method name="CloseNotification"><arg type="u" direction="in"/></method>
<signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
<signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
</interface></node>"""
node = Gio.DBusNodeInfo.new_for_xml(XML)
def call(connection, sender, path, interface, method, params, invocation):
    if method == "Notify":
        app, _, _, summary, body, actions, _, _ = params.unpack()
        print(json.dumps({"app": app, "summary": summary, "body": body, "actions": actions}), flush=True)
        invocation.return_value(GLib.Variant("(u)", (1,)))
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["body", "actions"],)))
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("stand-in", "tessera-tests", "1", "1.2")))
    else:
        invocation.return_value(None)
def acquired(connection, name):
    print(json.dumps({"ready": True}), flush=True)
def bus(connection, name):
    connection.register_object("/org/freedesktop/Notifications", node.interfaces[0], call, None, None)
Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.Notifications", Gio.BusNameOwnerFlags.NONE,
                 bus, acquired, lambda c, n: sys.exit("lost the name"))
GLib.MainLoop().run()
'''


# "(tessera:123): tsr-app-events-DEBUG: 12:00:00.000: torrent-done payload"
EVENT = re.compile(r"tsr-app-events-DEBUG: \d\d:\d\d:\d\d\.\d\d\d: (.*)$")


def event(line):
    """The app event a line of its output reports, or None."""
    match = EVENT.search(line)
    return match.group(1) if match else None




def app_env(home):
    env = dict(os.environ)
    env.update({
        "HOME": home,
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "G_MESSAGES_DEBUG": "tsr-app-events",
        # The settings of settings.keyfile(home), kept across restarts.
        "GSETTINGS_BACKEND": "keyfile",
        "GDK_BACKEND": "x11",
        "GTK_A11Y": "none",
        "no_proxy": "*",
    })
    for key in list(env):
        if key.lower().endswith("_proxy") and key != "no_proxy":
            del env[key]
    return env


def write_settings(home):
    """GSettings' key file under home: torrents opened are added without
    the add dialog (the key file backend's group is the schema's path)."""
    write(os.path.join(home, ".config", "glib-2.0", "settings", "keyfile"),
          b"[io/github/tessera/Tessera]\nask-where-to-save=false\n")


def test_open_download_notify_restore(d):
    started = []
    try:
        src = os.path.join(d, "src")
        write(os.path.join(src, "payload", "big.bin"), pseudo_random(6 * 1024 * 1024 + 7, 1))
        write(os.path.join(src, "payload", "dir", "small.txt"), pseudo_random(999, 2))
        probe = os.path.join(d, "probe.torrent")
        cli("create", "-q", "-p", "64k", "-o", probe, os.path.join(src, "payload"), check=True)
        info_hash = json.loads(cli("show", "--json", probe, check=True).stdout)["info_hash"]
        tracker = OpenTracker(d, [info_hash])
        started.append(tracker.process)
        torrent = os.path.join(d, "payload.torrent")
        cli("create", "-q", "-p", "64k", "-t", f"http://127.0.0.1:{tracker.port}/announce", "-o", torrent,
            os.path.join(src, "payload"), check=True)
        seeder = Peer(src, torrent, tracker_flag=False)
        started.append(seeder.process)
        seeder.wait_for("done", 60)

        notify = Lines(["/usr/bin/python3", "-c", NOTIFY_SERVER])
        started.append(notify.process)
        notify.wait_for(lambda line: '"ready"' in line, 20, "notification server")

        home = os.path.join(d, "home")
        downloads = os.path.join(home, "Downloads")
        os.makedirs(downloads)
        write(os.path.join(home, ".config", "user-dirs.dirs"), b'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n')
        write_settings(home)
        env = app_env(home)
        app = Lines([APP], env=env)
        started.append(app.process)
        app.wait_for(lambda line: event(line) == "window-mapped", 30, "window")

        # The desktop's path: D-Bus Open on the running instance.
        launch = subprocess.run(["gapplication", "launch", APP_ID, torrent], env=env, capture_output=True,
                                timeout=30)
        assert launch.returncode == 0, launch.stderr
        app.wait_for(lambda line: event(line) == "torrent-done payload", 90, "completion")
        assert not any(event(line) == "add-dialog payload" for line in app.seen), app.seen
        assert tree_digest(os.path.join(downloads, "payload")) == tree_digest(os.path.join(src, "payload"))
        note = json.loads(notify.wait_for(lambda line: '"summary"' in line, 20, "notification"))
        assert note["summary"] == "Download Complete", note
        assert note["body"] == "payload", note

        quit_run = subprocess.run(["gapplication", "action", APP_ID, "quit"], env=env, capture_output=True,
                                  timeout=30)
        assert quit_run.returncode == 0, quit_run.stderr
        assert app.process.wait(timeout=30) == 0
        index = os.path.join(home, ".local", "share", "tessera", "torrents.json")
        with open(index) as f:
            entries = json.load(f)["torrents"]
        assert [e["hash"] for e in entries] == [info_hash], entries
        assert entries[0]["folder"] == downloads and entries[0]["paused"] is False, entries

        # The next start restores it from its resume record: no download.
        # tessera-screenshots walks every details page of it with
        # warnings fatal, and quits by itself.
        seeder.stop()
        shots = os.path.join(d, "shots")
        os.makedirs(shots)
        again = Lines([SHOTS_APP, "--out", shots], env=dict(env, G_DEBUG="fatal-warnings"))
        started.append(again.process)
        again.wait_for(lambda line: event(line) == "window-mapped", 30, "window after restart")
        assert again.process.wait(timeout=60) == 0, again.seen
        again.wait_for(lambda line: line.endswith("preferences.png"), 5, "the last page")
        assert not any((event(line) or "").startswith("torrent-done") for line in again.seen), again.seen
        pages = sorted(os.listdir(shots))
        assert pages == sorted(["main.png", "files.png", "peers.png", "trackers.png", "bans.png", "log.png",
                                "peer-log.png", "errors.png", "preferences.png"]), pages
        assert tree_digest(os.path.join(downloads, "payload")) == tree_digest(os.path.join(src, "payload"))
    finally:
        for process in reversed(started):
            stop_process(process)


def test_magnet_link(d):
    """A magnet link opened by the desktop (D-Bus Open): the row fetches
    the metainfo from the seeder named in x.pe, the data comes (no add
    dialog: ask-where-to-save is off), and the index names it by hash."""
    started = []
    try:
        src = os.path.join(d, "src")
        write(os.path.join(src, "payload", "big.bin"), pseudo_random(3 * 1024 * 1024 + 7, 3))
        write(os.path.join(src, "payload", "dir", "small.txt"), pseudo_random(555, 4))
        torrent = os.path.join(d, "payload.torrent")
        cli("create", "-q", "-p", "64k", "-o", torrent, os.path.join(src, "payload"), check=True)
        info_hash = json.loads(cli("show", "--json", torrent, check=True).stdout)["info_hash"]
        seeder = Peer(src, torrent)
        started.append(seeder.process)
        seeder.wait_for("done", 60)

        home = os.path.join(d, "home")
        downloads = os.path.join(home, "Downloads")
        os.makedirs(downloads)
        write(os.path.join(home, ".config", "user-dirs.dirs"), b'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n')
        write_settings(home)
        env = app_env(home)
        app = Lines([APP], env=env)
        started.append(app.process)
        app.wait_for(lambda line: event(line) == "window-mapped", 30, "window")

        magnet = f"magnet:?xt=urn:btih:{info_hash}&dn=payload&x.pe=127.0.0.1:{seeder.port}"
        launch = subprocess.run(["gapplication", "launch", APP_ID, magnet], env=env, capture_output=True, timeout=30)
        assert launch.returncode == 0, launch.stderr
        app.wait_for(lambda line: event(line) == "torrent-done payload", 90, "completion")
        assert not any(event(line) == "add-dialog payload" for line in app.seen), app.seen
        assert tree_digest(os.path.join(downloads, "payload")) == tree_digest(os.path.join(src, "payload"))

        quit_run = subprocess.run(["gapplication", "action", APP_ID, "quit"], env=env, capture_output=True,
                                  timeout=30)
        assert quit_run.returncode == 0, quit_run.stderr
        assert app.process.wait(timeout=30) == 0
        data = os.path.join(home, ".local", "share", "tessera")
        with open(os.path.join(data, "torrents.json")) as f:
            entries = json.load(f)["torrents"]
        assert [e.get("hash") for e in entries] == [info_hash], entries
        saved = os.path.join(data, "torrents", info_hash + ".torrent")
        assert json.loads(cli("show", "--json", saved, check=True).stdout)["info_hash"] == info_hash
    finally:
        for process in reversed(started):
            stop_process(process)


tap.run_all(globals())
