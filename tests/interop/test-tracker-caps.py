#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trackers and web seeds that answer with more than anyone should read,
on 127.0.0.1: a gzip bomb, a chunked reply that never ends, 300 000
dictionary peers, 2 MiB of empty dictionaries, a Content-Length of a
gigabyte, a reply that trickles,
a huge error page from a web seed. Each time `tessera-cli announce` or
`tessera-cli peer` reports a tracker error that says why, its peak RSS
stays small, and it stays responsive. Also: no early re-announce after a
first announce without "min interval", and SIGTERM ends `tessera-cli
peer` within about 5 s when the tracker never answers. Every process is
stopped by PID, also on failure."""

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import CLI, Tap, bencode, cli, need_cli, pseudo_random, write  # noqa: E402
from tsrpeers import Peer, stop_process  # noqa: E402

need_cli()
if shutil.which("/usr/bin/time") is None:
    print("Bail out! /usr/bin/time is missing: install the Debian package time")
    sys.exit(1)
tap = Tap()

# Peak RSS allowed, in KiB. An idle `tessera-cli announce` peaks near
# 15 MB and `tessera-cli peer` near 25 MB here; the replies below cost
# 0.2 to 1.1 GB when read whole.
ANNOUNCE_RSS_KIB = 64 * 1024
PEER_RSS_KIB = 96 * 1024
GIB = 1 << 30


@functools.lru_cache(maxsize=1)
def gzip_bomb():
    """1 GiB of zeros, gzip-encoded: about 1 MB on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(GIB >> 20)]
    parts.append(compressor.flush())
    return b"".join(parts)


def dict_peers(count):
    """A reply with @count peers in the dictionary form (BEP 3)."""
    return bencode({"interval": 1800, "peers": [
        {"ip": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", "port": 1000 + i % 60000,
         "peer id": b"-XX0001-%012d" % i} for i in range(count)]})


class HostileServer:
    """An HTTP server on 127.0.0.1 that answers every request as @mode
    says, one thread per connection. It records each request line and
    when it came."""

    def __init__(self, mode, payload=b""):
        self.mode = mode
        self.payload = payload
        self.requests = []
        self.sent = 0
        self.running = True
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/announce"
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection):
        try:
            connection.settimeout(120)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                head += chunk
            self.requests.append((time.monotonic(), head.split(b"\r\n", 1)[0].decode(errors="replace")))
            getattr(self, "_" + self.mode.replace("-", "_"))(connection)
        except OSError:
            pass
        finally:
            connection.close()

    def _send(self, connection, data):
        connection.sendall(data)
        self.sent += len(data)

    def _head(self, connection, status="200 OK", headers=()):
        self._send(connection, (f"HTTP/1.1 {status}\r\n" + "".join(h + "\r\n" for h in headers) +
                                "\r\n").encode())

    def _body(self, connection, body, status="200 OK", headers=()):
        self._head(connection, status, [f"Content-Length: {len(body)}", *headers])
        self._send(connection, body)

    def _gzip_bomb(self, connection):
        self._body(connection, self.payload, headers=["Content-Encoding: gzip"])

    def _endless_chunked(self, connection):
        """400 MB of chunks and never the last one."""
        self._head(connection, headers=["Transfer-Encoding: chunked"])
        self._send(connection, b"17\r\nd8:intervali1800e5:peers\r\n")
        chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
        for _ in range(400 * 16):
            if not self.running:
                return
            self._send(connection, chunk)
        time.sleep(60)

    def _payload(self, connection):
        self._body(connection, self.payload)

    def _payload_chunked(self, connection):
        """The payload in 64 KiB chunks: no length to judge it by up front."""
        self._head(connection, headers=["Transfer-Encoding: chunked"])
        for i in range(0, len(self.payload), 0x10000):
            part = self.payload[i:i + 0x10000]
            self._send(connection, b"%x\r\n%s\r\n" % (len(part), part))
        self._send(connection, b"0\r\n\r\n")

    def _huge_length(self, connection):
        """A gigabyte announced; 1 MB sent, then nothing more for a minute."""
        self._head(connection, headers=[f"Content-Length: {GIB}"])
        self._send(connection, b"d8:intervali1800e5:peers" + b"x" * (1 << 20))
        time.sleep(60)

    def _trickle(self, connection):
        """A small reply, a byte every half second: each byte resets an
        idle timeout, only a deadline for the whole reply ends it."""
        body = b"d8:intervali1800e5:peers6:\x7f\x00\x00\x01\x1a\xe1e" + b" " * 200
        self._head(connection, headers=[f"Content-Length: {len(body)}"])
        for byte in body:
            if not self.running:
                return
            self._send(connection, bytes([byte]))
            time.sleep(0.5)

    def _honest(self, connection):
        """Interval 1800, no "min interval", no peers; kept alive."""
        while True:
            self._body(connection, bencode({"interval": 1800, "complete": 0, "incomplete": 1, "peers": b""}))
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                head += chunk
            self.requests.append((time.monotonic(), head.split(b"\r\n", 1)[0].decode(errors="replace")))

    def _silent(self, connection):
        """Reads the request and never answers."""
        while self.running and connection.recv(4096):
            pass

    def _error_page(self, connection):
        """A web seed's 404 with a gigabyte of error page, chunked."""
        self._head(connection, "404 Not Found", ["Transfer-Encoding: chunked", "Content-Type: text/html"])
        chunk = b"10000\r\n" + b"<p>not here</p>" * 4369 + b"a\r\n"
        for _ in range(GIB >> 16):
            if not self.running:
                return
            self._send(connection, chunk)
        self._send(connection, b"0\r\n\r\n")

    def announces(self):
        return [(t, line) for t, line in self.requests if "/announce?" in line]

    def stop(self):
        self.running = False
        self.server.close()
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def magnet():
    return "magnet:?xt=urn:btih:" + "ab" * 20


def announce(server, timeout=10, limit=30):
    """Runs `tessera-cli announce --json` against @server; returns its JSON
    output, its exit status, its peak RSS (KiB) and how long it took.
    GNU time measures the peak: a child's ru_maxrss seen from here would
    count the pages of this Python process it was forked from."""
    rss_file = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"tsr-rss-{os.getpid()}-{server.port}")
    start = time.monotonic()
    process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file, CLI, "announce", "--json",
                                "--timeout", str(timeout), "--tracker", server.url, magnet()],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=limit)
    finally:
        stop_process(process)
    took = time.monotonic() - start
    try:
        with open(rss_file) as f:
            rss = int(f.read().split()[-1])
    finally:
        if os.path.exists(rss_file):
            os.unlink(rss_file)
    return json.loads(out or b"{}"), process.returncode, rss, took, err


def hostile_announce(mode, words, payload=b"", timeout=10, limit=30, most=None):
    server = HostileServer(mode, payload)
    try:
        reply, status, rss, took, err = announce(server, timeout, limit)
    finally:
        server.stop()
    print(f"# {mode}: status {status}, peak RSS {rss} KiB, {took:.1f} s, {server.sent} bytes sent, "
          f"errors {reply.get('errors')}")
    errors = reply.get("errors") or []
    assert status == 1, (status, errors, len(reply.get("peers", [])), err[-2000:])
    assert errors and any(word in errors[0].lower() for word in words), errors
    assert rss is not None and rss < ANNOUNCE_RSS_KIB, f"peak RSS {rss} KiB"
    assert took < (most or timeout + 3), f"took {took:.1f} s"
    return reply


def test_gzip_bomb(d):
    hostile_announce("gzip-bomb", ["too large"], gzip_bomb())


def test_endless_chunked_reply(d):
    hostile_announce("endless-chunked", ["too large"])


def test_dictionary_peers(d):
    """300 000 peers in the dictionary form, about 17 MB with a Content-Length."""
    hostile_announce("payload", ["too large"], dict_peers(300000))


def test_dictionary_peers_chunked(d):
    """The same, chunked: refused once 2 MiB are read, not at the end."""
    hostile_announce("payload-chunked", ["too large"], dict_peers(300000))


def test_empty_dictionaries(d):
    """2 MiB of "de": each a tree node once decoded (140 MB in all), so
    refused for its count of values before any is built."""
    hostile_announce("payload", ["too large"], b"d8:intervali1800e5:peersl" + b"de" * ((2 << 20) // 2 - 20) + b"ee")


def test_many_peers_under_the_cap(d):
    """10 000 dictionary peers (640 KB, 70 000 values): accepted, 1000
    peers kept."""
    payload = dict_peers(10000)
    assert len(payload) < 2 << 20, len(payload)
    server = HostileServer("payload-chunked", payload)
    try:
        reply, status, rss, took, err = announce(server)
    finally:
        server.stop()
    print(f"# 10 000 peers: status {status}, peak RSS {rss} KiB, {took:.1f} s, {len(reply.get('peers', []))} peers")
    assert status == 0 and reply.get("errors") == [], (status, reply.get("errors"), err[-2000:])
    assert len(reply["peers"]) == 1000, len(reply["peers"])
    assert rss < ANNOUNCE_RSS_KIB, f"peak RSS {rss} KiB"


def test_huge_content_length(d):
    """A gigabyte announced: refused before the body is read."""
    hostile_announce("huge-length", ["too large"], most=5)


def test_trickling_reply(d):
    """A byte every 0.5 s: the whole reply has --timeout seconds (5)."""
    hostile_announce("trickle", ["took too long"], timeout=5, limit=20, most=7)


def make_torrent(d, *extra):
    src = os.path.join(d, "src")
    write(os.path.join(src, "payload.bin"), pseudo_random(1 << 20, 7))
    torrent = os.path.join(d, "t.torrent")
    cli("create", "-q", "-p", "64k", *extra, "-o", torrent, os.path.join(src, "payload.bin"), check=True)
    dst = os.path.join(d, "dst")
    os.makedirs(dst, exist_ok=True)
    return torrent, dst


def peak_rss(process):
    with open(f"/proc/{process.pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_peer_against_gzip_bomb(d):
    """`tessera-cli peer`: the bomb is a tracker error, RSS stays small and
    the peer answers SIGUSR1 afterwards."""
    server = HostileServer("gzip-bomb", gzip_bomb())
    peer = None
    try:
        torrent, dst = make_torrent(d, "-t", server.url)
        peer = Peer(dst, torrent, tracker_flag=False)
        error = peer.wait_for("tracker-error", 30)
        assert "too large" in error["message"].lower(), error
        rss = peak_rss(peer.process)
        print(f"# peer against a gzip bomb: peak RSS {rss} KiB")
        assert rss < PEER_RSS_KIB, f"peak RSS {rss} KiB"
        assert peer.debug_state(), "the peer did not answer SIGUSR1"
    finally:
        if peer:
            peer.stop()
        server.stop()


def test_no_early_reannounce(d):
    """Interval 1800 and no "min interval": in the next 20 s, with no peer
    anywhere, the tracker hears one announce, not more."""
    server = HostileServer("honest")
    peer = None
    try:
        torrent, dst = make_torrent(d, "-t", server.url)
        peer = Peer(dst, torrent, tracker_flag=False)
        peer.wait_for("tracker-reply", 30)
        time.sleep(20)
        announces = server.announces()
        assert len(announces) == 1, [line[:80] for _, line in announces]
        assert "event=started" in announces[0][1], announces
    finally:
        if peer:
            peer.stop()
        server.stop()


def test_sigterm_with_silent_tracker(d):
    """A tracker that never answers: SIGTERM ends the peer within about
    5 s (one goodbye for everything), and "stopped" is still tried."""
    server = HostileServer("silent")
    peer = None
    try:
        torrent, dst = make_torrent(d, "-t", server.url)
        peer = Peer(dst, torrent, tracker_flag=False)
        end = time.monotonic() + 30
        while not server.announces():
            assert time.monotonic() < end, "no announce reached the tracker"
            time.sleep(0.1)
        time.sleep(0.5)
        start = time.monotonic()
        peer.process.send_signal(signal.SIGTERM)
        try:
            peer.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            raise AssertionError("still running 20 s after SIGTERM")
        took = time.monotonic() - start
        print(f"# exit after SIGTERM: {took:.1f} s")
        assert took < 6.5, f"exit took {took:.1f} s"
        assert peer.process.returncode == 0, peer.process.returncode
        assert any("event=stopped" in line for _, line in server.announces()), server.announces()
    finally:
        if peer:
            peer.stop()
        server.stop()


def test_web_seed_error_page(d):
    """A web seed whose 404 page is a gigabyte: not read, the leecher's RSS
    stays small and it stays responsive."""
    server = HostileServer("error-page")
    peer = None
    try:
        torrent, dst = make_torrent(d, "-w", f"http://127.0.0.1:{server.port}/")
        peer = Peer(dst, torrent)
        end = time.monotonic() + 30
        while not server.requests:
            assert time.monotonic() < end, "the web seed was never asked"
            time.sleep(0.1)
        time.sleep(3)
        rss = peak_rss(peer.process)
        print(f"# web seed error page: peak RSS {rss} KiB, {server.sent} bytes sent, "
              f"{len(server.requests)} requests")
        assert rss < PEER_RSS_KIB, f"peak RSS {rss} KiB"
        assert server.sent < 64 << 20, f"{server.sent} bytes of error page went out"
        assert peer.debug_state(), "the peer did not answer SIGUSR1"
    finally:
        if peer:
            peer.stop()
        server.stop()


tap.run_all(globals())
