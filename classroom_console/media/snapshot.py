"""One picture from a camera, as a file: from its snapshot URL, or the first frame of its stream.

Blocking (HTTP and decoding through OpenCV): call it on a thread.
"""

from __future__ import annotations

from pathlib import Path

import cv2

SNAPSHOT_TIMEOUT_MS = 5000


class PictureError(Exception):
    """No picture could be had or written; the message is one line for the user."""


def save_picture(url: str, path: Path) -> tuple[int, int]:
    """Write the picture at ``url`` to ``path`` (its suffix picks the format); returns its width and height."""
    if not path.resolve().parent.is_dir():
        raise PictureError(f"{path.resolve().parent} is not a folder")
    capture = cv2.VideoCapture(url, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, SNAPSHOT_TIMEOUT_MS,
                                                     cv2.CAP_PROP_READ_TIMEOUT_MSEC, SNAPSHOT_TIMEOUT_MS])
    try:
        ok, frame = capture.read() if capture.isOpened() else (False, None)
    finally:
        capture.release()
    if not ok or frame is None:
        raise PictureError(f"no picture from {url}")
    try:
        written = cv2.imwrite(str(path), frame)
    except cv2.error as exc:
        raise PictureError(f"cannot write {path.name}: {exc}") from None
    if not written:
        raise PictureError(f"cannot write {path}: choose a .png or .jpg name in a writable folder")
    return int(frame.shape[1]), int(frame.shape[0])
