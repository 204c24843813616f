#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`tessera-cli show` against the reference tools. Torrents are made at
test time by mktorrent, transmission-create and libtorrent (v1, v2 and
hybrid) from data made here (nested folders, unicode names, empty and
odd-sized files), plus hand-made edge cases; for each, `show --json` must
say what libtorrent's torrent_info and Transmission's transmission-show
say: hashes, sizes, pieces, files, trackers by tier, web seeds, private
flag, comment, creator, date, and magnet links both ways.

A missing tool is a failure naming its Debian package, never a skip.
Runs under /usr/bin/python3, the interpreter python3-libtorrent is built
for. Prints TAP, one test point per torrent."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
import urllib.parse

CLI = os.environ.get("TESSERA_CLI")
TIMEOUT = 60
PACKAGES = {"mktorrent": "mktorrent", "transmission-create": "transmission-cli",
            "transmission-show": "transmission-cli"}

try:
    import libtorrent as lt
    LT_MISSING = None
except ImportError as e:
    lt = None
    LT_MISSING = (f"python3-libtorrent is missing ({sys.executable}: {e}): "
                  "install the Debian package python3-libtorrent")


# ---------------------------------------------------------------------------
# TAP, with notes: differences that are allowed but worth seeing

class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0
        self.notes = []

    def check(self, name, function, *args):
        self.count += 1
        self.notes = []
        try:
            function(*args)
        except Exception:  # every failure is reported with its traceback
            self.failed += 1
            print(f"not ok {self.count} - {name}")
            for line in traceback.format_exc().rstrip().splitlines():
                print(f"# {line}")
        else:
            print(f"ok {self.count} - {name}")
        for note in self.notes:
            print(f"# note: {note}")
        sys.stdout.flush()

    def finish(self):
        print(f"1..{self.count}")
        print(f"# {self.count - self.failed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


tap = Tap()


def note(message):
    tap.notes.append(message)


# ---------------------------------------------------------------------------
# Tools

def need(*tools):
    for tool in tools:
        if tool == "libtorrent":
            if lt is None:
                raise AssertionError(LT_MISSING)
        elif shutil.which(tool) is None:
            raise AssertionError(f"{tool} is missing: install the Debian package {PACKAGES[tool]}")


def run(args, timeout=TIMEOUT, check=True):
    try:
        result = subprocess.run(args, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{args} did not finish within {timeout} s")
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed with status {result.returncode}: "
                             f"{result.stderr.decode(errors='replace')[:2000]}")
    return result


def show_json(source):
    result = run([CLI, "show", "--json", source], check=False)
    stderr = result.stderr.decode(errors="replace")
    assert "AddressSanitizer" not in stderr and "runtime error:" not in stderr, stderr
    assert result.returncode == 0, f"tessera-cli show --json {source}: status {result.returncode}: {stderr}"
    return json.loads(result.stdout.decode("utf-8"))


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def data_of(length, seed):
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(b"%d/%d" % (seed, counter)).digest()
        counter += 1
    return bytes(out[:length])


def make_data(d):
    """A folder of nested, unicode, empty and odd-sized files, a single
    odd-sized file and a tiny one (smaller than any piece)."""
    root = os.path.join(d, "src", "Payload")
    for n, (path, size) in enumerate((
            ("Ωmega/naïve café.txt", 12345), ("日本語.bin", 70001), ("a.txt", 5),
            ("a/b/c/deep.dat", 40000), ("z-large.bin", 300000), ("zero-length", 0),
            ("sub/empty-too", 0), ("exact-16k.bin", 16384), ("sub/mixed Case.TXT", 999))):
        write(os.path.join(root, path), data_of(size, n))
    single = os.path.join(d, "src", "single file ✓.iso")
    write(single, data_of(250001, 100))
    tiny = os.path.join(d, "src", "日本語 tiny.bin")
    write(tiny, data_of(777, 101))
    return {"Payload": root, "single": single, "tiny": tiny}


# ---------------------------------------------------------------------------
# What libtorrent and Transmission read

def lt_facts(path):
    ti = lt.torrent_info(path)
    hashes = ti.info_hashes()
    fs = ti.files()
    files, pads = [], 0
    for i in range(fs.num_files()):
        if fs.file_flags(i) & lt.file_storage.flag_pad_file:
            pads += fs.file_size(i)
        else:
            files.append((fs.file_path(i), fs.file_size(i), fs.file_offset(i)))
    tiers = {}
    for entry in ti.trackers():
        tiers.setdefault(entry.tier, []).append(entry.url)
    return {
        "name": ti.name(),
        "info_hash": str(hashes.v1) if hashes.has_v1() else None,
        "info_hash_v2": str(hashes.v2) if hashes.has_v2() else None,
        "piece_length": ti.piece_length(),
        "piece_count": ti.num_pieces(),
        "total_size": sum(size for _, size, _ in files),
        "stream_size": ti.total_size(),          # pad files included
        "pad_size": pads,
        "files": files,
        "trackers": [tiers[t] for t in sorted(tiers)],
        "web_seeds": [w["url"] for w in ti.web_seeds() if w["type"] == 0],
        "http_seeds": [w["url"] for w in ti.web_seeds() if w["type"] == 1],
        "private": ti.priv(),
        "comment": ti.comment() or None,
        "created_by": ti.creator() or None,
        "creation_date": ti.creation_date() or None,
        "magnet": lt.make_magnet_uri(ti),
    }


def compare_with_libtorrent(path, ours=None):
    """Every field of show --json against libtorrent; returns both."""
    ours = ours or show_json(path)
    theirs = lt_facts(path)
    where = os.path.basename(path)
    problems = []
    for key in ("name", "info_hash", "info_hash_v2", "piece_length", "piece_count", "total_size", "private",
                "comment", "created_by", "creation_date", "web_seeds"):
        if ours[key] != theirs[key]:
            problems.append(f"{key}: tessera {ours[key]!r}, libtorrent {theirs[key]!r}")
    if "http_seeds" in ours and ours["http_seeds"] != theirs["http_seeds"]:
        problems.append(f"http_seeds: tessera {ours['http_seeds']!r}, libtorrent {theirs['http_seeds']!r}")
    # libtorrent shuffles the URLs inside a tier (BEP 12): tiers compare as sets, in order.
    if [sorted(t) for t in ours["trackers"]] != [sorted(t) for t in theirs["trackers"]]:
        problems.append(f"trackers: tessera {ours['trackers']!r}, libtorrent {theirs['trackers']!r}")
    ours_files = [(f["path"], f["length"]) for f in ours["files"]]
    theirs_files = [(p, s) for p, s, _ in theirs["files"]]
    if ours_files != theirs_files:
        problems.append(f"files: tessera {ours_files!r}, libtorrent {theirs_files!r}")
    elif all("offset" in f for f in ours["files"]):
        offsets = ([f["offset"] for f in ours["files"]], [o for _, _, o in theirs["files"]])
        if offsets[0] != offsets[1]:
            problems.append(f"file offsets: tessera {offsets[0]}, libtorrent {offsets[1]}")
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)
    return ours, theirs


def transmission_size(value, base, units):
    """Transmission 3.00's formatter_get_size_str: the unit below the next
    one up (never plain bytes), two decimals under 100, else one."""
    unit, index = base, 0
    while index < len(units) - 1 and value >= unit * base:
        unit, index = unit * base, index + 1
    scaled = value / unit
    return f"{scaled:.{2 if scaled < 100 else 1}f} {units[index]}"


def tr_size(value):
    return transmission_size(value, 1000, ("kB", "MB", "GB", "TB"))


def tr_mem(value):
    return transmission_size(value, 1024, ("KiB", "MiB", "GiB", "TiB"))


def transmission_facts(path):
    """transmission-show's view, or None when it cannot parse the file."""
    result = run(["transmission-show", "-u", path], check=False)
    out = result.stdout.decode("utf-8", errors="replace")
    if result.returncode != 0 or "Error parsing" in out + result.stderr.decode(errors="replace"):
        return None
    sections = {}
    current = "HEAD"
    for line in out.splitlines():
        if re.fullmatch(r"[A-Z]+", line):
            current = line
            continue
        sections.setdefault(current, []).append(line)
    general = {}
    for line in sections.get("GENERAL", []):
        m = re.match(r"  ([A-Za-z ]+): ?(.*)$", line)
        if m:
            general[m.group(1)] = m.group(2)
    tiers = []
    for line in sections.get("TRACKERS", []):
        if line.startswith("  Tier #"):
            tiers.append([])
        elif line.strip():
            tiers[-1].append(line.strip())
    files = []
    for line in sections.get("FILES", []):
        m = re.match(r"  (.*) \(([^()]*)\)$", line)
        if m:
            files.append((m.group(1), m.group(2)))
    return {"general": general, "trackers": tiers, "files": files,
            "web_seeds": [line.strip() for line in sections.get("WEBSEEDS", []) if line.strip()]}


def compare_with_transmission(path, ours, pad_size, required=True):
    theirs = transmission_facts(path)
    if theirs is None:
        assert not required, f"transmission-show cannot parse {os.path.basename(path)}"
        return None
    g = theirs["general"]
    assert "Hash" in g and "Piece Count" in g and theirs["files"], f"cannot read transmission-show's output: {theirs}"
    problems = []

    def same(label, mine, theirs_value):
        if mine != theirs_value:
            problems.append(f"{label}: tessera {mine!r}, transmission-show {theirs_value!r}")

    same("Name", ours["name"], g.get("Name"))
    same("Hash", ours["info_hash"], g.get("Hash"))
    same("Created by", ours["created_by"] or "", g.get("Created by"))
    same("Comment", ours["comment"], g.get("Comment"))
    same("Piece Count", str(ours["piece_count"]), g.get("Piece Count"))
    same("Piece Size", tr_mem(ours["piece_length"]), g.get("Piece Size"))
    # Transmission 3.00 predates BEP 47: its total counts pad files.
    same("Total Size", tr_size(ours["total_size"] + pad_size), g.get("Total Size"))
    same("Privacy", "Private torrent" if ours["private"] else "Public torrent", g.get("Privacy"))
    same("trackers", ours["trackers"], theirs["trackers"])
    same("web seeds", ours["web_seeds"], theirs["web_seeds"])
    # -u keeps the torrent's order; pad files are listed by Transmission, not by us.
    their_files = [(p, s) for p, s in theirs["files"] if "/.pad/" not in p and not p.startswith(".pad/")]
    same("files", [(f["path"], tr_size(f["length"])) for f in ours["files"]], their_files)
    assert not problems, f"{os.path.basename(path)}:\n  " + "\n  ".join(problems)
    return theirs


def compare_magnets(path, ours, lt_view):
    """libtorrent's magnet read by tessera; tessera's magnet read by
    libtorrent; transmission-show's magnet (v1) read by tessera."""
    m = show_json(lt_view["magnet"])
    for key in ("info_hash", "info_hash_v2", "name"):
        assert m[key] == ours[key], f"libtorrent's magnet {lt_view['magnet']}: {key} {m[key]!r}, torrent {ours[key]!r}"
    assert sorted(sum(m["trackers"], [])) == sorted(sum(ours["trackers"], [])), (m["trackers"], ours["trackers"])
    atp = lt.parse_magnet_uri(ours["magnet"])
    hashes = atp.info_hashes
    got = (str(hashes.v1) if hashes.has_v1() else None, str(hashes.v2) if hashes.has_v2() else None)
    assert got == (ours["info_hash"], ours["info_hash_v2"]), f"tessera's magnet {ours['magnet']} reads as {got} in libtorrent"
    assert atp.name in (ours["name"], ""), (atp.name, ours["name"])
    assert set(atp.trackers) <= set(sum(ours["trackers"], [])), (atp.trackers, ours["trackers"])
    if ours["info_hash"] is not None and shutil.which("transmission-show"):
        result = run(["transmission-show", "-m", path], check=False)
        magnet = result.stdout.decode().strip()
        if result.returncode == 0 and magnet.startswith("magnet:"):
            m = show_json(magnet)
            assert m["info_hash"] == ours["info_hash"] and m["name"] == ours["name"], (magnet, m)
            assert m["web_seeds"] == ours["web_seeds"], (m["web_seeds"], ours["web_seeds"])


def compare_human_output(path, ours):
    result = run([CLI, "show", path])
    out = result.stdout.decode("utf-8")
    for needle in [ours["name"], ours["info_hash"] or ours["info_hash_v2"]] + \
            [f["path"].rsplit("/", 1)[-1] for f in ours["files"]]:
        assert needle in out, f"{needle!r} missing from the human output of {os.path.basename(path)}:\n{out}"


def check_all(path, transmission="required"):
    """Libtorrent, Transmission ('required', 'if-readable' or None),
    magnets and the human output, for one torrent made by a tool."""
    ours, theirs = compare_with_libtorrent(path)
    if transmission is not None:
        seen = compare_with_transmission(path, ours, theirs["pad_size"], required=transmission == "required")
        if seen is None:
            note(f"transmission-show 3.00 cannot read {os.path.basename(path)} "
                 f"({'v2-only' if ours['info_hash'] is None else 'hybrid'}); compared with libtorrent only")
    compare_magnets(path, ours, theirs)
    compare_human_output(path, ours)
    return ours, theirs


# ---------------------------------------------------------------------------
# The tools are there

def test_tools_present(d):
    missing = []
    for tool in ("mktorrent", "transmission-create", "transmission-show", "libtorrent"):
        try:
            need(tool)
        except AssertionError as e:
            missing.append(str(e))
    assert not missing, "\n".join(missing)
    version = run(["transmission-show", "--version"], check=False)
    note(f"libtorrent {lt.__version__}; {(version.stdout + version.stderr).decode().strip()}")


# ---------------------------------------------------------------------------
# mktorrent (v1)

MKTORRENT_CASES = [
    ("multi-file, 32 KiB pieces, 3 tiers, comment, web seed", "Payload",
     ["-l", "15", "-a", "http://t1.example/announce,http://t1b.example/announce",
      "-a", "udp://t2.example:6969/announce", "-a", "https://t3.example/announce",
      "-c", "comment ü ✓", "-w", "http://ws.example/files/"]),
    ("single file, 256 KiB pieces, private", "single",
     ["-l", "18", "-p", "-a", "http://private.example/announce?passkey=abc", "-c", "private comment"]),
    ("multi-file renamed, 1 MiB pieces, private, source", "Payload",
     ["-l", "20", "-p", "-n", "Renamed ✓", "-s", "SOURCE-TAG", "-a", "udp://t.example:80"]),
    ("tiny single file, no date, two web seeds", "tiny",
     ["-l", "15", "-d", "-a", "http://t.example/a", "-w", "http://w1.example/,http://w2.example/"]),
    ("multi-file, 64 KiB pieces", "Payload", ["-l", "16", "-a", "http://t.example/a"]),
    ("multi-file, 4 MiB pieces (one piece)", "Payload", ["-l", "22", "-a", "http://t.example/a"]),
]


def mktorrent_case(d, label, source, args):
    need("mktorrent", "libtorrent", "transmission-show")
    sources = make_data(d)
    out = os.path.join(d, "mk.torrent")
    run(["mktorrent", "-t", "1", "-o", out, *args, sources[source]])
    ours, _ = check_all(out)
    if "-d" in args:
        assert ours["creation_date"] is None, ours["creation_date"]
    if "-s" in args and "source" in ours:
        assert ours["source"] == args[args.index("-s") + 1], ours["source"]


# ---------------------------------------------------------------------------
# transmission-create (v1)

TRANSMISSION_CASES = [
    ("multi-file, 32 KiB pieces, 2 tiers, comment", "Payload",
     ["-s", "32", "-t", "http://t1.example/announce", "-t", "udp://t2.example:6969", "-c", "comment ✓"]),
    ("single file, 64 KiB pieces, private", "single", ["-s", "64", "-p", "-t", "udp://p.example:80/announce"]),
    ("tiny single file, 16 KiB pieces, no tracker", "tiny", ["-s", "16"]),
    ("multi-file, 1 MiB pieces, private", "Payload", ["-s", "1024", "-p", "-t", "https://t.example/a"]),
]


def transmission_case(d, label, source, args):
    need("transmission-create", "transmission-show", "libtorrent")
    sources = make_data(d)
    out = os.path.join(d, "tc.torrent")
    run(["transmission-create", "-o", out, *args, sources[source]])
    check_all(out)


# ---------------------------------------------------------------------------
# libtorrent: v1, v2 and hybrid

LT_TRACKERS = [("http://t1.example/announce", 0), ("http://t1b.example/announce", 0),
               ("udp://t2.example:6969", 1), ("https://t3.example/a", 2)]


def lt_create(source, out, piece_length, flags, private=False, comment=None, creator=None,
              trackers=LT_TRACKERS, web_seed=None, http_seed=None):
    fs = lt.file_storage()
    lt.add_files(fs, source)
    ct = lt.create_torrent(fs, piece_length, flags=flags)
    for url, tier in trackers:
        ct.add_tracker(url, tier)
    if private:
        ct.set_priv(True)
    if comment:
        ct.set_comment(comment)
    if creator:
        ct.set_creator(creator)
    if web_seed:
        ct.add_url_seed(web_seed)
    if http_seed:
        ct.add_http_seed(http_seed)
    lt.set_piece_hashes(ct, os.path.dirname(source))
    write(out, lt.bencode(ct.generate()))


def lt_cases():
    cases = []
    for kind in ("v1", "v2", "hybrid"):
        for source in ("Payload", "single", "tiny"):
            for piece in (16384, 65536, 1048576):
                cases.append((kind, source, piece))
    return cases


def lt_flags(kind):
    return {"v1": lt.create_torrent.v1_only, "v2": lt.create_torrent.v2_only, "hybrid": 0,
            "v1-canonical": lt.create_torrent.v1_only | lt.create_torrent.canonical_files}[kind]


def libtorrent_case(d, kind, source, piece):
    need("libtorrent", "transmission-show")
    sources = make_data(d)
    out = os.path.join(d, "lt.torrent")
    lt_create(sources[source], out, piece, lt_flags(kind), private=piece == 65536,
              comment=f"made by libtorrent ({kind}) ✓", creator="libtorrent test ✓",
              web_seed="http://ws.example/" if piece == 16384 else None)
    ours, theirs = check_all(out, transmission="required" if kind.startswith("v1") else "if-readable")
    assert (ours["info_hash"] is not None) == (kind != "v2"), ours["info_hash"]
    assert (ours["info_hash_v2"] is not None) == (kind != "v1" and kind != "v1-canonical"), ours["info_hash_v2"]
    if theirs["pad_size"]:
        note(f"{theirs['pad_size']} bytes of pad files left out, as expected")


# ---------------------------------------------------------------------------
# Hand-made edge cases: tessera against libtorrent and Transmission

def bencode(value):
    if isinstance(value, Raw):
        return bytes(value)
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        items = [(k.encode() if isinstance(k, str) else k, v) for k, v in value.items()]
        if not isinstance(value, Unsorted):
            items.sort(key=lambda kv: kv[0])
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(type(value))


class Raw(bytes):
    pass


class Unsorted(dict):
    pass


def pieces(n):
    return b"".join(hashlib.sha1(b"%d" % i).digest() for i in range(n))


def single(**changes):
    info = {"name": "x", "length": 5, "piece length": 16384, "pieces": pieces(1)}
    info.update({k.replace("_", " "): v for k, v in changes.items()})
    return info


def multi(files, **changes):
    total = sum(f.get("length", 0) for f in files)
    info = {"name": "m", "piece length": 16384, "pieces": pieces(-(-total // 16384)), "files": files}
    info.update(changes)
    return info


# (label, torrent, expectation). 'agree': libtorrent and tessera both read
# it and say the same. 'stricter': tessera may refuse what libtorrent
# reads (a choice, e.g. a path collision), 'lenient': tessera may read
# what libtorrent refuses; either way a note. 'hash-only': both read it,
# the references differ from each other on the details, so only the
# hashes and sizes must agree.
EDGE_CASES = [
    ("announce-list wins over announce", {"info": single(), "announce": "http://a.example/",
                                          "announce-list": [["http://b.example/"], ["http://c.example/"]]}, "agree"),
    ("empty tiers dropped", {"info": single(), "announce-list": [[], ["http://a.example/"], [], ["http://b.example/"]]}, "agree"),
    ("empty announce-list falls back to announce", {"info": single(), "announce": "http://a.example/",
                                                    "announce-list": []}, "agree"),
    ("announce-list of one empty tier falls back", {"info": single(), "announce": "http://a.example/",
                                                    "announce-list": [[]]}, "agree"),
    ("empty tracker URLs ignored", {"info": single(), "announce": "", "announce-list": [[""], ["http://b.example/"]]}, "agree"),
    ("duplicate trackers", {"info": single(), "announce-list": [["http://a.example/", "http://a.example/"],
                                                                ["http://a.example/", "http://b.example/"]]}, "hash-only"),
    ("url-list as one string", {"info": single(), "url-list": "http://w.example/x"}, "agree"),
    ("url-list empty string", {"info": single(), "url-list": ""}, "agree"),
    ("url-list with an empty item", {"info": single(), "url-list": ["", "http://w.example/"]}, "agree"),
    ("url-list with a non-string item", {"info": single(), "url-list": [1, "http://w.example/"]}, "agree"),
    ("private=1", {"info": single(private=1)}, "agree"),
    ("private=0", {"info": single(private=0)}, "agree"),
    ("private=2 (nonzero)", {"info": single(private=2)}, "agree"),
    ("private outside info is not private", {"info": single(), "private": 1}, "hash-only"),
    ("name.utf-8 preferred", {"info": single(**{"name.utf-8": "ütf ✓"})}, "agree"),
    ("path.utf-8 preferred", {"info": multi([{"length": 5, "path": ["a"], "path.utf-8": ["ü ✓"]}])}, "agree"),
    ("comment.utf-8 preferred", {"info": single(), "comment": "plain", "comment.utf-8": "ütf ✓"}, "agree"),
    ("piece length not a power of two (v1)", {"info": single(length=25000, piece_length=10000, pieces=pieces(3))}, "agree"),
    ("piece length 1", {"info": single(length=100, piece_length=1, pieces=pieces(100))}, "agree"),
    ("piece length 3 MiB", {"info": single(length=5, piece_length=3 * 2 ** 20)}, "agree"),
    ("info keys out of order", {"info": Unsorted([("piece length", 16384), ("name", "y"), ("pieces", pieces(1)),
                                                  ("length", 5)])}, "agree"),
    ("unknown keys inside info", {"info": single(**{"x-custom": {"a": [1, "b"]}})}, "agree"),
    ("pad file at the end", {"info": multi([{"length": 1, "path": ["a"]},
                                            {"length": 16383, "path": [".pad", "16383"], "attr": "p"}])}, "agree"),
    ("pad files between files", {"info": multi([{"length": 1, "path": ["a"]},
                                                 {"length": 16383, "path": [".pad", "16383"], "attr": "p"},
                                                 {"length": 16384, "path": ["b"]}, {"length": 3, "path": ["c"]}])}, "agree"),
    ("attributes x and h", {"info": multi([{"length": 1, "path": ["a"], "attr": "x"},
                                           {"length": 1, "path": ["b"], "attr": "h"}])}, "agree"),
    ("'..' components dropped", {"info": multi([{"length": 1, "path": ["..", "a"]}])}, "agree"),
    ("negative creation date", {"info": single(), "creation date": -5}, "agree"),
    ("creation date 0", {"info": single(), "creation date": 0}, "agree"),
    ("announce is an integer", {"info": single(), "announce": 5}, "agree"),
    ("announce-list is a string", {"info": single(), "announce-list": "http://a.example/"}, "agree"),
    ("comment is an integer", {"info": single(), "comment": 5}, "agree"),
    ("a tier that is a string", {"info": single(), "announce-list": ["http://a.example/", ["http://b.example/"]]}, "hash-only"),
    ("empty path component", {"info": multi([{"length": 5, "path": ["a", ""]}])}, "hash-only"),
    # Issue 20: refused as libtorrent and Transmission refuse them.
    ("zero-length single file", {"info": single(length=0, pieces=b"")}, "agree"),
    ("all files empty", {"info": multi([{"length": 0, "path": ["a"]}, {"length": 0, "path": ["b"]}])}, "agree"),
    # Issue 20 (BEP 47): refused; libtorrent and transmission-show read it as 0 files.
    ("padding only", {"info": multi([{"length": 16384, "path": [".pad", "16384"], "attr": "p"}])}, "stricter"),
    # Issue 20: renamed as libtorrent does (name.1.ext).
    ("two files with one path", {"info": multi([{"length": 1, "path": ["a.txt"]}, {"length": 1, "path": ["a.txt"]}])},
     "agree"),
    ("BEP 47 symlink without length", {"info": multi([{"length": 5, "path": ["a"]},
                                                      {"attr": "l", "path": ["link"], "symlink path": ["a"]}])},
     "agree"),
    ("v2 tree out of order", Raw(b"d4:infod9:file treed1:bd0:d6:lengthi5e11:pieces root32:" + b"S" * 32 +
                                 b"ee1:ad0:d6:lengthi5e11:pieces root32:" + b"R" * 32 +
                                 b"eee12:meta versioni2e4:name1:T12:piece lengthi16384eee"), "agree"),
    ("v2 all-zero pieces root", Raw(b"d4:infod9:file treed1:ad0:d6:lengthi5e11:pieces root32:" + bytes(32) +
                                    b"eee12:meta versioni2e4:name1:T12:piece lengthi16384eee"), "agree"),
    ("v2 symlink", Raw(b"d4:infod9:file treed1:ad0:d6:lengthi5e11:pieces root32:" + b"R" * 32 +
                       b"ee4:linkd0:d4:attr1:l12:symlink pathl1:aeeee12:meta versioni2e4:name1:T"
                       b"12:piece lengthi16384eee"), "agree"),
    ("hybrid single file, names differ", Raw(b"d4:infod9:file treed5:y.bind0:d6:lengthi5e11:pieces root32:" + b"R" * 32
                                             + b"eee6:lengthi5e12:meta versioni2e4:name5:x.bin12:piece lengthi16384e"
                                             + b"6:pieces20:" + pieces(1) + b"ee"), "agree"),
    ("a file where a folder is", {"info": multi([{"length": 1, "path": ["a"]}, {"length": 1, "path": ["a", "b"]}])}, "stricter"),
    ("both length and files", {"info": dict(multi([{"length": 5, "path": ["a"]}]), length=5)}, "stricter"),
    # Issue 20: a folder named "..", "." or nothing is the info hash in hex,
    # as libtorrent does; for an empty name alone libtorrent says "_".
    # (show's "name" is the name as given; "save_name" and the paths carry the hash.)
    ("name .., multi-file", {"info": multi([{"length": 5, "path": ["a"]}], name="..")}, "hash-only"),
    ("empty name, multi-file", {"info": multi([{"length": 5, "path": ["a"]}], name="")}, "hash-only"),
    # Issue 20: bytes after the torrent are ignored, as libtorrent does.
    ("trailing data after the torrent", Raw(bencode({"info": single()}) + b"junk"), "agree"),
    ("trailing newline after the torrent", Raw(bencode({"info": single()}) + b"\n"), "agree"),
    ("piece length 2^40", {"info": single(piece_length=2 ** 40)}, "agree"),
    ("empty name, single file", {"info": single(name="")}, "agree"),
    ("pieces of 19 bytes", {"info": single(pieces=b"a" * 19)}, "agree"),
    ("too few pieces", {"info": single(length=40000)}, "agree"),
]


def tessera_read(path):
    result = run([CLI, "show", "--json", path], check=False)
    stderr = result.stderr.decode(errors="replace")
    assert "AddressSanitizer" not in stderr and "runtime error:" not in stderr and result.returncode in (0, 1), \
        f"status {result.returncode}: {stderr[:2000]}"
    if result.returncode:
        return None, stderr.strip()
    return json.loads(result.stdout.decode("utf-8")), None


def lt_read(path):
    try:
        return lt_facts(path), None
    except RuntimeError as e:
        return None, str(e)


def normalized(facts):
    """Both views in common terms: libtorrent keeps duplicate trackers and
    percent-encodes web seeds; tessera keeps each tracker once."""
    seen, tiers = set(), []
    for tier in facts["trackers"]:
        tier = [u for u in tier if not (u in seen or seen.add(u))]
        if tier:
            tiers.append(sorted(tier))
    return {
        "name": facts["name"], "info_hash": facts["info_hash"], "info_hash_v2": facts["info_hash_v2"],
        "piece_length": facts["piece_length"], "piece_count": facts["piece_count"],
        "total_size": facts["total_size"], "private": facts["private"], "trackers": tiers,
        "web_seeds": [urllib.parse.unquote(u) for u in facts["web_seeds"]],
        "files": [tuple(f[:2]) if isinstance(f, tuple) else (f["path"], f["length"]) for f in facts["files"]],
        "comment": facts["comment"], "created_by": facts["created_by"],
        "creation_date": facts["creation_date"] if facts["creation_date"] and facts["creation_date"] > 0 else None,
    }


def edge_case(d, label, torrent, expectation):
    need("libtorrent", "transmission-show")
    path = os.path.join(d, "edge.torrent")
    write(path, bytes(torrent) if isinstance(torrent, Raw) else bencode(torrent))
    ours, our_error = tessera_read(path)
    theirs, their_error = lt_read(path)
    transmission = transmission_facts(path)
    verdicts = (f"tessera {'reads it' if ours else 'refuses it (' + our_error + ')'}; "
                f"libtorrent {'reads it' if theirs else 'refuses it (' + their_error + ')'}; "
                f"transmission-show {'reads it' if transmission else 'refuses it'}")
    if (ours is None) != (theirs is None):
        allowed = (expectation == "stricter" and ours is None) or (expectation == "lenient" and ours is not None)
        assert allowed, f"disagreement: {verdicts}"
        note(verdicts)
    if ours is None or theirs is None:
        return
    a, b = normalized(ours), normalized(theirs)
    keys = ("info_hash", "info_hash_v2", "piece_count", "total_size") if expectation == "hash-only" else a.keys()
    problems = [f"{k}: tessera {a[k]!r}, libtorrent {b[k]!r}" for k in keys if a[k] != b[k]]
    assert not problems, "\n  ".join([verdicts] + problems)
    if expectation == "hash-only":
        others = [f"{k}: tessera {a[k]!r}, libtorrent {b[k]!r}" for k in a if a[k] != b[k]]
        if others:
            note("; ".join(others))
    # Transmission is the second opinion: where libtorrent already agrees
    # with tessera, its differences are notes (Transmission 3.00 hashes a
    # re-encoded info dictionary, so unsorted keys change its hash).
    if transmission is not None:
        g = transmission["general"]
        if g.get("Hash") != ours["info_hash"]:
            note(f"info hash: tessera and libtorrent {ours['info_hash']}, transmission-show {g.get('Hash')}")
        if (g.get("Privacy") == "Private torrent") != ours["private"]:
            note(f"private: tessera {ours['private']}, transmission-show {g.get('Privacy')!r}")


# ---------------------------------------------------------------------------
# --raw against libtorrent's decoder

def test_raw_against_bdecode(d):
    need("libtorrent")
    sources = make_data(d)
    out = os.path.join(d, "hybrid.torrent")
    lt_create(sources["Payload"], out, 16384, 0, comment="raw ✓")
    with open(out, "rb") as f:
        decoded = lt.bdecode(f.read())
    result = run([CLI, "show", "--raw", out])
    text = result.stdout.decode("utf-8")
    keys = set(decoded) | set(decoded[b"info"])
    for key in keys:
        assert key.decode() in text, f"key {key!r} missing from --raw output"
    for value in (b"raw \xe2\x9c\x93", b"Payload", str(decoded[b"creation date"]).encode(),
                  str(decoded[b"info"][b"piece length"]).encode()):
        assert value.decode() in text, f"{value!r} missing from --raw output"


def main():
    if not CLI or not os.access(CLI, os.X_OK):
        print("Bail out! TESSERA_CLI is not set to the built tessera-cli")
        sys.exit(1)

    def in_temp_dir(function, *args):
        with tempfile.TemporaryDirectory(prefix="tsr-show-interop-") as d:
            function(d, *args)

    tap.check("tools: mktorrent, transmission-cli, python3-libtorrent", in_temp_dir, test_tools_present)
    for label, source, args in MKTORRENT_CASES:
        tap.check(f"mktorrent: {label}", in_temp_dir, mktorrent_case, label, source, args)
    for label, source, args in TRANSMISSION_CASES:
        tap.check(f"transmission-create: {label}", in_temp_dir, transmission_case, label, source, args)
    if lt is not None:
        for kind, source, piece in lt_cases() + [("v1-canonical", "Payload", 16384), ("v1-canonical", "Payload", 65536)]:
            tap.check(f"libtorrent: {kind}, {source}, {piece // 1024} KiB pieces", in_temp_dir,
                      libtorrent_case, kind, source, piece)
    else:
        tap.check("libtorrent: v1, v2 and hybrid torrents", in_temp_dir, lambda d: need("libtorrent"))
    for label, torrent, expectation in EDGE_CASES:
        tap.check(f"edge ({expectation}): {label}", in_temp_dir, edge_case, label, torrent, expectation)
    tap.check("--raw shows every key libtorrent decodes", in_temp_dir, test_raw_against_bdecode)
    tap.finish()


if __name__ == "__main__":
    main()
