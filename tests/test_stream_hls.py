"""LAN HLS served by the console itself, fetched over HTTP on loopback as a player would, and decoded.

The encoder, the segmenter, the aiohttp server and nginx-rtmp are the real ones. A slow viewer is a real TCP
client that hardly reads; what must not notice it is the recording and the RTMP push.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import re
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import aiohttp
import av
import numpy as np
import pytest

from classroom_console.media import EncoderSettings, Program, Recorder, TestPattern, Tone, offload
from classroom_console.media.broadcast import Broadcast
from classroom_console.media.clock import Clock, SimulatedClock
from classroom_console.media.encoder import Encoder
from classroom_console.media.frames import AUDIO_RATE
from classroom_console.media.hls_dnssd import SERVICE_TYPE, HlsAdvertiser
from classroom_console.media.hls_server import HlsServer
from classroom_console.media.output import OutputState
from classroom_console.media.output_hls import HlsOutput, Segment, render_playlist
from classroom_console.media.output_rtmp import RtmpOutput
from classroom_console.media.packets import EncodedPacket
from classroom_console.media.probe import inspect
from classroom_console.media.studio import Studio
from tests.discovery_helpers import browse_until
from tests.media_helpers import output_test_settings
from tests.test_stream_rtmp import FPS, SIZE, Nginx, received_whole
from tests.test_stream_rtmp import nginx as nginx_server

nginx = nginx_server  # the fixture, under the name the tests ask for

BOUND_S = 30.0


class Playlist:
    def __init__(self, text: str) -> None:
        assert text.startswith("#EXTM3U\n"), text
        self.text = text
        self.target = int(_tag(text, "EXT-X-TARGETDURATION"))
        self.sequence = int(_tag(text, "EXT-X-MEDIA-SEQUENCE"))
        self.durations = [float(d) for d in re.findall(r"#EXTINF:([\d.]+),", text)]
        self.dates = [datetime.fromisoformat(d) for d in re.findall(r"#EXT-X-PROGRAM-DATE-TIME:(\S+)", text)]
        self.names = re.findall(r"^(seg-\d+\.ts)$", text, re.MULTILINE)
        self.ended = "#EXT-X-ENDLIST" in text


def _tag(text: str, tag: str) -> str:
    found = re.search(rf"^#{tag}:(\S+)$", text, re.MULTILINE)
    assert found is not None, f"no {tag} in {text}"
    return found.group(1)


def decode_segment(data: bytes) -> tuple[list[str], list[float], float]:
    """The codecs, each picture's time, and the seconds of sound in one MPEG-TS segment, decoded alone."""
    with av.open(io.BytesIO(data), "r", format="mpegts") as container:
        codecs = sorted(s.codec_context.name for s in container.streams)
        times = [float(f.time) for f in container.decode(video=0) if f.time is not None]
    with av.open(io.BytesIO(data), "r", format="mpegts") as container:
        sound = sum(f.samples for f in container.decode(audio=0)) / 48_000
    return codecs, times, sound


def small_program(clock: Clock | None = None) -> Program:
    program = Program(SIZE, FPS, clock=clock)
    for source in (TestPattern(size=SIZE, fps=FPS), Tone()):
        program.add_source(source)
    return program


async def until(predicate: Callable[[], Awaitable[bool]], what: str, within: float = BOUND_S) -> None:
    deadline = time.monotonic() + within
    while not await predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_hls_without_a_recording_slides_its_playlist_and_every_segment_decodes(tmp_path: Path) -> None:
    hls = HlsOutput(window=3, keep=5)
    server = HlsServer("127.0.0.1", 0, hls)
    program = small_program()
    broadcast = Broadcast(program, [hls], settings=output_test_settings())  # a whole second in each segment
    playlists: list[Playlist] = []
    segments: dict[str, bytes] = {}
    await server.start()
    base = f"http://127.0.0.1:{server.port}/live/"
    program.start()
    try:
        await broadcast.start()
        async with aiohttp.ClientSession() as http:

            async def fetch_all() -> bool:
                async with http.get(base + "index.m3u8") as response:
                    if response.status == 404:
                        return False
                    assert response.status == 200
                    assert response.content_type == "application/vnd.apple.mpegurl"
                    playlist = Playlist(await response.text())
                playlists.append(playlist)
                for name in playlist.names:
                    if name not in segments:
                        async with http.get(base + name) as response:
                            assert response.status == 200 and response.content_type == "video/mp2t"
                            segments[name] = await response.read()
                return playlist.sequence >= 3

            await until(fetch_all, "the playlist to slide three segments on")
            async with http.get(base + "seg-0.ts") as response:
                assert response.status == 404, "only the last few segments are kept"
            async with http.get(base) as response:
                page = await response.text()
                assert response.status == 200 and response.content_type == "text/html"
                assert 'src="hls.light.min.js"' in page and "index.m3u8" in page
            async with http.get(base + "hls.light.min.js") as response:
                assert response.status == 200 and "Apache" in (await response.text())[:300]
            async with http.get(base[:-1]) as response:
                assert response.status == 200 and str(response.url).endswith("/live/")
            assert hls.stats().extra["clients_last_minute"] == 1
            await broadcast.stop()
            async with http.get(base + "index.m3u8") as response:
                final = Playlist(await response.text())
    finally:
        program.stop()
        await offload(program.join)
        await server.stop()

    assert final.ended and all(not p.ended for p in playlists)
    sequences = [p.sequence for p in playlists]
    assert sequences == sorted(sequences) and sequences[-1] >= 3
    for playlist in playlists:
        assert playlist.target == 1 and len(playlist.names) <= 3
        assert playlist.names == [f"seg-{n}.ts" for n in range(playlist.sequence, playlist.sequence + len(
            playlist.names))]
        assert all(d == pytest.approx(1.0, abs=0.05) for d in playlist.durations)
        gaps = [(b - a).total_seconds() for a, b in zip(playlist.dates, playlist.dates[1:], strict=False)]
        assert all(g == pytest.approx(1.0, abs=0.05) for g in gaps)
    decoded = await offload(lambda: [decode_segment(segments[f"seg-{n}.ts"]) for n in range(len(segments))])
    previous_end: float | None = None
    for codecs, times, sound in decoded:
        assert codecs == ["aac", "h264"]
        assert len(times) == FPS and times == sorted(times), "a second of pictures, in order"
        assert sound == pytest.approx(1.0, abs=0.1)
        if previous_end is not None:
            assert times[0] == pytest.approx(previous_end, abs=1e-3), "each segment starts where the last ended"
        previous_end = times[-1] + 1 / FPS
    stats = hls.stats()
    assert (stats.state, stats.dropped_packets) == (OutputState.ENDED, 0)
    assert stats.extra["segments"] >= 6 and stats.extra["served_bytes"] > sum(map(len, segments.values()))


async def test_a_slow_viewer_stalls_neither_the_recording_nor_the_rtmp_push(nginx: Nginx, tmp_path: Path) -> None:
    """Viewers that ask for every segment and then hardly read hold only their own connections."""
    hls = HlsOutput()
    live = RtmpOutput(nginx.url("slow"))
    server = HlsServer("127.0.0.1", 0, hls)
    program = small_program()
    recorder = Recorder(program, tmp_path / "out.mp4", duration_s=6.0, start_floor_bytes=0, outputs=[live, hls],
                        settings=output_test_settings())
    slow: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    await server.start()
    program.start()
    try:
        await recorder.start()
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{server.port}/live/index.m3u8"

            async def listed() -> bool:
                async with http.get(url) as response:
                    return response.status == 200 and len(Playlist(await response.text()).names) >= 2

            await until(listed, "two segments")
            trickled, asked = 0, 0
            for _ in range(4):
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
                names = [f"seg-{n}.ts" for n in range(hls.segments_made)] * 20
                asked += sum(len(hls.snapshot.segments.get(name, b"")) for name in names)
                writer.write("".join(f"GET /live/{name} HTTP/1.1\r\nHost: x\r\n\r\n" for name in names).encode())
                slow.append((reader, writer))
            ending = asyncio.ensure_future(recorder.wait())
            while not ending.done():  # the slow viewers read a trickle; a normal one is answered meanwhile
                for reader, _ in slow:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(0.02):
                            trickled += len(await reader.read(256))
                async with http.get(url) as response:
                    assert response.status == 200
                await asyncio.sleep(0.1)
            result = await ending
            assert trickled < asked / 10, "the slow viewers were slow: they still had most of it to read"
    finally:
        for _, writer in slow:
            writer.close()
        program.stop()
        await offload(program.join)
        await server.stop()

    assert result.stop_reason == "duration" and (await offload(lambda: inspect(result.path))).frames == 6 * FPS
    assert result.stats.skipped_by_encoder == 0 and result.stats.dropped_at_file == 0
    assert (live.stats().state, live.stats().dropped_packets) == (OutputState.ENDED, 0)
    assert (hls.stats().state, hls.stats().dropped_packets) == (OutputState.ENDED, 0)
    (flv,) = nginx.recordings("slow")
    assert (await offload(lambda: received_whole(flv, 6.0)))[1] == pytest.approx(6.0, abs=1.5 / FPS)


def test_the_playlist_says_its_target_its_sequence_and_its_breaks() -> None:
    segments = [Segment(7, 1.0, 1_800_000_000.0, b""), Segment(8, 1.04, 1_800_000_001.0, b"", discontinuity=True)]
    text = render_playlist(segments, 1, ended=False)
    assert text.splitlines() == [
        "#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:1", "#EXT-X-MEDIA-SEQUENCE:7",
        "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:00.000Z", "#EXTINF:1.000,", "seg-7.ts",
        "#EXT-X-DISCONTINUITY", "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:01.000Z", "#EXTINF:1.040,", "seg-8.ts"]
    assert render_playlist(segments, 1, ended=True).endswith("seg-8.ts\n#EXT-X-ENDLIST\n")


def test_an_hls_output_asks_the_encoder_for_a_keyframe_each_second() -> None:
    settings = EncoderSettings(gop_s=2.0)
    alone = Encoder(SIZE, FPS, settings)
    alone.add_output(RtmpOutput("rtmp://127.0.0.1/live/k"))
    assert alone.gop_s == 2.0, "RTMP can wait two seconds for a picture"
    with_hls = Encoder(SIZE, FPS, settings)
    with_hls.add_output(HlsOutput())
    assert with_hls.gop_s == 1.0
    assert Fraction(with_hls.gop_s).limit_denominator(FPS) == 1


async def test_the_stream_is_announced_over_dnssd_on_loopback() -> None:
    advertiser = HlsAdvertiser(8088, "/live/index.m3u8", interfaces=["127.0.0.1"], name="Console live test")
    try:
        assert await advertiser.start()
        found = await browse_until([SERVICE_TYPE], {"Console live test"}, ["127.0.0.1"])
    finally:
        await advertiser.stop()
    service = found["Console live test"]
    assert (service.address, service.port) == ("127.0.0.1", 8088)
    assert service.txt.get("path") == "/live/index.m3u8" and service.txt.get("kind") == "live"


async def test_the_studio_serves_its_recording_on_the_lan_and_stops_the_server_on_close(tmp_path: Path) -> None:
    """Through the facade the Studio workspace drives, on its loop: going live on the LAN mid-recording."""
    studio = Studio(None, None, tmp_path, size=SIZE, fps=FPS, settings=output_test_settings(), start_floor_bytes=0)
    try:
        await studio.add_source("test-pattern")
        await studio.add_source("tone")
        await studio.start_recording()
        hls = await studio.serve_lan(port=0, host="127.0.0.1")
        assert studio.lan is not None and hls.path == f"http://127.0.0.1:{studio.lan[0].port}/live/index.m3u8"
        async with aiohttp.ClientSession() as http:

            async def listed() -> bool:
                async with http.get(hls.path) as response:
                    return response.status == 200 and len(Playlist(await response.text()).names) >= 2

            await until(listed, "two segments of the recording on the LAN")
        assert [s.kind for s in studio.output_stats()] == ["file", "hls"]
        result = await studio.stop_recording()
    finally:
        await studio.close()
    assert studio.lan is None and hls.stats().state == OutputState.ENDED
    assert result.stats.skipped_by_encoder == 0 and result.stats.dropped_at_file == 0


class Gappy(HlsOutput):
    """An HLS output whose queue lost the packets of one stretch (as when it falls behind and drops GOPs)."""

    def __init__(self, lost_from_s: float, lost_to_s: float) -> None:
        super().__init__(window=10, keep=10)
        self.lost = (lost_from_s, lost_to_s)

    def deliver(self, packet: EncodedPacket) -> bool:
        if self.lost[0] <= packet.time_s < self.lost[1]:
            return False
        return super().deliver(packet)


async def test_a_stretch_of_dropped_gops_starts_a_discontinuous_segment_that_still_decodes() -> None:
    hls = Gappy(2.0, 3.5)
    program = small_program(SimulatedClock())  # the same threads, faster than real time: no viewer to wait for
    broadcast = Broadcast(program, [hls], duration_s=5.0, settings=EncoderSettings(block_when_full=True))
    program.start()
    try:
        await broadcast.start()
        await broadcast.wait()
    finally:
        program.stop()
        await offload(program.join)
    assert hls.snapshot.playlist is not None
    playlist = Playlist(hls.snapshot.playlist.decode())
    assert playlist.ended and playlist.text.count("#EXT-X-DISCONTINUITY") == 1
    assert playlist.target == 1 and all(d <= 1.05 for d in playlist.durations), "no segment spans the break"
    after = playlist.text.split("#EXT-X-DISCONTINUITY")[1]
    first_after = len(playlist.durations) - after.count("#EXTINF")
    gap = (playlist.dates[first_after] - playlist.dates[first_after - 1]).total_seconds()
    assert gap == pytest.approx(2.0, abs=0.1), "the date after the break says when its pictures were taken"
    assert hls.stats().extra["discarded"] > 0, "the pictures between the break and the next keyframe"
    decoded = await offload(lambda: [decode_segment(hls.snapshot.segments[name]) for name in playlist.names])
    for codecs, times, _ in decoded:
        assert codecs == ["aac", "h264"] and times
        assert times[-1] - times[0] < 1.0


def test_sound_stays_whole_when_the_encoder_kept_only_some_pictures() -> None:
    """A busy encoder that kept every other picture: the sound between a segment's last picture and the next
    segment's first goes in the segment it plays under, never into a gap (it did: ~0.5 s lost a segment, when
    x264's keyframes came every so many *encoded* pictures and made GOPs twice the asked second)."""
    fps, size = 30, (320, 180)
    encoder = Encoder(size, fps, EncoderSettings(block_when_full=True, gop_s=1.0))
    hls = HlsOutput(window=100, keep=100)
    encoder.add_output(hls, required=True)
    encoder.start()
    pattern = TestPattern("camera", size, fps)
    per_picture = 2 * AUDIO_RATE // fps  # every other instant's picture is missing; the sound is all there
    t0 = 1000.0
    pictures = 120  # eight seconds: four GOPs of two
    for i in range(pictures):
        t = t0 + 2 * i / fps
        encoder.push_video(t, pattern.render(t, i))
        tone = 0.2 * np.sin(2 * np.pi * 440 * (np.arange(per_picture) + i * per_picture) / AUDIO_RATE)
        encoder.push_audio(round(t * AUDIO_RATE), tone.astype(np.float32))
    encoder.abort()  # the end of what was pushed
    assert encoder.join(60) and hls.join(30)
    segments = list(hls._kept)
    assert len(segments) >= 3 and hls.discarded == 0
    assert max(s.duration_s for s in segments) <= 1.0 + 1e-6  # keyframes by media time: no GOP runs long
    sound: list[tuple[float, float]] = []
    for segment in segments:
        with av.open(io.BytesIO(segment.data), "r", format="mpegts") as container:
            sound += [(float(p.pts * p.time_base), float(p.duration * p.time_base))
                      for p in container.demux(container.streams.audio[0]) if p.pts is not None and p.duration]
    sound.sort()
    gaps = [(round(a + d, 3), round(b, 3)) for (a, d), (b, _) in itertools.pairwise(sound)
            if b - (a + d) > 0.03]
    assert not gaps, f"sound missing between segments: {gaps}"
    assert sound[-1][0] + sound[-1][1] - sound[0][0] > 7.5
