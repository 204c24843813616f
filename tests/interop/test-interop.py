#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tessera against the reference tools on the same data: torrents made by
mktorrent, transmission-create and libtorrent read by `tessera-cli show`,
and torrents made by `tessera-cli create` read by libtorrent and
transmission-show, with identical info hashes, sizes and file lists."""

import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, cli, need_cli, need_tool, pseudo_random, run, write  # noqa: E402

need_cli()
need_tool("mktorrent", "mktorrent")
need_tool("transmission-create", "transmission-cli")
need_tool("transmission-show", "transmission-cli")
try:
    import libtorrent as lt
except ImportError:
    print("Bail out! python3-libtorrent is missing: install the Debian package python3-libtorrent")
    sys.exit(1)

tap = Tap()


def make_data(d, with_empty=True, unicode=True):
    """A folder with nested, unicode, odd-sized and (optionally) empty files."""
    root = os.path.join(d, "Payload")
    if unicode:
        write(os.path.join(root, "Ωmega", "naïve café.txt"), pseudo_random(12345, 1))
        write(os.path.join(root, "日本語.bin"), pseudo_random(70001, 2))
    else:
        write(os.path.join(root, "omega", "naive cafe.txt"), pseudo_random(12345, 1))
        write(os.path.join(root, "nihongo.bin"), pseudo_random(70001, 2))
    write(os.path.join(root, "a.txt"), pseudo_random(5, 3))
    write(os.path.join(root, "a", "b", "deep.dat"), pseudo_random(40000, 4))
    write(os.path.join(root, "z-large.bin"), pseudo_random(300000, 5))
    if with_empty:
        write(os.path.join(root, "zero-length"), b"")
    single = os.path.join(d, "single.iso")
    write(single, pseudo_random(250000, 6))
    return root, single


def show(path):
    result = cli("show", "--json", path)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def lt_facts(path):
    """What libtorrent reads from a torrent, in show --json's terms."""
    ti = lt.torrent_info(path)
    hashes = ti.info_hashes()
    fs = ti.files()
    files = [(fs.file_path(i), fs.file_size(i)) for i in range(fs.num_files())
             if not fs.file_flags(i) & lt.file_storage.flag_pad_file]
    tiers = {}
    for entry in ti.trackers():
        tiers.setdefault(entry.tier, []).append(entry.url)
    return {
        "info_hash": str(hashes.v1) if hashes.has_v1() else None,
        "info_hash_v2": str(hashes.v2) if hashes.has_v2() else None,
        "piece_length": ti.piece_length(),
        "piece_count": ti.num_pieces(),
        "total_size": sum(size for _, size in files),
        "files": files,
        "trackers": [tiers[t] for t in sorted(tiers)],
        "private": ti.priv(),
        "comment": ti.comment() or None,
        "name": ti.name(),
    }


def compare_with_libtorrent(path):
    ours = show(path)
    theirs = lt_facts(path)
    # libtorrent shuffles URLs inside a tier (BEP 12); compare tiers as sets.
    assert [sorted(t) for t in ours["trackers"]] == [sorted(t) for t in theirs["trackers"]], \
        f"trackers: tessera {ours['trackers']}, libtorrent {theirs['trackers']}"
    for key in ("info_hash", "info_hash_v2", "piece_length", "piece_count", "total_size", "private", "name"):
        assert ours[key] == theirs[key], f"{os.path.basename(path)}: {key}: tessera {ours[key]!r}, libtorrent {theirs[key]!r}"
    assert ours["comment"] == theirs["comment"], (ours["comment"], theirs["comment"])
    ours_files = [(f["path"], f["length"]) for f in ours["files"]]
    assert ours_files == theirs["files"], f"files: tessera {ours_files}, libtorrent {theirs['files']}"
    return ours


def transmission_facts(path):
    text = run(["transmission-show", path], check=True).stdout.decode()
    facts = {"hash": re.search(r"Hash: ([0-9a-f]{40})", text).group(1),
             "pieces": int(re.search(r"Piece Count: (\d+)", text).group(1)),
             "private": "Privacy: Private torrent" in text}
    files_section = text.split("FILES", 1)[1]
    facts["files"] = sorted(re.sub(r" \([^)]*\)$", "", line.strip())
                            for line in files_section.splitlines() if line.strip())
    return facts


def compare_with_transmission(path):
    ours = show(path)
    theirs = transmission_facts(path)
    assert ours["info_hash"] == theirs["hash"], (ours["info_hash"], theirs["hash"])
    assert ours["piece_count"] == theirs["pieces"]
    assert ours["private"] == theirs["private"]
    assert sorted(f["path"] for f in ours["files"]) == theirs["files"], (ours["files"], theirs["files"])


def lt_create(source, out, piece_length, flags, trackers=(), private=False, comment=None):
    fs = lt.file_storage()
    lt.add_files(fs, source)
    ct = lt.create_torrent(fs, piece_length, flags=flags)
    for url, tier in trackers:
        ct.add_tracker(url, tier)
    if private:
        ct.set_priv(True)
    if comment:
        ct.set_comment(comment)
    lt.set_piece_hashes(ct, os.path.dirname(source))
    with open(out, "wb") as f:
        f.write(lt.bencode(ct.generate()))


# ---------------------------------------------------------------------------
# show on torrents the reference tools made

def test_show_mktorrent(d):
    root, single = make_data(d)
    cases = [
        ["-l", "15", "-a", "http://a.example/announce", "-a", "udp://b.example:6969", root],
        ["-l", "18", "-p", "-c", "private comment", single],
        ["-l", "16", "-a", "http://a.example/announce,http://a2.example/announce", "-a", "udp://c.example:80", root],
    ]
    for n, args in enumerate(cases):
        out = os.path.join(d, f"mk{n}.torrent")
        run(["mktorrent", "-o", out, *args], check=True)
        compare_with_libtorrent(out)
        compare_with_transmission(out)


def test_show_transmission_create(d):
    root, single = make_data(d)
    for n, args in enumerate([["-t", "http://t.example/announce", "-s", "32", root],
                              ["-p", "-t", "udp://p.example:80", "-c", "from transmission", "-s", "64", single]]):
        out = os.path.join(d, f"tc{n}.torrent")
        run(["transmission-create", "-o", out, *args], check=True)
        compare_with_libtorrent(out)
        compare_with_transmission(out)


def test_show_libtorrent(d):
    root, single = make_data(d)
    trackers = [("http://t1.example/announce", 0), ("udp://t2.example:6969", 0), ("https://t3.example/a", 1)]
    for name, flags in (("v1", lt.create_torrent.v1_only), ("v2", lt.create_torrent.v2_only), ("hybrid", 0)):
        for source in (root, single):
            for piece in (16384, 65536):
                out = os.path.join(d, f"lt-{name}-{os.path.basename(source)}-{piece}.torrent")
                lt_create(source, out, piece, flags, trackers, private=(piece == 65536), comment="lt " + name)
                ours = compare_with_libtorrent(out)
                assert ours["meta_version"] == (1 if name == "v1" else 2)
                assert ours["hybrid"] == (name == "hybrid")
                # Transmission 3.00 reads v1 torrents only.
                if name == "v1":
                    compare_with_transmission(out)


# ---------------------------------------------------------------------------
# create, read by the others

def test_create_equals_mktorrent(d):
    root, single = make_data(d)
    for source, exp in ((root, 15), (single, 16), (root, 20)):
        ours = os.path.join(d, f"ours-{exp}.torrent")
        theirs = os.path.join(d, f"mk-{exp}.torrent")
        cli("create", "-q", "-f", "-p", f"{(1 << exp) // 1024}k", "-o", ours, source, check=True)
        run(["mktorrent", "-l", str(exp), "-o", theirs, source], check=True)
        assert show(ours)["info_hash"] == show(theirs)["info_hash"], f"{source} 2^{exp}"
        compare_with_libtorrent(ours)
        compare_with_transmission(ours)


def test_create_equals_transmission(d):
    # transmission-create leaves out empty files, and sorts names with a
    # signed-char, case-insensitive compare that puts UTF-8 names first;
    # we sort bytewise like mktorrent. On ASCII lowercase names without
    # empty files the two orders agree, and so must the info hashes.
    root, single = make_data(d, with_empty=False, unicode=False)
    for source, kib in ((root, 32), (single, 16)):
        ours = os.path.join(d, f"ours-{kib}.torrent")
        theirs = os.path.join(d, f"tc-{kib}.torrent")
        cli("create", "-q", "-f", "--private", "-t", "http://t.example/a", "-p", f"{kib}k", "-o", ours, source, check=True)
        run(["transmission-create", "-p", "-t", "http://t.example/a", "-s", str(kib), "-o", theirs, source], check=True)
        assert show(ours)["info_hash"] == show(theirs)["info_hash"]


def test_create_v2_hybrid_equal_libtorrent(d):
    root, single = make_data(d)
    for name, flags in (("v2", lt.create_torrent.v2_only), ("hybrid", 0)):
        for source in (root, single):
            for piece in (16384, 32768):
                ours = os.path.join(d, f"ours-{name}-{piece}.torrent")
                theirs = os.path.join(d, f"lt-{name}-{piece}.torrent")
                cli("create", "-q", "-f", f"--{name}", "-p", f"{piece // 1024}k", "-o", ours, source, check=True)
                lt_create(source, theirs, piece, flags)
                a, b = lt_facts(ours), lt_facts(theirs)
                assert (a["info_hash"], a["info_hash_v2"]) == (b["info_hash"], b["info_hash_v2"]), \
                    f"{name} {os.path.basename(source)} {piece}: tessera {a} libtorrent {b}"
                compare_with_libtorrent(ours)


def test_verify_libtorrent_torrents(d):
    root, single = make_data(d)
    for name, flags in (("v1", lt.create_torrent.v1_only), ("v2", lt.create_torrent.v2_only), ("hybrid", 0)):
        out = os.path.join(d, f"lt-{name}.torrent")
        lt_create(root, out, 16384, flags)
        result = cli("verify", "--json", "-d", d, out)
        report = json.loads(result.stdout)
        assert result.returncode == 0 and report["ok"], (name, report)
    # Damage seen by both tessera and libtorrent's own recheck.
    with open(os.path.join(root, "z-large.bin"), "r+b") as f:
        f.seek(123456)
        byte = f.read(1)
        f.seek(123456)
        f.write(bytes([byte[0] ^ 1]))
    out = os.path.join(d, "lt-v1.torrent")
    report = json.loads(cli("verify", "--json", "-d", d, out).stdout)
    ti = lt.torrent_info(out)
    fs = ti.files()
    index = next(i for i in range(fs.num_files()) if fs.file_path(i).endswith("z-large.bin"))
    expected = (fs.file_offset(index) + 123456) // ti.piece_length()
    assert report["bad_pieces"] == [expected], (report["bad_pieces"], expected)


tap.run_all(globals())
