"""The stats panel says in words, and in red, when a loss is growing or the disk is running out.

The panel is fed the core's own ``RecordingStats`` snapshots, one per refresh, as the Studio feeds it; the
losses themselves are produced for real in test_record_* (a stalled source, an encoder that cannot keep up).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from classroom_console.media import RecordingStats
from ui import i18n
from ui.studio_stats import WARN_FOR_S, StatsPanel

GB = 2**30


def snapshot(elapsed_s: float, *, skipped: int = 0, late: int = 0,
             minutes_left: float | None = 300.0) -> RecordingStats:
    return RecordingStats(elapsed_s=elapsed_s, frames=round(elapsed_s * 30), late_at_compositing=late,
                          skipped_by_encoder=skipped, free_bytes=50 * GB, minutes_left=minutes_left)


def test_a_growing_loss_is_told_while_it_grows_and_then_goes(qtbot: QtBot) -> None:
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.show_stats(snapshot(1.0))
    assert panel.warning.isHidden()
    panel.show_stats(snapshot(2.0, skipped=12))
    assert not panel.warning.isHidden() and "encoder cannot keep up" in panel.warning.text()
    assert "per-source files" not in panel.warning.text()  # they are off: that advice would not apply
    assert panel.values["skipped"].property("bad") is True and panel.values["late"].property("bad") is False
    panel.show_stats(snapshot(2.0 + WARN_FOR_S - 1, skipped=12))
    assert not panel.warning.isHidden(), "still fresh"
    panel.show_stats(snapshot(2.0 + WARN_FOR_S + 1, skipped=12))
    assert panel.warning.isHidden() and panel.values["skipped"].property("bad") is False
    assert panel.values["skipped"].text() == "12", "the count itself stays"


def test_the_warnings_go_when_the_recording_ends(qtbot: QtBot) -> None:
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.show_stats(snapshot(10.0, skipped=3, minutes_left=4.0))
    panel.show_stats(snapshot(11.0, skipped=9, minutes_left=3.9))
    assert not panel.warning.isHidden()
    panel.show_final(snapshot(11.0, skipped=9, minutes_left=3.9))
    assert panel.warning.isHidden() and panel.values["skipped"].text() == "9"
    assert not any(panel.values[k].property("bad") for k in ("dropped", "late", "skipped", "left"))


def test_losses_of_an_earlier_recording_are_not_held_against_the_next(qtbot: QtBot) -> None:
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.show_stats(snapshot(30.0, late=4))
    panel.show_stats(snapshot(31.0, late=9))
    assert "not delivering its pictures" in panel.warning.text()
    panel.show_stats(snapshot(0.5))  # a new recording starts its counts from zero
    assert panel.warning.isHidden() and panel.values["late"].property("bad") is False


def test_low_disk_is_warned_in_the_users_language(qtbot: QtBot, qapp: QCoreApplication) -> None:
    translators = i18n.install(qapp, "ru")
    assert translators, "no Russian translation found: scripts/setup.sh compiles assets/i18n/*.ts"
    try:
        panel = StatsPanel()
        qtbot.addWidget(panel)
        panel.show_stats(snapshot(10.0, minutes_left=7.2))
        assert "меньше чем на 8 мин." in panel.warning.text(), panel.warning.text()
        assert panel.values["left"].property("bad") is True
        panel.show_stats(snapshot(11.0, minutes_left=None))
        assert panel.warning.isHidden()
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_the_per_source_files_are_named_only_when_they_are_on(qtbot: QtBot) -> None:
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.tracks_on = True
    panel.show_stats(snapshot(1.0))
    panel.show_stats(snapshot(2.0, skipped=5))
    assert "turn off the per-source files" in panel.warning.text()


def test_a_warning_names_the_late_source_by_the_name_people_see(qtbot: QtBot) -> None:
    panel = StatsPanel()
    qtbot.addWidget(panel)
    names = {"camera": "Lectern camera", "screen": "Board screen"}
    panel.show_stats(RecordingStats(elapsed_s=1.0, losses_by_source={"camera": 0, "screen": 0}), names)
    panel.show_stats(RecordingStats(elapsed_s=2.0, late_at_compositing=6, losses_by_source={"camera": 6,
                                                                                             "screen": 0}), names)
    assert "Pictures arrive late from Lectern camera:" in panel.warning.text(), panel.warning.text()
    assert "Board screen" not in panel.warning.text()


def test_warnings_never_squeeze_the_rows(qtbot: QtBot, qapp: QCoreApplication) -> None:
    """Every warning at once, in Russian (the longest), in the Studio's side column at a 768-px screen's height:
    each row keeps a full line's height and the warning scrolls instead."""
    translators = i18n.install(qapp, "ru")
    try:
        panel = StatsPanel()
        area = panel.in_scroll_area()
        qtbot.addWidget(area)
        area.show()
        area.resize(area.minimumSizeHint().width(), 260)  # as narrow as the column may get
        panel.tracks_on = True
        names = {"camera": "Камера у доски с длинным названием"}
        panel.show_stats(snapshot(10.0, minutes_left=4.0), names)
        heights = {key: value.height() for key, value in panel.values.items()}
        panel.show_stats(RecordingStats(elapsed_s=11.0, frames=330, dropped_at_capture=5, late_at_compositing=9,
                                        skipped_by_encoder=7, free_bytes=GB, minutes_left=3.0,
                                        losses_by_source={"camera": 14}), names)
        qapp.processEvents()
        area.resize(area.minimumSizeHint().width(), 260)
        qapp.processEvents()
        assert len(panel.warning.text().splitlines()) >= 3, panel.warning.text()
        for key, value in panel.values.items():
            assert value.height() >= value.fontMetrics().height(), f"{key} squeezed to {value.height()} px"
            assert value.height() >= heights[key], f"{key} shrank when the warnings came"
        assert area.verticalScrollBar().maximum() > 0, "the warning scrolls instead"
        assert area.horizontalScrollBar().maximum() == 0, "and wraps to the column's width"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_no_smaller_output_is_advised_at_the_smallest(qtbot: QtBot) -> None:
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.can_go_smaller = False
    panel.show_stats(snapshot(1.0))
    panel.show_stats(snapshot(2.0, skipped=5))
    assert "smallest output" in panel.warning.text() and "choose a smaller" not in panel.warning.text()
    panel.tracks_on = True
    panel.show_stats(snapshot(3.0, skipped=9))
    assert "turn off the per-source files" in panel.warning.text() and "choose a smaller" not in panel.warning.text()


def test_a_preset_step_is_told_in_words(qtbot: QtBot) -> None:
    """The core names the x264 preset (a rung of its ladder); the panel says what it means for the picture."""
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.show_stats(dataclasses.replace(snapshot(1.0), preset="veryfast"))
    assert panel.values["preset"].text() == "Normal" and panel.warning.isHidden()
    panel.show_stats(dataclasses.replace(snapshot(3.0, skipped=4), preset="superfast-fixedb", preset_steps=1))
    assert panel.values["preset"].text() == "Fastest (busy PC)"
    assert "switched to a faster setting" in panel.warning.text()
    panel.show_stats(dataclasses.replace(snapshot(3.0 + WARN_FOR_S + 1, skipped=4), preset="superfast-fixedb",
                                         preset_steps=1))
    assert panel.warning.isHidden() and panel.values["preset"].text() == "Fastest (busy PC)"  # the setting stays
