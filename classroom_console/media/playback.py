"""Playing a recording back through libVLC into memory, so any UI (or none) can show its pictures.

libVLC decodes on its own threads and calls us with each picture; we copy it out and hand an RGB array
to ``on_frame`` (from VLC's thread: the UI must relay it to its own thread).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .frames import Image


class Playback:
    """One file at a time, scaled to ``width`` x ``height`` by VLC; ``on_frame`` gets RGB arrays."""

    def __init__(self, width: int = 640, height: int = 360) -> None:
        import vlc  # late: libVLC is looked up when playback is first used, not when the core starts

        self._vlc = vlc
        self.width, self.height = width, height
        self.on_frame: Callable[[Image], None] | None = None
        self.on_end: Callable[[], None] | None = None
        self.error: str | None = None
        # Ours, not VLC's is_playing(): that is False for a moment after play() while VLC opens the file,
        # which showed "Play" on a button whose recording was just starting (on a busy PC, for a while).
        self._wanted = False
        self._instance = vlc.Instance("--quiet", "--no-video-title-show", "--aout=dummy", "--no-xlib")
        self._player = self._instance.media_player_new()
        self._buffer = np.zeros((height, width, 4), np.uint8)
        self._lock = threading.Lock()
        # ctypes callbacks must outlive the player: keep them on self.
        self._cb_lock = vlc.CallbackDecorators.VideoLockCb(self._on_lock)
        self._cb_unlock = vlc.CallbackDecorators.VideoUnlockCb(self._on_unlock)
        self._cb_display = vlc.CallbackDecorators.VideoDisplayCb(self._on_display)
        self._player.video_set_callbacks(self._cb_lock, self._cb_unlock, self._cb_display, None)
        self._player.video_set_format("RV32", width, height, width * 4)
        events = self._player.event_manager()
        events.event_attach(vlc.EventType.MediaPlayerEndReached, self._ended)
        events.event_attach(vlc.EventType.MediaPlayerEncounteredError, self._failed)

    def _on_lock(self, opaque: Any, planes: Any) -> None:
        self._lock.acquire()
        planes[0] = self._buffer.ctypes.data_as(ctypes.c_void_p)

    def _on_unlock(self, opaque: Any, picture: Any, planes: Any) -> None:
        self._lock.release()

    def _on_display(self, opaque: Any, picture: Any) -> None:
        callback = self.on_frame
        if callback is None:
            return
        with self._lock:
            rgb = self._buffer[:, :, 2::-1].copy()  # RV32 is BGRA in memory
        callback(rgb)

    def _ended(self, event: Any) -> None:
        self._wanted = False
        if self.on_end is not None:
            self.on_end()

    def _failed(self, event: Any) -> None:
        self.error = "the recording could not be played"
        self._wanted = False
        if self.on_end is not None:
            self.on_end()

    def open(self, path: Path) -> None:
        self.error = None
        self._player.set_media(self._instance.media_new_path(str(path)))

    def play(self) -> None:
        self._wanted = True
        self._player.play()

    def pause(self) -> None:
        self._wanted = False
        self._player.set_pause(1)

    def stop(self) -> None:
        """Blocks until VLC's threads let go of our buffer (tens of ms); call through ``offload``."""
        self._wanted = False
        self._player.stop()

    @property
    def playing(self) -> bool:
        """Playing or about to: from play() until pause, stop, the end of the file or an error."""
        return self._wanted

    def seek(self, seconds: float) -> None:
        """Jump to this time (VLC moves there on its own threads; cheap to call)."""
        self._player.set_time(int(max(0.0, seconds) * 1000))

    @property
    def position_s(self) -> float:
        return max(0, self._player.get_time()) / 1000

    @property
    def length_s(self) -> float:
        return max(0, self._player.get_length()) / 1000

    def release(self) -> None:
        """Blocking like ``stop``."""
        self._player.stop()
        self._player.release()
        self._instance.release()
