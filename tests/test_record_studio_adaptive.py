"""The Studio's recording steps its preset when a busy encoder skips frames, and its next recording at the same
output starts on the rung the last one ended on instead of skipping frames again while it steps."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from classroom_console.media import Program, SimulatedClock
from classroom_console.media.adaptive import LADDER
from classroom_console.media.recorder import RecordingResult
from classroom_console.media.stats import RecordingStats
from classroom_console.media.studio import Studio


async def test_the_studio_steps_and_its_next_recording_starts_on_the_rung_it_ended_on(tmp_path: Path) -> None:
    size = (640, 360)
    # the Studio's own settings, with a short queue so that a compositor flat out on the simulated clock
    # outruns x264 (test_record_adaptive.py does the same to the headless recorder)
    studio = Studio(None, None, tmp_path, size=size, start_floor_bytes=0)
    assert studio.settings.adaptive and studio.settings.preset == "veryfast"
    studio.settings = dataclasses.replace(studio.settings, queue_s=0.05, gop_s=0.5)
    studio.program = Program(size, 30, clock=SimulatedClock(), preview_fps=15)
    for spec in ("test-pattern", "test-pattern"):  # pictures alone: this is about the encoder
        await studio.add_source(spec)
    try:
        await studio.start_recording()
        assert studio.recorder is not None
        for _ in range(600):  # bounded: 30 s
            if studio.recorder.preset_changes:
                break
            await asyncio.sleep(0.05)
        changes = studio.recorder.preset_changes
        result = await studio.stop_recording()
        assert changes, f"no step after {result.stats.skipped_by_encoder} skipped frames"
        ended = changes[-1].new
        assert LADDER.index(ended) > LADDER.index("veryfast")
        assert result.stats.preset == ended and result.stats.preset_steps == len(changes)
        await studio.start_recording()
        started = studio.stats()
        assert started is not None and started.preset == ended  # not veryfast again
        await studio.stop_recording()
    finally:
        await studio.close()


async def test_a_recording_that_kept_up_on_a_stepped_rung_lets_the_next_start_a_rung_nearer_the_settings(
    tmp_path: Path,
) -> None:
    """A busy moment is not a busy PC for good: each recording that keeps (nearly) every frame on the rung a
    step left moves the next one's start a rung back up, until it is the settings' preset again."""
    studio = Studio(None, None, tmp_path, size=(640, 360), start_floor_bytes=0)
    key = (studio.program.size, studio.program.fps)
    studio.start_presets[key] = "superfast-fixedb"

    def ended(frames: int, skipped: int) -> None:
        stats = RecordingStats(elapsed_s=frames / 30, frames=frames, skipped_by_encoder=skipped)
        studio._ended(RecordingResult("r", tmp_path / "r.mp4", frames / 30, 0, "", "stopped", "", stats))

    try:
        ended(600, 40)  # still skipping: it stays
        assert studio.start_presets[key] == "superfast-fixedb"
        ended(60, 0)  # two seconds say little
        assert studio.start_presets[key] == "superfast-fixedb"
        ended(600, 2)
        assert studio.start_presets[key] == "superfast"
        ended(600, 0)
        assert key not in studio.start_presets  # veryfast, the settings' own, again
    finally:
        await studio.close()
