#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The desktop app's in-process remote control driven by Debian's
transmission-remote 3.00, as Transmission's own app would be: the built
`tessera` runs under Xvfb on a private session bus, with its preferences
in a GSettings key file that turns the remote control on at a free port
of 127.0.0.1 (with a password), in temporary XDG folders. A torrent
added with `-a` is listed by `-l`, stopped with `-S`, listed as Stopped;
a wrong password is refused. The alternative speed schedule set over
the RPC (python3-transmissionrpc) lands in the app's GSettings keys, and
the app's own schedule follower turns the alternative limits on. The app's process group (dbus-run-session,
xvfb-run, Xvfb, the app: all started here) is stopped by its ID at the
end; every wait is bounded."""

import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import CLI, Tap, cli, need_cli, need_tool, pseudo_random, run, write  # noqa: E402

need_cli()
need_tool("transmission-remote", "transmission-cli")
need_tool("xvfb-run", "xvfb")
need_tool("dbus-run-session", "dbus-daemon")
try:
    import transmissionrpc
except ImportError:
    print("Bail out! python3-transmissionrpc is missing (build-aux/install-deps installs it)")
    sys.exit(1)
APP = sys.argv[1] if len(sys.argv) > 1 else None
if not APP or not os.access(APP, os.X_OK):
    print("Bail out! give the built tessera as the argument (configure with -Dgui=true)")
    sys.exit(1)

tap = Tap()
USER, PASSWORD = "remote", "pa55 word"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what, timeout=30):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.2)


class App:
    """The app with the remote control on, in @d's XDG folders."""

    def __init__(self, d):
        self.port = free_port()
        self.downloads = os.path.join(d, "downloads")
        config = os.path.join(d, "config")
        self.keyfile = os.path.join(config, "glib-2.0", "settings", "keyfile")
        os.makedirs(self.downloads, exist_ok=True)
        keyfile = "\n".join([
            "[io/github/tessera/Tessera]",
            "rpc-enabled=true",
            f"rpc-port=uint16 {self.port}",
            "rpc-auth-required=true",
            f"rpc-username='{USER}'",
            f"download-folder='{self.downloads}'",
            f"listen-port=uint16 {free_port()}",
            "ask-where-to-save=false",
            ""])
        write(os.path.join(config, "glib-2.0", "settings", "keyfile"), keyfile.encode())
        # The password as the Remote Control page saves it: not in GSettings.
        write(os.path.join(config, "tessera", "rpc-password"), PASSWORD.encode())
        os.chmod(os.path.join(config, "tessera", "rpc-password"), 0o600)
        env = dict(os.environ, GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=config,
                   XDG_DATA_HOME=os.path.join(d, "data"), XDG_CACHE_HOME=os.path.join(d, "cache"),
                   GDK_BACKEND="x11", NO_AT_BRIDGE="1", GTK_A11Y="none")
        self.log = open(os.path.join(d, "app.log"), "w+")
        # A session of its own: the group is stopped by its ID at the end.
        self.process = subprocess.Popen(["dbus-run-session", "--", "xvfb-run", "-a", "-s", "-screen 0 1280x800x24",
                                         APP], stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
        try:
            wait_for(self.listening, "the app's remote control to listen")
        except AssertionError:
            self.stop()
            self.log.seek(0)
            raise AssertionError(f"the app never listened on {self.port}: {self.log.read()}")

    def listening(self):
        assert self.process.poll() is None, "the app exited"
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def remote(self, *args, auth=f"{USER}:{PASSWORD}", check=True):
        result = run(["transmission-remote", f"127.0.0.1:{self.port}", "--auth", auth, *args], timeout=30)
        out = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
        if check:
            assert result.returncode == 0, f"{args}: {out}"
        return out

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def list_rows(out):
    return [line.split() for line in out.splitlines()[1:] if line.strip() and not line.startswith("Sum:")]


def test_transmission_remote_drives_app(d):
    app = App(d)
    try:
        assert list_rows(app.remote("-l")) == []
        data_path = os.path.join(app.downloads, "payload.bin")
        write(data_path, pseudo_random(200_000, 3))
        torrent = os.path.join(d, "payload.bin.torrent")
        cli("create", "-o", torrent, data_path, check=True)
        assert "success" in app.remote("-a", torrent)
        wait_for(lambda: "100%" in app.remote("-l"), "the added torrent to verify against its data")
        rows = list_rows(app.remote("-l"))
        assert len(rows) == 1 and rows[0][-1] == "payload.bin", rows
        app.remote("-t", rows[0][0], "-S")
        wait_for(lambda: "Stopped" in app.remote("-l"), "the torrent to show as stopped")
        info = app.remote("-t", rows[0][0], "-i")
        assert "Name: payload.bin" in info and f"Location: {app.downloads}" in info, info
        refused = app.remote("-l", auth=f"{USER}:wrong", check=False)
        assert "401" in refused or "Unauthorized" in refused, refused
        assert app.process.poll() is None, "the app exited"

        # The schedule: GSettings keys, followed by the app (midnight to
        # midnight every day is the whole day: on at once).
        client = transmissionrpc.Client("127.0.0.1", port=app.port, user=USER, password=PASSWORD, timeout=20)
        client.set_session(alt_speed_time_begin=0, alt_speed_time_end=0, alt_speed_time_day=127,
                           alt_speed_time_enabled=True)
        wait_for(lambda: client.get_session().alt_speed_enabled is True, "the app's schedule turning alt speed on")
        client.set_session(alt_speed_time_begin=1380, alt_speed_time_end=420, alt_speed_time_day=62)
        session = client.get_session()
        assert (session.alt_speed_time_enabled, session.alt_speed_time_begin, session.alt_speed_time_end,
                session.alt_speed_time_day) == (True, 1380, 420, 62), session
        wanted = {"alt-speed-time-enabled": "true", "alt-speed-time-begin": "1380", "alt-speed-time-end": "420",
                  "alt-speed-time-day": "62"}

        def saved():
            with open(app.keyfile) as f:
                keys = dict(line.split("=", 1) for line in f.read().splitlines() if "=" in line)
            # GVariant text: "uint32 1380" (or a bare number once the type is known).
            return {k: keys.get(k, "").split()[-1] if keys.get(k) else None for k in wanted}

        try:
            wait_for(lambda: saved() == wanted, "the schedule in the app's settings")
        except AssertionError:
            with open(app.keyfile) as f:
                raise AssertionError(f"{saved()}: {f.read()}")
    finally:
        app.stop()


tap.run_all(globals())
