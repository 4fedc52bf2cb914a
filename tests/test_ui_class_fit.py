"""The tablets tab at a lecturer PC's 1366x768, in English and Russian: a running poll's chart keeps its question
and every bar in sight, with the raised hands beside it.

E2 saw the chart squeezed to ~180 px beside the hands column: its title cut to "Понятен ли вто…" and the second
bar below the fold, though the lecturer reads it from across the room."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore
from classroom_console.events import SceneStep
from classroom_console.tablets import events as ev
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_devices_cards import settled
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.class_panel import QR_MIN, QR_SIZE, ClassPanel
from ui.main_window import MainWindow

QUESTION = {"en": "Is the second law clear?", "ru": "Понятен ли второй закон?"}
OPTIONS = {"en": ["Yes", "No"], "ru": ["Да", "Нет"]}
MIN_CHART_PX = 320  # enough for the question on a line or two and bars that read from across the room


def in_sight(widget: QWidget, scroll: QScrollArea) -> bool:
    """Wholly inside the scroll area's viewport as it stands (not scrolled to)."""
    viewport = scroll.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(top_left) and viewport.rect().contains(
        top_left + QPoint(widget.width() - 1, widget.height() - 1))


async def session_at_1366x768(qtbot: QtBot, core: ConsoleCore, window: MainWindow) -> ClassPanel:
    """The window at a lecturer PC's size, a session started (the tablets open with it); its tablets tab."""
    core.scenes.tablets_port, core.scenes.tablets_advertise = 0, False  # loopback (the tests' scope)
    window.resize(1366, 768)
    panel = window.lecturer.class_panel
    window.lecturer.course_edit.setText("Physics 1")
    qtbot.mouseClick(window.lecturer.session_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: len(panel.code_label.text()) == 6, within=30, what="the join code")
    return panel


def test_a_poll_and_raised_hands_fit_the_tab_at_1366x768(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            applied: list[object] = []
            window.bridge.sig_scene_applied.connect(lambda *args: applied.append(args))
            panel = await session_at_1366x768(qtbot, core, window)
            lecturer = window.lecturer
            lecturer.tabs.setCurrentWidget(panel)
            # The scene's summary is put away, as E2 had it (Hide; it fades by itself when all went well)
            progress = lecturer.scene_progress
            await wait_for(lambda: bool(applied), within=30, what="the scene applied")
            progress.hide()
            question, options = QUESTION[language], OPTIONS[language]
            panel.on_event(ev.ActivityStarted({"id": "a1", "kind": "single", "question": question,
                                               "options": options, "multiple": False}))
            panel.on_event(ev.AnswerReceived("a1", 1, dict.fromkeys(options, 1), 2))
            panel.on_event(ev.HandsChanged(((1, "Student phone"), (2, "Student desk"))))
            await wait_for(lambda: panel.chart.counts == dict.fromkeys(options, 1), within=30, what="the votes")
            await wait_for(lambda: panel.chart.isVisible() and len(panel.hand_labels) == 2, within=30,
                           what="the chart and the hands")
            await wait_for(lambda: not panel._counts_gate.active(), within=30, what="the last redraw")
            scroll = panel.findChild(QScrollArea)
            assert scroll is not None
            chart = panel.chart
            problems = []
            if chart.width() < MIN_CHART_PX:
                problems.append(f"the chart is {chart.width()} px wide")
            if not in_sight(chart, scroll):
                problems.append("the chart runs below the fold")
            room = chart.chart().geometry().width() - 2 * 16  # less the chart's margins and rounded background
            title_font = chart.chart().titleFont()
            lines = chart.chart().title().split("<br>")
            metrics = QFontMetrics(title_font)
            wide = [line for line in lines if metrics.horizontalAdvance(line) > room]
            if wide:
                problems.append(f"title lines {wide} wider than {room} px")
            if "".join(lines).replace(" ", "") != question.replace(" ", ""):
                problems.append(f"the title {chart.chart().title()!r} is not the question")
            for label in panel.hand_labels:
                if not in_sight(label, scroll):
                    problems.append(f"the hand {label.text()!r} is out of sight")
            assert problems == [], f"{language}: {problems}"

    run(qloop, scenario())


# The demo's Lecture, as its chips stood while the projectors warmed up: two rows of chips at 1366x768.
DEMO_STEPS = (("mac:p1", "Projector 1", "power", "waiting"), ("mac:p2", "Projector 2", "power", "waiting"),
              ("mac:p3", "Projector 3", "power", "waiting"), ("mac:b1", "Board 1", "input", "done"),
              ("mac:c1", "Camera 1", "preset", "done"), ("recording", "recording", "recording", "done"),
              ("tablets", "tablets", "tablets", "done"))


def test_the_tablets_tab_fits_beside_the_scene_summary_at_1366x768(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    """The lecturer opens the tablets tab while the scene's chips still show (they stay while a device failed):
    the tab scrolled, its Close and Show on projector buttons and Eyes on the board below the fold (E2, U7)."""
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            panel = await session_at_1366x768(qtbot, core, window)
            lecturer = window.lecturer
            progress = lecturer.scene_progress
            progress.begin("Lecture")
            for target, name, step, status in DEMO_STEPS:
                progress.show_step(SceneStep(scene="Lecture", target=target, name=name, step=step, status=status))
            lecturer.tabs.setCurrentWidget(panel)
            scroll = panel.findChild(QScrollArea)
            assert scroll is not None
            await wait_for(lambda: progress.isVisible() and scroll.viewport().height() > 100, what="the tab laid out")
            await settled(window)
            bar = scroll.verticalScrollBar()
            problems = [f"scrolls {bar.maximum()} px in a {scroll.viewport().height()} px tab"] if bar.isVisible() \
                else []
            for widget in (panel.code_label, panel.qr_label, panel.open_button, panel.projector_button,
                           panel.start_button, panel.timer_button, panel.eyes_button):
                if not in_sight(widget, scroll):
                    problems.append(f"{type(widget).__name__} {getattr(widget, 'text', str)()!r} out of sight")
            if panel.qr_label.width() < QR_MIN:
                problems.append(f"the QR code {panel.qr_label.width()} px")
            assert problems == [], f"{language}: {problems}"
            # Seven tablets in, the last with a long name, a poll of four options running: all of it fits too (the
            # chart's own preferred 480 px made the tab 584 px high)
            options = ["Converging", "Diverging", "Both", "Neither"]
            panel.on_event(ev.ActivityStarted({"id": "a2", "kind": "single", "question": QUESTION[language] * 2,
                                               "options": options, "multiple": False}))
            panel.on_event(ev.AnswerReceived("a2", 1, dict(zip(options, (4, 1, 1, 0), strict=True)), 6))
            await wait_for(lambda: panel.chart.isVisible() and panel.chart.counts.get("Converging") == 4
                           and not panel._counts_gate.active(), within=30, what="the poll's chart")
            window.resize(1366, 1000)  # a taller moment: a QChartView's own hint is its size so far, and in the demo
            await settled(window)  # window that hint (480 px) made the tab 584 px high and scroll
            assert panel.chart.sizeHint().height() <= 240, f"the chart asks for {panel.chart.sizeHint()}"
            window.resize(1366, 768)
            panel.joined_label.setText(panel.tr("%1 of %2 tablets connected").replace("%1", "7").replace("%2", "7"))
            panel.latest_label.setText(panel.tr("Latest: %1").replace("%1", "Александра Константиновна Нурланова"))
            panel.latest_label.show()
            panel._fit_qr()
            await settled(window)
            assert not bar.isVisible(), f"{language}: scrolls {bar.maximum()} px with seven tablets in"
            assert in_sight(panel.projector_button, scroll) and panel.qr_label.width() >= QR_MIN
            progress.hide()  # the chips put away: the QR code takes its full size again
            await wait_for(lambda: panel.qr_label.width() == QR_SIZE, what=f"a {QR_SIZE}-px QR code")
            assert not bar.isVisible()

    run(qloop, scenario())
