"""The live program: sources feed a compositor that ticks at the output rate on the shared clock.

Recording and preview are sinks attached to it, so the technician sees exactly what is recorded and a
layout switch lands between two frames.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections.abc import Callable, Mapping
from typing import Protocol, cast

import cv2

from ._worker import Worker
from .clock import Clock, MonotonicClock
from .compose import compose_i420, scaled_i420
from .frames import BufferPool, Image, Samples, i420_buffer, picture_size, to_rgb
from .heap import fix_thresholds, give_back
from .layout import Layout
from .mixer import AudioMixer
from .source import AudioSource, Source, SourceStatus, VideoSource

log = logging.getLogger(__name__)

AUDIO_LATENCY_S = 0.25  # how long the mixer waits for late audio before a gap becomes silence
VIDEO_LATENCY_S = 0.1  # the longest the compositor waits for the frames of its instant (it goes as soon as
# they are in: composed while the sources' pictures are still in the CPU's cache, and shown sooner)


class Sink(Protocol):
    def push_video(self, t: float, image: Image) -> None:
        """``image``: the program's I420 frame (see ``frames.is_i420``): the sink's to read, not to write into."""
        ...

    def push_audio(self, first_sample: int, samples: Samples) -> None: ...


class SkippingSink(Sink, Protocol):
    """A sink that can say it would skip the next frame (a full queue), so that it is not composed at all."""

    def wants_video(self) -> bool: ...

    def skip_video(self, t: float) -> None: ...


class SourcesSink(Sink, Protocol):
    """A sink that also takes each source's own picture of the instant (for a file per source)."""

    def push_sources(self, t: float, pictures: Mapping[str, Image]) -> None:
        """``pictures``: by source name, those with a frame for ``t`` (RGB or I420; read, never write)."""
        ...


class Program:
    def __init__(self, size: tuple[int, int] = (1280, 720), fps: int = 30, *, clock: Clock | None = None,
                 layout: Layout | None = None, preview_fps: float = 10.0, preview_width: int = 640) -> None:
        if fps < 1:
            raise ValueError("fps must be positive")
        self.size = size
        self.fps = fps
        self.clock: Clock = clock or MonotonicClock()
        self.layout = layout or Layout()
        self.sources: list[Source] = []
        self._kinds: tuple[list[Source], tuple[VideoSource, ...], tuple[AudioSource, ...]] | None = None
        self.on_preview: Callable[[Image], None] | None = None
        self.preview_fps = preview_fps
        self.preview_width = preview_width
        self.composed = 0
        self.late = 0  # ticks where a source had no fresh frame and its last one was repeated
        self.late_by_source: dict[str, int] = {}  # the same, by the source that was late
        self._placed: tuple[Layout, tuple[str, ...], Layout] | None = None  # the layout with its names resolved
        self.mixer = AudioMixer()
        self._sinks: tuple[Sink, ...] = ()
        # what the compositor feeds, swapped as one reference so sinks attached together start at the same frame
        self._fanout: tuple[tuple[Sink, ...], tuple[SourcesSink, ...]] = ((), ())
        self._pictures_now: dict[str, Image] = {}  # each source's picture in the frame being composed and pushed
        self._nudge = threading.Event()  # set by the video sources as each frame is in
        self._worker: Worker | None = None
        self._lock = threading.Lock()
        self._pictures = BufferPool((size[1] * 3 // 2, size[0]), limit=64)  # I420, up to a queue's worth

    # -- sources and layout (any thread; the compositor reads copies) ------------------------
    @property
    def video_sources(self) -> list[VideoSource]:
        return list(self._by_kind()[0])

    @property
    def audio_sources(self) -> list[AudioSource]:
        return list(self._by_kind()[1])

    def _by_kind(self) -> tuple[tuple[VideoSource, ...], tuple[AudioSource, ...]]:
        """The video and audio sources, sorted out once per change of ``sources`` (a list replaced whole), not
        several times a frame on the compositor's thread."""
        sources = self.sources
        cached = self._kinds
        if cached is None or cached[0] is not sources:
            cached = self._kinds = (sources, tuple(s for s in sources if isinstance(s, VideoSource)),
                                    tuple(s for s in sources if isinstance(s, AudioSource)))
        return cached[1], cached[2]

    def add_source(self, source: Source) -> None:
        if any(s.name == source.name for s in self.sources):
            raise ValueError(f"a source named {source.name!r} is already in the program")
        with self._lock:
            self.sources = [*self.sources, source]
        if isinstance(source, VideoSource):
            source.nudge = self._nudge
        if self.running:
            source.start(self.clock)

    def remove_source(self, name: str) -> Source | None:
        """Stops the source; the caller joins it (``source.join``) off the event loop."""
        with self._lock:
            found = next((s for s in self.sources if s.name == name), None)
            self.sources = [s for s in self.sources if s is not found]
        if found is not None:
            found.stop()
            if isinstance(found, VideoSource):
                found.nudge = None
        return found

    def set_layout(self, layout: Layout) -> None:
        self.layout = layout  # one reference swap: the next tick paints the new layout whole

    def attach(self, *sinks: Sink) -> None:
        """Several at once start at the same frame, in this order (a recording's file and its per-source files)."""
        with self._lock:
            self._set_sinks((*self._sinks, *sinks))

    def detach(self, sink: Sink) -> None:
        with self._lock:
            self._set_sinks(tuple(s for s in self._sinks if s is not sink))

    def _set_sinks(self, sinks: tuple[Sink, ...]) -> None:
        self._sinks = sinks
        self._fanout = (sinks, tuple(cast(SourcesSink, s) for s in sinks if hasattr(s, "push_sources")))

    def statuses(self) -> list[SourceStatus]:
        return [s.status() for s in self.sources]

    # -- running ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.stop_event.is_set()

    def start(self) -> None:
        if self._worker is not None:
            raise RuntimeError("the program is already running")
        # Sources, the compositor and the encoder already run on threads of their own; OpenCV's pool splitting
        # each resize or conversion further only adds hand-offs and spinning (measured: ~5% of the recording's
        # CPU at 1080p, and a noisier one). The media engine is the process's only OpenCV user.
        cv2.setNumThreads(1)
        fix_thresholds()
        # The compositor's place first: on a simulated clock time moves once every participant sleeps, so sources
        # started before it drew ahead freely until it joined (a busy machine: 0.27 s of pictures, a source's
        # whole queue, held at once and composed never).
        self.clock.join()
        try:
            for source in self.sources:
                source.start(self.clock)
        except BaseException:
            self.clock.leave()
            raise
        self._worker = Worker("compositor", self._run)
        self._worker.start()

    def stop(self) -> None:
        for source in self.sources:
            source.stop()
        if self._worker is not None:
            self._worker.stop()

    def join(self, timeout: float = 5.0) -> bool:
        """Blocking: call from a worker thread or through ``media.offload``."""
        ok = True
        for source in self.sources:
            ok = source.join(timeout) and ok
        if self._worker is not None:
            ok = self._worker.join(timeout) and ok
        return ok

    def _run(self, stop: threading.Event) -> None:
        try:
            self._tick_loop(stop)
        finally:
            self.clock.leave()
            self._pictures.release()
            give_back()

    def _tick_loop(self, stop: threading.Event) -> None:
        clock, fps = self.clock, self.fps
        tick = math.ceil(clock.now() * fps)
        self.mixer.begin(tick / fps - AUDIO_LATENCY_S)
        next_preview = 0.0
        last: Image | None = None
        while True:
            t = tick / fps
            if not clock.wait_for(functools.partial(self._frames_in, t), self._nudge, t, t + VIDEO_LATENCY_S, stop):
                break
            behind = math.floor((clock.now() - VIDEO_LATENCY_S) * fps) - tick
            if last is not None and behind > fps // 2:
                # Half a second behind: repeat the last frame for the missed instants to catch up.
                for missed in range(behind):
                    self._push_video((tick + missed) / fps, last, {})
                self.late += behind
                tick += behind
                continue
            on_preview = self.on_preview  # read once: another thread may clear it between a check and a call
            preview_due = on_preview is not None and t >= next_preview
            if self._pass_over(t):
                if not self._fanout[0]:
                    last = None  # composed for nobody: no picture of this instant to repeat into a later sink
                    if len(self._pictures):  # a recording's pictures: the preview alone takes none of this size
                        self._pictures.release()
                if on_preview is not None and preview_due:
                    next_preview = t + 1.0 / self.preview_fps
                    self._preview_alone(t, on_preview)
                self._push_audio(t)
                tick += 1
                continue
            # The last picture is let go first: once its sinks are done with it, it is the one the pool hands back
            # for this instant (kept over the composing, it was a picture more in the window's memory whenever the
            # encoder had taken it: its queue at the bound, the recording's peak).
            last = None
            last = self._compose(t)
            self._push_video(t, last, self._pictures_now)
            # The sources' pictures go back to their pools once pushed: held here until the next composition, each
            # source needed a third picture whenever instants were passed over (before Record, or a full encoder
            # queue: the window's peak), 6 MB at 1080p PiP (bench/memory.py --only gui).
            self._pictures_now.clear()
            self._push_audio(t)
            if on_preview is not None and preview_due:
                next_preview = t + 1.0 / self.preview_fps
                self._preview(last, on_preview)
            tick += 1

    def _pass_over(self, t: float) -> bool:
        """Skips composing ``t`` when every sink would skip it (an encoder's full queue: ``Encoder.wants_video``),
        telling them so, or when there is no sink at all; True if it did. Sinks that cannot say, or take the
        sources' own pictures, get every one. With no sink only the preview's instants are composed, at the
        preview's size (the Studio before Record: 15 a second, not 30; a recording's start and end: none), 4-5 ms
        of CPU each at 1080p PiP beside a running x264."""
        sinks, source_sinks = self._fanout
        if source_sinks:
            return False
        skippers = [cast(SkippingSink, s) for s in sinks if hasattr(s, "wants_video")]
        if len(skippers) < len(sinks) or any(s.wants_video() for s in skippers):
            return False
        for source in self._by_kind()[0]:
            source.release_before(t)  # as composing would: nothing older is wanted again
        for sink in skippers:
            sink.skip_video(t)
        return True

    def _frames_in(self, t: float) -> bool:
        return all(source.covers(t) for source in self._by_kind()[0])

    def _compose(self, t: float, out: Image | None = None) -> Image:
        """The picture of instant ``t``, into ``out`` (I420 of any size: the preview's) or a program-sized one."""
        images: list[Image | None] = []
        stale = False
        pictures = self._pictures_now
        pictures.clear()
        names = []
        for source in self._by_kind()[0]:
            names.append(source.name)
            source.release_before(t)  # instants are composed in order: nothing older is wanted again
            frame = source.frame_at(t)
            if frame is None or t - frame.stamp > 1.5 / source.fps:
                stale = True
                self.late_by_source[source.name] = self.late_by_source.get(source.name, 0) + 1
            images.append(frame.image if frame is not None else None)
            if frame is not None:
                pictures[source.name] = frame.image
        if stale:
            self.late += 1
        self.composed += 1
        if out is None:
            out = self._pictures.get()
        w, h = picture_size(out)
        return compose_i420(self.placed_layout(tuple(names)), images, w, h, out)

    def placed_layout(self, names: tuple[str, ...] | None = None) -> Layout:
        """The layout as painted: its chosen sources turned into indexes of ``names`` (now's video sources)."""
        layout = self.layout
        names = names if names is not None else tuple(s.name for s in self.video_sources)
        cached = self._placed
        if cached is not None and cached[0] is layout and cached[1] == names:
            return cached[2]
        placed = layout.placed(names)
        self._placed = (layout, names, placed)
        return placed

    def _push_video(self, t: float, image: Image, pictures: Mapping[str, Image]) -> None:
        sinks, source_sinks = self._fanout
        for sink in sinks:
            sink.push_video(t, image)
        for sources_sink in source_sinks:
            sources_sink.push_sources(t, pictures)

    def _push_audio(self, t: float) -> None:
        sources = self._by_kind()[1]
        self.mixer.collect(sources)
        latency = max([AUDIO_LATENCY_S, *(s.lateness_s + 0.1 for s in sources)])
        chunk = self.mixer.pull(t - latency)
        if chunk is not None:
            for sink in self._fanout[0]:
                sink.push_audio(*chunk)

    def _preview_size(self) -> tuple[int, int]:
        w, h = self.size
        pw = min(self.preview_width, w) // 2 * 2
        return pw, round(h * pw / w) // 2 * 2

    def _preview(self, image: Image, on_preview: Callable[[Image], None]) -> None:
        self._show(to_rgb(scaled_i420(image, *self._preview_size())), on_preview)  # shrunk first: converted small

    def _preview_alone(self, t: float, on_preview: Callable[[Image], None]) -> None:
        """An instant only the preview wants (no sink, or all of them skip it) composed at the preview's size: a
        program-sized picture for it was one more in the window's memory with the encoder's queue at its bound
        (the recording's peak; 3 MB at 1080p), and before Record a 1080p composition for a 640-px picture."""
        small = self._compose(t, i420_buffer(*self._preview_size()))
        self._pictures_now.clear()
        self._show(to_rgb(small), on_preview)

    @staticmethod
    def _show(small: Image, on_preview: Callable[[Image], None]) -> None:
        try:
            on_preview(small)
        except Exception:
            log.exception("preview callback failed")
