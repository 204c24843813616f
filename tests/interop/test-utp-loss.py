#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""uTP (BEP 29) over a bad path: a Tessera seed and a Tessera leech, both
with TCP off (tessera-cli peer --no-tcp), in two network namespaces this
test makes, joined by a veth pair (10.77.N.1 and 10.77.N.2, addresses it
picks itself). Each case checks that the download completes within its
bound with the right data, over uTP only, and logs its time:

  1. 1 % loss each way, 64 MiB;
  2. 5 % loss each way, 25 ms delay each way (50 ms round trip) with up
     to 5 ms jitter, and 10 % of the datagrams sent ahead of the others
     (reordering); 16 MiB, not 64: at 5 % loss the congestion window
     stays small, and 64 MiB would take several minutes.

The loss is the kernel's: nftables drops UDP on the veth at random
(numgen random) in each namespace, as netem's loss would. This kernel has
no netem qdisc (nor fq, to pace by timestamps), so the delay and the
reordering come from a relay in the leech's namespace
(tests/python/tsrimpair.py) that the leech dials, bound to 127.0.0.1
there so that nothing reaches the seed around it. Every process is
stopped by PID and the namespaces deleted, also on failure. Needs root
(CI runs as root)."""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, need_cli, need_tool, run  # noqa: E402
from tsrpeers import Peer, make_payload, stop_process, tree_digest  # noqa: E402
from tsrnet import NamespacePair  # noqa: E402

need_cli()
need_tool("ip", "iproute2")
need_tool("nft", "nftables")
if os.geteuid() != 0:
    print("Bail out! this test makes network namespaces and needs root (CI runs as root)")
    sys.exit(1)

tap = Tap()
MIB = 1024 * 1024
# make_payload adds 3 MiB and 778 bytes to its big file.
EXTRA = 3 * MIB + 778
RELAY = os.path.join(os.path.dirname(__file__), "..", "python", "tsrimpair.py")

LOSS_RULES = """table inet tsrloss {{
  chain out {{
    type filter hook output priority 0; policy accept;
    oifname "{interface}" meta l4proto udp numgen random mod 1000 lt {permille} counter drop
    oifname "{interface}" meta l4proto udp counter accept
  }}
}}
"""


def add_loss(pair, side, d, percent):
    rules = os.path.join(d, f"loss-{side}.nft")
    with open(rules, "w") as f:
        f.write(LOSS_RULES.format(interface=pair.ifs[side], permille=int(percent * 10)))
    run([*pair.exec_prefix(side), "nft", "-f", rules], check=True)


def loss_counts(pair, side):
    """(dropped, passed) UDP datagrams on the side's veth."""
    listing = run([*pair.exec_prefix(side), "nft", "list", "table", "inet", "tsrloss"], check=True).stdout.decode()
    packets = [int(n) for n in re.findall(r"counter packets (\d+)", listing)]
    assert len(packets) == 2, listing
    return packets[0], packets[1]


def transfer(d, size, loss, bound, delay_ms=0, jitter_ms=0, reorder=0):
    src, torrent = make_payload(d, big=size - EXTRA)
    total = sum(os.path.getsize(os.path.join(base, name)) for base, _, names in os.walk(src) for name in names)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    pair = NamespacePair(prefix="tsrl")
    seed = leech = relay = None
    try:
        for side in (0, 1):
            add_loss(pair, side, d, loss)
        seed = Peer(src, torrent, "--no-tcp", bind=pair.ips[0], prefix=pair.exec_prefix(0))
        seed.wait_for("done", 60)
        if delay_ms or reorder:
            relay = subprocess.Popen([*pair.exec_prefix(1), sys.executable, RELAY, "--listen", "127.0.0.1",
                                      "--to", f"{pair.ips[0]}:{seed.port}", "--delay-ms", str(delay_ms),
                                      "--jitter-ms", str(jitter_ms), "--reorder", str(reorder), "--seed", "22"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            line = relay.stdout.readline()
            assert line.strip().isdigit(), f"the relay did not start: {line!r} {relay.stderr.read1(4096)!r}"
            target, bind = f"127.0.0.1:{int(line)}", "127.0.0.1"
        else:
            target, bind = f"{pair.ips[0]}:{seed.port}", pair.ips[1]
        start = time.monotonic()
        leech = Peer(dst, torrent, "--no-tcp", "--peer", target, "--exit-when-done", bind=bind,
                     prefix=pair.exec_prefix(1))
        leech.wait_for("done", bound)
        seconds = time.monotonic() - start
        assert leech.process.wait(timeout=30) == 0
        assert tree_digest(dst) == tree_digest(src), "the data is wrong"
        connected = [e for e in leech.drain() if e["event"] == "peer-connected"]
        assert connected and all(e["transport"] == "utp" for e in connected), connected
        (dropped_up, passed_up), (dropped_down, passed_down) = loss_counts(pair, 1), loss_counts(pair, 0)
        path = f"{loss:g} % loss" + (f", {delay_ms} ms delay each way (jitter {jitter_ms} ms), {reorder} % sent ahead"
                                     if relay else "")
        print(f"# uTP, {path}: {total / MIB:.1f} MiB in {seconds:.1f} s (process start included), "
              f"{total / 1e6 / seconds:.2f} MB/s; the bound was {bound} s")
        print(f"# dropped by nftables: seed -> leech {dropped_down} of {dropped_down + passed_down} datagrams, "
              f"leech -> seed {dropped_up} of {dropped_up + passed_up}")
        # The loss was real, in both directions.
        assert dropped_down > 0 and dropped_up > 0, (dropped_down, dropped_up)
    finally:
        if leech:
            leech.stop()
        if seed:
            seed.stop()
        if relay:
            stop_process(relay)
            print(f"# relay: {relay.stderr.read().decode().strip()}")
        pair.cleanup()


def test_utp_1_percent_loss_64mib(d):
    transfer(d, 64 * MIB, 1, bound=120)


def test_utp_5_percent_loss_delay_reorder_8mib(d):
    transfer(d, 8 * MIB, 5, bound=180, delay_ms=25, jitter_ms=5, reorder=10)


tap.run_all(globals())
