#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The extension protocol on real sockets on 127.0.0.1, against
python3-libtorrent: magnet links both ways (BEP 9, with direct peers and
through opentracker), peer exchange both ways (BEP 11), and a private
torrent that never exchanges peers (BEP 27). Every process is stopped by
PID, also on failure."""

import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, bencode, cli, need_cli  # noqa: E402
from tsrpeers import DEADLINE, OpenTracker, Peer, make_payload, tree_digest  # noqa: E402
from tsrlt import lt, lt_download, lt_seed, lt_session  # noqa: E402

need_cli()

tap = Tap()


def show(torrent):
    return json.loads(cli("show", "--json", torrent, check=True).stdout)


def check_saved_torrent(leecher, torrent):
    """The .torrent written from the metadata has the original's info hash."""
    event = next(e for e in leecher.events if e["event"] == "metadata")
    assert event["torrent-file"] and os.path.exists(event["torrent-file"]), event
    assert show(event["torrent-file"])["info_hash"] == show(torrent)["info_hash"]
    assert event["size"] == show(torrent)["total_size"], event


def test_magnet_from_libtorrent(d):
    """A magnet with only x.pe: the metadata and then the data come from a
    libtorrent seeder."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    session = lt_session()
    lt_seed(session, torrent, src)
    info_hash = show(torrent)["info_hash"]
    magnet = f"magnet:?xt=urn:btih:{info_hash}&dn=payload&x.pe=127.0.0.1:{session.listen_port()}"
    leecher = Peer(dst, magnet, "--exit-when-done")
    try:
        leecher.wait_for("metadata", 60)
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
        check_saved_torrent(leecher, torrent)
        states = [e["state"] for e in leecher.events if e["event"] == "state"]
        assert states[0] == "fetching", states
    finally:
        leecher.stop()


def test_magnet_through_tracker(d):
    """A magnet with only tr: the tracker gives the seeder (libtorrent)."""
    src, torrent = make_payload(d)
    info_hash = show(torrent)["info_hash"]
    tracker = OpenTracker(d, [info_hash])
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    url = f"http://127.0.0.1:{tracker.port}/announce"
    session = lt_session()
    leecher = None
    try:
        handle = lt_seed(session, torrent, src)
        handle.add_tracker({"url": url})
        handle.force_reannounce()
        time.sleep(1)
        magnet = f"magnet:?xt=urn:btih:{info_hash}&tr={url}"
        leecher = Peer(dst, magnet, "--exit-when-done", tracker_flag=False)
        leecher.wait_for("metadata", 60)
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
        check_saved_torrent(leecher, torrent)
    finally:
        if leecher:
            leecher.stop()
        tracker.stop()


def test_show_fetch(d):
    """tessera-cli show MAGNET --fetch: the metadata from a libtorrent
    seeder, shown and saved; no peer at all: a clear error in time."""
    src, torrent = make_payload(d)
    session = lt_session()
    lt_seed(session, torrent, src)
    want = show(torrent)
    saved = os.path.join(d, "fetched.torrent")
    magnet = f"magnet:?xt=urn:btih:{want['info_hash']}"
    result = cli("show", "--fetch", "--json", "--save", saved, "--peer", f"127.0.0.1:{session.listen_port()}",
                 magnet, check=True)
    got = json.loads(result.stdout)
    for key in ("info_hash", "name", "total_size", "piece_count", "files"):
        assert got[key] == want[key], (key, got[key], want[key])
    assert show(saved)["info_hash"] == want["info_hash"]
    start = time.monotonic()
    result = cli("show", "--fetch", "--timeout", "3", magnet + "&x.pe=127.0.0.1:1")
    assert result.returncode == 1 and b"within 3 seconds" in result.stderr, result
    assert time.monotonic() - start < 20


def test_libtorrent_magnet_from_tessera(d):
    """libtorrent, given a magnet and Tessera's address, fetches the
    metadata from Tessera (we serve BEP 9) and then the data."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent)
    session = lt_session()
    try:
        seeder.wait_for("done", 60)
        params = lt.parse_magnet_uri(f"magnet:?xt=urn:btih:{show(torrent)['info_hash']}")
        params.save_path = dst
        handle = session.add_torrent(params)
        lt_download(handle, ("127.0.0.1", seeder.port), DEADLINE, "magnet from Tessera")
        assert tree_digest(dst) == tree_digest(src)
    finally:
        seeder.stop()


def test_magnet_tessera_to_tessera(d):
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent)
    leecher = None
    try:
        seeder.wait_for("done", 60)
        magnet = f"magnet:?xt=urn:btih:{show(torrent)['info_hash']}&x.pe=127.0.0.1:{seeder.port}&so=0"
        leecher = Peer(dst, magnet, "--exit-when-done")
        leecher.wait_for("metadata", 60)
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        # so=0 (BEP 53): the first file only; the last (3 MiB, sharing at
        # most one piece with the others) must not be complete.
        files = show(torrent)["files"]
        got = tree_digest(dst)
        want = tree_digest(src)
        assert got.get(files[0]["path"]) == want[files[0]["path"]], files[0]
        assert got.get(files[-1]["path"]) != want[files[-1]["path"]], files[-1]
    finally:
        seeder.stop()
        if leecher:
            leecher.stop()


def test_pex_to_libtorrent(d):
    """Tessera seeds; libtorrent A and B each know only Tessera. Tessera's
    PEX tells A of B (and B of A): they end connected to each other."""
    src, torrent = make_payload(d)
    seeder = Peer(src, torrent)
    sessions = [lt_session(), lt_session()]
    try:
        seeder.wait_for("done", 60)
        handles = []
        for n, session in enumerate(sessions):
            params = lt.add_torrent_params()
            params.ti = lt.torrent_info(torrent)
            params.save_path = os.path.join(d, f"lt{n}")
            # Slow, so that they are still leeching when PEX comes.
            params.download_limit = 64 * 1024
            handle = session.add_torrent(params)
            handle.connect_peer(("127.0.0.1", seeder.port))
            handles.append(handle)
        ports = [s.listen_port() for s in sessions]
        end = time.monotonic() + 60
        while True:
            seen = [{p.ip[1] for p in h.get_peer_info()} for h in handles]
            if ports[1] in seen[0] or ports[0] in seen[1]:
                break
            assert time.monotonic() < end, f"libtorrent peers never met through Tessera's PEX: {seen}"
            for h in handles:
                if not h.get_peer_info():
                    h.connect_peer(("127.0.0.1", seeder.port))
            time.sleep(0.5)
    finally:
        seeder.stop()


def test_pex_from_libtorrent(d):
    """A Tessera leecher that knows only a libtorrent seeder learns, by
    the seeder's PEX, of another libtorrent peer, and connects to it."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder_session = lt_session(upload_rate_limit=256 * 1024)
    # It dials no one (so it cannot reach Tessera first, learning of it
    # by the seeder's PEX in turn): Tessera must dial it.
    other_session = lt_session(enable_outgoing_tcp=False)
    seed = lt_seed(seeder_session, torrent, src)
    # A slow libtorrent leecher (two seeds would part at once).
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = os.path.join(d, "other")
    params.download_limit = 32 * 1024
    other_session.add_torrent(params)
    other_port = other_session.listen_port()
    seed.connect_peer(("127.0.0.1", other_port))
    # Tessera slowed so it is still downloading when the PEX message
    # (libtorrent sends one a minute) comes.
    leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder_session.listen_port()}", "--down-rate", "200k")
    try:
        end = time.monotonic() + 100
        while True:
            event = leecher.next_event(1)
            if event is not None and event["event"] == "peer-connected" and \
                    event["peer"] == f"127.0.0.1:{other_port}":
                break
            assert time.monotonic() < end, "Tessera never reached the peer libtorrent told it of"
            if event is None and leecher.process.poll() is not None:
                raise AssertionError("tessera-cli exited")
    finally:
        leecher.stop()


class RawPeer:
    """A minimal BEP 10 peer: handshakes, sends an extended handshake with
    ut_pex as id 7, and records the extended messages it receives."""

    def __init__(self, port, info_hash):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        reserved = bytearray(8)
        reserved[5] |= 0x10
        self.sock.sendall(b"\x13BitTorrent protocol" + bytes(reserved) + info_hash + b"-XX0001-rawpeer00001")
        self._read(68)
        shake = bencode({b"m": {b"ut_pex": 7, b"ut_metadata": 3}, b"p": 6999})
        self.sock.sendall(struct.pack(">IBB", 2 + len(shake), 20, 0) + shake)
        self.extended = []    # (id, payload)

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def read_for(self, seconds):
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end:
                self.sock.settimeout(max(0.1, end - time.monotonic()))
                try:
                    length = struct.unpack(">I", self._read(4))[0]
                except socket.timeout:
                    break
                if length == 0:
                    continue
                message = self._read(length)
                if message[0] == 20:
                    self.extended.append((message[1], message[2:]))
        except EOFError:
            pass

    def close(self):
        self.sock.close()


def pex_seen(d, private):
    """Tessera seeds with one libtorrent peer connected; a raw peer that
    offers ut_pex watches for 10 s. Returns (Tessera's extension names,
    PEX messages received)."""
    src, _ = make_payload(d, big=1024 * 1024)
    torrent = os.path.join(d, "p.torrent")
    cli("create", "-q", "-p", "64k", *(["--private"] if private else []), "-o", torrent,
        os.path.join(src, "payload"), check=True)
    seeder = Peer(src, torrent)
    session = lt_session()
    raw = None
    try:
        seeder.wait_for("done", 60)
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = os.path.join(d, "lt")
        # Slow: a libtorrent that finished would hang up on the seed.
        params.download_limit = 16 * 1024
        handle = session.add_torrent(params)
        handle.connect_peer(("127.0.0.1", seeder.port))
        raw = RawPeer(seeder.port, bytes.fromhex(show(torrent)["info_hash"]))
        raw.read_for(10)
        assert raw.extended and raw.extended[0][0] == 0, "Tessera sent no extended handshake"
        names = raw.extended[0][1]
        pex = [payload for ext_id, payload in raw.extended[1:] if ext_id == 7]
        return names, pex, session.listen_port()
    finally:
        if raw:
            raw.close()
        seeder.stop()


def test_public_torrent_sends_pex(d):
    """The control for the next test: with a public torrent the raw peer
    hears of the libtorrent peer within 10 s."""
    names, pex, lt_port = pex_seen(d, private=False)
    assert b"6:ut_pexi" in names, names
    assert pex, "no PEX message within 10 s"
    assert struct.pack(">H", lt_port) in pex[0], pex


def test_private_torrent_never_sends_pex(d):
    names, pex, _ = pex_seen(d, private=True)
    assert b"ut_pex" not in names, names
    assert b"ut_metadata" in names, names
    assert not pex, pex


def v2_transfer(d, kind):
    """A v2-only or hybrid torrent (made by Tessera) with libtorrent: it
    seeds Tessera, then Tessera seeds it."""
    src, _ = make_payload(d)
    torrent = os.path.join(d, f"{kind}.torrent")
    cli("create", "-q", "-f", f"--{kind}", "-p", "256k", "-o", torrent, os.path.join(src, "payload"), check=True)
    session = lt_session()
    lt_seed(session, torrent, src)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{session.listen_port()}", "--exit-when-done")
    seeder = None
    try:
        leecher.wait_for("done", DEADLINE)
        assert tree_digest(dst) == tree_digest(src)
        leecher.stop()
        leecher = None
        seeder = Peer(src, torrent)
        seeder.wait_for("done", 60)
        other = lt_session()
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = os.path.join(d, "lt")
        handle = other.add_torrent(params)
        lt_download(handle, ("127.0.0.1", seeder.port), DEADLINE, f"{kind} from Tessera")
        assert tree_digest(os.path.join(d, "lt")) == tree_digest(src)
    finally:
        for peer in (leecher, seeder):
            if peer:
                peer.stop()


def test_v2_magnet_with_libtorrent(d):
    """A v2-only magnet (btmh): Tessera fetches the info dictionary and then
    the piece layers (BEP 52 hash requests) from libtorrent and downloads;
    then libtorrent does the same from a Tessera seeder."""
    src, _ = make_payload(d)
    torrent = os.path.join(d, "v2.torrent")
    cli("create", "-q", "-f", "--v2", "-p", "64k", "-o", torrent, os.path.join(src, "payload"), check=True)
    magnet = f"magnet:?xt=urn:btmh:1220{show(torrent)['info_hash_v2']}&dn=payload"
    session = lt_session()
    lt_seed(session, torrent, src)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    leecher = Peer(dst, magnet + f"&x.pe=127.0.0.1:{session.listen_port()}", "--exit-when-done")
    seeder = None
    try:
        leecher.wait_for("metadata", 60)
        leecher.wait_for("done", DEADLINE)
        assert tree_digest(dst) == tree_digest(src)
        leecher.stop()
        leecher = None

        seeder = Peer(src, torrent)
        seeder.wait_for("done", 60)
        other = lt_session()
        params = lt.parse_magnet_uri(magnet)
        params.save_path = os.path.join(d, "lt")
        handle = other.add_torrent(params)
        lt_download(handle, ("127.0.0.1", seeder.port), DEADLINE, "v2 magnet from Tessera")
        assert tree_digest(os.path.join(d, "lt")) == tree_digest(src)
    finally:
        for peer in (leecher, seeder):
            if peer:
                peer.stop()


def test_v2_with_libtorrent(d):
    v2_transfer(d, "v2")


def test_hybrid_with_libtorrent(d):
    v2_transfer(d, "hybrid")


def test_ipv6_with_libtorrent(d):
    """BEP 7: over ::1, libtorrent seeds Tessera, and Tessera seeds
    libtorrent."""
    src, torrent = make_payload(d)
    session = lt_session(listen_interfaces="[::1]:0")
    lt_seed(session, torrent, src)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    leecher = Peer(dst, torrent, "--peer", f"[::1]:{session.listen_port()}", "--exit-when-done", bind="::1")
    seeder = None
    try:
        event = leecher.wait_for("peer-connected", 30)
        assert event["peer"] == f"[::1]:{session.listen_port()}", event
        leecher.wait_for("done", DEADLINE)
        assert tree_digest(dst) == tree_digest(src)
        leecher.stop()
        leecher = None

        seeder = Peer(src, torrent, bind="::1")
        seeder.wait_for("done", 60)
        other = lt_session(listen_interfaces="[::1]:0")
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = os.path.join(d, "lt")
        handle = other.add_torrent(params)
        lt_download(handle, ("::1", seeder.port), DEADLINE, "over ::1")
        assert tree_digest(os.path.join(d, "lt")) == tree_digest(src)
    finally:
        for peer in (leecher, seeder):
            if peer:
                peer.stop()


def allowed_fast_set(ip, info_hash, pieces, k):
    """BEP 6's canonical set, written again here from the BEP."""
    import hashlib
    x = bytes(int(part) for part in ip.split("."))[:3] + b"\0" + info_hash
    chosen = []
    while len(chosen) < min(k, pieces):
        x = hashlib.sha1(x).digest()
        for i in range(5):
            index = struct.unpack(">I", x[4 * i:4 * i + 4])[0] % pieces
            if index not in chosen and len(chosen) < min(k, pieces):
                chosen.append(index)
    return chosen


class FastPeer:
    """A raw BEP 6 peer on one connection: handshake with the fast bit,
    then messages by hand."""

    def __init__(self, sock, info_hash):
        self.sock = sock
        self.sock.settimeout(30)
        self.sock.sendall(b"\x13BitTorrent protocol" + bytes([0, 0, 0, 0, 0, 0, 0, 0x04]) + info_hash +
                          b"-XX0001-fastpeer0001")
        self.handshake = self.read(68)
        self.reserved = self.handshake[20:28]

    def read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def send(self, kind, payload=b""):
        self.sock.sendall(struct.pack(">IB", 1 + len(payload), kind) + payload)

    def next(self, timeout=10):
        """The next message as (id, payload), keep-alives skipped; None at timeout."""
        self.sock.settimeout(timeout)
        try:
            while True:
                length = struct.unpack(">I", self.read(4))[0]
                if length:
                    message = self.read(length)
                    return message[0], message[1:]
        except socket.timeout:
            return None


def test_allowed_fast_served(d):
    """Tessera seeds; a newcomer it chokes gets the canonical allowed-fast
    set (BEP 6) and is served those pieces while choked, refused others."""
    src, torrent = make_payload(d, big=4 * 1024 * 1024)
    meta = show(torrent)
    info_hash = bytes.fromhex(meta["info_hash"])
    seeder = Peer(src, torrent)
    try:
        seeder.wait_for("done", 60)
        peer = FastPeer(socket.create_connection(("127.0.0.1", seeder.port)), info_hash)
        assert peer.reserved[7] & 0x04
        peer.send(15)                       # have none; never interested: stays choked
        fast, other = [], []
        while True:
            message = peer.next(5)
            assert message is not None, f"no allowed-fast set came: {fast}"
            if message[0] == 17:
                fast.append(struct.unpack(">I", message[1])[0])
            if len(fast) == 10:
                break
        assert fast == allowed_fast_set("127.0.0.1", info_hash, meta["piece_count"], 10), fast
        outside = next(i for i in range(meta["piece_count"]) if i not in fast)
        peer.send(6, struct.pack(">III", fast[0], 0, 16384))
        peer.send(6, struct.pack(">III", outside, 0, 16384))
        got = {}
        while len(got) < 2:
            message = peer.next(10)
            assert message is not None, got
            if message[0] in (7, 16):
                got[struct.unpack(">I", message[1][:4])[0]] = message[0]
        assert got == {fast[0]: 7, outside: 16}, got
        peer.sock.close()
    finally:
        seeder.stop()


def test_allowed_fast_and_suggest_taken(d):
    """A raw seeder that never unchokes but allows two pieces: Tessera
    fetches exactly those while choked. Then it unchokes and suggests a
    piece: that piece is the next one Tessera starts."""
    src, torrent = make_payload(d, big=4 * 1024 * 1024)
    meta = show(torrent)
    info_hash = bytes.fromhex(meta["info_hash"])
    stream = b"".join(open(os.path.join(src, f["path"]), "rb").read() for f in meta["files"])
    piece_length = meta["piece_length"]
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{server.getsockname()[1]}")
    try:
        server.settimeout(30)
        connection, _ = server.accept()
        peer = FastPeer(connection, info_hash)
        peer.send(14)                                   # have all
        allowed = [3, 11]
        for index in allowed:
            peer.send(17, struct.pack(">I", index))
        asked = set()
        served = 0
        suggested = 17
        unchoked = False
        while True:
            message = peer.next(20)
            assert message is not None, f"Tessera stopped asking (asked {sorted(asked)})"
            if message[0] != 6:
                continue
            index, begin, length = struct.unpack(">III", message[1])
            if not unchoked:
                assert index in allowed, f"asked for piece {index} while choked, not allowed fast"
            elif index not in allowed:
                assert index == suggested, f"after the suggestion of {suggested}, started {index}"
                break
            asked.add(index)
            start = index * piece_length + begin
            peer.send(7, struct.pack(">II", index, begin) + stream[start:start + length])
            served += length
            if not unchoked and served == 2 * piece_length:
                peer.send(13, struct.pack(">I", suggested))
                peer.send(1)                            # unchoke
                unchoked = True
        assert asked == set(allowed), asked
        verified = set()
        for event in leecher.drain():
            if event["event"] == "piece-verified":
                verified.add(event["piece"])
        assert set(allowed) <= verified, verified
        connection.close()
    finally:
        leecher.stop()
        server.close()


def test_hybrid_known_by_both_hashes(d):
    """A hybrid torrent's seeder answers a peer that asks by the truncated
    v2 hash (BEP 52) with that hash, then what it has; and one asking by
    the v1 hash with the v1 hash."""
    src, _ = make_payload(d, big=1024 * 1024)
    torrent = os.path.join(d, "hybrid.torrent")
    cli("create", "-q", "-f", "--hybrid", "-p", "64k", "-o", torrent, os.path.join(src, "payload"), check=True)
    meta = show(torrent)
    seeder = Peer(src, torrent)
    try:
        seeder.wait_for("done", 60)
        for asked in (bytes.fromhex(meta["info_hash_v2"])[:20], bytes.fromhex(meta["info_hash"])):
            peer = FastPeer(socket.create_connection(("127.0.0.1", seeder.port)), asked)
            assert peer.handshake[28:48] == asked, peer.handshake[28:48].hex()
            message = peer.next(10)
            assert message is not None and message[0] in (5, 14), message
            peer.sock.close()
    finally:
        seeder.stop()


def test_block_hashes_served(d):
    """BEP 52 hash requests for block hashes (base layer 0) of a v2 file:
    answered from the data with the proof up to the file's root, which
    this test computes on its own; a layer between blocks and pieces is
    refused."""
    import hashlib
    from tsrtest import pseudo_random, write
    src = os.path.join(d, "src")
    data = pseudo_random(1024 * 1024 + 5000, 9)
    write(os.path.join(src, "one.bin"), data)
    torrent = os.path.join(d, "v2.torrent")
    cli("create", "-q", "-f", "--v2", "-p", "64k", "-o", torrent, os.path.join(src, "one.bin"), check=True)
    blocks = [hashlib.sha256(data[i:i + 16384]).digest() for i in range(0, len(data), 16384)]
    width = 1
    while width < len(blocks):
        width *= 2
    level = blocks + [bytes(32)] * (width - len(blocks))
    tree = [level]
    while len(level) > 1:
        level = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
        tree.append(level)
    root = tree[-1][0]
    seeder = Peer(src, torrent)
    try:
        seeder.wait_for("done", 60)
        peer = FastPeer(socket.create_connection(("127.0.0.1", seeder.port)),
                        bytes.fromhex(show(torrent)["info_hash_v2"])[:20])
        peer.send(15)

        def ask(base, index, count, proof):
            peer.send(21, root + struct.pack(">IIII", base, index, count, proof))
            while True:
                message = peer.next(10)
                assert message is not None, "no answer to a hash request"
                if message[0] in (22, 23):
                    assert message[1][:48] == root + struct.pack(">IIII", base, index, count, proof)
                    return message[0], [message[1][i:i + 32] for i in range(48, len(message[1]), 32)]

        # 4 blocks a piece (layer 2), 17 pieces, 128 leaves: 7 levels.
        for index, count in ((64, 4), (12, 4), (2, 2)):
            kind, hashes = ask(0, index, count, 6)
            assert kind == 22, f"block hashes {index}+{count} refused"
            assert hashes[:count] == tree[0][index:index + count], index
            node, at, height = None, index, 0
            sub = hashes[:count]
            while len(sub) > 1:
                sub = [hashlib.sha256(sub[i] + sub[i + 1]).digest() for i in range(0, len(sub), 2)]
                height += 1
            node, at = sub[0], index >> height
            for uncle in hashes[count:]:
                node = hashlib.sha256(node + uncle if at % 2 == 0 else uncle + node).digest()
                at //= 2
            assert node == root, f"the proof of {index}+{count} does not reach the root"
        kind, _ = ask(1, 0, 2, 5)
        assert kind == 23, "a layer between blocks and pieces was answered"
        peer.sock.close()
    finally:
        seeder.stop()


def lsd_pair(d, private):
    """BEP 14 between two namespaces of the test's own: a leecher that
    knows no peer, then a seeder; both with --lsd. Returns whether the
    leecher connected to the seeder (and finished) within 30 s."""
    from tsrnet import NamespacePair
    src, _ = make_payload(d, big=2 * 1024 * 1024)
    torrent = os.path.join(d, "lsd.torrent")
    cli("create", "-q", "-p", "64k", *(["--private"] if private else []), "-o", torrent,
        os.path.join(src, "payload"), check=True)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    pair = NamespacePair()
    leecher = seeder = None
    try:
        leecher = Peer(dst, torrent, "--lsd", "--exit-when-done", bind=pair.ips[1], prefix=pair.exec_prefix(1))
        seeder = Peer(src, torrent, "--lsd", bind=pair.ips[0], prefix=pair.exec_prefix(0))
        try:
            event = leecher.wait_for("peer-connected", 30)
        except AssertionError:
            return False
        assert event["peer"] == f"{pair.ips[0]}:{seeder.port}", event
        leecher.wait_for("done", DEADLINE)
        assert tree_digest(dst) == tree_digest(src)
        return True
    finally:
        for peer in (leecher, seeder):
            if peer:
                peer.stop()
        pair.cleanup()


def test_lsd_finds_peer(d):
    assert lsd_pair(d, private=False), "the leecher never found the seeder on the local network"


def test_lsd_not_for_private(d):
    """BEP 27: a private torrent is never announced on the local network."""
    assert not lsd_pair(d, private=True), "a private torrent was found by local discovery"


class WebServer:
    """tests/python/tsrweb.py on 127.0.0.1 over @folder (with Range
    support unless @ranges is false), stopped by PID."""

    def __init__(self, folder, ranges=True):
        import subprocess
        from tsrpeers import free_port
        self.port = free_port(socket.SOCK_STREAM)
        script = os.path.join(os.path.dirname(__file__), "..", "python", "tsrweb.py")
        self.process = subprocess.Popen([sys.executable, script, folder, str(self.port),
                                         *([] if ranges else ["--no-range"])],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        end = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < end, "python3 -m http.server did not start"
                time.sleep(0.1)

    def stop(self):
        from tsrpeers import stop_process
        stop_process(self.process)
        return self.process.stderr.read().decode(errors="replace")


def web_torrent(d, src, url):
    torrent = os.path.join(d, f"web-{url.split(':')[-1].strip('/')}.torrent")
    cli("create", "-q", "-p", "256k", "-w", url, "-o", torrent, os.path.join(src, "payload"), check=True)
    return torrent


def test_web_seed_alone(d):
    """BEP 19: a web seed alone (no peer at all) completes the download."""
    src, _ = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    server = WebServer(src)
    leecher = None
    try:
        torrent = web_torrent(d, src, f"http://127.0.0.1:{server.port}/")
        leecher = Peer(dst, torrent, "--exit-when-done")
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
        assert not any(e["event"] == "peer-connected" for e in leecher.events)
    finally:
        if leecher:
            leecher.stop()
        log = server.stop()
    assert "206" in log, "the web seed was never asked for a range"


def test_web_seed_rate_limit(d):
    """--down-rate holds for web seeds too."""
    src, _ = make_payload(d, big=8 * 1024 * 1024)
    size = sum(os.path.getsize(os.path.join(base, name)) for base, _, names in os.walk(src) for name in names)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    server = WebServer(src)
    leecher = None
    try:
        torrent = web_torrent(d, src, f"http://127.0.0.1:{server.port}/")
        start = time.monotonic()
        leecher = Peer(dst, torrent, "--exit-when-done", "--down-rate", "2m")
        leecher.wait_for("done", DEADLINE)
        elapsed = time.monotonic() - start
        assert tree_digest(dst) == tree_digest(src)
        assert elapsed >= 0.7 * size / (2 << 20), f"{size} bytes in {elapsed:.2f} s beat a 2 MiB/s limit"
    finally:
        if leecher:
            leecher.stop()
        server.stop()


def test_web_seed_without_ranges(d):
    """A server that ignores Range (whole files, 200) still serves: each
    piece is cut from the file as it streams by."""
    src, _ = make_payload(d, big=2 * 1024 * 1024 + 5)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    server = WebServer(src, ranges=False)
    leecher = None
    try:
        torrent = web_torrent(d, src, f"http://127.0.0.1:{server.port}/")
        leecher = Peer(dst, torrent, "--exit-when-done")
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
    finally:
        if leecher:
            leecher.stop()
        log = server.stop()
    assert " 200 " in log and " 206 " not in log, log[-500:]


def test_web_seed_with_peers(d):
    """A web seed and a Tessera seeder together; then a web seed serving
    a corrupt file is banned by its URL and the peer finishes the job."""
    src, _ = make_payload(d)
    bad = os.path.join(d, "bad")
    os.makedirs(os.path.join(bad, "payload", "dir"))
    for name in ("big.bin", "mid.bin", os.path.join("dir", "small.txt"), os.path.join("dir", "zero")):
        with open(os.path.join(src, "payload", name), "rb") as f:
            data = bytearray(f.read())
        if name.endswith(".bin"):
            # Every piece the bad seed sends is wrong, whichever it picks.
            data = bytearray(b ^ 0xFF for b in data)
        with open(os.path.join(bad, "payload", name), "wb") as f:
            f.write(data)
    good_server = WebServer(src)
    bad_server = WebServer(bad)
    seeder = leecher = None
    try:
        for server, expect_ban in ((good_server, False), (bad_server, True)):
            dst = os.path.join(d, f"dst-{server.port}")
            os.mkdir(dst)
            torrent = web_torrent(d, src, f"http://127.0.0.1:{server.port}/")
            seeder = Peer(src, torrent)
            seeder.wait_for("done", 60)
            leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done",
                           "--down-rate", "4M")
            leecher.wait_for("done", DEADLINE)
            assert leecher.process.wait(timeout=30) == 0
            assert tree_digest(dst) == tree_digest(src)
            bans = [e for e in leecher.events if e["event"] == "peer-banned"]
            if expect_ban:
                assert bans and bans[0]["peer"] == f"http://127.0.0.1:{server.port}/", bans
            else:
                assert not bans, bans
            seeder.stop()
            leecher.stop()
            seeder = leecher = None
    finally:
        for peer in (seeder, leecher):
            if peer:
                peer.stop()
        good_server.stop()
        bad_log = bad_server.stop()
    assert "206" in bad_log, "the corrupt web seed was never asked"


tap.run_all(globals())
