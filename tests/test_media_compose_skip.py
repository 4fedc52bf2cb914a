"""An instant the encoder would skip is not composed: on a PC busy enough to make the encoder skip frames, composing
them took the CPU x264 lacked (the Studio's recording beside stress-ng kept 27-44 frames of ~260 before, 80-138
after). Every such instant is still counted as skipped."""

from __future__ import annotations

import time

from classroom_console.media import EncoderSettings, Program, TestPattern
from classroom_console.media.encoder import Encoder


def test_a_full_encoder_queue_means_no_composing_and_every_instant_counted() -> None:
    size = (320, 180)
    program = Program(size, 30)
    program.add_source(TestPattern("camera", size, 30))
    # never started: its queue fills and stays full, like an encoder far behind
    encoder = Encoder(size, 30, EncoderSettings(queue_s=0.1))
    limit = max(2, round(encoder.settings.queue_s * encoder.fps))
    program.attach(encoder)
    program.start()
    try:
        deadline = time.monotonic() + 30
        while encoder.counters.skipped < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        program.stop()
        assert program.join(10)
    skipped, composed = encoder.counters.skipped, program.composed
    assert skipped >= 20
    assert composed <= limit + 1, f"{composed} composed for a queue of {limit}"  # every one before: ~30 a second
    assert encoder._video_waiting == limit  # the queue took what was composed; the rest counted as skipped
    assert encoder.wants_video() is False
