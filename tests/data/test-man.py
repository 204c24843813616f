#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The man pages against the programs they describe. The built pages (the
roff that is installed, not the scdoc source) are read section by section:
every option a command's --help lists has an entry, with the same short
name and argument, in that command's section, and every option a section
names exists; every command has a section; the synopses, the examples and
the environment variables the sources read agree with the pages; and groff
formats each page without a warning."""

import os
import re
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, cli, need_cli, run  # noqa: E402


def need_env(name):
    value = os.environ.get(name)
    if not value:
        print(f"Bail out! {name} is not set: run this test through meson (tests/data/meson.build)")
        sys.exit(1)
    return value


need_cli()
CLI_PAGE = need_env("TESSERA_CLI_MAN")
GROFF = need_env("GROFF")
SOURCE_ROOT = need_env("TESSERA_SOURCE_ROOT")
GUI = need_env("TESSERA_GUI") == "true"
APP = need_env("TESSERA_APP") if GUI else None
APP_PAGE = need_env("TESSERA_APP_MAN") if GUI else None

tap = Tap()

# ---------------------------------------------------------------------------
# Reading roff and --help


def deroff(line):
    """The text of a line of the roff that scdoc writes."""
    line = line.replace("\\\\", "\0")
    line = re.sub(r"\\h'[^']*'|\\\(bu|\\c$", "", line)   # a list's bullet
    line = re.sub(r"\\f[BIRP]", "", line)
    line = line.replace("\\&", "").replace("\\-", "-").replace("\\(aq", "'").replace("\\*(Aq", "'")
    line = line.replace("\\e", "\\")
    assert "\\" not in line, f"roff escape not understood in {line!r}"
    return line.replace("\0", "\\")


class Page:
    """A built man page: the roff lines of each .SH section and, within it,
    of each .SS subsection."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.lines = f.read().splitlines()
        self.sections = {}       # "OPTIONS" -> lines before the first .SS
        self.subsections = {}    # "COMMANDS" -> {"create": lines}
        section = None
        current = None
        for line in self.lines:
            if line.startswith(".SH "):
                section = line[4:].strip('"')
                assert section not in self.sections, f"{path}: two {section} sections"
                current = self.sections[section] = []
                self.subsections[section] = {}
            elif line.startswith(".SS "):
                name = line[4:].strip('"')
                assert section is not None, f"{path}: .SS {name} before any .SH"
                assert name not in self.subsections[section], f"{path}: two {section}/{name} subsections"
                current = self.subsections[section][name] = []
            elif current is not None:
                current.append(line)

    def section(self, name):
        assert name in self.sections, f"no {name} section; the page has {sorted(self.sections)}"
        return self.sections[name]

    def subsection(self, section, name):
        subsections = self.subsections.get(section, {})
        assert name in subsections, f"no {section}/{name} subsection; there are {sorted(subsections)}"
        return subsections[name]


def text_lines(lines):
    """The lines of running text (no requests), de-roffed."""
    return [deroff(line) for line in lines if not line.startswith(".")]


def terms(lines):
    """The terms of scdoc's definition lists: the text line right before an
    indented block (.RS), which bullet lists and literal blocks never have."""
    return [deroff(lines[i - 1]) for i in range(1, len(lines))
            if lines[i].startswith(".RS") and lines[i - 1] and not lines[i - 1].startswith(".")]


OPTION_TERM = re.compile(r"(?:(-[A-Za-z0-9]), )?(--[A-Za-z0-9][\w-]*)(?:=(\S+))?")
OPTION_MENTION = re.compile(r"(?<![\w.-])(--?[A-Za-z][\w-]*)")


def option_terms(lines):
    """{long name: "-s, --long=ARG"} for the option entries of a section."""
    options = {}
    for term in terms(lines):
        if not term.startswith("-"):
            continue
        match = OPTION_TERM.fullmatch(term)
        assert match, f"option entry {term!r} is not “-s, --long=ARG”"
        assert match.group(2) not in options, f"{match.group(2)} has two entries"
        options[match.group(2)] = term
    return options


def mentions(lines):
    """Every option-like word in the running text of a section."""
    return {word for line in text_lines(lines) for word in OPTION_MENTION.findall(line)}


HELP_LINE = re.compile(r"\s+((?:-[A-Za-z0-9], )?--[A-Za-z0-9][\w-]*(?:=\S+)?)(?:\s|$)")


def help_options(text, group=None):
    """{long name: "-s, --long=ARG"} of GOption --help output, from every
    group or, with @group, from that one only."""
    options = {}
    in_group = group is None
    for line in text.splitlines():
        if group is not None and line and not line[0].isspace():
            in_group = line.rstrip(":") == group
            continue
        match = HELP_LINE.match(line)
        if match and in_group:
            term = match.group(1)
            options[OPTION_TERM.fullmatch(term).group(2)] = term
    return options


def option_names(options):
    """The long and short names of {long: term} options."""
    names = set()
    for term in options.values():
        match = OPTION_TERM.fullmatch(term)
        names.add(match.group(2))
        if match.group(1):
            names.add(match.group(1))
    return names


def compare_options(where, documented, helped):
    missing = sorted(set(helped) - set(documented))
    removed = sorted(set(documented) - set(helped))
    differ = sorted(f"page {documented[k]!r}, --help {helped[k]!r}"
                    for k in set(helped) & set(documented) if documented[k] != helped[k])
    problems = []
    if missing:
        problems.append(f"not documented: {', '.join(helped[k] for k in missing)}")
    if removed:
        problems.append(f"documented but not in --help: {', '.join(documented[k] for k in removed)}")
    if differ:
        problems.append(f"differ: {'; '.join(differ)}")
    assert not problems, f"{where}: " + " | ".join(problems)


def check_mentions(where, lines, allowed):
    unknown = sorted(mentions(lines) - allowed)
    assert not unknown, f"{where} names options that do not exist: {', '.join(unknown)}"


def cli_help(*args):
    result = cli(*args, "--help")
    assert result.returncode == 0, f"tessera-cli {' '.join(args)} --help: status {result.returncode}"
    assert result.stderr == b"", result.stderr.decode(errors="replace")
    return result.stdout.decode()


def commands():
    """{name: summary} from `tessera-cli --help`."""
    found = {}
    listing = False
    for line in cli_help().splitlines():
        if line == "Commands:":
            listing = True
        elif listing and not line.strip():
            break
        elif listing:
            name, summary = line.split(None, 1)
            found[name] = summary
    assert found, "tessera-cli --help lists no commands"
    return found


def usage(text):
    lines = text.splitlines()
    assert lines[0] == "Usage:", lines[0]
    return lines[1].strip().replace("…", "...")


# ---------------------------------------------------------------------------
# tessera-cli(1)

cli_page = Page(CLI_PAGE)
COMMANDS = commands()
HELP = {name: cli_help(name) for name in COMMANDS}


def test_every_command_has_a_section(d):
    sections = set(cli_page.subsections["COMMANDS"]) if "COMMANDS" in cli_page.subsections else set()
    assert sections == set(COMMANDS), \
        f"COMMANDS sections {sorted(sections)} but --help lists {sorted(COMMANDS)}"
    listed = {term for term in terms(cli_page.section("DESCRIPTION")) if not term.startswith("-")}
    assert listed == set(COMMANDS), f"DESCRIPTION lists {sorted(listed)} but --help {sorted(COMMANDS)}"


def check_command(name):
    lines = cli_page.subsection("COMMANDS", name)
    helped = help_options(HELP[name], "Application Options")
    assert helped, f"no options parsed from `tessera-cli {name} --help`"
    assert help_options(HELP[name], "Help Options") == {"--help": "-h, --help"}, \
        f"{name} --help has help options beyond -h, --help: the OPTIONS section covers only those"
    compare_options(f"tessera-cli(1) {name}", option_terms(lines), helped)
    check_mentions(f"tessera-cli(1) {name}", lines, option_names(helped) | {"-h", "--help"})
    synopsis = text_lines(lines)
    synopsis = [line for line in synopsis if line.strip()]
    assert synopsis and synopsis[0] == usage(HELP[name]), \
        f"{name} synopsis {synopsis[:1]} but --help says {usage(HELP[name])!r}"


for command in COMMANDS:
    tap.run(f"cli-{command}-options", check_command, command)


def test_global_options(d):
    helped = {}
    listing = False
    for line in cli_help().splitlines():
        if line == "Options:":
            listing = True
        elif listing and not line.strip():
            break
        elif listing:
            match = HELP_LINE.match(line)
            assert match, f"not an option line: {line!r}"
            helped[OPTION_TERM.fullmatch(match.group(1)).group(2)] = match.group(1)
    assert helped, "tessera-cli --help lists no options"
    lines = cli_page.section("OPTIONS")
    compare_options("tessera-cli(1) OPTIONS", option_terms(lines), helped)
    check_mentions("tessera-cli(1) OPTIONS", lines, option_names(helped))


def test_examples_run_real_options(d):
    lines = text_lines(cli_page.section("EXAMPLES"))
    joined = "\n".join(lines).replace("\\\n", " ")
    examples = [line for line in joined.splitlines() if line.startswith("tessera-cli ")]
    assert examples, "no tessera-cli command in EXAMPLES"
    for example in examples:
        words = shlex.split(example)
        if "&&" in words:
            words = words[:words.index("&&")]
        name = words[1]
        assert name in COMMANDS, f"example {example!r}: no command {name}"
        names = option_names(help_options(HELP[name]))
        for word in words[2:]:
            if word.startswith("-"):
                assert word.split("=")[0] in names, f"example {example!r}: {word} is not an option of {name}"


# ---------------------------------------------------------------------------
# tessera(1)

def test_app_options(d):
    result = run([APP, "--help-all"])
    assert result.returncode == 0, f"tessera --help-all: status {result.returncode}"
    helped = help_options(result.stdout.decode())
    assert "--help-all" in helped, result.stdout.decode()
    lines = Page(APP_PAGE).section("OPTIONS")
    compare_options("tessera(1) OPTIONS", option_terms(lines), helped)
    check_mentions("tessera(1) OPTIONS", lines, option_names(helped))


if not GUI:
    del test_app_options
    print("# the gui option is off: tessera(1) is not built, so not checked")

# ---------------------------------------------------------------------------
# Both pages


def getenv_names(folders):
    """The TESSERA_* variables the C sources under @folders read. None is a
    test hook (the tests drive the programs from outside, or link their
    libraries): each is for users, so each is documented."""
    names = set()
    for folder in folders:
        for root, _, files in os.walk(os.path.join(SOURCE_ROOT, folder)):
            for file in files:
                if file.endswith(".c"):
                    with open(os.path.join(root, file), encoding="utf-8") as f:
                        names |= set(re.findall(r'g_getenv \("(TESSERA_\w+)"\)', f.read()))
    return names


def documented_variables(page):
    return {name for term in terms(page.section("ENVIRONMENT"))
            for name in re.findall(r"\b[A-Z][A-Z0-9_]+\b", term)}


def check_environment(page_path, folders):
    page = Page(page_path)
    read = getenv_names(folders)
    assert read, f"no TESSERA_* variable found in {folders}: is TESSERA_SOURCE_ROOT right?"
    documented = {n for n in documented_variables(page) if n.startswith("TESSERA_")}
    assert read <= documented, f"read but not in ENVIRONMENT: {sorted(read - documented)}"
    assert documented <= read, f"in ENVIRONMENT but read nowhere: {sorted(documented - read)}"


ENGINE = ["src/engine", "src/tracker"]
tap.run("cli-environment", check_environment, CLI_PAGE, ["src/cli"] + ENGINE)
if GUI:
    tap.run("app-environment", check_environment, APP_PAGE, ["src/app"] + ENGINE)


def check_page_formats(path, name):
    result = run([GROFF, "-man", "-Tutf8", "-ww", "-z", path])
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode == 0 and stderr == "", f"groff: status {result.returncode}: {stderr}"
    page = Page(path)
    header = next(line for line in page.lines if line.startswith(".TH "))
    assert shlex.split(header[4:])[:2] == [name, "1"], header
    names = [line for line in text_lines(page.section("NAME")) if line.strip()]
    assert len(names) == 1 and names[0].startswith(f"{name} - "), f"NAME is not “{name} - …”: {names}"
    for section in ("SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "FILES", "SEE ALSO"):
        page.section(section)


tap.run("cli-page-formats", check_page_formats, CLI_PAGE, "tessera-cli")
if GUI:
    tap.run("app-page-formats", check_page_formats, APP_PAGE, "tessera")

tap.run_all(dict(globals()))
