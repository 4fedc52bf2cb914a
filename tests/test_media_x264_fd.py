"""An x264 child's pictures memfd is closed once however often the child is ended (R9: every x264_apart recording
ended its child twice, and the second ``os.close`` shut whatever file another thread had opened under that number)."""

from __future__ import annotations

import os
from pathlib import Path

from classroom_console.media.x264_apart import end, spawn


def test_ending_a_child_twice_leaves_a_file_opened_between_open(tmp_path: Path) -> None:
    child = spawn()
    number = child.pictures
    end(child)
    opened: list[int] = []
    try:
        for n in range(64):  # until a file takes the memfd's old number (the lowest free: within a few opens)
            opened.append(os.open(tmp_path / f"other-{n}", os.O_CREAT | os.O_WRONLY))
            if opened[-1] == number:
                break
        assert number in opened, "no file took the memfd's number"
        end(child)  # the encoder's second end
        os.write(number, b"still mine")  # the old code closed it: EBADF
        assert (tmp_path / f"other-{opened.index(number)}").read_bytes() == b"still mine"
    finally:
        for fd in opened:
            os.close(fd)
