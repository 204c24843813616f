/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tessera-engine.h: the engine's public API, for the app (src/app) and
 * the command-line tool (src/cli):
 *   - the codecs of tessera-codec.h, plus torrent files (tsr-metainfo.h)
 *     and magnet links (tsr-magnet.h);
 *   - making and checking torrents: the hasher, the creator, the
 *     verifier, and the storage's error domain (a full disk, missing
 *     files);
 *   - the network around the torrents: the DHT node and port mapping;
 *   - torrents (tsr-torrent.h), their trackers (tsr-tracker.h, which
 *     `tessera-cli announce` also uses on its own), the session that runs
 *     them, and the library that keeps them across restarts;
 *   - the alternative speed limits' schedule and its timer
 *     (tsr-alt-speed-schedule.h), which the app and the daemon share.
 *
 * Everything else in src/engine (the swarm, peer connections, the piece
 * picker, the disk queue, the DHT's tables, the wire and extension
 * codecs, ...) is private to the engine: front ends include this header
 * or tessera-codec.h, never an engine module's own header
 * (tests/arch/check-architecture.py, rule 7). Something a front end
 * needs goes here, or gets a public API in a module exposed here.
 */
#pragma once

#include "tessera-codec.h"

#include "tsr-magnet.h"
#include "tsr-metainfo.h"

#include "tsr-hasher.h"
#include "tsr-creator.h"
#include "tsr-verifier.h"
#include "tsr-storage-error.h"

#include "tsr-dht.h"
#include "tsr-blocklist.h"
#include "tsr-port-map.h"

#include "tsr-tracker.h"
#include "tsr-torrent.h"
#include "tsr-session.h"
#include "tsr-library.h"
#include "tsr-alt-speed-schedule.h"
