#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""uTP (BEP 29) with python3-libtorrent on 127.0.0.1, TCP off at both
ends (libtorrent: enable_outgoing_tcp and enable_incoming_tcp false;
Tessera: --no-tcp), both directions, in plaintext and with RC4 forced.
The bytes went over uTP: Tessera's peer-connected event says "utp", and
libtorrent's peer, seen while connected, has its uTP flag. The
libtorrent → Tessera case logs its throughput; the dial of a libtorrent
with uTP off (TCP on at both ends) logs how soon TCP took over. Every process is
stopped by PID, also on failure. (Transmission over uTP needs TCP
blocked with nftables in its own namespace: not here yet.)"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, cli, need_cli  # noqa: E402
from tsrpeers import DEADLINE, Peer, make_payload, tree_digest  # noqa: E402
from tsrlt import lt, lt_add, lt_seed, lt_session  # noqa: E402

need_cli()
tap = Tap()
BIG = 61 * 1024 * 1024 + 4321   # with make_payload's 3 MiB more: about 64 MiB
SMALL = 6 * 1024 * 1024 + 4321
# libtorrent 2.0's peer_info::utp_socket (17_bit): the binding has no name for it.
LT_UTP_SOCKET = 1 << 17
assert int(lt.peer_info.holepunched) << 2 == LT_UTP_SOCKET == int(lt.peer_info.rc4_encrypted) >> 2, \
    "libtorrent's peer flags moved"


def utp_session(encrypted):
    settings = dict(enable_outgoing_utp=True, enable_incoming_utp=True,
                    enable_outgoing_tcp=False, enable_incoming_tcp=False)
    if encrypted:
        # pe_forced (0) both ways, RC4 only (pe_rc4 = 2).
        settings.update(out_enc_policy=0, in_enc_policy=0, allowed_enc_level=2, prefer_rc4=True)
    return lt_session(**settings)


def tessera_flags(encrypted):
    return ["--no-tcp", "--encryption", "require" if encrypted else "off"]


class FlagWatch:
    """Samples a libtorrent torrent's peers in the background: the flags of
    every peer seen connected, so that a short transfer is not missed."""

    def __init__(self, handle):
        self.handle = handle
        self.flags = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            for peer in self.handle.get_peer_info():
                self.flags.append(int(peer.flags))
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.thread.join(5)
        return self.flags


def assert_utp(events, flags, what):
    connected = [e for e in events if e["event"] == "peer-connected"]
    assert connected and all(e["transport"] == "utp" for e in connected), (what, connected)
    assert flags, f"{what}: libtorrent never showed its peer"
    assert all(f & LT_UTP_SOCKET for f in flags), f"{what}: a libtorrent peer not over uTP: {flags[:5]}"


def libtorrent_seeds(d, encrypted, big):
    src, torrent = make_payload(d, big=big)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    session = utp_session(encrypted)
    handle = lt_seed(session, torrent, src)
    watch = FlagWatch(handle)
    leecher = None
    try:
        start = time.monotonic()
        leecher = Peer(dst, torrent, *tessera_flags(encrypted), "--peer", f"127.0.0.1:{session.listen_port()}",
                       "--exit-when-done")
        leecher.wait_for("done", DEADLINE)
        seconds = time.monotonic() - start
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src), "the data is wrong"
        events = leecher.drain()
        assert_utp(events, watch.stop(), "libtorrent seeding")
        if encrypted:
            assert all(e["encrypted"] for e in events if e["event"] == "peer-connected")
        size = sum(os.path.getsize(os.path.join(base, name)) for base, _, names in os.walk(src) for name in names)
        print(f"# libtorrent -> Tessera over uTP ({'RC4' if encrypted else 'plaintext'}): "
              f"{size / 2**20:.1f} MiB in {seconds:.2f} s (process start included): {size / 1e6 / seconds:.1f} MB/s")
    finally:
        watch.stop()
        if leecher:
            leecher.stop()
        session.remove_torrent(handle)


def tessera_seeds(d, encrypted):
    src, torrent = make_payload(d, big=SMALL)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent, *tessera_flags(encrypted))
    session = utp_session(encrypted)
    watch = None
    try:
        seeder.wait_for("done", 60)
        handle = lt_add(session, torrent, dst)
        watch = FlagWatch(handle)
        address = ("127.0.0.1", seeder.port)
        handle.connect_peer(address)
        end = time.monotonic() + DEADLINE
        while not handle.status().is_seeding:
            assert time.monotonic() < end, f"libtorrent stuck at {handle.status().progress:.2%}"
            if handle.status().num_peers == 0:
                handle.connect_peer(address)
            time.sleep(0.1)
        assert tree_digest(dst) == tree_digest(src), "the data is wrong"
        assert_utp(seeder.drain(), watch.stop(), "Tessera seeding")
    finally:
        if watch:
            watch.stop()
        seeder.stop()


def test_libtorrent_seeds_tessera_plaintext(d):
    """libtorrent (uTP only) seeds about 64 MiB; Tessera (--no-tcp) dials it."""
    libtorrent_seeds(d, False, BIG)


def test_libtorrent_seeds_tessera_encrypted(d):
    """The same with RC4 forced at both ends."""
    libtorrent_seeds(d, True, SMALL)


def test_tessera_seeds_libtorrent_plaintext(d):
    """Tessera (--no-tcp) seeds; libtorrent (uTP only) dials it."""
    tessera_seeds(d, False)


def test_tessera_seeds_libtorrent_encrypted(d):
    """The same with RC4 forced at both ends."""
    tessera_seeds(d, True)


def tessera_pair(d, seeder_flags, leecher_flags):
    src, torrent = make_payload(d, big=SMALL)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent, *seeder_flags)
    leecher = None
    try:
        seeder.wait_for("done", 60)
        leecher = Peer(dst, torrent, *leecher_flags, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done")
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src), "the data is wrong"
        return [e for e in leecher.drain() if e["event"] == "peer-connected"]
    finally:
        for peer in (leecher, seeder):
            if peer:
                peer.stop()


def test_tessera_both_prefers_utp(d):
    """Tessera with Tessera, both transports on (the default): uTP."""
    connected = tessera_pair(d, [], [])
    assert [e["transport"] for e in connected] == ["utp"], connected


def test_tessera_falls_back_to_tcp(d):
    """A seeder with --no-utp refuses the uTP SYN: the leecher's TCP
    carries the data, and the event says so."""
    connected = tessera_pair(d, ["--no-utp"], [])
    assert [e["transport"] for e in connected] == ["tcp"], connected


def test_tessera_falls_back_fast_to_silent_udp(d):
    """libtorrent with uTP off (its UDP socket takes Tessera's SYN and never
    answers) seeds; Tessera, both transports on, dials it uTP first. On
    loopback TCP follows after the local delay (25 ms; it was 0.8 s for
    every address): the first connection comes within 0.5 s of the dial,
    over TCP."""
    src, torrent = make_payload(d, big=SMALL)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    session = lt_session(enable_incoming_tcp=True, enable_outgoing_tcp=True)
    handle = lt_seed(session, torrent, src)
    leecher = None
    try:
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{session.listen_port()}", "--exit-when-done")
        leecher.wait_for("peer-dialing", 30)
        dialed = time.monotonic()
        event = leecher.wait_for("peer-connected", 30)
        seconds = time.monotonic() - dialed
        print(f"# first connection to libtorrent without uTP (silent UDP) on 127.0.0.1: {seconds * 1000:.0f} ms "
              f"after peer-dialing, over {event['transport']}")
        assert event["transport"] == "tcp", event
        assert seconds < 0.5, f"TCP waited {seconds:.2f} s"
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src), "the data is wrong"
    finally:
        if leecher:
            leecher.stop()
        session.remove_torrent(handle)


def test_cli_refuses_no_transport(d):
    """--no-utp with --no-tcp leaves nothing: refused before starting."""
    result = cli("peer", "--no-utp", "--no-tcp", "-d", d, "-p", "0", "nothing.torrent")
    assert result.returncode != 0
    assert b"--no-utp" in result.stderr, result.stderr


tap.run_all(globals())
