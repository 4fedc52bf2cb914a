"""Screen capture of an X display (the board's screen, the lecturer's desktop) with FFmpeg's x11grab.

x11grab through PyAV reads shared memory (MIT-SHM) and works under Xvfb; see bench/record_screen.py for
what it costs. The frame is stamped when it arrives on the shared clock.
"""

from __future__ import annotations

import os
import threading

import av
import cv2
import numpy as np

from .clock import Clock
from .frames import Image, VideoFrame, to_i420
from .source import SourceState, VideoSource

RETRY_S = 2.0


def _i420(frame: av.VideoFrame) -> Image:
    """x11grab's BGRA straight to I420 with OpenCV (a third of swscale's cost, bench/record_screen.py), in the
    one conversion the picture needs on its way to the encoder."""
    if frame.format.name not in ("bgr0", "bgra"):
        return to_i420(frame.to_ndarray(format="bgr24"), cv2.COLOR_BGR2YUV_I420)
    plane = frame.planes[0]
    raw = np.frombuffer(memoryview(plane), np.uint8).reshape(frame.height, plane.line_size // 4, 4)[:, : frame.width]
    return to_i420(raw, cv2.COLOR_BGRA2YUV_I420)


class ScreenCapture(VideoSource):
    def __init__(self, name: str = "screen", display: str | None = None, size: tuple[int, int] | None = None,
                 fps: float = 30.0, offset: tuple[int, int] = (0, 0)) -> None:
        super().__init__(name, fps)
        self.display = display or os.environ.get("DISPLAY", ":0")
        self.size = size
        self.offset = offset

    def _options(self) -> dict[str, str]:
        options = {"framerate": f"{self.fps:g}", "draw_mouse": "1"}
        if self.size is not None:
            options["video_size"] = f"{self.size[0]}x{self.size[1]}"
        return options

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        x, y = self.offset
        url = f"{self.display}+{x},{y}" if (x, y) != (0, 0) else self.display
        while not stop.is_set():
            try:
                with av.open(url, format="x11grab", options=self._options()) as container:
                    for index, frame in enumerate(container.decode(video=0)):
                        stamp = clock.now()
                        self.publish(VideoFrame(stamp, _i420(frame), index))
                        if stop.is_set():
                            return
            except Exception as exc:
                state = SourceState.LOST if self.captured else SourceState.FAILED
                self._set_state(state, f"cannot capture display {self.display}: {exc}")
            if stop.wait(RETRY_S):
                break
