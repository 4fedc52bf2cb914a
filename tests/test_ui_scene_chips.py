"""A scene's chips show each device's name and step whole at a lecturer PC's 1366x768, in English and Russian.

In a grid of four a chip had a quarter of the row: "Camera 2 (fixed) · Переход к пресету…" was cut while "Запись ·
Готово" left half its cell empty; and a styled label's own indent (half an "x" each side, more than its padding)
clipped the last letters of words that did fit ("Board 1 · Готовс")."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from classroom_console.events import SceneStep
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_devices_cards import settled
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.scene_progress import SceneProgress
from ui.scene_words import status_text, target_name

ROW_PX = 1148  # the Lecturer workspace's width for the summary at 1366x768 (less the sidebar and margins)
STEPS = (("mac:p1", "Projector 1", "power", "waiting"), ("mac:p2", "Projector 2", "input", "working"),
         ("mac:c2", "Camera 2 (fixed)", "preset", "working"), ("mac:p3", "Projector 3", "warm-up", "failed"),
         ("mac:b1", "Board 1", "blank", "done"), ("recording", "recording", "recording", "done"),
         ("tablets", "tablets", "tablets", "skipped"))
LONG_NAME = "Projector in the big lecture hall, left of the board, ceiling mount " * 3


def shown_cut(progress: SceneProgress) -> list[str]:
    """Chips whose words are not drawn whole: elided, or wider than the room Qt draws them in."""
    cut = []
    for target, chip in progress.chips.items():
        step = progress.steps[target]
        full = f"{target_name(step)} · {status_text(step)}"
        # Qt draws a label's words inside its contents less its indent (half an "x" a side when it has a frame)
        indent = chip.indent() if chip.indent() >= 0 else (
            chip.fontMetrics().horizontalAdvance("x") // 2 if chip.frameWidth() > 0 else 0)
        room = chip.contentsRect().width() - 2 * indent
        advance = chip.fontMetrics().horizontalAdvance(chip.text())
        if chip.text() != full or advance > room:
            cut.append(f"{full!r} shown as {chip.text()!r} ({advance} px in {room})")
    return cut


def test_every_chip_shows_its_words_whole_at_1366x768(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (_core, window):
            window.resize(1366, 768)
            progress = window.lecturer.scene_progress
            progress.begin("Lecture")
            for target, name, step, status in STEPS:
                progress.show_step(SceneStep(scene="Lecture", target=target, name=name, step=step, status=status))
            await wait_for(lambda: all(chip.isVisible() for chip in progress.chips.values()), what="the chips")
            await settled(window)
            assert window.width() <= 1366
            assert shown_cut(progress) == [], language

    run(qloop, scenario())


def test_a_name_wider_than_the_row_is_cut_with_an_ellipsis_and_said_whole_on_hover(
    qtbot: QtBot, language: str  # noqa: F811
) -> None:
    host = QWidget()
    QVBoxLayout(host).addWidget(progress := SceneProgress())
    qtbot.addWidget(host)
    host.resize(ROW_PX, 200)
    host.show()
    progress.begin("Lecture")
    progress.show_step(SceneStep(scene="Lecture", target="mac:x", name=LONG_NAME, step="power", status="done"))
    chip = progress.chips["mac:x"]
    qtbot.waitUntil(lambda: chip.width() > 60, timeout=5000)
    assert chip.width() <= progress.contentsRect().width()
    assert "…" in chip.text() and chip.fontMetrics().horizontalAdvance(chip.text()) <= chip.contentsRect().width()
    assert LONG_NAME in chip.toolTip()
