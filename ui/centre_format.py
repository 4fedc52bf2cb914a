"""Numbers as the Centre workspace shows them: sizes and durations in the user's language and units."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

_CTX = "CentreFormat"


def _t(text: str, comment: str | None = None, n: int = -1) -> str:
    return QCoreApplication.translate(_CTX, text, comment, n)


def decimal(value: float, places: int = 1) -> str:
    """``1.3`` in English, ``1,3`` in Russian."""
    return f"{value:.{places}f}".replace(".", _t(".", "the decimal separator"))


def human_bytes(n: float) -> str:
    """Powers of 1000, as disks and file managers count: "1.3 MB", "1,3 МБ"."""
    units = (_t("%1 B"), _t("%1 KB"), _t("%1 MB"), _t("%1 GB"), _t("%1 TB"))
    for unit in units[:-1]:
        if abs(n) < 1000:
            return unit.replace("%1", f"{n:.0f}" if unit is units[0] else decimal(n))
        n /= 1000
    return units[-1].replace("%1", decimal(n))


def duration(seconds: float) -> str:
    """Seconds below a minute, minutes below an hour, then hours: a 37 s recording is never "0.0 hours"."""
    if seconds < 59.5:
        return _t("%n s", "seconds", round(seconds))
    if seconds < 3570:
        return _t("%n min", "minutes", round(seconds / 60))
    return _t("%1 h", "hours").replace("%1", decimal(seconds / 3600))
