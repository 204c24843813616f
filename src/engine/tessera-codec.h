/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tessera-codec.h: the part of the engine that the tracker server
 * (src/tracker) builds on: bencode, peer addresses (tsr-peer-address.h),
 * the tracker protocol's codecs (tsr-announce.h), the helpers of tsr-util.h
 * (hex, big-endian, random bytes, quoting, small files), and the one
 * worker pool for blocking file I/O (tsr-io-pool.h). The app and the CLI
 * get these too, through tessera-engine.h.
 *
 * Everything else in src/engine is private to the engine: front ends
 * (src/app, src/cli, src/tracker) include this header or
 * tessera-engine.h, never an engine module's own header
 * (tests/arch/check-architecture.py, rule 7). Something a front end
 * needs goes into one of them, or gets a public API in a module they
 * already expose.
 */
#pragma once

#include "tsr-util.h"
#include "tsr-bencode.h"
#include "tsr-peer-address.h"
#include "tsr-announce.h"
#include "tsr-ip-ranges.h"
#include "tsr-io-pool.h"
