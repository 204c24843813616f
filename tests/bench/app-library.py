#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): the desktop app with a large library, against
transmission-gtk 3.00 with the same torrents. Run by app-library.sh under
Xvfb on a private session bus.

N (2000) distinct single-file torrents are made here (1 MiB in 4 pieces of
random hashes, no tracker, no data on disk: they stay idle). Tessera's
library is filled by `tessera-cli daemon --library-dir` in the app's data
folder of a temporary home (XDG_DATA_HOME/tessera: the daemon and the app
share the library format) over the RPC, then the daemon is stopped;
Transmission's configuration folder is filled the same way by
transmission-daemon (torrents/ and resume/ are the GTK client's too), with
the informed-consent question answered and its RPC off. Both start the
torrents they are given.

Then each app starts (GDK_BACKEND=x11, settings in a GSettings key file
of the temporary home for Tessera, -g FOLDER for transmission-gtk), and:
- window: seconds from the launch until xdotool sees its window mapped
  (Tessera also says "window-mapped" in its tsr-app-events debug domain;
  both times are shown). Tessera restores its library in its startup,
  before it makes the window, and the list's model is the library's: when
  the window is mapped the list holds all N rows; GTK makes row widgets
  only for the visible ones. transmission-gtk also loads its torrents
  before showing its window.
- settled: seconds from the launch until the process used less than 5 %
  of a CPU over --quiet-window s (3), i.e. the load is over; CPU s: its
  CPU time (user + system) by then. Three seconds, because GTK's overlay
  scroll bars fade out a second or so after the list changes, and that
  animation is part of the work.
- RSS after settling (VmRSS).
- Tessera only: the CPU time of a search: Ctrl+F and the term "7.bin"
  typed (xdotool, 80 ms between keys; the names are idle-NNNNN.bin, so
  the first key leaves about half the rows and the last a tenth), from
  the first key until it is quiet again, less its idle rate
  over that time. transmission-gtk 3.00 has no Ctrl+F search (its filter
  entry sits in a toolbar), so there is no comparison for this.

Both apps run with the cursor blink off (a blinking cursor in the search
entry redraws for 10 s) and without the accessibility bridge (no screen
reader listens; app-library.sh sets GTK_A11Y=none and NO_AT_BRIDGE=1).
Xvfb has no GPU: GTK 4 draws with GL in software (Mesa's llvmpipe), which
costs CPU and memory a desktop with a GPU does not pay (about 120 MiB of
RSS here); GTK 3 draws with cairo. GSK_RENDERER=cairo in the environment
compares like with like; the report says which renderer ran.

Every process is stopped by PID, also on failure.

Usage (repo root, after building): tests/bench/app-library.sh [--torrents N]
    [--only tessera,transmission] [--dir TMP] [--timeout S] [--keep]
TESSERA_APP (default _build/src/app/tessera) and TESSERA_CLI (default
_build/src/cli/tessera-cli) name the binaries."""

import argparse
import atexit
import json
import os
import shutil
import signal
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


def fill_transmission(config, work, paths, timeout):
    daemon = rpc.Transmission(config, os.path.join(work, "transmission-filler.log"))
    try:
        for path in paths:
            daemon.add(path)
        rpc.wait_settled(daemon, len(paths), timeout)
    finally:
        daemon.stop(grace=120)
    settings_path = os.path.join(config, "settings.json")
    with open(settings_path) as f:
        settings = json.load(f)
    settings.update({"rpc-enabled": False, "user-has-given-informed-consent": True, "show-options-window": False,
                     "show-notification-area-icon": False, "torrent-added-notification-enabled": False,
                     "torrent-complete-notification-enabled": False, "prompt-before-exit": False})
    with open(settings_path, "w") as f:
        json.dump(settings, f)


def no_blink(config, folder):
    """A blinking cursor in the search entry redraws the window for 10 s
    (GTK's gtk-cursor-blink-timeout) at a cost that is the renderer's, not
    the list's: off, in both GTK 4 and GTK 3."""
    os.makedirs(os.path.join(config, folder), exist_ok=True)
    with open(os.path.join(config, folder, "settings.ini"), "w") as f:
        f.write("[Settings]\ngtk-cursor-blink=false\n")


def tessera_env(home):
    env = dict(os.environ)
    env.update({
        "HOME": home,
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "GSETTINGS_BACKEND": "keyfile",
        "GDK_BACKEND": "x11",
        "G_MESSAGES_DEBUG": "tsr-app-events",
        "TESSERA_NO_DHT": "1", "TESSERA_NO_LSD": "1", "TESSERA_NO_PORT_MAP": "1",
    })
    os.makedirs(os.path.join(home, "Downloads"), exist_ok=True)
    no_blink(os.path.join(home, ".config"), "gtk-4.0")
    os.makedirs(os.path.join(home, ".config", "glib-2.0", "settings"), exist_ok=True)
    with open(os.path.join(home, ".config", "glib-2.0", "settings", "keyfile"), "w") as f:
        f.write(f"[io/github/tessera/Tessera]\ndownload-folder='{home}/Downloads'\nask-where-to-save=false\n"
                f"listen-port=uint16 {rpc.free_port()}\ndht=false\nlocal-discovery=false\nport-mapping=false\n")
    return env


def run_app(name, argv, env, work, args, search):
    app = App(name, argv, env, os.path.join(work, f"{name}.log"))
    try:
        row = {}
        row["window"], window = window_of(app, args.timeout)
        row["mapped_event"] = app.seen("window-mapped")
        row["settled"], row["cpu"] = wait_quiet(app, args.quiet_window, args.timeout)
        row["rss"] = rss_kib(app.pid)
        if search:
            subprocess.run(["xdotool", "windowfocus", "--sync", window], timeout=30, capture_output=True)
            subprocess.run(["xdotool", "key", "--window", window, "ctrl+f"], timeout=30, check=True)
            # The search bar's reveal over, the idle rate over two seconds
            # (about nothing: the app sleeps when nothing changes).
            wait_quiet(app, args.quiet_window, args.timeout)
            before = time.monotonic(), cpu_seconds(app.pid)
            time.sleep(2)
            start = time.monotonic(), cpu_seconds(app.pid)
            idle_rate = (start[1] - before[1]) / (start[0] - before[0])
            subprocess.run(["xdotool", "type", "--window", window, "--delay", "80", SEARCH], timeout=60, check=True)
            quiet, cpu = wait_quiet(app, args.quiet_window, args.timeout, since=start[0])
            row["search_raw"] = cpu - start[1]
            row["idle_rate"] = idle_rate
            row["search_cpu"] = max(0.0, cpu - start[1] - idle_rate * quiet)
            row["search_time"] = quiet
        return row
    finally:
        app.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--torrents", type=int, default=2000, help="torrents in the library (2000)")
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
    if args.torrents < 1 or args.timeout <= 0 or args.quiet_window <= 0:
        parser.error("--torrents, --timeout and --quiet-window must be positive")
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
        print(f"making {args.torrents} torrents ...", file=sys.stderr, flush=True)
        paths = rpc.make_idle_torrents(os.path.join(work, "torrents"), args.torrents)
        if "tessera" in clients:
            home = os.path.join(work, "home")
            env = tessera_env(home)
            library = os.path.join(env["XDG_DATA_HOME"], "tessera")
            print("tessera: filling its library ...", file=sys.stderr, flush=True)
            fill_tessera(cli, work, library, paths, args.timeout)
            print("tessera: starting the app ...", file=sys.stderr, flush=True)
            rows["tessera"] = run_app("tessera", [app], env, work, args, search=True)
        if "transmission" in clients:
            config = os.path.join(work, "transmission")
            print("transmission: filling its configuration folder ...", file=sys.stderr, flush=True)
            fill_transmission(config, work, paths, args.timeout)
            print("transmission: starting transmission-gtk ...", file=sys.stderr, flush=True)
            home = os.path.join(work, "transmission-home")
            no_blink(os.path.join(home, ".config"), "gtk-3.0")
            env = dict(os.environ, GDK_BACKEND="x11", HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"))
            rows["transmission"] = run_app("transmission", ["transmission-gtk", "-g", config], env, work, args,
                                           search=False)
        print()
        print(f"{args.torrents} idle torrents in the library; times in seconds from the launch; "
              f"GSK_RENDERER={os.environ.get('GSK_RENDERER', '(unset: GL, in software under Xvfb)')}")
        print(f"{'':14}{'window':>8}{'settled':>9}{'CPU s':>8}{'RSS MiB':>9}{'search CPU ms':>15}")
        for client, row in rows.items():
            search = f"{row['search_cpu'] * 1000:15.0f}" if "search_cpu" in row else f"{'n/a':>15}"
            print(f"{client:14}{row['window']:8.2f}{row['settled']:9.2f}{row['cpu']:8.2f}"
                  f"{row['rss'] / 1024:9.1f}{search}")
        if "tessera" in rows:
            row = rows["tessera"]
            event = "never" if row["mapped_event"] is None else f"{row['mapped_event']:.2f} s"
            print(f"  tessera said window-mapped at {event}; the search of {SEARCH!r} was quiet again "
                  f"{row['search_time']:.2f} s after its first key, with {row['search_raw'] * 1000:.0f} ms "
                  f"of CPU in all; idle, it used {row['idle_rate'] * 100:.1f} % of a CPU")
        if len(rows) == 2:
            a, b = rows["tessera"], rows["transmission"]
            print()
            print("Ratios, Tessera / transmission-gtk (below 1.00: Tessera is faster or smaller)")
            for label, key in (("window", "window"), ("settled", "settled"), ("CPU time to settle", "cpu"),
                               ("RSS", "rss")):
                print(f"  {label}: " + (f"{a[key] / b[key]:.2f}" if b[key] > 0 else "n/a"))
        print()
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
