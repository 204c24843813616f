# SPDX-License-Identifier: GPL-3.0-or-later
"""python3-libtorrent for Tessera's interop tests: a session on 127.0.0.1
with everything that would reach beyond it (DHT, LSD, UPnP, NAT-PMP) off,
and torrents added to it. A missing binding bails out with the package
to install."""

import sys
import time

try:
    import libtorrent as lt
except ImportError:
    print("Bail out! python3-libtorrent is missing: install the Debian package python3-libtorrent")
    sys.exit(1)


def lt_session(**extra):
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": 0,
    }
    settings.update(extra)
    return lt.session(settings)


def lt_add(session, torrent, save_path, seed_mode=False):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    if seed_mode:
        params.flags |= lt.torrent_flags.seed_mode
    return session.add_torrent(params)


def lt_seed(session, torrent, save_path):
    """Adds @torrent over data already at @save_path; returns once checked."""
    handle = lt_add(session, torrent, save_path)
    end = time.monotonic() + 60
    while not handle.status().is_seeding:
        assert time.monotonic() < end, "libtorrent did not finish checking its data"
        time.sleep(0.05)
    return handle


def lt_download(handle, address, timeout, what):
    """Connects @handle to @address ((host, port)) and waits until it seeds,
    connecting again whenever it has no peer; fails naming @what."""
    handle.connect_peer(address)
    end = time.monotonic() + timeout
    while not handle.status().is_seeding:
        status = handle.status()
        assert time.monotonic() < end, \
            f"libtorrent stuck ({what}): metadata {status.has_metadata}, {status.progress:.2%}"
        if status.num_peers == 0:
            handle.connect_peer(address)
        time.sleep(0.1)
