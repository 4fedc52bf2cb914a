"""The core's recording: one file from a running Program, registered in the store and told to the Room."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from classroom_console.events import ErrorCode, RecordingStarted, RecordingStopped
from classroom_console.room import Room

from . import chapters_store
from .adaptive import PresetChange
from .artifacts import Marker, size_and_sha256
from .chapters import merge, write_vtt
from .disk import START_FLOOR_BYTES, FreeSpace, check_floor, free_bytes
from .encoder import Encoder, EncoderRestart, EncoderSettings, LostAtEnd, StopReason
from .heap import give_back
from .offload import offload, wait_thread
from .output import Output, OutputStats, end_outputs, log_stream
from .output_file import FileOutput
from .probe import media_seconds
from .program import Program
from .stats import RecordingState, RecordingStats
from .tracks import SourceTracks, TrackResult
from .x264_spare import X264Spare

TRACKS_GRACE_S = 2.0  # after the program file ends, how long the per-source files get to reach the same end
LIVE_GRACE_S = 5.0  # after the file is complete, how long live outputs get to send what they hold

log = logging.getLogger(__name__)


class RecordingStore(Protocol):
    """What the recorder needs from the store; ``AsyncStore`` satisfies it."""

    tidies_after_crash: bool  # this process is the folder's first console (recovery is its job alone)

    async def add_recording(
        self, session_id: str | None, path: str, *, layout: str = "", sources: Sequence[str] = ()
    ) -> str: ...

    async def add_marker(
        self, recording_id: str, at_s: float, label: str, session_id: str | None = None
    ) -> int: ...

    async def call(self, fn: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class RecordingResult:
    recording_id: str
    path: Path
    duration_s: float
    size_bytes: int
    sha256: str
    stop_reason: str
    message: str
    stats: RecordingStats
    chapters: Path | None = None
    markers: tuple[Marker, ...] = ()
    tracks: tuple[TrackResult, ...] = ()  # each source's own file, when asked for
    lost_reason: str = ""  # encoder-lost: why no other x264 process took over (encoder.LostReason)
    lost_at_end: LostAtEnd | None = None  # x264's process lost as Stop drained it: the end's pictures not in the file


class Recorder:
    """Start, mark, stop; ``wait`` returns when the recording ends by itself (duration, full disk).

    With ``tracks``, each video source is also recorded into a file of its own (``tracks.py``). ``outputs``
    (live destinations) get the same packets as the file; their failures never end the recording.
    """

    def __init__(self, program: Program, path: Path, *, settings: EncoderSettings | None = None,
                 store: RecordingStore | None = None, room: Room | None = None, duration_s: float | None = None,
                 start_floor_bytes: int = START_FLOOR_BYTES, free_space: FreeSpace = free_bytes,
                 tracks: bool = False, outputs: Sequence[Output] = (), find_chapters: bool = False,
                 x264_spare: X264Spare | None = None) -> None:
        self.program = program
        self.path = Path(path)
        self.settings = settings or EncoderSettings()
        self.store = store
        self.room = room
        self.duration_s = duration_s
        self.start_floor_bytes = start_floor_bytes
        self.recording_id: str | None = None
        self.markers: list[Marker] = []
        self._free_space = free_space
        self._sink: Encoder | None = None
        self._file: FileOutput | None = None
        self.outputs = tuple(outputs)
        self.tracks = tracks
        self.find_chapters = find_chapters  # the sync is held off the file until its chapters are written
        self.x264_spare = x264_spare  # settings.x264_apart: the child the encoder takes (x264_spare.py)
        self._tracks: SourceTracks | None = None
        self._ended: asyncio.Future[None] | None = None
        self._result: RecordingResult | None = None
        self._finalising: asyncio.Task[RecordingResult] | None = None
        self._baseline = (0, 0)
        self._source_baseline: dict[str, int] = {}
        self._session_id: str | None = None
        self._streams_ended: set[Output] = set()  # live outputs whose stream-stopped is logged
        self._pending_logs: set[asyncio.Future[Any]] = set()
        self.preset_listeners: list[Callable[[PresetChange], None]] = []  # on the loop, after it is logged
        self.restart_listeners: list[Callable[[EncoderRestart], None]] = []  # on the loop, after it is logged

    @property
    def recording(self) -> bool:
        return self._sink is not None and self._result is None

    async def start(self) -> str:
        """Refuses (DiskFullError) below the free-disk floor; otherwise the file starts at the next frame. The
        floor is never under the one at which the recording stops (a lower ``start_floor_bytes`` let it start
        and stop at once as disk-full)."""
        if self._sink is not None:
            raise RuntimeError("this recorder has already been started")
        if not self.program.running:
            raise RuntimeError("the program is not running")
        folder = self.path.parent
        free_space, floor = self._free_space, max(self.start_floor_bytes, self.settings.stop_floor_bytes)

        def prepare() -> int:
            folder.mkdir(parents=True, exist_ok=True)
            return check_floor(folder, floor, free_space)

        await offload(prepare, "recorder-prepare")
        self._session_id = self.room.session.id if self.room and self.room.session else None
        sources = [s.name for s in self.program.sources]
        layout = str(self.program.layout.kind)
        if self.store is not None:
            self.recording_id = await self.store.add_recording(
                self._session_id, str(self.path), layout=layout, sources=sources
            )
        else:
            self.recording_id = str(uuid.uuid4())
        loop = asyncio.get_running_loop()
        self._ended = loop.create_future()
        ended = self._ended

        def mark_ended() -> None:
            if not ended.done():
                ended.set_result(None)

        def done() -> None:
            try:
                loop.call_soon_threadsafe(mark_ended)
            except RuntimeError:
                pass

        sink = Encoder(self.program.size, self.program.fps, self.settings, duration_s=self.duration_s,
                       name=self.path.name, x264_spare=self.x264_spare)
        file = FileOutput(self.path, self.settings, free_space=self._free_space)
        sink.add_output(file, required=True)
        for output in self.outputs:
            sink.add_output(output)
        self._file = file
        sink.on_done(done)

        def preset_changed(change: PresetChange) -> None:
            try:
                loop.call_soon_threadsafe(self._log_preset, change)
            except RuntimeError:
                pass

        sink.on_preset = preset_changed

        def encoder_restarted(restart: EncoderRestart) -> None:
            try:
                loop.call_soon_threadsafe(self._log_restart, restart)
            except RuntimeError:
                pass

        sink.on_restart = encoder_restarted
        self._baseline = (self._dropped(), self.program.late)
        self._source_baseline = self._losses_by_source()
        sink.start()
        if self.tracks:
            self._tracks = SourceTracks(sink, self.path, [s.name for s in self.program.video_sources],
                                        free_space=self._free_space)
            self.program.attach(sink, self._tracks)  # together: the same first frame
        else:
            self.program.attach(sink)
        self._sink = sink
        if self.room is not None:
            self.room.events.emit(RecordingStarted(self.recording_id, str(self.path)))
            self.room.log_event(None, "recording-started", {
                "recording_id": self.recording_id, "path": str(self.path), "layout": layout, "sources": sources,
            })
            for output in self.outputs:
                log_stream(self.room, "stream-started", output)
        return self.recording_id

    @property
    def preset_changes(self) -> list[PresetChange]:
        """The steps ``--preset auto`` took while recording (``EncoderSettings.adaptive``)."""
        return list(self._sink.preset_changes) if self._sink is not None else []

    @property
    def encoder_restarts(self) -> list[EncoderRestart]:
        """x264's own processes lost and replaced while recording (x264_apart): the Studio shows each as a notice."""
        return list(self._sink.restarts) if self._sink is not None else []

    def _log_preset(self, change: PresetChange) -> None:
        """A ``preset-changed`` session event (on the loop)."""
        self._log("preset-changed", {"recording_id": self.recording_id, "at_s": round(change.at_s, 3),
                                     "old": change.old, "new": change.new, "skipped": change.skipped})
        for listener in self.preset_listeners:
            listener(change)

    def _log_restart(self, restart: EncoderRestart) -> None:
        """An ``encoder-restarted`` session event (on the loop): x264's process lost, another took over."""
        self._log("encoder-restarted", {"recording_id": self.recording_id, "at_s": round(restart.at_s, 3),
                                        "reason": restart.reason, "gap_s": round(restart.gap_s, 3),
                                        "losses": restart.losses})
        for listener in self.restart_listeners:
            listener(restart)

    def _log(self, kind: str, payload: dict[str, Any]) -> None:
        """A session event: the Room's session log, else straight into the store."""
        if self.room is not None:
            self.room.log_event(None, kind, payload)
        elif (add_event := getattr(self.store, "add_event", None)) is not None:
            task = asyncio.ensure_future(add_event(self._session_id, None, kind, payload))
            self._pending_logs.add(task)
            task.add_done_callback(self._pending_logs.discard)

    async def _end_tracks(self) -> None:
        """The per-source files end at the program file's last instant: the program keeps feeding them until
        they have it (a moment: they were fed alongside), and what still runs after the grace ends as it is."""
        tracks = self._tracks
        if tracks is None:
            return
        for name in tracks.missing:
            log.warning("recording %s: %s showed no picture, so it has no file of its own", self.path.name, name)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TRACKS_GRACE_S
        while tracks.alive and loop.time() < deadline and self.program.running:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        self.program.detach(tracks)
        tracks.abort()
        await wait_thread(lambda: tracks.alive)

    async def _end_outputs(self) -> None:
        """Live outputs were told the end with the file; one that cannot send it in time is stopped."""
        await end_outputs(self.outputs, LIVE_GRACE_S)
        for output in self.outputs:
            self._stream_stopped(output)

    def _stream_stopped(self, output: Output) -> None:
        if output not in self._streams_ended:
            self._streams_ended.add(output)
            log_stream(self.room, "stream-stopped", output)

    def _dropped(self) -> int:
        return sum(s.dropped for s in self.program.sources)

    def _losses_by_source(self) -> dict[str, int]:
        late = self.program.late_by_source
        return {s.name: s.dropped + late.get(s.name, 0) for s in self.program.sources}

    @property
    def started_at(self) -> float | None:
        """The clock time of the first frame in the file (None until it is in): where markers and stamps of
        other streams line up with the recording."""
        return self._sink.start_at if self._sink is not None else None

    @property
    def elapsed_s(self) -> float:
        sink = self._sink
        if sink is None or sink.start_at is None:
            return 0.0
        return max(0.0, self.program.clock.now() - sink.start_at)

    def _covered_s(self, start_at: float | None, finish_at: float | None) -> float:
        """The program's time the file covers so far, by the media clock: frames the encoder skipped are time a
        player shows too (frames ÷ fps said 7.33 s of a 10.02 s file)."""
        if start_at is None:
            return 0.0
        end = self.program.clock.now() if finish_at is None else min(self.program.clock.now(), finish_at)
        return max(0.0, end - start_at)

    def stats(self) -> RecordingStats:
        """A snapshot, cheap enough to poll at display rate."""
        sink, file = self._sink, self._file
        if sink is None or file is None:
            return RecordingStats()
        c = sink.counters
        bytes_per_s = (file.bitrate_bps + (self._tracks.bitrate_bps if self._tracks is not None else 0.0)) / 8
        minutes_left = file.free_bytes / bytes_per_s / 60 if bytes_per_s > 0 and file.free_bytes else None
        finishing_s = sink.finishing_s()
        return RecordingStats(
            elapsed_s=self._covered_s(sink.start_at, sink.finish_at),
            frames=c.frames,
            dropped_at_capture=self._dropped() - self._baseline[0],
            late_at_compositing=self.program.late - self._baseline[1],
            skipped_by_encoder=c.skipped + (self._tracks.skipped if self._tracks is not None else 0),
            encoder_fps=c.fps,
            bitrate_kbps=file.bitrate_bps / 1000,
            size_bytes=file.size_bytes,
            free_bytes=file.free_bytes,
            minutes_left=minutes_left,
            audio_resyncs=self.program.mixer.resyncs,
            dropped_at_file=file.queue.dropped_packets,
            losses_by_source={name: count - self._source_baseline.get(name, 0)
                              for name, count in self._losses_by_source().items()},
            preset=sink.preset,
            preset_steps=len(sink.preset_changes),
            state=RecordingState.RECORDING if finishing_s is None else RecordingState.FINISHING,
            finishing_s=finishing_s,
        )

    def output_stats(self) -> list[OutputStats]:
        """The file's and each live output's own health, cheap enough to poll at display rate."""
        return [output.stats() for output in (self._file, *self.outputs) if output is not None]

    def add_output(self, output: Output) -> None:
        """Going live in the middle of a recording: the output starts at the encoder's next keyframe."""
        if self._sink is None or not self.recording:
            raise RuntimeError("outputs join a running recording; before it starts, pass them to the Recorder")
        self._sink.add_output(output)
        self.outputs = (*self.outputs, output)
        log_stream(self.room, "stream-started", output)

    async def end_output(self, output: Output) -> None:
        """Ending one live output while the recording goes on: it sends what it holds and closes its stream
        (its stats stay listed, ended)."""
        if output not in self.outputs:
            raise ValueError(f"{output.name} is not an output of this recording")
        if self._sink is not None:
            self._sink.remove_output(output)
        output.end()
        await end_outputs([output], LIVE_GRACE_S)
        self._stream_stopped(output)

    async def add_marker(self, label: str = "") -> Marker:
        """A chapter starting now; stored at once so a crash keeps it. An unlabelled marker is stored without a
        label: the chapters are numbered by position once the recording's opening chapter is among them (a label
        "Chapter 1" made here gave Chapter 1, Chapter 1, Chapter 2)."""
        if self.recording_id is None or not self.recording:
            raise RuntimeError("markers need a running recording")
        marker = Marker(round(self.elapsed_s, 3), " ".join(label.split()))  # unlabelled: named by its position
        self.markers.append(marker)
        if self.store is not None:
            await self.store.add_marker(self.recording_id, marker.at_s, marker.label, self._session_id)
        if self.room is not None:
            self.room.log_event(None, "marker", {"recording_id": self.recording_id, **dataclasses.asdict(marker)})
        return marker

    async def stop(self) -> RecordingResult:
        """Ends at the next frame and finalises the file (orderly: the MP4 is complete)."""
        if self._sink is None:
            raise RuntimeError("the recorder was never started")
        self._sink.finish(self.program.clock.now())  # what the technician saw when pressing stop is kept
        return await self.wait()

    async def wait(self) -> RecordingResult:
        if self._ended is None:
            raise RuntimeError("the recorder was never started")
        await asyncio.shield(self._ended)
        if self._finalising is None:
            self._finalising = asyncio.ensure_future(self._finalise())
        return await asyncio.shield(self._finalising)

    async def _finalise(self) -> RecordingResult:
        sink = self._sink
        assert sink is not None and self.recording_id is not None
        self.program.detach(sink)
        await wait_thread(lambda: sink.alive)
        await self._end_tracks()
        await self._end_outputs()
        stats = self.stats()
        file = self._file
        if file is not None and file.reason == StopReason.DISK_HUNG:
            return self._hung(sink, file, stats)
        duration = sink.counters.frames / self.program.fps
        path, markers = self.path, list(self.markers)
        track_sinks = dict(self._tracks.sinks) if self._tracks is not None else {}
        track_files = dict(self._tracks.files) if self._tracks is not None else {}

        def hash_and_chapters() -> tuple[str, Path | None, int, tuple[TrackResult, ...], float]:
            size, digest = size_and_sha256(path)
            tracks = tuple(
                TrackResult(name, track_files[name].path, *size_and_sha256(track_files[name].path), t.counters.frames,
                            t.counters.skipped, t.message)
                for name, t in track_sinks.items()
            )
            length = media_seconds(path) or duration  # what a player will show; frames counted as the fallback
            return digest, write_vtt(path, merge((), markers, length) if markers else [], length), size, tracks, length

        digest, chapters, size, tracks, duration = await offload(hash_and_chapters, "recorder-finalise")
        if self._pending_logs:
            await asyncio.gather(*self._pending_logs, return_exceptions=True)
        await offload(give_back, "recorder-give-back")  # x264's frames and the queues' pictures leave the process
        bitrate_kbps = size * 8 / duration / 1000 if duration > 0 else 0.0
        stats = dataclasses.replace(stats, elapsed_s=duration, size_bytes=size, bitrate_kbps=bitrate_kbps)
        reason = sink.stop_reason or StopReason.STOPPED
        result = RecordingResult(self.recording_id, path, duration, size, digest, reason, sink.message, stats,
                                 chapters, tuple(markers), tracks, sink.lost_reason, sink.lost_at_end)
        self._result = result
        if self.store is not None:
            record: Mapping[str, Any] = {**stats.as_dict(), "stop_reason": reason, "message": sink.message,
                                         "chapters": str(chapters) if chapters else None,
                                         "tracks": [track.as_record() for track in tracks]}
            rid = self.recording_id
            if self.find_chapters:  # before it counts as stopped, so the sync never sends it half-rewritten
                await self.store.call(lambda s: chapters_store.hold(s, rid, started=True))
            await self.store.call(lambda s: s.finish_recording(
                rid, duration_s=duration, size_bytes=size, sha256=digest, stats=record))
        self._tell_room(result)
        return result

    def _hung(self, sink: Encoder, file: FileOutput, stats: RecordingStats) -> RecordingResult:
        """The disk stopped answering: nothing more is read from or written to it (the hash, the chapters' file
        would hang a thread of ours too). The row stays open, as after a crash, so that recovery.py measures the
        file at the next start, when the disk answers again; the figures here are what the writer had passed on."""
        assert self.recording_id is not None
        duration = round(file.media_s, 3)
        stats = dataclasses.replace(stats, elapsed_s=duration, size_bytes=file.size_bytes)
        result = RecordingResult(self.recording_id, self.path, duration, file.size_bytes, "", StopReason.DISK_HUNG,
                                 file.message, stats, None, tuple(self.markers), lost_at_end=sink.lost_at_end)
        self._result = result
        self._tell_room(result)
        return result

    def _tell_room(self, result: RecordingResult) -> None:
        if self.room is None:
            return
        self.room.events.emit(RecordingStopped(result.recording_id, str(result.path)))
        self.room.log_event(None, "recording-stopped", {
            "recording_id": result.recording_id, "duration_s": result.duration_s, "stop_reason": result.stop_reason,
            **({"lost_reason": result.lost_reason} if result.lost_reason else {}),
            **({"lost_at_end": dataclasses.asdict(lost)} if (lost := result.lost_at_end) is not None else {}),
        })
        if result.stop_reason in StopReason.FAILURES:
            self.room.report_error("recorder", result.message, ErrorCode.RECORDING_STOPPED)
