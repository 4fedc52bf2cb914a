"""Numbers as the Centre workspace shows them: sizes and durations in the user's language and units."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject

translate = QCoreApplication.translate


class CentreFormat(QObject):
    """Words that carry a number: lupdate makes plural forms of ``self.tr(text, comment, n)`` only."""

    def seconds(self, n: int) -> str:
        return self.tr("%n s", "seconds", n)

    def minutes(self, n: int) -> str:
        return self.tr("%n min", "minutes", n)

    def recordings(self, n: int) -> str:
        return self.tr("%n recording(s)", "", n)


_WORDS = CentreFormat()


def recordings(n: int) -> str:
    return _WORDS.recordings(n)


def decimal(value: float, places: int = 1) -> str:
    """``1.3`` in English, ``1,3`` in Russian."""
    return f"{value:.{places}f}".replace(".", translate("CentreFormat", ".", "the decimal separator"))


def human_bytes(n: float) -> str:
    """Powers of 1000, as disks and file managers count: "1.3 MB", "1,3 МБ"."""
    if abs(n) < 1000:
        return translate("CentreFormat", "%1 B").replace("%1", f"{n:.0f}")
    units = (translate("CentreFormat", "%1 KB"), translate("CentreFormat", "%1 MB"),
             translate("CentreFormat", "%1 GB"), translate("CentreFormat", "%1 TB"))
    for unit in units:
        n /= 1000
        if abs(n) < 1000 or unit is units[-1]:
            return unit.replace("%1", decimal(n))
    raise AssertionError("unreachable")


def duration(seconds: float) -> str:
    """Seconds below a minute, minutes below an hour, then hours: a 37 s recording is never "0.0 hours"."""
    if seconds < 59.5:
        return _WORDS.seconds(round(seconds))
    if seconds < 3570:
        return _WORDS.minutes(round(seconds / 60))
    return translate("CentreFormat", "%1 h", "hours").replace("%1", decimal(seconds / 3600))
