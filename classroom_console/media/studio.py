"""The studio as one object the UI drives: sources, layout, preview, recording, markers, recordings list.

Everything slow (device lists, joins, hashing) is awaited off the loop; everything the UI polls at display
rate (statuses, stats) only reads counters.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from classroom_console.room import Room

from . import adaptive, chapters_store, nice
from .artifacts import Marker
from .chapters import Chapter
from .chapters_job import ChapterJob, load_chapters, save_chapters
from .encoder import EncoderSettings, StopReason
from .frames import Image
from .hls_dnssd import HlsAdvertiser
from .hls_server import HlsServer
from .layout import Layout, LowerThird
from .meter import MeterReading
from .microphone import MicrophoneInfo, list_microphones
from .offload import offload
from .output import Output, OutputStats
from .output_hls import HlsOutput
from .program import Program
from .recorder import Recorder, RecordingResult, RecordingStore
from .recovery import recover_unfinished
from .source import AudioSource, Source, SourceStatus
from .spec import make_source
from .stats import RecordingStats
from .studio_setup import MAX_SCENES, SetupRefused, SourceEntry, StudioScene, StudioSetup, clean_label
from .x264_spare import X264Spare

log = logging.getLogger(__name__)

KEPT_UP_MIN_S = 5.0  # a recording this long with few skips says the PC has room again
KEPT_UP_SKIP_SHARE = 0.01
SOURCE_KINDS = ("test-pattern", "tone", "mic", "screen", "camera")


class Studio:
    def __init__(self, room: Room | None, store: RecordingStore | None, folder: Path,
                 size: tuple[int, int] = (1280, 720), fps: int = 30, settings: EncoderSettings | None = None,
                 start_floor_bytes: int | None = None) -> None:
        self.room = room
        self.store = store
        self.folder = folder
        # The window's recording keeps x264's lookahead on the encoding thread (its memory target has no room for the
        # lookahead thread's frame) and steps its preset when a busy PC makes the encoder skip frames (adaptive.py),
        # as far down as the skips say, to rungs with a fixed B-frame pattern that cost 0.45 and 0.38 of veryfast's
        # x264 CPU. bench/memory.py --only gui (2 recordings of 10 s a window, 600 frames), alternated in locked runs
        # at load 1.1-2.3: 9-54 frames skipped with the step against 111-203 fixed, peak 389-402 MB against 382-391
        # (the step's moment: the queue full as the new x264 starts). Its x264 threads run below the window's Python
        # threads (nice.py), so the main thread is not kept waiting for the GIL behind them; a headless recording
        # has no window and competes at par (EncoderSettings).
        # Its peak is reached at veryfast with the encoder's queue full (a busy PC), before a step: x264 looks ahead
        # 5 frames, not 7 (13 MB at 1080p; on the test pattern 7 % fewer bits for 0.05 dB less PSNR-Y), and the queue
        # holds 0.2 s, not 0.3 (9 MB; a queue at its bound says the encoder is behind, where it skips either way).
        # x264 runs in a child process of its own session (x264_apart.py), started while the program runs
        # (x264_spare.py): in the window's process its CPU was charged to the window's scheduling group, and on a busy
        # PC the main thread waited for the group's turn (bench/ui_stall.py --only pip-in --only pip-apart).
        self.settings = settings or EncoderSettings(lookahead_thread=False, encoder_nice=nice.ENCODER_NICE,
                                                    adaptive=True, lookahead_frames=5, queue_s=0.2, x264_apart=True)
        # the rung the last recording at an output size and rate ended on: the next one starts there, rather than
        # skipping frames again for the seconds a step takes (a new window starts at the settings' preset)
        self.start_presets: dict[tuple[tuple[int, int], int], str] = {}
        self.start_floor_bytes = start_floor_bytes
        self.tracks = False  # also each video source into a file of its own (presenter / presentation tracks)
        self.program = Program(size, fps, preview_fps=15)
        self._specs: dict[str, str] = {}  # source name -> the text it was made from, to rebuild the program
        self.labels: dict[str, str] = {}  # source name -> what people call it ("" or absent: its kind's words)
        self.scenes: list[StudioScene] = []  # the saved picture arrangements (studio_setup.py)
        self.recorder: Recorder | None = None
        self.last_result: RecordingResult | None = None
        self.lan: tuple[HlsServer, HlsAdvertiser] | None = None  # the console's HLS server, once started
        self.chapter_jobs: dict[str, ChapterJob] = {}  # by recording id: chapters being found after Stop
        self._chapter_tasks: set[asyncio.Task[object]] = set()
        # x264_apart: a child started while the program runs, so a recording loses no picture to its start
        self._x264_spare = X264Spare()

    # -- preview and sources -----------------------------------------------------------------
    def set_preview(self, callback: Callable[[Image], None] | None) -> None:
        """``callback`` runs on the compositor thread at preview rate (not every frame)."""
        self.program.on_preview = callback

    @property
    def sources(self) -> list[Source]:
        return list(self.program.sources)

    def statuses(self) -> list[SourceStatus]:
        return self.program.statuses()

    async def add_source(self, spec: str, *, name: str = "", label: str = "") -> Source:
        """Starts the program with its first source, so the preview comes alive at once. ``name``: the key it
        had before (a restored setup), kept when free; ``label``: what people call it."""
        taken = {s.name for s in self.program.sources}
        source = make_source(spec, size=self.program.size, fps=self.program.fps, taken=set(taken))
        if name and name not in taken:
            source.name = name
        self.program.add_source(source)
        self._specs[source.name] = spec
        if clean_label(label):
            self.labels[source.name] = clean_label(label)
        if not self.program.running:
            self.program.start()
        await self._warm_x264()
        return source

    async def remove_source(self, name: str) -> None:
        self._specs.pop(name, None)
        self.labels.pop(name, None)
        source = self.program.remove_source(name)
        if source is not None:
            await offload(lambda: source.join(5), "studio-remove")

    def rename_source(self, name: str, label: str) -> None:
        """What people call a source from now on; blank: its kind's own words again."""
        if name not in self._specs:
            raise KeyError(name)
        cleaned = clean_label(label)
        if cleaned:
            self.labels[name] = cleaned
        else:
            self.labels.pop(name, None)

    def setup(self) -> StudioSetup:
        """The sources (in the program's order) and scenes, as settings.json keeps them."""
        sources = tuple(SourceEntry(s.name, self._specs[s.name], self.labels.get(s.name, ""))
                        for s in self.program.sources if s.name in self._specs)
        return StudioSetup(sources, tuple(self.scenes))

    async def restore(self, setup: StudioSetup) -> list[str]:
        """The sources and scenes of a saved setup; a source that cannot be made is left out (named in the
        answer), one that cannot start shows its failure in the list like any other."""
        skipped = []
        for entry in setup.sources:
            try:
                await self.add_source(entry.spec, name=entry.name, label=entry.label)
            except ValueError as exc:
                log.warning("saved studio source %s left out: %s", entry.name, exc)
                skipped.append(entry.name)
        self.scenes = list(setup.scenes)
        return skipped

    def save_scene(self, name: str) -> StudioScene:
        """The arrangement on show, kept under ``name`` (a scene of that name is replaced)."""
        cleaned = clean_label(name)
        if not cleaned:
            raise SetupRefused("name-missing", "a scene needs a name")
        at = next((i for i, s in enumerate(self.scenes) if s.name == cleaned), None)
        if at is None and len(self.scenes) >= MAX_SCENES:
            raise SetupRefused("too-many", f"at most {MAX_SCENES} scenes")
        scene = StudioScene.of(cleaned, self.program.layout, [s.name for s in self.program.video_sources])
        if at is None:
            self.scenes.append(scene)
        else:
            self.scenes[at] = scene
        return scene

    def delete_scene(self, name: str) -> None:
        self.scenes = [s for s in self.scenes if s.name != name]

    def apply_scene(self, name: str) -> StudioScene:
        """Shows a saved arrangement from the next frame; the lower third on show stays."""
        scene = next(s for s in self.scenes if s.name == name)
        self.program.set_layout(scene.layout(self.program.layout.lower_third))
        return scene

    def current_scene(self) -> StudioScene | None:
        """The saved scene the program shows now, if it shows one."""
        names = [s.name for s in self.program.video_sources]
        return next((s for s in self.scenes if s.shows(self.program.layout, names)), None)

    def meters(self) -> dict[str, MeterReading]:
        """Each audio source's meter now, by source name (cheap: read at display rate)."""
        return self.program.mixer.readings(self.program.clock.now())

    def reset_clip(self, name: str) -> None:
        meter = self.program.mixer.meters.get(name)
        if meter is not None:
            meter.reset_clip()

    def set_gain(self, name: str, gain_db: float) -> None:
        for source in self.program.audio_sources:
            if source.name == name:
                source.gain_db = gain_db

    def level_db(self) -> float:
        """The loudest audio source now, for the meter."""
        levels = [s.level_db for s in self.program.audio_sources]
        return max(levels) if levels else float("-inf")

    @property
    def has_audio(self) -> bool:
        return any(isinstance(s, AudioSource) for s in self.program.sources)

    @staticmethod
    async def microphones() -> list[MicrophoneInfo]:
        return await offload(list_microphones, "studio-microphones")

    async def set_output(self, size: tuple[int, int], fps: int) -> None:
        """A new output size or rate: the program is rebuilt with the same sources (not while recording)."""
        if self.recording:
            raise RuntimeError("the output cannot change while recording")
        if (size, fps) == (self.program.size, self.program.fps):
            return
        old, specs = self.program, list(self._specs.items())
        old.stop()
        await offload(old.join, "studio-output")
        program = Program(size, fps, layout=old.layout, preview_fps=old.preview_fps)
        program.on_preview = old.on_preview
        self.program, self._specs = program, {}
        for name, spec in specs:
            await self.add_source(spec, name=name, label=self.labels.get(name, ""))

    def set_layout(self, layout: Layout) -> None:
        self.program.set_layout(layout)

    @property
    def layout(self) -> Layout:
        return self.program.layout

    # -- recording -----------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self.recorder is not None and self.recorder.recording

    async def start_recording(self, lower_third: LowerThird | None = None,
                              outputs: Sequence[Output] = ()) -> str:
        """``outputs``: live destinations sent the same packets as the file (``output_rtmp.RtmpOutput``)."""
        if self.recording:
            raise RuntimeError("already recording")
        if not self.program.sources:
            raise RuntimeError("add a source first")
        if lower_third is not None:
            self.program.set_layout(dataclasses.replace(self.program.layout, lower_third=lower_third))
        name = datetime.now().strftime("%Y-%m-%d_%H-%M-%S") + ".mp4"
        kwargs: dict[str, Any] = {}
        if self.start_floor_bytes is not None:
            kwargs["start_floor_bytes"] = self.start_floor_bytes
        settings = self.settings
        if settings.adaptive:
            preset = self.start_presets.get((self.program.size, self.program.fps), settings.preset)
            settings = dataclasses.replace(settings, preset=preset)
        recorder = Recorder(self.program, self.folder / name, settings=settings, store=self.store,
                            room=self.room, tracks=self.tracks, outputs=outputs,
                            find_chapters=self.store is not None, x264_spare=self._x264_spare, **kwargs)
        recording_id = await recorder.start()
        self.recorder = recorder
        return recording_id

    async def stop_recording(self) -> RecordingResult:
        if self.recorder is None:
            raise RuntimeError("not recording")
        result = await self.recorder.stop()
        self._ended(result)
        await self._warm_x264()
        return result

    async def wait_recording(self) -> RecordingResult | None:
        """Returns when the current recording ends by itself (disk full) or is stopped."""
        if self.recorder is None:
            return None
        result = await self.recorder.wait()
        self._ended(result)
        await self._warm_x264()
        return result

    async def _warm_x264(self) -> None:
        """The next recording's x264 child, started now if it will want one (x264_spare.py)."""
        if self.settings.x264_apart and self.settings.adaptive and self.program.running:
            await offload(self._x264_spare.warm, "studio-x264")

    def _ended(self, result: RecordingResult) -> None:
        self.last_result = result
        changes = self.recorder.preset_changes if self.recorder is not None else []
        key = (self.program.size, self.program.fps)
        if changes:
            self.start_presets[key] = changes[-1].new
        elif key in self.start_presets and self._kept_up(result.stats):
            # A busy moment is not a busy PC for good: a recording on a stepped rung that kept (nearly) every frame
            # lets the next one start a rung nearer the settings' preset, and so back to it in time.
            self.start_presets[key] = adaptive.slower_rung(self.start_presets[key], self.settings.preset)
            if self.start_presets[key] == self.settings.preset:
                del self.start_presets[key]
        self._find_chapters(result)

    @staticmethod
    def _kept_up(stats: RecordingStats) -> bool:
        """The encoder kept up the whole recording: at most one frame in a hundred skipped, over a few seconds."""
        return stats.elapsed_s >= KEPT_UP_MIN_S and stats.skipped_by_encoder <= stats.frames * KEPT_UP_SKIP_SHARE

    async def add_marker(self, label: str = "") -> Marker:
        if self.recorder is None or not self.recorder.recording:
            raise RuntimeError("markers need a running recording")
        return await self.recorder.add_marker(label)

    def stats(self) -> RecordingStats | None:
        return self.recorder.stats() if self.recorder is not None and self.recorder.recording else None

    def add_output(self, output: Output) -> None:
        """Going live while recording (from the next keyframe, at most 2 s away)."""
        if self.recorder is None or not self.recorder.recording:
            raise RuntimeError("not recording")
        self.recorder.add_output(output)

    async def end_output(self, output: Output) -> None:
        """Ending one live destination; the recording goes on."""
        if self.recorder is None:
            raise RuntimeError("not recording")
        await self.recorder.end_output(output)

    async def serve_lan(self, port: int = 8088, host: str = "0.0.0.0") -> HlsOutput:
        """Going live on the room's LAN (HLS) while recording: the server starts once and stays for the next
        recording, announced over DNS-SD; the output's ``path`` is the URL viewers open."""
        if self.recorder is None or not self.recorder.recording:
            raise RuntimeError("not recording")
        output = HlsOutput()
        if self.lan is None:
            server = HlsServer(host, port)
            await server.start()
            advertiser = HlsAdvertiser(server.port, server.playlist_path)
            await advertiser.start()
            self.lan = (server, advertiser)
        output.path = self.lan[0].viewer_url()
        self.recorder.add_output(output)
        self.lan[0].source = output
        return output

    def output_stats(self) -> list[OutputStats]:
        """The file's and each live destination's health while recording (reason codes, not sentences)."""
        return self.recorder.output_stats() if self.recorder is not None and self.recorder.recording else []

    @property
    def elapsed_s(self) -> float:
        return self.recorder.elapsed_s if self.recorder is not None and self.recorder.recording else 0.0

    async def recordings(self, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first, from the store (empty without one)."""
        if self.store is None:
            return []
        rows: list[dict[str, Any]] = await self.store.call(lambda s: s.recordings(limit))
        return rows

    async def recover(self) -> list[str]:
        """Close the store rows of recordings a crash cut short (their files play up to the last fragment)."""
        if self.store is None or not self.store.tidies_after_crash:
            return []  # another console holds the folder: its recordings are running, not cut short
        # a crash while chapters were written: the file is whole, let the sync have it
        await self.store.call(chapters_store.release_stale)
        return await recover_unfinished(self.store)

    # -- chapters (chapters_job.py) --------------------------------------------------------------
    def _find_chapters(self, result: RecordingResult) -> None:
        """After Stop, on worker threads; ``chapters_progress`` follows it. Once per recording; not for a file on a
        disk that stopped answering (reading it would hang the job's thread; recovery closes it next start)."""
        if self.store is None or result.recording_id in self.chapter_jobs or result.stop_reason == StopReason.DISK_HUNG:
            return
        job = ChapterJob(self.store, result.recording_id, result.path, result.markers,
                         [(t.source, t.path) for t in result.tracks])
        self.chapter_jobs[result.recording_id] = job
        task: asyncio.Task[object] = asyncio.ensure_future(job.run())
        self._chapter_tasks.add(task)
        task.add_done_callback(self._chapter_tasks.discard)

    def chapters_progress(self, recording_id: str) -> float | None:
        """0..1 while its chapters are being found; None when no job runs for it (done, or never started)."""
        job = self.chapter_jobs.get(recording_id)
        return job.progress if job is not None and not job.done else None

    async def chapters(self, recording_id: str) -> list[Chapter]:
        return await load_chapters(self.store, recording_id) if self.store is not None else []

    async def save_chapters(self, recording_id: str, chapters: Sequence[Chapter]) -> str:
        """An edit (rename, delete, add): a ``chapters_job`` code, ``written`` or ``metadata_only``."""
        if self.store is None:
            raise RuntimeError("chapters are kept in the store")
        if self.chapter_jobs.get(recording_id) is not None and self.chapters_progress(recording_id) is not None:
            raise RuntimeError("its chapters are still being found")
        return await save_chapters(self.store, recording_id, chapters)

    async def close(self) -> None:
        """Finish a running recording (the file is completed), stop every source, join every thread."""
        await offload(self._x264_spare.close, "studio-x264")  # first: the recording's end starts no other
        if self.recording:
            try:
                await self.stop_recording()
            except Exception:
                log.exception("could not finish the recording on close")
        for job in self.chapter_jobs.values():
            job.cancel()  # the file stays as it was; the store's hold is released
        if self._chapter_tasks:
            await asyncio.wait(set(self._chapter_tasks))
        self.program.stop()
        await offload(self.program.join, "studio-close")
        lan, self.lan = self.lan, None
        if lan is not None:
            await lan[1].stop()
            await lan[0].stop()
