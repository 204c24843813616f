# SPDX-License-Identifier: GPL-3.0-or-later
"""An Ethernet wire with a delay between two network namespaces, for
benchmarks that need a round trip this kernel cannot make (it has no
netem qdisc). Each namespace gets a TAP device; this process carries
every frame from one to the other after --delay-ms, in order, both
ways. Queues (tbf) go on the TAP devices as on any link: a frame leaves
the qdisc when the wire reads it.

Run as a script (root):
    python3 tsrwire.py --ns A --tap tsrwa --ns B --tap tsrwb --delay-ms 20
It makes the two devices (down, no address), prints "ready" on stdout,
and carries frames until SIGTERM or until its stdin closes; then it
prints what it carried on stderr. The caller sets addresses, brings the
devices up and deletes the namespaces (which deletes the devices).

With --rate-mbit, the frames from the first device to the second pass
a bottleneck here, on the wire, as at a router between two hosts: a
FIFO drained at that rate, holding --queue-ms of it at most, dropping
what does not fit (tail drop). A queue in a sender's own qdisc (tc tbf
on its TAP device) is no such thing for TCP: TCP Small Queues lets a
socket have only about a millisecond of its pacing rate in the local
qdisc, so a TCP flow there cannot build a queue and gets the share its
few packets have of the FIFO, 2 % of it beside uTP's 80 ms."""

import argparse
import ctypes
import fcntl
import heapq
import os
import select
import signal
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def enter(namespace):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/var/run/netns/{namespace}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {namespace}")
    finally:
        os.close(fd)


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ns", action="append", required=True)
    parser.add_argument("--tap", action="append", required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--rate-mbit", type=float, default=0.0,
                        help="bottleneck from the first device to the second (0: none)")
    parser.add_argument("--queue-ms", type=float, default=400.0, help="the bottleneck's queue, in time at its rate")
    args = parser.parse_args()
    if len(args.ns) != 2 or len(args.tap) != 2:
        sys.exit("two --ns and two --tap")
    fds = []
    for namespace, tap in zip(args.ns, args.tap):
        enter(namespace)
        fds.append(open_tap(tap))
    other = {fds[0]: fds[1], fds[1]: fds[0]}
    delay = args.delay_ms / 1000
    rate = args.rate_mbit * 1e6 / 8   # bytes a second
    limit = rate * args.queue_ms / 1000
    free_at = 0.0                     # when the bottleneck has sent what it holds
    queue = []
    order = 0
    carried = 0
    dropped = 0
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    print("ready", flush=True)
    while not stopping:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, frame = heapq.heappop(queue)
            try:
                os.write(fd, frame)
                carried += 1
            except OSError:
                pass
        timeout = max(0.0, queue[0][0] - now) if queue else 0.5
        try:
            readable, _, _ = select.select([*fds, sys.stdin], [], [], timeout)
        except InterruptedError:
            continue
        for fd in readable:
            if fd is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    stopping.append(True)
                continue
            for _ in range(256):
                try:
                    frame = os.read(fd, 65536)
                except (BlockingIOError, OSError):
                    break
                order += 1
                now = time.monotonic()
                leaves = now
                if rate > 0 and fd == fds[0]:
                    if max(0.0, free_at - now) * rate + len(frame) > limit:
                        dropped += 1
                        continue
                    free_at = max(now, free_at) + len(frame) / rate
                    leaves = free_at
                heapq.heappush(queue, (leaves + delay, order, other[fd], frame))
    print(f"carried {carried} frames, dropped {dropped} at the bottleneck", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
