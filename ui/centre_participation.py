"""The Centre workspace's tablet participation lines: joins, answers and response rates, per course.

Plain text only (the label is set to plain text): course names and activity titles are the users' own
words and are never read as markup.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

TOP_COURSES = 5


def _pct(rate: Any) -> str:
    return "–" if rate is None else f"{float(rate) * 100:.0f}%"


class ParticipationText(QObject):
    """Words with numbers; ``self.tr(text, "", n)`` so lupdate makes the plural forms."""

    def text(self, tablets: dict[str, Any] | None) -> str:
        if not tablets or not tablets.get("sessions"):
            return self.tr("Tablet participation: no tablets joined a session in this period.")
        lines = [self.tr("Tablet participation: %1; joined: %2, activities: %3, answers: %4, response rate: %5.")
                 .replace("%1", self.tr("%n session(s)", "", int(tablets["sessions"])))
                 .replace("%2", str(int(tablets["joins"])))
                 .replace("%3", str(int(tablets["activities"])))
                 .replace("%4", str(int(tablets["answers"])))
                 .replace("%5", _pct(tablets.get("response_rate")))]
        for c in list(tablets.get("by_course", ()))[:TOP_COURSES]:
            lines.append(self.tr("%1: joined: %2, answers: %3, response rate: %4")
                         .replace("%1", str(c["course"]) or self.tr("(no course)"))
                         .replace("%2", str(int(c["joins"])))
                         .replace("%3", str(int(c["answers"])))
                         .replace("%4", _pct(c.get("response_rate"))))
        return "\n".join(lines)
