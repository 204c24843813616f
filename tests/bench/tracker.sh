#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmark (not a test): `tessera-cli tracker` against opentracker on
# 127.0.0.1 with the same traffic: 10 000 swarms of 20 peers each (a peer
# is its swarm, peer id and port), announcing again and again over UDP (the
# load generator udp-load.c) and over HTTP (wrk with a Lua script that
# picks a swarm and a peer at random; keep-alive and not). Prints
# announces a second, errors and memory after the load, for both, and the
# ratios. See tracker.py.
#
# Usage, from the repo root after building:
#   tests/bench/tracker.sh [--seconds 10] [--swarms 10000] [--peers 20]
#                        [--connections 50]
# Needs opentracker, wrk and a C compiler.
# TESSERA_CLI (default: _build/src/cli/tessera-cli) names the binary.
exec /usr/bin/python3 "$(dirname "$0")/tracker.py" "$@"
