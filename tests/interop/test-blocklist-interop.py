#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Tessera seeder with --blocklist against real libtorrent peers on
loopback, each on its own 127.0.0.x (libtorrent's listen and outgoing
interfaces): the blocked one at 127.0.0.3 can neither connect (TCP and
uTP) nor be dialled, while the one at 127.0.0.2 downloads the torrent.
Every process is stopped by PID, also on failure."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, need_cli, write  # noqa: E402
from tsrpeers import Peer, make_payload, tree_digest  # noqa: E402
from tsrlt import lt, lt_add, lt_download, lt_session  # noqa: E402

need_cli()

tap = Tap()


def lt_on(host):
    """A libtorrent session that listens on, and dials from, @host only,
    over TCP and uTP, telling of every connection it sees."""
    return lt_session(listen_interfaces=f"{host}:0", outgoing_interfaces=host,
                      enable_outgoing_utp=True, enable_incoming_utp=True,
                      alert_mask=lt.alert.category_t.all_categories)


def connections(session):
    """Connection alerts so far: ("incoming" or "connect", address)."""
    seen = []
    for alert in session.pop_alerts():
        if alert.what() == "incoming_connection":
            seen.append(("incoming", str(alert.endpoint)))
        elif alert.what() == "peer_connect":
            seen.append(("connect", str(alert.endpoint)))
    return seen


def test_blocked_libtorrent_peer(d):
    src, torrent = make_payload(d, big=2 * 1024 * 1024)
    blocklist = os.path.join(d, "level1.p2p")
    write(blocklist, b"# test\nBlocked peer:127.0.0.3-127.0.0.3\n")
    blocked = lt_on("127.0.0.3")
    allowed = lt_on("127.0.0.2")
    blocked_dst = os.path.join(d, "blocked")
    allowed_dst = os.path.join(d, "allowed")
    os.mkdir(blocked_dst)
    os.mkdir(allowed_dst)
    blocked_handle = lt_add(blocked, torrent, blocked_dst)
    allowed_handle = lt_add(allowed, torrent, allowed_dst)
    seeder = Peer(src, torrent, "--blocklist", blocklist,
                  "--peer", f"127.0.0.3:{blocked.listen_port()}")
    try:
        told = seeder.wait_for("blocklist", 30)
        assert told["ranges"] == 1 and told["malformed"] == 0, told
        seeder.wait_for("done", 60)

        # Never accepted: it keeps knocking for a while, over TCP and uTP.
        end = time.monotonic() + 8
        while time.monotonic() < end:
            blocked_handle.connect_peer(("127.0.0.1", seeder.port))
            time.sleep(0.5)
        assert blocked_handle.status().num_peers == 0, "the blocked peer kept a connection"
        assert blocked_handle.status().total_payload_download == 0

        # Never dialled: the seeder was told of it by --peer from the start,
        # and libtorrent saw no connection come in.
        seen = connections(blocked)
        assert not [s for s in seen if s[0] == "incoming"], seen

        # The allowed peer, meanwhile, gets it all.
        lt_download(allowed_handle, ("127.0.0.1", seeder.port), 60, "the allowed peer at 127.0.0.2")
        assert tree_digest(allowed_dst) == tree_digest(src)

        events = seeder.drain()
        connected = [e.get("peer", "") for e in events if e["event"] == "peer-connected"]
        assert not [p for p in connected if p.startswith("127.0.0.3")], connected
        assert [p for p in connected if p.startswith("127.0.0.2")], connected
    finally:
        seeder.stop()
        blocked.remove_torrent(blocked_handle)
        allowed.remove_torrent(allowed_handle)


tap.run_all(globals())
