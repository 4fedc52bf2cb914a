"""Every command's --help describes each of its arguments, in Russian and in English (review 2026-12-02, #10):
`centre serve --help` gave --port no words and no default, the positional NAME, OUT, BACKUP, ROOM|TOKEN-ID and
NAME|TOKEN-ID none, and `centre --help` named 7 of its 14 actions."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import finish

ROOT = Path(__file__).resolve().parent.parent
LANGS = {"ru": "ru_RU.UTF-8", "en": "C.UTF-8"}
COMMANDS = ("sim", "discover", "device", "record", "stream", "usage", "sync", "class", "chapters", "centre")


def start(*args: str, lang: str) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    # wide: each entry on one line, no name broken at its hyphen
    env = {**base, "LANG": LANGS[lang], "PYTHONPATH": str(ROOT), "COLUMNS": "1000"}
    return subprocess.Popen([sys.executable, "-m", "classroom_console", *args, "--help"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def helps(commands: list[tuple[str, ...]], lang: str) -> dict[tuple[str, ...], str]:
    runs = {command: start(*command, lang=lang) for command in commands}
    said = {}
    for command, run in runs.items():
        done = finish(run)
        assert done.returncode == 0, (command, done.stderr)
        said[command] = done.stdout
    return said


@functools.cache
def every_help(lang: str) -> dict[tuple[str, ...], str]:
    """Each command's --help and each centre action's, run once in each language for this module's tests."""
    first = helps([(name,) for name in COMMANDS], lang)
    return first | helps([("centre", action) for action in actions(first[("centre",)])], lang)


def sections(text: str) -> dict[str, list[str]]:
    """The help's sections ("positional arguments", "options" or their Russian) and their lines."""
    found: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if re.fullmatch(r"\S[^:]*:", line) and not line.startswith(("usage", "использование")):
            current = line[:-1]
            found[current] = []
        elif current and line.strip():
            found[current].append(line)
    return found


def undescribed(text: str) -> list[str]:
    """The arguments listed with no words: an entry line (two spaces in) with nothing after its name, and no deeper
    line after it; the subcommands under a COMMAND/ACTION entry are themselves such deeper lines."""
    missing = []
    for lines in sections(text).values():
        for i, line in enumerate(lines):
            if not re.match(r"  \S", line):
                continue
            described = len(re.split(r"\s{2,}", line.strip(), maxsplit=1)) == 2
            deeper = i + 1 < len(lines) and re.match(r" {3,}\S", lines[i + 1])
            if not described and not deeper:
                missing.append(line.strip())
    return missing


def actions(text: str) -> list[str]:
    """The subcommands the help lists under its COMMAND/ACTION entry."""
    return [m[1] for m in re.finditer(r"(?m)^    ([a-z][a-z-]+)(?:\s|$)", text)]


def description(text: str) -> str:
    """The paragraph between the usage block and the first section."""
    paragraphs = text.split("\n\n")
    return " ".join(paragraphs[1].split()) if len(paragraphs) > 2 else ""


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_every_argument_of_every_command_is_described(lang: str) -> None:
    said = every_help(lang)
    assert len(actions(said[("centre",)])) == 14, said[("centre",)]
    missing = {" ".join(command): gap for command, text in said.items() if (gap := undescribed(text))}
    assert not missing, missing


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_centre_help_names_every_action_and_serves_defaults(lang: str) -> None:
    said = every_help(lang)
    listed = actions(said[("centre",)])
    named = description(said[("centre",)])
    assert listed and not [a for a in listed if not re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", named)], named
    serve = " ".join(said[("centre", "serve")].split())
    default = "по умолчанию" if lang == "ru" else "default"
    assert re.search(rf"--port PORT [^-]*{default} 8765", serve), serve  # the README's port, said where it is set
    assert re.search(rf"--max-file-gb GB [^-]*{default} 64\)", serve), serve


def test_russian_help_leaves_no_english_description() -> None:
    """Each argument's words in Russian: an entry whose words are English was left untranslated."""
    said = every_help("ru")
    english: dict[str, list[str]] = {}
    for command, text in said.items():
        for lines in sections(text).values():
            for line in lines:
                words = re.split(r"\s{2,}", line.strip(), maxsplit=1)[-1]
                if re.search(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}", words) and not re.search("[А-Яа-яЁё]", words):
                    english.setdefault(" ".join(command), []).append(words)
    assert not english, english
    assert "ДЕЙСТВИЕ" in said[("centre",)] and "ACTION" not in said[("centre",)]
