"""A student's or a device's name in a tooltip is shown as text, never drawn as markup (R7: a tablet named
'<font size=7 color=red><b>HACKED</b></font>' was drawn big and red on the lecturer's screen when the "Latest"
line cut it; '<img src=…>' loads a local file)."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from ui.widgets import ElidedLabel, plain_tip

HOSTILE = "<font size=7 color=red><b>HACKED</b></font><img src=/etc/x.png> & co"


def shown(tip: str) -> str:
    """What Qt's tooltip draws for ``tip`` (it takes anything that might be rich text for HTML)."""
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText()


def test_a_cut_label_shows_its_whole_text_as_text_on_hover(qtbot: QtBot) -> None:
    label = ElidedLabel("Latest: " + HOSTILE)
    qtbot.addWidget(label)
    label.resize(80, 20)
    label.show()
    qtbot.waitUntil(lambda: label.toolTip() != "", timeout=10_000)
    assert shown(label.toolTip()) == "Latest: " + HOSTILE


def test_plain_tip_keeps_lines_and_nothing_else() -> None:
    assert plain_tip("") == ""
    assert shown(plain_tip("one <b>\ntwo")).splitlines() == ["one <b>", "two"]
