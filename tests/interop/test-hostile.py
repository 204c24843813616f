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
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, cli, need_cli  # noqa: E402
from tsrpeers import DEADLINE, HostilePeer, Peer, make_payload, tree_digest  # noqa: E402

need_cli()
tap = Tap()


def against(d, mode, reason_words=None, banned=False, leecher_args=()):
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
                       "--exit-when-done", *leecher_args)
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


def test_staller(d):
    _, hostile = against(d, "staller")
    assert hostile.requests > 0, "the staller was never asked for anything"


def test_refuses_what_it_claims(d):
    """A peer that claims every piece, unchokes, and rejects (BEP 6) every
    request is banned: its bitfield lied."""
    # Slowed down, so that the good seeder does not finish the job first.
    events, hostile = against(d, "refuser", ["refused", "claims"], banned=True, leecher_args=("--down-rate", "2m"))
    assert hostile.requests >= 128


def test_disconnect_mid_piece(d):
    events, hostile = against(d, "mid-piece")
    assert hostile.requests > 5
    assert not any(e["event"] == "hash-failed" for e in events), "a half-sent piece was hashed"


def test_debug_dump_shows_stall(d):
    """SIGUSR1 makes a peer print its inner state, which the harness shows
    when a test waits in vain: with only a staller to ask, the dump names
    it with requests out and no block since, and blocks asked of it."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    hostile = HostilePeer(torrent, src, "staller")
    leecher = None
    try:
        leecher = Peer(dst, torrent, "--peer", hostile.address)
        end = time.monotonic() + 30
        while hostile.requests == 0:
            assert time.monotonic() < end, "the staller was never asked"
            time.sleep(0.1)
        time.sleep(2)
        inside = leecher.debug_state()
        assert inside and len(inside) == 1, inside
        state = inside[0]
        assert state["verified"] == 0 and state["wanted"] > 0, state
        peers = [p for p in state["peers"] if p["address"] == hostile.address]
        assert len(peers) == 1 and peers[0]["requests"] > 0 and not peers[0]["peer_choking"], state["peers"]
        assert peers[0]["since_block"] >= 2, peers[0]
        assert sum(p["requested"] for p in state["pieces"]) == peers[0]["requests"], state["pieces"]
    finally:
        hostile.stop()
        if leecher:
            leecher.stop()


def test_silent_flood_and_honest_burst(d):
    """60 connections from one host that never say hello take at most a
    few of the seats waiting for a handshake (the rest are closed at
    once), and a burst of 150 honest peers from other hosts that arrives
    meanwhile is answered in full."""
    src, torrent = make_payload(d, big=1024 * 1024)
    meta = json.loads(cli("show", "--json", torrent, check=True).stdout)
    info_hash = bytes.fromhex(meta["info_hash"])
    seeder = None
    sockets = []
    try:
        seeder = Peer(src, torrent, "--max-peers", "500", "--max-accepted", "500")
        seeder.wait_for("done", 60)
        silent = []
        for _ in range(60):
            s = socket.create_connection(("127.0.0.1", seeder.port), timeout=10)
            silent.append(s)
        sockets += silent
        time.sleep(1)
        closed = 0
        for s in silent:
            s.settimeout(0.05)
            try:
                if s.recv(1) == b"":
                    closed += 1
            except socket.timeout:
                pass
            except OSError:
                closed += 1
        assert closed >= 40, f"only {closed} of 60 silent connections from one host were closed"

        burst = []
        for i in range(150):
            s = socket.socket()
            s.bind((f"127.5.{i // 200}.{i % 200 + 1}", 0))
            s.settimeout(15)
            s.connect(("127.0.0.1", seeder.port))
            s.sendall(b"\x13BitTorrent protocol" + bytes(8) + info_hash + b"-XX0001-" + b"%012d" % i)
            burst.append(s)
        sockets += burst
        answered = 0
        for s in burst:
            try:
                reply = HostilePeer._read(s, 68)
                answered += reply[28:48] == info_hash
            except (OSError, EOFError):
                pass
        assert answered == 150, f"{answered} of 150 honest peers were answered"
    finally:
        for s in sockets:
            s.close()
        if seeder:
            seeder.stop()


tap.run_all(globals())
