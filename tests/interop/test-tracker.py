#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`tessera-cli tracker` on 127.0.0.1 with real clients: Tessera peers,
python3-libtorrent and aria2c announce to it over HTTP and UDP and
complete a download through it; its scrape numbers and /stats are right;
a whitelist refusal reaches the client as the tracker's reason; its state
survives SIGKILL and a restart. Every process is stopped by PID."""

import http.server
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import CLI, Tap, cli, need_cli  # noqa: E402
from tsrpeers import DEADLINE, Peer, TesseraTracker as Tracker, free_port, make_payload, stop_process, tree_digest  # noqa: E402
from tsrlt import lt, lt_add, lt_session  # noqa: E402

need_cli()
tap = Tap()


def tracked_torrent(d, src, url, name="t.torrent"):
    torrent = os.path.join(d, name)
    cli("create", "-q", "-p", "256k", "-t", url, "-o", torrent, os.path.join(src, "payload"), check=True)
    return torrent


def scrape(torrent, url):
    return json.loads(cli("announce", "--json", "--scrape", "--tracker", url, torrent, check=True).stdout)


def swarm_through(d, scheme):
    src, _ = make_payload(d)
    tracker = Tracker(d)
    seeder = leecher = None
    try:
        torrent = tracked_torrent(d, src, tracker.url(scheme))
        seeder = Peer(src, torrent, tracker_flag=False)
        seeder.wait_for("done", 60)
        seeder.wait_for("tracker-reply", 30)
        dst = os.path.join(d, "dst")
        os.mkdir(dst)
        leecher = Peer(dst, torrent, "--exit-when-done", tracker_flag=False)
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
        # The leecher said "completed" and then "stopped" at exit.
        counts = scrape(torrent, tracker.url(scheme))
        assert counts["seeders"] == 1 and counts["leechers"] == 0 and counts["downloaded"] == 1, counts
        stats = tracker.stats()
        assert stats["torrents"] == 1 and stats["peers"] == 1 and stats["seeders"] == 1, stats
        assert stats["announces"] >= 4 and stats["scrapes"] >= 1, stats
    finally:
        for peer in (seeder, leecher):
            if peer:
                peer.stop()
        tracker.stop()


def test_tessera_swarm_over_http(d):
    swarm_through(d, "http")


def test_tessera_swarm_over_udp(d):
    swarm_through(d, "udp")


def test_libtorrent_and_aria2(d):
    """A Tessera seeder; libtorrent and aria2c, each over UDP and over
    HTTP, find it through the tracker alone and download."""
    if shutil.which("aria2c") is None:
        raise AssertionError("aria2c is missing: install the Debian package aria2")
    src, _ = make_payload(d)
    tracker = Tracker(d)
    seeder = aria = None
    try:
        torrents = {scheme: tracked_torrent(d, src, tracker.url(scheme), f"{scheme}.torrent")
                    for scheme in ("http", "udp")}
        seeder = Peer(src, torrents["http"], tracker_flag=False)
        seeder.wait_for("done", 60)
        seeder.wait_for("tracker-reply", 30)
        session = lt_session()
        for scheme, torrent in torrents.items():
            handle = lt_add(session, torrent, os.path.join(d, "lt-" + scheme))
            handle.force_reannounce()
            end = time.monotonic() + DEADLINE
            while not handle.status().is_seeding:
                assert time.monotonic() < end, f"libtorrent over {scheme} stuck at {handle.status().progress:.2%}"
                time.sleep(0.2)
            assert tree_digest(os.path.join(d, "lt-" + scheme)) == tree_digest(src)
            session.remove_torrent(handle)
        for scheme, torrent in torrents.items():
            aria_dst = os.path.join(d, "aria-" + scheme)
            os.mkdir(aria_dst)
            # aria2 speaks UDP to trackers only through its DHT socket: DHT on
            # for UDP, with no entry point and an empty routing table of its
            # own, so it knows no node beyond 127.0.0.1.
            if scheme == "udp":
                dht = ["--enable-dht=true", f"--dht-listen-port={free_port(socket.SOCK_DGRAM)}",
                       f"--dht-file-path={os.path.join(d, 'aria-dht.dat')}"]
            else:
                dht = ["--enable-dht=false"]
            aria = subprocess.Popen(["aria2c", "-q", *dht, "--enable-dht6=false",
                                     "--bt-enable-lpd=false", "--enable-peer-exchange=false",
                                     f"--listen-port={free_port(socket.SOCK_STREAM)}", "--seed-time=0",
                                     "--file-allocation=none", "-d", aria_dst, torrent],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            assert aria.wait(timeout=DEADLINE) == 0, (scheme, aria.stderr.read())
            assert tree_digest(os.path.join(aria_dst, "payload")) == tree_digest(os.path.join(src, "payload"))
        # Four downloads counted (aria2 never says "completed": it stops with
        # nothing left, which counts too).
        counts = scrape(torrents["udp"], tracker.url("udp"))
        assert counts["downloaded"] == 4, counts
    finally:
        if aria:
            stop_process(aria)
        if seeder:
            seeder.stop()
        tracker.stop()


def test_whitelist_refusal(d):
    """A torrent not on the whitelist: the client hears the tracker's
    reason; one on it is served; SIGHUP reads the list again."""
    src, _ = make_payload(d, big=1024 * 1024)
    whitelist = os.path.join(d, "whitelist")
    with open(whitelist, "w") as f:
        f.write("# nothing yet\n" + "00" * 20 + "\n")
    tracker = Tracker(d, "--whitelist", whitelist)
    try:
        torrent = tracked_torrent(d, src, tracker.url("http"))
        info_hash = json.loads(cli("show", "--json", torrent, check=True).stdout)["info_hash"]
        for scheme in ("http", "udp"):
            refused = cli("announce", "--json", "--tracker", tracker.url(scheme), torrent)
            assert refused.returncode == 1, refused
            assert "not served by this tracker" in json.loads(refused.stdout)["errors"][0], refused.stdout
        with open(whitelist, "a") as f:
            f.write(info_hash.upper() + "\n")
        tracker.process.send_signal(signal.SIGHUP)
        event = json.loads(tracker.process.stdout.readline())
        assert event["event"] == "whitelist", event
        result = cli("announce", "--json", "--tracker", tracker.url("udp"), torrent)
        served = json.loads(result.stdout)
        assert result.returncode == 0 and served["errors"] == [] and served["leechers"] == 1, served
    finally:
        tracker.stop()


def test_whitelist_refusal_clients(d):
    """libtorrent and aria2c hear the refusal of a torrent not on the
    whitelist, over HTTP and UDP. aria2c logs our reason both ways;
    libtorrent sees a tracker failure, with our reason over HTTP. (Over UDP
    libtorrent 2.0 reads the reason from the packet's start, a zero byte,
    so it shows an empty one for any tracker.)"""
    src, _ = make_payload(d, big=1024 * 1024)
    whitelist = os.path.join(d, "whitelist")
    with open(whitelist, "w") as f:
        f.write("00" * 20 + "\n")
    tracker = Tracker(d, "--whitelist", whitelist)
    try:
        session = lt_session(alert_mask=lt.alert.category_t.tracker_notification)
        for scheme in ("http", "udp"):
            torrent = tracked_torrent(d, src, tracker.url(scheme), f"{scheme}.torrent")
            handle = lt_add(session, torrent, os.path.join(d, "lt-" + scheme))
            end = time.monotonic() + 30
            failure = None
            while failure is None:
                assert time.monotonic() < end, f"libtorrent heard no refusal over {scheme}"
                session.wait_for_alert(500)
                for alert in session.pop_alerts():
                    if isinstance(alert, lt.tracker_error_alert):
                        failure = alert
                    assert not isinstance(alert, lt.tracker_reply_alert), (scheme, alert.message())
            # libtorrent's errors::tracker_failure, "tracker sent a failure message"
            assert failure.error.message() == "tracker sent a failure message", (scheme, failure.message())
            if scheme == "http":
                assert failure.error_message() == "This torrent is not served by this tracker", failure.message()
            session.remove_torrent(handle)
        # aria2c logs the reason, over HTTP and over UDP (through its DHT
        # socket, as in test_libtorrent_and_aria2).
        for scheme in ("http", "udp"):
            torrent = os.path.join(d, f"{scheme}.torrent")
            log = os.path.join(d, f"aria-{scheme}.log")
            dht = (["--enable-dht=true", f"--dht-listen-port={free_port(socket.SOCK_DGRAM)}",
                    f"--dht-file-path={os.path.join(d, 'aria-dht.dat')}"] if scheme == "udp"
                   else ["--enable-dht=false"])
            aria = subprocess.Popen(["aria2c", "-q", *dht, "--enable-dht6=false", "--bt-enable-lpd=false",
                                     "--enable-peer-exchange=false", f"--listen-port={free_port(socket.SOCK_STREAM)}",
                                     f"--log={log}", "--log-level=info", "-d", os.path.join(d, "aria-" + scheme),
                                     torrent], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                end = time.monotonic() + 30
                while True:
                    said = open(log).read() if os.path.exists(log) else ""
                    # HTTP: "failure reason: …"; UDP: "received ERROR reply … error_string=…"
                    if re.search(r"(failure reason: |error_string=)This torrent is not served by this tracker",
                                 said):
                        break
                    assert time.monotonic() < end, f"aria2c heard no refusal over {scheme}: {said[-3000:]}"
                    time.sleep(0.3)
            finally:
                stop_process(aria)
        assert tracker.stats()["torrents"] == 0
    finally:
        tracker.stop()


def test_state_survives_sigkill(d):
    """Announces, a wait past the save delay, SIGKILL: a new tracker on the
    same state file still knows the swarm and its peers."""
    src, _ = make_payload(d, big=1024 * 1024)
    state = os.path.join(d, "state")
    tracker = Tracker(d, "--state", state)
    port = tracker.port
    try:
        torrent = tracked_torrent(d, src, tracker.url("http"))
        for announce_port in (7001, 7002, 7003):
            cli("announce", "--json", "--port", str(announce_port), "--tracker", tracker.url("udp"), torrent,
                check=True)
        cli("announce", "--json", "--port", "7004", "--event", "completed", "--tracker", tracker.url("http"),
            torrent, check=True)
        time.sleep(7)   # past the 5 s save delay
        tracker.stop(signal.SIGKILL)
        assert os.path.exists(state)
        tracker = Tracker(d, "--state", state, port=port)
        counts = scrape(torrent, tracker.url("udp"))
        assert counts["leechers"] + counts["seeders"] == 4 and counts["downloaded"] == 1, counts
        reply = json.loads(cli("announce", "--json", "--port", "7005", "--tracker", tracker.url("http"), torrent,
                               check=True).stdout)
        assert {f"127.0.0.1:{p}" for p in (7001, 7002, 7003, 7004)} <= set(reply["peers"]), reply
        # A damaged state file: the previous copy is read instead.
        tracker.stop()
        with open(state, "r+b") as f:
            f.seek(20)
            f.write(b"\xff\xff\xff\xff")
        tracker = Tracker(d, "--state", state, port=port)
        counts = scrape(torrent, tracker.url("udp"))
        assert counts["leechers"] + counts["seeders"] >= 4, counts
        tracker.stop()
        said = tracker.process.stderr.read()
        assert b"the previous copy was read" in said, said
    finally:
        tracker.stop()


def test_ipv6(d):
    """Served on ::1 over HTTP and UDP: IPv6 peers come back (BEP 7)."""
    src, _ = make_payload(d, big=1024 * 1024)
    tracker = Tracker(d, host="::1")
    try:
        torrent = tracked_torrent(d, src, tracker.url("http"))
        for scheme, port in (("http", 7101), ("udp", 7102)):
            cli("announce", "--json", "--port", str(port), "--tracker", tracker.url(scheme), torrent, check=True)
        for scheme in ("http", "udp"):
            reply = json.loads(cli("announce", "--json", "--port", "7103", "--tracker", tracker.url(scheme), torrent,
                                   check=True).stdout)
            assert {"[::1]:7101", "[::1]:7102"} <= set(reply["peers"]), (scheme, reply)
    finally:
        tracker.stop()


def test_bad_requests(d):
    """Garbage over HTTP and UDP: a failure reason or silence, and the
    tracker keeps serving."""
    tracker = Tracker(d)
    try:
        for query in ("", "info_hash=abc", "info_hash=" + "%41" * 20 + "&peer_id=" + "x" * 20,
                      "info_hash=" + "%41" * 20 + "&peer_id=" + "x" * 20 + "&port=99999", "info_hash=%zz"):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{tracker.port}/announce?{query}",
                                            timeout=10) as reply:
                    body = reply.read()
                assert body.startswith(b"d14:failure reason"), (query, body)
            except urllib.error.HTTPError as refused:
                # A request line that is not a URL is refused by the HTTP layer.
                assert refused.code == 400 and query == "info_hash=%zz", (query, refused)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            s.sendto(b"\x00" * 7, ("127.0.0.1", tracker.port))
            s.sendto(os.urandom(100), ("127.0.0.1", tracker.port))
        # A connection id works only from where it was given (BEP 15), and a
        # made-up one nowhere.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as a, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as b:
            for s in (a, b):
                s.settimeout(5)
            a.sendto(struct.pack(">QII", 0x41727101980, 0, 7), ("127.0.0.1", tracker.port))
            reply = a.recv(2048)
            assert struct.unpack(">II", reply[:8]) == (0, 7), reply
            given = struct.unpack(">Q", reply[8:16])[0]

            def scrape_with(s, cid, t):
                s.sendto(struct.pack(">QII20s", cid, 2, t, bytes(20)), ("127.0.0.1", tracker.port))

            scrape_with(a, given, 8)
            assert struct.unpack(">II", a.recv(2048)[:8]) == (2, 8)
            for s, cid, t in ((b, given, 9), (a, given ^ 1, 10)):
                scrape_with(s, cid, t)
                reply = s.recv(2048)
                assert struct.unpack(">II", reply[:8]) == (3, t), reply
                assert b"Connection id" in reply[8:], reply
        # Two pipelined requests on one connection: two answers, in order,
        # the second closing it as asked.
        with socket.create_connection(("127.0.0.1", tracker.port), timeout=10) as s:
            s.sendall(b"GET /stats?format=json HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /nowhere HTTP/1.1\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            assert data.startswith(b"HTTP/1.1 200 OK") and b"HTTP/1.1 404 Not Found" in data, data
        # A head that never ends: refused and closed, not buffered forever.
        with socket.create_connection(("127.0.0.1", tracker.port), timeout=10) as s:
            s.sendall(b"GET /announce?" + b"a" * 9000)
            data = s.recv(65536)
            assert data.startswith(b"HTTP/1.1 400 Bad Request"), data
        stats = tracker.stats()
        assert stats["torrents"] == 0, stats
        assert tracker.process.poll() is None
    finally:
        tracker.stop()


def test_udp_burst(d):
    """Datagrams arriving faster than they are read (answered in batches):
    every connect and announce gets exactly its own answer, short garbage
    none, and announces from a burst all count. (Bursts of 100: the
    kernel's default receive buffer, 208 KiB, holds them.)"""
    tracker = Tracker(d)
    try:
        target = ("127.0.0.1", tracker.port)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.settimeout(5)

            def collect(count):
                replies = {}
                while len(replies) < count:
                    data = s.recv(2048)
                    transaction = struct.unpack(">I", data[4:8])[0]
                    assert transaction not in replies, ("answered twice", transaction)
                    replies[transaction] = data
                return replies

            for t in range(100):
                s.sendto(struct.pack(">QII", 0x41727101980, 0, t), target)
                if t % 3 == 0:
                    s.sendto(b"\x01" * 7, target)
            connects = collect(100)
            assert all(struct.unpack(">I", r[:4])[0] == 0 and len(r) == 16 for r in connects.values())
            connection = struct.unpack(">Q", connects[0][8:16])[0]
            info_hash = bytes(range(20))
            for t in range(100):
                s.sendto(struct.pack(">QII20s20sQQQIIIiH", connection, 1, 1000 + t, info_hash,
                                     b"-UB0001-" + t.to_bytes(12, "big"), 0, 1000, 0, 2, 0, 0, 10, 20000 + t),
                         target)
            announces = collect(100)
            assert set(announces) == set(range(1000, 1100)), sorted(announces)[:5]
            for transaction, reply in announces.items():
                action, _, _, leechers, seeders = struct.unpack(">IIIII", reply[:20])
                assert action == 1 and seeders == 0 and 1 <= leechers <= 100, (transaction, reply[:20])
                assert (len(reply) - 20) % 6 == 0 and len(reply) - 20 <= 60, len(reply)
            try:
                extra = s.recv(2048)
                raise AssertionError(f"an answer nobody asked for: {extra!r}")
            except socket.timeout:
                pass
        stats = tracker.stats()
        assert stats["peers"] == 100, stats
    finally:
        tracker.stop()


def test_max_swarms_flood(d):
    """Announces for thousands of random info hashes: the tracker keeps
    --max-swarms swarms at most, the busy swarm among them, and keeps
    serving."""
    tracker = Tracker(d, "--max-swarms", "50", "--max-rate", "0")
    try:
        target = ("127.0.0.1", tracker.port)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(struct.pack(">QII", 0x41727101980, 0, 1), target)
            connection = struct.unpack(">Q", s.recv(2048)[8:16])[0]

            def announce(info_hash, number, transaction):
                s.sendto(struct.pack(">QII20s20sQQQIIIiH", connection, 1, transaction, info_hash,
                                     b"-UF0001-" + number.to_bytes(12, "big"), 0, 1000, 0, 2, 0, 0, 10,
                                     20000 + number), target)
                reply = s.recv(2048)
                assert struct.unpack(">II", reply[:8]) == (1, transaction), reply

            busy = bytes(20)
            for number in range(5):
                announce(busy, number, number)
            for number in range(3000):
                announce(os.urandom(20), 0, 100 + number)
        stats = tracker.stats()
        assert stats["torrents"] <= 50 and stats["peers"] <= 50 + 5, stats
        counts = json.loads(cli("announce", "--json", "--scrape", "--tracker", tracker.url("udp"),
                                "magnet:?xt=urn:btih:" + busy.hex(), check=True).stdout)
        assert counts["leechers"] == 5, counts
    finally:
        tracker.stop()


def test_https_announce(d):
    """tessera-cli announce over HTTPS: a tracker with a certificate of its
    own is refused (not trusted by the system) until --ca-file names it,
    then its reply is read."""
    if shutil.which("openssl") is None:
        raise AssertionError("openssl is missing: install the Debian package openssl")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    asked = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = b"d8:completei3e10:incompletei4e8:intervali900e5:peers6:\x7f\x00\x00\x01\x1a\xe1e"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}/announce"
        magnet = "magnet:?xt=urn:btih:" + "ab" * 20
        # Under ASan, LeakSanitizer's own tracer crashes at exit once
        # glib-networking's GnuTLS threads have run ("Tracer caught signal
        # 11"), whatever the program: leak checking is off for these runs.
        env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")

        def https_cli(*args):
            return subprocess.run([CLI, *args], capture_output=True, timeout=60, env=env)

        refused = https_cli("announce", "--json", "--timeout", "20", "--tracker", url, magnet)
        assert refused.returncode == 1, refused
        errors = json.loads(refused.stdout)["errors"]
        assert errors and "certificate" in errors[0].lower(), errors
        assert not asked, "a request went to an untrusted server"
        result = https_cli("announce", "--json", "--timeout", "20", "--ca-file", cert, "--tracker", url, magnet)
        reply = json.loads(result.stdout)
        assert result.returncode == 0 and reply["errors"] == [], reply
        assert (reply["seeders"], reply["leechers"], reply["interval"]) == (3, 4, 900), reply
        assert reply["peers"] == ["127.0.0.1:6881"], reply
        assert len(asked) == 1 and "info_hash=" + "%AB" * 20 in asked[0], asked
        bad = https_cli("announce", "--ca-file", os.path.join(d, "missing.pem"), "--tracker", url, magnet)
        assert bad.returncode == 1 and b"--ca-file" in bad.stderr, bad
    finally:
        server.shutdown()
        server.server_close()


tap.run_all(globals())
