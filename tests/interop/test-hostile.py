#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile peers on 127.0.0.1: a small peer written here misbehaves in one
way per test while a good Tessera seeder serves the same torrent. Each
time the Tessera leecher must stay up, drop the bad peer with a reason
(and ban it when it broke the protocol), keep its data correct and finish from the good
seeder. Every process is stopped by PID, also on failure."""

import json
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, cli, need_cli, temp_dir  # noqa: E402
from tsrpeers import DEADLINE, Peer, make_payload, tree_digest  # noqa: E402

need_cli()
tap = Tap()


class HostilePeer:
    """Has every piece, says so, unchokes at once, then misbehaves as
    @mode says. Serves honest data unless the mode says otherwise."""

    def __init__(self, torrent, folder, mode):
        meta = json.loads(cli("show", "--json", torrent, check=True).stdout)
        self.mode = mode
        self.info_hash = bytes.fromhex(meta["info_hash"])
        self.piece_length = meta["piece_length"]
        self.pieces = meta["piece_count"]
        stream = bytearray()
        for f in meta["files"]:
            with open(os.path.join(folder, f["path"]), "rb") as handle:
                stream += handle.read()
        self.stream = bytes(stream)
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.running = True
        self.connections = 0
        self.requests = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            connection.settimeout(DEADLINE)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    @staticmethod
    def _read(connection, n):
        data = b""
        while len(data) < n:
            chunk = connection.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _block(self, index, begin, size):
        start = index * self.piece_length + begin
        return self.stream[start:start + size]

    def _serve(self, connection):
        try:
            self._read(connection, 68)
            info_hash = bytes(20) if self.mode == "other-torrent" else self.info_hash
            connection.sendall(b"\x13BitTorrent protocol" + bytes(8) + info_hash + b"-XX0001-hostilepeer!")
            if self.mode == "other-torrent":
                self._read(connection, 1)      # the leecher must hang up first
                return
            bits = bytearray((self.pieces + 7) // 8)
            for i in range(self.pieces):
                bits[i // 8] |= 0x80 >> (i % 8)
            connection.sendall(struct.pack(">IB", 1 + len(bits), 5) + bytes(bits) + struct.pack(">IB", 1, 1))
            if self.mode == "bad-have":
                connection.sendall(struct.pack(">IBI", 5, 4, self.pieces + 7))
            if self.mode == "oversized":
                connection.sendall(struct.pack(">IB", 4 * 1024 * 1024, 7) + bytes(64 * 1024))
            if self.mode == "unrequested":
                for index in range(min(self.pieces, 8)):
                    connection.sendall(struct.pack(">IBII", 9 + 16384, 7, index, 0) + self._block(index, 0, 16384))
            blocks_sent = 0
            while self.running:
                length = struct.unpack(">I", self._read(connection, 4))[0]
                if length == 0:
                    continue
                message = self._read(connection, length)
                if message[0] != 6:
                    continue
                self.requests += 1
                index, begin, size = struct.unpack(">III", message[1:13])
                if self.mode == "staller":
                    continue
                if self.mode == "mid-piece" and blocks_sent >= 5:
                    return                     # gone with blocks still owed
                block = self._block(index, begin, size)
                connection.sendall(struct.pack(">IBII", 9 + len(block), 7, index, begin) + block)
                blocks_sent += 1
        except (EOFError, OSError):
            pass
        finally:
            connection.close()

    def stop(self):
        self.running = False
        self.server.close()


def against(d, mode, reason_words=None, banned=False):
    """The leecher dials the hostile peer first (it gets the first
    requests), then the good seeder; returns the leecher's events."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    hostile = HostilePeer(torrent, src, mode)
    seeder = leecher = None
    try:
        seeder = Peer(src, torrent)
        seeder.wait_for("done", 60)
        leecher = Peer(dst, torrent, "--peer", hostile.address, "--peer", f"127.0.0.1:{seeder.port}",
                       "--exit-when-done")
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0, "the leecher did not end cleanly"
        events = leecher.drain()
        assert tree_digest(dst) == tree_digest(src), "the data is wrong"
        assert hostile.connections >= 1, "the hostile peer was never dialled"
        if reason_words is not None:
            gone = [e for e in events if e["event"] == "peer-gone" and e["peer"] == hostile.address]
            assert gone, f"the {mode} peer was not dropped"
            reason = (gone[0]["reason"] or "").lower()
            assert any(word in reason for word in reason_words), f"reason {reason!r} for {mode}"
        bans = [e for e in events if e["event"] == "peer-banned"]
        if banned:
            assert [e["peer"] for e in bans] == [hostile.address], bans
            assert hostile.connections == 1, "a banned peer was dialled again"
        else:
            assert not bans, bans
        return events, hostile
    finally:
        hostile.stop()
        if seeder:
            seeder.stop()
        if leecher:
            leecher.stop()


def test_oversized_message(d):
    against(d, "oversized", ["bytes", "long", "large"], banned=True)


def test_have_out_of_range(d):
    against(d, "bad-have", ["range", "index", "piece"], banned=True)


def test_handshake_for_another_torrent(d):
    against(d, "other-torrent", ["torrent"])


def test_request_flood(d):
    """A leecher that, once unchoked, asks a Tessera seeder for 5000 blocks
    at once is cut off with a reason; the seeder stays up and serves."""
    src, torrent = make_payload(d)
    meta = json.loads(cli("show", "--json", torrent, check=True).stdout)
    seeder = leecher = None
    flood = socket.socket()
    try:
        seeder = Peer(src, torrent)
        seeder.wait_for("done", 60)
        flood.settimeout(30)
        flood.connect(("127.0.0.1", seeder.port))
        flood.sendall(b"\x13BitTorrent protocol" + bytes(8) + bytes.fromhex(meta["info_hash"]) +
                      b"-XX0001-floodfloodfl" + struct.pack(">IB", 1, 2))
        HostilePeer._read(flood, 68)
        while True:                      # bitfield, then our unchoke
            length = struct.unpack(">I", HostilePeer._read(flood, 4))[0]
            if length and HostilePeer._read(flood, length)[0] == 1:
                break
        flood.sendall(struct.pack(">IBIII", 13, 6, 0, 0, 16384) * 5000)
        received = 0
        try:
            while True:
                chunk = flood.recv(1 << 16)
                if not chunk:
                    break
                received += len(chunk)
        except ConnectionResetError:
            pass
        assert received < 5000 * 16384, "every flooded request was served"
        gone = [e for e in seeder.drain() if e["event"] == "peer-gone"]
        assert gone and "requests" in (gone[0]["reason"] or ""), gone
        assert seeder.process.poll() is None, "the seeder died"
        # Still serving.
        dst = os.path.join(d, "dst")
        os.mkdir(dst)
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done")
        leecher.wait_for("done", DEADLINE)
        assert tree_digest(dst) == tree_digest(src)
    finally:
        flood.close()
        if seeder:
            seeder.stop()
        if leecher:
            leecher.stop()


def test_unrequested_data(d):
    events, _ = against(d, "unrequested")
    verified = [e["piece"] for e in events if e["event"] == "piece-verified"]
    assert len(verified) == len(set(verified)), "a piece was verified twice"


def test_staller(d):
    _, hostile = against(d, "staller")
    assert hostile.requests > 0, "the staller was never asked for anything"


def test_disconnect_mid_piece(d):
    events, hostile = against(d, "mid-piece")
    assert hostile.requests > 5
    assert not any(e["event"] == "hash-failed" for e in events), "a half-sent piece was hashed"


# TSR_TEST_ONLY=name runs one test by hand; the run then says so.
only = os.environ.get("TSR_TEST_ONLY")
for name, function in list(globals().items()):
    if name.startswith("test_") and callable(function):
        if only and name[5:].replace("_", "-") != only:
            continue
        with temp_dir() as d:
            tap.run(name[5:].replace("_", "-"), function, d)
if only:
    print(f"# only {only} was run (TSR_TEST_ONLY)")
tap.finish()
