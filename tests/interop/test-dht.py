#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A DHT of our own on 127.0.0.1 (no outside router is ever asked): 18
`tessera-cli dht` nodes, a Tessera seeder and leecher with --dht and
python3-libtorrent sessions with their DHT on, all bootstrapped from one
another. A magnet link with no tracker is found and downloaded through
it, by Tessera and by libtorrent; Tessera's nodes answer libtorrent's
get_peers and keep its announce_peer. Every process is stopped by PID,
also on failure."""

import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import CLI, Tap, cli, need_cli  # noqa: E402
from tsrpeers import DEADLINE, Peer, make_payload, stop_process, tree_digest  # noqa: E402
from tsrlt import lt, lt_session  # noqa: E402

need_cli()
tap = Tap()
NODES = 18


class Node:
    """`tessera-cli dht` on 127.0.0.1 (or @host)."""

    def __init__(self, d, bootstrap, host="127.0.0.1"):
        self.process = subprocess.Popen([CLI, "dht", "--json", "--bind", host, "--bootstrap", bootstrap,
                                         "--state", os.path.join(d, f"dht-{time.monotonic_ns()}.dat")],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.process.stdout.readline()
        assert line, f"a DHT node did not start: {self.process.stderr.read1(4096)}"
        self.port = json.loads(line)["port"]

    def stop(self):
        stop_process(self.process)


def lookup(info_hash, bootstrap, timeout=20, host="127.0.0.1", announce=0):
    result = subprocess.run([CLI, "dht", "--json", "--bind", host, "--bootstrap", bootstrap,
                             "--lookup", info_hash, "--timeout", str(timeout), "--announce", str(announce)],
                            capture_output=True, timeout=timeout + 30)
    return json.loads(result.stdout.splitlines()[-1])


def lt_dht_session(bootstrap):
    return lt_session(enable_dht=True, dht_bootstrap_nodes=bootstrap, dht_restrict_routing_ips=False,
                      dht_restrict_search_ips=False, dht_prefer_verified_node_ids=False,
                      dht_aggressive_lookups=True, alert_mask=0)


def test_magnet_without_tracker(d):
    src, torrent = make_payload(d, big=4 * 1024 * 1024)
    info_hash = json.loads(cli("show", "--json", torrent, check=True).stdout)["info_hash"]
    magnet = f"magnet:?xt=urn:btih:{info_hash}&dn=payload"
    nodes, peers = [], []
    session = None
    try:
        nodes.append(Node(d, "127.0.0.1:9"))   # the first knows nobody (port 9: discard, nothing answers)
        first = f"127.0.0.1:{nodes[0].port}"
        for _ in range(NODES - 1):
            nodes.append(Node(d, first))
        time.sleep(3)
        seeder = Peer(src, torrent, "--dht", "--dht-bootstrap", first)
        peers.append(seeder)
        seeder.wait_for("done", 60)
        # The seeder announces itself to the nodes closest to the hash.
        end = time.monotonic() + 60
        while True:
            found = lookup(info_hash, first)
            if f"127.0.0.1:{seeder.port}" in found["peers"]:
                break
            assert time.monotonic() < end, f"the seeder never became findable: {found}"
            time.sleep(2)
        assert found["answered"] >= 5, found

        # Tessera: a magnet with no tracker, resolved through the DHT.
        dst = os.path.join(d, "dst")
        os.mkdir(dst)
        leecher = Peer(dst, magnet, "--dht", "--dht-bootstrap", first, "--exit-when-done")
        peers.append(leecher)
        leecher.wait_for("metadata", 90)
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src)
        assert any(e["event"] == "peer-connected" and e["peer"] == f"127.0.0.1:{seeder.port}"
                   for e in leecher.events), "the leecher never met the seeder"

        # libtorrent joins through one of our nodes, finds the seeder by
        # get_peers to Tessera nodes and downloads the magnet.
        session = lt_dht_session(f"127.0.0.1:{nodes[3].port}")
        params = lt.parse_magnet_uri(magnet)
        params.save_path = os.path.join(d, "lt")
        handle = session.add_torrent(params)
        end = time.monotonic() + DEADLINE
        while not handle.status().is_seeding:
            status = handle.status()
            assert time.monotonic() < end, \
                f"libtorrent stuck: metadata {status.has_metadata}, {status.progress:.2%}, peers {status.num_peers}"
            time.sleep(0.5)
        assert tree_digest(os.path.join(d, "lt")) == tree_digest(src)
        # libtorrent announced itself: our nodes hand out its port now.
        lt_port = session.listen_port()
        end = time.monotonic() + 90
        while True:
            found = lookup(info_hash, first)
            if f"127.0.0.1:{lt_port}" in found["peers"]:
                break
            assert time.monotonic() < end, f"libtorrent's announce_peer never reached our nodes: {found}"
            session.post_dht_stats()
            handle.force_dht_announce()
            time.sleep(3)
    finally:
        for peer in peers:
            peer.stop()
        for node in nodes:
            node.stop()
        if session is not None:
            del session


def test_state_keeps_id(d):
    """A node's id and table survive a restart through --state."""
    state = os.path.join(d, "node.dat")
    first = Node(d, "127.0.0.1:9")
    try:
        other = subprocess.Popen([CLI, "dht", "--json", "--bind", "127.0.0.1", "--bootstrap",
                                  f"127.0.0.1:{first.port}", "--state", state],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        before = json.loads(other.stdout.readline())
        time.sleep(3)
        stop_process(other)
        assert os.path.getsize(state) > 0
        again = subprocess.Popen([CLI, "dht", "--json", "--bind", "127.0.0.1", "--bootstrap", "127.0.0.1:9",
                                  "--state", state], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        after = json.loads(again.stdout.readline())
        stop_process(again)
        assert after["id"] == before["id"], (before, after)
        with open(state, "wb") as f:
            f.write(b"garbage")
        damaged = subprocess.Popen([CLI, "dht", "--json", "--bind", "127.0.0.1", "--bootstrap", "127.0.0.1:9",
                                    "--state", state], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        fresh = json.loads(damaged.stdout.readline())
        stop_process(damaged)
        assert fresh["id"] != before["id"]
        assert b"starts afresh" in damaged.stderr.read(), "a damaged state file was not reported"
    finally:
        first.stop()


def test_ipv6(d):
    """BEP 32: nodes on ::1 only; an announce over IPv6 is found over IPv6."""
    nodes = []
    try:
        nodes.append(Node(d, "[::1]:9", host="::1"))
        first = f"[::1]:{nodes[0].port}"
        for _ in range(5):
            nodes.append(Node(d, first, host="::1"))
        time.sleep(2)
        info_hash = "ab" * 20
        announced = lookup(info_hash, first, host="::1", announce=7777)
        assert announced["done"] and announced["answered"] >= 3, announced
        found = lookup(info_hash, first, host="::1")
        assert "[::1]:7777" in found["peers"], found
    finally:
        for node in nodes:
            node.stop()


def test_private_never_announced(d):
    """BEP 27: a private torrent's seeder with --dht never announces it
    (nor says it runs a node), while a public one's does."""
    src, _ = make_payload(d, big=1024 * 1024)
    private = os.path.join(d, "private.torrent")
    cli("create", "-q", "-p", "64k", "--private", "-o", private, os.path.join(src, "payload"), check=True)
    info_hash = json.loads(cli("show", "--json", private, check=True).stdout)["info_hash"]
    nodes, peers = [], []
    try:
        nodes.append(Node(d, "127.0.0.1:9"))
        first = f"127.0.0.1:{nodes[0].port}"
        for _ in range(7):
            nodes.append(Node(d, first))
        seeder = Peer(src, private, "--dht", "--dht-bootstrap", first)
        peers.append(seeder)
        seeder.wait_for("done", 60)
        time.sleep(8)
        found = lookup(info_hash, first, timeout=10)
        assert found["done"] and found["peers"] == [], found
    finally:
        for peer in peers:
            peer.stop()
        for node in nodes:
            node.stop()


def test_query_rate_limit(d):
    """Queries from one sender beyond TSR_DHT_QUERY_RATE (20) a second go
    unanswered; the node keeps answering afterwards."""
    node = Node(d, "127.0.0.1:9")
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(1)
            for t in range(60):
                s.sendto(b"d1:ad2:id20:" + bytes(20) + b"e1:q4:ping1:t2:" + t.to_bytes(2, "big") + b"1:y1:qe",
                         ("127.0.0.1", node.port))
            answers = 0
            try:
                while True:
                    s.recv(2048)
                    answers += 1
            except socket.timeout:
                pass
            # One second's budget, two at most if the burst straddled a second.
            assert 1 <= answers <= 40, answers
            time.sleep(1.1)
            s.sendto(b"d1:ad2:id20:" + bytes(20) + b"e1:q4:ping1:t2:zz1:y1:qe", ("127.0.0.1", node.port))
            reply = s.recv(2048)
            assert b"1:t2:zz" in reply and b"1:y1:r" in reply, reply
    finally:
        node.stop()


tap.run_all(globals())
