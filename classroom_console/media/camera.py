"""Cameras over RTSP, HTTP (MJPEG) or USB through OpenCV, stamped when each frame arrives.

OpenCV hands over BGR; it is converted once, straight to the I420 the compositor and encoder work in.
"""

from __future__ import annotations

import os
import threading
from urllib.parse import urlsplit, urlunsplit

import cv2

from .clock import Clock
from .frames import VideoFrame, to_i420
from .source import SourceState, VideoSource

RETRY_S = 2.0

# OpenCV's FFmpeg printed a raw line per failed retry ("[tcp @ 0x…] Connection refused") on the terminal, every
# 2 s per camera; the source's state says it once, in words. Read at OpenCV's first FFmpeg capture (-8: quiet).
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


def _target(url: str) -> str | int:
    """``0`` or ``/dev/video0`` -> a USB index; anything else is a URL or file OpenCV can open."""
    if url.isdigit():
        return int(url)
    if url.startswith("/dev/video") and url[10:].isdigit():
        return int(url[10:])
    return url


def shown_url(url: str) -> str:
    """The camera's address as a message may show it: a password in it (``rtsp://admin:s3cret@…``) and a query
    string (often a token) are masked, for messages reach terminals, logs and a projected window."""
    if "://" not in url:
        return url  # a USB index or a device path
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:****@{host}" if ":" in userinfo else f"{user}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, "****" if parts.query else "", ""))


class Camera(VideoSource):
    def __init__(self, name: str, url: str, fps: float = 30.0) -> None:
        super().__init__(name, fps)
        self.url = url

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        while not stop.is_set():
            cap = cv2.VideoCapture(_target(self.url))
            try:
                if not cap.isOpened():
                    state = SourceState.LOST if self.captured else SourceState.FAILED
                    self._set_state(state, f"cannot open {shown_url(self.url)}")
                else:
                    native = cap.get(cv2.CAP_PROP_FPS)
                    if 1 <= native <= 120:
                        self.fps = native
                    self._read(cap, stop, clock)
            finally:
                cap.release()
            if stop.wait(RETRY_S):
                break

    def _read(self, cap: cv2.VideoCapture, stop: threading.Event, clock: Clock) -> None:
        index = 0
        while not stop.is_set():
            ok, bgr = cap.read()
            stamp = clock.now()
            if not ok:
                self._set_state(SourceState.LOST, f"{shown_url(self.url)} stopped sending pictures")
                return
            self.publish(VideoFrame(stamp, to_i420(bgr, cv2.COLOR_BGR2YUV_I420), index))
            index += 1
