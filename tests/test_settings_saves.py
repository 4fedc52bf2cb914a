"""settings.json written from several worker threads: the last save to start is the one that stays."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

from classroom_console.settings import FILE_NAME, RoomSettings, save

BOUND_S = 30.0


class _HeldList(list[str]):
    """A list whose copying waits until released: a save that read the settings before a change, held there."""

    def __init__(self, items: list[str]) -> None:
        super().__init__(items)
        self.reading, self.release = threading.Event(), threading.Event()

    def __iter__(self) -> Iterator[str]:
        self.reading.set()
        assert self.release.wait(BOUND_S)
        return super().__iter__()


def test_an_earlier_save_never_lands_after_a_later_one(tmp_path: Path) -> None:
    held = _HeldList([])
    settings = RoomSettings(live_destinations=held)
    earlier = threading.Thread(target=save, args=(tmp_path, settings))
    earlier.start()
    assert held.reading.wait(BOUND_S), "the first save is reading the settings"

    settings.live_destinations = ["Hall stream"]  # a destination added while that save is on its way
    later = threading.Thread(target=save, args=(tmp_path, settings))
    later.start()
    later.join(1.0)  # without one-at-a-time saves it finishes here, and the earlier one then replaces it
    held.release.set()
    earlier.join(BOUND_S)
    later.join(BOUND_S)
    assert not earlier.is_alive() and not later.is_alive()

    saved = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert saved["live_destinations"] == ["Hall stream"]
    assert not list(tmp_path.glob("*.tmp")), "no temporary file left behind"
