#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tessera and transmission-daemon exchanging a torrent both ways, over
TCP, and over uTP (BEP 29) with TCP blocked by nftables in Transmission's
namespace (Transmission 3.00 cannot turn TCP off) and Tessera --no-tcp.

Transmission 3.00 refuses peers on 127.0.0.0/8, so it runs in a network
namespace this test makes, joined to the host by a veth pair with
addresses the test sets (10.77.N.1 on the host, 10.77.N.2 inside); both
sides meet through opentracker bound to the host side. Only those
addresses are used. Everything is torn down by PID and by name, also when
the test fails. Needs root (CI runs as root)."""

import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrpeers import Peer, make_payload, stop_process, tree_digest  # noqa: E402
from tsrtest import CLI, Tap, cli, need_cli, need_tool, run  # noqa: E402
from tsrnet import Namespace  # noqa: E402

need_cli()
need_tool("transmission-daemon", "transmission-daemon")
need_tool("transmission-remote", "transmission-cli")
need_tool("opentracker", "opentracker")
need_tool("ip", "iproute2")
need_tool("nft", "nftables")
if os.geteuid() != 0:
    print("Bail out! this test makes network namespaces and needs root (CI runs as root)")
    sys.exit(1)

tap = Tap()
DEADLINE = int(os.environ.get("TSR_DEADLINE", "180"))


class Transmission:
    def __init__(self, ns, d, download, encryption=1, utp=False):
        self.config = os.path.join(d, "transmission")
        os.makedirs(self.config, exist_ok=True)
        self.rpc = f"{ns.ns_ip}:9091"
        settings = {
            "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": utp,
            "port-forwarding-enabled": False, "rpc-authentication-required": False,
            "rpc-whitelist-enabled": False, "rpc-host-whitelist-enabled": False,
            "rpc-bind-address": ns.ns_ip, "rpc-port": 9091, "peer-port": 51413,
            "bind-address-ipv4": ns.ns_ip, "download-dir": download, "incomplete-dir-enabled": False,
            "start-added-torrents": True, "speed-limit-up-enabled": False, "speed-limit-down-enabled": False,
            "encryption": encryption,   # 0 allowed, 1 preferred (its default), 2 required
        }
        with open(os.path.join(self.config, "settings.json"), "w") as f:
            json.dump(settings, f)
        self.process = subprocess.Popen(["ip", "netns", "exec", ns.name, "transmission-daemon", "-f",
                                         "-g", self.config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        end = time.monotonic() + 30
        while run(["transmission-remote", self.rpc, "-l"], timeout=10).returncode != 0:
            assert time.monotonic() < end, "transmission-daemon did not start"
            assert self.process.poll() is None, "transmission-daemon exited"
            time.sleep(0.3)

    def remote(self, *args):
        return run(["transmission-remote", self.rpc, *args], timeout=30, check=True).stdout.decode()

    def done(self):
        # Transmission says "Idle", not "Seeding", when no peer is connected.
        info = self.remote("-t", "1", "-i")
        return "Percent Done: 100%" in info and "Verifying" not in info

    def stop(self):
        stop_process(self.process)


def exchange(d, transmission_seeds, magnet=False, tracker_kind="opentracker", scheme="http", encrypted=False):
    """@magnet: the leecher is given a magnet link (BEP 9), not the file.
    @tracker_kind: "opentracker", or "tessera" (tessera-cli tracker, over
    @scheme). @encrypted: both sides require MSE with RC4, and Tessera's
    connection says it is encrypted."""
    src, _ = make_payload(d, big=(24 if magnet else 256) * 1024 * 1024 + 12345)
    root = os.path.join(src, "payload")
    os.chmod(d, 0o755)
    ns = Namespace()
    tracker = transmission = peer = None
    mse = ["--encryption", "require"] if encrypted else []
    try:
        probe = os.path.join(d, "probe.torrent")
        cli("create", "-q", "-p", "256k", "-o", probe, root, check=True)
        info_hash = json.loads(cli("show", "--json", probe, check=True).stdout)["info_hash"]
        whitelist = os.path.join(d, "whitelist")
        with open(whitelist, "w") as f:
            f.write(info_hash + "\n")
        os.chmod(whitelist, 0o644)
        port = random.randint(20000, 30000)
        if tracker_kind == "tessera":
            tracker = subprocess.Popen([CLI, "tracker", "--listen", f"{ns.host_ip}:{port}", "--whitelist", whitelist],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            tracker = subprocess.Popen(["opentracker", "-i", ns.host_ip, "-p", str(port), "-P", str(port),
                                        "-w", whitelist], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        torrent = os.path.join(d, "t.torrent")
        cli("create", "-q", "-p", "256k", "-t", f"{scheme}://{ns.host_ip}:{port}/announce", "-o", torrent, root,
            check=True)
        os.chmod(torrent, 0o644)
        link = f"magnet:?xt=urn:btih:{info_hash}&dn=payload&tr={scheme}://{ns.host_ip}:{port}/announce"
        dst = os.path.join(d, "dst")
        os.makedirs(dst, mode=0o777)
        if transmission_seeds:
            transmission = Transmission(ns, d, src, encryption=2 if encrypted else 1)
            transmission.remote("-a", torrent)
            end = time.monotonic() + 60
            while not transmission.done():
                assert time.monotonic() < end, "transmission did not verify its data"
                time.sleep(0.5)
            peer = Peer(dst, link if magnet else torrent, "--exit-when-done", *mse, tracker_flag=False,
                        bind=ns.host_ip)
            if magnet:
                peer.wait_for("metadata", 60)
            peer.wait_for("done", DEADLINE)
            assert peer.process.wait(timeout=30) == 0
        else:
            peer = Peer(src, torrent, *mse, tracker_flag=False, bind=ns.host_ip)
            peer.wait_for("done", 60)
            peer.wait_for("tracker-reply", 30)
            transmission = Transmission(ns, d, dst, encryption=2 if encrypted else 1)
            transmission.remote("-a", link if magnet else torrent)
            end = time.monotonic() + DEADLINE
            while not transmission.done():
                assert time.monotonic() < end, "transmission did not finish: " + transmission.remote("-t", "1", "-i")
                time.sleep(0.5)
        if encrypted:
            connected = [e for e in peer.drain() if e["event"] == "peer-connected"]
            assert connected and all(e["encrypted"] for e in connected), connected
        ours, theirs = tree_digest(src), tree_digest(dst)
        if not transmission_seeds:
            # Transmission 3.00 does not create zero-length files.
            empty = {path for path in ours if os.path.getsize(os.path.join(src, path)) == 0}
            ours = {k: v for k, v in ours.items() if k not in empty}
        assert theirs == ours, (sorted(set(ours) ^ set(theirs)), [k for k in ours if ours[k] != theirs.get(k)])
    finally:
        if peer:
            peer.stop()
        if transmission:
            transmission.stop()
        if tracker:
            stop_process(tracker)
        ns.cleanup()



# Inside Transmission's namespace every TCP segment is refused but the
# RPC's: peers can only meet over uTP. The counters tell what was tried.
BLOCK_TCP = """
table inet tsrutp {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 9091 accept
    meta l4proto tcp counter reject with tcp reset
  }
  chain output {
    type filter hook output priority 0; policy accept;
    tcp sport 9091 accept
    meta l4proto tcp counter reject with tcp reset
  }
}
"""


def exchange_utp(d, transmission_seeds):
    """Over uTP only: Tessera runs with --no-tcp, Transmission with uTP on
    and its TCP refused by nftables; they meet through a UDP tracker, and
    the leecher dials. The payload is small: Transmission's uTP is slow
    here."""
    src, _ = make_payload(d, big=1024 * 1024 + 12345)
    root = os.path.join(src, "payload")
    os.chmod(d, 0o755)
    ns = Namespace()
    tracker = transmission = peer = None
    try:
        rules = os.path.join(d, "block-tcp.nft")
        with open(rules, "w") as f:
            f.write(BLOCK_TCP)
        run(["ip", "netns", "exec", ns.name, "nft", "-f", rules], check=True)
        probe = os.path.join(d, "probe.torrent")
        cli("create", "-q", "-p", "256k", "-o", probe, root, check=True)
        info_hash = json.loads(cli("show", "--json", probe, check=True).stdout)["info_hash"]
        whitelist = os.path.join(d, "whitelist")
        with open(whitelist, "w") as f:
            f.write(info_hash + "\n")
        os.chmod(whitelist, 0o644)
        port = random.randint(20000, 30000)
        tracker = subprocess.Popen(["opentracker", "-i", ns.host_ip, "-p", str(port), "-P", str(port),
                                    "-w", whitelist], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        torrent = os.path.join(d, "t.torrent")
        cli("create", "-q", "-p", "256k", "-t", f"udp://{ns.host_ip}:{port}/announce", "-o", torrent, root,
            check=True)
        os.chmod(torrent, 0o644)
        dst = os.path.join(d, "dst")
        os.makedirs(dst, mode=0o777)
        # Encryption as Tessera's default: Transmission dials with MSE, and
        # after a refusal reconnects in plaintext over TCP only.
        tessera = ["--no-tcp", "--encryption", "prefer"]
        # The leecher joins second, so that the tracker's first answer to it
        # names the seeder: a seed dials only the peers it was given, and
        # Transmission announces again only after the tracker's interval.
        if transmission_seeds:
            transmission = Transmission(ns, d, src, utp=True)
            transmission.remote("-a", torrent)
            end = time.monotonic() + 60
            while not transmission.done() or "Got a list of" not in transmission.remote("-t", "1", "-it"):
                assert time.monotonic() < end, "transmission did not announce: " + transmission.remote("-t", "1", "-it")
                time.sleep(0.5)
            peer = Peer(dst, torrent, *tessera, "--exit-when-done", tracker_flag=False, bind=ns.host_ip)
            peer.wait_for("done", DEADLINE)
            assert peer.process.wait(timeout=30) == 0
        else:
            peer = Peer(src, torrent, *tessera, tracker_flag=False, bind=ns.host_ip)
            peer.wait_for("done", 60)
            peer.wait_for("tracker-reply", 30)
            transmission = Transmission(ns, d, dst, utp=True)
            transmission.remote("-a", torrent)
            end = time.monotonic() + DEADLINE
            while not transmission.done():
                assert time.monotonic() < end, \
                    (f"transmission did not finish: {transmission.remote('-t', '1', '-i')}; Tessera's events: "
                     f"{[e for e in peer.drain() if e['event'] != 'piece-verified'][-20:]}")
                time.sleep(0.5)
        connected = [e for e in peer.drain() if e["event"] == "peer-connected"]
        assert connected and all(e["transport"] == "utp" for e in connected), connected
        counters = run(["ip", "netns", "exec", ns.name, "nft", "list", "table", "inet", "tsrutp"], check=True)
        print(f"# TCP refused in Transmission's namespace: "
              f"{' / '.join(line.strip() for line in counters.stdout.decode().splitlines() if 'counter' in line)}")
        ours, theirs = tree_digest(src), tree_digest(dst)
        if not transmission_seeds:
            empty = {path for path in ours if os.path.getsize(os.path.join(src, path)) == 0}
            ours = {k: v for k, v in ours.items() if k not in empty}
        assert theirs == ours, (sorted(set(ours) ^ set(theirs)), [k for k in ours if ours[k] != theirs.get(k)])
    finally:
        if peer:
            peer.stop()
        if transmission:
            transmission.stop()
        if tracker:
            stop_process(tracker)
        ns.cleanup()


def test_utp_transmission_seeds_tessera(d):
    exchange_utp(d, True)


def test_utp_tessera_seeds_transmission(d):
    exchange_utp(d, False)


def test_transmission_seeds_tessera(d):
    exchange(d, True)


def test_tessera_seeds_transmission(d):
    exchange(d, False)


def test_magnet_from_transmission(d):
    exchange(d, True, magnet=True)


def test_magnet_to_transmission(d):
    exchange(d, False, magnet=True)


def test_encrypted_transmission_seeds_tessera(d):
    """MSE with RC4 required on both sides (Transmission's encryption 2)."""
    exchange(d, True, encrypted=True)


def test_encrypted_tessera_seeds_transmission(d):
    exchange(d, False, encrypted=True)


def test_through_tessera_tracker_http(d):
    """transmission-daemon and Tessera meet through tessera-cli tracker."""
    exchange(d, True, magnet=True, tracker_kind="tessera", scheme="http")


def test_through_tessera_tracker_udp(d):
    exchange(d, False, magnet=True, tracker_kind="tessera", scheme="udp")


def test_tessera_tracker_refusal(d):
    """transmission-daemon hears tessera-cli tracker's whitelist refusal,
    with its reason, over HTTP and over UDP."""
    src, torrent = make_payload(d, big=1024 * 1024)
    os.chmod(d, 0o755)
    ns = Namespace()
    tracker = transmission = None
    try:
        whitelist = os.path.join(d, "whitelist")
        with open(whitelist, "w") as f:
            f.write("00" * 20 + "\n")
        os.chmod(whitelist, 0o644)
        port = random.randint(20000, 30000)
        tracker = subprocess.Popen([CLI, "tracker", "--listen", f"{ns.host_ip}:{port}", "--whitelist", whitelist],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        dst = os.path.join(d, "dst")
        os.makedirs(dst, mode=0o777)
        transmission = Transmission(ns, d, dst)
        for number, scheme in enumerate(("http", "udp"), start=1):
            refused = os.path.join(d, f"{scheme}.torrent")
            # Another piece size each: another info hash, another torrent.
            cli("create", "-q", "-p", f"{128 * number}k", "-t", f"{scheme}://{ns.host_ip}:{port}/announce",
                "-o", refused, os.path.join(src, "payload"), check=True)
            os.chmod(refused, 0o644)
            transmission.remote("-a", refused)
            end = time.monotonic() + 60
            while True:
                trackers = transmission.remote("-t", str(number), "-it")
                if "This torrent is not served by this tracker" in trackers:
                    break
                assert time.monotonic() < end, f"transmission did not hear the refusal over {scheme}: {trackers}"
                time.sleep(0.5)
    finally:
        if transmission:
            transmission.stop()
        if tracker:
            stop_process(tracker)
        ns.cleanup()


tap.run_all(globals())
