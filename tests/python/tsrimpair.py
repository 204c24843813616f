# SPDX-License-Identifier: GPL-3.0-or-later
"""A UDP relay that delays and reorders datagrams, for tests and
benchmarks of uTP under a bad path where the kernel has no netem qdisc
(this machine's has neither netem nor fq: only pfifo, htb and tbf).

Run as a script, usually in a network namespace of its own test:
    python3 tsrimpair.py --listen 127.0.0.1 --to HOST:PORT --delay-ms 25 --jitter-ms 5 --reorder 10
It prints its port on the first line of stdout, then relays every
datagram from any client to HOST:PORT through a socket of that client's
own, and the answers back, each direction delayed by --delay-ms plus up
to --jitter-ms, except --reorder percent of them that go at once, ahead
of those waiting (netem's "reorder"). Loss is not its job: the callers
drop packets in the kernel with nftables (numgen random), as netem would.
On SIGTERM or when stdin closes it prints what it relayed on stderr and
exits. Only the addresses given are ever used."""

import argparse
import heapq
import os
import random
import select
import signal
import socket
import sys
import time


def parse_address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", default="127.0.0.1")
    parser.add_argument("--to", required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--reorder", type=float, default=0.0, help="percent sent at once, ahead of the queue")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    target = parse_address(args.to)
    rng = random.Random(args.seed)

    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind((args.listen, 0))
    front.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    print(front.getsockname()[1], flush=True)

    backs = {}          # client address -> its socket towards the target
    clients = {}        # socket fd -> client address
    queue = []          # (due, order, socket, data, address)
    order = 0
    counts = {"relayed": 0, "reordered": 0}
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))

    def schedule(sock, data, address):
        nonlocal order
        now = time.monotonic()
        if args.reorder > 0 and rng.random() * 100 < args.reorder:
            due = now
            counts["reordered"] += 1
        else:
            due = now + (args.delay_ms + rng.random() * args.jitter_ms) / 1000
        order += 1
        heapq.heappush(queue, (due, order, sock, data, address))

    while not stopping:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, sock, data, address = heapq.heappop(queue)
            try:
                sock.sendto(data, address)
                counts["relayed"] += 1
            except OSError:
                pass
        timeout = max(0.0, queue[0][0] - now) if queue else 0.5
        readable, _, _ = select.select([front, sys.stdin, *backs.values()], [], [], timeout)
        for sock in readable:
            if sock is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    stopping.append(True)
                continue
            for _ in range(64):
                try:
                    data, address = sock.recvfrom(65536, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                except OSError:
                    break
                if sock is front:
                    back = backs.get(address)
                    if back is None:
                        back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        back.bind((args.listen if args.listen != "127.0.0.1" else "0.0.0.0", 0))
                        back.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
                        backs[address] = back
                        clients[back.fileno()] = address
                    schedule(back, data, target)
                else:
                    schedule(front, data, clients[sock.fileno()])
    print(f"relayed {counts['relayed']}, sent ahead {counts['reordered']}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
