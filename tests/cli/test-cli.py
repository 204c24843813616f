#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tessera-cli as a user meets it: show, create and verify on torrents and
data made here field by field, hostile files, and GNU option handling."""

import hashlib
import json
import os
import stat
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, bencode, cli, info_hash, need_cli, pseudo_random, read_terminal, run, write  # noqa: E402

need_cli()
tap = Tap()


def show_json(path):
    result = cli("show", "--json", path)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def assert_clean_failure(result, mentions=None):
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode == 1, f"status {result.returncode}, stderr {stderr!r}"
    assert result.stdout == b"", f"stdout not empty: {result.stdout[:200]!r}"
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tessera-cli: "), f"not one error line: {stderr!r}"
    assert "AddressSanitizer" not in stderr and "runtime error" not in stderr
    if mentions:
        assert mentions in stderr, f"{mentions!r} not in {stderr!r}"


# ---------------------------------------------------------------------------
# show

def single_file_torrent():
    info = {"name": "Big Buck Bunny.mkv", "length": 100000, "piece length": 16384,
            "pieces": bytes(range(20)) * 7, "private": 1}
    return {"info": info, "announce": "http://ignored.example/announce",
            "announce-list": [["http://a.example/announce", "udp://b.example:6969"],
                              ["http://a.example/announce"], [], ["https://c.example/announce"]],
            "url-list": "http://seed.example/bbb.mkv", "comment": "Comment ünïcode",
            "created by": "hand 1.0", "creation date": 1700000000}, info


def test_show_single(d):
    torrent, info = single_file_torrent()
    path = os.path.join(d, "single.torrent")
    write(path, bencode(torrent))
    j = show_json(path)
    assert j["name"] == "Big Buck Bunny.mkv"
    assert j["info_hash"] == info_hash(info)
    assert j["info_hash_v2"] is None
    assert j["piece_length"] == 16384 and j["piece_count"] == 7 and j["total_size"] == 100000
    assert j["private"] is True
    # BEP 12: announce-list wins; duplicates and empty tiers are dropped.
    assert j["trackers"] == [["http://a.example/announce", "udp://b.example:6969"],
                             ["https://c.example/announce"]], j["trackers"]
    assert j["web_seeds"] == ["http://seed.example/bbb.mkv"]
    assert j["files"][0]["path"] == "Big Buck Bunny.mkv" and j["files"][0]["length"] == 100000
    assert len(j["files"]) == 1
    assert j["comment"] == "Comment ünïcode" and j["created_by"] == "hand 1.0"
    assert j["creation_date"] == 1700000000
    assert j["magnet"].startswith("magnet:?xt=urn:btih:" + info_hash(info))
    # For people: name, hash and file are there.
    text = cli("show", path, check=True).stdout.decode()
    assert "Big Buck Bunny.mkv" in text and info_hash(info) in text and "udp://b.example:6969" in text


def test_show_multi(d):
    info = {"name": "Album", "piece length": 16384, "pieces": b"\1" * 60, "files": [
        {"length": 10, "path": ["Ωmega", "naïve café.txt"]},
        {"length": 16374, "path": [".pad", "16374"], "attr": "p"},
        {"length": 0, "path": ["empty"]},
        {"length": 20000, "path": ["sub", "dir", "日本語.bin"]},
    ]}
    path = os.path.join(d, "multi.torrent")
    write(path, bencode({"info": info, "url-list": ["http://s1/", "http://s2/"]}))
    j = show_json(path)
    assert j["info_hash"] == info_hash(info)
    assert j["total_size"] == 20010, j["total_size"]
    assert [(f["path"], f["length"]) for f in j["files"]] == [
        ("Album/Ωmega/naïve café.txt", 10), ("Album/empty", 0), ("Album/sub/dir/日本語.bin", 20000)]
    assert j["web_seeds"] == ["http://s1/", "http://s2/"]
    assert j["trackers"] == [] and j["private"] is False and j["creation_date"] is None


def test_show_hostile_paths(d):
    info = {"name": "T", "piece length": 16384, "pieces": b"\1" * 20, "files": [
        {"length": 1, "path": ["..", "..", "etc", "passwd"]},
        {"length": 1, "path": ["a/b\\c"]},
        {"length": 1, "path": ["CON"]},
    ]}
    path = os.path.join(d, "hostile.torrent")
    write(path, bencode({"info": info}))
    j = show_json(path)
    saved = [f["path"] for f in j["files"]]
    assert saved == ["T/etc/passwd", "T/a_b_c", "T/_CON"], saved
    for p in saved:
        assert ".." not in p.split("/") and not p.startswith("/")
    assert j["files"][0]["display_path"] == "T/../../etc/passwd"


def malformed_cases(d):
    valid = bencode({"info": {"name": "x", "length": 5, "piece length": 16384, "pieces": b"a" * 20}})
    cases = {
        "empty": b"",
        "not-bencode": b"hello world",
        "truncated-1": valid[:1],
        "truncated-half": valid[: len(valid) // 2],
        "truncated-last": valid[:-1],
        "trailing": valid + b"x",
        "info-not-dict": bencode({"info": 5}),
        "pieces-not-20": bencode({"info": {"name": "x", "length": 5, "piece length": 16384, "pieces": b"a" * 19}}),
        "wrong-piece-count": bencode({"info": {"name": "x", "length": 40000, "piece length": 16384, "pieces": b"a" * 20}}),
        "negative-length": bencode({"info": {"name": "x", "length": -5, "piece length": 16384, "pieces": b""}}),
        "random": pseudo_random(4096, 1),
        "deep": b"l" * 100000 + b"e" * 100000,
        "huge-string": b"99999999999999999999:abc",
        "leading-zero": b"d4:infod6:lengthi05eee",
    }
    for name, data in cases.items():
        path = os.path.join(d, name + ".torrent")
        write(path, data)
        yield name, path


def test_show_malformed(d):
    # Bytes after the torrent are ignored as libtorrent and Transmission do
    # (issue 20), so "trailing" fails only with --strict; a name of ".." is
    # replaced by the info hash (test-cli-show.py checks both).
    for name, path in malformed_cases(d):
        strict = ("--strict",) if name == "trailing" else ()
        result = cli("show", *strict, path, timeout=20)
        try:
            assert_clean_failure(result)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}")
        result = cli("show", "--json", *strict, path, timeout=20)
        assert_clean_failure(result)


def test_show_not_files(d):
    assert_clean_failure(cli("show", os.path.join(d, "missing.torrent")), "missing.torrent")
    assert_clean_failure(cli("show", d))
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo)
    # A FIFO with no writer must not hang the reader.
    assert_clean_failure(cli("show", fifo, timeout=20))


def test_show_raw(d):
    torrent, _ = single_file_torrent()
    path = os.path.join(d, "raw.torrent")
    write(path, bencode(torrent))
    out = cli("show", "--raw", path, check=True).stdout.decode()
    for key in ('"announce-list"', '"info"', '"piece length": 16384', '"pieces": <140 bytes:'):
        assert key in out, key
    write(os.path.join(d, "list.bin"), b"li1ei2ee")
    assert cli("show", "--raw", os.path.join(d, "list.bin"), check=True).stdout.decode() == "[\n  1\n  2\n]\n"
    write(os.path.join(d, "text.txt"), b"not bencode")
    assert_clean_failure(cli("show", "--raw", os.path.join(d, "text.txt")), "text.txt")


def test_show_magnet(d):
    h = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
    j = json.loads(cli("show", "--json", f"magnet:?xt=urn:btih:{h}&dn=x&tr=udp%3A%2F%2Ft%3A1%2Fa", check=True).stdout)
    assert j["info_hash"] == h and j["name"] == "x" and j["trackers"] == [["udp://t:1/a"]]
    assert j["files"] == [] and j["total_size"] is None
    j = json.loads(cli("show", "--json", "magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK", check=True).stdout)
    assert j["info_hash"] == h and j["name"] is None
    v2 = "d8dd32ac93357c368556af3ac1d95c9d76bd0dff6fa9833ecdac3d53134efabb"
    j = json.loads(cli("show", "--json", f"magnet:?xt=urn:btmh:1220{v2}", check=True).stdout)
    assert j["info_hash_v2"] == v2 and j["info_hash"] is None
    assert_clean_failure(cli("show", "magnet:?dn=nohash"))
    assert_clean_failure(cli("show", "magnet:?xt=urn:btih:123"))


def test_gnu_options(d):
    result = cli("--help")
    assert result.returncode == 0 and b"show" in result.stdout and b"create" in result.stdout
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith(b"tessera-cli 0.1.0")
    for command in ("show", "create", "verify"):
        result = cli(command, "--help")
        assert result.returncode == 0 and b"Usage:" in result.stdout, command
    result = cli("frobnicate")
    assert result.returncode == 1 and b"frobnicate" in result.stderr and result.stdout == b""
    result = cli("show", "--no-such-option", "x")
    assert result.returncode == 1 and b"no-such-option" in result.stderr
    result = cli("show")
    assert result.returncode == 1
    assert cli().returncode == 1


# ---------------------------------------------------------------------------
# create and verify

def make_data(d):
    root = os.path.join(d, "data")
    write(os.path.join(root, "big.bin"), pseudo_random(300000, 1))
    write(os.path.join(root, "sub", "small.txt"), b"hello\n" * 100)
    write(os.path.join(root, "sub", "zero"), b"")
    write(os.path.join(root, "notes.part"), b"partial")
    return root


def test_create_basic(d):
    root = make_data(d)
    out = os.path.join(d, "data.torrent")
    result = cli("create", "-q", "-p", "32k", "-t", "http://a.example/announce,udp://b.example:80",
                 "-t", "https://c.example/announce", "-w", "http://ws.example/", "--private",
                 "-c", "a comment", "-s", "SRC", "--exclude", "*.part", "-o", out, root)
    assert result.returncode == 0, result.stderr
    j = show_json(out)
    assert j["name"] == "data" and j["piece_length"] == 32768 and j["private"] is True
    assert j["trackers"] == [["http://a.example/announce", "udp://b.example:80"], ["https://c.example/announce"]]
    assert j["web_seeds"] == ["http://ws.example/"] and j["comment"] == "a comment" and j["source"] == "SRC"
    assert [f["path"] for f in j["files"]] == ["data/big.bin", "data/sub/small.txt", "data/sub/zero"]
    assert j["created_by"].startswith("Tessera") and isinstance(j["creation_date"], int)
    # The default output name and the refusal to overwrite.
    result = cli("create", "-q", "-o", out, root)
    assert_clean_failure(result, "--force")
    assert cli("create", "-q", "--force", "-o", out, root).returncode == 0
    elsewhere = os.path.join(d, "elsewhere")
    os.mkdir(elsewhere)
    result = cli("create", "-q", root, cwd=elsewhere)
    assert result.returncode == 0 and os.path.exists(os.path.join(elsewhere, "data.torrent"))


def test_create_reproducible(d):
    root = make_data(d)
    outputs = []
    for n, threads in enumerate(("1", "2")):
        out = os.path.join(d, f"r{n}.torrent")
        cli("create", "-q", "--no-date", "--no-creator", "--threads", threads, "-o", out, root, check=True)
        outputs.append(open(out, "rb").read())
    assert outputs[0] == outputs[1]
    j = show_json(os.path.join(d, "r0.torrent"))
    assert j["created_by"] is None and j["creation_date"] is None


def test_create_formats_verify(d):
    root = make_data(d)
    for fmt in ("--v1", "--v2", "--hybrid"):
        out = os.path.join(d, fmt.strip("-") + ".torrent")
        result = cli("create", "--json", fmt, "-p", "16k", "-o", out, root)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        j = show_json(out)
        assert summary["info_hash"] == j["info_hash"] and summary["info_hash_v2"] == j["info_hash_v2"]
        assert (j["info_hash"] is not None) == (fmt != "--v2")
        assert (j["info_hash_v2"] is not None) == (fmt != "--v1")
        result = cli("verify", "--json", "-d", d, out)
        assert result.returncode == 0, result.stdout
        report = json.loads(result.stdout)
        assert report["ok"] and report["bad"] == 0 and report["missing"] == 0
        assert report["good"] == j["piece_count"]


def test_verify_reports_damage(d):
    root = make_data(d)
    out = os.path.join(d, "v.torrent")
    cli("create", "-q", "-p", "16k", "--hybrid", "-o", out, root, check=True)
    j = show_json(out)
    big = next(f for f in j["files"] if f["path"] == "data/big.bin")
    with open(os.path.join(root, "big.bin"), "r+b") as f:
        f.seek(200000)
        byte = f.read(1)
        f.seek(200000)
        f.write(bytes([byte[0] ^ 0xFF]))
    os.remove(os.path.join(root, "sub", "small.txt"))
    result = cli("verify", "--json", "-d", d, out)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["bad_pieces"] == [(big["offset"] + 200000) // 16384], report["bad_pieces"]
    status = {f["path"]: f["status"] for f in report["files"]}
    assert status == {"data/big.bin": "incomplete", "data/notes.part": "complete",
                      "data/sub/small.txt": "missing", "data/sub/zero": "complete"}, status
    text = cli("verify", "-d", d, out).stdout.decode()
    assert "1 bad" in text and "missing" in text


def test_create_rejects(d):
    root = make_data(d)
    assert_clean_failure(cli("create", "-q", "-t", "ftp://x/", "-o", os.path.join(d, "x.torrent"), root), "ftp://x/")
    assert cli("create", "-q", "--force", "-t", "ftp://x/", "-o", os.path.join(d, "x.torrent"), root).returncode == 0
    assert_clean_failure(cli("create", "-q", "-p", "1000", root), "1000")
    assert_clean_failure(cli("create", "-q", "-p", "128m", root), "128m")
    assert_clean_failure(cli("create", "-q", os.path.join(d, "nothing-here")))
    empty = os.path.join(d, "empty-folder")
    os.mkdir(empty)
    assert_clean_failure(cli("create", "-q", empty))
    assert cli("create", "-q", "--v1", "--v2", root).returncode == 1
    assert_clean_failure(cli("verify", "-d", os.path.join(d, "no-dir"), os.path.join(d, "x.torrent")))


def test_create_magnet(d):
    root = make_data(d)
    out = os.path.join(d, "m.torrent")
    result = cli("create", "-q", "--magnet", "--name", "Renamed", "-o", out, root)
    assert result.returncode == 0
    magnet = result.stdout.decode().strip()
    j = show_json(out)
    assert magnet == j["magnet"] and "dn=Renamed" in magnet and j["name"] == "Renamed"


def test_progress_on_a_terminal(d):
    """On a terminal create and verify draw a progress bar on stderr; through
    a pipe (every other test) they print none."""
    import pty
    import subprocess
    root = os.path.join(d, "data")
    write(os.path.join(root, "big.bin"), pseudo_random(20 * 1024 * 1024, 9))
    out = os.path.join(d, "p.torrent")
    for args in (["create", "-p", "16k", "-o", out, root], ["verify", "-d", d, out]):
        main, side = pty.openpty()
        process = subprocess.Popen([os.environ["TESSERA_CLI"], *args], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=side)
        os.close(side)
        try:
            text = read_terminal(main, 30)
        except AssertionError:
            process.kill()
            raise
        assert process.wait(timeout=30) == 0
        assert "[" in text and "100%" in text and "/s" in text, text
    piped = cli("create", "-f", "-p", "16k", "-o", out, root)
    assert b"%" not in piped.stderr, piped.stderr


def test_raises_the_open_file_limit(d):
    """Each peer and open file holds a descriptor: started under the usual
    soft limit of 1024, tessera-cli raises it to the hard limit (or 65536)."""
    import resource
    import subprocess
    from tsrtest import CLI
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard > 1024, f"the hard limit here ({hard}) leaves nothing to raise"

    def lower():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
    process = subprocess.Popen([CLI, "tracker", "--listen", "127.0.0.1:0", "--json-events"], cwd=d,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=lower)
    try:
        line = process.stdout.readline()
        assert json.loads(line)["event"] == "listening", line
        with open(f"/proc/{process.pid}/limits") as f:
            row = next(r for r in f if r.startswith("Max open files"))
        now = int(row.split()[3])
        assert now == min(hard, 65536), f"soft limit {now}, hard {hard}: {row!r}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def test_peer_sigterm_right_after_listening(d):
    """Whoever reads "listening" may stop the peer at once: SIGTERM while
    its torrents are still being added ends in a clean stop (status 0 and
    a "stopped" event), not in death by the signal."""
    import random
    import signal
    import subprocess
    from tsrtest import CLI
    rng = random.Random(7)
    torrents = []
    for i in range(40):
        info = {"name": f"t{i}.bin", "length": 4000 * 16384, "piece length": 16384,
                "pieces": bytes(rng.getrandbits(8) for _ in range(20 * 4000))}
        path = os.path.join(d, f"t{i}.torrent")
        write(path, bencode({"info": info}))
        torrents.append(path)
    empty = os.path.join(d, "empty")
    os.mkdir(empty)
    for attempt in range(3):
        process = subprocess.Popen([CLI, "peer", "-d", empty, "-p", "0", "--bind", "127.0.0.1", "--no-tracker",
                                    "--no-dht", "--no-lsd", "--no-port-map", "--json-events",
                                    "--state", os.path.join(d, f"state{attempt}"), *torrents],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = process.stdout.readline()
            assert json.loads(line)["event"] == "listening", line
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert process.returncode == 0, f"status {process.returncode}: {err[-500:]!r}"
        events = [json.loads(x)["event"] for x in out.splitlines() if x.strip()]
        assert "stopped" in events, events[-5:]


def test_peer_magnet_warnings(d):
    # BEP 9 needs only xt: a malformed x.pe and so are skipped, each told
    # as a magnet-warning event, and the torrent is added all the same.
    import signal
    import subprocess
    import time
    from tsrtest import CLI
    h = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
    empty = os.path.join(d, "empty")
    os.mkdir(empty)
    process = subprocess.Popen([CLI, "peer", "-d", empty, "-p", "0", "--bind", "127.0.0.1", "--no-tracker",
                                "--no-dht", "--no-lsd", "--no-port-map", "--json-events", "--state",
                                os.path.join(d, "state"), f"magnet:?xt=urn:btih:{h}&x.pe=-4&so=7-4&dn=w"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    events = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and sum(e["event"] == "magnet-warning" for e in events) < 2:
            line = process.stdout.readline()
            if not line:
                break
            events.append(json.loads(line))
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    warnings = [e for e in events if e["event"] == "magnet-warning"]
    assert len(warnings) == 2, events
    assert all(e["torrent"] == h for e in warnings), warnings
    assert any("-4" in e["message"] for e in warnings) and any("7-4" in e["message"] for e in warnings), warnings


def test_peer_blocklist(d):
    """--blocklist FILE (repeatable, gzip too) loads the merged lists and
    tells a "blocklist" event with the ranges and the malformed lines; a
    missing file is an error line, and the peer runs on."""
    import gzip
    import signal
    import subprocess
    from tsrtest import CLI
    info = {"name": "b.bin", "length": 16384, "piece length": 16384, "pieces": bytes(20)}
    torrent = os.path.join(d, "b.torrent")
    write(torrent, bencode({"info": info}))
    p2p = os.path.join(d, "level1.p2p")
    write(p2p, b"# comment\none:1.2.3.0-1.2.3.255\ntwo:1.2.4.0-1.2.4.9\nnot a range\n")
    dat = os.path.join(d, "ipfilter.dat.gz")
    write(dat, gzip.compress(b"010.000.000.000 - 010.255.255.255 , 000 , ten\n"
                             b"011.000.000.000 - 011.255.255.255 , 200 , allowed\n"))
    empty = os.path.join(d, "empty")
    os.mkdir(empty)

    def peer(*lists):
        args = [CLI, "peer", "-d", empty, "-p", "0", "--bind", "127.0.0.1", "--no-tracker", "--no-dht",
                "--no-lsd", "--no-port-map", "--json-events", "--state", os.path.join(d, "state")]
        for path in lists:
            args += ["--blocklist", path]
        return subprocess.Popen(args + [torrent], stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    process = peer(p2p, dat)
    try:
        events = read_events(process, lambda e: any(x["event"] == "blocklist" for x in e), 20)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    told = [e for e in events if e["event"] == "blocklist"]
    assert told, [e["event"] for e in events]
    # 1.2.3.0/24 and 1.2.4.0-9 are adjacent: one range; 10/8 another; 11/8 allowed.
    assert told[0]["ranges"] == 2 and told[0]["malformed"] == 1, told[0]
    assert told[0]["ipv4-addresses"] == 256 + 10 + (1 << 24), told[0]

    process = peer(os.path.join(d, "missing.p2p"))
    try:
        read_events(process, lambda e: any(x["event"] == "listening" for x in e), 20)
        import time
        time.sleep(1)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert b"blocklist was not loaded" in err and b"missing.p2p" in err, err


def read_events(process, until, deadline_seconds):
    """JSON events from @process's stdout until until(events) holds."""
    import time
    events = []
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline and not until(events):
        line = process.stdout.readline()
        if not line:
            break
        events.append(json.loads(line))
    return events


def wait_for_event(path, name, seconds=30):
    """The first event @name in the JSON lines a process writes to @path."""
    import time
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(path) as f:
            for line in f:
                if line.strip() and json.loads(line)["event"] == name:
                    return json.loads(line)
                if line.strip() and json.loads(line).get("state") == name:
                    return json.loads(line)
        time.sleep(0.1)
    raise AssertionError(f"no {name} event in {open(path).read()[-2000:]!r}")


def test_peer_library(d):
    """`peer --library DIR` runs the torrents of a library in the app's
    layout (torrents.json, torrents/HASH.torrent, resume/), written here
    as the app writes it: each with its folder, file priorities, limits
    and paused state. A first run stopped part way through a download from
    a local seed leaves resume records; the second resumes from them (no
    check), fetches only the rest and only the files chosen, and the
    index keeps what it held."""
    import signal
    import subprocess
    from tsrtest import CLI
    quiet = ["-p", "0", "--bind", "127.0.0.1", "--no-tracker", "--no-dht", "--no-lsd", "--no-port-map",
             "--json-events"]
    source = os.path.join(d, "source")
    # 100 pieces of 16 KiB wanted; skip.bin's 13 pieces are not.
    write(os.path.join(source, "pack", "a-big.bin"), pseudo_random(100 * 16384, 11))
    write(os.path.join(source, "pack", "b-skip.bin"), pseudo_random(200000, 12))
    write(os.path.join(source, "other", "o.bin"), pseudo_random(40000, 13))
    paths = {}
    hashes = {}
    for name in ("pack", "other"):
        paths[name] = os.path.join(d, name + ".torrent")
        # A tracker that refuses: with --no-tracker it is never asked.
        cli("create", "-q", "-p", "16k", "--v1", "-t", "http://127.0.0.1:9/announce", "-o", paths[name],
            os.path.join(source, name), check=True)
        hashes[name] = show_json(paths[name])["info_hash"]
    library = os.path.join(d, "library")
    downloads = os.path.join(d, "downloads")
    for name in ("pack", "other"):
        with open(paths[name], "rb") as f:
            write(os.path.join(library, "torrents", hashes[name] + ".torrent"), f.read())
    limits = {"up-rate": 1000, "down-rate": 2000, "up-total": 3000, "down-total": 4000, "ratio": 1.5}
    index = {"torrents": [
        {"hash": hashes["pack"], "folder": downloads, "paused": False, "priorities": [1, 0]},
        {"hash": hashes["other"], "folder": downloads, "paused": True, "limits": limits},
    ]}
    write(os.path.join(library, "torrents.json"), json.dumps(index).encode())

    # Misuse fails with a reason.
    assert_clean_failure(cli("peer", "--library", library, "--state", os.path.join(d, "s"), *quiet), "--library")
    empty = cli("peer", "--library", os.path.join(d, "no-library"), *quiet, timeout=30)
    assert empty.returncode == 1 and b"no-library" in empty.stderr, empty.stderr

    seed_log = os.path.join(d, "seed.log")
    with open(seed_log, "wb") as log:
        seed = subprocess.Popen([CLI, "peer", "-d", source, *quiet, "--state", os.path.join(d, "seed-state"),
                                 "--up-rate", "300k", paths["pack"]], stdout=log, stderr=subprocess.STDOUT)
    try:
        listening = wait_for_event(seed_log, "listening")
        port = listening["port"]
        # The DHT, the UDP trackers and uTP share one UDP port: the TCP
        # port's number when it was free for UDP, said either way.
        assert isinstance(listening["udp-port"], int) and listening["udp-port"] > 0, listening
        wait_for_event(seed_log, "seeding")
        leech = [CLI, "peer", "--library", library, *quiet, "--peer", f"127.0.0.1:{port}"]

        # Run 1: stopped (SIGTERM) after 20 pieces.
        process = subprocess.Popen(leech, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            first = read_events(process, lambda e: sum(x["event"] == "piece-verified" for x in e) >= 20, 60)
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert process.returncode == 0, f"status {process.returncode}: {err[-500:]!r}"
        first += [json.loads(x) for x in out.splitlines() if x.strip()]
        loaded = [e for e in first if e["event"] == "library"]
        assert loaded and loaded[0]["torrents"] == 2 and loaded[0]["running"] == 1, loaded or first[:5]
        got = {e["piece"] for e in first if e["event"] == "piece-verified"}
        assert 20 <= len(got) < 100, f"{len(got)} pieces in the first run"
        assert [e["pieces"] for e in first if e["event"] == "checked"] == [0], "a first run checks its (empty) data"
        # The paused torrent is loaded (its totals are told at exit) but never runs.
        assert all(e["torrent"] == hashes["pack"] for e in first if "torrent" in e and e["event"] != "totals"), \
            "the paused torrent ran"
        assert {e["torrent"] for e in first if e["event"] == "totals"} == set(hashes.values()), first[-3:]
        assert os.path.exists(os.path.join(library, "resume", hashes["pack"] + ".resume")), \
            f"no resume record after the first run: {sorted(os.listdir(library))}"

        # Run 2: resumed from the records, not checked; only the rest is fetched.
        result = run(leech + ["--exit-when-done"], timeout=120)
        assert result.returncode == 0, result.stderr.decode(errors="replace")[-500:]
        second = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
        names = [e["event"] for e in second]
        assert "checked" not in names, "the second run checked the data again"
        resumed = [e["pieces"] for e in second if e["event"] == "resumed"]
        assert resumed == [len(got)], f"resumed {resumed}, the first run verified {len(got)}"
        rest = {e["piece"] for e in second if e["event"] == "piece-verified"}
        assert not rest & got, f"pieces fetched twice: {sorted(rest & got)}"
        assert rest | got == set(range(100)), f"missing {sorted(set(range(100)) - rest - got)}, " \
                                                f"beyond the chosen file {sorted((rest | got) - set(range(100)))}"
        assert "done" in names and "tracker-error" not in names and "tracker-reply" not in names, \
            f"--no-tracker not kept, or not done: {sorted(set(names))}"
    finally:
        seed.terminate()
        seed.wait(timeout=30)
    with open(os.path.join(source, "pack", "a-big.bin"), "rb") as f, \
         open(os.path.join(downloads, "pack", "a-big.bin"), "rb") as g:
        assert f.read() == g.read(), "the downloaded file differs"

    # The index the runs rewrote keeps the folders, choices, limits and states.
    with open(os.path.join(library, "torrents.json")) as f:
        kept = {e["hash"]: e for e in json.load(f)["torrents"]}
    assert set(kept) == set(hashes.values()), kept
    pack, other = kept[hashes["pack"]], kept[hashes["other"]]
    assert pack["folder"] == downloads and pack["paused"] is False and pack["priorities"] == [1, 0], pack
    assert "limits" not in pack, pack
    assert other["folder"] == downloads and other["paused"] is True and other["limits"] == limits, other


tap.run_all(globals())
