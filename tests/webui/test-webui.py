#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The web interface in a real browser: Debian's Chromium, headless,
driven by Selenium, against an RPC server with a real local swarm.

A tessera-cli peer seeds a payload (one file with a long name, and a
small one) through opentracker; the page adds its magnet, the torrent
completes, the details panel draws the pieces bar (pixels read back from
the canvas) and lists files and trackers; the page verifies it, stops,
starts and stops it, and removes it with its data (the files are gone
from disk). A .torrent uploaded with
"Start when added" off arrives paused; the same magnet again says it is a
duplicate, an empty form and a bad link are refused in the dialog; it is
removed without its data, which stays.
Labels typed in the details reach torrent-set and show in the list, whose
label filter hides the torrents without the chosen one; the queue buttons
move a torrent to the bottom and back to the top of a two-torrent queue;
the trackers table shows the swarm's tracker (tier, the announce's
result, the seeders opentracker counts), adds a second tracker in a tier
of its own and removes it. At desktop width each torrent is one line
(name, size, bar, state, rates, ETA, ratio side by side), several times
less tall than the card it is at phone width.
Preferences, the alternative speed button and its schedule (times and
days) reach session-set. Every
control has an accessible name (Chromium's accessibility tree), and the
add dialog opens, takes focus and closes by keyboard. A 401
from the RPC shows the sign-in message (against Tessera, a second daemon
with --rpc-auth: check_tessera_auth). At 360x740 nothing scrolls
sideways. The browser's console stays free of errors (CSP violations
included: the daemon, or the proxy, sends tsr-webui.c's policy).

--server transmission (default) or tessera: see webui_harness.py. Needs
root (the network namespace); everything it starts is stopped by PID."""

import argparse
import base64
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, HERE)
from tsrpeers import OpenTracker, Peer  # noqa: E402
from tsrtest import Tap, cli, need_cli, need_tool, pseudo_random, write  # noqa: E402
import webui_harness  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--server", choices=["transmission", "tessera"], default="transmission")
options = parser.parse_args()

need_cli()
need_tool("chromium", "chromium")
need_tool("chromedriver", "chromium-driver")
need_tool("opentracker", "opentracker")
need_tool("ip", "iproute2")
if options.server == "transmission":
    need_tool("transmission-daemon", "transmission-daemon")
try:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as error:
    print(f"Bail out! selenium is missing ({error}): install the Debian package python3-selenium "
          "(build-aux/install-deps does) and run with /usr/bin/python3")
    sys.exit(1)
if os.geteuid() != 0:
    print("Bail out! the swarm lives on a network namespace's address (transmission-daemon refuses "
          "loopback peers; Tessera is tested against the same swarm), so this test needs root "
          "(CI runs as root)")
    sys.exit(1)

from tsrnet import Namespace  # noqa: E402

LONG_NAME = "a-file-name-long-enough-to-overflow-a-phone-screen-" + "x" * 60 + ".bin"
DEADLINE = 120
MAGNET = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=auth-check"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def browser(profile):
    options_ = webdriver.ChromeOptions()
    options_.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", f"--user-data-dir={profile}"):
        options_.add_argument(flag)
    options_.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(shutil.which("chromedriver"))
    driver = webdriver.Chrome(service=service, options=options_)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


class Swarm:
    """A tessera-cli peer seeding a payload on the host side of the
    namespace, announced to opentracker there."""

    def __init__(self, d, ns):
        self.src = os.path.join(d, "seed")
        root = os.path.join(self.src, "webui-payload")
        write(os.path.join(root, LONG_NAME), pseudo_random(6 * 1024 * 1024 + 999, 11))
        write(os.path.join(root, "small.txt"), pseudo_random(4321, 12))
        probe = os.path.join(d, "probe.torrent")
        cli("create", "-q", "-p", "64k", "-o", probe, root, check=True)
        self.info_hash = json.loads(cli("show", "--json", probe, check=True).stdout)["info_hash"]
        self.tracker = OpenTracker(d, [self.info_hash], address=ns.host_ip)
        announce = f"http://{ns.host_ip}:{self.tracker.port}/announce"
        self.torrent = os.path.join(d, "webui-payload.torrent")
        cli("create", "-q", "-p", "64k", "-t", announce, "-o", self.torrent, root, check=True)
        self.pieces = json.loads(cli("show", "--json", self.torrent, check=True).stdout)["piece_count"]
        self.magnet = f"magnet:?xt=urn:btih:{self.info_hash}&dn=webui-payload&tr={announce}"
        self.digests = {name: sha256(os.path.join(root, name)) for name in (LONG_NAME, "small.txt")}
        self.peer = Peer(self.src, self.torrent, tracker_flag=False, bind=ns.host_ip)
        self.peer.wait_for("done", 60)
        self.peer.wait_for("tracker-reply", 30)

    def stop(self):
        self.peer.stop()
        self.tracker.stop()


class RpcLog:
    """The page's RPC requests as Chromium's network log has them, for a
    server with no proxy in front (Tessera's daemon): HTTP statuses in
    order, and (method, status, requestId) of each. Reading the log
    empties it, so what was read is kept here."""

    def __init__(self, driver):
        self.driver = driver
        self.sent = {}       # requestId: RPC method
        self.statuses = []
        self.exchanges = []

    def update(self):
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message.get("method") == "Network.requestWillBeSent":
                request = params["request"]
                if request["url"].endswith("/transmission/rpc") and request["method"] == "POST":
                    try:
                        self.sent[params["requestId"]] = json.loads(request.get("postData", ""))["method"]
                    except (ValueError, KeyError, TypeError):
                        self.sent[params["requestId"]] = None
            elif message.get("method") == "Network.responseReceived":
                if params["requestId"] in self.sent:
                    status = params["response"]["status"]
                    self.statuses.append(status)
                    self.exchanges.append((self.sent[params["requestId"]], status, params["requestId"]))
        return self

    def result(self, request_id):
        """The RPC "result" of a request that got a 200."""
        body = self.driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})
        return json.loads(body["body"]).get("result")

    def answered(self, method):
        """Whether @method got an HTTP 200 with "success"."""
        self.update()
        return any(m == method and status == 200 and self.result(request_id) == "success"
                   for m, status, request_id in self.exchanges)


def screenshot(driver, name):
    """TSR_WEBUI_SHOTS=DIR keeps pictures of the page, to look at by hand."""
    folder = os.environ.get("TSR_WEBUI_SHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        driver.save_screenshot(os.path.join(folder, name + ".png"))


def wait(driver, what, condition, timeout=30):
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda d: condition(), message=f"waited {timeout} s for {what}")


def row(driver):
    rows = driver.find_elements(By.CSS_SELECTOR, "#torrent-list li.torrent")
    return rows[0] if len(rows) == 1 else None


def shown_names(driver):
    """The names of the torrents the list shows (the filter hides rows)."""
    return sorted(r.find_element(By.CSS_SELECTOR, ".torrent-name").text
                  for r in driver.find_elements(By.CSS_SELECTOR, "#torrent-list li.torrent") if r.is_displayed())


def row_named(driver, name):
    return next(r for r in driver.find_elements(By.CSS_SELECTOR, "#torrent-list li.torrent")
                if r.find_element(By.CSS_SELECTOR, ".torrent-name").get_attribute("textContent") == name)


def choose_filter(driver, label):
    driver.find_element(By.CSS_SELECTOR, f"#label-filter option[value='{label}']").click()


def box(driver, element):
    """(top, height) of @element in CSS pixels."""
    return driver.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.top, r.height];",
                                 element)


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


ROLES = {"button", "checkbox", "textbox", "combobox", "spinbutton", "progressbar", "image", "img",
         "dialog", "table", "list"}


def unnamed_controls(driver):
    """Controls, images, dialogs and tables shown without an accessible
    name, as Chromium's accessibility tree has them."""
    nodes = driver.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    found = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in ROLES or role == "list":
            continue
        if not node.get("name", {}).get("value", "").strip():
            found.append(role)
    return found, {node.get("role", {}).get("value") for node in nodes if not node.get("ignored")}


def no_sideways_scroll(driver):
    return driver.execute_script(
        "const e = document.documentElement;"
        "return [e.scrollWidth, e.clientWidth, window.innerWidth];")


def check_tessera_auth(driver, d, download):
    """The sign-in against Tessera's daemon with --rpc-auth. Headless
    Chromium holds a 401 that carries a WWW-Authenticate challenge on a
    sign-in prompt no one can see, so the prompt itself and the page after
    a person presses Cancel cannot be driven here. What can: the page and
    its files are refused without credentials (the 401 and its challenge,
    as the RPC's); with credentials in the URL the page signs in and
    lists a torrent; a wrong password is refused; and the page's own
    fetches, made without the browser's stored credentials (as after
    Cancel), get the daemon's real 401 and show the sign-in message,
    which goes once they carry them again."""
    server = webui_harness.TesseraServer(None, d, download, auth="webui:s3cret", name="tessera-auth")
    try:
        for path in ("", "tessera.js", "tessera.css", "transmission/rpc"):
            try:
                urllib.request.urlopen(server.url + path, timeout=10)
                raise AssertionError(f"/{path} served without credentials")
            except urllib.error.HTTPError as error:
                assert error.code == 401, (path, error.code)
                assert error.headers["WWW-Authenticate"] == 'Basic realm="Transmission"', error.headers
        request = urllib.request.Request(server.url)
        request.add_header("Authorization", "Basic " + base64.b64encode(b"webui:wrong").decode())
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("a wrong password served the page")
        except urllib.error.HTTPError as error:
            assert error.code == 401, error.code
        server.call("torrent-add", filename=MAGNET, paused=True)
        driver.get(server.url.replace("http://", "http://webui:s3cret@"))
        wait(driver, "the list behind the sign-in", lambda: row(driver) is not None
             and row(driver).find_element(By.CSS_SELECTOR, ".torrent-name").text == "auth-check")
        message = driver.find_element(By.ID, "message")
        assert not message.is_displayed()
        # A fetch from the page with no credentials: the daemon's 401 and
        # its challenge reach the script (no prompt: credentials omitted).
        status, challenge = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(location.origin + '/transmission/rpc', {method: 'POST', credentials: 'omit', body: '{}'})"
            ".then((r) => done([r.status, r.headers.get('WWW-Authenticate')]), (e) => done([0, String(e)]));")
        assert status == 401 and challenge == 'Basic realm="Transmission"', (status, challenge)
        # The page's own calls the same way, until put back.
        driver.execute_script(
            "window.tsrFetch = window.fetch;"
            "window.fetch = (url, init) => window.tsrFetch(url, Object.assign({}, init, {credentials: 'omit'}));")
        wait(driver, "the sign-in message", lambda: message.is_displayed() and "Sign-in failed" in message.text)
        assert message.get_attribute("role") == "status"
        driver.execute_script("window.fetch = window.tsrFetch;")
        wait(driver, "the message gone once the RPC answers", lambda: not message.is_displayed())
    finally:
        server.stop()


def run_scenario(d):
    ns = Namespace("tsrw")
    swarm = server = driver = None
    try:
        swarm = Swarm(d, ns)
        download = os.path.join(d, "download")
        os.makedirs(download, mode=0o777)
        server = webui_harness.TransmissionServer(ns, d, download) if options.server == "transmission" \
            else webui_harness.tessera_server(ns, d, download)
        driver = browser(os.path.join(d, "chromium-profile"))
        rpc_log = RpcLog(driver)
        driver.get(server.url)
        wait(driver, "the empty list", lambda: driver.find_element(By.ID, "empty").is_displayed())
        assert driver.find_element(By.ID, "add-open").text == "Add"
        # The session id handshake: a 409 first, then answers.
        if options.server == "transmission":
            assert server.proxy.statuses[0] == 409 and 200 in server.proxy.statuses, server.proxy.statuses
        else:
            wait(driver, "the page's first RPC answers", lambda: 200 in rpc_log.update().statuses)
            assert rpc_log.statuses[0] == 409, rpc_log.statuses

        yield "add-magnet-completes"
        driver.find_element(By.ID, "add-open").click()
        driver.find_element(By.ID, "add-link").send_keys(swarm.magnet)
        driver.find_element(By.ID, "add-submit").click()
        wait(driver, "the torrent in the list", lambda: row(driver) is not None)
        wait(driver, "the download to complete (status 6, seeding)",
             lambda: row(driver).get_attribute("data-status") == "6", DEADLINE)
        item = row(driver)
        assert item.find_element(By.CSS_SELECTOR, ".torrent-name").text == "webui-payload"
        assert float(item.find_element(By.TAG_NAME, "progress").get_attribute("value")) == 1
        assert "Seeding" in item.find_element(By.CSS_SELECTOR, ".torrent-state").text
        root = os.path.join(download, "webui-payload")
        for name, digest in swarm.digests.items():
            assert sha256(os.path.join(root, name)) == digest, name

        screenshot(driver, "wide-list")
        yield "details-pieces-bar"
        item.find_element(By.CSS_SELECTOR, "button.details-open").click()
        canvas = driver.find_element(By.ID, "pieces-bar")
        wait(driver, "the pieces bar", lambda: canvas.get_attribute("data-count") == str(swarm.pieces)
             and canvas.get_attribute("data-have") == str(swarm.pieces))
        assert canvas.get_attribute("aria-label") == f"{swarm.pieces} of {swarm.pieces} pieces"
        # Painted: every column in the bar's own colour, none in the trough's.
        painted, width, trough = driver.execute_script(
            "const c = document.getElementById('pieces-bar');"
            "const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            "const bar = getComputedStyle(c).color.match(/\\d+/g).map(Number);"
            "let painted = 0, trough = 0;"
            "for (let x = 0; x < c.width; x++) {"
            "  const i = (Math.floor(c.height / 2) * c.width + x) * 4;"
            "  const close = [0, 1, 2].every((k) => Math.abs(data[i + k] - bar[k]) < 8);"
            "  if (close && data[i + 3] > 240) painted++; else trough++;"
            "}"
            "return [painted, c.width, trough];")
        assert width > 100 and painted == width and trough == 0, (painted, width, trough)
        files = driver.find_elements(By.CSS_SELECTOR, "#files tbody tr")
        assert sorted(f.find_elements(By.TAG_NAME, "td")[1].text for f in files) == \
            sorted(f"webui-payload/{n}" for n in swarm.digests), [f.text for f in files]
        assert all(f.find_element(By.TAG_NAME, "input").is_selected() for f in files)
        screenshot(driver, "wide-details")
        trackers = driver.find_elements(By.CSS_SELECTOR, "#trackers tbody tr")
        assert len(trackers) == 1 and f":{swarm.tracker.port}/announce" in trackers[0].text, \
            [t.text for t in trackers]

        # Every field the page asks for is in the server's answer, with
        # the members the page reads of trackers and files (the same check
        # against either server: a field Tessera lacks shows here).
        for name in ("LIST_FIELDS", "DETAIL_FIELDS"):
            asked = driver.execute_script(f"return {name};")
            got = server.call("torrent-get", ids=[1], fields=asked)["torrents"][0]
            assert set(got) == set(asked), (name, set(asked) ^ set(got))
        assert {"announce", "hasAnnounced", "lastAnnounceResult", "seederCount", "leecherCount"} <= \
            set(got["trackerStats"][0]), got["trackerStats"][0]
        assert got["trackerStats"][0]["hasAnnounced"] is True, got["trackerStats"][0]
        assert all({"name", "length", "bytesCompleted"} <= set(f) for f in got["files"]), got["files"]
        assert all({"wanted", "priority", "bytesCompleted"} <= set(f) for f in got["fileStats"]), got["fileStats"]
        asked = driver.execute_script("return SESSION_FIELDS;")
        got = server.call("session-get", fields=asked)
        assert set(asked) <= set(got), set(asked) - set(got)

        yield "accessible-names"
        unnamed, roles = unnamed_controls(driver)
        assert not unnamed, unnamed
        assert {"button", "checkbox", "combobox", "progressbar", "image"} <= roles, roles

        yield "keyboard"
        # A click on the title starts keyboard navigation there.
        driver.execute_script("window.scrollTo(0, 0)")
        actions = webdriver.ActionChains(driver)
        actions.click(driver.find_element(By.TAG_NAME, "h1")).perform()
        actions.send_keys(Keys.TAB).perform()
        focused = driver.switch_to.active_element.get_attribute("id")
        assert focused == "add-open", focused
        actions.send_keys(Keys.ENTER).perform()
        wait(driver, "the add dialog", lambda: driver.find_element(By.ID, "add-dialog").is_displayed())
        focused = driver.switch_to.active_element.get_attribute("id")
        assert focused == "add-link", focused
        unnamed, roles = unnamed_controls(driver)
        assert not unnamed and "dialog" in roles, (unnamed, roles)
        actions.send_keys(Keys.ESCAPE).perform()
        wait(driver, "the add dialog closed", lambda: not driver.find_element(By.ID, "add-dialog").is_displayed())
        focused = driver.switch_to.active_element.get_attribute("id")
        assert focused == "add-open", focused

        # The list refreshes every 2 s: focus on a torrent's button stays.
        button = row(driver).find_element(By.CSS_SELECTOR, "button.verify")
        driver.execute_script("arguments[0].focus()", button)
        time.sleep(4.5)
        assert driver.switch_to.active_element == button, driver.switch_to.active_element.get_attribute("class")

        yield "file-priority"
        small = next(f for f in files if f.text.find("small.txt") >= 0)
        small.find_element(By.CSS_SELECTOR, "select option[value='1']").click()
        wait(driver, "the high priority through torrent-set", lambda: [
            s["priority"] for s in server.call("torrent-get", ids=[1], fields=["fileStats", "files"])
            ["torrents"][0]["fileStats"]] .count(1) == 1)

        yield "labels-edit-filter"
        labels = driver.find_element(By.ID, "details-labels")
        labels.clear()
        labels.send_keys("linux, iso images")
        driver.find_element(By.ID, "labels-save").click()
        wait(driver, "the labels through torrent-set", lambda: sorted(
            server.call("torrent-get", ids=[1], fields=["labels"])["torrents"][0]["labels"]) == ["iso images", "linux"])
        wait(driver, "the labels in the list", lambda: sorted(
            c.text for c in row(driver).find_elements(By.CSS_SELECTOR, ".torrent-labels .label")) ==
            ["iso images", "linux"])
        other = server.call("torrent-add", filename=MAGNET, paused=True)["torrent-added"]
        server.call("torrent-set", ids=[other["id"]], labels=["other"])
        wait(driver, "both torrents listed", lambda: shown_names(driver) == ["auth-check", "webui-payload"])
        wait(driver, "the labels in the filter", lambda: [o.get_attribute("value") for o in driver.find_elements(
            By.CSS_SELECTOR, "#label-filter option")] == ["", "iso images", "linux", "other"])
        choose_filter(driver, "linux")
        wait(driver, "the filter on linux", lambda: shown_names(driver) == ["webui-payload"])
        time.sleep(2.5)   # a refresh keeps the filter
        assert shown_names(driver) == ["webui-payload"], shown_names(driver)
        choose_filter(driver, "other")
        wait(driver, "the filter on other", lambda: shown_names(driver) == ["auth-check"])
        choose_filter(driver, "")
        wait(driver, "no filter", lambda: shown_names(driver) == ["auth-check", "webui-payload"])

        yield "queue-move"
        def position(torrent_id):
            return server.call("torrent-get", ids=[torrent_id], fields=["queuePosition"])["torrents"][0]["queuePosition"]
        first, second = position(1), position(other["id"])
        assert sorted([first, second]) == [0, 1], (first, second)
        if first == 0:
            driver.find_element(By.ID, "queue-bottom").click()
            wait(driver, "moved to the bottom", lambda: position(1) == 1 and position(other["id"]) == 0)
        queue = row_named(driver, "webui-payload").find_element(By.CSS_SELECTOR, ".torrent-queue")
        wait(driver, "the list showing #2", lambda: queue.text == "#2")
        wait(driver, "the details showing #2", lambda: driver.find_element(By.ID, "details-queue").text == "#2")
        button = driver.find_element(By.ID, "queue-top")
        assert button.get_attribute("aria-label") == "Move webui-payload to the top of the queue"
        button.click()
        wait(driver, "moved to the top", lambda: position(1) == 0 and position(other["id"]) == 1)
        wait(driver, "the list showing #1", lambda: queue.text == "#1")
        driver.find_element(By.ID, "queue-down").click()
        wait(driver, "moved down", lambda: position(1) == 1)
        driver.find_element(By.ID, "queue-up").click()
        wait(driver, "moved up", lambda: position(1) == 0)
        server.call("torrent-remove", ids=[other["id"]])
        wait(driver, "one torrent again", lambda: row(driver) is not None)

        yield "trackers-tab"
        def tracker_rows():
            # In one go: the table may be rebuilt between two reads.
            return driver.execute_script(
                "return [...document.querySelectorAll('#trackers tbody tr')]"
                ".map((r) => [...r.cells].map((c) => c.innerText.trim()));")
        announce = f"http://{ns.host_ip}:{swarm.tracker.port}/announce"
        stats = server.call("torrent-get", ids=[1], fields=["trackerStats"])["torrents"][0]["trackerStats"]
        assert len(stats) == 1 and stats[0]["announce"] == announce and stats[0]["seederCount"] >= 1, stats
        wait(driver, "the tracker's row", lambda: len(tracker_rows()) == 1 and tracker_rows()[0][:2] == [announce, "1"]
             and tracker_rows()[0][3].isdigit() and int(tracker_rows()[0][3]) >= 1)
        cells = tracker_rows()[0]
        assert cells[2] == stats[0]["lastAnnounceResult"] and cells[2] not in ("", "never"), (cells, stats)
        assert cells[5] == "Remove", cells
        extra = "http://127.0.0.1:9/announce"
        driver.find_element(By.ID, "tracker-add-url").send_keys(extra)
        driver.find_element(By.ID, "tracker-add").click()
        wait(driver, "the second tracker", lambda: [t["announce"] for t in server.call(
            "torrent-get", ids=[1], fields=["trackerStats"])["torrents"][0]["trackerStats"]] == [announce, extra])
        wait(driver, "its row, in a tier of its own", lambda: len(tracker_rows()) == 2
             and tracker_rows()[1][:2] == [extra, "2"])
        remove = driver.find_elements(By.CSS_SELECTOR, "#trackers tbody tr")[1].find_element(By.CSS_SELECTOR,
                                                                                           "button.tracker-remove")
        assert remove.get_attribute("aria-label") == f"Remove the tracker {extra}"
        remove.click()
        wait(driver, "the tracker removed", lambda: [t["announce"] for t in server.call(
            "torrent-get", ids=[1], fields=["trackerStats"])["torrents"][0]["trackerStats"]] == [announce])
        try:
            wait(driver, "its row gone", lambda: len(tracker_rows()) == 1)
        except Exception:
            raise AssertionError((tracker_rows(), driver.find_element(By.ID, "message").text,
                                  server.call("torrent-get", ids=[1], fields=["trackerStats"]), console_errors(driver)))

        yield "dense-layout"
        driver.find_element(By.ID, "details-close").click()
        wait(driver, "the details closed", lambda: not driver.find_element(By.ID, "details").is_displayed())
        time.sleep(0.5)
        item = row(driver)
        parts = {name: item.find_element(By.CSS_SELECTOR, selector) for name, selector in (
            ("name", ".torrent-name"), ("size", ".torrent-size"), ("progress", "progress"), ("state", ".torrent-state"),
            ("down", ".torrent-down"), ("up", ".torrent-up"), ("ratio", ".torrent-ratio"),
            ("buttons", ".torrent-buttons"))}
        tops = {name: box(driver, part) for name, part in parts.items()}
        _, wide_height = box(driver, item)
        # One line: every part's middle within the row's, left to right.
        middles = {name: top + height / 2 for name, (top, height) in tops.items()}
        assert max(middles.values()) - min(middles.values()) < 12, tops
        lefts = [driver.execute_script("return arguments[0].getBoundingClientRect().left", parts[n])
                 for n in ("name", "size", "progress", "state", "down", "up", "ratio", "buttons")]
        assert lefts == sorted(lefts), lefts
        assert wide_height < 56, wide_height
        screenshot(driver, "wide-dense")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
        time.sleep(1)
        _, phone_height = box(driver, row(driver))
        name_top, _ = box(driver, row(driver).find_element(By.CSS_SELECTOR, ".torrent-name"))
        state_top, _ = box(driver, row(driver).find_element(By.CSS_SELECTOR, ".torrent-state"))
        assert phone_height > 2.5 * wide_height and state_top > name_top + 10, (phone_height, wide_height)
        scroll, client, inner = no_sideways_scroll(driver)
        assert inner == 360 and scroll <= client, (scroll, client, inner)
        screenshot(driver, "phone-list")
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        row(driver).find_element(By.CSS_SELECTOR, "button.details-open").click()
        wait(driver, "the details again", lambda: driver.find_element(By.ID, "details").is_displayed())

        yield "phone-width"
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
        time.sleep(2.5)   # one refresh redraws the details at the new width
        scroll, client, inner = no_sideways_scroll(driver)
        assert inner == 360 and scroll <= client, (scroll, client, inner)
        screenshot(driver, "phone-details")
        driver.find_element(By.ID, "prefs-open").click()
        wait(driver, "the preferences", lambda: driver.find_element(By.ID, "prefs-dialog").is_displayed())
        screenshot(driver, "phone-preferences")
        unnamed, roles = unnamed_controls(driver)
        assert not unnamed and "spinbutton" in roles, (unnamed, roles)
        right = driver.execute_script("return document.getElementById('prefs-dialog').getBoundingClientRect().right")
        assert right <= 360, right
        scroll, client, inner = no_sideways_scroll(driver)
        assert scroll <= client, (scroll, client)

        yield "preferences"
        down = driver.find_element(By.ID, "pref-down")
        down.clear()
        down.send_keys("123")
        if not driver.find_element(By.ID, "pref-down-enabled").is_selected():
            driver.find_element(By.ID, "pref-down-enabled").click()
        driver.find_element(By.ID, "prefs-save").click()
        wait(driver, "the preferences to close", lambda: not driver.find_element(By.ID, "prefs-dialog").is_displayed())
        session = server.call("session-get")
        assert session["speed-limit-down"] == 123 and session["speed-limit-down-enabled"] is True, session
        driver.find_element(By.ID, "alt-speed").click()
        wait(driver, "the alternative speed on", lambda: server.call("session-get")["alt-speed-enabled"] is True)
        wait(driver, "the button pressed",
             lambda: driver.find_element(By.ID, "alt-speed").get_attribute("aria-pressed") == "true")
        # The schedule: 23:00 to 07:00, Monday to Friday (bit 0 Sunday).
        schedule_keys = ["alt-speed-time-enabled", "alt-speed-time-begin", "alt-speed-time-end", "alt-speed-time-day"]
        driver.find_element(By.ID, "prefs-open").click()
        wait(driver, "the preferences", lambda: driver.find_element(By.ID, "prefs-dialog").is_displayed())
        if not driver.find_element(By.ID, "pref-alt-time-enabled").is_selected():
            driver.find_element(By.ID, "pref-alt-time-enabled").click()
        driver.execute_script("document.getElementById('pref-alt-begin').value = '23:00';"
                              "document.getElementById('pref-alt-end').value = '07:00';")
        for day in range(7):
            box_ = driver.find_element(By.ID, f"pref-day-{day}")
            if box_.is_selected() != (1 <= day <= 5):
                box_.click()
        unnamed, roles = unnamed_controls(driver)
        assert not unnamed, unnamed
        driver.find_element(By.ID, "prefs-save").click()
        wait(driver, "the preferences to close", lambda: not driver.find_element(By.ID, "prefs-dialog").is_displayed())
        got = server.call("session-get", fields=schedule_keys)
        assert {k: got[k] for k in schedule_keys} == dict(zip(schedule_keys, [True, 1380, 420, 62])), got
        driver.find_element(By.ID, "prefs-open").click()
        wait(driver, "the preferences again", lambda: driver.find_element(By.ID, "prefs-dialog").is_displayed())
        shown = driver.execute_script(
            "return [document.getElementById('pref-alt-begin').value, document.getElementById('pref-alt-end').value,"
            " [0, 1, 2, 3, 4, 5, 6].map((d) => document.getElementById('pref-day-' + d).checked)];")
        assert shown == ["23:00", "07:00", [False, True, True, True, True, True, False]], shown
        driver.find_element(By.ID, "prefs-cancel").click()
        # Off again: an edge of the schedule must not touch the later steps.
        server.call("session-set", **{"alt-speed-time-enabled": False})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        yield "verify"
        button = row(driver).find_element(By.CSS_SELECTOR, "button.verify")
        assert button.get_attribute("aria-label") == "Verify webui-payload"
        button.click()
        wait(driver, "torrent-verify answered", lambda: ("torrent-verify", 200, "success") in server.proxy.methods
             if options.server == "transmission" else rpc_log.answered("torrent-verify"))
        wait(driver, "seeding again after the check",
             lambda: server.call("torrent-get", ids=[1], fields=["status", "percentDone"])["torrents"][0]
             == {"status": 6, "percentDone": 1}, 60)
        wait(driver, "the list showing it", lambda: row(driver).get_attribute("data-status") == "6")

        yield "stop-start-stop"
        toggle = row(driver).find_element(By.CSS_SELECTOR, "button.toggle")
        assert toggle.text == "Stop" and toggle.get_attribute("aria-label") == "Stop webui-payload"
        toggle.click()
        wait(driver, "the torrent stopped", lambda: row(driver).get_attribute("data-status") == "0")
        assert server.call("torrent-get", ids=[1], fields=["status"])["torrents"][0]["status"] == 0
        assert "Stopped" in row(driver).find_element(By.CSS_SELECTOR, ".torrent-state").text
        toggle = row(driver).find_element(By.CSS_SELECTOR, "button.toggle")
        assert toggle.text == "Start" and toggle.get_attribute("aria-label") == "Start webui-payload"
        toggle.click()
        wait(driver, "the torrent seeding again", lambda: row(driver).get_attribute("data-status") == "6")
        row(driver).find_element(By.CSS_SELECTOR, "button.toggle").click()
        wait(driver, "the torrent stopped again", lambda: row(driver).get_attribute("data-status") == "0")

        yield "remove-with-data"
        row(driver).find_element(By.CSS_SELECTOR, "button.remove").click()
        wait(driver, "the remove dialog", lambda: driver.find_element(By.ID, "remove-dialog").is_displayed())
        assert "webui-payload" in driver.find_element(By.ID, "remove-text").text
        driver.find_element(By.ID, "remove-data").click()
        driver.find_element(By.ID, "remove-confirm").click()
        wait(driver, "the empty list again", lambda: driver.find_element(By.ID, "empty").is_displayed())
        wait(driver, "the data gone from disk", lambda: not os.path.exists(root))
        assert server.call("torrent-get", fields=["id"])["torrents"] == []

        yield "upload-paused"
        # The data is there this time: removing without it must leave it.
        shutil.copytree(os.path.join(swarm.src, "webui-payload"), root)
        driver.find_element(By.ID, "add-open").click()
        driver.find_element(By.ID, "add-file").send_keys(swarm.torrent)
        driver.find_element(By.ID, "add-start").click()   # off: added paused
        driver.find_element(By.ID, "add-submit").click()
        wait(driver, "the uploaded torrent", lambda: row(driver) is not None)
        message = driver.find_element(By.ID, "message")
        wait(driver, "the added message", lambda: "Added “webui-payload”" in message.text)
        torrent = server.call("torrent-get", fields=["status", "hashString"])["torrents"][0]
        assert torrent["hashString"] == swarm.info_hash and torrent["status"] == 0, torrent

        yield "add-duplicate-and-invalid"
        driver.find_element(By.ID, "add-open").click()
        driver.find_element(By.ID, "add-link").send_keys(swarm.magnet)
        driver.find_element(By.ID, "add-submit").click()
        wait(driver, "the duplicate message", lambda: "“webui-payload” is already in the list." in message.text)
        assert len(driver.find_elements(By.CSS_SELECTOR, "#torrent-list li.torrent")) == 1
        driver.find_element(By.ID, "add-open").click()
        driver.find_element(By.ID, "add-submit").click()   # nothing given
        error = driver.find_element(By.ID, "add-error")
        wait(driver, "the empty form refused", lambda: error.is_displayed() and "Give a magnet link" in error.text)
        driver.find_element(By.ID, "add-link").send_keys("magnet:?xt=urn:btih:nonsense")
        driver.find_element(By.ID, "add-submit").click()
        wait(driver, "the server's refusal in the dialog",
             lambda: error.is_displayed() and error.text.startswith("The server refused: "))
        assert driver.find_element(By.ID, "add-dialog").is_displayed()
        driver.find_element(By.ID, "add-cancel").click()
        assert len(driver.find_elements(By.CSS_SELECTOR, "#torrent-list li.torrent")) == 1

        yield "remove-keeps-data"
        row(driver).find_element(By.CSS_SELECTOR, "button.remove").click()
        wait(driver, "the remove dialog", lambda: driver.find_element(By.ID, "remove-dialog").is_displayed())
        assert not driver.find_element(By.ID, "remove-data").is_selected()
        driver.find_element(By.ID, "remove-confirm").click()
        wait(driver, "the empty list again", lambda: driver.find_element(By.ID, "empty").is_displayed())
        assert server.call("torrent-get", fields=["id"])["torrents"] == []
        for name, digest in swarm.digests.items():
            assert sha256(os.path.join(root, name)) == digest, name

        yield "unauthorized-message"
        if options.server == "transmission":
            server.proxy.refuse_with = 401
            message = driver.find_element(By.ID, "message")
            wait(driver, "the sign-in message", lambda: message.is_displayed() and "Sign-in failed" in message.text)
            assert message.get_attribute("role") == "status"
            server.proxy.refuse_with = None
            wait(driver, "the message gone once the RPC answers", lambda: not message.is_displayed())
        else:
            check_tessera_auth(driver, d, download)

        yield "no-console-errors"
        # Chromium logs every 4xx answer: the handshake's 409s and the
        # step above's 401s are expected, nothing else.
        expected = ("/transmission/rpc - Failed to load resource: the server responded with a status of 409",
                    "/transmission/rpc - Failed to load resource: the server responded with a status of 401")
        errors = [e for e in console_errors(driver) if not any(x in e["message"] for x in expected)]
        assert errors == [], errors
    finally:
        if driver:
            driver.quit()
        if server:
            server.stop()
        if swarm:
            swarm.stop()
        ns.cleanup()


def main():
    tap = Tap()
    d = tempfile.mkdtemp(prefix="tsr-webui-")
    os.chmod(d, 0o755)
    steps = run_scenario(d)
    # Each step is one TAP point; a failed step ends the scenario (the
    # later ones depend on it) and the rest are reported as not run.
    names = ["add-magnet-completes", "details-pieces-bar", "accessible-names", "keyboard", "file-priority",
             "labels-edit-filter", "queue-move", "trackers-tab", "dense-layout", "phone-width", "preferences", "verify", "stop-start-stop", "remove-with-data",
             "upload-paused", "add-duplicate-and-invalid", "remove-keeps-data", "unauthorized-message",
             "no-console-errors"]
    current = "start"
    failed = False
    try:
        for name in steps:
            if current != "start":
                tap.results.append((True, current, None))
            current = name
        tap.results.append((True, current, None))
    except Exception:
        import traceback
        tap.results.append((False, current, traceback.format_exc()))
        failed = True
    done = {name for _, name, _ in tap.results}
    for name in names:
        if name not in done:
            tap.results.append((False, name, "not run: an earlier step failed" if failed else "not reached"))
    shutil.rmtree(d, ignore_errors=True)
    tap.finish()


main()
