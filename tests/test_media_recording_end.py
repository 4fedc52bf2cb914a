"""The end of a recording whose encoder lags: every picture given before the end is in the file, and the wait
for the encoder to work through what it holds is reported as it goes.

The lag is made on purpose and without a clock: pictures of noise (x264's hardest) are pushed as fast as the test
can, so the encoder's queue is full from the third picture on, as a 'slower' preset on a busy PC keeps it. At Stop
the compositor is a few instants behind (it composes each one up to 0.1 s late); those instants are pushed after
``finish``, into the full queue."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from classroom_console.media.encoder import Encoder, EncoderSettings
from classroom_console.media.frames import AUDIO_RATE
from classroom_console.media.output_file import FileOutput

FPS = 30
SIZE = (640, 360)
BEFORE_STOP = 20  # instants pushed before Stop (most skipped: the queue is full)
BEHIND = 6  # instants the compositor still owed when Stop was pressed (0.2 s)


def noise(rng: np.random.Generator) -> np.ndarray:
    w, h = SIZE
    return rng.integers(0, 256, (h * 3 // 2, w), dtype=np.uint8)


def file_pictures(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sorted(round(float(frame.time) * FPS) for frame in container.decode(stream) if frame.time is not None)


def test_every_picture_given_before_the_end_is_in_the_file_when_the_encoder_lags(tmp_path: Path) -> None:
    """A lagging encoder skipped the pictures the compositor gave after Stop (its queue full, as all along), so the
    file ended at the last one it happened to take: 1.47-1.7 s of a 2 s recording under x264 'slower'."""
    settings = EncoderSettings(preset="slower", sync_s=0)
    encoder = Encoder(SIZE, FPS, settings, name="end")
    path = tmp_path / "end.mp4"
    encoder.add_output(FileOutput(path, settings, free_space=lambda folder: 2**40), required=True)
    encoder.start()
    rng = np.random.default_rng(7)
    pictures = [noise(rng) for _ in range(8)]  # made beforehand: pushed back to back, they outrun any encoder
    end = BEFORE_STOP + BEHIND
    try:
        for i in range(BEFORE_STOP):
            encoder.push_video(i / FPS, pictures[i % len(pictures)])
        assert not encoder.wants_video(), "the encoder kept up: the test proves nothing"
        encoder.finish(end / FPS)  # Stop, pressed at this instant
        assert encoder.finishing_s() is None, "finishing only once every instant before the end is in"
        skipped_before = encoder.counters.skipped
        for i in range(BEFORE_STOP, end + 1):  # the compositor catches up; the last one is past the end
            encoder.push_video(i / FPS, pictures[i % len(pictures)])
        left = encoder.finishing_s()  # the sound is not in yet, so the encoder cannot have finished
        assert left is not None and left >= 0
        encoder.push_audio(0, np.zeros(round(end / FPS * AUDIO_RATE) + 1024, np.float32))
        assert encoder.join(120), "the encoder did not finish"
    finally:
        if encoder.alive:  # frees a stuck one
            encoder.fail("error", "test over")
            encoder.join(30)
    assert encoder.error is None and encoder.stop_reason == "stopped"
    assert encoder.finishing_s() is None
    assert encoder.counters.skipped == skipped_before, "a picture given after Stop was skipped"
    in_file = file_pictures(path)
    assert set(range(BEFORE_STOP, end)) <= set(in_file), f"given after Stop, missing: {in_file}"
    assert len(in_file) == encoder.counters.frames == len(set(in_file))
    assert max(in_file) == end - 1
