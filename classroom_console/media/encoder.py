"""One H.264 + AAC encoder per picture, placed by capture stamps, whose packets go to any number of outputs.

Encoding once and sending the packets to the file and to each live destination costs one encoder's work however
many destinations there are. Each output has its own queue and thread (``output.py``): a slow one drops GOPs
of its own. When the encoder itself cannot keep up, whole frames are skipped before encoding and counted,
rather than piling up in memory.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import cv2
import numpy as np

from ._worker import Worker
from .adaptive import (
    LADDER,
    LOOKAHEAD_CAP,
    WINDOW_S,
    PresetChange,
    SkipWatch,
    headers_only,
    open_video,
    stream_headers,
    x264_options,
)
from .disk import STOP_FLOOR_BYTES
from .frames import AUDIO_RATE, BufferPool, Image, Samples, as_image
from .nice import at_lower_priority
from .output import Output
from .packets import EncodedPacket
from .x264_apart import ANSWER_WITHIN_S, DRAIN_SILENT_S, SLOTS, RemoteX264, X264Lost
from .x264_spare import X264Spare

log = logging.getLogger(__name__)

AAC_FRAME = 1024
LIVE_MAX_GOP_S = 2.0  # a viewer joining (or a connection resuming) waits at most this for a picture
# Frames of the instants this close before a Stop's end are queued even past the queue's bound: nothing comes after
# them to skip for, and skipped there they were time cut off the file's end (a lagging 'slower' kept 1.47-1.7 s of
# 2 s). The compositor is never further behind than this (it repeats frames to catch up past half a second).
END_KEEP_S = 1.0
# x264's own process (x264_apart) lost this many times within this many seconds of real time ends the recording as
# ``encoder-lost``: a child that cannot live (memory the kernel will not give it, a broken PyAV) is not started over
# and over; one lost now and then (the OOM killer on a busy PC, kill -9) is replaced and the recording goes on.
LOSSES_TO_END = 3
LOSSES_WINDOW_S = 300.0


@dataclass(frozen=True, slots=True)
class EncoderSettings:
    preset: str = "veryfast"
    crf: int = 23
    gop_s: float = 1.0  # a keyframe each second: the file's fragments, and well within what live needs
    audio_bitrate: int = 128_000
    # Frames waiting for the encoder before new ones are skipped (1080p: 3 MB each). Full, 0.3 s is 28 MB where 0.5 s
    # was 47 MB of a busy PC's peak (bench/memory.py); an encoder that stays behind skips either way.
    queue_s: float = 0.3
    stop_floor_bytes: int = STOP_FLOOR_BYTES
    block_when_full: bool = False  # for simulated-clock runs: wait instead of skipping (or dropping at the file)
    sync_s: float = 1.0  # how often the file is forced onto the disk (a power cut loses at most this); 0: never
    adaptive: bool = False  # --preset auto: step to a faster preset while recording when frames are skipped
    lookahead_thread: bool = True  # x264's lookahead on its own thread (adaptive.x264_options); False: 9 MB less
    lookahead_frames: int = LOOKAHEAD_CAP  # x264's rc-lookahead at most (adaptive.x264_options)
    # x264's threads' nice above ours (nice.py): the window's Studio gives nice.ENCODER_NICE so its main thread goes
    # first; a headless recording competes at par (at +5 it lost half its CPU to a busy program beside it)
    encoder_nice: int = 0
    # The end waits this long for a file writer that takes nothing (a disk that stopped answering: a network share,
    # a failing USB stick), then gives it up: the recording ends as ``disk-not-answering``, what reached the disk kept
    disk_silent_s: float = 30.0
    # With ``adaptive``: x264 in a child process in a session of its own (x264_apart.py), so that its CPU is not
    # charged to the window's process, whose main thread then waits for the process's turn on a busy PC
    x264_apart: bool = False
    # x264_apart's child silent this long is killed and replaced (x264_apart.ANSWER_WITHIN_S; tests give less)
    x264_answer_within_s: float = ANSWER_WITHIN_S
    # once Stop is asked, the child silent this long is killed and the recording ends without what it held
    # (x264_apart.DRAIN_SILENT_S): its clock starts again at each packet, so a slow drain that moves is waited for
    x264_drain_silent_s: float = DRAIN_SILENT_S


class StopReason:
    DURATION = "duration"
    STOPPED = "stopped"
    DISK_FULL = "disk-full"
    DISK_HUNG = "disk-not-answering"
    ERROR = "error"
    ENCODER_LOST = "encoder-lost"  # x264's own process (x264_apart) ended or stopped answering mid-recording
    FAILURES = (DISK_FULL, DISK_HUNG, ERROR, ENCODER_LOST)  # what ended it early, kept over a later reason


class LostReason:
    """Why x264's own process was replaced (``EncoderRestart.reason``: ``X264Lost.ENDED``, ``NOT_ANSWERING``), or why
    no other could take over, which ends the recording as ``encoder-lost`` (``Encoder.lost_reason``)."""

    ENDED = X264Lost.ENDED
    NOT_ANSWERING = X264Lost.NOT_ANSWERING
    AGAIN = "lost-again"  # the LOSSES_TO_END-th child lost within LOSSES_WINDOW_S
    NOT_STARTED = "restart-failed"  # the next child did not start or open its x264
    HEADERS_DIFFER = "headers-differ"  # the next child's SPS/PPS are not the file's (its avcC is written once)


@dataclass(frozen=True, slots=True)
class EncoderRestart:
    """x264's own process was lost mid-recording and another took over: the recording goes on in the same file and
    live outputs, from an IDR. The pictures in between are a gap in the recording's time, not a shift."""

    at_s: float  # on the recording's timeline: where it was lost (the picture the new child takes first)
    reason: str  # LostReason.ENDED or NOT_ANSWERING
    gap_s: float  # about how long the outputs have no picture: what it held, its silence, the next one's start
    losses: int  # children lost within LOSSES_WINDOW_S, this one counted


@dataclass(frozen=True, slots=True)
class LostAtEnd:
    """x264's own process lost while the end drained it (killed, or silent for ``x264_drain_silent_s``): the
    recording stopped as asked, with every packet it gave, without these pictures. No other child takes over then:
    Stop would wait for its start for a fraction of a second's pictures."""

    reason: str  # LostReason.ENDED or NOT_ANSWERING
    pictures: int  # those it held and those still queued for it, not in the file (counted as skipped)
    seconds: float  # what they are of the recording's end: ``pictures`` at its frame rate


@dataclass(slots=True)
class EncoderCounters:
    frames: int = 0
    skipped: int = 0
    audio_samples: int = 0
    fps: float = 0.0


@dataclass(frozen=True, slots=True)
class _Streams:
    video: Any
    audio: Any


class Encoder:
    """A program sink; ``start_at`` / ``finish_at`` are clock times that bound what it keeps.

    Outputs added with ``required=True`` (the recording's file) end the recording when they fail or ask to stop
    (a nearly full disk); any other output that fails is only reported in its own stats.
    """

    def __init__(self, size: tuple[int, int], fps: int, settings: EncoderSettings | None = None, *,
                 duration_s: float | None = None, start_at: float | None = None, name: str = "program",
                 x264_spare: X264Spare | None = None) -> None:
        self.name = name
        self.x264_spare = x264_spare  # settings.x264_apart: a child started before this recording, if there is one
        self.duration_s = duration_s
        self.size = size
        self.fps = fps
        self.settings = settings or EncoderSettings()
        self.counters = EncoderCounters()
        self.stop_reason: str | None = None
        self.message = ""
        self.start_at = start_at  # time zero of every output: given, or the first frame's instant
        self.finish_at: float | None = None
        self.outputs: tuple[Output, ...] = ()  # replaced whole: the encoder thread reads it without a lock
        self._required: set[Output] = set()
        self._streams: _Streams | None = None
        self._template: Any = None  # the never-written container that holds the codecs
        self._opened_gop_s: float | None = None
        self._queue: collections.deque[tuple[str, int, Any]] = collections.deque()
        self._cond = threading.Condition()
        self._video_waiting = 0
        self._keep_from = float("inf")  # frames of instants from this one on are never skipped (the end's)
        self._held = 0  # pictures x264 has taken and not yet given back as packets (its lookahead and threads)
        self._x264_child: RemoteX264 | None = None  # settings.x264_apart: started with the encoder thread
        self._estimate: tuple[int, float, float] | None = None  # finishing: (pictures left, when, seconds left)
        self._video_done = False
        self._audio_done = False
        self._started = False
        self._worker = Worker(f"encoder-{name}", self._run)
        self._yuv_pool = BufferPool((size[1] * 3 // 2, size[0]))  # queued I420 pictures, reused once encoded
        self.done = threading.Event()
        self.preset = self.settings.preset  # the one encoding now (``adaptive`` steps it down)
        self.preset_changes: list[PresetChange] = []
        self.on_preset: Callable[[PresetChange], None] | None = None  # called on the encoder thread
        self.restarts: list[EncoderRestart] = []  # x264_apart's children replaced (appended on the encoder thread)
        self.on_restart: Callable[[EncoderRestart], None] | None = None  # called on the encoder thread
        self.lost_reason = ""  # a LostReason when the recording ended as encoder-lost
        self.lost_at_end: LostAtEnd | None = None  # x264's process lost in the end's flush (the stop kept)

    # -- outputs ----------------------------------------------------------------------------------
    @property
    def gop_s(self) -> float:
        """The keyframe interval: the settings', but never longer than a live output can wait (fixed once open)."""
        if self._opened_gop_s is not None:
            return self._opened_gop_s
        return min([self.settings.gop_s, *(_gop_cap(o) for o in self.outputs if o.live)])

    def add_output(self, output: Output, *, required: bool = False) -> None:
        """Before ``start``, or while running (a live output then joins at the next keyframe)."""
        if self._started and output.live and self.gop_s > _gop_cap(output) + 1e-9:
            raise ValueError(f"a live output needs a keyframe at least every {_gop_cap(output):g} s; this encoder "
                             f"makes one every {self.gop_s:g} s")
        output.owner = self
        if required:
            self._required.add(output)
        self.outputs = (*self.outputs, output)
        if self._started:
            output.start()
            if self._streams is not None:
                output.begin(self._streams)
            if self.done.is_set():
                output.end()

    def remove_output(self, output: Output) -> None:
        """Stops feeding it; the caller ends or aborts it."""
        self.outputs = tuple(o for o in self.outputs if o is not output)
        self._required.discard(output)

    def output_failed(self, output: Output, reason: str, message: str) -> None:
        if output in self._required:
            self.fail(reason, message)

    def output_wants_stop(self, output: Output, reason: str, message: str) -> None:
        """A required output asks to end soon (a nearly full disk): at the next frame, everything kept."""
        if output not in self._required or self.stop_reason == reason:
            return
        self.message = message
        self.stop_reason = reason
        base = self.start_at if self.start_at is not None else 0.0
        soon = base + (self.counters.frames + self._video_waiting + 1) / self.fps
        self.finish_at = soon if self.finish_at is None else min(self.finish_at, soon)
        self._keep_from = min(self._keep_from, self.finish_at - END_KEEP_S)

    # -- the compositor's side ---------------------------------------------------------------
    def wants_video(self) -> bool:
        """False while frames wait to the queue's bound: the compositor need not compose an instant this would skip
        (``skip_video`` counts it instead). On a PC busy enough to make the encoder skip, composing those frames
        took the CPU x264 lacked: Python threads run before x264's (nice.py)."""
        if self.settings.block_when_full or self.start_at is None or self._video_done or self.finish_at is not None:
            return True
        return self._video_waiting < self._queue_limit()

    def _queue_limit(self) -> int:
        """Pictures queued before new ones are skipped: ``queue_s`` of them, less those x264_apart's shared memory
        holds (they wait for x264 as the queued ones do, and are as big): counted apart, the window held 0.27 s of
        pictures for a 0.2 s queue at 30 fps, 6 MB more at 1080p than its bound by time."""
        apart = SLOTS if self.settings.x264_apart and self.settings.adaptive else 0
        return max(2, round(self.settings.queue_s * self.fps) - apart)

    def skip_video(self, t: float) -> None:
        """An instant the compositor passed over (``wants_video``): skipped, as a frame pushed to a full queue."""
        self.push_video(t, None)

    def push_video(self, t: float, image: Image | None) -> None:
        with self._cond:
            if self.start_at is None:
                self.start_at = t
                if self.duration_s is not None and self.finish_at is None:
                    self.finish_at = t + round(self.duration_s * self.fps) / self.fps
                    self.stop_reason = StopReason.DURATION
                    # known from the start: only the last queue's worth is kept whole, as the queue's own memory
                    self._keep_from = min(self._keep_from, self.finish_at - self.settings.queue_s)
            if self._video_done:
                return
            if self.finish_at is not None and t >= self.finish_at - 1e-6:
                self._video_done = True
                self._draining()
                self._cond.notify()
                return
            limit = self._queue_limit()
            while self._video_waiting >= limit and self.settings.block_when_full and not self.done.is_set():
                self._cond.wait(0.1)
            if image is None or (self._video_waiting >= limit and t < self._keep_from - 1e-6):
                self.counters.skipped += 1
                return
            self._video_waiting += 1  # the slot is ours; convert outside the lock (only this thread pushes video)
            pts = round((t - self.start_at) * self.fps)
        # Queued as I420: half the memory of RGB (1 s of 1080p is 93 MB), and the conversion runs here, beside
        # the encoder rather than in front of it. A program that composed straight to I420 hands it over as is
        # (its pool does not reuse a picture while this queue holds it).
        if image.ndim == 2:
            yuv = image
        else:
            yuv = as_image(cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420, dst=self._yuv_pool.get()))
        with self._cond:
            self._queue.append(("v", pts, yuv))
            self._cond.notify()

    def push_audio(self, first_sample: int, samples: Samples) -> None:
        with self._cond:
            if self.start_at is None or self._audio_done:
                return
            origin = round(self.start_at * AUDIO_RATE)
            end = len(samples)
            if self.finish_at is not None:
                end = min(end, round(self.finish_at * AUDIO_RATE) - first_sample)
            lo = max(0, origin - first_sample)
            if lo < end:
                self._queue.append(("a", first_sample + lo - origin, samples[lo:end]))
            if self.finish_at is not None and first_sample + len(samples) >= round(self.finish_at * AUDIO_RATE):
                self._audio_done = True
            self._cond.notify()

    # -- control -----------------------------------------------------------------------------
    def start(self) -> None:
        self._started = True
        for output in self.outputs:
            output.start()
        self._worker.start()

    def finish(self, at: float | None = None, reason: str = StopReason.STOPPED) -> None:
        """End at clock time ``at`` (default: the next frame) unless already ending sooner; outputs are completed.

        Takes no lock (the event loop calls it): the compositor and the encoder poll these fields.
        """
        base = self.start_at if self.start_at is not None else 0.0
        if at is None:
            at = base + (self.counters.frames + self._video_waiting + 1) / self.fps
        at = max(at, base + 1 / self.fps)
        if self.finish_at is None or at < self.finish_at:  # a stop before the asked duration shortens it
            self.stop_reason = reason
            self.finish_at = at
        self._keep_from = min(self._keep_from, self.finish_at - END_KEEP_S)

    def finishing_s(self) -> float | None:
        """While the end drains (every instant before it is in, the encoder still works through the queue and
        x264's held pictures): about how many seconds are left, at the rate it encodes now; None otherwise. A
        'slower' preset on a busy PC takes seconds here, and Stop shows that rather than a frozen figure."""
        if not self._video_done or self.done.is_set():
            return None
        left, now = self._video_waiting + self._held, time.monotonic()
        if self._estimate is None or self._estimate[0] != left:  # x264's flush gives nothing back until it ends:
            self._estimate = (left, now, left / max(self.counters.fps, 1.0))  # counted down meanwhile, not frozen
        return max(0.0, self._estimate[2] - (now - self._estimate[1]))

    def abort(self) -> None:
        """Finish with what has arrived (the program stopped feeding us); lock-free like ``finish``."""
        self.stop_reason = self.stop_reason or StopReason.STOPPED
        self._video_done = self._audio_done = True
        self._draining()

    def fail(self, reason: str, message: str) -> None:
        """End now: the encoder or a required output cannot go on. What is encoded still reaches the others."""
        if self.stop_reason not in StopReason.FAILURES:
            self.stop_reason, self.message = reason, message
        log.warning("recording %s: %s", self.name, message)
        with self._cond:
            self._video_done = self._audio_done = True
            self._draining()
            self._queue.clear()
            self._video_waiting = 0
            self._cond.notify_all()

    def _draining(self) -> None:
        """Every instant is in (or none will come): x264's child, if it has one, is waited for from now on only
        while it gives something back (``x264_drain_silent_s``). Told from here, not the encoder thread, which may
        be waiting for a child stopped mid-recording as Stop is pressed (its bound was then still 30 s)."""
        child = self._x264_child
        if child is not None:
            child.draining(self.settings.x264_drain_silent_s)

    def join(self, timeout: float | None = None) -> bool:
        return self._worker.join(timeout)

    def on_done(self, callback: Callable[[], None]) -> None:
        """Called on the encoder thread once the required outputs are closed; register before ``start``."""
        self._worker.on_done(callback)

    @property
    def alive(self) -> bool:
        return self._worker.alive

    @property
    def error(self) -> BaseException | None:
        return self._worker.error

    # -- the encoder thread -------------------------------------------------------------------
    def _run(self, stop: threading.Event) -> None:
        try:
            self._encode_all()
        finally:
            if self._x264_child is not None:
                self._x264_child.close()  # closed already, unless the recording failed before its first picture
            for output in self.outputs:
                output.end()
            for output in self.outputs:
                if output in self._required:
                    self._wait_for(output)
            self._streams = self._template = None  # frees the codecs now, not when the last reference goes
            self.done.set()
            with self._cond:
                self._cond.notify_all()

    @staticmethod
    def _wait_for(output: Output) -> None:
        """A required output writes its last packets and closes; one that takes nothing for its ``give_up_s`` is
        given up (it fails, and so does the recording, with its reason), so a hung disk never holds the end."""
        while not output.join(0.1):
            if output.stalled():
                output.give_up()
                return

    def _open(self) -> _Streams:
        """The codecs, opened in a container that is never written: its streams are the outputs' templates
        (codec parameters, extradata with global headers, AAC priming), so no output opens an encoder."""
        w, h = self.size
        gop = max(1, round(self.gop_s * self.fps))
        self._opened_gop_s = gop / self.fps
        template = self._template = av.open("template", "w", format="null")
        options = x264_options(self.preset, self.settings.crf, gop, lookahead_thread=self.settings.lookahead_thread,
                               lookahead_cap=self.settings.lookahead_frames)
        if self.settings.adaptive:  # the template gives the headers; _VideoEncoder opens the one that encodes
            options = headers_only(options)
        video = template.add_stream("libx264", rate=self.fps, options=options)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        # PyAV defaults to slice threads; x264's frame threads (what the ffmpeg CLI uses) are ~25% cheaper.
        video.codec_context.thread_type = "FRAME"
        video.codec_context.time_base = Fraction(1, self.fps)
        audio = template.add_stream("aac", rate=AUDIO_RATE)
        audio.layout = "mono"
        audio.bit_rate = self.settings.audio_bitrate
        for stream in (video, audio):  # MP4 and FLV both want the headers out of band
            stream.codec_context.flags |= av.codec.context.Flags.global_header
        at_lower_priority(video.codec_context.open, self.settings.encoder_nice)  # threads' nice (nice.py)
        audio.codec_context.open()
        template.start_encoding()  # copies the opened codecs' parameters into the template streams
        return _Streams(video, audio)

    def _encode_all(self) -> None:
        try:
            if self.settings.x264_apart and self.settings.adaptive:  # its imports while the template opens
                child = self.x264_spare.take() if self.x264_spare is not None else None
                self._x264_child = RemoteX264(self.size, self.fps, self.settings.encoder_nice, child,
                                              self.settings.x264_answer_within_s)
            streams = self._open()
        except Exception as exc:
            self.fail(_failure(exc), f"the encoder failed: {exc}")
            self._close_template()
            return
        self._streams = streams
        for output in self.outputs:
            output.begin(streams)
        pending_audio = np.zeros(0, np.float32)
        audio_pts = 0
        meter = _Meter()
        video: _VideoEncoder | None = None
        try:
            video = _VideoEncoder(self, streams)
            while True:
                item = self._next()
                if item is None:
                    break
                kind, pts, payload = item
                if kind == "v":
                    if video.encode(payload, pts):
                        self.counters.frames += 1
                else:
                    if pts > audio_pts + len(pending_audio):  # a hole before this chunk: silence
                        pending_audio = np.concatenate([pending_audio, np.zeros(pts - audio_pts - len(pending_audio),
                                                                                np.float32)])
                    pending_audio = np.concatenate([pending_audio, payload])
                    while len(pending_audio) >= AAC_FRAME:
                        self._send("audio", streams.audio.encode(_audio_frame(pending_audio[:AAC_FRAME], audio_pts)))
                        pending_audio = pending_audio[AAC_FRAME:]
                        audio_pts += AAC_FRAME
                    self.counters.audio_samples = audio_pts + len(pending_audio)
                if meter.due():
                    self.counters.fps = meter.rate(self.counters.frames)
            for output in tuple(self._required):  # x264's held frames come at once: the file takes them all
                output.queue.wait_when_full()
            if len(pending_audio):
                self._send("audio", streams.audio.encode(_audio_frame(pending_audio, audio_pts)))
            video.flush()
            self._send("audio", streams.audio.encode(None))
        except Exception as exc:
            if isinstance(exc, X264Lost):
                self.lost_reason = exc.reason
            self.fail(_failure(exc), f"the encoder failed: {exc}")
        finally:
            if video is not None:
                video.close()
            self._close_template()

    def _close_template(self) -> None:
        try:
            if self._template is not None:
                self._template.close()
        except Exception:
            log.exception("closing the encoder's codecs")

    def _send(self, kind: str, packets: list[Any]) -> None:
        for packet in packets:
            encoded = EncodedPacket.of(kind, packet)
            for output in self.outputs:
                output.deliver(encoded)

    def _next(self) -> tuple[str, int, Any] | None:
        with self._cond:
            while not self._queue:
                if self._video_done and self._audio_done:
                    return None
                self._cond.wait(0.1)
            item = self._queue.popleft()
            if item[0] == "v":
                self._video_waiting -= 1
                self._cond.notify_all()
            return item


class _VideoEncoder:
    """The encoder thread's x264: the template stream's own, or with ``adaptive`` a context of its own that a
    faster one replaces at a keyframe (the template stays open, never fed, as the outputs' headers)."""

    def __init__(self, encoder: Encoder, streams: _Streams) -> None:
        self.encoder = encoder
        self.streams = streams
        self.gop = max(1, round(encoder.gop_s * encoder.fps))
        self.headers = bytes(streams.video.codec_context.extradata or b"")
        self.watch: SkipWatch | None = None
        self.ctx: Any = None
        self.next_key = 0  # the first picture at or after this pts is an IDR: keyframes by media time, not count
        self.due_pts: int | None = None  # the picture at which a preset step became due
        self.last_dts: int | None = None
        self.losses: list[float] = []  # when x264_apart's children were lost (time.monotonic), the last window's
        self.skipped_before: int | None = None  # pictures skipped before the first one encoded (``_skipped``)
        self.compatible: set[str] = set()  # faster rungs whose stream headers are the outputs'
        self.lost_at_open: X264Lost | None = None  # x264_apart's first child lost as it opened its x264
        if encoder.settings.adaptive:
            self.watch = SkipWatch(encoder.preset)
            self.compatible = {rung for rung in LADDER[LADDER.index(encoder.preset) + 1:]
                               if self._headers(rung) == self.headers} if encoder.preset in LADDER else set()
            # None: headers differ, so it stays on the template's
            try:
                self.ctx = self._open(encoder.preset, child=encoder._x264_child)
            except X264Lost as lost:  # the child died before its first picture: another takes that one (encode)
                self.lost_at_open = lost

    def _options(self, preset: str) -> dict[str, str]:
        e = self.encoder
        return x264_options(preset, e.settings.crf, self.gop, lookahead_thread=e.settings.lookahead_thread,
                            lookahead_cap=e.settings.lookahead_frames)

    def _headers(self, preset: str) -> bytes | None:
        e = self.encoder
        try:
            return stream_headers(e.size, e.fps, self._options(preset), e.settings.encoder_nice)
        except Exception:
            log.exception("opening x264 with preset %s for its headers", preset)
            return None

    def _open(self, preset: str, child: RemoteX264 | None = None) -> Any:
        """An x264 for ``preset`` if its stream headers are the outputs' (in ``child``, the last one's process). A
        child lost meanwhile is ``X264Lost``, for the restart: taken as x264 not opening, the whole recording went to
        the template's headers-only x264 (one thread, no lookahead) in the window's process."""
        e = self.encoder
        ctx: Any = None
        try:
            if e.settings.x264_apart:
                ctx = child or RemoteX264(e.size, e.fps, e.settings.encoder_nice,
                                          answer_within_s=e.settings.x264_answer_within_s)
                ctx.open(self._options(preset))
            else:
                ctx = open_video(e.size, e.fps, self._options(preset), e.settings.encoder_nice)
        except X264Lost:
            raise
        except Exception:
            log.exception("opening x264 with preset %s", preset)
            _close(ctx)
            return None
        if bytes(ctx.extradata or b"") == self.headers:
            return ctx
        _close(ctx)
        return None

    def _encode(self, picture: Image | None, pts: int = 0, key: bool = False) -> list[Any]:
        """``picture`` (I420) as an IDR if ``key``; None drains what x264 holds. A child lost meanwhile raises
        ``X264Lost`` once what it gave back before is sent (``picture`` is not taken: the next child's)."""
        if isinstance(self.ctx, RemoteX264):
            try:
                packets = self.ctx.encode(picture, pts, key)
            except X264Lost as lost:
                self.encoder._send("video", self._returned(lost.packets, taken=False))
                lost.packets = []
                raise
        else:
            frame = _picture(picture, pts) if picture is not None else None
            if frame is not None and key:
                frame.pict_type = av.video.frame.PictureType.I  # an IDR (x264_options: forced-idr=1)
            packets = list(self.ctx.encode(frame) if self.ctx is not None else self.streams.video.encode(frame))
        return self._returned(packets, taken=picture is not None)

    def _returned(self, packets: list[Any], taken: bool) -> list[Any]:
        """x264's ``packets``, given back as a picture was ``taken`` (or not): counted off what it holds, their
        decode times made to rise across x264s."""
        self.encoder._held = max(0, self.encoder._held + taken - len(packets))
        for packet in packets:
            # A new x264 starts its decode times a B-frame delay before its first picture, reckoned from its own
            # first frames' spacing (skips make it uneven): the first few may not pass the old one's last. The
            # muxers need them rising, so they are nudged up, never past the picture's own time.
            if packet.dts is not None and self.last_dts is not None and packet.dts <= self.last_dts:
                packet.dts = min(self.last_dts + 1, packet.pts) if packet.pts is not None else self.last_dts + 1
            if packet.dts is not None:
                self.last_dts = packet.dts
        return packets

    def encode(self, picture: Image, pts: int) -> bool:
        """A keyframe on the first picture at or after each ``gop`` of media time: x264 counts *encoded* pictures, so
        a busy encoder's skips stretched its GOPs (HLS segments past their target, a preset step 9 s late); by
        time, each GOP's pictures lie within one ``gop`` however many are skipped. False: not encoded (x264's
        process was lost in Stop's drain; counted as skipped)."""
        watch, e = self.watch, self.encoder
        if e.lost_at_end is not None:  # the child was lost in Stop's drain: the rest of the queue is not encoded
            self._end_without(None, 1)
            return False
        if e._video_done:  # Stop's drain: the child is waited for only while it answers
            self._draining()
        key = pts >= self.next_key
        if key:
            self.next_key = (pts // self.gop + 1) * self.gop
        if self.lost_at_open is not None:  # the first child never opened: the next one from this picture
            lost, self.lost_at_open = self.lost_at_open, None
            e._send("video", self._take_over(lost, picture, pts))
            return True
        try:
            if watch is not None and self.ctx is not None:
                watch.note(self._skipped(), e.counters.frames)
                if watch.due and self.due_pts is None:
                    self.due_pts = pts
                # at a keyframe: stepping mid-GOP once gave the muxer decode times it refused (EINVAL,
                # tests/test_record_adaptive.py beside stress-ng); by media time the next one is at most a gop away
                if watch.due and key:
                    self._step(pts)
                    self.due_pts = None
            packets = self._encode(picture, pts, key)
        except X264Lost as lost:  # x264's own process: another takes over from this picture, as an IDR
            if e._video_done:  # unless Stop drains it: the recording ends now, with what it gave
                self._end_without(lost, 1)
                return False
            packets = self._take_over(lost, picture, pts)
        e._send("video", packets)
        return True

    def _take_over(self, lost: X264Lost, picture: Image, pts: int) -> list[Any]:
        """``picture``'s packets from the next child, itself replaced if lost at once (``_restart`` counts each)."""
        while True:
            self._restart(lost, pts)
            try:
                return self._encode(picture, pts, True)
            except X264Lost as again:
                lost = again

    def _restart(self, lost: X264Lost, pts: int) -> None:
        """x264_apart's child was lost (killed, or silent and killed): a new one (the Studio's spare if one waits)
        opens the same preset's x264, which must give the same stream headers, since the file's avcC and the live
        outputs' sequence headers were written from the first. What the lost child held (its slots, x264's
        lookahead) never comes: the file goes on from ``pts`` after a gap, every later picture at its own time. The
        old child is gone before the new one starts (two x264s at 1080p: ~130 MB). Raises ``X264Lost`` with a
        ``LostReason`` when it cannot go on (the recording then ends as ``encoder-lost``, as before)."""
        e = self.encoder
        old, self.ctx = self.ctx, None
        silent_from = old.answered_at if isinstance(old, RemoteX264) else time.monotonic()
        held_s = e._held / e.fps
        _close(old)
        self._drop_held()
        now = time.monotonic()
        self.losses = [t for t in self.losses if now - t < LOSSES_WINDOW_S] + [now]
        if len(self.losses) >= LOSSES_TO_END:
            raise X264Lost(f"{lost}; {len(self.losses)} of x264's processes lost within {LOSSES_WINDOW_S:g} s, no "
                           f"other is started", LostReason.AGAIN) from lost
        log.warning("recording %s: %s; another takes over", e.name, lost)
        ctx: RemoteX264 | None = None
        try:
            child = e.x264_spare.take() if e.x264_spare is not None else None
            ctx = e._x264_child = RemoteX264(e.size, e.fps, e.settings.encoder_nice, child,
                                             e.settings.x264_answer_within_s)
            if e._video_done:  # Stop came as the last one was lost (or comes as this one opens: Encoder._draining)
                ctx.draining(e.settings.x264_drain_silent_s)
            ctx.open(self._options(e.preset))  # closes ctx if it fails
        except Exception as exc:
            _close(ctx)
            raise X264Lost(f"{lost}; the next x264 process did not start: {exc}", LostReason.NOT_STARTED) from exc
        if bytes(ctx.extradata or b"") != self.headers:
            ctx.close()
            raise X264Lost(f"{lost}; the next x264 process's stream headers (SPS/PPS) are not the file's",
                           LostReason.HEADERS_DIFFER) from lost
        self.ctx = e._x264_child = ctx
        if self.watch is not None and not self.watch.exhausted:  # the skips while it started: not x264's pace
            self.watch.stepped(e.preset, self._skipped())
            self.due_pts = None  # a step due (or lost in its open, ``_reopen``) is judged again from here
        restart = EncoderRestart(pts / e.fps, lost.reason, held_s + time.monotonic() - silent_from, len(self.losses))
        e.restarts.append(restart)
        if e.on_restart is not None:
            try:
                e.on_restart(restart)
            except Exception:
                log.exception("encoder restart callback failed")

    def _skipped(self) -> int:
        """The pictures skipped since this x264 took its first: those skipped while it opened (x264_apart's child
        starting, 0.4-1 s) say nothing of its pace, and counted they stepped every such recording at its first
        keyframe."""
        if self.skipped_before is None:
            self.skipped_before = self.encoder.counters.skipped
        return self.encoder.counters.skipped - self.skipped_before

    def _step(self, pts: int) -> None:
        """At a keyframe: drain the current x264 and go on with the nearest faster one that has its headers (known
        since the start: ``compatible``). The old one is gone before the new one opens: two at once held ~130 MB
        more at 1080p, more than the window's whole margin."""
        watch, e = self.watch, self.encoder
        assert watch is not None
        preset = next((rung for rung in watch.candidates() if rung in self.compatible), None)
        if preset is None:  # no faster rung keeps the headers
            watch.stepped(None, self._skipped())
            return
        e._send("video", self._encode(None))
        if isinstance(self.ctx, RemoteX264):  # its process opens the next one, having freed the old
            self._reopen(self.ctx, preset)
        else:  # the old x264 freed now; while the new one opens, frames wait in the queue
            self.ctx = None
            self.ctx = self._open(preset)
        if self.ctx is None:  # its headers were the same at the start: the template's x264 (same headers) goes on
            log.error("recording %s: x264 with preset %s did not open; the headers' own x264 goes on", e.name, preset)
            watch.stepped(None, self._skipped())
            return
        due = self.due_pts if self.due_pts is not None else pts
        change = PresetChange(pts / e.fps, e.preset, preset, watch.window_skips, due / e.fps)
        e.preset = preset
        e.preset_changes.append(change)
        watch.stepped(preset, self._skipped())
        log.warning("recording %s: %d frames skipped in %.0f s, preset %s -> %s", e.name, change.skipped, WINDOW_S,
                    change.old, change.new)
        if e.on_preset is not None:
            try:
                e.on_preset(change)
            except Exception:
                log.exception("preset change callback failed")

    def _reopen(self, child: RemoteX264, preset: str) -> None:
        """``preset``'s x264 in ``child``, the process of the one just drained. A child lost meanwhile, or whose x264
        does not open (which ends it) or gives other headers, is ``X264Lost`` for ``encode``'s ``_take_over``: a new
        child at the preset it had. Taken as a failed step (R11 F2), the rest of the recording went to the
        template's headers-only x264 (one thread, no lookahead) in the window's process, silently."""
        try:
            child.open(self._options(preset))  # closes the child if it fails
        except X264Lost:
            raise
        except Exception as exc:
            raise X264Lost(f"x264 with preset {preset} did not open in its process: {exc}") from exc
        if bytes(child.extradata or b"") != self.headers:
            child.close()
            raise X264Lost(f"x264 with preset {preset} gave stream headers (SPS/PPS) other than the file's in its "
                           f"process")

    def flush(self) -> None:
        """What x264 holds, at the end. A child lost now (killed as Stop drains it, or silent for the drain's
        bound) ends nothing the lecturer did not: the recording stops as asked, without the pictures it held
        (skipped: ``counters.frames`` is what the file has), and ``Encoder.lost_at_end`` says so. It was an
        ``encoder-lost`` failure (R11 F1), the Studio's recording error, for a file short of its last few pictures."""
        e = self.encoder
        if e.lost_at_end is not None:  # lost already, as the queue drained
            return
        self._draining()
        try:
            e._send("video", self._encode(None))
        except X264Lost as lost:
            self._end_without(lost, 0)

    def _draining(self) -> None:
        """Stop was asked: a child that gives nothing back for ``x264_drain_silent_s`` is killed (x264_apart),
        rather than holding Stop for ``x264_answer_within_s``."""
        if isinstance(self.ctx, RemoteX264):
            self.ctx.draining(self.encoder.settings.x264_drain_silent_s)

    def _end_without(self, lost: X264Lost | None, untaken: int) -> None:
        """Stop's drain goes on without x264: ``lost`` (None: lost before) and what it held, and ``untaken``
        pictures it never had, are counted as skipped and in ``Encoder.lost_at_end``. Its packets given before are
        sent already (``_encode``); the file ends where they end."""
        e = self.encoder
        held = self._drop_held() if lost is not None else 0
        with e._cond:
            e.counters.skipped += untaken
        before = e.lost_at_end
        pictures = held + untaken + (before.pictures if before is not None else 0)
        reason = lost.reason if lost is not None else before.reason if before is not None else LostReason.ENDED
        e.lost_at_end = LostAtEnd(reason, pictures, round(pictures / e.fps, 3))
        if lost is not None:
            log.warning("recording %s: %s as Stop drained it, %d pictures in its hands; it stops without them",
                        e.name, lost, held)
            old, self.ctx = self.ctx, None
            _close(old)

    def _drop_held(self) -> int:
        """The pictures a lost child held never reach the file: counted as skipped, as those the queue skips while
        the next one starts, not as frames (``counters.frames`` is what the file has). Returns how many."""
        e = self.encoder
        held = e._held
        with e._cond:
            e.counters.frames -= held
            e.counters.skipped += held
        e._held = 0
        return held

    def close(self) -> None:
        old, self.ctx = self.ctx, None
        _close(old)


def _close(ctx: Any) -> None:
    """A child process's x264 ends with its process; an in-process one when its last reference goes."""
    if isinstance(ctx, RemoteX264):
        ctx.close()


def _gop_cap(output: Output) -> float:
    return output.max_gop_s if output.max_gop_s is not None else LIVE_MAX_GOP_S


class _Meter:
    """Encoder fps over the last second of real time."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.frames = 0

    def due(self) -> bool:
        return time.monotonic() - self.last >= 1.0

    def rate(self, frames: int) -> float:
        now = time.monotonic()
        fps = (frames - self.frames) / max(now - self.last, 1e-3)
        self.last, self.frames = now, frames
        return fps


def _picture(yuv: Image, pts: int) -> av.VideoFrame:
    """A PyAV frame over the I420 buffer itself, not a copy: libx264 copies the picture in before ``encode``
    returns, and the frame's reference keeps the program's pool from reusing the buffer until then."""
    frame = av.VideoFrame.from_numpy_buffer(yuv, format="yuv420p")
    frame.pts = pts
    return frame


def _audio_frame(samples: Samples, pts: int) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="fltp", layout="mono")
    frame.sample_rate = AUDIO_RATE
    frame.pts = pts
    frame.time_base = Fraction(1, AUDIO_RATE)
    return frame


def _failure(exc: BaseException) -> str:
    """The stop reason of an exception that ended the encoding: x264's own process lost, or another error."""
    return StopReason.ENCODER_LOST if isinstance(exc, X264Lost) else StopReason.ERROR
