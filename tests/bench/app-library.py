#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): the desktop app with a large library, against
transmission-gtk 3.00 with the same torrents. Run by app-library.sh under
Xvfb on a private session bus.

N (2000; issue 23 asks for 5000) distinct single-file torrents are made
here. --active K (200) of them are real: ACTIVE_SIZE (4 MiB) of random data
each in the seeder's folder (K x 4 MiB: 800 MiB for 200, plus what the apps
download; keep K x 4 MiB well under the free space), announcing to a
`tessera-cli tracker` on 127.0.0.1, and seeded by a `tessera-cli daemon`
(its own library, announcing) once it has checked them all. The rest are
idle: 1 MiB in 4 pieces of random hashes, no tracker, no data anywhere.
Tessera's library is filled by `tessera-cli daemon --library-dir` in the
app's data folder of a temporary home (XDG_DATA_HOME/tessera: the daemon
and the app share the library format) over the RPC, with --no-tracker (it
downloads nothing), then the daemon is stopped; Transmission's
configuration folder is filled the same way by transmission-daemon
(torrents/ and resume/ are the GTK client's too), the active ones added
paused and unpaused afterwards in their resume files, with the
informed-consent question answered and its RPC off. The active torrents are
added first, and Tessera's download queue is made K long (5 with none, the
default): they download, the idle ones wait in the queue. transmission-gtk
loads its torrents in file-name order, so its queue is off when K > 0 (its
idle torrents then count as downloading, with nowhere to download from).

Then each app starts (GDK_BACKEND=x11, settings in a GSettings key file
of the temporary home for Tessera, -g FOLDER for transmission-gtk), and:
- window: seconds from the launch until xdotool sees its window mapped
  (Tessera also says "window-mapped" in its tsr-app-events debug domain;
  both times are shown). Tessera restores its library in its startup,
  before it makes the window, and the list's model is the library's: when
  the window is mapped the list holds all N rows; GTK makes row widgets
  only for the visible ones. transmission-gtk also loads its torrents
  before showing its window.
- active phase (K > 0): for --active-seconds (10) from the window on, the
  data the app downloaded (blocks written under its download folder, at
  the window and at the end); for Tessera also the sidebar count updates a
  second (mean, and the busiest second) and the longest main-loop stall,
  from the probe (below), asked every second.
- settled: seconds from the launch until the process used less than 5 %
  of a CPU over --quiet-window s (3), i.e. the load is over; CPU s: its
  CPU time (user + system) by then. Three seconds, because GTK's overlay
  scroll bars fade out a second or so after the list changes, and that
  animation is part of the work.
- RSS after settling (VmRSS).
- Tessera only, after settling: scrolling, the mouse wheel over the list
  (xdotool clicks of button 5, WHEEL_CLICKS at a time WHEEL_DELAY ms
  apart, then a probe report) from the top until the probe says the list
  is at its end: the clicks, the time and the longest stall. (Page_Down
  would move the list's keyboard focus, which is not in the list at the
  start; a click to put it there would select a row.)
- Tessera only: the search. Ctrl+F, then the term SEARCH ("7.bin") typed a
  key at a time: for each key, the ms from just before xdotool ran until
  the app painted the filtered list (its "filtered N at T" line, N being
  the count of names that hold what was typed so far, T its monotonic
  clock, the same as Python's), the xdotool run itself shown apart (part
  of that time); KEY_GAP after the rows showed, the next key. Then the
  longest stall over the typing, and the CPU time from the first key until
  it is quiet again, less its idle rate over that time. The names are
  idle-NNNNN.bin and active-NNN.bin, so the first key leaves some two
  fifths of the rows and "7." about a tenth.

The probe is the app's own, on only with TESSERA_STALL_PROBE set (see
src/app/tsr-stall-probe.h): a G_PRIORITY_HIGH 5 ms timeout whose longest
gap less 5 ms is the longest time the main loop was busy elsewhere, told
with the sidebar count updates and the list's scroll position on SIGUSR1
(then started again). transmission-gtk has none: its stalls, sidebar
updates and search latency are printed as not measurable from outside.
transmission-gtk 3.00 refuses peers at 127.0.0.1 (swarm.sh gives it a
network namespace for that), so its active torrents announce and get the
seeder from the tracker but download nothing: its active phase shows 0 MiB.

Both apps run with the cursor blink off (a blinking cursor in the search
entry redraws for 10 s) and without the accessibility bridge (no screen
reader listens; app-library.sh sets GTK_A11Y=none and NO_AT_BRIDGE=1).
Xvfb has no GPU: GTK 4 draws with GL in software (Mesa's llvmpipe), which
costs CPU and memory a desktop with a GPU does not pay (about 120 MiB of
RSS here); GTK 3 draws with cairo. GSK_RENDERER=cairo in the environment
compares like with like; the report says which renderer ran. CPU times
and stalls mean little while other work shares the machine: the report
gives the load average at its start and end.

Every process (the apps, the fillers, the tracker and the seeder) is
stopped by PID, also on failure.

Usage (repo root, after building): tests/bench/app-library.sh [--torrents N]
    [--active K] [--active-seconds S] [--only tessera,transmission]
    [--quiet-window S] [--dir TMP] [--timeout S] [--keep]
TESSERA_APP (default _build/src/app/tessera) and TESSERA_CLI (default
_build/src/cli/tessera-cli) name the binaries."""

import argparse
import atexit
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpc  # noqa: E402
from rpc import Failure, cpu_seconds, rss_kib  # noqa: E402

ROOT = rpc.ROOT
CLIENTS = ["tessera", "transmission"]
SEARCH = "7.bin"
ACTIVE_SIZE = 4 * rpc.MIB
ACTIVE_PIECE = 256 * rpc.KIB
WHEEL_CLICKS = 100      # mouse wheel clicks between two probe reports
WHEEL_DELAY = 8         # ms between two clicks
KEY_GAP = 0.15          # seconds between two search keys, after the rows showed
PROBE = re.compile(r"probe stall-max-ms ([\d.]+) sidebar-updates (\d+) seconds ([\d.]+) "
                   r"scroll (-?[\d.]+)/(-?[\d.]+) at (\d+)")
FILTERED = re.compile(r"filtered (\d+) at (\d+)")


class App:
    """One GUI process, its output read line by line with a time stamp."""

    def __init__(self, name, argv, env, log):
        self.name = name
        self.log = open(log, "wb")
        self.lines = []
        self.start = time.monotonic()
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        self.pid = self.process.pid
        rpc.LIVE.append(self)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.decode(errors="replace")))
            self.log.write(line)
            self.log.flush()

    def wait_line(self, pattern, after, timeout, accept=lambda match: True):
        """The first match of @pattern in a line from index @after on that
        @accept takes, waiting up to @timeout s; None if none came."""
        end = time.monotonic() + timeout
        while True:
            for stamp, line in self.lines[after:]:
                match = pattern.search(line)
                if match and accept(match):
                    return match
            if time.monotonic() > end or not self.alive():
                return None
            time.sleep(0.005)

    def seen(self, text):
        """Seconds from the launch to the first line with @text, or None."""
        return next((stamp - self.start for stamp, line in list(self.lines) if text in line), None)

    def alive(self):
        return self.process.poll() is None

    def stop(self, grace=10):
        if self.process.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(10)
        if self in rpc.LIVE:
            rpc.LIVE.remove(self)


def window_of(app, timeout):
    """Seconds from the launch until its window is mapped, and its X id."""
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--pid", str(app.pid)],
                               capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"{app.name}: no window within {timeout:.0f} s") from None
    seconds = time.monotonic() - app.start
    if found.returncode != 0 or not found.stdout.split():
        raise Failure(f"{app.name}: xdotool found no window: {found.stderr.strip()}")
    return seconds, found.stdout.split()[-1]


def probe(app, timeout=10):
    """The probe's report (TESSERA_STALL_PROBE; see src/app/tsr-stall-probe.h),
    asked for with SIGUSR1: the longest stall in ms, the sidebar count
    updates and the seconds since the last report, and the list's scroll
    position and end. The report starts the numbers again."""
    after = len(app.lines)
    os.kill(app.pid, signal.SIGUSR1)
    match = app.wait_line(PROBE, after, timeout)
    if match is None:
        raise Failure(f"{app.name}: no probe report within {timeout} s (is the app built with tsr-stall-probe?)")
    return {"stall": float(match[1]), "sidebar": int(match[2]), "seconds": float(match[3]),
            "scroll": float(match[4]), "end": float(match[5])}


def disk_mib(folder):
    """MiB of data in files under @folder (blocks written, not sizes:
    the engine makes files full-length and sparse)."""
    total = 0
    for base, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(base, name)).st_blocks * 512
            except OSError:
                pass
    return total / rpc.MIB


def active_phase(app, seconds, downloads, probed):
    """From the window on, for @seconds: the data downloaded into
    @downloads, and, when @probed (Tessera), the sidebar count updates of
    each second and the longest stall."""
    row = {"start_mib": disk_mib(downloads)}
    if probed:
        probe(app)
    reports = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(max(0.0, min(1.0, end - time.monotonic())))
        if probed:
            reports.append(probe(app))
    row["mib"] = disk_mib(downloads)
    if probed:
        rates = [r["sidebar"] / r["seconds"] for r in reports if r["seconds"] > 0]
        row["updates_mean"] = sum(r["sidebar"] for r in reports) / max(1e-9, sum(r["seconds"] for r in reports))
        row["updates_max"] = max(rates, default=0.0)
        row["stall"] = max((r["stall"] for r in reports), default=0.0)
    return row


def scroll_phase(app, window, rows, timeout):
    """The mouse wheel over the list (xdotool clicks of button 5,
    WHEEL_CLICKS at a time WHEEL_DELAY ms apart, then a probe report),
    from the top until the probe says the list is at its end: clicks,
    seconds, whether the end was reached, the longest stall. (Page_Down
    moves the list's focus, which is not in the list at the start, and a
    click to put it there would select a row.)"""
    subprocess.run(["xdotool", "windowfocus", "--sync", window], timeout=30, capture_output=True)
    geometry = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window], timeout=30,
                              capture_output=True, text=True, check=True).stdout
    size = dict(line.split("=", 1) for line in geometry.split())
    # The list fills the window's middle (the sidebar is at the left).
    subprocess.run(["xdotool", "mousemove", "--window", window, str(int(size["WIDTH"]) * 2 // 3),
                    str(int(size["HEIGHT"]) // 2)], timeout=30, check=True)
    start_report = probe(app)
    if start_report["scroll"] > 0:
        raise Failure(f"{app.name}: the list is not at its top ({start_report['scroll']:.0f} px)")
    row = {"clicks": 0, "stall": 0.0, "reached": False, "end": start_report["end"]}
    start = time.monotonic()
    # A click scrolls by more than a row: never more clicks than rows, and a bound in time.
    while row["clicks"] < rows + WHEEL_CLICKS and time.monotonic() - start < timeout:
        subprocess.run(["xdotool", "click", "--repeat", str(WHEEL_CLICKS), "--delay", str(WHEEL_DELAY), "5"],
                       timeout=120, check=True)
        row["clicks"] += WHEEL_CLICKS
        report = probe(app)
        row["stall"] = max(row["stall"], report["stall"])
        row["end"] = report["end"]
        if report["end"] > 0 and report["scroll"] >= report["end"] - 1:
            row["reached"] = True
            break
        if row["clicks"] == WHEEL_CLICKS and report["scroll"] <= 0:
            raise Failure(f"{app.name}: the mouse wheel did not scroll the list")
    row["seconds"] = time.monotonic() - start
    return row


def search_phase(app, window, names, args):
    """Ctrl+F, then SEARCH typed a key at a time: for each key the time
    from just before xdotool ran until the app painted the list with the
    rows that match (its "filtered N at T" line), the xdotool run itself
    (part of that time), the longest stall over the typing, and the CPU
    time of the search less the idle rate."""
    subprocess.run(["xdotool", "windowfocus", "--sync", window], timeout=30, capture_output=True)
    subprocess.run(["xdotool", "key", "--window", window, "ctrl+f"], timeout=30, check=True)
    # The search bar's reveal over, the idle rate over two seconds
    # (about nothing: the app sleeps when nothing changes).
    wait_quiet(app, args.quiet_window, args.timeout)
    before = time.monotonic(), cpu_seconds(app.pid)
    time.sleep(2)
    probe(app)
    start = time.monotonic(), cpu_seconds(app.pid)
    idle_rate = (start[1] - before[1]) / (start[0] - before[0])
    keys = []
    for k, char in enumerate(SEARCH):
        term = SEARCH[:k + 1].casefold()
        expected = sum(1 for name in names if term in name.casefold())
        after = len(app.lines)
        t0 = time.monotonic()
        subprocess.run(["xdotool", "type", "--window", window, "--delay", "0", char], timeout=30, check=True)
        t1 = time.monotonic()
        match = app.wait_line(FILTERED, after, 10, lambda m: int(m[1]) == expected)
        latency = None if match is None else int(match[2]) / 1e6 - t0
        keys.append({"char": char, "rows": expected, "latency": latency, "xdotool": t1 - t0})
        time.sleep(KEY_GAP)
    stall = probe(app)["stall"]
    quiet, cpu = wait_quiet(app, args.quiet_window, args.timeout, since=start[0])
    return {"keys": keys, "stall": stall, "search_raw": cpu - start[1], "idle_rate": idle_rate,
            "search_cpu": max(0.0, cpu - start[1] - idle_rate * quiet), "search_time": quiet}


def wait_quiet(app, window, timeout, since=None):
    """Polls the CPU time until less than 5 % of a CPU was used over
    @window s; returns the time of the quiet window's start (from
    @since, the launch by default) and the CPU time then."""
    since = app.start if since is None else since
    samples = [(time.monotonic(), cpu_seconds(app.pid))]
    end = time.monotonic() + timeout
    while True:
        time.sleep(0.1)
        if not app.alive():
            raise Failure(f"{app.name} exited")
        now = time.monotonic()
        samples.append((now, cpu_seconds(app.pid)))
        old = [s for s in samples if now - s[0] >= window]
        if old:
            t0, c0 = old[-1]
            if samples[-1][1] - c0 < 0.05 * (now - t0):
                return t0 - since, c0
        if now > end:
            raise Failure(f"{app.name}: still busy after {timeout:.0f} s")


def fill_tessera(cli, work, library, paths, timeout):
    daemon = rpc.Tessera(cli, os.path.join(work, "filler"), os.path.join(work, "tessera-filler.log"), library=library)
    try:
        for path in paths:
            daemon.add(path)
        rpc.wait_settled(daemon, len(paths), timeout)
    finally:
        daemon.stop(grace=120)
    if daemon.process.returncode != 0:
        raise Failure(f"tessera-cli daemon exited with {daemon.process.returncode} after filling the library")


def fill_transmission(config, work, paths, timeout, active):
    """The first @active of @paths announce to the seeder's tracker: they
    are added paused (the filler must not download them) and unpaused in
    their resume files afterwards (same length: "6:pausedi1e" becomes
    "6:pausedi0e"), so that transmission-gtk starts them."""
    daemon = rpc.Transmission(config, os.path.join(work, "transmission-filler.log"))
    try:
        for i, path in enumerate(paths):
            daemon.add(path, paused=i < active)
        rpc.wait_settled(daemon, len(paths), timeout)
    finally:
        daemon.stop(grace=120)
    resume = os.path.join(config, "resume")
    unpaused = 0
    for name in os.listdir(resume) if active else ():
        with open(os.path.join(resume, name), "rb") as f:
            data = f.read()
        if b"6:pausedi1e" in data:
            with open(os.path.join(resume, name), "wb") as f:
                f.write(data.replace(b"6:pausedi1e", b"6:pausedi0e"))
            unpaused += 1
    if unpaused != active:
        raise Failure(f"transmission: {unpaused} paused resume files, not {active}")
    settings_path = os.path.join(config, "settings.json")
    with open(settings_path) as f:
        settings = json.load(f)
    settings.update({"rpc-enabled": False, "user-has-given-informed-consent": True, "show-options-window": False,
                     "show-notification-area-icon": False, "torrent-added-notification-enabled": False,
                     "torrent-complete-notification-enabled": False, "prompt-before-exit": False,
                     # Loaded in file-name (info hash) order, not the added one:
                     # a queue would hold back most of the active torrents.
                     "download-queue-enabled": not active})
    with open(settings_path, "w") as f:
        json.dump(settings, f)


def no_blink(config, folder):
    """A blinking cursor in the search entry redraws the window for 10 s
    (GTK's gtk-cursor-blink-timeout) at a cost that is the renderer's, not
    the list's: off, in both GTK 4 and GTK 3."""
    os.makedirs(os.path.join(config, folder), exist_ok=True)
    with open(os.path.join(config, folder, "settings.ini"), "w") as f:
        f.write("[Settings]\ngtk-cursor-blink=false\n")


def tessera_env(home, active):
    env = dict(os.environ)
    env.update({
        "HOME": home,
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "GSETTINGS_BACKEND": "keyfile",
        "GDK_BACKEND": "x11",
        "G_MESSAGES_DEBUG": "tsr-app-events",
        "TESSERA_STALL_PROBE": "1",
        "TESSERA_NO_DHT": "1", "TESSERA_NO_LSD": "1", "TESSERA_NO_PORT_MAP": "1",
    })
    os.makedirs(os.path.join(home, "Downloads"), exist_ok=True)
    no_blink(os.path.join(home, ".config"), "gtk-4.0")
    os.makedirs(os.path.join(home, ".config", "glib-2.0", "settings"), exist_ok=True)
    with open(os.path.join(home, ".config", "glib-2.0", "settings", "keyfile"), "w") as f:
        f.write(f"[io/github/tessera/Tessera]\ndownload-folder='{home}/Downloads'\nask-where-to-save=false\n"
                f"listen-port=uint16 {rpc.free_port()}\ndht=false\nlocal-discovery=false\nport-mapping=false\n"
                f"download-queue-size=uint32 {max(active, 5)}\n")
    return env


def make_active_torrents(folder, data, count, announce):
    """@count torrents of one file of ACTIVE_SIZE random bytes each, the
    data in @data (the seeder's download folder), announcing to @announce.
    Returns their paths and names."""
    os.makedirs(folder, exist_ok=True)
    os.makedirs(data, exist_ok=True)
    paths, names = [], []
    for i in range(count):
        name = f"active-{i:03d}.bin"
        blob = os.urandom(ACTIVE_SIZE)
        with open(os.path.join(data, name), "wb") as f:
            f.write(blob)
        pieces = b"".join(hashlib.sha1(blob[at:at + ACTIVE_PIECE]).digest()
                          for at in range(0, ACTIVE_SIZE, ACTIVE_PIECE))
        info = {"name": name, "length": ACTIVE_SIZE, "piece length": ACTIVE_PIECE, "pieces": pieces}
        path = os.path.join(folder, f"a{i:03d}.torrent")
        with open(path, "wb") as f:
            f.write(rpc.bencode({"announce": announce, "info": info, "created by": "tessera tests/bench"}))
        paths.append(path)
        names.append(name)
    return paths, names


def start_swarm(cli, work, count, timeout):
    """`tessera-cli tracker` on 127.0.0.1 and a `tessera-cli daemon` seeding
    @count fresh torrents through it; returns the torrents' paths and names
    once the seeder has checked its data and seeds them all."""
    port = rpc.free_port()
    tracker = App("tracker", [cli, "tracker", "--listen", f"127.0.0.1:{port}", "--interval", "15", "--json-events"],
                  dict(os.environ), os.path.join(work, "tracker.log"))
    end = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if not tracker.alive() or time.monotonic() > end:
                raise Failure(f"tessera-cli tracker did not listen on 127.0.0.1:{port}: {rpc.tail(tracker.log.name)}")
            time.sleep(0.1)
    data = os.path.join(work, "seeder", "data")
    paths, names = make_active_torrents(os.path.join(work, "active"), data, count,
                                        f"http://127.0.0.1:{port}/announce")
    seeder = rpc.Tessera(cli, os.path.join(work, "seeder"), os.path.join(work, "seeder.log"), downloads=data,
                         trackers=True)
    for path in paths:
        seeder.add(path)
    end = time.monotonic() + timeout
    while True:
        torrents = seeder.call("torrent-get", fields=["id", "status", "percentDone"])["torrents"]
        seeding = sum(1 for t in torrents if t.get("status") == 6 and t.get("percentDone", 0) >= 1)
        if seeding == count:
            return paths, names
        if time.monotonic() > end:
            raise Failure(f"the seeder seeds {seeding} of {count} torrents after {timeout:.0f} s")
        time.sleep(0.5)


def run_app(name, argv, env, work, args, downloads, names, probed):
    app = App(name, argv, env, os.path.join(work, f"{name}.log"))
    try:
        row = {}
        row["window"], window = window_of(app, args.timeout)
        row["mapped_event"] = app.seen("window-mapped")
        if args.active:
            row["active"] = active_phase(app, args.active_seconds, downloads, probed)
        row["settled"], row["cpu"] = wait_quiet(app, args.quiet_window, args.timeout)
        row["rss"] = rss_kib(app.pid)
        if probed:
            row["scroll"] = scroll_phase(app, window, len(names), args.timeout)
            row.update(search_phase(app, window, names, args))
        return row
    finally:
        app.stop()


def report(args, rows):
    print()
    print(f"{args.torrents} torrents in the library, {args.active} of them with data "
          f"({ACTIVE_SIZE // rpc.MIB} MiB each) that a tessera-cli daemon seeds on 127.0.0.1; times in seconds "
          f"from the launch; GSK_RENDERER={os.environ.get('GSK_RENDERER', '(unset: GL, in software under Xvfb)')}")
    print(f"{'':14}{'window':>8}{'settled':>9}{'CPU s':>8}{'RSS MiB':>9}{'search CPU ms':>15}")
    for client, row in rows.items():
        search = f"{row['search_cpu'] * 1000:15.0f}" if "search_cpu" in row else f"{'n/a':>15}"
        print(f"{client:14}{row['window']:8.2f}{row['settled']:9.2f}{row['cpu']:8.2f}"
              f"{row['rss'] / 1024:9.1f}{search}")
    if args.active:
        print()
        print(f"Active phase: the {args.active_seconds:.0f} s after the window, the {args.active} torrents "
              f"downloading from the seeder ({args.active * ACTIVE_SIZE // rpc.MIB} MiB in all)")
        for client, row in rows.items():
            phase = row["active"]
            line = (f"  {client}: {phase['start_mib']:.0f} MiB on disk at the window, "
                    f"{phase['mib']:.0f} MiB at the phase's end")
            if "updates_mean" in phase:
                line += (f"; sidebar count updates {phase['updates_mean']:.1f}/s (busiest second "
                         f"{phase['updates_max']:.0f}); longest main-loop stall {phase['stall']:.0f} ms")
            else:
                line += ("; sidebar updates and stalls: not measurable from outside; it refuses peers at "
                         "127.0.0.1, so it downloads nothing here")
            print(line)
    if "tessera" in rows:
        row = rows["tessera"]
        event = "never" if row["mapped_event"] is None else f"{row['mapped_event']:.2f} s"
        print()
        print(f"tessera said window-mapped at {event}.")
        scroll = row["scroll"]
        print(f"Scrolling top to bottom (mouse wheel, {WHEEL_CLICKS} clicks {WHEEL_DELAY} ms apart, then a probe "
              f"report): {'reached the end' if scroll['reached'] else 'did NOT reach the end'} ({scroll['end']:.0f} px) "
              f"after {scroll['clicks']} clicks in {scroll['seconds']:.1f} s; longest main-loop stall "
              f"{scroll['stall']:.0f} ms")
        print(f"Typing {SEARCH!r} after Ctrl+F, a key every {KEY_GAP * 1000:.0f} ms once the rows showed; "
              f"longest main-loop stall {row['stall']:.0f} ms")
        print("  key  rows  key to painted ms  (of which xdotool ran ms)")
        for key in row["keys"]:
            latency = "never" if key["latency"] is None else f"{key['latency'] * 1000:.0f}"
            print(f"  {key['char']!r:5}{key['rows']:5}{latency:>19}{key['xdotool'] * 1000:>27.0f}")
        print(f"  quiet again {row['search_time']:.2f} s after the first key, with {row['search_raw'] * 1000:.0f} "
              f"ms of CPU in all; idle, it used {row['idle_rate'] * 100:.1f} % of a CPU")
    if "transmission" in rows:
        print()
        print("transmission-gtk: scrolling and search stalls and key latency not measurable from outside "
              "(no probe; its filter entry sits in its toolbar).")
    if len(rows) == 2:
        a, b = rows["tessera"], rows["transmission"]
        print()
        print("Ratios, Tessera / transmission-gtk (below 1.00: Tessera is faster or smaller)")
        for label, key in (("window", "window"), ("settled", "settled"), ("CPU time to settle", "cpu"),
                           ("RSS", "rss")):
            print(f"  {label}: " + (f"{a[key] / b[key]:.2f}" if b[key] > 0 else "n/a"))
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--torrents", type=int, default=2000, help="torrents in the library (2000)")
    parser.add_argument("--active", type=int, default=200, help="of those, torrents with data that a local seeder "
                        f"serves ({ACTIVE_SIZE // rpc.MIB} MiB each; 200; 0: all idle)")
    parser.add_argument("--active-seconds", type=float, default=10.0,
                        help="seconds watched after the window while they download (10)")
    parser.add_argument("--only", default=",".join(CLIENTS), help="some of tessera,transmission (both)")
    parser.add_argument("--quiet-window", type=float, default=3.0,
                        help="seconds under 5 %% CPU that mean the app settled (3)")
    parser.add_argument("--dir", default="/tmp", help="where the temporary folder goes (/tmp)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds allowed for each wait, filling the "
                        "libraries included (1200)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    clients = [c for c in CLIENTS if c in only]
    if not clients or only - set(CLIENTS):
        parser.error(f"--only takes some of {','.join(CLIENTS)}")
    if args.torrents < 1 or args.timeout <= 0 or args.quiet_window <= 0 or args.active_seconds <= 0:
        parser.error("--torrents, --timeout, --quiet-window and --active-seconds must be positive")
    if not 0 <= args.active <= args.torrents:
        parser.error("--active must be between 0 and --torrents")
    if not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        sys.exit("app-library.py: run it through app-library.sh (Xvfb and a private session bus)")
    cli = os.path.abspath(os.environ.get("TESSERA_CLI") or os.path.join(ROOT, "_build", "src", "cli", "tessera-cli"))
    app = os.path.abspath(os.environ.get("TESSERA_APP") or os.path.join(ROOT, "_build", "src", "app", "tessera"))
    if "tessera" in clients and not os.environ.get("GSETTINGS_SCHEMA_DIR"):
        os.environ["GSETTINGS_SCHEMA_DIR"] = os.path.join(ROOT, "_build", "data")
    for path in (cli, app) if "tessera" in clients else ():
        if not os.access(path, os.X_OK):
            sys.exit(f"app-library.py: {path} is missing: build with the app (meson setup _build && ninja -C _build)")
    needs = [("xdotool", "xdotool")]
    if "transmission" in clients:
        needs += [("transmission-daemon", "transmission-daemon"), ("transmission-gtk", "transmission-gtk")]
    for tool, package in needs:
        if shutil.which(tool) is None:
            sys.exit(f"app-library.py: {tool} is missing (Debian package {package})")

    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, lambda signum, frame: sys.exit(128 + signum))
    atexit.register(rpc.stop_all)
    work = tempfile.mkdtemp(prefix="tsr-bench-app-", dir=args.dir)
    rows = {}
    failed = True
    try:
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                      if line.startswith("model name")), "?")
        print(f"CPU: {model}, {os.cpu_count()} cores; load average at start: %.2f %.2f %.2f" % os.getloadavg())
        # The active torrents first: both apps queue downloads in the order
        # they were added, and the download queue is made as long as
        # --active (5 without any, the default of both).
        paths, names = [], []
        if args.active:
            print(f"making {args.active} torrents of {ACTIVE_SIZE // rpc.MIB} MiB and seeding them on 127.0.0.1 ...",
                  file=sys.stderr, flush=True)
            paths, names = start_swarm(cli, work, args.active, args.timeout)
        print(f"making {args.torrents - args.active} idle torrents ...", file=sys.stderr, flush=True)
        paths += rpc.make_idle_torrents(os.path.join(work, "torrents"), args.torrents - args.active)
        names += [f"idle-{i:05d}.bin" for i in range(args.torrents - args.active)]
        if "tessera" in clients:
            home = os.path.join(work, "home")
            env = tessera_env(home, args.active)
            library = os.path.join(env["XDG_DATA_HOME"], "tessera")
            print("tessera: filling its library ...", file=sys.stderr, flush=True)
            fill_tessera(cli, work, library, paths, args.timeout)
            print("tessera: starting the app ...", file=sys.stderr, flush=True)
            rows["tessera"] = run_app("tessera", [app], env, work, args, os.path.join(work, "filler", "downloads"),
                                      names, probed=True)
        if "transmission" in clients:
            config = os.path.join(work, "transmission")
            print("transmission: filling its configuration folder ...", file=sys.stderr, flush=True)
            fill_transmission(config, work, paths, args.timeout, args.active)
            print("transmission: starting transmission-gtk ...", file=sys.stderr, flush=True)
            home = os.path.join(work, "transmission-home")
            no_blink(os.path.join(home, ".config"), "gtk-3.0")
            env = dict(os.environ, GDK_BACKEND="x11", HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"))
            rows["transmission"] = run_app("transmission", ["transmission-gtk", "-g", config], env, work, args,
                                           os.path.join(config, "downloads"), names, probed=False)
        report(args, rows)
        print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
        failed = False
    except Failure as error:
        print(f"app-library.py: {error}", file=sys.stderr)
    finally:
        rpc.stop_all()
        if args.keep or failed:
            print(f"kept {work}" + ("" if not failed else " (stopped early: its logs are there)"), file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
