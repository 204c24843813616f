#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Message Stream Encryption (MSE/PE) on 127.0.0.1: Tessera with Tessera
in each pairing of off, prefer and require, and with python3-libtorrent
forced to encrypt (out_enc_policy and in_enc_policy forced, RC4 only) in
both directions. (Transmission with encryption required is in
test-transmission.py: it needs a network namespace.) Every process is
stopped by PID, also on failure."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, need_cli  # noqa: E402
from tsrpeers import DEADLINE, Peer, make_payload, tree_digest  # noqa: E402
from tsrlt import lt_add, lt_download, lt_session  # noqa: E402

need_cli()
tap = Tap()
BIG = 6 * 1024 * 1024 + 4321


def connected_events(peer):
    return [e for e in peer.drain() if e["event"] == "peer-connected"]


def pair(d, seeder_mode, leecher_mode, expect_done=True):
    src, torrent = make_payload(d, big=BIG)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = leecher = None
    try:
        seeder = Peer(src, torrent, "--encryption", seeder_mode)
        seeder.wait_for("done", 60)
        leecher = Peer(dst, torrent, "--encryption", leecher_mode, "--peer", f"127.0.0.1:{seeder.port}",
                       "--exit-when-done")
        if not expect_done:
            try:
                leecher.wait_for("done", 8)
            except AssertionError:
                return leecher.drain(), seeder.drain()
            raise AssertionError(f"{leecher_mode} downloaded from {seeder_mode}")
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src), "the data is wrong"
        return leecher.drain(), seeder.drain()
    finally:
        for peer in (leecher, seeder):
            if peer:
                peer.stop()


def test_require_both(d):
    """RC4 both ways: the data is right and both sides say encrypted."""
    ours, theirs = pair(d, "require", "require")
    for events in (ours, theirs):
        connected = [e for e in events if e["event"] == "peer-connected"]
        assert connected and all(e["encrypted"] for e in connected), connected


def test_prefer_both(d):
    """Both prefer: the handshake is MSE, the payload plaintext (neither
    asks for RC4)."""
    ours, _ = pair(d, "prefer", "prefer")
    connected = [e for e in ours if e["event"] == "peer-connected"]
    assert connected and not any(e["encrypted"] for e in connected), connected
    assert not any(e["event"] == "peer-gone" for e in ours), "a first connection failed"


def test_prefer_to_require(d):
    """A leecher that prefers meets a seeder that requires: RC4."""
    ours, _ = pair(d, "require", "prefer")
    connected = [e for e in ours if e["event"] == "peer-connected"]
    assert connected and all(e["encrypted"] for e in connected), connected


def test_prefer_to_plaintext_peer(d):
    """A seeder with encryption off closes our MSE handshake; preferring,
    the leecher dials it again at once in plaintext and finishes."""
    ours, _ = pair(d, "off", "prefer")
    gone = [e for e in ours if e["event"] == "peer-gone"]
    assert gone and "encrypted handshake" in gone[0]["reason"], gone
    connected = [e for e in ours if e["event"] == "peer-connected"]
    assert connected and not connected[0]["encrypted"], connected


def test_require_refuses_plaintext(d):
    """Requiring, the leecher never falls back to plaintext, and a seeder
    that requires refuses a plaintext leecher."""
    for seeder_mode, leecher_mode in (("off", "require"), ("require", "off")):
        where = os.path.join(d, seeder_mode)
        os.mkdir(where)
        ours, _ = pair(where, seeder_mode, leecher_mode, expect_done=False)
        assert not [e for e in ours if e["event"] == "peer-connected"], (seeder_mode, leecher_mode, ours)


def forced_session():
    # pe_forced (0) both ways, RC4 only (pe_rc4 = 2).
    return lt_session(out_enc_policy=0, in_enc_policy=0, allowed_enc_level=2, prefer_rc4=True)


def test_libtorrent_forced_seeds_tessera(d):
    """libtorrent seeds with encryption forced; Tessera (require) dials it."""
    src, torrent = make_payload(d, big=BIG)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    session = forced_session()
    handle = lt_add(session, torrent, src)
    end = time.monotonic() + 60
    while not handle.status().is_seeding:
        assert time.monotonic() < end, "libtorrent did not finish checking its data"
        time.sleep(0.05)
    leecher = Peer(dst, torrent, "--encryption", "require", "--peer", f"127.0.0.1:{session.listen_port()}",
                   "--exit-when-done")
    try:
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
        connected = [e for e in leecher.drain() if e["event"] == "peer-connected"]
        assert connected and all(e["encrypted"] for e in connected), connected
    finally:
        leecher.stop()
        session.remove_torrent(handle)


def test_tessera_seeds_libtorrent_forced(d):
    """Tessera (require) seeds; libtorrent with encryption forced dials it."""
    src, torrent = make_payload(d, big=BIG)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent, "--encryption", "require")
    session = forced_session()
    try:
        seeder.wait_for("done", 60)
        handle = lt_add(session, torrent, dst)
        lt_download(handle, ("127.0.0.1", seeder.port), DEADLINE, "from Tessera requiring encryption")
        assert tree_digest(dst) == tree_digest(src)
        connected = [e for e in seeder.drain() if e["event"] == "peer-connected"]
        assert connected and all(e["encrypted"] for e in connected), connected
    finally:
        seeder.stop()


tap.run_all(globals())
