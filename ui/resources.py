"""Where the look lives: icons and the stylesheet from assets/, found beside the package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

ASSETS = Path(__file__).resolve().parent.parent / "assets"


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(ASSETS / "icons" / f"{name}.svg"))


def stylesheet() -> str:
    return (ASSETS / "style.qss").read_text(encoding="utf-8")


def translations_dir() -> Path:
    return ASSETS / "i18n"
