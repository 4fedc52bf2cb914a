"""What the media tests share."""

from __future__ import annotations

from typing import Any

from classroom_console.media import EncoderSettings


def output_test_settings(**fields: Any) -> EncoderSettings:
    """These tests are of the outputs, not of the encoder keeping up (test_record_adaptive's subject). A CI machine
    busy with another test worker beside can starve the encoder for a moment, and the app's 0.3 s queue then skips
    frames; two seconds of queue keep a moment's starvation from reading as a lost frame, while an output that held
    the encoder up for longer still shows as one."""
    return EncoderSettings(queue_s=2.0, **fields)
