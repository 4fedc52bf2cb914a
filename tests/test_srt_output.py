"""SRT push against a real SRT listener on loopback (Debian's ffmpeg, libsrt): the stream it receives decodes
with the right codecs and length, and a listener that is not there is reported, never stalling the file."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from classroom_console.live import DestinationRefused, LiveDestinations
from classroom_console.media.output import OutputState
from classroom_console.media.output_srt import SrtOutput, srt_available
from classroom_console.passwords import PasswordBook
from classroom_console.settings import RoomSettings
from tests.test_stream_rtmp import FPS, free_port, received_whole, record_live

needs_srt = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or not srt_available(),
    reason="needs Debian's ffmpeg (the listener) and SRT in PyAV's FFmpeg (PyPI's av wheels have no libsrt)",
)


@needs_srt
def test_the_program_goes_out_over_srt_and_arrives_whole(tmp_path: Path) -> None:
    port = free_port()
    received = tmp_path / "received.ts"
    listener = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", f"srt://127.0.0.1:{port}?mode=listener",
         "-c", "copy", "-f", "mpegts", str(received)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        output = SrtOutput(f"srt://127.0.0.1:{port}?streamid=lecture-secret", name="srt test")
        result = record_live(tmp_path / "out.mp4", [output], 4.0)
        assert listener.wait(timeout=60) == 0, listener.stderr.read() if listener.stderr else ""
    finally:
        if listener.poll() is None:
            listener.kill()
    codecs, video_s, _sound_s = received_whole(received, 2.0)
    assert codecs == ["h264", "aac"]
    assert video_s >= 2.0  # from its first keyframe (it may connect a moment after the recording starts)
    assert result.stats.frames == round(4.0 * FPS)
    stats = output.stats()
    assert stats.connects >= 1 and stats.bytes > 0 and "lecture-secret" not in str(stats.as_dict())


@needs_srt
def test_a_listener_that_is_not_there_is_reported_and_the_file_is_whole(tmp_path: Path) -> None:
    output = SrtOutput(f"srt://127.0.0.1:{free_port()}", name="nobody", connect_timeout_s=0.5)
    result = record_live(tmp_path / "out.mp4", [output], 2.0)
    assert result.stats.frames == round(2.0 * FPS)
    assert output.stats().state in (OutputState.FAILED, OutputState.RECONNECTING, OutputState.ENDED)
    assert output.stats().connects == 0


def test_srt_urls_are_checked_and_masked() -> None:
    with pytest.raises(ValueError, match="SRT URL"):
        SrtOutput("srt://127.0.0.1")
    with pytest.raises(ValueError, match="caller"):
        SrtOutput("srt://127.0.0.1:9000?mode=listener")
    assert "secret" not in SrtOutput("srt://127.0.0.1:9000?passphrase=secret123").name


def test_a_build_without_srt_refuses_an_srt_destination_plainly(tmp_path: Path) -> None:
    """Where PyAV's FFmpeg has no SRT (PyPI's wheels), adding one says so instead of failing later."""
    if srt_available():
        pytest.skip("this FFmpeg has SRT")
    book = PasswordBook(None, use_keyring=False)
    live = LiveDestinations(book, RoomSettings(), tmp_path)
    with pytest.raises(DestinationRefused) as refused:
        asyncio.run(live.add("Partner university", "srt://127.0.0.1:9000?streamid=x"))
    assert refused.value.code == "srt-unavailable"
