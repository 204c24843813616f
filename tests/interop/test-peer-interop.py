#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`tessera-cli peer` on real sockets on 127.0.0.1: Tessera to Tessera, a
libtorrent seeder to a Tessera leecher, and a Tessera seeder to a
libtorrent leecher, with direct --peer connections; the data must arrive
byte for byte. Every process is stopped by PID, also on failure."""

import hashlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, cli, need_cli, pseudo_random, read_terminal, write  # noqa: E402
from tsrpeers import DEADLINE, HostilePeer, OpenTracker, Peer, free_port, make_payload, stop_process, tree_digest  # noqa: E402
from tsrlt import lt, lt_add, lt_session  # noqa: E402

need_cli()

tap = Tap()
# The transfers between two clients carry a few hundred MiB; the rest 27 MiB.
BIG = 256 * 1024 * 1024 + 12345


def test_tessera_to_tessera(d):
    src, torrent = make_payload(d, big=BIG)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent)
    leecher = None
    try:
        seeder.wait_for("done", 60)
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done")
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        verified = [e["piece"] for e in leecher.events if e["event"] == "piece-verified"]
        pieces = json.loads(cli("show", "--json", torrent, check=True).stdout)["piece_count"]
        assert sorted(verified) == list(range(pieces)), "each piece verified exactly once"
        assert tree_digest(dst) == tree_digest(src)
    finally:
        seeder.stop()
        if leecher:
            leecher.stop()


def test_libtorrent_seeds_tessera(d):
    src, torrent = make_payload(d, big=BIG)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    session = lt_session()
    handle = lt_add(session, torrent, src)
    end = time.monotonic() + 60
    while not handle.status().is_seeding:
        assert time.monotonic() < end, "libtorrent did not finish checking its data"
        time.sleep(0.05)
    leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{session.listen_port()}", "--exit-when-done")
    try:
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
    finally:
        leecher.stop()
        session.remove_torrent(handle)


def test_tessera_seeds_libtorrent(d):
    src, torrent = make_payload(d, big=BIG)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent)
    session = lt_session()
    try:
        seeder.wait_for("done", 60)
        handle = lt_add(session, torrent, dst)
        handle.connect_peer(("127.0.0.1", seeder.port))
        end = time.monotonic() + DEADLINE
        while not handle.status().is_seeding:
            assert time.monotonic() < end, f"libtorrent stuck at {handle.status().progress:.2%}"
            if handle.status().num_peers == 0 and handle.status().state == lt.torrent_status.downloading:
                handle.connect_peer(("127.0.0.1", seeder.port))
            time.sleep(0.05)
        assert tree_digest(dst) == tree_digest(src)
        assert any(e["event"] == "peer-connected" for e in seeder.drain())
    finally:
        seeder.stop()


def tracker_swarm(d, scheme):
    src, _ = make_payload(d)
    root = os.path.join(src, "payload")
    probe = os.path.join(d, "probe.torrent")
    cli("create", "-q", "-p", "256k", "-o", probe, root, check=True)
    info_hash = json.loads(cli("show", "--json", probe, check=True).stdout)["info_hash"]
    tracker = OpenTracker(d, [info_hash])
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = leecher = None
    try:
        torrent = os.path.join(d, "tracked.torrent")
        url = f"{scheme}://127.0.0.1:{tracker.port}/announce"
        # The tracker URL is outside the info dictionary: same info hash.
        cli("create", "-q", "-p", "256k", "-t", url, "-o", torrent, root, check=True)
        seeder = Peer(src, torrent, tracker_flag=False)
        seeder.wait_for("done", 60)
        seeder.wait_for("tracker-reply", 30)
        # BEP 48 (HTTP) / BEP 15 (UDP) scrape, a few seconds after starting:
        # opentracker counts the seeder itself.
        scrape = seeder.wait_for("scrape", 30)
        assert scrape["url"] == url and scrape["seeders"] == 1 and scrape["leechers"] == 0, scrape
        leecher = Peer(dst, torrent, "--exit-when-done", tracker_flag=False)
        leecher.wait_for("tracker-reply", 30)
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
    finally:
        for peer in (seeder, leecher):
            if peer:
                peer.stop()
        tracker.stop()


def test_announce_command(d):
    """tessera-cli announce and announce --scrape against opentracker over
    HTTP and UDP: the seeder announcing there is in the peers and counted;
    a tracker that is not there fails with exit status 1 and a reason."""
    src, _ = make_payload(d)
    root = os.path.join(src, "payload")
    probe = os.path.join(d, "probe.torrent")
    cli("create", "-q", "-p", "256k", "-o", probe, root, check=True)
    info_hash = json.loads(cli("show", "--json", probe, check=True).stdout)["info_hash"]
    tracker = OpenTracker(d, [info_hash])
    seeder = None
    try:
        torrent = os.path.join(d, "tracked.torrent")
        url = f"http://127.0.0.1:{tracker.port}/announce"
        cli("create", "-q", "-p", "256k", "-t", url, "-o", torrent, root, check=True)
        seeder = Peer(src, torrent, tracker_flag=False)
        seeder.wait_for("done", 60)
        seeder.wait_for("tracker-reply", 30)
        for scheme in ("http", "udp"):
            tracker_url = f"{scheme}://127.0.0.1:{tracker.port}/announce"
            reply = json.loads(cli("announce", "--json", "--port", "7777", "--tracker", tracker_url, torrent,
                                   check=True).stdout)
            assert reply["tracker"] == tracker_url and reply["errors"] == [], reply
            assert reply["seeders"] >= 1 and reply["interval"] > 0, reply
            assert f"127.0.0.1:{seeder.port}" in reply["peers"], reply
            scrape = json.loads(cli("announce", "--json", "--scrape", "--tracker", tracker_url, torrent,
                                    check=True).stdout)
            assert scrape["seeders"] == 1 and scrape["leechers"] >= 1, scrape
        # Without --tracker: the torrent's own; plain text.
        text = cli("announce", "--event", "stopped", "--port", "7777", torrent, check=True).stdout.decode()
        assert "Seeders:" in text and url in text, text
        dead = cli("announce", "--timeout", "5", "--tracker", f"http://127.0.0.1:{free_port(__import__('socket').SOCK_STREAM)}/announce",
                   torrent)
        assert dead.returncode == 1 and dead.stderr, dead
    finally:
        if seeder:
            seeder.stop()
        tracker.stop()


def test_http_tracker_swarm(d):
    tracker_swarm(d, "http")


def test_udp_tracker_swarm(d):
    tracker_swarm(d, "udp")


def test_broken_trackers(d):
    """Garbage, silence and refusal from trackers: clear error events, and
    the download goes on with a direct peer."""
    import http.server
    import socket
    import threading as th

    class Garbage(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html>not a tracker</html>" if "garbage" in self.path else b"d14:failure reason7:go awaye"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Garbage)
    th.Thread(target=server.serve_forever, daemon=True).start()
    closed_udp = free_port(socket.SOCK_DGRAM)   # nothing listens: ICMP refuses at once
    src, _ = make_payload(d)
    root = os.path.join(src, "payload")
    torrent = os.path.join(d, "broken.torrent")
    http_base = f"http://127.0.0.1:{server.server_address[1]}"
    cli("create", "-q", "-p", "256k", "-t", f"{http_base}/garbage/announce", "-t", f"{http_base}/refuse/announce",
        "-t", f"udp://127.0.0.1:{closed_udp}/announce", "-o", torrent, root, check=True)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent)
    leecher = None
    try:
        seeder.wait_for("done", 60)
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done", tracker_flag=False)
        errors = []
        while True:
            event = leecher.wait_for_any(("tracker-error", "done"), DEADLINE)
            if event["event"] == "done":
                break
            errors.append(event["message"])
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
        leecher.drain()
        errors += [e["message"] for e in leecher.events if e["event"] == "tracker-error" and e["message"] not in errors]
        text = "\n".join(errors)
        assert "not a bencoded dictionary" in text and "go away" in text, text
    finally:
        server.shutdown()
        seeder.stop()
        if leecher:
            leecher.stop()


def resume_after(d, stop_signal):
    """Download from a rate-limited libtorrent seeder, stop the leecher with
    @stop_signal part way, start it again: no piece verified before the stop
    is fetched again, and the data ends correct."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    state = os.path.join(d, "state")
    os.mkdir(dst)
    pieces = json.loads(cli("show", "--json", torrent, check=True).stdout)["piece_count"]
    session = lt_session()
    session.apply_settings({"upload_rate_limit": 6 * 1024 * 1024})
    handle = lt_add(session, torrent, src)
    end = time.monotonic() + 60
    while not handle.status().is_seeding:
        assert time.monotonic() < end
        time.sleep(0.05)
    address = f"127.0.0.1:{session.listen_port()}"
    first = second = None
    try:
        first = Peer(dst, torrent, "--peer", address, state=state)
        verified = set()
        while len(verified) < pieces // 3:
            event = first.wait_for("piece-verified", DEADLINE)
            verified.add(event["piece"])
        first.process.send_signal(stop_signal)
        first.process.wait(timeout=30)
        if stop_signal == signal.SIGTERM:
            assert first.process.returncode == 0
        verified |= {e["piece"] for e in first.drain() if e["event"] == "piece-verified"}
        assert len(verified) < pieces, "stopped too late to test anything"

        second = Peer(dst, torrent, "--peer", address, "--exit-when-done", state=state)
        second.wait_for("done", DEADLINE)
        assert second.process.wait(timeout=30) == 0
        events = second.drain()
        again = {e["piece"] for e in events if e["event"] == "piece-verified"}
        start = [e for e in events if e["event"] in ("resumed", "checked")]
        assert start and start[0]["pieces"] >= len(verified), (start, len(verified))
        if stop_signal == signal.SIGTERM:
            assert start[0]["event"] == "resumed", "a clean stop leaves resume data that is trusted"
        assert not (again & verified), f"fetched again: {sorted(again & verified)}"
        assert len(again) + start[0]["pieces"] == pieces
        assert tree_digest(dst) == tree_digest(src)
    finally:
        for peer in (first, second):
            if peer:
                peer.stop()
        session.remove_torrent(handle)


def test_resume_after_sigterm(d):
    resume_after(d, signal.SIGTERM)


def test_resume_after_sigkill(d):
    resume_after(d, signal.SIGKILL)


def test_corrupt_peer_banned(d):
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    corrupt = HostilePeer(torrent, src, "corrupt")
    seeder = Peer(src, torrent)
    leecher = None
    try:
        seeder.wait_for("done", 60)
        bad = f"127.0.0.1:{corrupt.port}"
        leecher = Peer(dst, torrent, "--peer", bad, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done")
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        events = leecher.drain()
        failed = [e for e in events if e["event"] == "hash-failed"]
        banned = [e for e in events if e["event"] == "peer-banned"]
        assert failed, "the corrupt peer's pieces must fail their hash"
        assert banned and banned[0]["peer"] == bad, banned
        assert all(e["peer"] == bad for e in banned), "an honest peer was banned"
        # Convicted alone on a failed piece ("failed its hash check"), or
        # as the one sender missing from the good copy of a piece it shared
        # ("sent corrupt data"): which one depends on who sent what.
        assert "hash" in banned[0]["reason"] or "corrupt" in banned[0]["reason"], banned[0]
        assert banned[0]["seconds"] > 0, "a ban must end"
        # The ban is kept: the bad peer is never dialled again.
        dials = [e for e in events if e["event"] == "peer-dialing" and e["peer"] == bad]
        assert len(dials) == 1, dials
        assert tree_digest(dst) == tree_digest(src)
    finally:
        corrupt.stop()
        seeder.stop()
        if leecher:
            leecher.stop()


def aria2c(folder, torrent, port, seed):
    import shutil
    if shutil.which("aria2c") is None:
        raise AssertionError("aria2c is missing: install the Debian package aria2")
    args = ["aria2c", "-q", "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
            "--enable-peer-exchange=false", f"--listen-port={port}", "--bt-tracker-interval=1",
            "--allow-overwrite=true", "--file-allocation=none", "-d", folder]
    if seed:
        args += ["--seed-ratio=0.0", "--seed-time=1000", "--check-integrity=true", "--bt-seed-unverified=false"]
    else:
        args += ["--seed-time=0"]
    return subprocess.Popen(args + [torrent], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)




def aria2_swarm(d, aria2_seeds):
    """aria2c cannot be told a peer: both sides meet through opentracker."""
    src, _ = make_payload(d, big=BIG)
    root = os.path.join(src, "payload")
    probe = os.path.join(d, "probe.torrent")
    cli("create", "-q", "-p", "256k", "-o", probe, root, check=True)
    info_hash = json.loads(cli("show", "--json", probe, check=True).stdout)["info_hash"]
    tracker = OpenTracker(d, [info_hash])
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    torrent = os.path.join(d, "aria.torrent")
    cli("create", "-q", "-p", "256k", "-t", f"http://127.0.0.1:{tracker.port}/announce", "-o", torrent, root,
        check=True)
    other = peer = None
    try:
        if aria2_seeds:
            other = aria2c(src, torrent, free_port(__import__("socket").SOCK_STREAM), seed=True)
            time.sleep(2)   # let aria2c check its data and announce
            peer = Peer(dst, torrent, "--exit-when-done", tracker_flag=False)
            peer.wait_for("done", DEADLINE)
            assert peer.process.wait(timeout=30) == 0
        else:
            peer = Peer(src, torrent, tracker_flag=False)
            peer.wait_for("done", 60)
            peer.wait_for("tracker-reply", 30)
            other = aria2c(dst, torrent, free_port(__import__("socket").SOCK_STREAM), seed=False)
            try:
                status = other.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                raise AssertionError("aria2c did not finish downloading from Tessera")
            assert status == 0, other.stderr.read()
        assert tree_digest(dst) == tree_digest(src)
    finally:
        if other:
            stop_process(other)
        if peer:
            peer.stop()
        tracker.stop()


def test_seed_idle(d):
    """--seed-idle stops a seed that uploads nothing for that long (and the
    program ends, no torrent running); uploading keeps it going."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    idle = busy = leecher = None
    try:
        idle = Peer(src, torrent, "--seed-idle", "2")
        idle.wait_for("done", 60)
        started = time.monotonic()
        event = idle.wait_for("limit-reached", 30)
        assert event["limit"] == "seed-idle"
        assert time.monotonic() - started >= 1, "stopped before being idle"
        assert idle.process.wait(timeout=30) == 0
        # Held to 4 MiB/s, a 27 MiB upload takes seconds: never idle for 5.
        busy = Peer(src, torrent, "--seed-idle", "5", "--up-rate", "4m", state=os.path.join(d, "state-busy"))
        busy.wait_for("done", 60)
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{busy.port}", "--exit-when-done")
        leecher.wait_for("done", DEADLINE)
        assert not any(e["event"] == "limit-reached" for e in busy.drain()), "stopped while uploading"
        assert busy.wait_for("limit-reached", 30)["limit"] == "seed-idle"
    finally:
        for peer in (idle, busy, leecher):
            if peer:
                peer.stop()


def test_queue(d):
    """--max-active 1 with three torrents: they check and download one at
    a time, in order, and all finish."""
    src = os.path.join(d, "src")
    torrents = []
    for i in range(3):
        write(os.path.join(src, f"t{i}", "data.bin"), pseudo_random(3 * 1024 * 1024 + i, 40 + i))
        torrents.append(os.path.join(d, f"t{i}.torrent"))
        cli("create", "-q", "-p", "256k", "-o", torrents[i], os.path.join(src, f"t{i}"), check=True)
    hashes = [json.loads(cli("show", "--json", t, check=True).stdout)["info_hash"] for t in torrents]
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = leecher = None
    try:
        seeder = Peer(src, torrents[0], *torrents[1:])
        for _ in torrents:
            seeder.wait_for("done", 60)
        leecher = Peer(dst, torrents[0], "--max-active", "1", "--peer", f"127.0.0.1:{seeder.port}",
                       "--exit-when-done", *torrents[1:])
        assert leecher.process.wait(timeout=DEADLINE) == 0
        states = {}
        finished = []
        for event in leecher.drain():
            if event["event"] == "state":
                states[event["torrent"]] = event["state"]
                active = [h for h, s in states.items() if s in ("checking", "downloading")]
                assert len(active) <= 1, f"two torrents active at once: {states}"
            if event["event"] == "done":
                finished.append(event["torrent"])
        # Peer() puts its first torrent last on the command line.
        assert finished == hashes[1:] + hashes[:1], f"finished out of order: {finished}"
        for i in range(3):
            assert tree_digest(os.path.join(dst, f"t{i}")) == tree_digest(os.path.join(src, f"t{i}"))
    finally:
        for peer in (seeder, leecher):
            if peer:
                peer.stop()


def test_only_some_files(d):
    """--only fetches the files listed (and the pieces they share with
    others), says done, and leaves the rest alone."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    files = json.loads(cli("show", "--json", torrent, check=True).stdout)["files"]
    wanted = next(i for i, f in enumerate(files) if f["path"].endswith("mid.bin"))
    seeder = Peer(src, torrent)
    leecher = None
    try:
        seeder.wait_for("done", 60)
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done", "--only", str(wanted))
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        mine, theirs = tree_digest(dst), tree_digest(src)
        assert any(k.endswith("mid.bin") and mine[k] == theirs[k] for k in mine), sorted(mine)
        big = [k for k in theirs if k.endswith("big.bin")][0]
        assert mine.get(big) != theirs[big], "the skipped file was fetched whole"
        totals = [e for e in leecher.drain() if e["event"] == "totals"]
        assert totals and totals[0]["downloaded"] < files[wanted]["length"] + 4 * 256 * 1024, totals
    finally:
        seeder.stop()
        if leecher:
            leecher.stop()


def test_bad_file_list(d):
    """--only with a number past the last file is refused in one line."""
    _, torrent = make_payload(d)
    result = cli("peer", "-p", "0", "--no-tracker", "--state", os.path.join(d, "state"), "-d", d,
                 "--only", "0,9", torrent)
    assert result.returncode != 0
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "--only" in lines[0], lines


def test_sequential(d):
    """--sequential fetches pieces in order (a pipeline's worth ahead at
    most), where rarest-first with random first pieces would not."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent)
    leecher = None
    try:
        seeder.wait_for("done", 60)
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done", "--sequential")
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        verified = [e["piece"] for e in leecher.drain() if e["event"] == "piece-verified"]
        # 250 blocks in flight are 16 pieces of 256 KiB.
        ahead = max(piece - k for k, piece in enumerate(verified))
        assert ahead <= 20, f"a piece came {ahead} places early: {verified[:40]}"
        assert tree_digest(dst) == tree_digest(src)
    finally:
        seeder.stop()
        if leecher:
            leecher.stop()


def test_mixed_swarm(d):
    """One Tessera seeder, held to 8 MiB/s, and four leechers: two Tessera,
    libtorrent and aria2c, meeting through opentracker on a 67 MiB payload.
    Everyone ends with the right bytes, and the seeder sends under three of the four
    copies: the leechers traded pieces among themselves."""
    tracker = aria = session = None
    processes = []
    try:
        # The tracker's whitelist needs the info hash; the announce URL is
        # outside the info dictionary, so the tracked torrent has the same.
        src, probe = make_payload(d, big=64 * 1024 * 1024)
        info_hash = json.loads(cli("show", "--json", probe, check=True).stdout)["info_hash"]
        tracker = OpenTracker(d, [info_hash])
        torrent = os.path.join(d, "swarm.torrent")
        cli("create", "-q", "-p", "256k", "-t", f"http://127.0.0.1:{tracker.port}/announce", "-o", torrent,
            os.path.join(src, "payload"), check=True)
        size = sum(os.path.getsize(os.path.join(b, f)) for b, _, fs in os.walk(src) for f in fs)
        dsts = [os.path.join(d, f"dst{i}") for i in range(4)]
        for dst in dsts:
            os.mkdir(dst)

        seeder = Peer(src, torrent, "--up-rate", "8m", tracker_flag=False)
        processes.append(seeder)
        seeder.wait_for("done", 60)
        seeder.wait_for("tracker-reply", 30)
        tessera = [Peer(dst, torrent, "--exit-when-done", tracker_flag=False) for dst in dsts[:2]]
        processes.extend(tessera)
        session = lt_session()
        handle = lt_add(session, torrent, dsts[2])
        aria = aria2c(dsts[3], torrent, free_port(__import__("socket").SOCK_STREAM), seed=False)

        end = time.monotonic() + 2 * DEADLINE
        for peer in tessera:
            peer.wait_for("done", max(1, end - time.monotonic()))
        while not handle.status().is_seeding:
            assert time.monotonic() < end, f"libtorrent stuck at {handle.status().progress:.2%}"
            time.sleep(0.1)
        try:
            assert aria.wait(timeout=max(1, end - time.monotonic())) == 0, aria.stderr.read()
        except subprocess.TimeoutExpired:
            raise AssertionError("aria2c did not finish in the swarm")
        for dst in dsts:
            assert tree_digest(dst) == tree_digest(src), f"{dst} differs from the source"
        for peer in tessera:
            assert peer.process.wait(timeout=30) == 0
            connected = {e["peer"] for e in peer.drain() if e["event"] == "peer-connected"}
            assert len(connected) >= 2, f"a Tessera leecher met only {connected}"
        seeder.stop()
        totals = [e for e in seeder.drain() if e["event"] == "totals"]
        assert totals, "the seeder printed no totals"
        print(f"# the seeder sent {totals[0]['uploaded'] / size:.2f} copies")
        assert totals[0]["uploaded"] < 3 * size, \
            f"the seeder sent {totals[0]['uploaded'] / size:.2f} copies: the leechers did not share"
    finally:
        for peer in processes:
            peer.stop()
        if session is not None:
            session.pause()
        if aria:
            stop_process(aria)
        if tracker:
            tracker.stop()


def test_status_line_on_a_terminal(d):
    """Without --json-events on a terminal, peer keeps a live status line
    (bar, percentage, rates, peers, ETA) and prints events above it."""
    import pty
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent)
    process = None
    try:
        seeder.wait_for("done", 60)
        main, side = pty.openpty()
        # Held to 8 MiB/s: a few seconds, so that the line is redrawn.
        process = subprocess.Popen([os.environ["TESSERA_CLI"], "peer", "-d", dst, "-p", "0", "--no-tracker",
                                    "--state", os.path.join(d, "state"), "--down-rate", "8m", "--exit-when-done",
                                    "--peer", f"127.0.0.1:{seeder.port}", torrent],
                                   stdin=subprocess.DEVNULL, stdout=side, stderr=subprocess.PIPE)
        os.close(side)
        text = read_terminal(main, DEADLINE)
        assert process.wait(timeout=30) == 0, process.stderr.read()
        redraws = text.split("\r")
        lines = [r for r in redraws if r.startswith("[")]
        assert len(lines) >= 3, f"the status line was drawn {len(lines)} times: {text!r}"
        assert any("ETA" in line and "down" in line and "1 peer" in line for line in lines), lines
        assert "100%" in lines[-1], lines[-1]
        assert "Connected to 127.0.0.1:" in text and "downloaded" in text, text
        assert "{" not in text, "no JSON on a terminal"
        assert tree_digest(dst) == tree_digest(src)
    finally:
        if process is not None:
            stop_process(process)
            process.stderr.close()
        seeder.stop()


def test_magnets_with_aria2(d):
    """Magnet links (BEP 9) with aria2c, met through opentracker: aria2c
    fetches the metadata and the data from a Tessera seeder, then Tessera
    fetches both from an aria2c seeder."""
    src, _ = make_payload(d)
    root = os.path.join(src, "payload")
    probe = os.path.join(d, "probe.torrent")
    cli("create", "-q", "-p", "256k", "-o", probe, root, check=True)
    info_hash = json.loads(cli("show", "--json", probe, check=True).stdout)["info_hash"]
    tracker = OpenTracker(d, [info_hash])
    url = f"http://127.0.0.1:{tracker.port}/announce"
    torrent = os.path.join(d, "aria.torrent")
    cli("create", "-q", "-p", "256k", "-t", url, "-o", torrent, root, check=True)
    magnet = f"magnet:?xt=urn:btih:{info_hash}&dn=payload&tr={url}"
    other = peer = None
    try:
        peer = Peer(src, torrent, tracker_flag=False)
        peer.wait_for("done", 60)
        peer.wait_for("tracker-reply", 30)
        dst = os.path.join(d, "aria-dst")
        os.mkdir(dst)
        other = aria2c(dst, magnet, free_port(__import__("socket").SOCK_STREAM), seed=False)
        try:
            status = other.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            raise AssertionError("aria2c did not finish a magnet download from Tessera")
        assert status == 0, other.stderr.read()
        assert tree_digest(os.path.join(dst, "payload")) == tree_digest(root)
        peer.stop()
        peer = None

        other = aria2c(src, torrent, free_port(__import__("socket").SOCK_STREAM), seed=True)
        time.sleep(2)   # let aria2c check its data and announce
        dst = os.path.join(d, "tessera-dst")
        os.mkdir(dst)
        peer = Peer(dst, magnet, "--exit-when-done", tracker_flag=False)
        peer.wait_for("metadata", 60)
        peer.wait_for("done", DEADLINE)
        assert peer.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
    finally:
        if peer:
            peer.stop()
        if other:
            stop_process(other)
        tracker.stop()


def test_aria2_seeds_tessera(d):
    aria2_swarm(d, True)


def test_tessera_seeds_aria2(d):
    aria2_swarm(d, False)


def test_stopped_announced_at_sigterm(d):
    """SIGTERM announces "stopped" before the process exits."""
    import http.server
    import threading as th
    seen = []

    class Tracker(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            body = b"d8:intervali1800e5:peers0:e"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Tracker)
    th.Thread(target=server.serve_forever, daemon=True).start()
    src, _ = make_payload(d)
    torrent = os.path.join(d, "t.torrent")
    cli("create", "-q", "-p", "256k", "-t", f"http://127.0.0.1:{server.server_address[1]}/announce", "-o",
        torrent, os.path.join(src, "payload"), check=True)
    seeder = Peer(src, torrent, tracker_flag=False)
    try:
        seeder.wait_for("tracker-reply", 30)
        seeder.process.send_signal(signal.SIGTERM)
        assert seeder.process.wait(timeout=30) == 0
        assert any("event=started" in path for path in seen), seen
        assert "event=stopped" in seen[-1], seen
    finally:
        server.shutdown()
        seeder.stop()


def timed_download(d, seeder_args, leecher_args):
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = Peer(src, torrent, *seeder_args)
    leecher = None
    try:
        seeder.wait_for("done", 60)
        start = time.monotonic()
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done", *leecher_args)
        leecher.wait_for("done", DEADLINE)
        elapsed = time.monotonic() - start
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
        return elapsed, sum(os.path.getsize(os.path.join(b, f)) for b, _, fs in os.walk(src) for f in fs)
    finally:
        seeder.stop()
        if leecher:
            leecher.stop()


def test_upload_rate_limit(d):
    # Not a speed target: a limit must hold (with a margin for the first burst).
    elapsed, size = timed_download(d, ["--up-rate", "8m"], [])
    assert elapsed >= 0.7 * size / (8 << 20), f"{size} bytes in {elapsed:.2f} s beat an 8 MiB/s limit"


def test_download_rate_limit(d):
    elapsed, size = timed_download(d, [], ["--down-rate", "8m"])
    assert elapsed >= 0.7 * size / (8 << 20), f"{size} bytes in {elapsed:.2f} s beat an 8 MiB/s limit"


def test_down_total(d):
    src, torrent = make_payload(d)
    part = os.path.join(d, "part")
    os.mkdir(part)
    pieces = json.loads(cli("show", "--json", torrent, check=True).stdout)["piece_count"]
    seeder = Peer(src, torrent)
    partial = None
    try:
        seeder.wait_for("done", 60)
        partial = Peer(part, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--down-total", "4m")
        event = partial.wait_for("limit-reached", DEADLINE)
        assert event["limit"] == "down-total"
        assert partial.process.wait(timeout=30) == 0
        got = [e for e in partial.drain() if e["event"] == "piece-verified"]
        assert 0 < len(got) < pieces // 2, f"{len(got)} of {pieces} pieces after a 4 MiB limit"
    finally:
        seeder.stop()
        if partial:
            partial.stop()


def test_seed_ratio(d):
    """A seeder with --seed-ratio 0.3 stops and exits once it has uploaded
    30% of the size; the leecher finishes from a second, slower seeder."""
    src, torrent = make_payload(d)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    limited = Peer(src, torrent, "--seed-ratio", "0.3", state=os.path.join(d, "state-a"))
    slow = Peer(src, torrent, "--up-rate", "4m", state=os.path.join(d, "state-b"))
    leecher = None
    try:
        limited.wait_for("done", 60)
        slow.wait_for("done", 60)
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{limited.port}", "--peer", f"127.0.0.1:{slow.port}",
                       "--exit-when-done")
        event = limited.wait_for("limit-reached", DEADLINE)
        assert event["limit"] == "seed-ratio"
        assert limited.process.wait(timeout=30) == 0
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
    finally:
        for peer in (limited, slow, leecher):
            if peer:
                peer.stop()


tap.run_all(globals())
