"""Bytes written whole to a descriptor, however the kernel splits the write.

A write to a pipe or a file may take only part of what it was given: a pipe whose reader is slow, a process stopped
and continued mid-write (SIGSTOP). Python's buffered writers then returned the part taken and dropped the rest
(x264_child.py). Standard library only: the x264 child imports it beside nothing of size.
"""

from __future__ import annotations

import os


def write_whole(descriptor: int, data: bytes | memoryview) -> None:
    """All of ``data``, a write at a time; blocks (without the GIL) while the other end is full."""
    left = memoryview(data)
    while left:
        left = left[os.write(descriptor, left):]
