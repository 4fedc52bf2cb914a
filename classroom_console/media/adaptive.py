"""``--preset auto`` while recording: a busy PC makes the encoder skip frames, so it steps to a faster preset.

The encoder cannot change preset in place (PyAV has no ``x264_encoder_reconfig``), so at the next keyframe it drains
the old encoder and opens a faster one. Outputs were opened with the first encoder's headers (SPS/PPS in the MP4's
avcC, the FLV sequence header), so a step is taken only to a preset whose headers are byte for byte the same:
veryfast -> superfast -> superfast with a fixed B-frame pattern ("superfast-fixedb") -> that with the lightest
analysis ("superfast-lite-fixedb") keep them; ultrafast (baseline profile) does not and is never stepped to. A step
goes as far down the ladder as the skips say it must (``COST``): a busy PC that let the encoder do half the frames
needs a rung at half the cost now, not one rung per settling time. Every step is reported (``PresetChange``): the
recorder logs it as a ``preset-changed`` session event.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av

from .nice import at_lower_priority

# fastest last; a variant is (x264 preset, extra x264-params)
LADDER = ("veryslow", "slower", "slow", "medium", "fast", "faster", "veryfast", "superfast", "superfast-fixedb",
          "superfast-lite-fixedb")
# b-adapt=0 (three B-frames always, as the headers allow) spares x264's B-frame decision, most of superfast's own
# cost: 30.5 -> 19 ms CPU a 1080p PiP frame, at a lower bitrate at the same crf (1.97 vs 2.05 Mbit/s); with the
# lightest analysis 16 ms. Old "superfast-lite" (26 ms, 2.71 Mbit/s) is worse than superfast-fixedb at both, so it
# is no longer a rung (kept as a name). Measured with /tmp/S/x264var*.py on the project's 2-core PC, 2026-11-30.
VARIANTS = {"superfast-lite": ("superfast", "subme=0:partitions=none:aq-mode=0"),
            "superfast-fixedb": ("superfast", "b-adapt=0"),
            "superfast-lite-fixedb": ("superfast", "subme=0:partitions=none:aq-mode=0:b-adapt=0")}
# x264's CPU a frame relative to veryfast (same measurement): how far a step must go to keep up
COST = {"veryfast": 1.0, "superfast": 0.72, "superfast-fixedb": 0.45, "superfast-lite-fixedb": 0.38}
STEP_MARGIN = 0.85  # the rung chosen leaves this much of the encoder's measured pace (the load may still grow)
WINDOW_S = 2.0  # skipped frames are counted over this much real time
SKIPS_TO_STEP = 3  # a tenth of a second lost to skipping in the window: step down
SETTLE_S = 4.0  # after a step, the queue it left drains before skips count again


@dataclass(frozen=True, slots=True)
class PresetChange:
    at_s: float  # on the recording's timeline
    old: str
    new: str
    skipped: int  # frames skipped in the window that triggered it
    due_s: float | None = None  # on the recording's timeline, when the skips made it due (taken at the next keyframe)


# x264's own rc-lookahead per preset (frames it looks ahead for mbtree and frame types)
PRESET_LOOKAHEAD = {"ultrafast": 0, "superfast": 0, "veryfast": 10, "faster": 20, "fast": 30, "medium": 40,
                    "slow": 50, "slower": 60, "veryslow": 60}
# Each frame x264 holds at 1080p is ~12 MB (half-pel planes, lowres copies): most of a recording's memory is
# x264's (bench/memory.py: 207 MB of the window's 486 MB at veryfast). One frame thread a core (not 1.5), one frame
# queued for the lookahead thread (sync-lookahead=1, not x264's threads+B-frames), a lookahead of at most 7 frames
# and B-frames that are not references (b-pyramid=none) hold 70 MB less; at crf 23 the bitrate and PSNR stay within
# 2 % and 0.1 dB (bench/memory.py --only x264 prints both beside x264's defaults).
# sync-lookahead must not be 0: that runs the lookahead (frame types, mbtree) on the thread that calls encode, not
# on x264's own lookahead thread, and it was 58 % of x264's CPU there (7.7 of 13.2 CPU-s for 300 1080p frames):
# a serial step that capped the encoder near 1.3x real time on two idle cores. With one frame queued the caller
# does 0.7 CPU-s and 1080p30 went from 7.9 to 13.0 fps at load 8 for 9 MB more (/tmp sweep, 2026-11-30).
SYNC_LOOKAHEAD = 1
LOOKAHEAD_CAP = 7
MAX_THREADS = 4


def x264_threads() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_THREADS))


def x264_options(preset: str, crf: int, gop: int, *, lookahead_thread: bool = True,
                 lookahead_cap: int = LOOKAHEAD_CAP) -> dict[str, str]:
    """Codec options for a ladder name (a real x264 preset or one of ``VARIANTS``); ``lookahead_thread=False``
    runs the lookahead on the calling thread (sync-lookahead=0): 9 MB less at 1080p, for the window's recording
    whose memory target has no room for it, at the cost of that serial step. ``lookahead_cap``: frames x264 looks
    ahead at most (each ~6.5 MB at 1080p)."""
    real, extra = VARIANTS.get(preset, (preset, ""))
    lookahead = min(PRESET_LOOKAHEAD.get(real, lookahead_cap), lookahead_cap)
    sync = SYNC_LOOKAHEAD if lookahead_thread else 0
    # Keyframes are placed by media time (encoder.py forces an IDR on the first picture of each ``gop``); keyint=gop
    # is only the safety bound, never reached between two forced ones (a ``gop`` of time holds at most ``gop``
    # pictures), and scenecut=0 adds none of x264's own. forced-idr=1: a forced I is an IDR whatever min-keyint says.
    params = (f"keyint={gop}:min-keyint={gop}:scenecut=0:threads={x264_threads()}:sync-lookahead={sync}"
              f":rc-lookahead={lookahead}:b-pyramid=none" + (f":{extra}" if extra else ""))
    return {"preset": real, "crf": str(crf), "forced-idr": "1", "x264-params": params}


def headers_only(options: dict[str, str]) -> dict[str, str]:
    """Options for an x264 opened for its stream headers alone (``adaptive``: the template's, never fed, while a
    context of its own encodes): one thread, no lookahead thread, no lookahead. The SPS/PPS depend on none of
    them, and the idle encoder holds 1.4 MB instead of 13 at 1080p (the second x264 an adaptive recording opens)."""
    params = dict(item.split("=", 1) for item in options["x264-params"].split(":"))
    params.update({"threads": "1", "sync-lookahead": "0", "rc-lookahead": "0"})
    return {**options, "x264-params": ":".join(f"{k}={v}" for k, v in params.items())}


@functools.lru_cache(maxsize=64)
def _headers(size: tuple[int, int], fps: int, options: tuple[tuple[str, str], ...], nice: int | None) -> bytes:
    return bytes(open_video(size, fps, headers_only(dict(options)), nice).extradata or b"")


def stream_headers(size: tuple[int, int], fps: int, options: dict[str, str], nice: int | None = None) -> bytes:
    """The SPS/PPS an x264 with these options writes, from a light one (``headers_only``), once per process: a
    recording asks for its faster rungs' when it starts, while x264 holds little, not at a step, when the queue is
    full and the old x264 has all its frames (a light x264 is 6 MB more at 1080p: the window's peak, 401 MB)."""
    return _headers(size, fps, tuple(sorted(options.items())), nice)


def open_video(size: tuple[int, int], fps: int, options: dict[str, str], nice: int | None = None) -> Any:
    """A libx264 context as the encoder opens its first one (frame threads, global headers); ``nice``: its threads'
    nice above the caller's (default ``nice.ENCODER_NICE``; ``EncoderSettings.encoder_nice``)."""
    ctx = av.CodecContext.create("libx264", "w")
    ctx.width, ctx.height, ctx.pix_fmt = size[0], size[1], "yuv420p"
    ctx.time_base = Fraction(1, fps)
    ctx.framerate = Fraction(fps, 1)
    ctx.thread_type = "FRAME"
    ctx.options = options
    ctx.flags |= av.codec.context.Flags.global_header
    at_lower_priority(ctx.open, nice)  # x264's threads yield to the GIL's holders (nice.py)
    return ctx


def slower_rung(preset: str, ceiling: str) -> str:
    """The rung above ``preset`` on the ladder, never above ``ceiling`` (the settings' own preset)."""
    if preset not in LADDER or ceiling not in LADDER:
        return ceiling
    return LADDER[max(LADDER.index(preset) - 1, LADDER.index(ceiling))]


class SkipWatch:
    """Decides, on the encoder thread, when skipped frames say the encoder needs a faster preset."""

    def __init__(self, preset: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.preset = preset
        self._clock = clock
        self._window_start = clock()
        self._skipped_at_start = 0
        self._quiet_until = 0.0
        self.exhausted = preset not in LADDER or preset == LADDER[-1]
        self.due = False
        self.window_skips = 0
        self.window_frames: int | None = None  # frames encoded in the window that made the step due (if told)
        self._frames_at_start = 0

    def note(self, skipped: int, frames: int | None = None) -> None:
        """Called with the running counts of skipped and (if known) encoded frames; sets ``due`` once a window has
        too many skips."""
        if self.exhausted or self.due:
            return
        now = self._clock()
        if now < self._quiet_until:
            self._window_start, self._skipped_at_start, self._frames_at_start = now, skipped, frames or 0
            return
        if skipped - self._skipped_at_start >= SKIPS_TO_STEP:
            self.due, self.window_skips = True, skipped - self._skipped_at_start
            # the kept share says how far to step only over half a window or more: a hiccup of a few frames just
            # after a window began would otherwise read as a pace of a few per cent and go to the fastest rung
            young = now - self._window_start < WINDOW_S / 2
            self.window_frames = None if frames is None or young else max(0, frames - self._frames_at_start)
        elif now - self._window_start >= WINDOW_S:
            self._window_start, self._skipped_at_start, self._frames_at_start = now, skipped, frames or 0

    def candidates(self) -> list[str]:
        """Faster rungs below the current one, from the nearest whose cost fits the pace the window measured (the
        encoder kept ``frames`` of ``frames + skips``: its rung must cost that share of this one, with a margin);
        nearest first where the costs are not known, and the fastest when none fits."""
        if self.preset not in LADDER:
            return []
        faster = list(LADDER[LADDER.index(self.preset) + 1 :])
        cost = COST.get(self.preset)
        if cost is None or self.window_frames is None or not faster:
            return faster
        budget = cost * self.window_frames / (self.window_frames + self.window_skips) * STEP_MARGIN
        fits = next((i for i, rung in enumerate(faster) if COST.get(rung, cost) <= budget), len(faster) - 1)
        return faster[fits:]

    def stepped(self, preset: str | None, skipped: int) -> None:
        """After a step (``preset``) or a failed try (None: no faster rung has the same headers)."""
        self.due = False
        if preset is None:
            self.exhausted = True
            return
        self.preset = preset
        self.exhausted = preset == LADDER[-1]
        self._quiet_until = self._clock() + SETTLE_S
        self._window_start, self._skipped_at_start = self._clock(), skipped
        self.window_skips, self.window_frames = 0, None
