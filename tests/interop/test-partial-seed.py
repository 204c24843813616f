#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""BEP 21 partial seeds against python3-libtorrent on 127.0.0.1: a Tessera
partial seed (one file skipped, its data not there) says upload_only and
libtorrent's peer list shows it; Tessera reads libtorrent's upload_only,
from a libtorrent partial seed and from one in upload mode, and drops the
connection when both sides only upload (libtorrent's own drop is turned
off, so that the drop seen is Tessera's). libtorrent runs in this process;
every tessera-cli process is stopped by PID, also on failure."""

import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, cli, need_cli  # noqa: E402
from tsrpeers import Peer, make_payload  # noqa: E402
from tsrlt import lt, lt_session  # noqa: E402

need_cli()

tap = Tap()
BIG = 4 * 1024 * 1024 + 12345
BOUND = 30   # seconds for anything here; it takes well under one


def partial_copy(d, src, torrent, name):
    """A copy of @src whose big.bin is zeros but for its first and last
    256 KiB (the pieces it shares with its neighbours stay good), and the
    index of big.bin, the file to skip."""
    copy = os.path.join(d, name)
    shutil.copytree(src, copy)
    big = os.path.join(copy, "payload", "big.bin")
    with open(big, "r+b") as f:
        f.seek(256 * 1024)
        f.write(bytes(BIG - 512 * 1024))
    files = json.loads(cli("show", "--json", torrent, check=True).stdout)["files"]
    skip = next(i for i, f in enumerate(files) if f["path"].endswith("big.bin"))
    return copy, skip, len(files)


def tessera_partial_seed(d, src, torrent, *extra):
    copy, skip, n = partial_copy(d, src, torrent, "tessera")
    wanted = ",".join(str(i) for i in range(n) if i != skip)
    peer = Peer(copy, torrent, "--only", wanted, *extra)
    # Checked, every wanted piece here: seeding what it has.
    peer.wait_for("done", BOUND)
    return peer


def lt_add_flags(session, torrent, save_path, priorities=None, flags=0):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    if priorities is not None:
        params.file_priorities = priorities
    # Not auto managed: nothing but the test changes its mode.
    params.flags = (params.flags & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused) | flags
    return session.add_torrent(params)


def wait_gone_both_upload(peer, address):
    """The upload-only change, then the drop, for the peer at @address."""
    end = time.monotonic() + BOUND
    told = False
    while time.monotonic() < end:
        event = peer.next_event(0.2)
        if event is None or event.get("peer") != address:
            continue
        if event["event"] == "peer-state" and event["change"] == "upload-only":
            told = True
        if event["event"] == "peer-gone":
            assert told, f"gone before it was upload-only: {event}"
            assert event["reason"] == "Both sides only upload", event
            return
    raise AssertionError(f"Tessera never dropped {address} (upload-only seen: {told}); "
                         f"events: {peer.events[-15:]}")


def test_libtorrent_sees_tessera_upload_only(d):
    src, torrent = make_payload(d, big=BIG)
    dst = os.path.join(d, "lt")
    os.mkdir(dst)
    # Slow, so that libtorrent does not take all Tessera has (and leave
    # the upload-only peer it no longer needs) before it is looked at.
    seed = tessera_partial_seed(d, src, torrent, "--up-rate", "64k")
    session = lt_session()
    try:
        handle = lt_add_flags(session, torrent, dst)
        end = time.monotonic() + BOUND
        # A peer given while it checks its (empty) folder may be dropped.
        while handle.status().state != lt.torrent_status.downloading:
            assert time.monotonic() < end, f"libtorrent not downloading: {handle.status().state}"
            time.sleep(0.02)
        flags = None
        asked = 0
        while time.monotonic() < end:
            infos = [p for p in handle.get_peer_info() if p.ip[1] == seed.port]
            if infos:
                flags = infos[0].flags
                if flags & lt.peer_info.upload_only:
                    break
            # Again each second while no connection is up.
            if not infos and time.monotonic() - asked > 1:
                handle.connect_peer(("127.0.0.1", seed.port))
                asked = time.monotonic()
            time.sleep(0.02)
        assert flags is not None, "libtorrent never connected to Tessera"
        assert flags & lt.peer_info.upload_only, \
            f"libtorrent does not see Tessera as upload-only: flags {flags:#x}; Tessera: {seed.drain()[-15:]}"
        # A partial seed: not a seed in libtorrent's eyes.
        assert not flags & lt.peer_info.seed, f"flags {flags:#x}"
    finally:
        seed.stop()
        del session


def test_tessera_reads_libtorrent_partial_seed(d):
    src, torrent = make_payload(d, big=BIG)
    copy, skip, n = partial_copy(d, src, torrent, "lt")
    session = lt_session(close_redundant_connections=False)
    seed = None
    try:
        priorities = [0 if i == skip else 4 for i in range(n)]
        handle = lt_add_flags(session, torrent, copy, priorities)
        end = time.monotonic() + BOUND
        while not handle.status().is_finished:
            assert time.monotonic() < end, f"libtorrent not finished: {handle.status().state}"
            time.sleep(0.05)
        assert not handle.status().is_seeding
        seed = tessera_partial_seed(d, src, torrent, "--peer", f"127.0.0.1:{session.listen_port()}")
        wait_gone_both_upload(seed, f"127.0.0.1:{session.listen_port()}")
    finally:
        if seed:
            seed.stop()
        del session


def test_tessera_reads_libtorrent_upload_mode(d):
    src, torrent = make_payload(d, big=BIG)
    dst = os.path.join(d, "lt")
    os.mkdir(dst)
    session = lt_session(close_redundant_connections=False)
    seed = None
    try:
        # A leecher with nothing, that downloads nothing: upload mode.
        handle = lt_add_flags(session, torrent, dst, flags=lt.torrent_flags.upload_mode)
        seed = tessera_partial_seed(d, src, torrent, "--peer", f"127.0.0.1:{session.listen_port()}")
        wait_gone_both_upload(seed, f"127.0.0.1:{session.listen_port()}")
        assert handle.status().flags & lt.torrent_flags.upload_mode
    finally:
        if seed:
            seed.stop()
        del session


tap.run_all(globals())
