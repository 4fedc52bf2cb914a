"""The window keeps no module's source text in memory: PySide6's import hook read every module imported after it with
``inspect.getsource``, which left 642 files (8.8 MB of text, 21 MB of the window's memory) in ``linecache`` for the
window's life. Its question (does this module use PySide6?) is still answered as it answered it. In a fresh
interpreter, as the window starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, linecache, sys
import ui.app, ui.main_window, ui.workspaces.studio, ui.workspaces.lecturer, ui.workspaces.centre
import classroom_console.console
feature = sys.modules["shibokensupport.feature"]
print(json.dumps({"kept": len(linecache.cache), "answers": feature.pyside_feature_dict}))
"""


def test_the_windows_modules_leave_no_source_text_behind_and_get_pysides_own_answers() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["kept"] < 100  # old code: 642
    answers = seen["answers"]
    assert answers["ui.widgets"] == answers["ui.bridge"] == 0  # they use PySide6: its default, "no feature"
    assert answers["classroom_console.console"] == -1  # the core does not: ignored, as before


async def test_a_module_imported_on_the_loop_after_the_window_is_asked_about_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R10: the answer read the module's file with ``open`` from ``ui``, and every async test importing a module
    lazily after a UI test in the same worker failed the loop's blocking guard (conftest); the loader's read is the
    import's own."""
    import ui  # noqa: F401 - the hook's question answered by ui/pyside_sources.py

    (tmp_path / "lazily_imported_module.py").write_text("NAME = 'PySide6'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("lazily_imported_module")  # as an import statement does: PySide6's hook is on __import__
    assert sys.modules["shibokensupport.feature"].pyside_feature_dict["lazily_imported_module"] == 0
