"""The Studio's own words: a source spec that makes no source says why, from the core's reason code (a size "abc" or
"99999x99999" showed only «Не удалось выполнить: добавление источника.» for 15 s, the reason in English in the
status bar's tooltip), and its figures are written as the window's language writes numbers ("29.9" and "75.8 ГБ"
in Russian, where the Centre writes "1,3")."""

from __future__ import annotations

from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from classroom_console.media import RecordingStats
from classroom_console.media.output import OutputStats
from tests.qt_helpers import run, wait_for
from tests.test_ui_studio import add, show_on_a_lecturer_screen, studio_workspace
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.studio_live import health_text


@pytest.mark.parametrize(("detail", "said"), [
    ("abc", "The source was not added: «abc» is not a size; write width x height, e.g. 1280x720."),
    ("99999x99999", "The source was not added: the size 99999x99999 is outside 16x16 to 7680x4320."),
    ("321x180", "The source was not added: the size 321x180 has an odd number; both must be even, e.g. 1280x720."),
], ids=["unreadable", "out-of-range", "odd"])
def test_a_bad_size_says_why_on_the_studios_status_line(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, detail: str, said: str
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (core, workspace):
            show_on_a_lecturer_screen(workspace, qtbot)
            errors: list[str] = []
            workspace.bridge.sig_error.connect(lambda sentence, _detail: errors.append(sentence))
            add(workspace, qtbot, "test-pattern", detail)
            await wait_for(lambda: workspace.status_label.text() != "", within=30, what="the Studio's answer")
            assert workspace.status_label.text() == said
            assert errors == []  # said once, where the technician looks: not "Could not add source." as well
            assert core.studio is not None and core.studio.sources == []
            add(workspace, qtbot, "test-pattern", "320x180")  # the next source that works: the refusal's words go
            await wait_for(lambda: workspace.sources.list.count() == 1, within=30, what="the good source")
            # Listed by the refresh as soon as the program has it; the status line clears when its adding ends.
            await wait_for(lambda: workspace.status_label.text() == "", within=30, what="the refusal's words to go")

    run(qloop, scenario())


def test_the_studios_figures_are_written_in_the_windows_language(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, language: str  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.timer.stop()  # the figures as the test gives them, not the (idle) core's
            stats = RecordingStats(elapsed_s=12.0, encoder_fps=29.94, bitrate_kbps=2500, size_bytes=int(3.25 * 2**20),
                                   free_bytes=int(75.8 * 2**30), minutes_left=300)
            workspace.stats_panel.show_stats(stats)
            shown = {key: workspace.stats_panel.values[key].text() for key in ("fps", "size", "free")}
            point = "," if language == "ru" else "."
            assert shown["fps"] == f"29{point}9", shown
            assert shown["size"].startswith(f"3{point}2"), shown
            assert shown["free"].startswith(f"75{point}8"), shown
            live, _tone = health_text(OutputStats("YouTube", "rtmp", "live", bitrate_bps=2_450_000))
            assert f"2{point}5" in live, live

    run(qloop, scenario())
