# SPDX-License-Identifier: GPL-3.0-or-later
"""Tracker benchmark (see tracker.sh): tessera-cli tracker and opentracker
on 127.0.0.1, each loaded in turn with the same traffic, only on
addresses of this machine's loopback. Every process is stopped by PID."""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

WRK_SCRIPT = r"""
local swarms = %(swarms)d
local peers = %(peers)d
failures = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function escaped_number(n)
  return string.format("%%%%%%02X%%%%%%02X%%%%%%02X%%%%%%02X", math.floor(n / 16777216) %% 256,
                       math.floor(n / 65536) %% 256, math.floor(n / 256) %% 256, n %% 256)
end

request = function()
  local swarm = math.random(0, swarms - 1)
  local hash = escaped_number(swarm) .. string.rep("%%00", 16)
  local index = math.random(0, peers - 1)
  local peer = "-WR0001-" .. escaped_number(swarm) .. escaped_number(index) .. escaped_number(0)
  local path = "/announce?info_hash=" .. hash .. "&peer_id=" .. peer .. "&port=" .. (10000 + index)
               .. "&uploaded=0&downloaded=0&left=1000&compact=1&numwant=20&event=started"
  return wrk.format("GET", path)
end

response = function(status, headers, body)
  if status ~= 200 or string.sub(body, 1, 18) == "d14:failure reason" then
    failures = failures + 1
  end
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("failures")
  end
  io.write(string.format("FAILURES %%d\n", total))
end
"""


def free_port():
    with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        tcp.bind(("127.0.0.1", 0))
        port = tcp.getsockname()[1]
        udp.bind(("127.0.0.1", port))
        return port


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(port, seconds, connections, script, close):
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", script]
    if close:
        args += ["-H", "Connection: close"]
    result = subprocess.run(args + [f"http://127.0.0.1:{port}/"], capture_output=True, text=True,
                            timeout=seconds + 60)
    out = result.stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    errors = int(re.search(r"FAILURES (\d+)", out).group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    # opentracker closes each connection after its reply: wrk counts those
    # as read errors; they are not failed announces.
    timeouts = int(socket_errors.group(4)) if socket_errors else 0
    return rate, errors + timeouts


def udp_load(loader, port, seconds, concurrency, swarms, peers):
    result = subprocess.run([loader, "127.0.0.1", str(port), str(seconds), str(concurrency), str(swarms),
                             str(peers)],
                            capture_output=True, text=True, timeout=seconds + 60)
    data = json.loads(result.stdout)
    return data["per_second"], data["errors"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--swarms", type=int, default=10000)
    parser.add_argument("--peers", type=int, default=20, help="peers in each swarm")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--udp-concurrency", type=int, default=64)
    args = parser.parse_args()
    cli = os.environ.get("TESSERA_CLI", os.path.join(ROOT, "_build", "src", "cli", "tessera-cli"))
    for tool in ("opentracker", "wrk", "cc"):
        if shutil.which(tool) is None:
            sys.exit(f"tracker.sh: {tool} is missing")
    work = tempfile.mkdtemp(prefix="tsr-tracker-bench-")
    os.chmod(work, 0o755)
    loader = os.path.join(work, "udp-load")
    subprocess.run(["cc", "-O2", "-o", loader, os.path.join(HERE, "udp-load.c")], check=True)
    whitelist = os.path.join(work, "whitelist")
    with open(whitelist, "w") as f:
        for i in range(args.swarms):
            f.write((i.to_bytes(4, "big") + bytes(16)).hex() + "\n")
    os.chmod(whitelist, 0o644)
    script = os.path.join(work, "announce.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT % {"swarms": args.swarms, "peers": args.peers})

    rows = {}
    for name in ("tessera", "opentracker"):
        port = free_port()
        if name == "tessera":
            process = subprocess.Popen([cli, "tracker", "--listen", f"127.0.0.1:{port}", "--max-rate", "0",
                                        "--whitelist", whitelist, "--max-peers", "50"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            process = subprocess.Popen(["opentracker", "-i", "127.0.0.1", "-p", str(port), "-P", str(port),
                                        "-w", whitelist], cwd=work, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            assert process.poll() is None, f"{name} did not start"
            # UDP first: it also fills the swarms (every one of the
            # swarms x peers announces many times over in 10 s).
            udp = udp_load(loader, port, args.seconds, args.udp_concurrency, args.swarms, args.peers)
            keep = wrk(port, args.seconds, args.connections, script, close=False)
            close = wrk(port, args.seconds, args.connections, script, close=True)
            rows[name] = {"udp": udp, "http-keep-alive": keep, "http-close": close, "rss": rss_mib(process.pid)}
        finally:
            stop(process)
    shutil.rmtree(work, ignore_errors=True)

    print(f"{'tracker':<12} {'UDP/s':>10} {'err':>6} {'HTTP keep/s':>12} {'err':>6} {'HTTP close/s':>13} {'err':>6}"
          f" {'RSS MiB':>8}")
    for name, row in rows.items():
        print(f"{name:<12} {row['udp'][0]:>10.0f} {row['udp'][1]:>6} {row['http-keep-alive'][0]:>12.0f}"
              f" {row['http-keep-alive'][1]:>6} {row['http-close'][0]:>13.0f} {row['http-close'][1]:>6}"
              f" {row['rss']:>8.1f}")
    t, o = rows["tessera"], rows["opentracker"]
    print(f"ratios tessera/opentracker: UDP {t['udp'][0] / o['udp'][0]:.2f}, "
          f"HTTP keep-alive {t['http-keep-alive'][0] / o['http-keep-alive'][0]:.2f}, "
          f"HTTP close {t['http-close'][0] / o['http-close'][0]:.2f}, RSS {t['rss'] / o['rss']:.2f}")


if __name__ == "__main__":
    main()
