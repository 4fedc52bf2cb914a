"""Reading the JSON files people edit by hand (settings.json, scenes.json) without losing them to one typo.

Why: a value of the wrong type cost every setting (the room's name, its live destinations, the Studio's sources)
and one bad scene every scene of the room; the next save then wrote the defaults over the file, so a hand edit's
typo erased the room's setup for good (an attacker's walk, E3). Now a bad entry is dropped alone, and a file that
could not be read at all is copied aside before anything is saved over it.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def read_object(path: Path) -> dict[str, Any]:
    """The file's top-level object; ValueError for anything else (``null``, a list, nesting too deep)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"the file holds {type(raw).__name__}, not an object")
    return raw


def keep_aside(path: Path, problem: Exception) -> None:
    """Copy an unreadable file to ``NAME.unreadable-DATE`` (once per content), so a later save loses nothing."""
    log.warning("ignoring unreadable %s: %s", path, problem)
    try:
        data = path.read_bytes()
        for old in path.parent.glob(f"{path.name}.unreadable-*"):
            if old.read_bytes() == data:
                return
        aside = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.copy2(path, aside)  # the original's mode: settings hold the room's setup, 0600 where it is
        log.warning("kept a copy of %s as %s; the defaults are used until it is fixed", path.name, aside.name)
    except OSError as exc:
        log.warning("could not keep a copy of %s: %s", path, exc)


def field(raw: dict[str, Any], key: str, default: Any, ok: bool, path: Path, what: str) -> Any:
    """``raw[key]`` when ``ok`` said it is fit, else the default, said in the log (the other fields kept)."""
    if key not in raw:
        return default
    if ok:
        return raw[key]
    log.warning("%s: %s must be %s; keeping the default for it alone", path, key, what)
    return default
