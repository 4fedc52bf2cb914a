"""Names on the Centre's charts come from rooms (courses, devices, room names): a chart's axis and legend render
rich text, so markup in a name must show as typed, never be obeyed."""

from __future__ import annotations

from PySide6.QtCharts import QChartView
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from ui.centre_charts import show_bars, show_stacked_weeks


def _bars(qtbot: QtBot, label: str) -> QImage:
    view = QChartView()
    qtbot.addWidget(view)
    view.resize(420, 160)
    show_bars(view, [label], [3.0], "hours")
    return view.grab().toImage()


def _weeks(qtbot: QtBot, room: str) -> QImage:
    view = QChartView()
    qtbot.addWidget(view)
    view.resize(420, 220)
    show_stacked_weeks(view, ["2026-11-02"], {room: [2.0], "Room 2": [1.0]})
    return view.grab().toImage()


def test_markup_in_a_course_name_is_drawn_as_text(qtbot: QtBot) -> None:
    # Obeyed, the empty bold tags vanish and the bar looks exactly like plain "Physics".
    assert _bars(qtbot, "<b></b>Physics") != _bars(qtbot, "Physics")


def test_markup_in_a_room_name_is_drawn_as_text_in_the_legend(qtbot: QtBot) -> None:
    assert _weeks(qtbot, "<i></i>Room 1") != _weeks(qtbot, "Room 1")
