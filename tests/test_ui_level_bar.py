"""The Studio's audio meter as drawn: each zone lit up to the falling peak, dark past it, the loudness brighter in
the middle third, the hold line, and the clip mark (read back from the widget's own pixels under pytest-qt)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from classroom_console.media.meter import MeterReading
from ui.studio_meters import CLIP_MARK_W, FLOOR_DB, LevelBar


def drawn(qtbot: QtBot, reading: MeterReading) -> QImage:
    bar = LevelBar()
    qtbot.addWidget(bar)
    bar.resize(172, 12)
    bar.show_reading(reading)
    return bar.grab().toImage()


def at(image: QImage, db: float, y: int = 1) -> str:
    """The colour drawn at ``db`` on the scale (the bar's width less the clip mark is -60..0 dBFS)."""
    width = image.width() - CLIP_MARK_W - 2
    x = round((db - FLOOR_DB) / -FLOOR_DB * width)
    return QColor(image.pixel(x, y)).name()


def test_the_meter_lights_each_zone_to_the_peak_and_marks_a_clip(qtbot: QtBot) -> None:
    image = drawn(qtbot, MeterReading(peak_db=-5.0, rms_db=-25.0, hold_db=-3.0, clipped=True))
    assert at(image, -40) == "#2a9d4a"  # green, lit
    assert at(image, -15) == "#e0b000"  # yellow, lit
    assert at(image, -7) == "#d62828"  # red, lit up to the peak
    assert at(image, -4) == "#641414"  # red, dark past it
    assert at(image, -40, y=6) == QColor("#2a9d4a").lighter(140).name()  # the loudness, middle third
    assert at(image, -15, y=6) == "#e0b000"  # past the loudness: the peak's colour
    assert QColor(image.pixel(image.width() - 3, 6)).name() == "#ff1f1f"  # the clip mark
    hold_x = round((-3.0 - FLOOR_DB) / -FLOOR_DB * (image.width() - CLIP_MARK_W - 2))
    assert QColor(image.pixel(hold_x, 6)).name() == "#ff8080"  # the hold line, in the red zone


def test_a_silent_meter_is_dark_with_no_clip(qtbot: QtBot) -> None:
    image = drawn(qtbot, MeterReading())
    assert (at(image, -40), at(image, -15), at(image, -4)) == ("#174f27", "#6b5600", "#641414")
    assert QColor(image.pixel(image.width() - 3, 6)).name() == "#3a3a3a"
