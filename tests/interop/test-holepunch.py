#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""BEP 55 hole punching for real: two Tessera peers, each behind its own
NAT router (nftables masquerade, no port forwarded, unsolicited packets
from outside dropped), meet only through a relay on the "public" side
that both are connected to, and exchange the data directly.

    home-a (10.77.C.2) -- router-a -- public (relay) -- router-b -- home-b (10.77.D.2)
                     10.77.C.1   10.77.A.2   10.77.A.1 / 10.77.B.1   10.77.B.2   10.77.D.1

The NATed seed is in home-b, the NATed leech in home-a; the relay is a
peer of the same torrent that cannot give the leech data: libtorrent in
upload mode (it never downloads a piece), or Tessera wanting only an
empty file (it never asks for a piece). So the data the leech verifies came from the seed, over
the hole the two punched. Checked too: the leech's first dial of the
seed fails (nothing is forwarded), it asks the relay for a rendezvous,
both get a connect, and the connection that carries the data is uTP to
the seed's NAT address. Relays: Tessera, and libtorrent (ut_holepunch
built in). And a libtorrent seed behind the NAT meeting a Tessera leech
through a Tessera relay (the leech initiates; libtorrent runs without
ut_pex: with it, it dials the leech on its own and walks through the hole
the leech's failed dial left, so which side punched could not be told);
and a NATed libtorrent leech that learns of a NATed Tessera seed from the
relay's peer exchange and initiates. Every process is stopped by PID and every namespace deleted,
also on failure. Needs root (CI runs as root)."""

import atexit
import os
import random
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrpeers import Peer, make_payload, stop_process, tree_digest  # noqa: E402
from tsrtest import Tap, need_cli, need_tool  # noqa: E402

need_cli()
need_tool("ip", "iproute2")
need_tool("nft", "nftables")
if os.geteuid() != 0:
    print("Bail out! this test makes network namespaces and needs root (CI runs as root)")
    sys.exit(1)

tap = Tap()
DEADLINE = int(os.environ.get("TSR_DEADLINE", "150"))
SMALL = 13 * 1024 * 1024 + 4321   # with make_payload's 3 MiB more: about 16 MiB


def sh(*command):
    result = subprocess.run(command, capture_output=True, text=True, timeout=20)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {result.stderr.strip()}")
    return result.stdout


class NatWorld:
    """Five namespaces: public, router-a, router-b, home-a, home-b, joined
    by veth pairs on four /24s of 10.77.0.0/16 that no interface of this
    host uses. Nothing is joined to the host. Deleted by name."""

    def __init__(self):
        tag = os.getpid() % 10000
        self.ns = {role: f"tsrhp-{role}-{tag}" for role in ("pub", "rta", "rtb", "ha", "hb")}
        used = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True, timeout=20).stdout
        free = [n for n in range(2, 251) if f" 10.77.{n}." not in used]
        if len(free) < 4:
            raise RuntimeError("no four free 10.77.N.0/24 for the namespaces")
        a, b, c, d = random.sample(free, 4)
        self.relay_a, self.wan_a = f"10.77.{a}.1", f"10.77.{a}.2"
        self.relay_b, self.wan_b = f"10.77.{b}.1", f"10.77.{b}.2"
        self.lan_a, self.home_a = f"10.77.{c}.1", f"10.77.{c}.2"
        self.lan_b, self.home_b = f"10.77.{d}.1", f"10.77.{d}.2"
        self.cleanup()
        atexit.register(self.cleanup)
        try:
            self._build(tag)
        except Exception:
            self.cleanup()
            raise

    def exec_prefix(self, role):
        return ["ip", "netns", "exec", self.ns[role]]

    def _link(self, left, left_ip, right, right_ip, name):
        sh("ip", "link", "add", f"{name}l", "netns", self.ns[left], "type", "veth", "peer", "name", f"{name}r",
           "netns", self.ns[right])
        for role, ifname, ip in ((left, f"{name}l", left_ip), (right, f"{name}r", right_ip)):
            sh(*self.exec_prefix(role), "ip", "addr", "add", f"{ip}/24", "dev", ifname)
            sh(*self.exec_prefix(role), "ip", "link", "set", ifname, "up")

    def _router(self, role, wan_if, relay_ip):
        ns = self.exec_prefix(role)
        sh(*ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        sh(*ns, "ip", "route", "add", "default", "via", relay_ip)
        # A home router: masquerade out of the WAN, no port forwarded, and
        # nothing from outside but replies (dropped silently, no ICMP).
        rules = f"""
table ip tsrnat {{
  chain nat_out {{
    type nat hook postrouting priority 100;
    oifname "{wan_if}" masquerade
  }}
  chain wan_forward {{
    type filter hook forward priority 0; policy accept;
    ct state established,related accept
    iifname "{wan_if}" drop
  }}
  chain wan_input {{
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    iifname "{wan_if}" drop
  }}
}}
"""
        subprocess.run([*ns, "nft", "-f", "-"], input=rules, text=True, check=True, timeout=20)

    def _build(self, tag):
        for name in self.ns.values():
            sh("ip", "netns", "add", name)
            sh("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up")
        self._link("pub", self.relay_a, "rta", self.wan_a, f"hpa{tag}")
        self._link("pub", self.relay_b, "rtb", self.wan_b, f"hpb{tag}")
        self._link("rta", self.lan_a, "ha", self.home_a, f"hpc{tag}")
        self._link("rtb", self.lan_b, "hb", self.home_b, f"hpd{tag}")
        # The public side routes between the two WANs, as the internet would.
        sh(*self.exec_prefix("pub"), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        self._router("rta", f"hpa{tag}r", self.relay_a)
        self._router("rtb", f"hpb{tag}r", self.relay_b)
        sh(*self.exec_prefix("ha"), "ip", "route", "add", "default", "via", self.lan_a)
        sh(*self.exec_prefix("hb"), "ip", "route", "add", "default", "via", self.lan_b)

    def cleanup(self):
        for name in self.ns.values():
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=20)


def state_changes(peer, prefix):
    return [e for e in peer.events if e["event"] == "peer-state" and e.get("change", "").startswith(prefix)]


def seed_lacking_last_piece(d):
    """In @d: the payload (its folder and torrent), a seed's copy, an
    empty folder for the leech and one for the relay. The seed lacks the
    last piece (mid.bin's last byte is wrong): a seed with every piece
    and a relay with none would part at once (nothing to say to each
    other)."""
    src, torrent = make_payload(d, big=SMALL)
    seed_dir = os.path.join(d, "seed")
    shutil.copytree(src, seed_dir)
    with open(os.path.join(seed_dir, "payload", "mid.bin"), "r+b") as f:
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xff]))
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    os.mkdir(os.path.join(d, "relay"))
    return src, torrent, seed_dir, dst


def punch(d, relay_kind):
    # Seed and leech want the other files only, so the seed seeds: it
    # dials nobody but the relay, and the leech's dial of it can only
    # fail until the relay puts them in touch.
    src, torrent, seed_dir, dst = seed_lacking_last_piece(d)
    world = NatWorld()
    relay = relay_process = seed = leech = None
    try:
        if relay_kind == "tessera":
            # Wants only the empty file (2: dir/zero): it never asks for a piece.
            relay = Peer(os.path.join(d, "relay"), torrent, "--only", "2", bind=None,
                         prefix=world.exec_prefix("pub"))
            relay_port = relay.port
        else:
            relay_process, relay_port = libtorrent_relay(world, torrent, os.path.join(d, "relay"))
        # libtorrent finds a rendezvous' target by the address its connection
        # comes from: only a uTP one comes from the port peer exchange tells.
        transports = ["--no-tcp"] if relay_kind == "libtorrent" else []
        # The seed is known to the relay only; the leech is given the relay only.
        seed = Peer(seed_dir, torrent, *transports, "--only", "0,1,2", "--peer", f"{world.relay_b}:{relay_port}", bind=world.home_b,
                    prefix=world.exec_prefix("hb"))
        leech = Peer(dst, torrent, *transports, "--only", "0,1,2", "--peer", f"{world.relay_a}:{relay_port}", bind=world.home_a,
                     prefix=world.exec_prefix("ha"))
        leech.wait_for("done", DEADLINE)
        wanted = ("payload/big.bin", "payload/dir/small.txt", "payload/dir/zero")
        got, sent = tree_digest(dst), tree_digest(src)
        assert all(got.get(name) == sent[name] for name in wanted), "the leech's data differs"
        leech.drain()
        seed.drain()
        seed_nat = f"{world.wan_b}:{seed.port}"
        # Only through the punched hole: the seed's NAT address, over uTP.
        carriers = [e for e in leech.events if e["event"] == "peer-connected" and e["peer"] == seed_nat]
        assert carriers, f"the leech never connected to the seed at {seed_nat}: " \
                         f"{[e for e in leech.events if e['event'] != 'piece-verified'][-20:]}"
        assert all(e["transport"] == "utp" for e in carriers), carriers
        # It had tried and failed first: nothing is forwarded to the seed.
        gone = [e for e in leech.events if e["event"] == "peer-gone" and e["peer"] == seed_nat]
        first_connect = leech.events.index(carriers[0])
        assert any(leech.events.index(e) < first_connect for e in gone), \
            f"the first dial did not fail: {[e for e in leech.events if e.get('peer') == seed_nat]}; " \
            f"seed: {[e for e in seed.events if e['event'] != 'piece-verified']}"
        asked = state_changes(leech, "holepunch-rendezvous")
        # (libtorrent's peer exchange tells the leech its own address too.)
        assert any(e["peer"] == seed_nat for e in asked), asked
        assert state_changes(leech, "holepunch-connect"), "the relay's connect never came to the leech"
        assert state_changes(seed, "holepunch-connect"), "the relay's connect never came to the seed"
        # The data came from the seed, not through the relay: it never had a piece.
        if relay is not None:
            relay.drain()
            assert not [e for e in relay.events if e["event"] == "piece-verified"], "the relay had data"
            assert [e for e in relay.events if e["event"] == "checked"][0]["pieces"] == 0
            assert state_changes(relay, "holepunch-relayed"), "the Tessera relay never relayed"
        else:
            assert relay_has_nothing(d), "the libtorrent relay had data"
    finally:
        for peer in (leech, seed, relay):
            if peer is not None:
                peer.stop()
        if relay_process is not None:
            stop_process(relay_process)
        world.cleanup()


LT_RELAY = r"""
import sys, time
import libtorrent as lt
# The namespace is the test's own: a fixed port is free, and known at once.
s = lt.session({"listen_interfaces": "0.0.0.0:6881", "enable_dht": False, "enable_lsd": False,
                "enable_upnp": False, "enable_natpmp": False, "enable_outgoing_tcp": True,
                "enable_incoming_tcp": True, "enable_outgoing_utp": True, "enable_incoming_utp": True,
                "alert_mask": 0})
p = lt.add_torrent_params()
p.ti = lt.torrent_info(sys.argv[1])
p.save_path = sys.argv[2]
# Never downloads, so it has no piece to give: in upload mode, and not
# auto managed, as libtorrent may take an auto-managed torrent out of
# upload mode (once, in CI, the relay had a piece). Started by hand, so
# not paused. (Wanting no file would make it finished, and a finished
# torrent drops the seed it must relay for.)
p.flags |= lt.torrent_flags.upload_mode
p.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
h = s.add_torrent(p)
end = time.monotonic() + 20
while s.listen_port() != 6881 and time.monotonic() < end:
    time.sleep(0.1)
print(s.listen_port(), flush=True)
while True:
    time.sleep(1)
    with open(sys.argv[2] + ".pieces", "w") as f:
        f.write(str(h.status().num_pieces))
"""


def libtorrent_relay(world, torrent, save_path):
    process = subprocess.Popen([*world.exec_prefix("pub"), "/usr/bin/python3", "-c", LT_RELAY, torrent, save_path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.isdigit():
        stop_process(process)
        raise AssertionError(f"libtorrent relay did not start: {line!r} {process.stderr.read()[-2000:]}")
    return process, int(line)


LT_NATED = r"""
import sys, time
import libtorrent as lt
# Behind its NAT in its own namespace: a fixed port is free. uTP only, so
# its one way to the relay and to the leech is the UDP socket whose source
# port its NAT keeps; and it keeps connections to peers that cannot give
# it the piece it lacks (close_redundant_connections off). No default
# plugins, so no ut_pex: it never hears of the leech from the relay's peer
# exchange (and dials it on its own through the hole the leech's failed
# dial left), only from the relay's ut_holepunch connect (built in).
s = lt.session({"listen_interfaces": "0.0.0.0:6881", "enable_dht": False, "enable_lsd": False,
                "enable_upnp": False, "enable_natpmp": False, "enable_outgoing_tcp": False,
                "enable_incoming_tcp": False, "enable_outgoing_utp": True, "enable_incoming_utp": True,
                "close_redundant_connections": False,
                "alert_mask": lt.alert_category.peer_log | lt.alert_category.connect},
               lt.session_flags_t.start_default_features | (lt.session_flags_t.add_default_plugins
                                                             if sys.argv[4] == "pex" else 0))
p = lt.add_torrent_params()
p.ti = lt.torrent_info(sys.argv[1])
p.save_path = sys.argv[2]
h = s.add_torrent(p)
end = time.monotonic() + 20
while s.listen_port() != 6881 and time.monotonic() < end:
    time.sleep(0.1)
print(s.listen_port(), flush=True)
relay_host, relay_port = sys.argv[3].rsplit(":", 1)
added = False
with open(sys.argv[2] + ".log", "w") as log:
    while True:
        st = h.status()
        # Checked first: a peer added while checking is dropped.
        if not added and st.state not in (lt.torrent_status.checking_files,
                                          lt.torrent_status.checking_resume_data):
            h.connect_peer((relay_host, int(relay_port)))
            added = True
        s.wait_for_alert(500)
        for a in s.pop_alerts():
            text = a.message()
            # Its peer log names each ut_holepunch message it takes or sends.
            if "HOLEPUNCH" in text or isinstance(a, lt.peer_connect_alert):
                log.write(text + "\n")
                log.flush()
        with open(sys.argv[2] + ".pieces", "w") as f:
            f.write(str(st.num_pieces))
"""


def libtorrent_nated(world, torrent, save_path, relay, role="hb", plugins="nopex"):
    process = subprocess.Popen([*world.exec_prefix(role), "/usr/bin/python3", "-c", LT_NATED, torrent, save_path,
                                relay, plugins], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.isdigit():
        stop_process(process)
        raise AssertionError(f"the NATed libtorrent peer did not start: {line!r} {process.stderr.read()[-2000:]}")
    return process, int(line)


def punch_to_libtorrent(d):
    """A Tessera leech behind one NAT meets a libtorrent seed behind the
    other through a Tessera relay: the leech's dial fails, it asks the
    relay, and the data comes over uTP from the seed's NAT address."""
    # The seed lacks the last piece, so that it keeps its connection to
    # the relay (two peers with nothing to trade part).
    src, torrent, seed_dir, dst = seed_lacking_last_piece(d)
    world = NatWorld()
    relay = seed_process = leech = None
    try:
        relay = Peer(os.path.join(d, "relay"), torrent, "--only", "2", bind=None, prefix=world.exec_prefix("pub"))
        seed_process, seed_port = libtorrent_nated(world, torrent, seed_dir, f"{world.relay_b}:{relay.port}")
        seed_nat = f"{world.wan_b}:{seed_port}"
        # The relay must know the seed before the leech comes: its peer
        # exchange then tells the leech of it.
        end = time.monotonic() + 60
        while time.monotonic() < end and not any(e["event"] == "peer-connected" and e["peer"] == seed_nat
                                                 for e in relay.events):
            relay.next_event(1)
        assert any(e["event"] == "peer-connected" and e["peer"] == seed_nat for e in relay.events), \
            f"the libtorrent seed never reached the relay from {seed_nat}: {relay.events[-15:]}"
        leech = Peer(dst, torrent, "--only", "0,1,2", "--peer", f"{world.relay_a}:{relay.port}", bind=world.home_a,
                     prefix=world.exec_prefix("ha"))
        leech.wait_for("done", DEADLINE)
        wanted = ("payload/big.bin", "payload/dir/small.txt", "payload/dir/zero")
        got, sent = tree_digest(dst), tree_digest(src)
        assert all(got.get(name) == sent[name] for name in wanted), "the leech's data differs"
        leech.drain()
        relay.drain()
        carriers = [e for e in leech.events if e["event"] == "peer-connected" and e["peer"] == seed_nat]
        assert carriers, f"the leech never connected to the seed at {seed_nat}: " \
                         f"{[e for e in leech.events if e['event'] != 'piece-verified'][-20:]}"
        assert all(e["transport"] == "utp" for e in carriers), carriers
        gone = [e for e in leech.events if e["event"] == "peer-gone" and e["peer"] == seed_nat]
        first_connect = leech.events.index(carriers[0])
        assert any(leech.events.index(e) < first_connect for e in gone), \
            f"the first dial did not fail: {[e for e in leech.events if e.get('peer') == seed_nat]}"
        asked = state_changes(leech, "holepunch-rendezvous")
        assert any(e["peer"] == seed_nat for e in asked), asked
        assert state_changes(leech, "holepunch-connect"), "the relay's connect never came to the leech"
        relayed = state_changes(relay, "holepunch-relayed")
        assert any(e["peer"] == seed_nat for e in relayed), f"the Tessera relay never relayed to the seed: {relayed}"
        # libtorrent's own log: it took the relay's connect naming the leech.
        with open(seed_dir + ".log") as f:
            seed_log = f.read()
        took = [line for line in seed_log.splitlines() if f"msg:connect to: {world.wan_a}" in line]
        assert took and not any("ERROR" in line for line in took), \
            f"libtorrent took no connect naming the leech: {seed_log[-2000:]}"
        # ... and dialled it in its hole punching mode (uTP, at once).
        assert f"[{world.wan_a}:{leech.port}] *** HOLEPUNCH_MODE" in seed_log, seed_log[-2000:]
        assert not [e for e in relay.events if e["event"] == "piece-verified"], "the relay had data"
    finally:
        for peer in (leech, relay):
            if peer is not None:
                peer.stop()
        if seed_process is not None:
            stop_process(seed_process)
        world.cleanup()


def relay_has_nothing(d):
    with open(os.path.join(d, "relay") + ".pieces") as f:
        return f.read().strip() == "0"


def test_tessera_relay(d):
    punch(d, "tessera")


def test_libtorrent_relay(d):
    try:
        import libtorrent  # noqa: F401
    except ImportError:
        raise AssertionError("python3-libtorrent is missing: install the Debian package python3-libtorrent")
    punch(d, "libtorrent")


def punch_from_libtorrent(d):
    """A libtorrent leech behind one NAT (with ut_pex) learns of a Tessera
    seed behind the other from a Tessera relay's peer exchange, with the
    flags that say it speaks uTP and ut_holepunch; its dial fails, it asks
    the relay for a rendezvous, and gets the data over the punched hole."""
    src, torrent, seed_dir, dst = seed_lacking_last_piece(d)
    world = NatWorld()
    relay = seed = leech_process = None
    try:
        relay = Peer(os.path.join(d, "relay"), torrent, "--only", "2", bind=None, prefix=world.exec_prefix("pub"))
        # A seed dials nobody but the relay: only the leech can initiate.
        seed = Peer(seed_dir, torrent, "--only", "0,1,2", "--peer", f"{world.relay_b}:{relay.port}", bind=world.home_b,
                    prefix=world.exec_prefix("hb"))
        checked = seed.wait_for("checked", 60)["pieces"]
        assert checked > 0, checked
        leech_process, leech_port = libtorrent_nated(world, torrent, dst, f"{world.relay_a}:{relay.port}", "ha", "pex")
        seed_nat, leech_nat = f"{world.wan_b}:{seed.port}", f"{world.wan_a}:{leech_port}"
        end = time.monotonic() + DEADLINE
        pieces = 0
        while time.monotonic() < end and pieces < checked:
            seed.next_event(0.5)
            try:
                with open(dst + ".pieces") as f:
                    pieces = int(f.read().strip() or 0)
            except FileNotFoundError:
                pass
        with open(dst + ".log") as f:
            log = f.read()
        seed.drain()
        relay.drain()
        assert pieces == checked, f"the libtorrent leech has {pieces} of the seed's {checked} pieces: {log[-3000:]}"
        # Its failed dial made it ask the relay, which put the two in touch.
        assert f"==> HOLEPUNCH [ msg: rendezvous to: {world.wan_b}" in log, log[-3000:]
        # The relay's connect goes to both at once. Either libtorrent dials
        # the seed in hole-punch mode, or the seed's own dial through the
        # punched hole came first, and libtorrent, already connected to it,
        # says it could not add the peer again (seen once in CI).
        connect = re.search(rf"<== HOLEPUNCH \[ msg:connect to: {re.escape(world.wan_b)}( ERROR: failed to add peer)? \]", log)
        assert connect, log[-3000:]
        if connect.group(1) is None:
            assert f"[{seed_nat}] *** HOLEPUNCH_MODE" in log, log[-3000:]
        else:
            assert re.search(rf"\[ {re.escape(world.wan_b)}:\d+ client: [^]]* \] incoming connection to peer \(uTP\)", log), \
                log[-3000:]
        relayed = state_changes(relay, "holepunch-relayed")
        assert any(e["peer"] == seed_nat for e in relayed), f"the Tessera relay never relayed: {relayed}"
        assert any(e["peer"] == leech_nat for e in state_changes(seed, "holepunch-connect")), \
            f"the relay's connect never came to the seed: {[e for e in seed.events if e['event'] != 'piece-verified']}"
        carriers = [e for e in seed.events if e["event"] == "peer-connected" and e["peer"] == leech_nat]
        assert carriers and all(e["transport"] == "utp" for e in carriers), carriers
        # The data came from the seed: the relay never had a piece.
        assert not [e for e in relay.events if e["event"] == "piece-verified"], "the relay had data"
    finally:
        for peer in (seed, relay):
            if peer is not None:
                peer.stop()
        if leech_process is not None:
            stop_process(leech_process)
        world.cleanup()


def test_nated_libtorrent_initiates(d):
    try:
        import libtorrent  # noqa: F401
    except ImportError:
        raise AssertionError("python3-libtorrent is missing: install the Debian package python3-libtorrent")
    punch_from_libtorrent(d)


def test_libtorrent_nated_tessera_relay(d):
    try:
        import libtorrent  # noqa: F401
    except ImportError:
        raise AssertionError("python3-libtorrent is missing: install the Debian package python3-libtorrent")
    punch_to_libtorrent(d)


tap.run_all(globals())
