"""The audio meter's arithmetic on known signals: dBFS peak and RMS of a sine, the fall, the hold, the clip mark;
and the Studio's saved setup read back entry by entry."""

from __future__ import annotations

import math

import numpy as np

from classroom_console.media.frames import AUDIO_RATE
from classroom_console.media.layout import Corner, Layout, LayoutKind
from classroom_console.media.meter import CLIP_HOLD_S, FALL_DB_PER_S, HOLD_S, STALE_S, LevelMeter
from classroom_console.media.studio_setup import SourceEntry, StudioScene, StudioSetup

BLOCK = 960


def sine(amplitude: float, first: int, count: int = BLOCK, hz: float = 1000.0) -> np.ndarray:
    t = np.arange(first, first + count) / AUDIO_RATE
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def feed(meter: LevelMeter, amplitude: float, start_s: float, seconds: float) -> float:
    first = round(start_s * AUDIO_RATE)
    for n in range(round(seconds * AUDIO_RATE / BLOCK)):
        meter.feed((first + n * BLOCK) / AUDIO_RATE, sine(amplitude, first + n * BLOCK))
    return start_s + seconds


def test_a_sine_reads_its_peak_and_rms_in_dbfs() -> None:
    meter = LevelMeter()
    end = feed(meter, 10 ** (-12 / 20), 0.0, 1.0)
    reading = meter.read(end)
    assert abs(reading.peak_db + 12) < 0.1 and abs(reading.hold_db + 12) < 0.1
    assert abs(reading.rms_db + 15.01) < 0.2 and not reading.clipped


def test_the_peak_falls_the_hold_lets_go_and_silence_reads_as_nothing() -> None:
    meter = LevelMeter()
    end = feed(meter, 0.5, 0.0, 0.2)
    end = feed(meter, 0.05, end, 1.0)  # -26 dBFS after a -6 dBFS burst
    reading = meter.read(end)
    assert abs(reading.hold_db + 6.02) < 0.1, "the burst held"
    assert abs(reading.peak_db - max(-26.02, -6.02 - FALL_DB_PER_S * 1.0)) < 0.2, "the bar fell at its rate"
    end = feed(meter, 0.05, end, HOLD_S)
    assert abs(meter.read(end).hold_db + 26.02) < 0.1, "the hold let go after HOLD_S"
    later = meter.read(end + STALE_S + 0.1)
    assert later.rms_db == -math.inf and later.peak_db < -26.02


def test_full_scale_is_marked_clipping_until_reset_or_later() -> None:
    meter = LevelMeter()
    end = feed(meter, 1.0, 0.0, 0.1)
    assert meter.read(end).clipped and abs(meter.read(end).hold_db) < 0.01
    end = feed(meter, 0.1, end, 1.0)
    assert meter.read(end).clipped, "the mark stays after the loud moment"
    meter.reset_clip()
    assert not meter.read(end).clipped
    feed(meter, 1.0, end, 0.1)
    assert meter.read(end + 0.1).clipped and not meter.read(end + 0.1 + CLIP_HOLD_S + 0.5).clipped


def test_a_layout_names_its_main_and_inset_and_falls_back_when_one_goes() -> None:
    layout = Layout(LayoutKind.PIP, main_source="screen", inset_source="camera")
    assert (layout.placed(["camera", "screen"]).main, layout.placed(["camera", "screen"]).inset) == (1, 0)
    gone = layout.placed(["camera", "tone-video"])
    assert (gone.main, gone.inset) == (0, 1), "an unknown main falls back to the first, the inset to another"


def test_a_saved_setup_reads_back_and_a_damaged_entry_is_dropped_alone() -> None:
    setup = StudioSetup((SourceEntry("camera", "camera:rtsp://10.0.0.5/s", "Lectern"), SourceEntry("tone", "tone")),
                        (StudioScene("Board", LayoutKind.PIP, "camera", "screen", Corner.TOP_LEFT),))
    raw = setup.to_json()
    assert StudioSetup.from_json(raw) == setup
    raw["sources"].insert(1, {"name": 5})
    raw["scenes"].append({"name": "Bad", "kind": "cube"})
    assert StudioSetup.from_json(raw) == setup
    assert StudioSetup.from_json("nonsense") == StudioSetup()
    assert setup.sources[0].kind == "camera" and SourceEntry("c", "rtsp://x/y").kind == "camera"
