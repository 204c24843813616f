#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson install` as a packager runs it: into a temporary DESTDIR, then
every file a distribution expects is checked to be there and valid with
the tools distributions use (desktop-file-validate, appstreamcli,
glib-compile-schemas), the D-Bus service starts the installed binary, the
post-install step that compiles the schemas works on what was installed,
and the installed programs speak the translations installed beside them.

TESSERA_BUILD_ROOT is the build to install (tests/data/meson.build)."""

import configparser
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("TESSERA_BUILD_ROOT")
APP_ID = "io.github.tessera.Tessera"
tap = Tap()

if not BUILD or not os.path.isdir(BUILD):
    print("Bail out! TESSERA_BUILD_ROOT is not set to a build folder")
    sys.exit(1)


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)


def build_options():
    result = run(["meson", "introspect", "--buildoptions", BUILD])
    assert result.returncode == 0, result.stderr
    return {o["name"]: o["value"] for o in json.loads(result.stdout)}


OPTIONS = build_options()
PREFIX = OPTIONS["prefix"]
GUI = OPTIONS.get("gui", True)
MAN = OPTIONS.get("man", True)


def linguas():
    with open(os.path.join(ROOT, "po", "LINGUAS")) as f:
        return [w for line in f if not line.startswith("#") for w in line.split()]


def install(d):
    dest = os.path.join(d, "dest")
    result = run(["meson", "install", "-C", BUILD, "--destdir", dest, "--no-rebuild", "--quiet"])
    assert result.returncode == 0, result.stdout + result.stderr
    return dest, dest + PREFIX


def path_in(prefix, *parts):
    return os.path.join(prefix, *parts)


def expected_files():
    files = [
        (OPTIONS["bindir"], "tessera-cli"),
        (OPTIONS["datadir"], "metainfo", APP_ID + ".metainfo.xml"),
        (OPTIONS["datadir"], "glib-2.0", "schemas", APP_ID + ".gschema.xml"),
        ("lib", "systemd", "user", "tessera-daemon.service"),
        ("lib", "systemd", "system", "tessera-daemon.service"),
    ]
    if MAN:
        files.append((OPTIONS["mandir"], "man1", "tessera-cli.1"))
        if GUI:
            files.append((OPTIONS["mandir"], "man1", "tessera.1"))
    if GUI:
        files += [
            (OPTIONS["bindir"], "tessera"),
            (OPTIONS["datadir"], "applications", APP_ID + ".desktop"),
            (OPTIONS["datadir"], "dbus-1", "services", APP_ID + ".service"),
            (OPTIONS["datadir"], "icons", "hicolor", "scalable", "apps", APP_ID + ".svg"),
            (OPTIONS["datadir"], "icons", "hicolor", "symbolic", "apps", APP_ID + "-symbolic.svg"),
        ]
    for lang in linguas():
        files.append((OPTIONS["localedir"], lang, "LC_MESSAGES", "tessera.mo"))
    return [os.path.join(*f) for f in files]


def test_every_expected_file_is_installed(d):
    dest, prefix = install(d)
    missing = [f for f in expected_files() if not os.path.isfile(os.path.join(prefix, f))]
    assert not missing, f"not installed under {prefix}: {missing}"
    for program in ("tessera-cli", "tessera") if GUI else ("tessera-cli",):
        path = os.path.join(prefix, OPTIONS["bindir"], program)
        assert os.access(path, os.X_OK), f"{path} is not executable"
    # Nothing is installed outside the prefix.
    outside = []
    for dirpath, _, names in os.walk(dest):
        for name in names:
            path = os.path.join(dirpath, name)
            if not path.startswith(prefix + os.sep):
                outside.append(path)
    assert not outside, f"installed outside {PREFIX}: {outside}"


def test_systemd_units(d):
    """Both units name the installed tessera-cli, pass systemd-analyze,
    and the system one is sandboxed."""
    dest, prefix = install(d)
    for kind in ("user", "system"):
        path = os.path.join(prefix, "lib", "systemd", kind, "tessera-daemon.service")
        unit = configparser.RawConfigParser(strict=False, interpolation=None)
        unit.optionxform = str
        unit.read(path, encoding="utf-8")
        command = unit["Service"]["ExecStart"].split()
        assert command[0] == os.path.join(PREFIX, OPTIONS["bindir"], "tessera-cli") and command[1] == "daemon", command
        assert unit["Service"]["ExecReload"].endswith("-HUP $MAINPID")
        assert unit["Service"]["NoNewPrivileges"] == "yes" and unit["Service"]["PrivateTmp"] == "yes"
        # The installed binary does not exist at PREFIX inside the test: verify
        # the unit's syntax with a copy that runs /bin/true.
        text = open(path, encoding="utf-8").read().replace(command[0], "/bin/true")
        copy = os.path.join(d, kind, "tessera-daemon.service")
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text)
        args = ["systemd-analyze", "verify", "--man=no"] + (["--user"] if kind == "user" else []) + [copy]
        result = run(args, env=dict(os.environ, SYSTEMD_LOG_LEVEL="warning"))
        problems = [line for line in (result.stdout + result.stderr).splitlines()
                    if "tessera-daemon" in line and "Failed to" not in line or "Unknown key" in line]
        assert not problems, "\n".join(problems)
    system = configparser.RawConfigParser(strict=False, interpolation=None)
    system.optionxform = str
    system.read(os.path.join(prefix, "lib", "systemd", "system", "tessera-daemon.service"), encoding="utf-8")
    for key, value in (("DynamicUser", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes")):
        assert system["Service"][key] == value, (key, system["Service"].get(key))


def test_desktop_file_is_valid(d):
    if not GUI:
        return
    dest, prefix = install(d)
    desktop = os.path.join(prefix, OPTIONS["datadir"], "applications", APP_ID + ".desktop")
    result = run(["desktop-file-validate", desktop])
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    entry = configparser.RawConfigParser(strict=False)
    entry.optionxform = str
    entry.read(desktop, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"].split()[0] == "tessera", section["Exec"]
    assert section["Icon"] == APP_ID
    assert section.get("DBusActivatable") == "true"
    # It opens torrent files and magnet links from a double-click.
    mime = section["MimeType"].split(";")
    assert "application/x-bittorrent" in mime and "x-scheme-handler/magnet" in mime, mime
    # Translated names when there are translations.
    for lang in linguas():
        assert f"Comment[{lang}]" in section, f"no Comment[{lang}] in the desktop file"


def test_metainfo_is_valid_without_warnings(d):
    dest, prefix = install(d)
    metainfo = os.path.join(prefix, OPTIONS["datadir"], "metainfo", APP_ID + ".metainfo.xml")
    result = run(["appstreamcli", "validate", "--no-net", "--pedantic", metainfo])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    # No warnings or errors (pedantic hints are printed as "P:", info as "I:").
    problems = [line for line in out.splitlines() if line.startswith(("W:", "E:"))]
    assert not problems, out
    text = open(metainfo, encoding="utf-8").read()
    for needle in ("<launchable type=\"desktop-id\">" + APP_ID + ".desktop</launchable>",
                   "<binary>tessera-cli</binary>", "<mediatype>application/x-bittorrent</mediatype>",
                   "<content_rating", "<screenshot", "<release "):
        assert needle in text, f"{needle} missing from the metainfo"


def test_schema_compiles_as_the_post_install_step_does(d):
    dest, prefix = install(d)
    schemas = os.path.join(prefix, OPTIONS["datadir"], "glib-2.0", "schemas")
    # Meson skips post-install scripts under DESTDIR (the package's trigger
    # runs them); run the same command on what was installed.
    result = run(["glib-compile-schemas", "--strict", schemas])
    assert result.returncode == 0, result.stderr
    assert os.path.isfile(os.path.join(schemas, "gschemas.compiled"))
    keys = run(["gsettings", "--schemadir", schemas, "list-keys", APP_ID])
    assert keys.returncode == 0, keys.stderr
    assert "download-folder" in keys.stdout.split(), keys.stdout


def test_dbus_service_starts_the_installed_binary(d):
    if not GUI:
        return
    dest, prefix = install(d)
    service = os.path.join(prefix, OPTIONS["datadir"], "dbus-1", "services", APP_ID + ".service")
    entry = configparser.RawConfigParser(strict=False)
    entry.optionxform = str
    entry.read(service, encoding="utf-8")
    section = entry["D-BUS Service"]
    assert section["Name"] == APP_ID
    exec_args = section["Exec"].split()
    assert exec_args[0] == os.path.join(PREFIX, OPTIONS["bindir"], "tessera"), exec_args
    assert "--gapplication-service" in exec_args
    assert os.access(dest + exec_args[0], os.X_OK), f"{dest + exec_args[0]} is not an installed program"


def test_man_pages_are_installed_and_render(d):
    if not MAN:
        return
    dest, prefix = install(d)
    pages = ["tessera-cli.1"] + (["tessera.1"] if GUI else [])
    for page in pages:
        path = os.path.join(prefix, OPTIONS["mandir"], "man1", page)
        text = open(path, encoding="utf-8").read()
        assert text.startswith((".\\\"", ".TH", "'\\\"")), f"{path} is not a man page: {text[:80]!r}"
        assert ".TH" in text, f"{path} has no .TH header"


def test_installed_programs_speak_the_installed_translations(d):
    langs = linguas()
    assert langs, "po/LINGUAS lists no language"
    dest, prefix = install(d)
    localedir = os.path.join(prefix, OPTIONS["localedir"])
    programs = ["tessera-cli"] + (["tessera"] if GUI else [])
    for lang in langs:
        for program in programs:
            path = os.path.join(prefix, OPTIONS["bindir"], program)
            env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE=lang, TESSERA_LOCALEDIR=localedir)
            translated = run([path, "--help"], env=env)
            assert translated.returncode == 0, translated.stderr
            plain = run([path, "--help"], env=dict(env, LANGUAGE=""))
            assert translated.stdout != plain.stdout, f"{program} --help is not translated into {lang}"


def test_flatpak_manifest_matches_the_build(d):
    """build-aux's Flatpak manifest cannot be built here (no network); it is
    kept in step with the build by these checks."""
    manifest = json.load(open(os.path.join(ROOT, "build-aux", APP_ID + ".json"), encoding="utf-8"))
    assert manifest["id"] == APP_ID
    assert manifest["command"] == "tessera"
    assert manifest["runtime"] == "org.gnome.Platform" and manifest["sdk"] == "org.gnome.Sdk"
    args = manifest["finish-args"]
    assert "--share=network" in args and "--filesystem=xdg-download" in args, args
    # Each permission is explained.
    why = manifest["x-permissions-why"]
    for arg in args:
        assert any(arg in key for key in why), f"{arg} has no reason in x-permissions-why"
    tessera = manifest["modules"][-1]
    assert tessera["name"] == "tessera" and tessera["sources"][0] == {"type": "dir", "path": ".."}
    # Every option it passes exists in meson_options.txt.
    options = open(os.path.join(ROOT, "meson_options.txt"), encoding="utf-8").read()
    for opt in tessera.get("config-opts", []):
        name = opt[2:].split("=")[0]
        assert f"option('{name}'" in options, f"the manifest passes {opt}, which meson_options.txt lacks"
    # The libraries Tessera needs beyond the GNOME runtime are built first.
    names = [m["name"] for m in manifest["modules"]]
    for needed in ("gssdp", "gupnp", "gupnp-igd", "libnatpmp"):
        assert needed in names and names.index(needed) < names.index("tessera"), names
    for module in manifest["modules"][:-1]:
        for source in module["sources"]:
            assert source["url"].startswith("https://"), source


tap.run_all(globals())
