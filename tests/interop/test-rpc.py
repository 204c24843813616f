#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`tessera-cli daemon` driven over Transmission's RPC by Debian's
transmission-remote 3.00 and python3-transmissionrpc, by raw HTTP as
Sonarr and Radarr talk, and by hostile requests: the session-id handshake,
authentication, the address and Host allow-lists, size limits, malformed
JSON and path traversal. Each daemon runs on 127.0.0.1 with a random port
and a temporary library, and is stopped by PID; every wait is bounded."""

import base64
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrpeers import stop_process  # noqa: E402
from tsrtest import CLI, Tap, cli, need_cli, need_tool, pseudo_random, run, write  # noqa: E402

need_cli()
need_tool("transmission-remote", "transmission-cli")
try:
    import transmissionrpc
except ImportError:
    print("Bail out! python3-transmissionrpc is missing (build-aux/install-deps installs it)")
    sys.exit(1)

tap = Tap()
SONARR_FIELDS = ["id", "hashString", "name", "downloadDir", "totalSize", "leftUntilDone", "isFinished", "eta",
                 "status", "secondsDownloading", "secondsSeeding", "errorString", "uploadedEver",
                 "downloadedEver", "seedRatioLimit", "seedRatioMode", "seedIdleLimit", "seedIdleMode",
                 "fileCount", "file-count", "labels"]
MAGNET = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=hello"


class Daemon:
    def __init__(self, d, *extra, library=None, peer_port="0"):
        self.d = d
        self.downloads = os.path.join(d, "downloads")
        self.library = library or os.path.join(d, "library")
        os.makedirs(self.downloads, exist_ok=True)
        env = dict(os.environ, TESSERA_NO_DHT="1", TESSERA_NO_LSD="1", TESSERA_NO_PORT_MAP="1")
        self.process = subprocess.Popen([CLI, "daemon", "--config-dir", os.path.join(d, "config"),
                                         "--library-dir", self.library, "--download-dir", self.downloads,
                                         "--rpc-port", "0", *(["--peer-port", peer_port] if peer_port else []),
                                         "--no-tracker", *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        ready, _, _ = select.select([self.process.stdout], [], [], 20)
        line = self.process.stdout.readline().decode() if ready else ""
        match = re.search(r"127\.0\.0\.1:(\d+)/transmission/rpc", line)
        if not match:
            stop_process(self.process)
            raise AssertionError(f"the daemon did not say its port: {line!r} {self.process.stderr.read()!r}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}/transmission/rpc"
        self.session_id = None

    def remote(self, *args, check=True):
        result = run(["transmission-remote", f"127.0.0.1:{self.port}", *args], timeout=30)
        out = result.stdout.decode(errors="replace")
        if check:
            assert result.returncode == 0, f"{args}: {out} {result.stderr.decode(errors='replace')}"
        return out

    def http(self, body, headers=None, auth=None, session=True):
        """(status, headers, body) of one POST, without the handshake."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(self.url, data=data, method="POST")
        if session and self.session_id:
            request.add_header("X-Transmission-Session-Id", self.session_id)
        if auth:
            request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def call(self, method, arguments=None, tag=None, auth=None):
        """The reply of one RPC call, the handshake done as clients do it."""
        body = {"method": method, "arguments": arguments or {}}
        if tag is not None:
            body["tag"] = tag
        status, headers, data = self.http(body, auth=auth)
        if status == 409:
            self.session_id = headers["X-Transmission-Session-Id"]
            status, headers, data = self.http(body, auth=auth)
        assert status == 200, f"{method}: HTTP {status} {data!r}"
        return json.loads(data)

    def alive(self):
        return self.call("session-get", {"fields": ["version"]})["result"] == "success"

    def stop(self):
        stop_process(self.process)
        return self.process.returncode


def make_torrent(d, name="payload.bin", size=300_000, seed=1):
    """A torrent of a file that is already in the downloads folder."""
    data_path = os.path.join(d, "downloads", name)
    write(data_path, pseudo_random(size, seed))
    torrent = os.path.join(d, name + ".torrent")
    cli("create", "-o", torrent, data_path, check=True)
    return torrent


def wait_for(condition, what, timeout=20):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.2)


def list_rows(out):
    return [line.split() for line in out.splitlines()[1:] if line.strip() and not line.startswith("Sum:")]


def test_remote_list_add_info(d):
    daemon = Daemon(d)
    try:
        assert list_rows(daemon.remote("-l")) == []
        torrent = make_torrent(d)
        assert "success" in daemon.remote("-a", torrent)
        wait_for(lambda: "100%" in daemon.remote("-l"), "the added torrent to verify")
        rows = list_rows(daemon.remote("-l"))
        assert len(rows) == 1 and rows[0][0] == "1" and rows[0][-1] == "payload.bin", rows
        info = daemon.remote("-t", "1", "-i")
        assert "Name: payload.bin" in info, info
        assert f"Location: {daemon.downloads}" in info, info
        assert "Percent Done: 100%" in info, info
        assert "Total size: 300.0 kB" in info, info
        assert re.search(r"Hash: [0-9a-f]{40}", info), info
        assert "Piece Count: " in info, info
        # The same torrent again is a duplicate, not a second one.
        reply = daemon.call("torrent-add", {"metainfo": base64.b64encode(open(torrent, "rb").read()).decode()})
        assert reply["result"] == "success" and reply["arguments"]["torrent-duplicate"]["id"] == 1, reply
    finally:
        assert daemon.stop() == 0


def test_remote_add_url(d):
    """-a URL: the daemon fetches the torrent file from a local web server."""
    daemon = Daemon(d)
    web_root = os.path.join(d, "web")
    os.makedirs(web_root)
    torrent = make_torrent(d)
    os.rename(torrent, os.path.join(web_root, "x.torrent"))
    server = subprocess.Popen(["/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", "0"],
                              cwd=web_root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        ready, _, _ = select.select([server.stdout], [], [], 20)
        line = server.stdout.readline().decode() if ready else ""
        port = re.search(r"port (\d+)", line).group(1)
        assert "success" in daemon.remote("-a", f"http://127.0.0.1:{port}/x.torrent")
        rows = list_rows(daemon.remote("-l"))
        assert len(rows) == 1 and rows[0][-1] == "payload.bin", rows
        reply = daemon.call("torrent-add", {"filename": f"http://127.0.0.1:{port}/missing.torrent"}, tag=5)
        assert reply["result"] != "success" and "404" in reply["result"] and reply["tag"] == 5, reply
    finally:
        stop_process(server)
        assert daemon.stop() == 0


def test_remote_magnet_ids_stable(d):
    daemon = Daemon(d)
    try:
        torrent = make_torrent(d)
        daemon.remote("-a", torrent)
        daemon.remote("-a", MAGNET)
        rows = list_rows(daemon.remote("-l"))
        assert [r[0] for r in rows] == ["1", "2"] and rows[1][-1] == "hello", rows
        daemon.remote("-t", "1", "-r")
        rows = list_rows(daemon.remote("-l"))
        assert [r[0] for r in rows] == ["2"], rows
        # Removing keeps the data; the id is not given again.
        assert os.path.exists(os.path.join(daemon.downloads, "payload.bin"))
        daemon.remote("-a", torrent)
        rows = list_rows(daemon.remote("-l"))
        assert [r[0] for r in rows] == ["2", "3"], rows
        reply = daemon.call("torrent-get", {"ids": "recently-active", "fields": ["id"]})
        assert 1 in reply["arguments"]["removed"], reply
        reply = daemon.call("torrent-get", {"ids": ["0123456789abcdef0123456789abcdef01234567"], "fields": ["id"]})
        assert reply["arguments"]["torrents"] == [{"id": 2}], reply
    finally:
        assert daemon.stop() == 0


def test_remote_stop_start_verify_remove(d):
    daemon = Daemon(d)
    try:
        daemon.remote("-a", make_torrent(d))
        wait_for(lambda: "100%" in daemon.remote("-l"), "verification")
        daemon.remote("-t", "1", "-S")
        assert list_rows(daemon.remote("-l"))[0][8] == "Stopped", daemon.remote("-l")
        daemon.remote("-t", "1", "-s")
        wait_for(lambda: list_rows(daemon.remote("-l"))[0][8] != "Stopped", "the torrent to start")
        daemon.remote("-t", "1", "-v")
        wait_for(lambda: "100%" in daemon.remote("-l"), "the verify to end")
        daemon.remote("-t", "1", "--remove-and-delete")
        wait_for(lambda: not os.path.exists(os.path.join(daemon.downloads, "payload.bin")), "the data to go")
        assert list_rows(daemon.remote("-l")) == []
    finally:
        assert daemon.stop() == 0


def test_remote_session_info_stats_turtle(d):
    daemon = Daemon(d)
    try:
        info = daemon.remote("-si")
        assert "Daemon version: 3.00 (Tessera " in info, info
        assert "RPC version: 17" in info and "RPC minimum version: 14" in info, info
        assert f"Download directory: {daemon.downloads}" in info, info
        stats = daemon.remote("-st")
        assert "Started 1 times" in stats, stats
        daemon.remote("-as")
        assert "Enabled turtle limit" in daemon.remote("-si")
        daemon.remote("-AS")
        assert "Disabled turtle limit" in daemon.remote("-si")
        daemon.remote("-d", "250")
        assert daemon.call("session-get")["arguments"]["speed-limit-down"] == 250
        # Kept in the key file for the next run (written off the main loop,
        # so a moment after the reply).
        config = os.path.join(d, "config", "daemon.conf")
        wait_for(lambda: os.path.exists(config) and "speed-limit-down=250" in open(config).read(),
                 "the key file rewritten")
    finally:
        assert daemon.stop() == 0


def test_remote_move(d):
    daemon = Daemon(d)
    try:
        daemon.remote("-a", make_torrent(d))
        wait_for(lambda: "100%" in daemon.remote("-l"), "verification")
        target = os.path.join(d, "moved")
        daemon.remote("-t", "1", "--move", target)
        wait_for(lambda: os.path.exists(os.path.join(target, "payload.bin")), "the move")
        # The file is there a moment before the torrent takes its new folder.
        wait_for(lambda: f"Location: {target}" in daemon.remote("-t", "1", "-i"), "the new location")
        assert not os.path.exists(os.path.join(daemon.downloads, "payload.bin"))
    finally:
        assert daemon.stop() == 0


def test_remote_files_trackers(d):
    daemon = Daemon(d)
    try:
        folder = os.path.join(daemon.downloads, "multi")
        write(os.path.join(folder, "a.bin"), pseudo_random(300_000, 2))
        write(os.path.join(folder, "b.bin"), pseudo_random(100_000, 3))
        torrent = os.path.join(d, "multi.torrent")
        cli("create", "-t", "http://127.0.0.1:1/announce", "-o", torrent, folder, check=True)
        daemon.remote("-a", torrent)
        wait_for(lambda: "100%" in daemon.remote("-l"), "verification")
        files = daemon.remote("-t", "1", "-f")
        assert re.search(r"0: 100% Normal +Yes .*multi/a\.bin", files), files
        daemon.remote("-t", "1", "-G", "1")
        daemon.remote("-t", "1", "-ph", "0")
        files = daemon.remote("-t", "1", "-f")
        assert re.search(r"0: 100% High +Yes .*multi/a\.bin", files), files
        assert re.search(r"1: 100% Normal +No .*multi/b\.bin", files), files
        assert "Tracker 0: 127.0.0.1" in daemon.remote("-t", "1", "-it")
        daemon.remote("-t", "1", "-td", "http://127.0.0.1:2/announce")
        trackers = daemon.remote("-t", "1", "-it")
        assert "Tracker 1: 127.0.0.1" in trackers and "Active in tier 1" in trackers, trackers
        daemon.remote("-t", "1", "-tr", "0")
        reply = daemon.call("torrent-get", {"ids": [1], "fields": ["trackers", "trackerList"]})
        got = reply["arguments"]["torrents"][0]
        assert [t["announce"] for t in got["trackers"]] == ["http://127.0.0.1:2/announce"], got
        assert got["trackerList"] == "http://127.0.0.1:2/announce\n", got
        # Kept by the library, as the app would.
        daemon.remote("-t", "1", "-u", "100")
        assert "Upload Limit: 100 kB/s" in daemon.remote("-t", "1", "-i")
    finally:
        assert daemon.stop() == 0


def test_download_from_local_peer(d):
    """A magnet link whose x.pe names a tessera-cli peer seeding on
    127.0.0.1: the daemon fetches the metadata and the data, and the RPC
    shows the peer while it does and 100% after."""
    seed_dir = os.path.join(d, "seed")
    write(os.path.join(seed_dir, "big.bin"), pseudo_random(3_000_000, 9))
    torrent = os.path.join(d, "big.torrent")
    created = cli("create", "--magnet", "-o", torrent, os.path.join(seed_dir, "big.bin"), check=True)
    magnet = re.search(r"magnet:\?\S+", created.stdout.decode()).group(0)
    # About three seconds at 1 MiB/s: long enough to see the peer connected.
    seeder = subprocess.Popen([CLI, "peer", "-d", seed_dir, "-p", "0", "--bind", "127.0.0.1", "--no-tracker",
                               "--up-rate", "1m",
                               "--no-dht", "--no-lsd", "--no-port-map", "--json-events",
                               "--state", os.path.join(d, "seed-state"), torrent],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    daemon = None
    try:
        ready, _, _ = select.select([seeder.stdout], [], [], 20)
        event = json.loads(seeder.stdout.readline()) if ready else {}
        assert event.get("event") == "listening", event
        daemon = Daemon(d)
        assert "success" in daemon.remote("-a", f"{magnet}&x.pe=127.0.0.1:{event['port']}")
        seen_peer = False
        end = time.monotonic() + 60
        while True:
            got = daemon.call("torrent-get", {"ids": [1], "fields": ["percentDone", "peers", "peersFrom", "status",
                                                                       "totalSize", "name"]})
            got = got["arguments"]["torrents"][0]
            if got["peers"] and got["percentDone"] < 1:
                seen_peer = True
                assert got["peers"][0]["address"] == "127.0.0.1", got["peers"]
                assert sum(got["peersFrom"].values()) == len(got["peers"]), got["peersFrom"]
            if got["percentDone"] == 1 and got["totalSize"] == 3_000_000:
                break
            assert time.monotonic() < end, f"no download: {got}"
            time.sleep(0.2)
        assert seen_peer and got["name"] == "big.bin", got
        wait_for(lambda: list_rows(daemon.remote("-l"))[0][1] == "100%", "the list to say 100%")
        with open(os.path.join(daemon.downloads, "big.bin"), "rb") as f:
            assert f.read() == pseudo_random(3_000_000, 9)
    finally:
        stop_process(seeder)
        if daemon is not None:
            assert daemon.stop() == 0


def test_transmissionrpc_client(d):
    daemon = Daemon(d)
    try:
        client = transmissionrpc.Client("127.0.0.1", port=daemon.port, timeout=20)
        session = client.get_session()
        assert session.version.startswith("3.00 (Tessera"), session.version
        with open(make_torrent(d), "rb") as f:
            added = client.add_torrent(base64.b64encode(f.read()).decode())
        assert added.id == 1, added
        client.add_torrent(MAGNET, paused=True)
        torrents = sorted(client.get_torrents(), key=lambda t: t.id)
        assert [t.name for t in torrents] == ["payload.bin", "hello"], torrents
        client.stop_torrent(1)
        wait_for(lambda: client.get_torrent(1).status == "stopped", "stopped status")
        client.change_torrent(1, seedRatioLimit=1.5, seedRatioMode=1)
        assert abs(client.get_torrent(1).seedRatioLimit - 1.5) < 1e-9
        client.remove_torrent(2)
        assert [t.id for t in client.get_torrents()] == [1]
    finally:
        assert daemon.stop() == 0


def test_sonarr_conversation(d):
    """As Sonarr's TransmissionProxy: version, add, poll, seed limits, remove."""
    daemon = Daemon(d)
    try:
        version = daemon.call("session-get", tag=7)
        assert version["tag"] == 7 and version["result"] == "success"
        # Sonarr takes the first number not inside parentheses, wanting >= 2.40.
        number = re.search(r"(?<!\(|(\d|\.))(\d|\.)+(?!\)|(\d|\.))", version["arguments"]["version"]).group(0)
        assert tuple(int(p) for p in number.split(".")) >= (2, 40), number
        folder = os.path.join(d, "tv")
        torrent = make_torrent(d)
        reply = daemon.call("torrent-add", {"metainfo": base64.b64encode(open(torrent, "rb").read()).decode(),
                                            "download-dir": folder, "paused": True})
        added = reply["arguments"]["torrent-added"]
        assert re.fullmatch("[0-9a-f]{40}", added["hashString"]), added
        reply = daemon.call("torrent-get", {"fields": SONARR_FIELDS})
        got = reply["arguments"]["torrents"][0]
        assert set(got) == set(SONARR_FIELDS), set(SONARR_FIELDS) - set(got)
        assert got["hashString"] == added["hashString"] and got["downloadDir"] == folder
        assert got["totalSize"] == 300_000 and got["leftUntilDone"] == 300_000
        os.makedirs(folder, exist_ok=True)
        os.rename(os.path.join(daemon.downloads, "payload.bin"), os.path.join(folder, "payload.bin"))
        assert got["status"] == 0 and got["isFinished"] is False and got["errorString"] == ""
        assert got["fileCount"] == 1 and got["file-count"] == 1 and got["labels"] == []
        assert got["secondsDownloading"] == 0 and got["secondsSeeding"] == 0, got
        daemon.call("torrent-start", {"ids": [added["id"]]})
        wait_for(lambda: daemon.call("torrent-get", {"fields": ["status"]})["arguments"]["torrents"][0]["status"] == 6,
                 "seeding")
        time.sleep(2.2)
        got = daemon.call("torrent-get", {"fields": SONARR_FIELDS})["arguments"]["torrents"][0]
        assert got["secondsSeeding"] >= 2 and got["leftUntilDone"] == 0, got
        reply = daemon.call("torrent-set", {"ids": [added["hashString"]], "seedRatioLimit": 2.5, "seedRatioMode": 1,
                                            "seedIdleLimit": 30, "seedIdleMode": 1, "labels": ["tv"]})
        assert reply["result"] == "success"
        got = daemon.call("torrent-get", {"ids": [added["id"]], "fields": SONARR_FIELDS})["arguments"]["torrents"][0]
        assert got["seedRatioLimit"] == 2.5 and got["seedRatioMode"] == 1, got
        assert got["seedIdleLimit"] == 30 and got["seedIdleMode"] == 1 and got["labels"] == ["tv"], got
        table = daemon.call("torrent-get", {"fields": ["id", "name"], "format": "table"})
        assert table["arguments"]["torrents"] == [["id", "name"], [1, "payload.bin"]], table
        assert daemon.call("torrent-remove", {"ids": [added["hashString"]], "delete-local-data": True})["result"] == "success"
        assert daemon.call("torrent-get", {"fields": ["id"]})["arguments"]["torrents"] == []
    finally:
        assert daemon.stop() == 0


def test_security_handshake_auth_host(d):
    daemon = Daemon(d, "--rpc-auth", "alice:secret")
    try:
        status, headers, _ = daemon.http({"method": "session-get"}, auth="alice:secret", session=False)
        assert status == 409 and len(headers["X-Transmission-Session-Id"]) >= 32, status
        daemon.session_id = headers["X-Transmission-Session-Id"]
        assert daemon.http({"method": "session-get"}, auth="alice:wrong")[0] == 401
        assert daemon.http({"method": "session-get"})[0] == 401
        status, _, _ = daemon.http({"method": "session-get"}, auth="alice:secret", headers={"Host": "evil.example:80"})
        assert status == 421, status
        status, _, _ = daemon.http({"method": "session-get"}, auth="alice:secret", headers={"Host": "localhost:1"})
        assert status == 200, status
        assert "Daemon version" in run(["transmission-remote", f"127.0.0.1:{daemon.port}", "-n", "alice:secret",
                                        "-si"], timeout=30).stdout.decode()
        assert run(["transmission-remote", f"127.0.0.1:{daemon.port}", "-n", "alice:nope", "-l"],
                   timeout=30).returncode != 0
    finally:
        assert daemon.stop() == 0


def test_security_address_not_allowed(d):
    daemon = Daemon(d, "--rpc-whitelist", "10.1.2.*")
    try:
        status, _, body = daemon.http({"method": "session-get"}, session=False)
        assert status == 403, (status, body)
    finally:
        assert daemon.stop() == 0


def test_security_oversized_malformed(d):
    daemon = Daemon(d)
    try:
        assert daemon.alive()
        status, _, body = daemon.http(b'{"method":"session-get","arguments":{"x":"' + b"a" * (2 << 20) + b'"}}')
        assert status == 413 and b"too large" in body, status
        assert daemon.alive()
        for bad in [b"{", b"[]", b"\xff\xfe", b'{"method": 5}', b'{"arguments": []}', b"null",
                    b'{"method":"torrent-get","arguments":{"fields":"x","ids":{"a":1}}}',
                    b'{"method":"torrent-add","arguments":{"metainfo":"!!!"}}']:
            status, _, body = daemon.http(bad)
            reply = json.loads(body)
            assert reply["result"] != "success", (bad, reply)
        assert daemon.call("no-such-method")["result"] == "method name not recognized"
        assert daemon.alive() and daemon.process.poll() is None
    finally:
        assert daemon.stop() == 0


def test_security_path_traversal(d):
    root = os.path.join(d, "downloads")
    daemon = Daemon(d, "--allowed-dir", root)
    try:
        secret = os.path.join(d, "secret.torrent")
        write(secret, open(make_torrent(d), "rb").read())
        for path in [secret, os.path.join(root, "..", "secret.torrent"), "secret.torrent", "/etc/passwd"]:
            reply = daemon.call("torrent-add", {"filename": path})
            assert reply["result"] != "success", (path, reply)
        for folder in ["/etc", os.path.join(root, "..", "x"), "relative/dir"]:
            reply = daemon.call("torrent-add", {"filename": MAGNET, "download-dir": folder})
            assert reply["result"] != "success", (folder, reply)
        # A symlink inside the root that leads out of it is out.
        os.symlink(d, os.path.join(root, "link"))
        reply = daemon.call("torrent-add", {"filename": os.path.join(root, "link", "secret.torrent")})
        assert reply["result"] != "success", reply
        assert daemon.call("torrent-get", {"fields": ["id"]})["arguments"]["torrents"] == []
        inside = os.path.join(root, "ok.torrent")
        write(inside, open(secret, "rb").read())
        assert daemon.call("torrent-add", {"filename": inside, "paused": True})["result"] == "success"
        reply = daemon.call("torrent-set-location", {"ids": [1], "location": "/tmp", "move": True})
        assert reply["result"] != "success", reply
        assert daemon.call("free-space", {"path": "/"})["result"] != "success"
    finally:
        assert daemon.stop() == 0


def files_of(daemon, torrent_id=1):
    reply = daemon.call("torrent-get", {"ids": [torrent_id], "fields": ["files", "name"]})
    torrent = reply["arguments"]["torrents"][0]
    return torrent["name"], sorted(f["name"] for f in torrent["files"])


def tree(root):
    return sorted(os.path.relpath(os.path.join(top, name), root)
                  for top, _, names in os.walk(root) for name in names)


def test_rename_path(d):
    daemon = Daemon(d)
    album = os.path.join(daemon.downloads, "album")
    write(os.path.join(album, "a.txt"), pseudo_random(70_000, 3))
    write(os.path.join(album, "sub", "b.txt"), pseudo_random(50_000, 4))
    torrent = os.path.join(d, "album.torrent")
    cli("create", "-o", torrent, album, check=True)
    try:
        daemon.remote("-a", torrent)
        wait_for(lambda: "100%" in daemon.remote("-l"), "the added torrent to verify")
        # python3-transmissionrpc (transmission-remote 3.00 has no
        # --rename; 4.0 added it): a file, then the top folder (the name).
        client = transmissionrpc.Client("127.0.0.1", port=daemon.port, timeout=20)
        assert client.rename_torrent_path(1, "album/a.txt", "c.txt") == ("album/a.txt", "c.txt")
        assert files_of(daemon) == ("album", ["album/c.txt", "album/sub/b.txt"]), files_of(daemon)
        assert client.rename_torrent_path(1, "album", "record") == ("album", "record")
        assert files_of(daemon) == ("record", ["record/c.txt", "record/sub/b.txt"]), files_of(daemon)
        assert list_rows(daemon.remote("-l"))[0][-1] == "record"
        assert not os.path.exists(album)
        record = os.path.join(daemon.downloads, "record")
        assert tree(record) == ["c.txt", "sub/b.txt"], tree(record)
        # A direct request: the reply's arguments and the tag.
        reply = daemon.call("torrent-rename-path", {"ids": [1], "path": "record/sub", "name": "deeper"}, tag=7)
        assert reply == {"arguments": {"id": 1, "path": "record/sub", "name": "deeper"},
                         "result": "success", "tag": 7}, reply
        assert tree(record) == ["c.txt", "deeper/b.txt"], tree(record)
        before = tree(daemon.downloads)
        # Refused in Transmission's words, nothing touched: names with a
        # '/', "..", an escaped NUL (json-glib would cut "x\u0000/../y" to
        # "x"), paths out of the torrent, and a name already taken.
        refusals = [("record/c.txt", "../../escape", "Invalid argument"),
                    ("record/c.txt", "..", "Invalid argument"),
                    ("record/c.txt", "/tmp/escape", "Invalid argument"),
                    ("record/c.txt", "", "Invalid argument"),
                    ("..", "escape", "Invalid argument"),
                    ("record/..", "escape", "Invalid argument"),
                    ("/etc/passwd", "escape", "Invalid argument"),
                    (record, "escape", "Invalid argument"),
                    ("record/../record", "escape", "Invalid argument"),
                    ("", "escape", "Invalid argument"),
                    ("record/c.txt", "deeper", "File exists")]
        for path, name, words in refusals:
            reply = daemon.call("torrent-rename-path", {"ids": [1], "path": path, "name": name})
            assert reply["result"] == words and reply["arguments"] == {"id": 1, "path": path, "name": name}, \
                (path, name, reply)
        body = b'{"method": "torrent-rename-path", "arguments": {"ids": [1], "path": "record/c.txt", ' \
               b'"name": "x\\u0000/../../escape"}}'
        status, _, data = daemon.http(body)
        assert status == 200 and json.loads(data)["result"] == "Invalid argument", (status, data)
        try:
            client.rename_torrent_path(1, "record/c.txt", "..")
            raise AssertionError("transmissionrpc: a rename to .. succeeded")
        except transmissionrpc.TransmissionError as error:
            assert "Invalid argument" in str(error), error
        assert tree(daemon.downloads) == before, set(tree(daemon.downloads)) ^ set(before)
        assert not [name for name in tree(d) if "escape" in name], tree(d)
        assert files_of(daemon) == ("record", ["record/c.txt", "record/deeper/b.txt"]), files_of(daemon)
        # Exactly one torrent.
        daemon.remote("-a", make_torrent(d))
        for ids in ([1, 2], [], None, [99]):
            arguments = {"path": "record/c.txt", "name": "d.txt"}
            if ids is not None:
                arguments["ids"] = ids
            reply = daemon.call("torrent-rename-path", arguments)
            assert reply["result"] == "torrent-rename-path requires 1 torrent", (ids, reply)
        # The names outlive a restart.
    finally:
        assert daemon.stop() == 0
    again = Daemon(d)
    try:
        wait_for(lambda: len(again.call("torrent-get", {"fields": ["id"]})["arguments"]["torrents"]) == 2,
                 "both torrents back")
        assert files_of(again) == ("record", ["record/c.txt", "record/deeper/b.txt"]), files_of(again)
        wait_for(lambda: "100%" in again.remote("-t", "1", "-i"), "the renamed torrent to resume complete")
    finally:
        assert again.stop() == 0


def test_history_across_restart(d):
    """addedDate, doneDate, secondsDownloading/-Seeding and session-stats'
    cumulative totals outlive the daemon (LIBRARY/rpc-history.ini)."""
    fields = ["addedDate", "doneDate", "secondsDownloading", "secondsSeeding", "status"]
    daemon = Daemon(d)
    try:
        daemon.remote("-a", make_torrent(d))
        wait_for(lambda: daemon.call("torrent-get", {"fields": ["status"]})["arguments"]["torrents"][0]["status"]
                 == 6, "the torrent to seed")
        wait_for(lambda: daemon.call("torrent-get", {"fields": fields})["arguments"]["torrents"][0]
                 ["secondsSeeding"] >= 3, "three seconds of seeding", 30)
        first = daemon.call("torrent-get", {"fields": fields})["arguments"]["torrents"][0]
        assert first["addedDate"] > time.time() - 120, first
        stats = daemon.call("session-stats")["arguments"]
        assert stats["cumulative-stats"]["sessionCount"] == 1 and stats["current-stats"]["filesAdded"] == 1, stats
        first_active = stats["cumulative-stats"]["secondsActive"]
    finally:
        assert daemon.stop() == 0
    time.sleep(1.5)   # a restart at once would hide a date taken anew
    again = Daemon(d)
    try:
        wait_for(lambda: len(again.call("torrent-get", {"fields": ["id"]})["arguments"]["torrents"]) == 1,
                 "the torrent back")
        second = again.call("torrent-get", {"fields": fields})["arguments"]["torrents"][0]
        assert second["addedDate"] == first["addedDate"], (first, second)
        assert second["doneDate"] == first["doneDate"], (first, second)
        assert second["secondsDownloading"] >= first["secondsDownloading"], (first, second)
        assert second["secondsSeeding"] >= first["secondsSeeding"] >= 3, (first, second)
        stats = again.call("session-stats")["arguments"]
        cumulative, current = stats["cumulative-stats"], stats["current-stats"]
        assert current["sessionCount"] == 1 and cumulative["sessionCount"] == 2, stats
        assert current["filesAdded"] == 0 and cumulative["filesAdded"] == 1, stats
        assert cumulative["secondsActive"] >= first_active + current["secondsActive"], (first_active, stats)
        assert cumulative["uploadedBytes"] >= current["uploadedBytes"], stats
        assert os.path.exists(os.path.join(d, "library", "rpc-history.ini"))
    finally:
        assert again.stop() == 0


def test_random_peer_port(d):
    """Without --peer-port the first start picks a peer port at random in
    49152-65535 and keeps it in daemon.conf: the next start listens there
    again; --random-peer-port picks another and keeps that."""
    config = os.path.join(d, "config", "daemon.conf")

    def peer_port(daemon):
        return daemon.call("session-get", {"fields": ["peer-port"]})["arguments"]["peer-port"]

    def kept():
        with open(config) as f:
            return int(re.search(r"^peer-port=(\d+)$", f.read(), re.M).group(1))

    daemon = Daemon(d, peer_port=None)
    try:
        first = peer_port(daemon)
        assert 49152 <= first <= 65535, first
        assert kept() == first
        assert os.stat(config).st_mode & 0o077 == 0, oct(os.stat(config).st_mode)
    finally:
        assert daemon.stop() == 0
    again = Daemon(d, peer_port=None)
    try:
        assert peer_port(again) == first
    finally:
        assert again.stop() == 0
    # A draw may repeat the last one (one in 16384): a few tries.
    for _ in range(4):
        rolled = Daemon(d, "--random-peer-port", peer_port=None)
        try:
            port = peer_port(rolled)
        finally:
            assert rolled.stop() == 0
        if port != first:
            break
    assert port != first and 49152 <= port <= 65535 and kept() == port, (first, port)


def test_sighup_reload_and_restart(d):
    daemon = Daemon(d)
    try:
        daemon.remote("-a", make_torrent(d))
        config = os.path.join(d, "config", "daemon.conf")
        write(config, b"[session]\nspeed-limit-up=77\nspeed-limit-up-enabled=true\n")
        daemon.process.send_signal(signal.SIGHUP)
        wait_for(lambda: daemon.call("session-get")["arguments"]["speed-limit-up"] == 77, "the reload")
        assert daemon.call("session-get")["arguments"]["speed-limit-up-enabled"] is True
    finally:
        assert daemon.stop() == 0
    # SIGTERM saved the library: the next run has the torrent, same folder.
    again = Daemon(d)
    try:
        rows = list_rows(again.remote("-l"))
        assert len(rows) == 1 and rows[0][-1] == "payload.bin", rows
        assert again.call("session-get")["arguments"]["speed-limit-up"] == 77
        again.call("session-close")
        again.process.wait(timeout=20)
        assert again.process.returncode == 0
    finally:
        again.stop()


def test_alt_speed_schedule_across_restart(d):
    """transmission-remote 3.00 has no schedule flags: python3-transmissionrpc
    sets the schedule, raw JSON reads it and tries bad values. A schedule
    on every day from midnight to midnight (begin == end: the whole day)
    turns the alternative limits on at once, one on no day turns them off,
    and the schedule outlives a restart, where it applies at once."""
    keys = ["alt-speed-time-enabled", "alt-speed-time-begin", "alt-speed-time-end", "alt-speed-time-day",
            "alt-speed-enabled"]
    daemon = Daemon(d)
    try:
        client = transmissionrpc.Client("127.0.0.1", port=daemon.port, timeout=20)
        client.set_session(alt_speed_time_begin=0, alt_speed_time_end=0, alt_speed_time_day=127,
                           alt_speed_time_enabled=True)
        wait_for(lambda: daemon.call("session-get")["arguments"]["alt-speed-enabled"] is True,
                 "the schedule turning the alternative limits on")
        daemon.call("session-set", {"alt-speed-time-day": 0})
        wait_for(lambda: daemon.call("session-get")["arguments"]["alt-speed-enabled"] is False,
                 "a schedule on no day turning them off")
        # A toggle by hand holds until the next edge (none today).
        daemon.remote("-as")
        time.sleep(1)
        assert daemon.call("session-get")["arguments"]["alt-speed-enabled"] is True
        daemon.remote("-AS")
        for bad in ({"alt-speed-time-begin": 1440}, {"alt-speed-time-end": -5}, {"alt-speed-time-day": 200},
                    {"alt-speed-time-begin": "noon", "speed-limit-up": 9}):
            reply = daemon.call("session-set", bad)
            assert reply["result"] != "success", (bad, reply)
        session = daemon.call("session-set", {"alt-speed-time-begin": 1380, "alt-speed-time-end": 420,
                                              "alt-speed-time-day": 62})
        assert session["result"] == "success", session
        got = daemon.call("session-get", {"fields": keys})["arguments"]
        assert got == {"alt-speed-time-enabled": True, "alt-speed-time-begin": 1380, "alt-speed-time-end": 420,
                       "alt-speed-time-day": 62, "alt-speed-enabled": got["alt-speed-enabled"]}, got
        assert daemon.call("session-get")["arguments"]["speed-limit-up"] != 9
        assert client.get_session().alt_speed_time_begin == 1380
        config = os.path.join(d, "config", "daemon.conf")
        wait_for(lambda: os.path.exists(config) and "alt-speed-time-begin=1380" in open(config).read(),
                 "the key file rewritten")
        # Stopped with a schedule on all day and the limits turned off by
        # hand: a restarted daemon applies its schedule at once, whatever
        # the file says of the limits themselves.
        daemon.call("session-set", {"alt-speed-time-begin": 0, "alt-speed-time-end": 0, "alt-speed-time-day": 127})
        daemon.remote("-AS")
        wait_for(lambda: "alt-speed-time-day=127" in open(config).read()
                 and "alt-speed-enabled=false" in open(config).read(), "the key file with the limits off")
    finally:
        assert daemon.stop() == 0
    again = Daemon(d)
    try:
        got = again.call("session-get", {"fields": keys})["arguments"]
        assert got == {"alt-speed-time-enabled": True, "alt-speed-time-begin": 0, "alt-speed-time-end": 0,
                       "alt-speed-time-day": 127, "alt-speed-enabled": True}, got
    finally:
        assert again.stop() == 0


tap.run_all(globals())
