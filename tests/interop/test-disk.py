#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Disk trouble, end to end with tessera-cli peer on 127.0.0.1:

- a download folder on a small tmpfs that fills up mid-download: the
  leecher stops with "No space left on device" (an error event and exit
  status 1), keeps the pieces it verified, and once space is freed a
  second run completes without fetching them again;
- a seeder whose data is truncated or deleted under it: it stops with an
  error naming the file, and the leecher never receives a wrong byte;
- hostile torrents (names with "..", absolute paths) downloaded into a
  folder where a symlink planted at the torrent's name points outside:
  nothing is created, written or followed outside the download folder.

The test runs itself in a private mount namespace (unshare), so its
tmpfs mounts vanish with it even if it is killed; that needs root (CI
runs as root) or user namespaces."""

import os
import shutil
import subprocess
import sys
import time

if os.environ.get("TSR_DISK_TEST_NS") != "1":
    # Re-run in a mount namespace of our own.
    unshare = shutil.which("unshare")
    if unshare is None:
        print("Bail out! unshare (util-linux) is missing")
        sys.exit(1)
    args = [unshare, "--mount", "--propagation", "private"]
    if os.geteuid() != 0:
        args[1:1] = ["--user", "--map-root-user"]
    os.environ["TSR_DISK_TEST_NS"] = "1"
    try:
        os.execv(args[0], args + [sys.executable, os.path.abspath(__file__)])
    except OSError as e:
        print(f"Bail out! cannot enter a private mount namespace: {e}")
        sys.exit(1)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, bencode, cli, need_cli, pseudo_random, write  # noqa: E402
from tsrpeers import DEADLINE, HostilePeer, Peer, make_payload, tree_digest  # noqa: E402

need_cli()
tap = Tap()


def mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"cannot mount a tmpfs (root needed): {result.stderr}"


def verified(events):
    return {e["piece"] for e in events if e["event"] == "piece-verified"}


def test_full_disk_stops_then_resumes(d):
    src, torrent = make_payload(d, big=12 * 1024 * 1024)      # about 15 MiB in all
    meta = __import__("json").loads(cli("show", "--json", torrent, check=True).stdout)
    disk = os.path.join(d, "disk")
    mount_tmpfs(disk, "20m")
    dst = os.path.join(disk, "dst")
    os.mkdir(dst)
    # Leave about 8 MiB: the download fills it half way.
    filler = os.path.join(disk, "filler")
    with open(filler, "wb") as f:
        f.write(b"\0" * (12 * 1024 * 1024))
    state = os.path.join(d, "leecher-state")
    seeder = first = second = None
    try:
        seeder = Peer(src, torrent)
        seeder.wait_for("done", 60)
        first = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done", state=state)
        error = first.wait_for("error", DEADLINE)
        assert "No space left on device" in error["message"], error
        # Typed, not only a message: TSR_STORAGE_ERROR_NO_SPACE.
        assert (error.get("domain"), error.get("code")) == ("tsr-storage-error-quark", 1), error
        assert first.process.wait(timeout=30) == 1, "the leecher did not exit with status 1"
        kept = verified(first.drain())
        assert 0 < len(kept) < meta["piece_count"], f"{len(kept)} of {meta['piece_count']} pieces verified"

        # Space again: the second run resumes and completes.
        os.unlink(filler)
        second = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--exit-when-done", state=state)
        second.wait_for("done", DEADLINE)
        assert second.process.wait(timeout=30) == 0
        events = second.drain()
        fetched = verified(events)
        # What the second run found on disk at start (a piece written just
        # as the disk filled may be there without its event having gone out).
        start = next(e for e in events if e["event"] in ("checked", "resumed"))
        # The record written when the disk filled still matches the files:
        # no recheck.
        assert start["event"] == "resumed", start
        found = start["pieces"]
        assert tree_digest(os.path.join(dst, "payload")) == tree_digest(os.path.join(src, "payload")), \
            "the data is wrong after resuming"
        # Pieces verified before the disk filled were kept, not fetched again
        # (a piece cut off by the full disk may be fetched once more).
        again = kept & fetched
        assert len(again) <= 1, f"{len(again)} verified pieces fetched again: {sorted(again)[:10]}"
        assert found >= len(kept) - 1, f"{found} pieces found at restart, {len(kept)} had been verified"
        assert found + len(fetched) == meta["piece_count"], (found, len(fetched), meta["piece_count"])
    finally:
        for peer in (second, first, seeder):
            if peer is not None:
                peer.stop()
        subprocess.run(["umount", "-l", disk], timeout=30)


def seeder_losing_data(d, damage, words):
    src, torrent = make_payload(d, big=16 * 1024 * 1024)
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    seeder = leecher = None
    try:
        seeder = Peer(src, torrent)
        seeder.wait_for("done", 60)
        # Slow enough that the damage lands mid-transfer.
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{seeder.port}", "--down-rate", "2m")
        leecher.wait_for("piece-verified", 30)
        damage(os.path.join(src, "payload"))
        error = seeder.wait_for("error", 60)
        assert any(w in error["message"] for w in words), error
        # TSR_STORAGE_ERROR_MISSING: the app offers to verify, not to resume.
        assert (error.get("domain"), error.get("code")) == ("tsr-storage-error-quark", 2), error
        assert seeder.process.wait(timeout=30) == 1, "the seeder did not exit with status 1"
        events = leecher.drain()
        failed = [e for e in events if e["event"] == "hash-failed"]
        assert not failed, f"the leecher received wrong data: {failed[:3]}"
    finally:
        for peer in (leecher, seeder):
            if peer is not None:
                peer.stop()


def test_seeder_file_truncated(d):
    def truncate(root):
        os.truncate(os.path.join(root, "big.bin"), 1024 * 1024)
        os.truncate(os.path.join(root, "mid.bin"), 0)
    seeder_losing_data(d, truncate, ["shorter than the torrent says"])


def test_seeder_file_deleted(d):
    def delete(root):
        os.unlink(os.path.join(root, "big.bin"))
        os.unlink(os.path.join(root, "mid.bin"))
    seeder_losing_data(d, delete, ["was deleted", "does not exist"])


def hostile_torrent(d, name, paths):
    """A torrent of files at @paths (lists of components, hostile ones
    included) with pseudo-random content, its data laid out as Tessera
    sanitizes it (for the serving peer), and its `show --json`."""
    piece_length = 16384
    contents = [pseudo_random(5000 + 3000 * i, 40 + i) for i in range(len(paths))]
    stream = b"".join(contents)
    pieces = b"".join(__import__("hashlib").sha1(stream[i:i + piece_length]).digest()
                      for i in range(0, len(stream), piece_length))
    info = {"name": name, "piece length": piece_length, "pieces": pieces,
            "files": [{"length": len(c), "path": p} for c, p in zip(contents, paths)]}
    torrent = os.path.join(d, "hostile.torrent")
    write(torrent, bencode({"info": info}))
    meta = __import__("json").loads(cli("show", "--json", torrent, check=True).stdout)
    served = os.path.join(d, "served")
    for f, c in zip(meta["files"], contents):
        write(os.path.join(served, f["path"]), c)
    return torrent, served, meta


def snapshot(folder):
    found = set()
    for base, dirs, files in os.walk(folder):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(base, name), folder))
    return found


def fetch_from(torrent, served, dst, until, status):
    """A leecher into @dst fetching from a peer serving @served, until its
    event @until and exit status @status; returns that event."""
    seeder = HostilePeer(torrent, served, "honest")
    leecher = None
    try:
        leecher = Peer(dst, torrent, "--peer", seeder.address, "--exit-when-done")
        event = leecher.wait_for(until, DEADLINE)
        assert leecher.process.wait(timeout=30) == status
        return event
    finally:
        seeder.running = False
        seeder.server.close()
        if leecher is not None:
            leecher.stop()


def test_hostile_paths_stay_inside(d):
    outside = os.path.join(d, "outside")
    os.mkdir(outside)
    write(os.path.join(outside, "keep.txt"), b"untouched")
    paths = [["..", "..", "escape.bin"], ["/", "etc", "passwd"], ["a", "..", "..", "b.bin"],
             ["\\..\\win.bin"], ["dir", "ok.bin"]]
    torrent, served, meta = hostile_torrent(d, "../../evil", paths)
    for f in meta["files"]:
        assert not os.path.isabs(f["path"]) and ".." not in f["path"].split("/"), f["path"]
    top = meta["files"][0]["path"].split("/")[0]
    before = snapshot(d)
    dst = os.path.join(d, "dst")

    # 1. A clean folder: everything lands inside it, sanitized.
    os.mkdir(dst)
    fetch_from(torrent, served, dst, "done", 0)
    assert tree_digest(dst) == tree_digest(served)
    created = snapshot(d) - before
    stray = [p for p in created if not p.startswith(("dst", "state-dst", "served"))]
    assert not stray, f"created outside the download folder: {stray}"

    # 2. The torrent's top folder is a symlink to elsewhere: refused, and
    # nothing is written there.
    shutil.rmtree(dst)
    os.mkdir(dst)
    os.symlink(outside, os.path.join(dst, top))
    shutil.rmtree(os.path.join(d, "state-dst"), ignore_errors=True)
    error = fetch_from(torrent, served, dst, "error", 1)
    assert "symbolic link" in error["message"], error
    assert sorted(os.listdir(outside)) == ["keep.txt"], os.listdir(outside)
    assert open(os.path.join(outside, "keep.txt"), "rb").read() == b"untouched"


tap.run_all(globals())
