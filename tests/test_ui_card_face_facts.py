"""A card's facts line breaks between its facts, never inside one, at any width a card gives it.

At 1366x768 a projector's card read "Вход: Computer 1 · Лампа:" / "1 000 ч": the lamp's label on one line, its
hours on the next, as if they were two facts."""

from __future__ import annotations

from PySide6.QtGui import QPixmap, QTextLayout, QTextOption
from pytestqt.qtbot import QtBot

from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.card_face import CardFace, card_look

FACTS = {"en": ["Input: Computer 1", "Lamp: 1,000\u00a0h", "Picture blanked"],
         "ru": ["Вход: Computer 1", "Лампа: 1\u00a0000\u00a0ч", "Изображение скрыто"]}


def lines(text: str, width: int) -> list[str]:
    """The lines QPainter.drawText(..., Qt.TextWordWrap) makes of ``text`` in ``width`` (QTextLayout, WordWrap)."""
    look = card_look().detail
    layout = QTextLayout(text, look.font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    found = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        found.append(text[line.textStart():line.textStart() + line.textLength()])
    layout.endLayout()
    return found


def test_each_fact_stays_on_one_line(qtbot: QtBot, language: str) -> None:  # noqa: F811
    face = CardFace(QPixmap())
    qtbot.addWidget(face)
    facts = FACTS[language]
    face.detail.setText(" · ".join(facts))
    metrics = card_look().detail.metrics
    widest = max(metrics.horizontalAdvance(fact) for fact in facts)
    plain = [fact.replace("\u00a0", " ") for fact in facts]
    broken = []
    for width in range(widest, metrics.horizontalAdvance(face.detail.text()) + 2):
        drawn = face.shown_facts(width) if hasattr(face, "shown_facts") else face.detail.text()  # as painted
        for line in lines(drawn, width):
            words = line.replace("\u00a0", " ").strip().strip("·").strip()
            pieces = [piece.strip() for piece in words.split(" · ")]
            split = [piece for piece in pieces if piece and piece not in plain]
            if split:
                broken.append(f"{line!r} at {width} px")
    assert broken == [], f"{language}: a fact split: {broken[:3]}"
