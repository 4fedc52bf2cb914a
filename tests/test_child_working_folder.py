"""Our child processes do not import from the folder the console was started in: ``python -c`` puts the working
folder first on the child's path, so a ``fractions.py`` lying there (a download, a student's USB stick) ran as the
lecturer in x264's child (R10), and in the centre's store and usage children. Each child is started for real from a
folder holding such a module, which writes a mark when imported."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

TRAP = '''import pathlib, sys
pathlib.Path(__file__).with_name("IMPORTED").write_text(" ".join(sys.argv))
raise ImportError("not the standard library's")
'''


@pytest.fixture
def trapped_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in ("fractions", "json", "typing"):  # what the children import first
        (tmp_path / f"{name}.py").write_text(TRAP)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / "IMPORTED").exists(), (tmp_path / "IMPORTED").read_text()


def test_x264s_child_imports_nothing_from_the_working_folder(trapped_folder: Path) -> None:
    from classroom_console.media.x264_apart import end, spawn
    from classroom_console.media.x264_child import read

    child = spawn()
    try:
        assert child.process.stdout is not None
        assert read(child.process.stdout)[0] == "ready"
    finally:
        end(child)


def test_the_centre_stores_child_imports_nothing_from_the_working_folder(trapped_folder: Path) -> None:
    from classroom_console.centre.store_process import _spawn

    read_end, write_end = os.pipe()
    try:
        process = _spawn(write_end, trapped_folder / "centre.db")
    finally:
        os.close(write_end)
    try:
        process.wait(60)
    finally:
        os.close(read_end)
        if process.poll() is None:
            process.kill()
            process.wait()
