"""The Studio's live figures change several times a second while recording; a new figure must not make Qt lay out
the whole window again (a pass of 1-2 ms of the Qt thread's CPU each, five to twenty times a second, and a stall of
its own on a busy PC, bench/ui_stall.py --only pip). A figure that needs more room still gets it.

The real panels in a window laid out as the Studio's columns are: the stats in their scroll area, the audio mixer
beside them; the window counts the layout passes Qt asks of it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from classroom_console.media import RecordingStats
from classroom_console.media.meter import MeterReading
from tests.test_ui_devices_cards import Events
from ui.studio_meters import AudioMixerPanel
from ui.studio_stats import StatsPanel

GB = 2**30
TICKS = 20


def _studio_like(qtbot: QtBot) -> tuple[QWidget, StatsPanel, AudioMixerPanel, Events]:
    window = QWidget()
    qtbot.addWidget(window)
    columns = QHBoxLayout(window)
    left = QVBoxLayout()
    mixer = AudioMixerPanel()
    left.addWidget(QLabel("Sources"), 1)
    left.addWidget(mixer)
    columns.addLayout(left, 2)
    stats = StatsPanel()
    columns.addWidget(stats.in_scroll_area(), 2)
    window.resize(900, 500)
    window.show()
    qtbot.waitExposed(window)
    passes = Events()
    window.installEventFilter(passes)
    return window, stats, mixer, passes


def _settle(qapp: QCoreApplication) -> None:
    for _ in range(3):  # a posted layout request, and the ones its pass posts
        qapp.processEvents()


def _recording(second: int) -> RecordingStats:
    return RecordingStats(elapsed_s=float(second), frames=30 * second, encoder_fps=29.0 + second % 2,
                          bitrate_kbps=4000.0 + 37 * second, size_bytes=second * 524_288, free_bytes=50 * GB - second,
                          minutes_left=600.0 - second / 60)


def test_new_figures_in_the_stats_do_not_lay_out_the_window(qtbot: QtBot, qapp: QCoreApplication) -> None:
    _window, stats, _mixer, passes = _studio_like(qtbot)
    stats.show_stats(_recording(1))
    _settle(qapp)
    passes.count = 0
    for second in range(2, 2 + TICKS):
        stats.show_stats(_recording(second))
        _settle(qapp)
    assert stats.values["bitrate"].text() == f"{4000 + 37 * (1 + TICKS)} kbit/s"
    assert passes.count == 0, f"{passes.count} layout passes of the whole window for {TICKS} refreshes"


def test_a_figure_that_needs_more_room_still_widens_the_column(qtbot: QtBot, qapp: QCoreApplication) -> None:
    window, stats, _mixer, _passes = _studio_like(qtbot)
    stats.show_stats(_recording(1))
    _settle(qapp)
    area = window.findChild(QScrollArea)
    assert area is not None
    narrow = area.minimumSizeHint().width()
    stats.values["left"].setText("a figure far wider than any the panel had before")
    _settle(qapp)
    assert area.minimumSizeHint().width() > narrow
    assert area.width() >= area.minimumSizeHint().width(), "the window gave the column its new width"


def test_a_live_meter_does_not_lay_out_the_window_and_its_figure_shows_whole(
        qtbot: QtBot, qapp: QCoreApplication) -> None:
    _window, _stats, mixer, passes = _studio_like(qtbot)
    mixer.show_readings([("mic", "Lectern microphone", MeterReading(-20.0, -24.0, -18.0))])
    _settle(qapp)
    passes.count = 0
    _title, bar, figure = mixer.rows["mic"]
    tips = Events(QEvent.Type.ToolTipChange)  # each a style sheet's look-up, 20 times a second
    bar.installEventFilter(tips)
    for tick in range(TICKS):  # a voice: the held peak moves nearly every reading
        hold = -18.0 - tick * 4.1
        mixer.show_readings([("mic", "Lectern microphone", MeterReading(hold - 2, hold - 6, hold))])
        _settle(qapp)
        assert figure.width() >= figure.fontMetrics().horizontalAdvance(figure.text()), figure.text()
    assert passes.count == 0, f"{passes.count} layout passes of the whole window for {TICKS} meter readings"
    assert tips.count == 0 and "Level in dBFS" in bar.toolTip(), f"the tooltip was set {tips.count} times"
    mixer.show_readings([("mic", "Lectern microphone", MeterReading(0.0, -3.0, 0.0, clipped=True))])
    assert "Clipping" in bar.toolTip()
