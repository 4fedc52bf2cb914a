"""The recording's file: encoded packets into a fragmented MP4 that plays after a crash or a power cut.

Each keyframe (every ``gop_s``) closes a fragment, so a killed process leaves a file that plays up to its last
fragment; an orderly finish writes the rest; ``durable.py`` puts it on the disk each second. Free space is
watched here, where the bytes go: below the floor the output asks its encoder to end the recording in time.
"""

from __future__ import annotations

import errno
import threading
import time
from pathlib import Path
from typing import Any

import av

from .disk import FreeSpace, free_bytes
from .durable import FileSyncer
from .encoder import EncoderSettings, StopReason
from .output import EncodedStreams, Output, OutputState
from .packets import EncodedPacket

# empty_moov with delay_moov: the init segment is written when the first fragment is cut rather than before
# any sample, so it carries edit lists (B-frame delay, AAC priming) and the video starts at 0 with its exact
# duration; with empty_moov alone it started 2 frames late. Crash safety is the same: moof+mdat fragments,
# one per keyframe.
MOVFLAGS = "frag_keyframe+empty_moov+delay_moov+default_base_moof"
DISK_CHECK_FRAMES = 10  # statvfs is cheap; checking by frames too keeps up with faster-than-real-time runs
FILE_QUEUE_S = 2.0  # a disk that stalls this long costs GOPs of the file, never frames of the live outputs


class FileOutput(Output):
    kind = "file"

    def __init__(self, path: Path, settings: EncoderSettings | None = None, *, free_space: FreeSpace = free_bytes,
                 queue_s: float = FILE_QUEUE_S) -> None:
        self.settings = settings or EncoderSettings()
        super().__init__(path.name, queue_s=queue_s, block=self.settings.block_when_full,
                         give_up_s=self.settings.disk_silent_s)
        self.path = path
        self.size_bytes = 0
        self.free_bytes = 0
        self.bitrate_bps = 0.0
        self.syncer: FileSyncer | None = None
        self._free_space = free_space
        self._media_s = 0.0

    @property
    def media_s(self) -> float:
        """The end of the last picture handed to the muxer, in seconds of the recording."""
        return self._media_s

    def _extra(self) -> dict[str, Any]:
        return {"path": str(self.path), "size_bytes": self.size_bytes, "free_bytes": self.free_bytes}

    def _serve(self, stop: threading.Event, streams: EncodedStreams) -> None:
        try:
            # Written through a Python file, not a path FFmpeg opens: PyAV's close() holds the GIL through the
            # trailer's write, so a disk that stopped answering then froze every thread, the window's too; a
            # Python write gives the GIL up while it waits (a few hundred calls a second, as flush_packets does).
            handle = open(self.path, "wb", buffering=0)  # closed after the container, below
        except OSError as exc:  # no file to write to (a bad folder, no permission): said, not a silent stall
            self._failed(exc)
            return
        try:
            try:
                container = av.open(handle, "w", format="mp4",
                                    # flush_packets: each fragment reaches the kernel when it is cut, not when a
                                    # 32 KB buffer fills.
                                    options={"movflags": MOVFLAGS, "flush_packets": "1"})
                video = container.add_stream_from_template(streams.video)
                audio = container.add_stream_from_template(streams.audio)
                container.start_encoding()  # the header is written now: a disk that cannot take it is said at once
            except Exception as exc:
                self._failed(exc)
                return
            self._write(stop, container, video, audio)
        finally:
            handle.close()

    def _write(self, stop: threading.Event, container: Any, video: Any, audio: Any) -> None:
        self.state = OutputState.LIVE
        if self.settings.sync_s > 0:
            self.syncer = FileSyncer(self.path, self.settings.sync_s)
            self.syncer.start()
        failed = False
        last_check = time.monotonic()
        frames = 0
        try:
            while (packet := self._next_packet(stop)) is not None:
                container.mux(packet.to_av(video if packet.kind == "video" else audio))
                self._wrote(packet)
                if packet.kind == "video":
                    frames += 1
                    self._media_s = max(self._media_s, _end_s(packet))
                if time.monotonic() - last_check >= 1.0 or (packet.kind == "video" and frames % DISK_CHECK_FRAMES == 0):
                    last_check = time.monotonic()
                    self._check_disk()
        except Exception as exc:
            failed = True
            self._failed(exc)
        finally:
            try:
                container.close()
            except Exception as exc:
                if not failed:
                    self._failed(exc)
            if self.syncer is not None:
                self.syncer.finish()
            self._measure_size()

    def give_up(self) -> None:
        """The disk took nothing for ``disk_silent_s`` at the end. The muxer's thread is left in its write: if the
        disk answers again it ends the file as usual; if not, the file plays up to its last fragment that reached
        the disk, and the recording's row, left open, is measured by recovery.py at the next start."""
        self._fail(StopReason.DISK_HUNG, f"the disk did not answer for {self.give_up_s:g} s: the recording stopped; "
                                         "the file keeps what reached the disk")

    def _check_disk(self) -> None:
        self._measure_size()
        self.free_bytes = self._free_space(self.path.parent)
        self.bitrate_bps = self.size_bytes * 8 / self._media_s if self._media_s > 0 else 0.0
        queued = self.queue.counters().queued_bytes  # still to be written: as good as gone from the disk
        if self.free_bytes - queued < self.settings.stop_floor_bytes and self.reason != StopReason.DISK_FULL:
            self.reason = StopReason.DISK_FULL
            self.message = "the disk is nearly full: the recording was stopped and saved"
            if self.owner is not None:
                self.owner.output_wants_stop(self, StopReason.DISK_FULL, self.message)

    def _measure_size(self) -> None:
        try:
            self.size_bytes = self.path.stat().st_size
        except OSError:
            pass

    def _failed(self, exc: BaseException) -> None:
        code = getattr(exc, "errno", None)
        if code == errno.ENOSPC or "No space left" in str(exc):
            self._fail(StopReason.DISK_FULL,
                       "the disk is full: the recording stopped; the file plays up to the last second saved")
        else:
            self._fail(StopReason.ERROR, f"the encoder failed: {exc}")


def _end_s(packet: EncodedPacket) -> float:
    return float((packet.pts + max(packet.duration, 1)) * packet.time_base)
