"""The preset is chosen from measured encoding speed: the slowest one with headroom, else the fastest."""

from __future__ import annotations

import pytest

from classroom_console.media import calibrate


def test_a_small_picture_keeps_veryfast() -> None:
    preset, speeds = calibrate.choose_preset((320, 180), 30, seconds=0.5)
    assert preset == "veryfast" and speeds["veryfast"] >= calibrate.NEEDED_HEADROOM


def test_a_slow_machine_falls_back_to_faster_presets(monkeypatch: pytest.MonkeyPatch) -> None:
    speeds = {"veryfast": 0.9, "superfast": 1.2, "ultrafast": 1.4}
    monkeypatch.setattr(calibrate, "encode_speed", lambda preset, *_: speeds[preset])
    assert calibrate.choose_preset((1920, 1080), 30) == ("ultrafast", speeds)
    speeds["superfast"] = 1.6
    assert calibrate.choose_preset((1920, 1080), 30)[0] == "superfast"
